//! Printers: one per format, each a [`Sink`](crate::Sink) writing to any
//! `io::Write`.
//!
//! - [`JsonPrinter`]: JSON Lines, the stable machine-readable report (schema 1,
//!   documented in the README).
//! - [`HumanPrinter`]: per document its encoding and duplicate ratio, each
//!   block as line ranges with a short preview; colour on request.
//! - [`HtmlPrinter`]: one self-contained HTML page (figures, charts, each
//!   document's blocks with inline diffs, clusters side by side).

mod html;
mod human;
pub mod inline;
mod json;

pub(crate) use html::{diff_box, text_box};
pub use html::{HtmlPrinter, TEXT_CHARS};
pub use human::{HumanPrinter, DEFAULT_MAX_DOCUMENTS};
pub use json::JsonPrinter;

use crate::document::LineRange;
use crate::pipeline::CorpusReport;
use std::collections::BTreeMap;

/// Rounds a ratio to four decimals for printing.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Repeated segments grouped by their first occurrence: each group lists the
/// first occurrence, then every repeat, in document order.
/// `n` with its thousands grouped: `77,394`. Every report that shows a
/// count to a person writes it so.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (at, c) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn segment_clusters(report: &CorpusReport) -> Vec<Vec<(u32, LineRange)>> {
    let mut groups: BTreeMap<(u32, u32), Vec<(u32, LineRange)>> = BTreeMap::new();
    for repeat in &report.repeated {
        groups
            .entry((repeat.first_doc, repeat.first_segment))
            .or_insert_with(|| vec![(repeat.first_doc, repeat.first_lines)])
            .push((repeat.doc, repeat.lines));
    }
    groups.into_values().collect()
}

/// Each copy of a passage as a document and its lines.
pub(crate) fn passage_places(
    report: &CorpusReport,
    passage: &crate::detect::passages::Passage,
) -> Vec<(u32, LineRange)> {
    passage
        .copies
        .iter()
        .filter_map(|copy| {
            let lines = report.segment_lines.get(copy.doc as usize)?;
            let (first, last) = (
                lines.get(copy.segments.start)?,
                lines.get(copy.segments.end.checked_sub(1)?)?,
            );
            Some((copy.doc, LineRange::new(first.first, last.last)))
        })
        .collect()
}

#[cfg(test)]
mod thousands_tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(77_394), "77,394");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
