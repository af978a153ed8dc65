//! Where a removal really starts and ends, so the cleaned text has no seams:
//! no doubled blank lines and no dangling white space where text went.
//!
//! A removal that covers whole lines takes their line terminators too, and
//! when it opens a paragraph gap (it follows a blank line or starts the
//! text) the blank lines after it; at the end of the text it takes the blank
//! lines before it instead. A removal inside a line takes the spaces after
//! it, or before it at the end of the line.

use std::ops::Range;

use crate::document::LineIndex;

/// The range to delete for a removal of `content` (a trimmed span).
pub fn widen(text: &str, index: &LineIndex, content: Range<usize>) -> Range<usize> {
    let first = index.line_of(content.start);
    let last = index.line_of(content.end.saturating_sub(1).max(content.start));
    let first_line = index.line_bytes(first);
    let last_line = index.line_bytes(last);
    let whole = text[first_line.start..content.start].trim().is_empty()
        && text[content.end..last_line.end].trim().is_empty();
    if whole {
        widen_lines(text, index, first, last)
    } else {
        widen_inline(text, content, last_line.end)
    }
}

fn is_blank(text: &str, index: &LineIndex, line: usize) -> bool {
    text[index.line_bytes(line)].trim().is_empty()
}

/// Start of line `line + 1`, or the end of the text after the last line.
fn after_line(text: &str, index: &LineIndex, line: usize) -> usize {
    if line < index.line_count() {
        index.line_bytes(line + 1).start
    } else {
        text.len()
    }
}

fn widen_lines(text: &str, index: &LineIndex, first: usize, last: usize) -> Range<usize> {
    let start = index.line_bytes(first).start;
    let mut end_line = last;
    let opens_gap = first == 1 || is_blank(text, index, first - 1);
    if opens_gap {
        while end_line < index.line_count() && is_blank(text, index, end_line + 1) {
            end_line += 1;
        }
    }
    let end = after_line(text, index, end_line);
    if end == text.len() && first > 1 {
        let mut before = first - 1;
        while before > 1 && is_blank(text, index, before) {
            before -= 1;
        }
        let kept_end = after_line(text, index, before);
        if is_blank(text, index, before) {
            return 0..end;
        }
        return kept_end.min(start)..end;
    }
    start..end
}

fn widen_inline(text: &str, content: Range<usize>, line_end: usize) -> Range<usize> {
    let after = &text[content.end..line_end];
    let spaces_after = after.len() - after.trim_start_matches([' ', '\t']).len();
    if spaces_after > 0 && spaces_after < after.len() {
        return content.start..content.end + spaces_after;
    }
    let before = &text[..content.start];
    let spaces_before = before.len() - before.trim_end_matches([' ', '\t', '\u{3000}']).len();
    (content.start - spaces_before)..(content.end + spaces_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str, content: &str) -> String {
        let start = text.find(content).expect("content in text");
        let index = LineIndex::new(text);
        let range = widen(text, &index, start..start + content.len());
        format!("{}{}", &text[..range.start], &text[range.end..])
    }

    #[test]
    fn a_paragraph_goes_with_one_blank_line() {
        assert_eq!(cut("A\n\nB\n\nC\n", "B"), "A\n\nC\n");
        assert_eq!(cut("A\r\n\r\nB\r\n\r\nC", "B"), "A\r\n\r\nC");
    }

    #[test]
    fn the_first_paragraph_takes_the_gap_after_it() {
        assert_eq!(cut("A\n\nB\n", "A"), "B\n");
    }

    #[test]
    fn the_last_paragraph_takes_the_gap_before_it() {
        assert_eq!(cut("A\n\nB", "B"), "A\n");
        assert_eq!(cut("A\n\nB\n", "B"), "A\n");
        assert_eq!(cut("A\n\nB\n\n\n", "B"), "A\n");
    }

    #[test]
    fn a_line_inside_a_paragraph_goes_alone() {
        assert_eq!(cut("A\nnav line\nB\n", "nav line"), "A\nB\n");
    }

    #[test]
    fn a_span_inside_a_line_takes_one_side_of_spaces() {
        assert_eq!(cut("One. Two. Three.", "Two."), "One. Three.");
        assert_eq!(cut("One. Two.", "Two."), "One.");
    }

    #[test]
    fn everything_removed_leaves_nothing() {
        assert_eq!(cut("\n\nB\n", "B"), "");
    }
}
