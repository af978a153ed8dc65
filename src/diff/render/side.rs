//! Side by side: old text on the left, new on the right, each line with
//! its number, columns measured in terminal cells (a CJK character takes
//! two). The gutter says `|` changed, `<` removed (or moved away), `>`
//! inserted (or moved here). Changed words or characters are highlighted,
//! or marked `[-…-]` and `{+…+}` without colour.
//!
//! A line longer than its column is wrapped: at spaces between words,
//! between CJK characters (not before closing punctuation nor after
//! opening punctuation), and inside a word only when the word alone is
//! wider than the column; never inside a grapheme. Rows that continue a
//! line show `↪` where the line number would be.

use std::io::{self, Write};
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::hunks::hunks;
use super::marks::{marks_of, painted, Paint, CYAN, DIM, RESET};
use super::{pad, DocHeader, Printer, APPROXIMATE};
use crate::diff::compare::Tag;
use crate::diff::comparison::{Comparison, Op};
use crate::diff::lines::trim_terminator;

const REVERSE: &str = "\x1b[7m";
const UNREVERSE: &str = "\x1b[27m";

/// Shown instead of the line number on a row that continues a line.
const CONTINUED: &str = "↪";

/// Narrowest text column, so that a wide character always fits.
const MIN_COLUMN: usize = 2;

pub(crate) fn document(
    printer: &Printer,
    out: &mut dyn Write,
    header: &DocHeader<'_>,
    comparison: &Comparison<'_>,
) -> io::Result<()> {
    let layout = Layout::new(printer, comparison);
    let names = (
        Cell::plain(header.old_name()),
        Cell::plain(header.new_name()),
    );
    layout.row(out, (&names.0, None), ' ', (&names.1, None))?;
    if comparison.is_approximate() {
        writeln!(out, "# {APPROXIMATE}")?;
    }
    for hunk in hunks(comparison.ops(), printer.context) {
        painted(out, printer.color.then_some(CYAN), &hunk.header())?;
        writeln!(out)?;
        for piece in &hunk.pieces {
            let op = &comparison.ops()[piece.op];
            layout.piece(out, comparison, op, piece.old.clone(), piece.new.clone())?;
        }
    }
    Ok(())
}

/// The widths of a row: `NUM TEXT G NUM TEXT`, filling the printer's width.
struct Layout {
    /// Cells of a line number (the widest number of the document).
    number: usize,
    /// Cells of the left and the right text column.
    left: usize,
    right: usize,
    color: bool,
}

impl Layout {
    fn new(printer: &Printer, comparison: &Comparison<'_>) -> Layout {
        let most = comparison
            .old_lines()
            .len()
            .max(comparison.new_lines().len());
        let number = most.max(1).ilog10() as usize + 1;
        // Two numbers, a space after each, and ` | ` between the halves.
        let text = printer.width.saturating_sub(2 * number + 5);
        let left = (text / 2).max(MIN_COLUMN);
        let right = (text - text / 2).max(MIN_COLUMN);
        Layout {
            number,
            left,
            right,
            color: printer.color,
        }
    }

    fn piece(
        &self,
        out: &mut dyn Write,
        c: &Comparison<'_>,
        op: &Op,
        old: Range<usize>,
        new: Range<usize>,
    ) -> io::Result<()> {
        let moved = op.moved.is_some();
        let changed = op.tag != Tag::Equal;
        let (old_marks, new_marks) = if changed {
            (marks_of(c, op, true), marks_of(c, op, false))
        } else {
            (Vec::new(), Vec::new())
        };
        let old_paint = changed.then(|| Paint::old(self.color, moved));
        let new_paint = changed.then(|| Paint::new(self.color, moved));
        for k in 0..old.len().max(new.len()) {
            let left = (k < old.len()).then(|| {
                let line = c.old_lines()[old.start + k].clone();
                Cell::of(c.old_text(), line, &old_marks, old_paint)
            });
            let right = (k < new.len()).then(|| {
                let line = c.new_lines()[new.start + k].clone();
                Cell::of(c.new_text(), line, &new_marks, new_paint)
            });
            let gutter = match (&left, &right, changed) {
                (_, _, false) => ' ',
                (Some(_), Some(_), true) => '|',
                (Some(_), None, true) => '<',
                _ => '>',
            };
            let empty = Cell::plain("");
            let l = (
                left.as_ref().unwrap_or(&empty),
                left.as_ref().map(|_| old.start + k + 1),
            );
            let r = (
                right.as_ref().unwrap_or(&empty),
                right.as_ref().map(|_| new.start + k + 1),
            );
            self.row(out, l, gutter, r)?;
        }
        Ok(())
    }

    /// Writes two cells side by side, each after its line number (`None`:
    /// no line on that side), wrapping both to their columns.
    fn row(
        &self,
        out: &mut dyn Write,
        (left, left_number): (&Cell<'_>, Option<usize>),
        gutter: char,
        (right, right_number): (&Cell<'_>, Option<usize>),
    ) -> io::Result<()> {
        let (l, r) = (left.wrap(self.left), right.wrap(self.right));
        for k in 0..l.len().max(r.len()).max(1) {
            let g = if k == 0 { gutter } else { ' ' };
            self.number(out, left_number, k, k < l.len())?;
            self.line_part(out, left, l.get(k), self.left)?;
            write!(out, " {g} ")?;
            self.number(out, right_number, k, k < r.len())?;
            self.line_part(out, right, r.get(k), self.right)?;
            writeln!(out)?;
        }
        Ok(())
    }

    /// The line number on a line's first row, `↪` on the rows that
    /// continue it, blank elsewhere; then a space.
    fn number(
        &self,
        out: &mut dyn Write,
        number: Option<usize>,
        row: usize,
        has_text: bool,
    ) -> io::Result<()> {
        let shown = match number {
            Some(n) if row == 0 => n.to_string(),
            Some(_) if has_text => CONTINUED.to_owned(),
            _ => String::new(),
        };
        pad(out, self.number.saturating_sub(shown.width()))?;
        if !shown.is_empty() {
            painted(out, self.color.then_some(DIM), &shown)?;
        }
        out.write_all(b" ")
    }

    fn line_part(
        &self,
        out: &mut dyn Write,
        cell: &Cell<'_>,
        part: Option<&Range<usize>>,
        column: usize,
    ) -> io::Result<()> {
        let part = part.cloned().unwrap_or(0..0);
        let color = cell.paint.and_then(|p| p.color);
        if let Some(color) = color {
            out.write_all(color.as_bytes())?;
        }
        let mut used = 0;
        for frag in &cell.frags[part] {
            used += frag.width;
            match (frag.marked, color) {
                (true, Some(_)) => write!(out, "{REVERSE}{}{UNREVERSE}", frag.text)?,
                _ => out.write_all(frag.text.as_bytes())?,
            }
        }
        if color.is_some() {
            out.write_all(RESET.as_bytes())?;
        }
        pad(out, column.saturating_sub(used))
    }
}

/// A piece of a cell: a grapheme (or a marker), and its width in cells.
struct Frag<'t> {
    text: &'t str,
    width: usize,
    marked: bool,
    /// An opening marker stays with what follows, a closing one with what
    /// precedes, when lines are wrapped.
    glue: Glue,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Glue {
    None,
    Next,
    Prev,
}

impl Frag<'_> {
    fn is_marker(&self) -> bool {
        self.glue != Glue::None
    }

    /// Whitespace of the text (a marker is not).
    fn is_space(&self) -> bool {
        !self.is_marker() && self.text.chars().all(char::is_whitespace)
    }

    /// Unmarked whitespace, which a row may drop where it wraps.
    fn is_droppable(&self) -> bool {
        self.is_space() && !self.marked
    }

    fn first_char(&self) -> char {
        self.text.chars().next().unwrap_or(' ')
    }
}

/// One line's text as fragments.
struct Cell<'t> {
    frags: Vec<Frag<'t>>,
    paint: Option<Paint<'static>>,
}

impl<'t> Cell<'t> {
    fn plain(text: &'t str) -> Cell<'t> {
        let frags = text
            .graphemes(true)
            .map(|g| Frag {
                text: g,
                width: g.width(),
                marked: false,
                glue: Glue::None,
            })
            .collect();
        Cell { frags, paint: None }
    }

    fn of(
        text: &'t str,
        line: Range<usize>,
        marks: &[Range<usize>],
        paint: Option<Paint<'static>>,
    ) -> Cell<'t> {
        let body = trim_terminator(&text[line.clone()]);
        let plain_markers = paint.filter(|p| p.color.is_none());
        let mut frags = Vec::with_capacity(body.len());
        let mut next = marks.partition_point(|m| m.end <= line.start);
        let mut inside = false;
        for (at, g) in body.grapheme_indices(true) {
            let at = line.start + at;
            while next < marks.len() && marks[next].end <= at {
                next += 1;
            }
            let marked = next < marks.len() && marks[next].start <= at;
            if let Some(p) = plain_markers.filter(|_| marked != inside) {
                let marker = if marked { p.open } else { p.close };
                frags.push(Frag {
                    text: marker,
                    width: marker.len(),
                    marked: false,
                    glue: if marked { Glue::Next } else { Glue::Prev },
                });
            }
            inside = marked;
            let (text, width, repeat) = match g {
                // A tab as four spaces, each a place to wrap.
                "\t" => (" ", 1, 4),
                g if g.chars().all(char::is_control) => continue,
                g => (g, g.width(), 1),
            };
            for _ in 0..repeat {
                frags.push(Frag {
                    text,
                    width,
                    marked,
                    glue: Glue::None,
                });
            }
        }
        if let Some(p) = plain_markers.filter(|_| inside) {
            frags.push(Frag {
                text: p.close,
                width: p.close.len(),
                marked: false,
                glue: Glue::Prev,
            });
        }
        Cell { frags, paint }
    }

    /// Where a row may start: `true` at fragment `i` when a line may be
    /// wrapped just before it.
    fn breaks(&self) -> Vec<bool> {
        let frags = &self.frags;
        let mut breaks = vec![false; frags.len()];
        let mut before: Option<&Frag<'_>> = None;
        for (i, frag) in frags.iter().enumerate() {
            breaks[i] = match frag.glue {
                // A closing marker stays with the text it closes.
                Glue::Prev => false,
                // An opening marker goes with the text it opens.
                Glue::Next => {
                    let after = frags[i + 1..].iter().find(|f| !f.is_marker());
                    before.zip(after).is_some_and(|(b, a)| may_break(b, a))
                }
                Glue::None => {
                    let opened = i > 0 && frags[i - 1].glue == Glue::Next;
                    !opened && before.is_some_and(|b| may_break(b, frag))
                }
            };
            if !frag.is_marker() {
                before = Some(frag);
            }
        }
        breaks
    }

    /// Ranges of fragments that fit in `width` cells each: as many whole
    /// words as fit, a word cut only when it is wider than a row alone.
    /// Unmarked spaces where a row ends are dropped.
    fn wrap(&self, width: usize) -> Vec<Range<usize>> {
        let frags = &self.frags;
        let breaks = self.breaks();
        let mut rows = Vec::new();
        let (mut start, mut used, mut i) = (0, 0, 0);
        while i < frags.len() {
            let frag = &frags[i];
            if used + frag.width <= width || i == start {
                used += frag.width;
                i += 1;
                continue;
            }
            if frag.is_droppable() {
                rows.push(start..i);
                while i < frags.len() && frags[i].is_droppable() {
                    i += 1;
                }
                (start, used) = (i, 0);
                continue;
            }
            let cut = (start + 1..=i)
                .rev()
                .find(|&b| breaks[b])
                .unwrap_or_else(|| hard_cut(frags, start, i));
            rows.push(start..cut);
            start = cut;
            used = frags[cut..i].iter().map(|f| f.width).sum();
        }
        if start < frags.len() {
            rows.push(start..frags.len());
        }
        rows
    }
}

/// Where to cut a word wider than a row, at or before fragment `i`:
/// markers stay with the text they mark.
fn hard_cut(frags: &[Frag<'_>], start: usize, i: usize) -> usize {
    let mut cut = i;
    while cut > start + 1 && (frags[cut].glue == Glue::Prev || frags[cut - 1].glue == Glue::Next) {
        cut -= 1;
    }
    cut
}

/// Whether a line may wrap between the text fragments `before` and
/// `after`: after a space, or beside a wide (CJK) character, but not
/// before a space, closing punctuation, nor after opening punctuation.
fn may_break(before: &Frag<'_>, after: &Frag<'_>) -> bool {
    if after.is_space() {
        return false;
    }
    if before.is_space() {
        return true;
    }
    let wide = before.width > 1 || after.width > 1;
    wide && !OPENING.contains(before.first_char()) && !CLOSING.contains(after.first_char())
}

/// Punctuation that does not end a row.
const OPENING: &str = "([{<\u{2018}\u{201c}（［｛〈《「『【〔〖〘〝";

/// Punctuation that does not start a row.
const CLOSING: &str = ")]}>,.;:!?%\u{2019}\u{201d}）］｝〉》」』】〕〗〙〟、。，．：；？！ー…‥々ゝゞぁぃぅぇぉっゃゅょァィゥェォッャュョ";

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    use super::{Cell, Frag, Glue};
    use crate::diff::{Comparison, DiffOptions, DocHeader, Format, Printer};

    fn side_by_side(old: &str, new: &str, width: usize) -> String {
        let comparison = Comparison::new(old, new, &DiffOptions::new());
        let mut out = Vec::new();
        Printer::new(Format::SideBySide)
            .width(width)
            .document(&mut out, &DocHeader::files("a", "b"), &comparison)
            .expect("written to memory");
        String::from_utf8(out).expect("UTF-8")
    }

    fn changed_row(out: &str) -> &str {
        out.lines()
            .find(|l| l.contains("two"))
            .expect("the changed row")
    }

    #[test]
    fn a_width_past_what_a_format_width_holds_pads_every_column() {
        // Regression: padding went through `{:n$}`, which panics past 65,535.
        let out = side_by_side("one\ntwo\n", "one\nthree\n", 140_000);
        let row = changed_row(&out);
        assert_eq!(row.len(), 140_000);
        assert!(row.starts_with("2 two ") && row.contains(" | 2 three"));
    }

    #[test]
    fn columns_share_the_width_after_their_line_numbers() {
        // 43 cells: `N ` twice, ` | `, and 36 for the text: 18 and 18.
        let out = side_by_side("one\ntwo\n", "one\nthree\n", 43);
        assert_eq!(
            changed_row(&out),
            format!("2 two{} | 2 three{}", " ".repeat(15), " ".repeat(13))
        );
        // An odd number left over goes to the right column.
        let out = side_by_side("one\ntwo\n", "one\nthree\n", 44);
        assert_eq!(changed_row(&out).width(), 44);
    }

    #[test]
    fn line_numbers_are_as_wide_as_the_largest() {
        let old: String = (1..=120).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 7\n", "line seven\n");
        let out = side_by_side(&old, &new, 60);
        let row = out.lines().find(|l| l.contains("seven")).expect("row");
        assert!(row.starts_with("  7 line [-7-] "), "{row:?}");
        assert!(row.contains(" |   7 line {+seven+}"), "{row:?}");
        let context = out
            .lines()
            .find(|l| l.starts_with(" 10 "))
            .expect("context");
        assert!(context.contains("     10 line 10"), "{context:?}");
    }

    fn words(text: &str) -> Cell<'_> {
        Cell::plain(text)
    }

    fn rows<'t>(cell: &Cell<'t>, width: usize) -> Vec<String> {
        cell.wrap(width)
            .into_iter()
            .map(|r| cell.frags[r].iter().map(|f| f.text).collect())
            .collect()
    }

    #[test]
    fn lines_wrap_between_words_and_drop_the_space_at_the_wrap() {
        let cell = words("the quick brown fox jumps");
        // A space that fits stays (it shows as padding), one that does
        // not is dropped rather than starting the next row.
        assert_eq!(rows(&cell, 10), ["the quick ", "brown fox ", "jumps"]);
        assert_eq!(rows(&cell, 9), ["the quick", "brown fox", "jumps"]);
        assert_eq!(rows(&cell, 15), ["the quick brown", "fox jumps"]);
        assert_eq!(
            rows(&cell, 8),
            ["the ", "quick ", "brown ", "fox ", "jumps"]
        );
        let spaced = words("one   two");
        assert_eq!(rows(&spaced, 4), ["one ", "two"]);
    }

    #[test]
    fn a_word_wider_than_the_column_is_cut_only_then() {
        let cell = words("see https://example.com/a/long/path now");
        let got = rows(&cell, 10);
        assert_eq!(got[0], "see ");
        assert!(got.iter().all(|r| r.width() <= 10), "{got:?}");
        assert_eq!(got.concat(), "see https://example.com/a/long/path now");
    }

    #[test]
    fn cjk_wraps_between_characters_but_not_before_closing_punctuation() {
        let cell = words("中文句子在这里，重复出现。");
        let got = rows(&cell, 8);
        assert_eq!(got, ["中文句子", "在这里，", "重复出", "现。"]);
        // 一二三四 fills the row, and ， may not start the next: 四 goes
        // down with it.
        assert_eq!(rows(&words("一二三四，五"), 8), ["一二三", "四，五"]);
        // Nor may an opening bracket end a row.
        assert_eq!(rows(&words("一二三「四」"), 8), ["一二三", "「四」"]);
        // Latin next to CJK may wrap on either side.
        let mixed = words("abc中文def");
        assert_eq!(rows(&mixed, 4), ["abc", "中文", "def"]);
        assert_eq!(rows(&mixed, 5), ["abc中", "文def"]);
    }

    #[test]
    fn a_marker_stays_with_the_text_it_marks() {
        let frag = |text: &'static str, glue: Glue| Frag {
            text,
            width: text.width(),
            marked: glue == Glue::None && text != " " && text.len() == 1,
            glue,
        };
        let mut frags = vec![frag("a", Glue::None), frag(" ", Glue::None)];
        frags.push(frag("[-", Glue::Next));
        frags.extend("word".split("").filter(|s| !s.is_empty()).map(|c| Frag {
            text: c,
            width: 1,
            marked: true,
            glue: Glue::None,
        }));
        frags.push(frag("-]", Glue::Prev));
        let cell = Cell { frags, paint: None };
        assert_eq!(rows(&cell, 8), ["a ", "[-word-]"]);
    }
}
