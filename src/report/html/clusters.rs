//! The corpus-wide findings of the scan page: duplicate-document clusters
//! with their members side by side (the start of each member's text, as
//! kept while the documents went by), documents contained in longer ones
//! (with `--find contained`), then segments and passages repeated
//! across documents and boilerplate lines, as tables of places.
//!
//! Every list is capped ([`MAX_LISTED`] items, [`SIDE_BY_SIDE`] members
//! shown with their text and [`MAX_NAMED`] more by name); each cut says how
//! many were left out, and each cluster carries its full member count in
//! `data-members`.

use std::fmt::Write as _;

use super::text_box;
use crate::document::LineRange;
use crate::html::{escape, escape_attribute, escape_into};
use crate::pipeline::CorpusReport;
use crate::report::thousands;
use crate::report::{passage_places, segment_clusters};

/// Items of each kind listed; the rest are counted.
const MAX_LISTED: usize = 200;

/// Members of a cluster shown side by side with their text.
const SIDE_BY_SIDE: usize = 4;

/// Members or places named after those, before the rest are counted.
const MAX_NAMED: usize = 50;

/// Characters of a boilerplate line shown.
const LINE_CHARS: usize = 300;

/// Appends the corpus-wide findings; `previews` holds the start of each
/// document's text by number, where it was kept.
pub(super) fn corpus(out: &mut String, report: &CorpusReport, previews: &[Option<String>]) {
    out.push_str("<div id=\"corpus\">\n");
    document_clusters(out, report, previews);
    contained(out, report);
    places_table(
        out,
        "segments",
        "Segments repeated across documents",
        segment_clusters(report)
            .into_iter()
            .map(|places| (String::new(), places))
            .collect(),
        report,
    );
    places_table(
        out,
        "passages",
        "Passages repeated across documents",
        report
            .passages
            .iter()
            .map(|p| {
                let kind = if p.exact {
                    "exact".to_owned()
                } else {
                    format!("near {:.2}", p.similarity)
                };
                (kind, passage_places(report, p))
            })
            .collect(),
        report,
    );
    boilerplate(out, report);
    out.push_str("</div>\n");
}

fn document_clusters(out: &mut String, report: &CorpusReport, previews: &[Option<String>]) {
    if report.clusters.is_empty() {
        return;
    }
    let members: usize = report.clusters.iter().map(|c| c.members.len()).sum();
    let _ = writeln!(
        out,
        "<h2 id=\"clusters\">Duplicate documents <span class=\"muted\">{} clusters, {} members</span></h2>",
        thousands(report.clusters.len()),
        thousands(members)
    );
    // The largest first; ties in report order.
    let mut order: Vec<usize> = (0..report.clusters.len()).collect();
    order.sort_by_key(|&at| std::cmp::Reverse(report.clusters[at].members.len()));
    for &at in order.iter().take(MAX_LISTED) {
        let cluster = &report.clusters[at];
        let kind = if cluster.exact { "exact" } else { "near" };
        let similarity = if cluster.exact {
            String::new()
        } else {
            format!(" · similarity {:.2}", cluster.similarity)
        };
        let _ = write!(
            out,
            "<details class=\"cluster finding\" id=\"cluster-{}\" data-kind=\"{kind}\" data-members=\"{}\" open>\
             <summary>cluster {} <span class=\"muted\">· {kind} · {} members{similarity}</span></summary>\n<div class=\"members\">\n",
            at + 1,
            cluster.members.len(),
            at + 1,
            cluster.members.len(),
        );
        for (place, &doc) in cluster.members.iter().take(SIDE_BY_SIDE).enumerate() {
            let origin = &report.origins[doc as usize];
            let _ = write!(
                out,
                "<div class=\"member\" data-path=\"{}\"><div class=\"muted\">{} ",
                escape_attribute(&origin.report_path()),
                if place == 0 { "first" } else { "copy" }
            );
            escape_into(out, &origin.to_string());
            out.push_str("</div>");
            match previews.get(doc as usize).and_then(Option::as_ref) {
                Some(text) => text_box(out, text, usize::MAX),
                None => out.push_str(
                    "<p class=\"muted\">(text not kept: the page's preview budget was spent)</p>",
                ),
            }
            out.push_str("</div>\n");
        }
        out.push_str("</div>\n");
        let rest: Vec<String> = cluster
            .members
            .iter()
            .skip(SIDE_BY_SIDE)
            .map(|&doc| report.origins[doc as usize].to_string())
            .collect();
        named(out, &rest, "members");
        out.push_str("</details>\n");
    }
    cut_note(out, report.clusters.len(), "clusters");
}

/// Names after the ones shown, the first [`MAX_NAMED`], then a count.
fn named(out: &mut String, names: &[String], what: &str) {
    if names.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<p class=\"more\">{} more {what}: ",
        thousands(names.len())
    );
    for (at, name) in names.iter().take(MAX_NAMED).enumerate() {
        if at > 0 {
            out.push_str(", ");
        }
        out.push_str("<span class=\"name\">");
        escape_into(out, name);
        out.push_str("</span>");
    }
    if names.len() > MAX_NAMED {
        let _ = write!(out, ", … and {} more", thousands(names.len() - MAX_NAMED));
    }
    out.push_str("</p>\n");
}

fn cut_note(out: &mut String, total: usize, what: &str) {
    if total > MAX_LISTED {
        let _ = writeln!(
            out,
            "<p class=\"note\">Only the first {MAX_LISTED} {what} are shown; {} more are counted in the figures (<code>--format json</code> lists every one).</p>",
            thousands(total - MAX_LISTED)
        );
    }
}

/// A table of findings that are lists of places (`path:lines`).
fn places_table(
    out: &mut String,
    id: &str,
    title: &str,
    rows: Vec<(String, Vec<(u32, LineRange)>)>,
    report: &CorpusReport,
) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2 id=\"{id}\">{title} <span class=\"muted\">{}</span></h2>\n<table class=\"places\"><tbody>",
        thousands(rows.len())
    );
    for (kind, places) in rows.iter().take(MAX_LISTED) {
        let _ = write!(
            out,
            "<tr class=\"finding\" data-places=\"{}\"><td>",
            places.len()
        );
        if !kind.is_empty() {
            let _ = write!(out, "<span class=\"muted\">{}</span> ", escape(kind));
        }
        for (at, (doc, lines)) in places.iter().take(MAX_NAMED).enumerate() {
            if at > 0 {
                out.push_str(", ");
            }
            out.push_str("<span class=\"name\">");
            escape_into(out, &report.origins[*doc as usize].to_string());
            let _ = write!(out, ":{lines}</span>");
        }
        if places.len() > MAX_NAMED {
            let _ = write!(out, ", … and {} more", thousands(places.len() - MAX_NAMED));
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n");
    cut_note(out, rows.len(), title.to_lowercase().as_str());
}

/// A table of documents contained in longer ones, with their container.
fn contained(out: &mut String, report: &CorpusReport) {
    if report.contained.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2 id=\"contained\">Documents contained in longer ones <span class=\"muted\">{}</span></h2>\n<table class=\"places\"><thead><tr><th style=\"width:9rem\">containment</th><th>document</th><th>container</th></tr></thead><tbody>",
        thousands(report.contained.len())
    );
    for found in report.contained.iter().take(MAX_LISTED) {
        let _ = write!(
            out,
            "<tr class=\"finding\"><td>{:.2}</td><td><span class=\"name\">",
            found.containment
        );
        escape_into(out, &report.origins[found.doc as usize].to_string());
        out.push_str("</span></td><td><span class=\"name\">");
        escape_into(out, &report.origins[found.container as usize].to_string());
        out.push_str("</span></td></tr>\n");
    }
    out.push_str("</tbody></table>\n");
    cut_note(out, report.contained.len(), "contained documents");
}

fn boilerplate(out: &mut String, report: &CorpusReport) {
    if report.boilerplate.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2 id=\"boilerplate\">Boilerplate lines <span class=\"muted\">{}</span></h2>\n<table class=\"places\"><thead><tr><th style=\"width:14rem\">group</th><th style=\"width:9rem\">documents</th><th>line</th></tr></thead><tbody>",
        thousands(report.boilerplate.len())
    );
    for found in report.boilerplate.iter().take(MAX_LISTED) {
        out.push_str("<tr class=\"finding\"><td>");
        escape_into(
            out,
            if found.group.is_empty() {
                "."
            } else {
                &found.group
            },
        );
        let _ = write!(
            out,
            "</td><td>{} of {}</td><td>",
            thousands(found.documents),
            thousands(found.group_documents)
        );
        text_box(out, &found.text, LINE_CHARS);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n");
    cut_note(out, report.boilerplate.len(), "boilerplate lines");
}
