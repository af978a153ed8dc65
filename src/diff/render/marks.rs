//! Writing a line with some of its bytes highlighted: in colour with
//! reverse video, or without colour between textual markers.

use std::io::{self, Write};
use std::ops::Range;

use crate::diff::comparison::{Comparison, Op};
use crate::diff::lines::trim_terminator;

pub(crate) const RESET: &str = "\x1b[0m";
pub(crate) const BOLD: &str = "\x1b[1m";
pub(crate) const RED: &str = "\x1b[31m";
pub(crate) const GREEN: &str = "\x1b[32m";
pub(crate) const MAGENTA: &str = "\x1b[35m";
pub(crate) const CYAN: &str = "\x1b[36m";
pub(crate) const DIM: &str = "\x1b[2m";
const REVERSE: &str = "\x1b[7m";
const UNREVERSE: &str = "\x1b[27m";

/// How highlighted text is set apart.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paint<'p> {
    /// Colour of the whole line, or `None` for plain text.
    pub color: Option<&'p str>,
    /// Markers around highlighted text in plain text.
    pub open: &'p str,
    pub close: &'p str,
}

impl Paint<'_> {
    pub const OLD: Paint<'static> = Paint {
        color: None,
        open: "[-",
        close: "-]",
    };
    pub const NEW: Paint<'static> = Paint {
        color: None,
        open: "{+",
        close: "+}",
    };

    pub fn old(color: bool, moved: bool) -> Paint<'static> {
        let c = if moved { MAGENTA } else { RED };
        Paint {
            color: color.then_some(c),
            ..Paint::OLD
        }
    }

    pub fn new(color: bool, moved: bool) -> Paint<'static> {
        let c = if moved { CYAN } else { GREEN };
        Paint {
            color: color.then_some(c),
            ..Paint::NEW
        }
    }
}

/// The highlighted byte ranges of the lines of `op` on the old side
/// (`old == true`) or the new side: its inline changes, or those of the
/// move it belongs to.
pub(crate) fn marks_of(comparison: &Comparison<'_>, op: &Op, old: bool) -> Vec<Range<usize>> {
    let changes = match op.moved {
        Some(m) => comparison.moves()[m].inline.as_deref(),
        None => op.inline.as_deref(),
    };
    changes
        .unwrap_or_default()
        .iter()
        .map(|c| if old { c.old.clone() } else { c.new.clone() })
        .filter(|r| !r.is_empty())
        .collect()
}

/// Writes the line at `line` (without its terminator), highlighting the
/// parts of it that fall in `marks` (sorted), after `prefix`.
pub(crate) fn write_marked(
    out: &mut dyn Write,
    text: &str,
    line: Range<usize>,
    marks: &[Range<usize>],
    paint: Paint<'_>,
    prefix: &str,
) -> io::Result<()> {
    let end = line.start + trim_terminator(&text[line.clone()]).len();
    let first = marks.partition_point(|m| m.end <= line.start);
    if let Some(color) = paint.color {
        out.write_all(color.as_bytes())?;
    }
    out.write_all(prefix.as_bytes())?;
    let mut at = line.start;
    for m in &marks[first..] {
        if m.start >= end {
            break;
        }
        let (s, e) = (m.start.max(at), m.end.min(end));
        if s >= e {
            continue;
        }
        out.write_all(&text.as_bytes()[at..s])?;
        let (open, close) = match paint.color {
            Some(_) => (REVERSE, UNREVERSE),
            None => (paint.open, paint.close),
        };
        write!(out, "{open}{}{close}", &text[s..e])?;
        at = e;
    }
    out.write_all(&text.as_bytes()[at..end])?;
    if paint.color.is_some() {
        out.write_all(RESET.as_bytes())?;
    }
    Ok(())
}

/// Writes `text` in `color` when colour is on.
pub(crate) fn painted(out: &mut dyn Write, color: Option<&str>, text: &str) -> io::Result<()> {
    match color {
        Some(c) => write!(out, "{c}{text}{RESET}"),
        None => out.write_all(text.as_bytes()),
    }
}
