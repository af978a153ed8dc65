//! The encoding-damage notes of the text formats: before a document's diff,
//! one line per replaced block that holds changes which are damage on one
//! side rather than edits (see [`crate::diff::inline_damage`]):
//!
//! ```text
//! # doppel: encoding damage (old) at old line 27, new line 7: all 3 changes
//! # doppel: encoding damage (new) at old line 141, new line 121: 1 of 2 changes
//! ```
//!
//! `(old)` names the damaged side: the other side holds the clean text.
//! The lines start with `#`, as the approximate-diff note does, so
//! `patch` and `git apply` skip them. With colour they are yellow.

use std::io::{self, Write};

use super::marks::painted;
use crate::diff::compare::Tag;
use crate::diff::comparison::{Comparison, Op};
use crate::diff::damage::{inline_damage, op_damage, DamagedSide};

const YELLOW: &str = "\x1b[33m";

/// Writes the notes of `c`'s damaged blocks.
pub(crate) fn notes(out: &mut dyn Write, c: &Comparison<'_>, color: bool) -> io::Result<()> {
    for op in c.ops().iter().filter(|op| op.tag == Tag::Replace) {
        if let Some(note) = note(c, op) {
            painted(out, color.then_some(YELLOW), &note)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// The note of one replaced block, when any of its changes is damage.
fn note(c: &Comparison<'_>, op: &Op) -> Option<String> {
    let at = format!(
        "at old line {}, new line {}",
        op.old.start + 1,
        op.new.start + 1
    );
    let changes = match op.inline.as_deref() {
        Some(changes) if op.moved.is_none() => changes,
        _ => {
            let side = op_damage(c, op)?;
            return Some(format!(
                "# doppel: encoding damage ({}) {at}: the block",
                side.as_str()
            ));
        }
    };
    let sides: Vec<Option<DamagedSide>> = changes.iter().map(|ch| inline_damage(c, ch)).collect();
    let count = |side| sides.iter().filter(|s| **s == Some(side)).count();
    let (old, new) = (count(DamagedSide::Old), count(DamagedSide::New));
    let (side, damaged) = match (old, new) {
        (0, 0) => return None,
        (o, n) if o >= n => (DamagedSide::Old, o),
        (_, n) => (DamagedSide::New, n),
    };
    let how_many = if damaged == changes.len() && (old == 0 || new == 0) {
        match damaged {
            1 => "the change".to_owned(),
            n => format!("all {n} changes"),
        }
    } else {
        format!("{damaged} of {} changes", changes.len())
    };
    Some(format!(
        "# doppel: encoding damage ({}) {at}: {how_many}",
        side.as_str()
    ))
}
