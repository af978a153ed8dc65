//! The `html` format: one self-contained page for a diff of two files or
//! two folders, written when the run ends (its header counts the whole
//! run).
//!
//! The page opens with both labels and the figures (lines added and
//! removed, moved blocks, similarity; for folders the files changed, added,
//! removed, renamed and unchanged, and a list of them linking to their
//! sections). Each changed document follows in two views, side by side and
//! inline ([`html_views`](super::html_views)); without script both are
//! readable (the inline one in a `<details>`), with it a toolbar switches
//! views, jumps to the next change and hides unchanged lines.
//!
//! What a page shows is capped ([`Limits`]): the documents with a section,
//! the rows of the list, the rows and text of all views, the bytes of one
//! line. Whatever is left out is said where it is left out, and the figures
//! always count everything. Every byte of document text and of a path goes
//! through [`crate::html::escape_into`].

use std::fmt::Write as _;
use std::io::{self, Write};

use super::html_assets::{FILTER, SCRIPT, STYLE, TOOLBAR};
use super::html_views::{write_views, Budget, LeftOut};
use super::{Begin, DocHeader, Totals};
use crate::diff::compare::Tag;
use crate::diff::comparison::Comparison;
use crate::diff::folders::DocStatus;
use crate::html::{escape, escape_into, Page};
use crate::report::thousands;

/// How much one page shows at most.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Documents shown with their changes.
    pub sections: usize,
    /// Rows of the list of files.
    pub list: usize,
    /// Side-by-side rows over all documents.
    pub rows: usize,
    /// Bytes of document text over all documents, per view.
    pub text: usize,
    /// Bytes of one line before it is cut to windows around its changes.
    pub line: usize,
}

impl Limits {
    /// What a browser opens without trouble.
    pub const PAGE: Limits = Limits {
        sections: 500,
        list: 20_000,
        rows: 25_000,
        text: 6 << 20,
        line: 16 << 10,
    };
}

/// One row of the list of files.
#[derive(Debug)]
struct Listed {
    status: DocStatus,
    old: Option<String>,
    new: Option<String>,
    insertions: usize,
    deletions: usize,
    moves: usize,
    similarity: f64,
    /// The number of its section, when it has one.
    section: Option<usize>,
}

/// The page being gathered: the list, the sections, the errors.
#[derive(Debug)]
pub(crate) struct Report {
    old: String,
    new: String,
    by: &'static str,
    limits: Limits,
    budget: Budget,
    listed: Vec<Listed>,
    unlisted: usize,
    /// Each shown document's number, title, notes and views.
    sections: Vec<Section>,
    /// Changed documents with no section.
    unshown: usize,
    errors: Vec<(String, String)>,
}

impl Report {
    /// An empty page under `limits`.
    pub(crate) fn new(limits: Limits) -> Report {
        Report {
            old: String::new(),
            new: String::new(),
            by: "auto",
            limits,
            budget: Budget {
                rows: limits.rows,
                text: limits.text,
                line: limits.line,
            },
            listed: Vec::new(),
            unlisted: 0,
            sections: Vec::new(),
            unshown: 0,
            errors: Vec::new(),
        }
    }

    /// Takes the run's labels and granularity.
    pub(crate) fn begin(&mut self, begin: &Begin<'_>) {
        self.old = begin.old.to_owned();
        self.new = begin.new.to_owned();
        self.by = begin.options.granularity.as_str();
    }

    /// Adds one document: a row of the list and, while the page has room,
    /// a section with its changes.
    pub(crate) fn document(&mut self, header: &DocHeader<'_>, c: &Comparison<'_>, context: usize) {
        if header.status == DocStatus::Unchanged {
            return;
        }
        let changed = c.ops().iter().filter(|op| op.tag != Tag::Equal);
        let mut listed = Listed {
            status: header.status,
            old: header.old.map(|s| s.path.to_owned()),
            new: header.new.map(|s| s.path.to_owned()),
            insertions: changed.clone().map(|op| op.new.len()).sum(),
            deletions: changed.map(|op| op.old.len()).sum(),
            moves: c.moves().len(),
            similarity: c.similarity(),
            section: None,
        };
        let number = self.listed.len() + self.unlisted + 1;
        if !c.is_equal() {
            let mut views = String::new();
            let left = if self.sections.len() < self.limits.sections {
                write_views(&mut views, number, c, context, &mut self.budget)
            } else {
                LeftOut::default()
            };
            if left.shown > 0 {
                let roots = (self.old.as_str(), self.new.as_str());
                let (title, notes) = section_head(number, &listed, roots, c, left);
                // A page of one pair names it in its header; a section
                // says its own names when they are others.
                let named = listed.old.as_ref().is_none_or(|p| *p == self.old)
                    && listed.new.as_ref().is_none_or(|p| *p == self.new);
                self.sections.push(Section {
                    number,
                    title,
                    named,
                    notes,
                    views,
                });
                listed.section = Some(number);
            } else {
                self.unshown += 1;
            }
        }
        if self.listed.len() < self.limits.list {
            self.listed.push(listed);
        } else {
            self.unlisted += 1;
        }
    }

    /// Notes an input that could not be compared.
    pub(crate) fn error(&mut self, path: &str, message: &str) {
        self.errors.push((path.to_owned(), message.to_owned()));
    }

    /// Writes the page.
    pub(crate) fn finish(&mut self, out: &mut dyn Write, totals: &Totals) -> io::Result<()> {
        let title = format!("diff {} \u{2192} {}", self.old, self.new);
        let mut page = Page::new(&title);
        page.style(STYLE).script(SCRIPT);
        // A list of files unless the run compared one pair (or could not
        // read it).
        let folder = totals.documents > 1 || (totals.documents == 0 && totals.errors == 0);
        let body = page.body();
        self.write_header(body, totals, folder);
        self.write_errors(body);
        if folder {
            self.write_list(body, totals);
        }
        for section in &self.sections {
            let _ = write!(body, "<section class=\"doc\" id=\"d{}\">", section.number);
            if folder || !section.named {
                body.push_str(&section.title);
            }
            body.push_str(&section.notes);
            body.push_str(&section.views);
            body.push_str("</section>\n");
        }
        out.write_all(page.finish().as_bytes())
    }

    fn write_header(&self, body: &mut String, totals: &Totals, folder: bool) {
        body.push_str("<header><h1><span class=\"old\">");
        escape_into(body, &self.old);
        body.push_str("</span> \u{2192} <span class=\"new\">");
        escape_into(body, &self.new);
        body.push_str("</span></h1>\n<ul class=\"figures\">");
        let figure = |body: &mut String, name: &str, value: String, words: &str| {
            let _ = write!(
                body,
                "<li data-figure=\"{name}\"><b>{value}</b>{words}</li>"
            );
        };
        if folder {
            for (name, n, words) in [
                ("changed", totals.changed, "files changed"),
                ("added", totals.added, "files added"),
                ("removed", totals.removed, "files removed"),
                ("renamed", totals.renamed, "files renamed"),
                ("unchanged", totals.unchanged, "files unchanged"),
            ] {
                figure(body, name, thousands(n), words);
            }
        }
        figure(
            body,
            "insertions",
            thousands(totals.insertions),
            "lines added",
        );
        figure(
            body,
            "deletions",
            thousands(totals.deletions),
            "lines removed",
        );
        figure(body, "moves", thousands(totals.moves), "moved blocks");
        if !folder {
            let similarity = self.listed.first().map_or(1.0, |l| l.similarity);
            figure(body, "similarity", percent(similarity), "similar");
        }
        if totals.errors > 0 || totals.skipped > 0 {
            figure(
                body,
                "errors",
                thousands(totals.errors),
                "could not be read",
            );
            figure(
                body,
                "skipped",
                thousands(totals.skipped),
                "binary files skipped",
            );
        }
        let _ = write!(
            body,
            "</ul>\n<p class=\"muted\">Changes inside lines marked by {} (<code>--by {}</code>); \
             moved blocks in blue, linked to where they went. doppel {}.</p>\n",
            match self.by {
                "line" => "line only",
                "word" => "word",
                "char" => "character",
                _ => "word, or character in Chinese, Japanese and Korean",
            },
            self.by,
            env!("CARGO_PKG_VERSION")
        );
        if totals.errors == 0 && totals.documents == totals.unchanged {
            body.push_str("<p class=\"note\" id=\"same\">No differences.</p>\n");
        }
        if totals.approximate > 0 {
            body.push_str(
                "<p class=\"note\">Some diffs are approximate: the deadline passed, so they are \
                 correct but may be larger than needed.</p>\n",
            );
        }
        if self.unshown > 0 {
            let _ = writeln!(
                body,
                "<p class=\"note\" id=\"unshown\">{} changed files are counted and listed but not \
                 shown: a page shows at most {} files and {} rows of changes \
                 (<code>--format unified</code> prints everything).</p>",
                thousands(self.unshown),
                thousands(self.limits.sections),
                thousands(self.limits.rows)
            );
        }
        body.push_str(TOOLBAR);
        if folder {
            body.push_str(FILTER);
        }
        body.push_str("</div>\n</header>\n");
    }

    fn write_errors(&self, body: &mut String) {
        if self.errors.is_empty() {
            return;
        }
        body.push_str("<section id=\"errors\"><h2>Could not be compared</h2><ul>");
        for (path, message) in &self.errors {
            body.push_str("<li><code>");
            escape_into(body, path);
            body.push_str("</code>: ");
            escape_into(body, message);
            body.push_str("</li>");
        }
        body.push_str("</ul></section>\n");
    }

    fn write_list(&self, body: &mut String, totals: &Totals) {
        let listed = totals.documents - totals.unchanged;
        let _ = write!(
            body,
            "<section id=\"files\"><h2>Files ({} differ, {} unchanged)</h2>\n\
             <table class=\"files\"><colgroup><col class=\"st\"><col><col class=\"num\">\
             <col class=\"num\"><col class=\"num\"></colgroup><thead><tr><th>status</th>\
             <th>file</th><th>added</th><th>removed</th><th>similar</th></tr></thead><tbody>",
            thousands(listed),
            thousands(totals.unchanged)
        );
        for row in &self.listed {
            let status = row.status.as_str();
            let _ = write!(
                body,
                "<tr class=\"{status}\"><td><span class=\"status {status}\">{status}</span></td><td>"
            );
            let name = |body: &mut String, path: &str, root: &str| {
                escape_into(body, relative(path, root));
            };
            match row.section {
                Some(n) => {
                    let _ = write!(body, "<a href=\"#d{n}\">");
                }
                None => body.push_str("<span>"),
            }
            match (&row.old, &row.new) {
                (Some(old), Some(new)) if row.status == DocStatus::Renamed => {
                    name(body, old, &self.old);
                    body.push_str(" \u{2192} ");
                    name(body, new, &self.new);
                }
                (_, Some(new)) => name(body, new, &self.new),
                (Some(old), None) => name(body, old, &self.old),
                (None, None) => {}
            }
            body.push_str(if row.section.is_some() {
                "</a>"
            } else {
                "</span>"
            });
            if row.section.is_none() {
                let why = if row.insertions + row.deletions == 0 {
                    "same text"
                } else {
                    "not shown: page limit"
                };
                let _ = write!(body, " <span class=\"muted\">({why})</span>");
            }
            let _ = write!(
                body,
                "</td><td>+{}</td><td>\u{2212}{}</td><td>{}</td></tr>",
                thousands(row.insertions),
                thousands(row.deletions),
                percent(row.similarity)
            );
        }
        body.push_str("</tbody></table>");
        if self.unlisted > 0 {
            let _ = write!(
                body,
                "<p class=\"note\" id=\"unlisted\">{} more files differ and are counted above \
                 but not listed: a page lists at most {}.</p>",
                thousands(self.unlisted),
                thousands(self.limits.list)
            );
        }
        body.push_str("</section>\n");
    }
}

/// A shown document's part of the page.
#[derive(Debug)]
struct Section {
    number: usize,
    /// Its `<h2>`: status and names.
    title: String,
    /// Its names are those of the run (the page's header shows them).
    named: bool,
    /// Its figures and notes.
    notes: String,
    /// Its two views.
    views: String,
}

/// The head of a document's section: its title (status and names), and
/// its figures and notes.
fn section_head(
    number: usize,
    doc: &Listed,
    (old_root, new_root): (&str, &str),
    c: &Comparison<'_>,
    left: LeftOut,
) -> (String, String) {
    let mut head = String::new();
    let status = doc.status.as_str();
    let _ = write!(head, "<h2><span class=\"status {status}\">{status}</span> ");
    match (&doc.old, &doc.new) {
        (Some(old), Some(new)) if relative(old, old_root) != relative(new, new_root) => {
            escape_into(&mut head, relative(old, old_root));
            head.push_str(" \u{2192} ");
            escape_into(&mut head, relative(new, new_root));
        }
        (_, Some(new)) => escape_into(&mut head, relative(new, new_root)),
        (Some(old), None) => escape_into(&mut head, relative(old, old_root)),
        (None, None) => {}
    }
    head.push_str(" <a class=\"up\" href=\"#files\" title=\"list of files\">\u{2191}</a></h2>");
    let mut notes = String::new();
    let _ = write!(
        notes,
        "<p class=\"docfig\" id=\"d{number}-figures\">+{} \u{2212}{} \u{b7} {} moved blocks \u{b7} {} similar</p>",
        thousands(doc.insertions),
        thousands(doc.deletions),
        thousands(doc.moves),
        percent(doc.similarity)
    );
    if c.is_approximate() {
        notes.push_str(&format!(
            "<p class=\"note\">{}.</p>",
            escape(super::APPROXIMATE)
        ));
    }
    if left.rows > 0 {
        let _ = write!(
            notes,
            "<p class=\"note\">Cut to fit the page: {} of its rows and {} of its changes are \
             not shown.</p>",
            thousands(left.rows),
            thousands(left.changes)
        );
    }
    (head, notes)
}

/// `path` without the `root/` it starts with.
fn relative<'p>(path: &'p str, root: &str) -> &'p str {
    path.strip_prefix(root)
        .and_then(|rest| rest.strip_prefix(std::path::MAIN_SEPARATOR))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(path)
}

fn percent(ratio: f64) -> String {
    format!("{}%", (ratio * 100.0).round())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffOptions, DocHeader, DocSide};

    fn side(path: &str) -> Option<DocSide<'_>> {
        Some(DocSide {
            path,
            encoding: "UTF-8",
            input_bytes: 0,
        })
    }

    fn page(report: &mut Report, totals: &Totals) -> String {
        let mut out = Vec::new();
        report.finish(&mut out, totals).expect("to memory");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn a_folder_page_lists_every_file_and_caps_its_sections() {
        let limits = Limits {
            sections: 2,
            list: 3,
            ..Limits::PAGE
        };
        let mut report = Report::new(limits);
        let options = DiffOptions::new();
        report.begin(&Begin {
            old: "v1",
            new: "v2",
            options: &options,
        });
        let mut totals = Totals::default();
        let paths: Vec<(String, String)> = (0..5)
            .map(|i| (format!("v1/f{i}.txt"), format!("v2/f{i}.txt")))
            .collect();
        for (old, new) in &paths {
            let c = Comparison::new("a\nb\n", "a\nc\n", &options);
            let header = DocHeader {
                old: side(old),
                new: side(new),
                status: DocStatus::Changed,
            };
            report.document(&header, &c, 3);
            totals.documents += 1;
            totals.changed += 1;
        }
        let html = page(&mut report, &totals);
        assert_eq!(html.matches("<section class=\"doc\"").count(), 2);
        assert_eq!(html.matches("<tr class=\"changed\">").count(), 3);
        assert!(html.contains("<a href=\"#d1\">f0.txt</a>"), "{html}");
        assert!(html.contains("f2.txt</span> <span class=\"muted\">(not shown: page limit)"));
        assert!(html.contains("id=\"unshown\">3 changed files"), "{html}");
        assert!(html.contains("id=\"unlisted\">2 more files"), "{html}");
        assert!(html.contains("data-figure=\"changed\"><b>5</b>"), "{html}");
    }

    #[test]
    fn documents_past_the_row_budget_get_no_section_but_are_listed() {
        let limits = Limits {
            rows: 3,
            ..Limits::PAGE
        };
        let mut report = Report::new(limits);
        let options = DiffOptions::new();
        report.begin(&Begin {
            old: "v1",
            new: "v2",
            options: &options,
        });
        let names = ["a", "b", "c"].map(|n| (format!("v1/{n}"), format!("v2/{n}")));
        for (old, new) in &names {
            let c = Comparison::new("one\n", "two\n", &options);
            let c2 = Comparison::new("one\nx\n", "two\ny\n", &options);
            let header = DocHeader {
                old: side(old),
                new: side(new),
                status: DocStatus::Changed,
            };
            report.document(&header, if old.ends_with('b') { &c2 } else { &c }, 0);
        }
        let totals = Totals {
            documents: 3,
            changed: 3,
            ..Totals::default()
        };
        let html = page(&mut report, &totals);
        // a: one row; b: two rows, both shown; c: nothing left.
        assert_eq!(html.matches("<section class=\"doc\"").count(), 2, "{html}");
        assert!(html.contains("<a href=\"#d2\">b</a>"), "{html}");
        assert!(html.contains("c</span> <span class=\"muted\">(not shown: page limit)"));
        assert!(html.contains("id=\"unshown\">1 changed files"), "{html}");
    }

    #[test]
    fn paths_are_escaped_everywhere() {
        let mut report = Report::new(Limits::PAGE);
        let options = DiffOptions::new();
        let evil = "v1/<img src=x onerror=alert(1)>.txt";
        report.begin(&Begin {
            old: "v1",
            new: "v2",
            options: &options,
        });
        let c = Comparison::new("", "x\n", &options);
        let header = DocHeader {
            old: None,
            new: side(evil),
            status: DocStatus::Added,
        };
        report.document(&header, &c, 3);
        report.error("<script>", "</style>");
        let totals = Totals {
            documents: 2,
            added: 1,
            errors: 1,
            ..Totals::default()
        };
        let html = page(&mut report, &totals);
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<script>\"") && html.matches("<script>").count() == 1);
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;.txt"));
    }
}
