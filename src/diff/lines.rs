//! Lines as `diff` and `patch` see them: each ends after a `\n` (so `\r\n`
//! stays inside the line, and a lone `\r` is part of the line's text); the
//! last line may have no terminator. A text ending with `\n` has no empty
//! line after it.

use std::ops::Range;

/// Byte ranges of the lines of `text`, each with its terminator.
pub fn lines(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(text.len() / 40 + 1);
    out.extend(line_ranges(text));
    out
}

/// The lines of `text` one by one, as [`lines`] gives them.
pub fn line_ranges(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).map(|end| end + 1);
    ends.chain(std::iter::once(text.len()))
        .filter_map(move |end| {
            let line = start..end;
            start = end;
            (!line.is_empty()).then_some(line)
        })
}

/// The bytes covered by lines `range` (an empty range gives the point
/// before line `range.start`).
pub fn bytes_of(lines: &[Range<usize>], range: Range<usize>, text_len: usize) -> Range<usize> {
    let start = lines.get(range.start).map_or(text_len, |r| r.start);
    if range.is_empty() {
        return start..start;
    }
    start..lines[range.end - 1].end
}

/// A line without its terminator (`\n` or `\r\n`).
pub fn trim_terminator(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_terminators() {
        assert_eq!(lines("a\nb\r\nc"), vec![0..2, 2..5, 5..6]);
        assert_eq!(lines("a\n"), vec![0..2]);
        assert!(lines("").is_empty());
        assert_eq!(lines("a\rb\n"), vec![0..4]);
        assert_eq!(lines("\n\na"), vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn bytes_of_ranges() {
        let l = lines("a\nbb\nc");
        assert_eq!(bytes_of(&l, 1..3, 6), 2..6);
        assert_eq!(bytes_of(&l, 3..3, 6), 6..6);
        assert_eq!(trim_terminator("x\r\n"), "x");
    }
}
