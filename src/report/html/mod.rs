//! The HTML report of `scan --format html`: one self-contained page (see
//! [`crate::html`]) with the corpus figures and small charts, each listed
//! document's blocks with every copy's lines and text and the differing
//! segments as inline diffs, and the corpus-wide findings with the members
//! of each cluster side by side.
//!
//! The printer is a [`Sink`]: documents are turned into markup as they come
//! and the page is written at [`Sink::finish`], once the totals are known
//! (they head the page). What a page holds is bounded, so a scan of a very
//! large corpus still gives a page a browser opens: past
//! [`HtmlPrinter::max_documents`] documents are counted, not listed (the
//! charts and figures always count every document); each copy's text is
//! cut at [`TEXT_CHARS`] characters; lists of findings are capped; every cut
//! says what was left out.
//!
//! Submodules: `summary` (the figures and the SVG charts), `documents` (a
//! document's blocks and their diffs), `clusters` (the corpus-wide
//! findings).

mod clusters;
mod documents;
mod summary;

use crate::report::thousands;
use std::io::{self, Write};

use crate::document::Origin;
use crate::html::{escape, escape_into, Page};
use crate::index::{ReportStored, StoredMatch};
use crate::pipeline::{CorpusReport, Findings, Problem, ScannedDoc, Sink, Summary};

pub(crate) use documents::diff_box;
use summary::Tally;

/// Characters of a copy's text shown; the rest is counted.
pub const TEXT_CHARS: usize = 2_000;

/// Characters of each document kept to show it in a cluster.
const MEMBER_CHARS: usize = 400;

/// Bytes of document previews kept for clusters over a whole run; past
/// them later documents are shown in clusters by name only.
const MEMBER_BUDGET: usize = 32 << 20;

/// Bytes of listed documents' markup past which no further document is
/// listed (each listed one is already bounded; this bounds their sum).
const LISTED_BUDGET: usize = 48 << 20;

/// Problems and stored matches named one by one; the rest are counted.
const NAMED: usize = 100;

/// Prints the HTML report.
pub struct HtmlPrinter<W: Write> {
    out: W,
    find: Findings,
    /// Documents listed one by one at most; `None`: all of them.
    max_documents: Option<usize>,
    /// Documents seen, listed or not.
    documents: usize,
    /// Documents listed.
    listed: usize,
    /// Why listing stopped early, when the page grew too large.
    listing_stopped: bool,
    /// The markup of the listed documents.
    document_markup: String,
    /// Every document counted for the charts.
    tally: Tally,
    /// The start of each document's text, by document number, while the
    /// budget lasts.
    previews: Vec<Option<String>>,
    preview_bytes: usize,
    /// The corpus-wide findings' markup.
    corpus_markup: String,
    /// Cluster member counts, for the chart.
    cluster_sizes: Vec<usize>,
    problems: Vec<String>,
    problems_total: usize,
    skipped: Vec<String>,
    skipped_total: usize,
    stored: Vec<String>,
    stored_total: Option<usize>,
}

impl<W: Write> HtmlPrinter<W> {
    /// A printer writing one page to `out` when the scan finishes.
    pub fn new(out: W) -> HtmlPrinter<W> {
        HtmlPrinter {
            out,
            find: Findings::default(),
            max_documents: Some(super::DEFAULT_MAX_DOCUMENTS),
            documents: 0,
            listed: 0,
            listing_stopped: false,
            document_markup: String::new(),
            tally: Tally::default(),
            previews: Vec::new(),
            preview_bytes: 0,
            corpus_markup: String::new(),
            cluster_sizes: Vec::new(),
            problems: Vec::new(),
            problems_total: 0,
            skipped: Vec::new(),
            skipped_total: 0,
            stored: Vec::new(),
            stored_total: None,
        }
    }

    /// Lists at most `max` documents one by one (`None`: every one; the
    /// default is [`DEFAULT_MAX_DOCUMENTS`](super::DEFAULT_MAX_DOCUMENTS));
    /// the rest are counted in the figures and charts.
    pub fn max_documents(&mut self, max: Option<usize>) -> &mut Self {
        self.max_documents = max;
        self
    }

    /// What the scan looks for: duplicate shares are shown only when
    /// blocks are.
    pub fn find(&mut self, find: Findings) -> &mut Self {
        self.find = find;
        self
    }

    /// Keeps the start of a document's text, to show it in a cluster.
    fn keep_preview(&mut self, doc: &ScannedDoc) {
        let kept = (self.preview_bytes < MEMBER_BUDGET).then(|| {
            let text = doc.document.text();
            let end = text
                .char_indices()
                .nth(MEMBER_CHARS)
                .map_or(text.len(), |(at, _)| at);
            text[..end].to_owned()
        });
        self.preview_bytes += kept.as_ref().map_or(0, String::len);
        self.previews.push(kept);
    }

    /// The note under the document list: what was not listed, and why.
    fn unlisted_note(&self, out: &mut String) {
        let unlisted = self.documents - self.listed;
        if unlisted == 0 {
            return;
        }
        let why = if self.listing_stopped {
            "the page reached its size limit".to_owned()
        } else {
            format!("only the first {} are listed", self.listed)
        };
        out.push_str(&format!(
            "<p class=\"note\" id=\"unlisted\" data-unlisted=\"{unlisted}\">{} more documents are not listed ({why}); \
             they are counted in the figures and charts above. <code>--max-documents 0</code> lists every one; \
             <code>--format json</code> reports every one.</p>\n",
            thousands(unlisted)
        ));
    }

    /// Files that could not be used, skipped, or found in an index.
    fn side_lists(&self, out: &mut String) {
        named_list(
            out,
            "problems",
            "Inputs that could not be used",
            &self.problems,
            self.problems_total,
        );
        named_list(
            out,
            "skipped",
            "Files skipped",
            &self.skipped,
            self.skipped_total,
        );
        if let Some(total) = self.stored_total {
            named_list(
                out,
                "stored",
                "Documents already stored in the index",
                &self.stored,
                total,
            );
        }
    }

    /// The whole page.
    fn page(&self, summary: &Summary) -> String {
        let mut page = Page::new("doppel scan");
        page.style(STYLE);
        let body = page.body();
        body.push_str("<h1>doppel scan</h1>\n");
        page.document_toolbar(
            "Next finding",
            "#corpus .finding, .doc:not(.hidden) .finding",
        );
        let body = page.body();
        summary::figures(body, summary, self.find, self.stored_total);
        summary::charts(body, &self.tally, &self.cluster_sizes, self.find);
        self.side_lists(body);
        body.push_str(&self.corpus_markup);
        body.push_str(&format!(
            "<h2 id=\"documents\">Documents <span class=\"muted\">{} listed of {}</span></h2>\n",
            thousands(self.listed),
            thousands(self.documents)
        ));
        body.push_str("<div id=\"document-list\">\n");
        body.push_str(&self.document_markup);
        body.push_str("</div>\n");
        self.unlisted_note(body);
        page.finish()
    }
}

/// A list of names, the first [`NAMED`] of `total`.
fn named_list(out: &mut String, id: &str, title: &str, names: &[String], total: usize) {
    if total == 0 {
        return;
    }
    out.push_str(&format!(
        "<details class=\"side\" id=\"{id}\" open><summary>{title} <span class=\"muted\">{}</span></summary><ul>\n",
        thousands(total)
    ));
    for name in names {
        out.push_str("<li>");
        out.push_str(name);
        out.push_str("</li>\n");
    }
    if total > names.len() {
        out.push_str(&format!(
            "<li class=\"muted\">… and {} more</li>\n",
            thousands(total - names.len())
        ));
    }
    out.push_str("</ul></details>\n");
}

/// The start of `text`, at most `max` characters, escaped, in a
/// `<pre class="text">`, and a note of how much was left out.
pub(crate) fn text_box(out: &mut String, text: &str, max: usize) {
    let end = text
        .char_indices()
        .nth(max)
        .map_or(text.len(), |(at, _)| at);
    out.push_str("<pre class=\"text\">");
    escape_into(out, &text[..end]);
    out.push_str("</pre>");
    if end < text.len() {
        let rest = text[end..].chars().count();
        out.push_str(&format!(
            "<p class=\"cut muted\">… {} more characters not shown</p>",
            thousands(rest)
        ));
    }
}

impl<W: Write> Sink for HtmlPrinter<W> {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        let number = self.documents;
        self.documents += 1;
        self.tally.add(doc);
        self.keep_preview(doc);
        let wanted = self.max_documents.is_none_or(|max| number < max);
        if !wanted || self.listing_stopped {
            return Ok(());
        }
        if self.document_markup.len() > LISTED_BUDGET {
            self.listing_stopped = true;
            return Ok(());
        }
        documents::document(&mut self.document_markup, number, doc, self.find);
        self.listed += 1;
        Ok(())
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.problems_total += 1;
        if self.problems.len() < NAMED {
            self.problems.push(escape(&problem.to_string()));
        }
        Ok(())
    }

    fn skipped(&mut self, origin: &Origin, reason: &str) -> io::Result<()> {
        self.skipped_total += 1;
        if self.skipped.len() < NAMED {
            self.skipped.push(escape(&format!("{origin} ({reason})")));
        }
        Ok(())
    }

    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.cluster_sizes = report.clusters.iter().map(|c| c.members.len()).collect();
        clusters::corpus(&mut self.corpus_markup, &report, &self.previews);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let page = self.page(summary);
        self.out.write_all(page.as_bytes())?;
        self.out.flush()
    }
}

impl<W: Write> ReportStored for HtmlPrinter<W> {
    fn stored(&mut self, origin: &Origin, found: &StoredMatch) -> io::Result<()> {
        if self.stored.len() < NAMED {
            let kind = if found.exact {
                "exact".to_owned()
            } else {
                format!("near {:.2}", found.similarity)
            };
            self.stored.push(format!(
                "{} <span class=\"muted\">{kind} of</span> {}",
                escape(&origin.to_string()),
                escape(&found.stored.to_string())
            ));
        }
        Ok(())
    }

    fn stored_total(&mut self, total: usize) {
        self.stored_total = Some(total);
    }
}

/// The scan page's own rules.
const STYLE: &str = r#"
.doc { border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0; padding: .3rem .6rem; }
.doc > summary { font-weight: 600; }
.doc > summary .muted { font-weight: 400; }
.block { margin: .6rem 0 .6rem .6rem; }
.copies { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: .5rem; }
.copy, .member { border: 1px solid var(--line); border-radius: 3px; padding: .3rem .45rem; min-width: 0; overflow: hidden; }
.copy .text, .member .text { max-height: 16rem; overflow: auto; }
.pair { margin: .3rem 0; border-left: 3px solid var(--del-strong); padding-left: .5rem; }
.pair .text { max-height: 20rem; overflow: auto; }
.members { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: .5rem; }
.cluster { margin: .6rem 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.chart { flex: 1 1 26rem; max-width: 44rem; }
.chart svg { width: 100%; height: auto; }
.chart text { font: 11px system-ui, sans-serif; fill: #333; }
.chart rect.col { fill: var(--accent); }
.skip { color: var(--muted); }
.side ul { margin: .3rem 0; }
"#;
