//! Side by side: old text on the left, new on the right, long lines
//! wrapped, columns measured in terminal cells (a CJK character takes two).
//! The gutter says `|` changed, `<` removed (or moved away), `>` inserted
//! (or moved here). Changed words or characters are highlighted, or marked
//! `[-…-]` and `{+…+}` without colour.

use std::io::{self, Write};
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::hunks::hunks;
use super::marks::{marks_of, painted, Paint, CYAN, RESET};
use super::{pad, DocHeader, Printer, APPROXIMATE};
use crate::diff::compare::Tag;
use crate::diff::comparison::{Comparison, Op};
use crate::diff::lines::trim_terminator;

const REVERSE: &str = "\x1b[7m";
const UNREVERSE: &str = "\x1b[27m";

pub(crate) fn document(
    printer: &Printer,
    out: &mut dyn Write,
    header: &DocHeader<'_>,
    comparison: &Comparison<'_>,
) -> io::Result<()> {
    let layout = Layout {
        column: (printer.width - 3) / 2,
        color: printer.color,
    };
    let names = (
        Cell::plain(header.old_name()),
        Cell::plain(header.new_name()),
    );
    layout.row(out, &names.0, ' ', &names.1)?;
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

struct Layout {
    column: usize,
    color: bool,
}

impl Layout {
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
            let (l, r) = (
                left.as_ref().unwrap_or(&empty),
                right.as_ref().unwrap_or(&empty),
            );
            self.row(out, l, gutter, r)?;
        }
        Ok(())
    }

    /// Writes two cells side by side, wrapping both to the column width.
    fn row(
        &self,
        out: &mut dyn Write,
        left: &Cell<'_>,
        gutter: char,
        right: &Cell<'_>,
    ) -> io::Result<()> {
        let (l, r) = (left.wrap(self.column), right.wrap(self.column));
        for k in 0..l.len().max(r.len()).max(1) {
            let g = if k == 0 { gutter } else { ' ' };
            self.line_part(out, left, l.get(k))?;
            write!(out, " {g} ")?;
            self.line_part(out, right, r.get(k))?;
            writeln!(out)?;
        }
        Ok(())
    }

    fn line_part(
        &self,
        out: &mut dyn Write,
        cell: &Cell<'_>,
        part: Option<&Range<usize>>,
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
        pad(out, self.column.saturating_sub(used))
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
            let (text, width) = match g {
                "\t" => ("    ", 4),
                g if g.chars().all(char::is_control) => continue,
                g => (g, g.width()),
            };
            frags.push(Frag {
                text,
                width,
                marked,
                glue: Glue::None,
            });
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

    /// Ranges of fragments that fit in `width` cells each.
    fn wrap(&self, width: usize) -> Vec<Range<usize>> {
        let mut rows = Vec::new();
        let (mut start, mut used) = (0, 0);
        let frags = &self.frags;
        for (i, frag) in frags.iter().enumerate() {
            if used + frag.width > width && i > start {
                let mut cut = i;
                while cut > start + 1
                    && (frags[cut].glue == Glue::Prev || frags[cut - 1].glue == Glue::Next)
                {
                    cut -= 1;
                }
                used = frags[cut..i].iter().map(|f| f.width).sum();
                if used + frag.width > width {
                    (cut, used) = (i, 0);
                }
                rows.push(start..cut);
                start = cut;
            }
            used += frag.width;
        }
        if start < self.frags.len() {
            rows.push(start..self.frags.len());
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use crate::diff::{Comparison, DiffOptions, DocHeader, Format, Printer};

    fn side_by_side(width: usize) -> String {
        let comparison = Comparison::new("one\ntwo\n", "one\nthree\n", &DiffOptions::new());
        let mut out = Vec::new();
        Printer::new(Format::SideBySide)
            .width(width)
            .document(&mut out, &DocHeader::files("a", "b"), &comparison)
            .expect("written to memory");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn a_width_past_what_a_format_width_holds_pads_every_column() {
        // Regression: padding went through `{:n$}`, which panics past 65,535.
        let out = side_by_side(140_000);
        let row = out
            .lines()
            .find(|l| l.contains("two"))
            .expect("the changed row");
        let column = (140_000 - 3) / 2;
        assert_eq!(row.len(), column + " | ".len() + column);
        assert!(row.starts_with("two ") && row.contains(" | three"));
    }

    #[test]
    fn columns_are_half_the_width() {
        let out = side_by_side(43);
        let row = out
            .lines()
            .find(|l| l.contains("two"))
            .expect("the changed row");
        assert_eq!(
            row,
            format!("two{} | three{}", " ".repeat(17), " ".repeat(15))
        );
    }
}
