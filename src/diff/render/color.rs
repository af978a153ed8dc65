//! The terminal format: hunks like `unified`, with the changed words or
//! characters highlighted and moved blocks set apart (`<` where a block left,
//! `>` where it arrived, with its id and the edits made to it). Without
//! colour, highlights are written as `[-…-]` and `{+…+}`, and, as in the
//! word format, a change of whitespace alone (a re-wrapped paragraph) is
//! not marked: no marker holds only whitespace.

use std::io::{self, Write};
use std::ops::Range;

use super::hunks::hunks;
use super::marks::{marks_of, painted, write_marked, Paint, BOLD, CYAN, DIM, MAGENTA};
use super::{DocHeader, Printer, APPROXIMATE};
use crate::diff::compare::Tag;
use crate::diff::comparison::{Comparison, Move, Op};
use crate::diff::similarity::round3;

pub(crate) fn document(
    printer: &Printer,
    out: &mut dyn Write,
    header: &DocHeader<'_>,
    comparison: &Comparison<'_>,
) -> io::Result<()> {
    let color = printer.color;
    let bold = color.then_some(BOLD);
    painted(out, bold, &format!("--- {}", header.old_name()))?;
    writeln!(out)?;
    painted(out, bold, &format!("+++ {}", header.new_name()))?;
    writeln!(out)?;
    if comparison.is_approximate() {
        painted(out, color.then_some(DIM), &format!("# {APPROXIMATE}"))?;
        writeln!(out)?;
    }
    for hunk in hunks(comparison.ops(), printer.context) {
        painted(out, color.then_some(CYAN), &hunk.header())?;
        writeln!(out)?;
        for piece in &hunk.pieces {
            let op = &comparison.ops()[piece.op];
            if piece.tag == Tag::Equal {
                let lines = &comparison.old_lines()[piece.old.clone()];
                side(out, comparison, op, lines, true, ' ', Paint::OLD)?;
                continue;
            }
            old_side(out, comparison, op, color)?;
            new_side(out, comparison, op, color)?;
        }
    }
    Ok(())
}

fn old_side(out: &mut dyn Write, c: &Comparison<'_>, op: &Op, color: bool) -> io::Result<()> {
    let lines = &c.old_lines()[op.old.clone()];
    if lines.is_empty() {
        return Ok(());
    }
    if let Some(m) = op.moved.map(|m| &c.moves()[m]) {
        let note = format!(
            "<< m{} moved to line {}{}",
            m.id,
            m.new.start + 1,
            detail(m)
        );
        painted(out, color.then_some(MAGENTA), &note)?;
        writeln!(out)?;
        return side(out, c, op, lines, true, '<', Paint::old(color, true));
    }
    side(out, c, op, lines, true, '-', Paint::old(color, false))
}

fn new_side(out: &mut dyn Write, c: &Comparison<'_>, op: &Op, color: bool) -> io::Result<()> {
    let lines = &c.new_lines()[op.new.clone()];
    if lines.is_empty() {
        return Ok(());
    }
    if let Some(m) = op.moved.map(|m| &c.moves()[m]) {
        let note = format!(
            ">> m{} moved from line {}{}",
            m.id,
            m.old.start + 1,
            detail(m)
        );
        painted(out, color.then_some(CYAN), &note)?;
        writeln!(out)?;
        return side(out, c, op, lines, false, '>', Paint::new(color, true));
    }
    side(out, c, op, lines, false, '+', Paint::new(color, false))
}

/// Whether a text is only whitespace.
fn blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

/// `" (93% similar, edited)"` for a move.
pub(crate) fn detail(m: &Move) -> String {
    let percent = round3(m.similarity) * 100.0;
    match &m.inline {
        Some(_) => format!(" ({percent:.0}% similar, edited)"),
        None if m.similarity < 1.0 => format!(" ({percent:.0}% similar)"),
        None => String::new(),
    }
}

fn side(
    out: &mut dyn Write,
    c: &Comparison<'_>,
    op: &Op,
    lines: &[Range<usize>],
    old: bool,
    prefix: char,
    paint: Paint<'_>,
) -> io::Result<()> {
    let text = if old { c.old_text() } else { c.new_text() };
    let mut marks = if op.tag == Tag::Equal {
        Vec::new()
    } else {
        marks_of(c, op, old)
    };
    if paint.color.is_none() {
        marks.retain(|m| !blank(&text[m.clone()]));
    }
    let prefix = prefix.to_string();
    for line in lines {
        write_marked(out, text, line.clone(), &marks, paint, &prefix)?;
        writeln!(out)?;
        if !text[line.clone()].ends_with('\n') {
            painted(
                out,
                paint.color.map(|_| DIM),
                "\\ No newline at end of file",
            )?;
            writeln!(out)?;
        }
    }
    Ok(())
}
