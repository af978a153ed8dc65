//! Inline suppression: the lines from a `doppel:off` marker to the next
//! `doppel:on` marker (both included) are skipped.
//!
//! The markers may sit in any comment syntax, or none: `<!-- doppel:off -->`,
//! `# doppel:off`, `// doppel:off`, `{/* doppel:off */}`. A marker on a line
//! of its own is best, because a segment (a paragraph) that touches a
//! skipped line is skipped whole. An `off` without an `on` runs to the end of
//! the file.

use crate::document::{LineIndex, LineRange};

const OFF: &str = "doppel:off";
const ON: &str = "doppel:on";

/// The suppressed line ranges of `text`, in order.
pub fn suppressed_lines(text: &str, index: &LineIndex) -> Vec<LineRange> {
    if !text.contains(OFF) {
        return Vec::new();
    }
    let mut ranges = Vec::new();
    let mut open: Option<usize> = None;
    for line in 1..=index.line_count() {
        let content = &text[index.line_bytes(line)];
        match open {
            None if content.contains(OFF) => open = Some(line),
            Some(first) if content.contains(ON) => {
                ranges.push(LineRange::new(first, line));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(first) = open {
        ranges.push(LineRange::new(first, index.line_count().max(first)));
    }
    ranges
}

/// Whether `lines` touches any of `ranges`.
pub fn overlaps(ranges: &[LineRange], lines: LineRange) -> bool {
    ranges
        .iter()
        .any(|r| r.first <= lines.last && lines.first <= r.last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(text: &str) -> Vec<(usize, usize)> {
        suppressed_lines(text, &LineIndex::new(text))
            .into_iter()
            .map(|r| (r.first, r.last))
            .collect()
    }

    #[test]
    fn markers_in_any_comment_syntax() {
        let text = "a\n<!-- doppel:off -->\nb\n<!-- doppel:on -->\nc\n# doppel:off\nd";
        assert_eq!(ranges(text), [(2, 4), (6, 7)]);
        assert!(ranges("no markers here\n").is_empty());
    }

    #[test]
    fn overlap_is_inclusive() {
        let r = [LineRange::new(3, 5)];
        assert!(overlaps(&r, LineRange::new(5, 9)));
        assert!(!overlaps(&r, LineRange::new(6, 9)));
    }
}
