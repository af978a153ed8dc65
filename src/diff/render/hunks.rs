//! Grouping operations into hunks with context lines, as `diff -U N` does.

use std::ops::Range;

use crate::diff::compare::Tag;
use crate::diff::comparison::Op;

/// A stretch of one operation shown in a hunk (equal operations are
/// trimmed to the context lines).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Piece {
    pub op: usize,
    pub tag: Tag,
    pub old: Range<usize>,
    pub new: Range<usize>,
}

/// Changes close enough to share their context, with that context.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Hunk {
    pub pieces: Vec<Piece>,
    pub old: Range<usize>,
    pub new: Range<usize>,
}

impl Hunk {
    fn new() -> Hunk {
        Hunk {
            pieces: Vec::new(),
            old: 0..0,
            new: 0..0,
        }
    }

    fn push(&mut self, piece: Piece) {
        if self.pieces.is_empty() {
            self.old = piece.old.start..piece.old.start;
            self.new = piece.new.start..piece.new.start;
        }
        self.old.end = piece.old.end;
        self.new.end = piece.new.end;
        self.pieces.push(piece);
    }

    /// The `@@ -a,b +c,d @@` header (1-based; an empty side names the line
    /// before it; a count of one is left out).
    pub fn header(&self) -> String {
        format!("@@ -{} +{} @@", side(&self.old), side(&self.new))
    }
}

fn side(lines: &Range<usize>) -> String {
    match lines.len() {
        0 => format!("{},0", lines.start),
        1 => format!("{}", lines.start + 1),
        n => format!("{},{n}", lines.start + 1),
    }
}

/// Hunks of `ops` with `context` lines around each change.
pub(crate) fn hunks(ops: &[Op], context: usize) -> Vec<Hunk> {
    let mut out = Vec::new();
    let mut current: Option<Hunk> = None;
    let piece = |i: usize, old: Range<usize>, new: Range<usize>| Piece {
        op: i,
        tag: ops[i].tag,
        old,
        new,
    };
    for (i, op) in ops.iter().enumerate() {
        if op.tag != Tag::Equal {
            let hunk = current.get_or_insert_with(|| {
                let mut hunk = Hunk::new();
                if let Some(prev) = i.checked_sub(1).map(|p| &ops[p]) {
                    let keep = prev.old.len().min(context);
                    let (o, n) = (
                        prev.old.end - keep..prev.old.end,
                        prev.new.end - keep..prev.new.end,
                    );
                    if keep > 0 {
                        hunk.push(piece(i - 1, o, n));
                    }
                }
                hunk
            });
            hunk.push(piece(i, op.old.clone(), op.new.clone()));
            continue;
        }
        let Some(hunk) = current.as_mut() else {
            continue;
        };
        let len = op.old.len();
        if len <= context.saturating_mul(2) && i + 1 < ops.len() {
            hunk.push(piece(i, op.old.clone(), op.new.clone()));
            continue;
        }
        let keep = len.min(context);
        if keep > 0 {
            hunk.push(piece(
                i,
                op.old.start..op.old.start + keep,
                op.new.start..op.new.start + keep,
            ));
        }
        out.extend(current.take());
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::diff::comparison::plain as op;

    #[test]
    fn far_changes_make_two_hunks_near_ones_one() {
        let ops = vec![
            op(Tag::Equal, 0..10, 0..10),
            op(Tag::Replace, 10..11, 10..11),
            op(Tag::Equal, 11..20, 11..20),
            op(Tag::Delete, 20..21, 20..20),
            op(Tag::Equal, 21..24, 20..23),
            op(Tag::Insert, 24..24, 23..24),
        ];
        let got = hunks(&ops, 3);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].old.clone(), got[0].new.clone()), (7..14, 7..14));
        assert_eq!(got[0].header(), "@@ -8,7 +8,7 @@");
        assert_eq!((got[1].old.clone(), got[1].new.clone()), (17..24, 17..24));
    }

    #[test]
    fn any_context_is_total() {
        // Regression: `2 * context` overflowed for a context near usize::MAX.
        let ops = vec![
            op(Tag::Replace, 0..1, 0..1),
            op(Tag::Equal, 1..50, 1..50),
            op(Tag::Delete, 50..51, 50..50),
            op(Tag::Equal, 51..60, 50..59),
        ];
        let got = hunks(&ops, usize::MAX);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].old.clone(), got[0].new.clone()), (0..60, 0..59));
    }

    #[test]
    fn insertion_into_empty_text() {
        let got = hunks(&[op(Tag::Insert, 0..0, 0..2)], 3);
        assert_eq!(got[0].header(), "@@ -0,0 +1,2 @@");
    }
}
