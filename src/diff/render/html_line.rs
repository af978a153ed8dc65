//! One line of a document as HTML for the diff page: its text escaped, the
//! changed units inside it wrapped in `<del class="strong">` or
//! `<ins class="strong">`, and a line longer than the page shows cut down
//! to windows around its start, its end and its marks, each cut saying how
//! many bytes it leaves out.

use crate::report::thousands;
use std::fmt::Write as _;
use std::ops::Range;

use crate::diff::lines::trim_terminator;
use crate::html::escape_into;

/// Bytes kept on each side of a mark's edge, and at the line's ends, when
/// a long line is cut.
const WINDOW: usize = 240;

/// The bytes of `line` (a range of `text`, terminator included) that the
/// page shows when a line is cut to `max` bytes.
pub(crate) fn shown_bytes(text: &str, line: Range<usize>, max: usize) -> usize {
    trim_terminator(&text[line]).len().min(max)
}

/// Appends line `line` of `text`, without its terminator, to `out`: the
/// bytes inside `marks` (sorted, disjoint byte ranges of `text`) wrapped in
/// `<tag class="strong">`, and, past `max` bytes, only windows around the
/// marks with a note for each stretch left out.
pub(crate) fn write_line(
    out: &mut String,
    text: &str,
    line: Range<usize>,
    marks: &[Range<usize>],
    tag: &str,
    max: usize,
) {
    let body = line.start..line.start + trim_terminator(&text[line]).len();
    let first = marks.partition_point(|m| m.end <= body.start);
    let inside: Vec<Range<usize>> = marks[first..]
        .iter()
        .take_while(|m| m.start < body.end)
        .map(|m| m.start.max(body.start)..m.end.min(body.end))
        .filter(|m| !m.is_empty())
        .collect();
    let windows = if body.len() <= max {
        vec![body.clone()]
    } else {
        windows(text, &body, &inside, max)
    };
    let mut at = body.start;
    let mut next_mark = 0;
    for window in windows {
        if window.start > at {
            cut(out, window.start - at);
        }
        at = window.start;
        while at < window.end {
            while next_mark < inside.len() && inside[next_mark].end <= at {
                next_mark += 1;
            }
            match inside.get(next_mark) {
                Some(m) if m.start <= at => {
                    let end = m.end.min(window.end);
                    let _ = write!(out, "<{tag} class=\"strong\">");
                    escape_into(out, &text[at..end]);
                    let _ = write!(out, "</{tag}>");
                    at = end;
                }
                Some(m) => {
                    let end = m.start.min(window.end);
                    escape_into(out, &text[at..end]);
                    at = end;
                }
                None => {
                    escape_into(out, &text[at..window.end]);
                    at = window.end;
                }
            }
        }
    }
    if body.end > at {
        cut(out, body.end - at);
    }
}

/// The note standing for `bytes` bytes of a line left out.
fn cut(out: &mut String, bytes: usize) {
    let _ = write!(
        out,
        "<span class=\"cut\">[\u{2026} {} bytes not shown \u{2026}]</span>",
        thousands(bytes)
    );
}

/// The stretches of a long line the page shows, in order, at most about
/// `max` bytes together: its start, the edges of its marks in order, and its
/// end while the budget lasts; each on character boundaries.
fn windows(
    text: &str,
    body: &Range<usize>,
    marks: &[Range<usize>],
    max: usize,
) -> Vec<Range<usize>> {
    let edges = std::iter::once(body.start)
        .chain(marks.iter().flat_map(|m| [m.start, m.end]))
        .chain(std::iter::once(body.end));
    let mut kept: Vec<Range<usize>> = Vec::new();
    let mut used = 0;
    for edge in edges {
        let start = floor(text, edge.saturating_sub(WINDOW).max(body.start));
        let end = ceil(text, (edge + WINDOW).min(body.end));
        let window = match kept.last_mut() {
            Some(last) if start <= last.end => {
                let grown = last.end.max(end) - last.end;
                if used + grown > max {
                    break;
                }
                used += grown;
                last.end = last.end.max(end);
                continue;
            }
            _ => start..end,
        };
        if used + window.len() > max {
            break;
        }
        used += window.len();
        kept.push(window);
    }
    kept
}

/// The character boundary at or before `at`.
fn floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The character boundary at or after `at`.
fn ceil(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, marks: &[Range<usize>], max: usize) -> String {
        let mut out = String::new();
        write_line(&mut out, text, 0..text.len(), marks, "ins", max);
        out
    }

    #[test]
    fn marks_wrap_exactly_their_bytes_and_text_is_escaped() {
        let text = "北京是中国的首府。<b>\n";
        let fu = text.find('府').unwrap();
        assert_eq!(
            line(text, std::slice::from_ref(&(fu..fu + 3)), 1000),
            "北京是中国的首<ins class=\"strong\">府</ins>。&lt;b&gt;"
        );
    }

    #[test]
    fn marks_of_other_lines_are_ignored_and_a_crossing_mark_is_clipped() {
        let text = "one\ntwo\nthree\n";
        let mut out = String::new();
        write_line(&mut out, text, 4..8, &[0..2, 2..5, 9..10], "del", 100);
        assert_eq!(out, "<del class=\"strong\">t</del>wo");
    }

    #[test]
    fn a_long_line_keeps_its_mark_and_says_what_it_leaves_out() {
        let mut text = "字".repeat(300_000);
        let at = 3 * 150_000;
        text.replace_range(at..at + 3, "改");
        text.push('\n');
        let shown = line(&text, std::slice::from_ref(&(at..at + 3)), 4096);
        assert!(
            shown.contains("<ins class=\"strong\">改</ins>"),
            "{}",
            &shown[..200]
        );
        assert!(shown.len() < 8192, "{}", shown.len());
        assert_eq!(shown.matches("class=\"cut\"").count(), 2);
        // Every byte is either shown or counted.
        let counted: usize = shown
            .split("[\u{2026} ")
            .skip(1)
            .map(|s| {
                s.split(' ')
                    .next()
                    .unwrap()
                    .replace(',', "")
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        let plain = shown
            .replace("<ins class=\"strong\">", "")
            .replace("</ins>", "");
        let kept: usize = plain
            .split("<span class=\"cut\">")
            .map(|s| s.split_once("</span>").map_or(s, |(_, rest)| rest).len())
            .sum();
        assert_eq!(counted + kept, text.len() - 1);
    }

    #[test]
    fn a_long_line_without_marks_shows_its_two_ends() {
        let text = "a".repeat(1 << 20);
        let shown = line(&text, &[], 1000);
        assert!(shown.starts_with(&"a".repeat(WINDOW)));
        assert!(shown.ends_with(&"a".repeat(WINDOW)));
        assert_eq!(shown.matches("class=\"cut\"").count(), 1);
    }
}
