//! [`Comparison`]: the result of comparing two texts, as operations over
//! line ranges that borrow the two texts for rendering.

use std::collections::HashSet;
use std::ops::Range;
use std::time::Instant;

use super::compare::{Interned, Tag};
use super::key::Keyer;
use super::lines::{bytes_of, lines};
use super::moves::{find_moves, Pair, Sides};
use super::options::{DiffOptions, Granularity};
use super::refine::{InlineChange, Refiner};
use super::similarity::{pair_similarity, Side, Similarity};

/// One line operation. Line ranges are 0-based indices into the lines of
/// each text (end exclusive); an empty range marks a position.
#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    pub tag: Tag,
    pub old: Range<usize>,
    pub new: Range<usize>,
    /// For a replace: what changed inside the block, when the two sides are
    /// alike enough for a highlight to help.
    pub inline: Option<Vec<InlineChange>>,
    /// For a delete, the move it is the source of; for an insert, the move
    /// it is the destination of (index into [`Comparison::moves`]).
    pub moved: Option<usize>,
}

/// A block deleted in one place and inserted in another, maybe edited.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    /// 1-based id, in order of the source block.
    pub id: usize,
    /// Lines of the source block in the old text.
    pub old: Range<usize>,
    /// Lines of the destination block in the new text.
    pub new: Range<usize>,
    /// Similarity of the two blocks (1.0 when they are equal under the
    /// comparison options).
    pub similarity: f64,
    /// The edits made to the block after it moved, when it was edited.
    pub inline: Option<Vec<InlineChange>>,
}

/// Two texts compared: line operations with refinement and moves.
///
/// Holds ranges only; the texts stay with the caller.
#[derive(Clone, Debug)]
pub struct Comparison<'a> {
    old: &'a str,
    new: &'a str,
    old_lines: Vec<Range<usize>>,
    new_lines: Vec<Range<usize>>,
    ops: Vec<Op>,
    moves: Vec<Move>,
    similarity: f64,
    approximate: bool,
}

impl<'a> Comparison<'a> {
    /// Compares `old` with `new`.
    pub fn new(old: &'a str, new: &'a str, options: &DiffOptions) -> Comparison<'a> {
        let deadline = options.deadline.map(|d| Instant::now() + d);
        let mut keyer = Keyer::new(options);
        let ((old_lines, old_keys), (new_lines, new_keys)) = if old.len() + new.len() > PARALLEL {
            rayon::join(|| line_keys(old, options), || line_keys(new, options))
        } else {
            (line_keys(old, options), line_keys(new, options))
        };
        let interned = Interned::new(&old_keys, &new_keys);
        let (seq, approximate) = interned.diff(options.algorithm, deadline);
        let mut comparison = Comparison {
            old,
            new,
            old_lines,
            new_lines,
            ops: Vec::new(),
            moves: Vec::new(),
            similarity: 1.0,
            approximate,
        };
        let raw: Vec<(Tag, Range<usize>, Range<usize>)> =
            seq.into_iter().map(|op| (op.tag, op.old, op.new)).collect();
        let pairs = if options.detect_moves {
            comparison.pair_moves(&raw, options, &mut keyer)
        } else {
            Vec::new()
        };
        (comparison.ops, comparison.moves) = split_moved(raw, &pairs);
        let similarity = comparison.measure(&interned, &mut keyer);
        comparison.similarity = similarity.score;
        comparison.refine(Refiner {
            keyer: &mut keyer,
            granularity: options.granularity,
            algorithm: options.algorithm,
            deadline,
            approximate: false,
            loose_bytes: similarity.loose_bytes,
        });
        comparison
    }

    fn pair_moves(
        &self,
        raw: &[(Tag, Range<usize>, Range<usize>)],
        options: &DiffOptions,
        keyer: &mut Keyer,
    ) -> Vec<Pair> {
        let sides = Sides {
            old: self.old,
            new: self.new,
            old_lines: &self.old_lines,
            new_lines: &self.new_lines,
        };
        find_moves(&sides, raw, options, keyer)
    }

    fn measure(&self, interned: &Interned, keyer: &mut Keyer) -> Similarity {
        let old = Side {
            text: self.old,
            lines: &self.old_lines,
        };
        let new = Side {
            text: self.new,
            lines: &self.new_lines,
        };
        pair_similarity(&old, &new, interned, keyer)
    }

    /// Finds what changed inside replaced blocks and moved blocks (the
    /// latter by words or characters even when `--by line`).
    fn refine(&mut self, mut refiner: Refiner<'_>) {
        let (old, new) = (self.old, self.new);
        for op in self.ops.iter_mut().filter(|op| op.tag == Tag::Replace) {
            let o = bytes_of(&self.old_lines, op.old.clone(), old.len());
            let n = bytes_of(&self.new_lines, op.new.clone(), new.len());
            op.inline = refiner.refine(old, o, new, n);
        }
        if refiner.granularity == Granularity::Line {
            refiner.granularity = Granularity::Auto;
        }
        for m in &mut self.moves {
            let o = bytes_of(&self.old_lines, m.old.clone(), old.len());
            let n = bytes_of(&self.new_lines, m.new.clone(), new.len());
            if old[o.clone()] != new[n.clone()] {
                m.inline = refiner.refine(old, o, new, n);
            }
        }
        self.approximate |= refiner.approximate;
    }

    pub fn old_text(&self) -> &'a str {
        self.old
    }

    pub fn new_text(&self) -> &'a str {
        self.new
    }

    /// Byte ranges of the old text's lines, terminators included.
    pub fn old_lines(&self) -> &[Range<usize>] {
        &self.old_lines
    }

    /// Byte ranges of the new text's lines, terminators included.
    pub fn new_lines(&self) -> &[Range<usize>] {
        &self.new_lines
    }

    /// The operations, covering both texts in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// The moved blocks, in order of their source.
    pub fn moves(&self) -> &[Move] {
        &self.moves
    }

    /// Similarity of the two texts in `0.0..=1.0`, independent of the
    /// algorithm (see [`UnitBag`](super::UnitBag)).
    pub fn similarity(&self) -> f64 {
        self.similarity
    }

    /// Whether the deadline passed: the diff is correct but may be coarser
    /// than it could be.
    pub fn is_approximate(&self) -> bool {
        self.approximate
    }

    /// Whether the texts are equal (under the comparison options).
    pub fn is_equal(&self) -> bool {
        self.ops.iter().all(|op| op.tag == Tag::Equal)
    }

    /// Byte range in the old text of the lines `lines`.
    pub fn old_bytes(&self, lines: Range<usize>) -> Range<usize> {
        bytes_of(&self.old_lines, lines, self.old.len())
    }

    /// Byte range in the new text of the lines `lines`.
    pub fn new_bytes(&self, lines: Range<usize>) -> Range<usize> {
        bytes_of(&self.new_lines, lines, self.new.len())
    }

    /// Rebuilds the new text from the old one and the operations alone:
    /// equal lines and the unedited parts of replaced and moved blocks come
    /// from the old text, only inserted text from the new one. With exact
    /// comparison (no ignore or normalize option) this gives the new text
    /// byte for byte.
    pub fn apply(&self) -> String {
        let mut out = String::with_capacity(self.new.len());
        for op in &self.ops {
            let o = self.old_bytes(op.old.clone());
            let n = self.new_bytes(op.new.clone());
            match (op.tag, op.moved, &op.inline) {
                (Tag::Equal, _, _) => out.push_str(&self.old[o]),
                (Tag::Delete, _, _) => {}
                (Tag::Insert, Some(m), _) => self.apply_move(&self.moves[m], &mut out),
                (Tag::Replace, _, Some(changes)) => self.apply_inline(o, changes, &mut out),
                _ => out.push_str(&self.new[n]),
            }
        }
        out
    }

    fn apply_move(&self, m: &Move, out: &mut String) {
        let source = self.old_bytes(m.old.clone());
        match &m.inline {
            Some(changes) => self.apply_inline(source, changes, out),
            None => out.push_str(&self.new[self.new_bytes(m.new.clone())]),
        }
    }

    fn apply_inline(&self, block: Range<usize>, changes: &[InlineChange], out: &mut String) {
        let mut at = block.start;
        for c in changes {
            out.push_str(&self.old[at..c.old.start]);
            out.push_str(&self.new[c.new.clone()]);
            at = c.old.end;
        }
        out.push_str(&self.old[at..block.end]);
    }
}

/// Inputs larger than this (bytes, both together) are read on two threads.
const PARALLEL: usize = 1 << 20;

/// The lines of `text` and their comparison keys.
fn line_keys(text: &str, options: &DiffOptions) -> (Vec<Range<usize>>, Vec<u64>) {
    let mut keyer = Keyer::new(options);
    let lines = lines(text);
    let keys = lines.iter().map(|r| keyer.key(&text[r.clone()])).collect();
    (lines, keys)
}

/// Splits every replace with a moved side into a delete and an insert, and
/// numbers the moves.
fn split_moved(
    raw: Vec<(Tag, Range<usize>, Range<usize>)>,
    pairs: &[Pair],
) -> (Vec<Op>, Vec<Move>) {
    let mut ops = Vec::with_capacity(raw.len() + pairs.len());
    let mut source_at = vec![None; raw.len()];
    let mut dest_at = vec![None; raw.len()];
    let sources: HashSet<usize> = pairs.iter().map(|p| p.source_op).collect();
    let dests: HashSet<usize> = pairs.iter().map(|p| p.dest_op).collect();
    let plain = |tag, old, new| Op {
        tag,
        old,
        new,
        inline: None,
        moved: None,
    };
    for (i, (tag, old, new)) in raw.into_iter().enumerate() {
        if tag != Tag::Replace || !(sources.contains(&i) || dests.contains(&i)) {
            source_at[i] = Some(ops.len());
            dest_at[i] = Some(ops.len());
            ops.push(plain(tag, old, new));
            continue;
        }
        source_at[i] = Some(ops.len());
        ops.push(plain(Tag::Delete, old.clone(), new.start..new.start));
        dest_at[i] = Some(ops.len());
        ops.push(plain(Tag::Insert, old.end..old.end, new));
    }
    let mut moves = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let (Some(s), Some(d)) = (source_at[pair.source_op], dest_at[pair.dest_op]) else {
            continue;
        };
        let k = moves.len();
        ops[s].moved = Some(k);
        ops[d].moved = Some(k);
        moves.push(Move {
            id: k + 1,
            old: ops[s].old.clone(),
            new: ops[d].new.clone(),
            similarity: pair.similarity,
            inline: None,
        });
    }
    (ops, moves)
}
