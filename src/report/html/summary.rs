//! The head of the scan page: the run's figures (the JSON summary's, each
//! with its exact value in `data-value`) and two small inline SVG charts,
//! the duplicate share per document and the sizes of duplicate-document
//! clusters. Both count every document and cluster, listed or not.

use crate::html::escape;
use crate::pipeline::{Findings, ScannedDoc, Summary};
use crate::report::thousands;

/// Documents with the most duplicate bytes drawn one bar each.
const TOP_BARS: usize = 25;

/// What the charts need of every document.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// Documents by duplicate share: none, then (0–10%], (10–20%], … (90–100%].
    shares: [usize; 11],
    /// The documents with the most duplicate bytes: (bytes, share, name),
    /// most first, at most [`TOP_BARS`].
    top: Vec<(usize, f64, String)>,
}

impl Tally {
    /// Counts one document.
    pub(super) fn add(&mut self, doc: &ScannedDoc) {
        let bytes = doc.duplicate_bytes();
        let share = doc.duplicate_ratio();
        let bucket = if bytes == 0 {
            0
        } else {
            ((share * 10.0).ceil() as usize).clamp(1, 10)
        };
        self.shares[bucket] += 1;
        if bytes == 0 {
            return;
        }
        let at = self.top.partition_point(|(kept, ..)| *kept >= bytes);
        if at < TOP_BARS {
            self.top
                .insert(at, (bytes, share, doc.document.origin.to_string()));
            self.top.truncate(TOP_BARS);
        }
    }
}

/// The run's figures, as the JSON summary line gives them.
pub(super) fn figures(out: &mut String, summary: &Summary, find: Findings, stored: Option<usize>) {
    let share = if summary.bytes == 0 {
        0.0
    } else {
        summary.duplicate_bytes as f64 / summary.bytes as f64 * 100.0
    };
    let mut items: Vec<(&str, usize, String)> = vec![
        ("documents", summary.documents, "documents".to_owned()),
        ("input_bytes", summary.input_bytes, "bytes read".to_owned()),
        ("bytes", summary.bytes, "bytes of text".to_owned()),
    ];
    if find.blocks {
        items.push((
            "duplicate_bytes",
            summary.duplicate_bytes,
            format!("duplicate bytes ({share:.1}%)"),
        ));
        items.push(("blocks", summary.blocks, "blocks".to_owned()));
    }
    items.push(("clusters", summary.clusters, "clusters".to_owned()));
    items.push((
        "duplicate_documents",
        summary.duplicate_documents,
        "duplicate documents".to_owned(),
    ));
    items.push((
        "repeated_segments",
        summary.repeated_segments,
        "repeated segments".to_owned(),
    ));
    items.push((
        "boilerplate",
        summary.boilerplate,
        "boilerplate lines".to_owned(),
    ));
    items.push(("errors", summary.errors, "errors".to_owned()));
    items.push(("skipped", summary.skipped, "skipped".to_owned()));
    if let Some(stored) = stored {
        items.push(("stored_documents", stored, "already stored".to_owned()));
    }
    out.push_str("<h2 id=\"summary\">Summary</h2>\n<ul class=\"figures\" id=\"figures\">\n");
    for (name, value, label) in items {
        out.push_str(&format!(
            "<li data-figure=\"{name}\" data-value=\"{value}\"><b>{}</b>{label}</li>\n",
            thousands(value)
        ));
    }
    out.push_str("</ul>\n");
}

/// The two charts, when there is something to draw.
pub(super) fn charts(out: &mut String, tally: &Tally, cluster_sizes: &[usize], find: Findings) {
    let documents: usize = tally.shares.iter().sum();
    let draw_shares = find.blocks && documents > 0;
    if !draw_shares && cluster_sizes.is_empty() {
        return;
    }
    out.push_str("<div class=\"charts\">\n");
    if draw_shares {
        out.push_str("<figure class=\"chart\" id=\"chart-shares\"><figcaption>Documents by duplicate share</figcaption>\n");
        let labels = [
            "0", "≤10%", "≤20%", "≤30%", "≤40%", "≤50%", "≤60%", "≤70%", "≤80%", "≤90%", "≤100%",
        ];
        let bars: Vec<(String, usize)> = labels
            .iter()
            .zip(tally.shares)
            .map(|(label, n)| (label.to_string(), n))
            .collect();
        columns(out, &bars, "documents");
        out.push_str("</figure>\n");
        if !tally.top.is_empty() {
            out.push_str(&format!(
                "<figure class=\"chart\" id=\"chart-top\"><figcaption>Duplicate share of the {} documents with the most duplicate bytes</figcaption>\n",
                tally.top.len()
            ));
            share_bars(out, &tally.top);
            out.push_str("</figure>\n");
        }
    }
    if !cluster_sizes.is_empty() {
        out.push_str("<figure class=\"chart\" id=\"chart-clusters\"><figcaption>Duplicate-document clusters by size (members)</figcaption>\n");
        let bounds: [(usize, usize, &str); 7] = [
            (2, 2, "2"),
            (3, 3, "3"),
            (4, 4, "4"),
            (5, 9, "5–9"),
            (10, 99, "10–99"),
            (100, 999, "100–999"),
            (1000, usize::MAX, "1000+"),
        ];
        let bars: Vec<(String, usize)> = bounds
            .iter()
            .map(|&(low, high, label)| {
                let n = cluster_sizes
                    .iter()
                    .filter(|&&s| s >= low && s <= high)
                    .count();
                (label.to_owned(), n)
            })
            .collect();
        columns(out, &bars, "clusters");
        out.push_str("</figure>\n");
    }
    out.push_str("</div>\n");
}

/// A column chart: one labelled column per bucket, its count above it.
fn columns(out: &mut String, bars: &[(String, usize)], unit: &str) {
    let (width, height, base) = (440.0, 150.0, 125.0);
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let step = width / bars.len().max(1) as f64;
    out.push_str(&format!(
        "<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{unit}\">"
    ));
    for (at, (label, n)) in bars.iter().enumerate() {
        let x = at as f64 * step;
        let h = (*n as f64 / max) * (base - 18.0);
        out.push_str(&format!(
            "<g data-count=\"{n}\"><title>{}: {} {unit}</title>\
             <rect class=\"col\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\"></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            escape(label),
            thousands(*n),
            x + 3.0,
            base - h,
            step - 6.0,
            x + step / 2.0,
            base - h - 3.0,
            thousands(*n),
            x + step / 2.0,
            base + 14.0,
            escape(label),
        ));
    }
    out.push_str("</svg>\n");
}

/// One horizontal bar per document: its duplicate share, named.
fn share_bars(out: &mut String, top: &[(usize, f64, String)]) {
    let (width, row) = (440.0, 16.0);
    let height = row * top.len() as f64 + 4.0;
    out.push_str(&format!(
        "<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"duplicate share\">"
    ));
    for (at, (bytes, share, name)) in top.iter().enumerate() {
        let y = at as f64 * row + 2.0;
        let label: String = name
            .chars()
            .rev()
            .take(34)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let cut = if label.len() < name.len() { "…" } else { "" };
        out.push_str(&format!(
            "<g><title>{}: {} duplicate bytes ({:.1}%)</title>\
             <text x=\"0\" y=\"{:.1}\">{cut}{}</text>\
             <rect class=\"col\" x=\"210\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\">{:.1}%</text></g>",
            escape(name),
            thousands(*bytes),
            share * 100.0,
            y + 11.0,
            escape(&label),
            y + 2.0,
            share * 190.0,
            row - 5.0,
            214.0 + share * 190.0,
            y + 11.0,
            share * 100.0,
        ));
    }
    out.push_str("</svg>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_carry_their_exact_values() {
        let summary = Summary {
            documents: 1234,
            bytes: 10,
            duplicate_bytes: 5,
            ..Summary::default()
        };
        let mut out = String::new();
        figures(&mut out, &summary, Findings::default(), None);
        assert!(out.contains("data-figure=\"documents\" data-value=\"1234\"><b>1,234</b>"));
        assert!(out.contains("duplicate bytes (50.0%)"));
        assert!(!out.contains("stored_documents"));
    }

    #[test]
    fn chart_labels_are_escaped() {
        let tally = Tally {
            shares: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            top: vec![(3, 0.05, "<script>x</script>".to_owned())],
        };
        let mut out = String::new();
        charts(&mut out, &tally, &[2, 2, 5], Findings::default());
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(
            out.contains("<g data-count=\"2\"><title>2: 2 clusters"),
            "{out}"
        );
    }
}
