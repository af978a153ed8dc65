//! The unified format of `diff -u`, which `patch` and `git apply` accept.

use std::io::{self, Write};
use std::ops::Range;

use super::hunks::hunks;
use super::{DocHeader, Printer, APPROXIMATE};
use crate::diff::compare::Tag;
use crate::diff::comparison::Comparison;

pub(crate) fn document(
    printer: &Printer,
    out: &mut dyn Write,
    header: &DocHeader<'_>,
    comparison: &Comparison<'_>,
) -> io::Result<()> {
    if comparison.is_approximate() {
        writeln!(out, "# doppel: {APPROXIMATE}")?;
    }
    writeln!(out, "--- {}", header.old_name())?;
    writeln!(out, "+++ {}", header.new_name())?;
    let (old, new) = (comparison.old_text(), comparison.new_text());
    let (old_lines, new_lines) = (comparison.old_lines(), comparison.new_lines());
    for hunk in hunks(comparison.ops(), printer.context) {
        writeln!(out, "{}", hunk.header())?;
        for piece in &hunk.pieces {
            if piece.tag == Tag::Equal {
                lines(out, ' ', old, &old_lines[piece.old.clone()])?;
                continue;
            }
            lines(out, '-', old, &old_lines[piece.old.clone()])?;
            lines(out, '+', new, &new_lines[piece.new.clone()])?;
        }
    }
    Ok(())
}

/// Writes lines with a prefix, marking a last line without a terminator.
pub(crate) fn lines(
    out: &mut dyn Write,
    prefix: char,
    text: &str,
    lines: &[Range<usize>],
) -> io::Result<()> {
    for line in lines {
        write!(out, "{prefix}")?;
        out.write_all(text[line.clone()].as_bytes())?;
        if !text[line.clone()].ends_with('\n') {
            out.write_all(b"\n\\ No newline at end of file\n")?;
        }
    }
    Ok(())
}
