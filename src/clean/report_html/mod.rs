//! The HTML page of `clean --report FILE.html`: what the run removed (or,
//! for a dry run, would remove), grouped by document, each removal with
//! its reason, its lines, the bytes it takes out and the kept text it
//! duplicates (file, record line and id, similarity), and the run's
//! figures with a chart of removals by reason.
//!
//! The removals are the ones `clean --format json` lists ([`Removed`], made
//! by [`Listing`](super::listing::Listing)); the page only shows them.
//! Every name and id goes through [`crate::html::escape`]. A run with
//! millions of removals still gives an openable page: at most
//! [`MAX_DOCUMENTS`] documents and [`MAX_REMOVALS`] removals are listed, and
//! the figures and the chart count every one. With [`RemovalTexts`] (read
//! again from the inputs by [`RemovalTexts::read`]), each listed removal
//! also shows its text beside its kept twin's, and their differences when
//! both are short enough to be shown whole.

mod texts;

pub use texts::{Excerpt, RemovalTexts};

use crate::report::thousands;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::listing::{reason_name, Removed};
use super::plan::Reason;
use super::run::CleanReport;
use crate::html::{escape, escape_attribute, escape_into, Page};
use crate::report::{diff_box, text_box};
use texts::{document_key, DocKey};

/// Documents listed with their removals; the rest are counted.
pub const MAX_DOCUMENTS: usize = 500;

/// Removals listed over the whole page; the rest are counted.
pub const MAX_REMOVALS: usize = 5_000;

/// Removals whose texts are shown open; the later ones open on a click.
const OPEN_TEXTS: usize = 20;

/// What the page says about the run besides its removals.
#[derive(Clone, Debug)]
pub struct RunFacts {
    /// Nothing was written: the removals are what a run would do.
    pub dry_run: bool,
    /// Where the cleaned corpus was written (ignored for a dry run).
    pub out: String,
}

/// The clean report page: `report` is the run's, `removals` every removal
/// it made (in document order, as `clean --format json` lists them),
/// `texts` what was read of the [`listed`] removals' texts.
pub fn page(
    report: &CleanReport,
    removals: &[Removed],
    texts: Option<&RemovalTexts>,
    facts: &RunFacts,
) -> String {
    let title = if facts.dry_run {
        "doppel clean (dry run)"
    } else {
        "doppel clean"
    };
    let mut page = Page::new(title);
    page.style(STYLE);
    let body = page.body();
    let _ = writeln!(body, "<h1>{}</h1>", escape(title));
    if facts.dry_run {
        body.push_str("<p class=\"note\" id=\"mode\">A dry run: nothing was written. These are the removals a run would make.</p>\n");
    } else {
        body.push_str("<p class=\"muted\" id=\"mode\">Cleaned into <code>");
        escape_into(body, &facts.out);
        body.push_str("</code>; <code>doppel restore</code> rebuilds every input from it.</p>\n");
    }
    page.document_toolbar("Next removal", ".doc:not(.hidden) .finding");
    let body = page.body();
    figures(body, report);
    reasons_chart(body, removals);
    listing(body, removals, texts);
    page.finish()
}

/// `1 removal`, `2 removals`.
fn plural(n: usize, what: &str) -> String {
    format!("{} {what}{}", thousands(n), if n == 1 { "" } else { "s" })
}

fn figures(out: &mut String, report: &CleanReport) {
    let summary = &report.manifest;
    let mut items = vec![
        ("documents", report.scan.documents, "documents read"),
        (
            "kept",
            summary.documents.saturating_sub(summary.removed_documents),
            "documents kept",
        ),
        (
            "removed_documents",
            summary.removed_documents,
            "documents removed whole",
        ),
        ("removals", summary.removals, "removals"),
        ("removed_bytes", summary.removed_bytes, "bytes removed"),
    ];
    if report.stored > 0 {
        items.push(("stored", report.stored, "already stored"));
    }
    if summary.repairs > 0 {
        items.push(("repairs", summary.repairs, "mojibake repairs"));
    }
    if summary.damaged_documents > 0 {
        items.push((
            "damaged_documents",
            summary.damaged_documents,
            "damaged documents dropped",
        ));
    }
    items.push(("problems", report.problems.len(), "inputs not used"));
    out.push_str("<h2 id=\"summary\">Summary</h2>\n<ul class=\"figures\" id=\"figures\">\n");
    for (name, value, label) in items {
        let _ = writeln!(
            out,
            "<li data-figure=\"{name}\" data-value=\"{value}\"><b>{}</b>{label}</li>",
            thousands(value)
        );
    }
    out.push_str("</ul>\n");
    if !report.problems.is_empty() {
        let _ = writeln!(
            out,
            "<details class=\"side\" id=\"problems\" open><summary>Inputs not used <span class=\"muted\">{}</span></summary><ul>",
            report.problems.len()
        );
        for problem in report.problems.iter().take(100) {
            out.push_str("<li>");
            escape_into(out, &problem.to_string());
            out.push_str("</li>\n");
        }
        out.push_str("</ul></details>\n");
    }
}

/// Removals and bytes by reason, every removal counted.
fn reasons_chart(out: &mut String, removals: &[Removed]) {
    let mut by_reason: BTreeMap<Reason, (usize, usize)> = BTreeMap::new();
    for removed in removals {
        let entry = by_reason.entry(removed.reason).or_default();
        entry.0 += 1;
        entry.1 += removed.removed_bytes;
    }
    if by_reason.is_empty() {
        return;
    }
    let most = by_reason
        .values()
        .map(|(_, b)| *b)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let row = 20.0;
    let height = row * by_reason.len() as f64 + 4.0;
    let _ = write!(
        out,
        "<figure class=\"chart\" id=\"chart-reasons\"><figcaption>Bytes removed by reason</figcaption>\
         <svg viewBox=\"0 0 560 {height}\" role=\"img\" aria-label=\"bytes removed by reason\">"
    );
    for (at, (reason, (count, bytes))) in by_reason.iter().enumerate() {
        let y = at as f64 * row + 2.0;
        let width = *bytes as f64 / most * 260.0;
        let name = reason_name(*reason);
        let _ = write!(
            out,
            "<g data-reason=\"{name}\" data-count=\"{count}\" data-bytes=\"{bytes}\"><title>{name}: {} removals, {} bytes</title>\
             <text x=\"0\" y=\"{:.1}\">{name}</text>\
             <rect class=\"col\" x=\"150\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\"></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\">{} bytes · {} removals</text></g>",
            thousands(*count),
            thousands(*bytes),
            y + 13.0,
            y + 3.0,
            row - 6.0,
            155.0 + width,
            y + 13.0,
            thousands(*bytes),
            thousands(*count),
        );
    }
    out.push_str("</svg></figure>\n");
}

/// Removals grouped by their document, in order.
fn groups(removals: &[Removed]) -> Vec<(DocKey, Vec<&Removed>)> {
    let mut groups: Vec<(DocKey, Vec<&Removed>)> = Vec::new();
    for removed in removals {
        let key = document_key(removed);
        match groups.last_mut() {
            Some((last, list)) if *last == key => list.push(removed),
            _ => groups.push((key, vec![removed])),
        }
    }
    groups
}

/// The removals the page lists: those of the first [`MAX_DOCUMENTS`]
/// documents, at most [`MAX_REMOVALS`] in all.
pub fn listed(removals: &[Removed]) -> Vec<&Removed> {
    groups(removals)
        .into_iter()
        .take(MAX_DOCUMENTS)
        .flat_map(|(_, list)| list)
        .take(MAX_REMOVALS)
        .collect()
}

fn listing(out: &mut String, removals: &[Removed], texts: Option<&RemovalTexts>) {
    let groups = groups(removals);
    let _ = writeln!(
        out,
        "<h2 id=\"documents\">Removals by document <span class=\"muted\">{} documents, {} removals</span></h2>",
        thousands(groups.len()),
        thousands(removals.len())
    );
    if groups.is_empty() {
        out.push_str("<p id=\"nothing\">Nothing to remove.</p>\n");
        return;
    }
    out.push_str("<div id=\"document-list\">\n");
    let (mut documents, mut listed) = (0, 0);
    for ((path, line), list) in &groups {
        if documents == MAX_DOCUMENTS || listed >= MAX_REMOVALS {
            break;
        }
        documents += 1;
        let bytes: usize = list.iter().map(|r| r.removed_bytes).sum();
        let id = list[0].id.as_deref();
        let _ = write!(
            out,
            "<details class=\"doc\" id=\"doc-{documents}\" data-path=\"{}\" data-removals=\"{}\" open><summary><span class=\"path\">",
            escape_attribute(path),
            list.len()
        );
        escape_into(out, path);
        if let Some(line) = line {
            let _ = write!(out, ":{line}");
            if let Some(id) = id.filter(|id| *id != line.to_string()) {
                out.push_str(" id=");
                escape_into(out, id);
            }
        }
        let _ = write!(
            out,
            "</span> <span class=\"muted\">· {} · {} bytes</span></summary>\n\
             <table class=\"removals\"><thead><tr><th class=\"c-reason\">reason</th><th class=\"c-lines\">text lines</th>\
             <th class=\"c-bytes\">bytes removed</th><th>kept twin</th><th class=\"c-similarity\">similarity</th></tr></thead><tbody>\n",
            plural(list.len(), "removal"),
            thousands(bytes)
        );
        let shown = list.len().min(MAX_REMOVALS - listed);
        for (at, removed) in list[..shown].iter().enumerate() {
            row(out, removed);
            if let Some(texts) = texts {
                text_row(out, removed, texts, listed + at < OPEN_TEXTS);
            }
        }
        listed += shown;
        out.push_str("</tbody></table>\n");
        if shown < list.len() {
            out.push_str(
                "<p class=\"note\">The rest of this document's removals are not listed.</p>\n",
            );
        }
        out.push_str("</details>\n");
    }
    out.push_str("</div>\n");
    if listed < removals.len() {
        let _ = writeln!(
            out,
            "<p class=\"note\" id=\"unlisted\" data-unlisted=\"{}\">{} more removals in {} more documents are not listed (the page lists at most {MAX_DOCUMENTS} documents and {MAX_REMOVALS} removals); they are counted in the figures and the chart. <code>clean --format json</code> lists every one.</p>",
            removals.len() - listed,
            thousands(removals.len() - listed),
            thousands(groups.len() - documents),
        );
    }
}

fn row(out: &mut String, removed: &Removed) {
    let reason = reason_name(removed.reason);
    let _ = write!(
        out,
        "<tr class=\"removal finding\" data-reason=\"{reason}\" data-lines=\"{}-{}\" data-bytes=\"{}\">\
         <td><span class=\"reason {reason}\">{reason}</span></td><td>{}–{}</td><td>{}</td><td>",
        removed.lines[0],
        removed.lines[1],
        removed.removed_bytes,
        removed.lines[0],
        removed.lines[1],
        thousands(removed.removed_bytes),
    );
    match &removed.duplicate_of {
        Some(kept) => {
            let same = !kept.stored
                && kept.path == removed.path
                && kept.line == removed.id.as_ref().map(|_| removed.line);
            if same {
                out.push_str("<span class=\"muted\">this document</span>");
            } else {
                out.push_str("<span class=\"twin\">");
                escape_into(out, &kept.human());
                out.push_str("</span>");
            }
            if let Some([start, end]) = kept.bytes {
                let _ = write!(
                    out,
                    " <span class=\"muted\">(bytes {}–{})</span>",
                    thousands(start),
                    thousands(end)
                );
            }
        }
        None => out.push_str("<span class=\"muted\">—</span>"),
    }
    out.push_str("</td><td>");
    if let Some(similarity) = removed.similarity {
        let _ = write!(out, "{similarity:.2}");
    }
    out.push_str("</td></tr>\n");
}

/// Under a removal: its text beside its kept twin's, and their
/// differences when both are whole.
fn text_row(out: &mut String, removed: &Removed, texts: &RemovalTexts, open: bool) {
    let Some(gone) = texts.removed(removed) else {
        return;
    };
    let kept = texts.twin(removed);
    let _ = write!(
        out,
        "<tr class=\"texts\"><td colspan=\"5\"><details{}><summary class=\"muted\">text</summary><div class=\"sides\">",
        if open { " open" } else { "" }
    );
    out.push_str("<div class=\"side removed\"><div class=\"muted\">removed</div>");
    excerpt_box(out, gone);
    out.push_str("</div>");
    if let Some(kept) = kept {
        out.push_str("<div class=\"side kept\"><div class=\"muted\">kept</div>");
        excerpt_box(out, kept);
        out.push_str("</div>");
    }
    out.push_str("</div>");
    // Seams widen a removal by a line end or a space: not a difference.
    let compared = kept
        .and_then(Excerpt::whole_text)
        .zip(gone.whole_text())
        .map(|(kept, gone)| (kept.trim(), gone.trim()))
        .filter(|(kept, gone)| kept != gone);
    if let Some((kept, gone)) = compared {
        out.push_str("<div class=\"muted\">what the removed text changes in the kept one:</div>");
        diff_box(out, kept, gone);
    }
    out.push_str("</details></td></tr>\n");
}

/// An excerpt, escaped, with a note of what was cut.
fn excerpt_box(out: &mut String, excerpt: &Excerpt) {
    text_box(out, &excerpt.text, usize::MAX);
    if !excerpt.is_whole() {
        let _ = write!(
            out,
            "<p class=\"cut muted\">… {} more characters not shown</p>",
            thousands(excerpt.chars - excerpt.text.chars().count())
        );
    }
}

const STYLE: &str = r#"
.doc { border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0; padding: .3rem .6rem; }
.doc > summary { font-weight: 600; }
.doc > summary .muted { font-weight: 400; }
.removals { margin: .4rem 0; }
.removals th.c-reason { width: 11rem; } .removals th.c-lines { width: 8rem; }
.removals th.c-bytes { width: 8rem; } .removals th.c-similarity { width: 6rem; }
.sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: .5rem; margin: .3rem 0; }
.side { border: 1px solid var(--line); border-radius: 3px; padding: .3rem .45rem; min-width: 0; overflow: hidden; }
.side .text { max-height: 14rem; overflow: auto; }
.side.removed { border-left: 3px solid var(--del-strong); }
.side.kept { border-left: 3px solid var(--ins-strong); }
.reason { font-family: ui-monospace, monospace; font-size: 12px; padding: 0 .3rem; border-radius: 3px; background: var(--del); }
.reason.duplicate-document, .reason.contained { background: var(--del-strong); }
.reason.boilerplate { background: #eee; }
.chart { max-width: 44rem; margin: 1rem 0; }
.chart svg { width: 100%; height: auto; }
.chart text { font: 11px system-ui, sans-serif; fill: #333; }
.chart rect.col { fill: var(--accent); }
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::listing::Place;
    use crate::clean::manifest::SummaryLine;

    fn removed(path: &str, id: Option<&str>, line: usize, reason: Reason) -> Removed {
        Removed {
            path: path.to_owned(),
            line,
            id: id.map(str::to_owned),
            reason,
            lines: [line, line + 1],
            bytes: [0, 10],
            removed_bytes: 10,
            duplicate_of: None,
            similarity: None,
        }
    }

    fn report(removals: usize) -> CleanReport {
        CleanReport {
            manifest: SummaryLine {
                documents: 3,
                removed_documents: 1,
                removals,
                removed_bytes: 10 * removals,
                repairs: 0,
                damaged_documents: 0,
            },
            ..CleanReport::default()
        }
    }

    #[test]
    fn removals_are_grouped_by_document_and_named_escaped() {
        let mut twin = removed("<b>.jsonl", Some("x\"y"), 7, Reason::DuplicateDocument);
        twin.duplicate_of = Some(Place {
            path: "<b>.jsonl".to_owned(),
            line: Some(2),
            id: Some("<i>".to_owned()),
            bytes: None,
            stored: false,
        });
        twin.similarity = Some(0.93);
        let removals = vec![
            twin,
            removed("a.txt", None, 3, Reason::BlockCopy),
            removed("a.txt", None, 9, Reason::BlockCopy),
        ];
        let facts = RunFacts {
            dry_run: true,
            out: String::new(),
        };
        let html = page(&report(3), &removals, None, &facts);
        assert_eq!(html.matches("<details class=\"doc\"").count(), 2);
        assert!(html.contains("data-path=\"a.txt\" data-removals=\"2\""));
        assert!(html.contains("&lt;b&gt;.jsonl:7 id=x&quot;y</span>"));
        assert!(html.contains("<span class=\"twin\">&lt;b&gt;.jsonl:2 id=&lt;i&gt;</span>"));
        assert!(html.contains("<td>0.93</td>"));
        assert!(html.contains("A dry run: nothing was written."));
        assert!(html.contains("data-figure=\"kept\" data-value=\"2\""));
        assert!(html.contains("<g data-reason=\"block-copy\" data-count=\"2\" data-bytes=\"20\">"));
        assert!(!html.contains("<b>.jsonl") && !html.contains("<i>"));
    }

    #[test]
    fn a_long_run_is_listed_up_to_the_cap_and_counted() {
        let removals: Vec<Removed> = (0..MAX_REMOVALS + 7)
            .map(|n| removed(&format!("d{}.txt", n / 3), None, n, Reason::BlockCopy))
            .collect();
        let facts = RunFacts {
            dry_run: false,
            out: "out".to_owned(),
        };
        let html = page(&report(removals.len()), &removals, None, &facts);
        assert_eq!(
            html.matches("<tr class=\"removal finding\"").count(),
            MAX_DOCUMENTS * 3
        );
        let unlisted = removals.len() - MAX_DOCUMENTS * 3;
        assert!(
            html.contains(&format!("data-unlisted=\"{unlisted}\"")),
            "cut noted"
        );
        assert!(html.contains(&format!("data-count=\"{}\"", removals.len())));
    }
}
