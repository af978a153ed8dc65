//! The word format: hunks whose text is written once, with removed text as
//! `[-old-]` and inserted text as `{+new+}`. A moved block is written
//! `[<m1:text>]` where it left and `{>m1:text<}` where it arrived, the
//! latter with the edits made to it after the move marked inside. Markup
//! closes before a line break that ends the marked text.

use std::io::{self, Write};

use super::hunks::hunks;
use super::{DocHeader, Printer, APPROXIMATE};
use crate::diff::compare::Tag;
use crate::diff::comparison::{Comparison, Op};
use crate::diff::refine::InlineChange;

pub(crate) fn document(
    printer: &Printer,
    out: &mut dyn Write,
    header: &DocHeader<'_>,
    comparison: &Comparison<'_>,
) -> io::Result<()> {
    writeln!(out, "--- {}", header.old_name())?;
    writeln!(out, "+++ {}", header.new_name())?;
    if comparison.is_approximate() {
        writeln!(out, "# {APPROXIMATE}")?;
    }
    let mut w = Writer {
        out,
        at_line_start: true,
    };
    for hunk in hunks(comparison.ops(), printer.context) {
        w.end_line()?;
        w.raw(&hunk.header())?;
        w.raw("\n")?;
        for piece in &hunk.pieces {
            let op = &comparison.ops()[piece.op];
            if piece.tag == Tag::Equal {
                w.raw(&comparison.old_text()[comparison.old_bytes(piece.old.clone())])?;
            } else {
                change(&mut w, comparison, op)?;
            }
        }
    }
    w.end_line()
}

fn change(w: &mut Writer<'_>, c: &Comparison<'_>, op: &Op) -> io::Result<()> {
    let old = &c.old_text()[c.old_bytes(op.old.clone())];
    let new = &c.new_text()[c.new_bytes(op.new.clone())];
    match (op.tag, op.moved, &op.inline) {
        (Tag::Delete, Some(m), _) => w.wrap(&format!("[<m{}:", c.moves()[m].id), old, ">]"),
        (Tag::Insert, Some(m), _) => {
            let m = &c.moves()[m];
            w.raw(&format!("{{>m{}:", m.id))?;
            match &m.inline {
                Some(changes) => {
                    let source = c.old_bytes(m.old.clone());
                    inline(w, c, source, changes, "<}")
                }
                None => w.wrap("", new, "<}"),
            }
        }
        (Tag::Replace, _, Some(changes)) => inline(w, c, c.old_bytes(op.old.clone()), changes, ""),
        (Tag::Replace, _, None) => match (old.strip_suffix('\n'), new.strip_suffix('\n')) {
            (Some(o), Some(n)) => {
                w.wrap("[-", o, "-]")?;
                w.wrap("{+", n, "+}")?;
                w.raw("\n")
            }
            _ => {
                w.wrap("[-", old, "-]")?;
                w.wrap("{+", new, "+}")
            }
        },
        (Tag::Delete, None, _) => w.wrap("[-", old, "-]"),
        _ => w.wrap("{+", new, "+}"),
    }
}

/// Writes the old block `block` with its inline changes marked, then `end`.
fn inline(
    w: &mut Writer<'_>,
    c: &Comparison<'_>,
    block: std::ops::Range<usize>,
    changes: &[InlineChange],
    end: &str,
) -> io::Result<()> {
    let (old, new) = (c.old_text(), c.new_text());
    let mut at = block.start;
    for change in changes {
        w.raw(&old[at..change.old.start])?;
        if !change.old.is_empty() {
            w.raw(&format!("[-{}-]", &old[change.old.clone()]))?;
        }
        if !change.new.is_empty() {
            w.raw(&format!("{{+{}+}}", &new[change.new.clone()]))?;
        }
        at = change.old.end;
    }
    let rest = &old[at..block.end];
    match rest.strip_suffix('\n') {
        Some(body) if !end.is_empty() => {
            w.raw(body)?;
            w.raw(end)?;
            w.raw("\n")
        }
        _ => {
            w.raw(rest)?;
            w.raw(end)
        }
    }
}

struct Writer<'o> {
    out: &'o mut dyn Write,
    at_line_start: bool,
}

impl Writer<'_> {
    fn raw(&mut self, text: &str) -> io::Result<()> {
        if !text.is_empty() {
            self.out.write_all(text.as_bytes())?;
            self.at_line_start = text.ends_with('\n');
        }
        Ok(())
    }

    /// `open text close`, the close before a final line break.
    fn wrap(&mut self, open: &str, text: &str, close: &str) -> io::Result<()> {
        self.raw(open)?;
        match text.strip_suffix('\n') {
            Some(body) => {
                self.raw(body)?;
                self.raw(close)?;
                self.raw("\n")
            }
            None => {
                self.raw(text)?;
                self.raw(close)
            }
        }
    }

    fn end_line(&mut self) -> io::Result<()> {
        if !self.at_line_start {
            self.raw("\n")?;
        }
        Ok(())
    }
}
