//! The human report: a line per document, then its blocks.
//!
//! ```text
//! corpus/page.txt  UTF-8  77,394 bytes  48.5% duplicate
//!   block 1  2 copies  64 segments  similarity 0.993
//!     lines 20-149    中央關於加強和改進黨的群團工作的意見…
//!     lines 157-286   中央關於加強和改進黨的群團工作的意見…
//!     differs  21 ↔ 158 (0.77)  27 ↔ 164 (0.95)
//! ```

use std::io::{self, Write};

use crate::detect::within::{Block, Differing};
use crate::pipeline::{CorpusReport, Findings, Problem, ScannedDoc, Sink, Summary};

use super::{passage_places, segment_clusters};

/// Most items of each corpus-wide kind listed; the rest are counted.
const MAX_LISTED: usize = 20;

/// Prints the human report, in colour when asked.
pub struct HumanPrinter<W: Write> {
    out: W,
    colour: bool,
    show_diffs: bool,
    find: Findings,
    /// The first documents found in an index, as lines, and how many were.
    stored: Vec<String>,
    stored_total: Option<usize>,
}

const PREVIEW_CHARS: usize = 48;

impl<W: Write> HumanPrinter<W> {
    /// A printer writing to `out`, with ANSI colours when `colour` is set
    /// (the caller decides: a terminal, `NO_COLOR`, `--color`).
    pub fn new(out: W, colour: bool) -> HumanPrinter<W> {
        HumanPrinter {
            out,
            colour,
            show_diffs: false,
            find: Findings::default(),
            stored: Vec::new(),
            stored_total: None,
        }
    }

    /// Also print, for each differing segment pair, the characters that
    /// differ.
    pub fn show_diffs(&mut self, yes: bool) -> &mut Self {
        self.show_diffs = yes;
        self
    }

    /// What the scan looks for: the duplicate share of each document and of
    /// the whole run is shown only when blocks are.
    pub fn find(&mut self, find: Findings) -> &mut Self {
        self.find = find;
        self
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn block(&mut self, doc: &ScannedDoc, number: usize, block: &Block) -> io::Result<()> {
        let kind = if block.exact {
            "exact".to_owned()
        } else {
            format!("similarity {:.3}", block.similarity)
        };
        let title = self.paint("1;33", &format!("block {number}"));
        writeln!(
            self.out,
            "  {title}  {} copies  {} segments  {kind}",
            block.copies.len(),
            block.segments
        )?;
        for copy in &block.copies {
            let lines = format!("lines {}", copy.span.lines);
            let preview = preview(&doc.document.text()[copy.span.bytes.clone()]);
            writeln!(
                self.out,
                "    {:<16} {}",
                self.paint("36", &lines),
                self.paint("2", &preview)
            )?;
        }
        if !block.differing.is_empty() {
            let list: Vec<String> = block.differing.iter().map(describe).collect();
            writeln!(self.out, "    differs  {}", list.join("  "))?;
        }
        if self.show_diffs {
            self.diffs(doc, block)?;
        }
        Ok(())
    }

    /// Each differing pair's changed characters.
    fn diffs(&mut self, doc: &ScannedDoc, block: &Block) -> io::Result<()> {
        let text = doc.document.text();
        for d in &block.differing {
            let (Some(first), Some(other)) = (&d.first, &d.other) else {
                continue;
            };
            let marks =
                super::inline::marked(&text[first.bytes.clone()], &text[other.bytes.clone()]);
            let marks = if self.colour {
                self.colour_marks(&marks)
            } else {
                marks
            };
            writeln!(self.out, "      {} ↔ {}  {marks}", first.lines, other.lines)?;
        }
        Ok(())
    }

    fn colour_marks(&self, marks: &str) -> String {
        marks
            .replace("[-", "\x1b[31m[-")
            .replace("-]", "-]\x1b[0m")
            .replace("{+", "\x1b[32m{+")
            .replace("+}", "+}\x1b[0m")
    }
}

impl<W: Write> HumanPrinter<W> {
    fn more(&mut self, total: usize) -> io::Result<()> {
        if total > MAX_LISTED {
            writeln!(
                self.out,
                "  … and {} more (see --format json)",
                total - MAX_LISTED
            )?;
        }
        Ok(())
    }
}

fn describe(d: &Differing) -> String {
    let side = |span: &Option<crate::document::Span>| {
        span.as_ref()
            .map_or("-".to_owned(), |s| s.lines.to_string())
    };
    format!(
        "{} ↔ {} ({:.2})",
        side(&d.first),
        side(&d.other),
        d.similarity
    )
}

/// The first characters of a span, on one line.
fn preview(text: &str) -> String {
    let mut out = String::new();
    let mut last_space = false;
    for c in text.chars() {
        if out.chars().count() >= PREVIEW_CHARS {
            out.push('…');
            break;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else if !c.is_control() {
            out.push(c);
            last_space = false;
        }
    }
    out
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (at, c) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl<W: Write> Sink for HumanPrinter<W> {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        let decoded = &doc.document.decoded;
        let path = self.paint("1", &doc.document.origin.to_string());
        let mut line = format!(
            "{path}  {}  {} bytes",
            decoded.encoding.name(),
            thousands(doc.document.input_bytes),
        );
        if self.find.blocks {
            line.push_str(&format!(
                "  {:.1}% duplicate",
                doc.duplicate_ratio() * 100.0
            ));
        }
        if decoded.malformed > 0 {
            line.push_str(&format!("  {} malformed", decoded.malformed));
        }
        writeln!(self.out, "{line}")?;
        for (at, block) in doc.blocks.iter().enumerate() {
            self.block(doc, at + 1, block)?;
        }
        Ok(())
    }

    fn problem(&mut self, _problem: &Problem) -> io::Result<()> {
        Ok(())
    }

    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        let report = &report;
        let path = |doc: u32| report.origins[doc as usize].to_string();
        if !report.clusters.is_empty() {
            let title = self.paint("1;33", "duplicate documents");
            writeln!(self.out, "{title}  {} clusters", report.clusters.len())?;
            for cluster in report.clusters.iter().take(MAX_LISTED) {
                let kind = if cluster.exact {
                    "exact".to_owned()
                } else {
                    format!("near {:.2}", cluster.similarity)
                };
                let members: Vec<String> = cluster.members.iter().map(|&d| path(d)).collect();
                writeln!(self.out, "  {kind:<9} {}", members.join(", "))?;
            }
            self.more(report.clusters.len())?;
        }
        let segments = segment_clusters(report);
        if !segments.is_empty() {
            let title = self.paint("1;33", "segments repeated across documents");
            writeln!(self.out, "{title}  {}", segments.len())?;
            for occurrences in segments.iter().take(MAX_LISTED) {
                let places: Vec<String> = occurrences
                    .iter()
                    .map(|(d, lines)| format!("{}:{lines}", path(*d)))
                    .collect();
                writeln!(self.out, "  {}", places.join(", "))?;
            }
            self.more(segments.len())?;
        }
        if !report.passages.is_empty() {
            let title = self.paint("1;33", "passages repeated across documents");
            writeln!(self.out, "{title}  {}", report.passages.len())?;
            for passage in report.passages.iter().take(MAX_LISTED) {
                let kind = if passage.exact {
                    "exact".to_owned()
                } else {
                    format!("near {:.2}", passage.similarity)
                };
                let places: Vec<String> = passage_places(report, passage)
                    .into_iter()
                    .map(|(d, lines)| format!("{}:{lines}", path(d)))
                    .collect();
                writeln!(self.out, "  {kind:<9} {}", places.join(", "))?;
            }
            self.more(report.passages.len())?;
        }
        if !report.boilerplate.is_empty() {
            let title = self.paint("1;33", "boilerplate lines");
            writeln!(self.out, "{title}  {}", report.boilerplate.len())?;
            for found in report.boilerplate.iter().take(MAX_LISTED) {
                let group = if found.group.is_empty() {
                    "."
                } else {
                    found.group.as_str()
                };
                writeln!(
                    self.out,
                    "  {group} ({} of {} documents)  {}",
                    found.documents,
                    found.group_documents,
                    self.paint("2", &preview(&found.text))
                )?;
            }
            self.more(report.boilerplate.len())?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let stored = self.stored_total.unwrap_or(0);
        if stored > 0 {
            let title = self.paint("1;33", "already stored");
            writeln!(self.out, "{title}  {stored} documents")?;
            for line in std::mem::take(&mut self.stored) {
                writeln!(self.out, "{line}")?;
            }
            self.more(stored)?;
        }
        let ratio = if summary.bytes == 0 {
            0.0
        } else {
            summary.duplicate_bytes as f64 / summary.bytes as f64 * 100.0
        };
        let mut line = format!(
            "{} documents, {} bytes",
            thousands(summary.documents),
            thousands(summary.bytes),
        );
        if self.find.blocks {
            line.push_str(&format!(
                ", {} blocks, {} duplicate bytes ({ratio:.1}%)",
                thousands(summary.blocks),
                thousands(summary.duplicate_bytes),
            ));
        }
        if summary.clusters > 0 {
            line.push_str(&format!(
                ", {} duplicate documents in {} clusters",
                summary.duplicate_documents, summary.clusters
            ));
        }
        if let Some(stored) = self.stored_total {
            line.push_str(&format!(", {stored} already stored"));
        }
        if summary.skipped > 0 {
            line.push_str(&format!(", {} binary files skipped", summary.skipped));
        }
        if summary.errors > 0 {
            line.push_str(&format!(", {} errors", summary.errors));
        }
        writeln!(self.out, "{}", self.paint("2", &line))?;
        self.out.flush()
    }
}

/// `text` with its control characters escaped (`\n`, `\u{1b}`).
fn one_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

impl<W: Write> crate::index::ReportStored for HumanPrinter<W> {
    fn stored(
        &mut self,
        origin: &crate::document::Origin,
        found: &crate::index::StoredMatch,
    ) -> io::Result<()> {
        if self.stored.len() < MAX_LISTED {
            let kind = if found.exact {
                "exact".to_owned()
            } else {
                format!("near {:.2}", found.similarity)
            };
            // What the index holds is shown one line each, controls escaped.
            let id = match &found.stored.id {
                Some(id) => format!(" (id {})", one_line(id)),
                None => String::new(),
            };
            self.stored.push(format!(
                "  {kind:<9} {}  =  {}{id}",
                origin,
                one_line(&found.stored.to_string())
            ));
        }
        Ok(())
    }

    fn stored_total(&mut self, total: usize) {
        self.stored_total = Some(total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_fold_space_and_cut() {
        assert_eq!(preview("a\n\n  b"), "a b");
        let long = "字".repeat(60);
        assert_eq!(preview(&long).chars().count(), PREVIEW_CHARS + 1);
    }

    #[test]
    fn stored_places_are_shown_on_one_line() {
        assert_eq!(one_line("a\nb\u{1b}[31m東京"), "a\\nb\\u{1b}[31m東京");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(77394), "77,394");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
