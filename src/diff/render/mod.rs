//! Printers: one per output format, all writing a [`Comparison`] into any
//! [`io::Write`] sink.
//!
//! A [`Printer`] is fed documents one by one ([`Printer::document`]), errors
//! ([`Printer::error`]), and is then told to [`Printer::finish`], which
//! prints what needs the whole run (the `stat` table, the JSON summary).
//!
//! | format | for | moves | inline changes |
//! |---|---|---|---|
//! | `unified` | `patch`, `git apply`, review tools | as delete + insert | no |
//! | `color` | reading on a terminal | yes | highlighted (or `[-…-]{+…+}` without colour) |
//! | `word` | reading anywhere, `[-old-]{+new+}` markup | yes | yes |
//! | `side-by-side` | reading on a wide terminal | as `<` / `>` rows | yes |
//! | `stat` | an overview | counted | counted (characters) |
//! | `json` | programs (JSON Lines) | yes | yes |
//! | `html` | a browser: one self-contained page | linked both ways | highlighted |

use std::io::{self, Write};

use super::compare::Tag;
use super::comparison::Comparison;
use super::folders::DocStatus;

mod color;
mod damage;
mod html;
mod html_assets;
mod html_line;
mod html_views;
mod hunks;
mod json;
mod marks;
mod side;
mod stat;
mod unified;
mod word;

pub use json::Begin;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A unified diff, as `diff -u` and `git diff` write it.
    Unified,
    /// Unified with ANSI colours, moves and changes inside lines highlighted.
    Color,
    /// The texts interleaved, `[-old-]{+new+}` around what changed.
    Word,
    /// The two texts in two columns.
    SideBySide,
    /// One row per changed document, as `git diff --stat`.
    Stat,
    /// JSON Lines: a `begin` object, one object per document, a summary.
    Json,
    /// One self-contained HTML page for the whole run, written at the end:
    /// side-by-side and inline views, moved blocks linked, capped to what a
    /// browser opens (the figures count everything).
    Html,
}

impl Format {
    /// A diff shown as text, one document after another (not `stat` or
    /// `json`).
    fn is_text(self) -> bool {
        matches!(
            self,
            Format::Unified | Format::Color | Format::Word | Format::SideBySide
        )
    }

    /// Its name on the command line: `unified`, `color`, `word`,
    /// `side-by-side`, `stat`, `json` or `html`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Unified => "unified",
            Format::Color => "color",
            Format::Word => "word",
            Format::SideBySide => "side-by-side",
            Format::Stat => "stat",
            Format::Json => "json",
            Format::Html => "html",
        }
    }
}

/// One side of a document being printed.
#[derive(Clone, Copy, Debug)]
pub struct DocSide<'h> {
    /// The path as the output names it.
    pub path: &'h str,
    /// WHATWG name of the encoding the input was decoded from.
    pub encoding: &'h str,
    /// Size as read, before decoding.
    pub input_bytes: usize,
}

/// What a printer needs to know about a document besides its comparison.
#[derive(Clone, Copy, Debug)]
pub struct DocHeader<'h> {
    /// `None` for an added document.
    pub old: Option<DocSide<'h>>,
    /// `None` for a removed document.
    pub new: Option<DocSide<'h>>,
    /// What happened to the document between the two sides.
    pub status: DocStatus,
}

impl<'h> DocHeader<'h> {
    /// Two UTF-8 files compared as such.
    pub fn files(old: &'h str, new: &'h str) -> DocHeader<'h> {
        let side = |path| DocSide {
            path,
            encoding: "UTF-8",
            input_bytes: 0,
        };
        DocHeader {
            old: Some(side(old)),
            new: Some(side(new)),
            status: DocStatus::Changed,
        }
    }

    pub(crate) fn old_name(&self) -> &'h str {
        self.old.map_or("/dev/null", |s| s.path)
    }

    pub(crate) fn new_name(&self) -> &'h str {
        self.new.map_or("/dev/null", |s| s.path)
    }
}

/// Counts over a whole run.
#[derive(Clone, Debug, Default)]
pub(crate) struct Totals {
    pub documents: usize,
    pub changed: usize,
    pub added: usize,
    pub removed: usize,
    pub renamed: usize,
    pub unchanged: usize,
    pub insertions: usize,
    pub deletions: usize,
    pub moves: usize,
    pub approximate: usize,
    pub errors: usize,
    pub skipped: usize,
    /// Changes that are encoding damage on one side.
    pub damaged: usize,
}

/// Writes comparisons in one format.
#[derive(Debug)]
pub struct Printer {
    format: Format,
    context: usize,
    color: bool,
    width: usize,
    totals: Totals,
    stat_rows: Vec<stat::Row>,
    /// The page being gathered, in the `html` format.
    page: Option<Box<html::Report>>,
}

impl Printer {
    /// A printer with 3 context lines, no colour, 120 columns.
    pub fn new(format: Format) -> Printer {
        Printer {
            format,
            context: 3,
            color: false,
            width: 120,
            totals: Totals::default(),
            stat_rows: Vec::new(),
            page: (format == Format::Html).then(|| Box::new(html::Report::new(html::Limits::PAGE))),
        }
    }

    /// Lines of context around changes (default 3).
    pub fn context(&mut self, lines: usize) -> &mut Self {
        self.context = lines;
        self
    }

    /// Whether to write ANSI colours (for the `color` and `side-by-side`
    /// formats; default no).
    pub fn color(&mut self, yes: bool) -> &mut Self {
        self.color = yes;
        self
    }

    /// Total width of `side-by-side` output in columns (default 120).
    pub fn width(&mut self, columns: usize) -> &mut Self {
        self.width = columns.max(20);
        self
    }

    /// Starts the output (the JSON `begin` object; nothing otherwise).
    pub fn begin(&mut self, out: &mut dyn Write, begin: &Begin<'_>) -> io::Result<()> {
        if let Some(page) = &mut self.page {
            page.begin(begin);
        }
        match self.format {
            Format::Json => json::begin(out, begin),
            _ => Ok(()),
        }
    }

    /// Writes one document's comparison.
    pub fn document(
        &mut self,
        out: &mut dyn Write,
        header: &DocHeader<'_>,
        comparison: &Comparison<'_>,
    ) -> io::Result<()> {
        self.count(header, comparison);
        if self.format.is_text() {
            // Every text format opens the same way: the rename note, and
            // nothing more for an unchanged document.
            rename_note(out, header, comparison)?;
            if comparison.is_equal() {
                return Ok(());
            }
            damage::notes(
                out,
                comparison,
                self.color && self.format != Format::Unified,
            )?;
        }
        match self.format {
            Format::Unified => unified::document(self, out, header, comparison),
            Format::Color => color::document(self, out, header, comparison),
            Format::Word => word::document(self, out, header, comparison),
            Format::SideBySide => side::document(self, out, header, comparison),
            Format::Stat => {
                self.stat_rows.push(stat::row(header, comparison));
                Ok(())
            }
            Format::Json => json::document(out, header, comparison),
            Format::Html => {
                if let Some(page) = &mut self.page {
                    page.document(header, comparison, self.context);
                }
                Ok(())
            }
        }
    }

    /// Reports an input that could not be compared (JSON and HTML only;
    /// other formats leave errors to standard error).
    pub fn error(&mut self, out: &mut dyn Write, path: &str, message: &str) -> io::Result<()> {
        self.totals.errors += 1;
        if let Some(page) = &mut self.page {
            page.error(path, message);
        }
        match self.format {
            Format::Json => json::error(out, path, message),
            _ => Ok(()),
        }
    }

    /// Counts binary files skipped in a folder walk.
    pub fn skipped(&mut self, count: usize) {
        self.totals.skipped += count;
    }

    /// Ends the output: the `stat` table, the JSON summary, the HTML page.
    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            Format::Stat => stat::table(out, &self.stat_rows, &self.totals),
            Format::Json => json::summary(out, &self.totals),
            Format::Html => match &mut self.page {
                Some(page) => page.finish(out, &self.totals),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn count(&mut self, header: &DocHeader<'_>, comparison: &Comparison<'_>) {
        let t = &mut self.totals;
        t.documents += 1;
        match header.status {
            DocStatus::Unchanged => t.unchanged += 1,
            DocStatus::Changed => t.changed += 1,
            DocStatus::Added => t.added += 1,
            DocStatus::Removed => t.removed += 1,
            DocStatus::Renamed => t.renamed += 1,
        }
        for op in comparison.ops().iter().filter(|op| op.tag != Tag::Equal) {
            t.insertions += op.new.len();
            t.deletions += op.old.len();
        }
        t.moves += comparison.moves().len();
        t.damaged += crate::diff::DamageCount::of(comparison).total();
        t.approximate += usize::from(comparison.is_approximate());
    }
}

/// `# renamed OLD => NEW (87% similar)` for a document paired under another
/// path, printed before its diff (alone when the text did not change).
fn rename_note(
    out: &mut dyn Write,
    header: &DocHeader<'_>,
    comparison: &Comparison<'_>,
) -> io::Result<()> {
    if header.status != DocStatus::Renamed {
        return Ok(());
    }
    let percent = (comparison.similarity() * 100.0).round();
    writeln!(
        out,
        "# renamed {} => {} ({percent}% similar)",
        header.old_name(),
        header.new_name()
    )
}

/// Writes `n` spaces. (A `{:n$}` format width panics past `u16::MAX`.)
pub(crate) fn pad(out: &mut dyn Write, mut n: usize) -> io::Result<()> {
    const SPACES: &[u8; 64] = &[b' '; 64];
    while n > 0 {
        let chunk = n.min(SPACES.len());
        out.write_all(&SPACES[..chunk])?;
        n -= chunk;
    }
    Ok(())
}

/// The note printed when a diff is approximate.
pub(crate) const APPROXIMATE: &str =
    "approximate diff: the deadline passed, so it is correct but may be larger than needed";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffOptions, Granularity};

    const PIECES: [&str; 7] = [
        "A sentence that comes back again and again in this text. ",
        "Another one, a little different from the first. ",
        "Short.\n",
        "\n",
        "中文句子在这里重复出现。",
        "Gamma delta epsilon zeta. ",
        "moved block of text with enough letters to count\n",
    ];

    proptest::proptest! {
        #[test]
        fn every_format_writes_any_comparison(
            old in proptest::collection::vec(0..PIECES.len(), 0..80),
            new in proptest::collection::vec(0..PIECES.len(), 0..80),
            granularity in proptest::sample::select(vec![
                Granularity::Auto, Granularity::Line, Granularity::Word, Granularity::Char,
            ]),
        ) {
            let old: String = old.iter().map(|&i| PIECES[i]).collect();
            let new: String = new.iter().map(|&i| PIECES[i]).collect();
            let mut options = DiffOptions::new();
            options.granularity(granularity).deadline(None);
            let comparison = Comparison::new(&old, &new, &options);
            for format in [
                Format::Unified, Format::Color, Format::Word,
                Format::SideBySide, Format::Stat, Format::Json, Format::Html,
            ] {
                let mut printer = Printer::new(format);
                printer.color(format == Format::Color).width(20);
                let mut out = Vec::new();
                printer
                    .document(&mut out, &DocHeader::files("old", "new"), &comparison)
                    .and_then(|()| printer.finish(&mut out))
                    .expect("written to memory");
            }
        }
    }
}
