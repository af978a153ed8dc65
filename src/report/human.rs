//! The human report: a line per document, then its blocks.
//!
//! ```text
//! corpus/page.txt  UTF-8  77,394 bytes  48.5% duplicate
//!   block 1  2 copies  64 segments  similarity 0.993
//!     lines 20-149    中央關於加強和改進黨的群團工作的意見…
//!     lines 157-286   中央關於加強和改進黨的群團工作的意見…
//!     differs  21 ↔ 158 (0.77)  27 ↔ 164 (0.95)
//! ```
//!
//! A large run is not listed document by document: past
//! [`HumanPrinter::max_documents`] documents the rest are counted, and the
//! end of the report names the documents with the most duplicate bytes and
//! says how many were not listed. [`HumanPrinter::summary_only`] lists no
//! document: only the totals, the top documents and the first few findings
//! of each corpus-wide kind. Files a folder walk skipped are named at the
//! end, with why.

use crate::report::thousands;
use std::io::{self, Write};

use crate::detect::within::{Block, Differing};
use crate::document::Origin;
use crate::pipeline::{CorpusReport, Findings, Problem, ScannedDoc, Sink, Summary};
use crate::quality::DocumentDamage;

use super::{passage_places, segment_clusters};

/// Most items of each corpus-wide kind listed; the rest are counted.
const MAX_LISTED: usize = 20;

/// Most items of each kind listed in a summary: top documents, clusters,
/// segments, passages, boilerplate lines, skipped files.
const SUMMARY_LISTED: usize = 5;

/// Documents listed one by one before the rest are only counted, unless
/// [`HumanPrinter::max_documents`] says otherwise.
pub const DEFAULT_MAX_DOCUMENTS: usize = 200;

/// Skipped files named at the end of a report; the rest are counted.
const SKIPPED_LISTED: usize = 10;

/// Prints the human report, in colour when asked.
pub struct HumanPrinter<W: Write> {
    out: W,
    colour: bool,
    show_diffs: bool,
    find: Findings,
    /// The first documents found in an index, as lines, and how many were.
    stored: Vec<String>,
    stored_total: Option<usize>,
    /// Documents listed one by one at most; `None`: all of them.
    max_documents: Option<usize>,
    /// Documents seen, listed or not.
    documents: usize,
    /// The documents with the most duplicate bytes: (bytes, ratio, name),
    /// most first, at most [`SUMMARY_LISTED`].
    top: Vec<(usize, f64, String)>,
    /// The first files skipped, with why, and how many were.
    skipped: Vec<String>,
    skipped_total: usize,
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
            max_documents: Some(DEFAULT_MAX_DOCUMENTS),
            documents: 0,
            top: Vec::new(),
            skipped: Vec::new(),
            skipped_total: 0,
        }
    }

    /// Lists at most `max` documents one by one (`None`: every one; the
    /// default is [`DEFAULT_MAX_DOCUMENTS`]); past it documents are counted,
    /// and the end of the report names those with the most duplicate bytes.
    pub fn max_documents(&mut self, max: Option<usize>) -> &mut Self {
        self.max_documents = max;
        self
    }

    /// Lists no document, and at most a few findings of each corpus-wide
    /// kind: the totals and the top of each list.
    pub fn summary_only(&mut self, yes: bool) -> &mut Self {
        if yes {
            self.max_documents = Some(0);
        }
        self
    }

    fn is_summary(&self) -> bool {
        self.max_documents == Some(0)
    }

    /// How many of each corpus-wide kind are listed.
    fn listed(&self) -> usize {
        if self.is_summary() {
            SUMMARY_LISTED
        } else {
            MAX_LISTED
        }
    }

    /// Keeps `doc` among the documents with the most duplicate bytes.
    fn rank(&mut self, doc: &ScannedDoc) {
        let bytes = doc.duplicate_bytes();
        if bytes == 0 {
            return;
        }
        let at = self.top.partition_point(|(kept, ..)| *kept >= bytes);
        if at < SUMMARY_LISTED {
            let name = doc.document.origin.to_string();
            self.top.insert(at, (bytes, doc.duplicate_ratio(), name));
            self.top.truncate(SUMMARY_LISTED);
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
        self.more_than(total, self.listed())
    }

    fn more_than(&mut self, total: usize, listed: usize) -> io::Result<()> {
        if total > listed {
            writeln!(
                self.out,
                "  … and {} more (see --format json)",
                total - listed
            )?;
        }
        Ok(())
    }

    /// The documents that were not listed, counted, and the ones with the
    /// most duplicate bytes.
    fn unlisted(&mut self) -> io::Result<()> {
        let listed = self
            .max_documents
            .map_or(self.documents, |max| max.min(self.documents));
        let unlisted = self.documents - listed;
        if unlisted == 0 {
            return Ok(());
        }
        if self.find.blocks && !self.top.is_empty() {
            let title = self.paint("1;33", "most duplicate bytes");
            writeln!(
                self.out,
                "{title}  top {} of {} documents",
                self.top.len(),
                thousands(self.documents)
            )?;
            for (bytes, ratio, name) in std::mem::take(&mut self.top) {
                writeln!(
                    self.out,
                    "  {name}  {} duplicate bytes ({:.1}%)",
                    thousands(bytes),
                    ratio * 100.0
                )?;
            }
        }
        let line = if listed == 0 {
            format!(
                "{} documents not listed one by one (--format json lists every one)",
                thousands(unlisted)
            )
        } else {
            format!(
                "… and {} more documents not listed (only the first {listed} are; --format json lists every one, --max-documents 0 lists them here)",
                thousands(unlisted)
            )
        };
        writeln!(self.out, "{}", self.paint("2", &line))
    }

    /// The files a folder walk skipped, with why.
    fn skipped_files(&mut self) -> io::Result<()> {
        if self.skipped_total == 0 {
            return Ok(());
        }
        let title = self.paint("1;33", "skipped");
        let files = if self.skipped_total == 1 {
            "file"
        } else {
            "files"
        };
        writeln!(
            self.out,
            "{title}  {} {files}",
            thousands(self.skipped_total)
        )?;
        for line in std::mem::take(&mut self.skipped) {
            writeln!(self.out, "  {line}")?;
        }
        self.more_than(self.skipped_total, SKIPPED_LISTED)
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

/// The first `listed` places, comma-separated, and how many more there are.
fn places_line(places: &[String], listed: usize) -> String {
    let mut line = places[..places.len().min(listed)].join(", ");
    if places.len() > listed {
        line.push_str(&format!(", … and {} more", places.len() - listed));
    }
    line
}

impl<W: Write> HumanPrinter<W> {
    /// Whether damage is all the scan looks for: then only damaged
    /// documents are listed.
    fn damage_only(&self) -> bool {
        let find = self.find;
        find.damage && !(find.blocks || find.documents || find.segments || find.boilerplate)
    }

    /// One line for a damaged document: its score and each damaged
    /// segment's lines and kinds.
    fn damage(&mut self, damage: &DocumentDamage) -> io::Result<()> {
        if damage.is_clean() {
            return Ok(());
        }
        let title = self.paint("1;31", "damage");
        let places: Vec<String> = damage
            .segments
            .iter()
            .map(|found| {
                let kinds: Vec<&str> = found.kinds.iter().map(|kind| kind.name()).collect();
                format!("{} ({})", found.lines, kinds.join(", "))
            })
            .collect();
        let segments = if places.len() == 1 {
            "segment"
        } else {
            "segments"
        };
        writeln!(
            self.out,
            "  {title}  score {}  {} {segments}: {}",
            damage.score,
            places.len(),
            places_line(&places, self.listed())
        )
    }
}

impl<W: Write> Sink for HumanPrinter<W> {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        if self.damage_only() && doc.damage.is_clean() {
            return Ok(());
        }
        self.documents += 1;
        self.rank(doc);
        if self.max_documents.is_some_and(|max| self.documents > max) {
            return Ok(());
        }
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
        self.damage(&doc.damage)?;
        for (at, block) in doc.blocks.iter().enumerate() {
            self.block(doc, at + 1, block)?;
        }
        Ok(())
    }

    fn problem(&mut self, _problem: &Problem) -> io::Result<()> {
        Ok(())
    }

    fn skipped(&mut self, origin: &Origin, reason: &str) -> io::Result<()> {
        self.skipped_total += 1;
        if self.skipped.len() < SKIPPED_LISTED {
            self.skipped.push(format!("{origin} ({reason})"));
        }
        Ok(())
    }

    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        let report = &report;
        let listed = self.listed();
        let path = |doc: u32| report.origins[doc as usize].to_string();
        if !report.clusters.is_empty() {
            let title = self.paint("1;33", "duplicate documents");
            writeln!(self.out, "{title}  {} clusters", report.clusters.len())?;
            let mut clusters: Vec<&crate::detect::across::Cluster> =
                report.clusters.iter().collect();
            if self.is_summary() {
                // The largest clusters first; ties in input order.
                clusters.sort_by_key(|cluster| std::cmp::Reverse(cluster.members.len()));
            }
            for cluster in clusters.into_iter().take(listed) {
                let kind = if cluster.exact {
                    "exact".to_owned()
                } else {
                    format!("near {:.2}", cluster.similarity)
                };
                let members: Vec<String> = cluster.members.iter().map(|&d| path(d)).collect();
                writeln!(self.out, "  {kind:<9} {}", places_line(&members, listed))?;
            }
            self.more(report.clusters.len())?;
        }
        if !report.contained.is_empty() {
            let title = self.paint("1;33", "documents contained in longer ones");
            writeln!(self.out, "{title}  {}", report.contained.len())?;
            for found in report.contained.iter().take(listed) {
                writeln!(
                    self.out,
                    "  {:<9} {}  in  {}",
                    format!("{:.2}", found.containment),
                    path(found.doc),
                    path(found.container)
                )?;
            }
            self.more(report.contained.len())?;
        }
        let segments = segment_clusters(report);
        if !segments.is_empty() {
            let title = self.paint("1;33", "segments repeated across documents");
            writeln!(self.out, "{title}  {}", segments.len())?;
            for occurrences in segments.iter().take(listed) {
                let places: Vec<String> = occurrences
                    .iter()
                    .map(|(d, lines)| format!("{}:{lines}", path(*d)))
                    .collect();
                writeln!(self.out, "  {}", places_line(&places, listed))?;
            }
            self.more(segments.len())?;
        }
        if !report.passages.is_empty() {
            let title = self.paint("1;33", "passages repeated across documents");
            writeln!(self.out, "{title}  {}", report.passages.len())?;
            for passage in report.passages.iter().take(listed) {
                let kind = if passage.exact {
                    "exact".to_owned()
                } else {
                    format!("near {:.2}", passage.similarity)
                };
                let places: Vec<String> = passage_places(report, passage)
                    .into_iter()
                    .map(|(d, lines)| format!("{}:{lines}", path(d)))
                    .collect();
                writeln!(self.out, "  {kind:<9} {}", places_line(&places, listed))?;
            }
            self.more(report.passages.len())?;
        }
        if !report.boilerplate.is_empty() {
            let title = self.paint("1;33", "boilerplate lines");
            writeln!(self.out, "{title}  {}", report.boilerplate.len())?;
            for found in report.boilerplate.iter().take(listed) {
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
        self.unlisted()?;
        self.skipped_files()?;
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
        if self.find.contained {
            line.push_str(&format!(
                ", {} contained documents",
                thousands(summary.contained)
            ));
        }
        if let Some(stored) = self.stored_total {
            line.push_str(&format!(", {stored} already stored"));
        }
        if self.find.damage {
            line.push_str(&format!(
                ", {} damaged documents",
                thousands(summary.damaged_documents)
            ));
        }
        if summary.skipped > 0 {
            let files = if summary.skipped == 1 {
                "file"
            } else {
                "files"
            };
            line.push_str(&format!(", {} binary {files} skipped", summary.skipped));
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
        if self.stored.len() < self.listed() {
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
    fn long_lists_of_places_are_cut() {
        let places: Vec<String> = (1..=4).map(|n| format!("a.txt:{n}")).collect();
        assert_eq!(
            places_line(&places, 4),
            "a.txt:1, a.txt:2, a.txt:3, a.txt:4"
        );
        assert_eq!(places_line(&places, 2), "a.txt:1, a.txt:2, … and 2 more");
    }

    /// A document `name` of `copies` copies of one long paragraph.
    fn scanned(name: &str, copies: usize) -> ScannedDoc {
        let paragraph = "A paragraph long enough to count as a block of text, repeated.\n\n";
        let text = format!("{}Its own ending, {name}.\n", paragraph.repeat(copies));
        let engine = crate::EngineBuilder::new().build().unwrap();
        engine.scan_text(Origin::Path(name.into()), &text)
    }

    fn printed(printer: HumanPrinter<Vec<u8>>) -> String {
        String::from_utf8(printer.out).unwrap()
    }

    #[test]
    fn past_the_most_documents_listed_the_rest_are_counted_and_ranked() {
        let mut printer = HumanPrinter::new(Vec::new(), false);
        printer.max_documents(Some(2));
        for (name, copies) in [("a", 1), ("b", 2), ("c", 1), ("d", 4), ("e", 3)] {
            printer.document(&scanned(name, copies)).unwrap();
        }
        printer.finish(&Summary::default()).unwrap();
        let out = printed(printer);
        assert!(out.starts_with("a  UTF-8"), "{out}");
        assert!(out.contains("\nb  UTF-8"), "{out}");
        assert!(!out.contains("\nc  UTF-8"), "{out}");
        assert!(!out.contains("\nd  UTF-8"), "{out}");
        // The most duplicated first, whether listed or not.
        let top = out.find("top 3 of 5 documents").expect("a top list");
        let (d, e, b) = (
            out.find("\n  d  ").unwrap(),
            out.find("\n  e  ").unwrap(),
            out.find("\n  b  ").unwrap(),
        );
        assert!(top < d && d < e && e < b, "{out}");
        assert!(
            out.contains("… and 3 more documents not listed (only the first 2 are;"),
            "{out}"
        );
    }

    #[test]
    fn a_summary_lists_no_document_and_names_skipped_files() {
        let mut printer = HumanPrinter::new(Vec::new(), false);
        printer.summary_only(true);
        printer.document(&scanned("a", 2)).unwrap();
        for n in 0..(SKIPPED_LISTED + 3) {
            printer
                .skipped(&Origin::Path(format!("img{n:02}.png").into()), "binary")
                .unwrap();
        }
        printer.finish(&Summary::default()).unwrap();
        let out = printed(printer);
        assert!(!out.contains("a  UTF-8"), "{out}");
        assert!(out.contains("1 documents not listed one by one"), "{out}");
        assert!(
            out.contains("skipped  13 files\n  img00.png (binary)\n"),
            "{out}"
        );
        assert!(out.contains("img09.png (binary)\n  … and 3 more"), "{out}");
        assert!(!out.contains("img10.png"), "{out}");
    }
}
