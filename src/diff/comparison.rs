//! [`Comparison`]: the result of comparing two texts, as operations over
//! line ranges that borrow the two texts for rendering.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;
use std::time::Instant;

use super::compare::{Interned, Tag};
use super::damage::Verdicts;
use super::key::Keyer;
use super::lines::{bytes_of, line_ranges};
use super::moves::{find_moves, Pair, Sides};
use rayon::prelude::*;

use super::options::{DiffOptions, Granularity};
use super::refine::{InlineChange, Refiner};
use super::similarity::{pair_similarity, Side, Similarity};
use crate::quality::{mojibake, Damage};

/// One line operation. Line ranges are 0-based indices into the lines of
/// each text (end exclusive); an empty range marks a position.
#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    /// What the operation does.
    pub tag: Tag,
    /// The lines of the old text it covers.
    pub old: Range<usize>,
    /// The lines of the new text it covers.
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
    /// Which changes are encoding damage, judged on first use and kept:
    /// every output format asks, some twice.
    verdicts: OnceLock<Verdicts>,
}

impl<'a> Comparison<'a> {
    /// Compares `old` with `new`.
    pub fn new(old: &'a str, new: &'a str, options: &DiffOptions) -> Comparison<'a> {
        // A budget that ends past what `Instant` can count is no deadline.
        let deadline = options.deadline.and_then(|d| Instant::now().checked_add(d));
        let mut keyer = Keyer::new(options);
        let ((old_lines, old_keys), (new_lines, new_keys)) = if old.len() + new.len() > PARALLEL {
            rayon::join(|| line_keys(old, options), || line_keys(new, options))
        } else {
            (line_keys(old, options), line_keys(new, options))
        };
        let interned = Interned::new(&old_keys, &new_keys);
        let mut comparison = Comparison {
            old,
            new,
            old_lines,
            new_lines,
            ops: Vec::new(),
            moves: Vec::new(),
            similarity: 1.0,
            approximate: false,
            verdicts: OnceLock::new(),
        };
        // The line diff and the move search need no similarity, and the
        // similarity needs only the interned lines: one of each on a thread.
        let mut other = keyer.clone();
        let align = |keyer: &mut Keyer| {
            let (seq, approximate) = interned.diff(options.algorithm, deadline);
            let raw: Vec<(Tag, Range<usize>, Range<usize>)> =
                seq.into_iter().map(|op| (op.tag, op.old, op.new)).collect();
            let pairs = if options.detect_moves {
                comparison.pair_moves(&raw, options, keyer)
            } else {
                Vec::new()
            };
            (raw, pairs, approximate)
        };
        let ((raw, pairs, approximate), similarity) = if old.len() + new.len() > PARALLEL {
            rayon::join(
                || align(&mut keyer),
                || comparison.measure(&interned, &mut other),
            )
        } else {
            (align(&mut keyer), comparison.measure(&interned, &mut other))
        };
        comparison.approximate = approximate;
        (comparison.ops, comparison.moves) = split_moved(raw, &pairs);
        comparison.similarity = similarity.score;
        // Without inline changes, the blocks whose sides carry different
        // marks of a wrong decoding are still refined: whether a change is
        // encoding damage is judged on its inline changes.
        comparison.refine(
            Refiner {
                keyer: &mut keyer,
                granularity: options.granularity,
                algorithm: options.algorithm,
                deadline,
                approximate: false,
                loose_bytes: similarity.loose_bytes,
            },
            !options.inline_changes,
        );
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

    /// Finds what changed inside replaced blocks (on two threads when
    /// they are large together) and moved blocks (the latter by words or
    /// characters even when `--by line`).
    ///
    /// With `only_damaged`, only the replaced blocks that may be encoding
    /// damage ([`may_be_damage`]) are refined, and no moved block is.
    fn refine(&mut self, mut refiner: Refiner<'_>, only_damaged: bool) {
        let (old, new) = (self.old, self.new);
        let blocks: Vec<(usize, Range<usize>, Range<usize>)> = self
            .ops
            .iter()
            .enumerate()
            .filter(|(_, op)| op.tag == Tag::Replace)
            .map(|(i, op)| {
                (
                    i,
                    self.old_bytes(op.old.clone()),
                    self.new_bytes(op.new.clone()),
                )
            })
            .filter(|(_, o, n)| !only_damaged || may_be_damage(&old[o.clone()], &new[n.clone()]))
            .collect();
        let bytes: usize = blocks.iter().map(|(_, o, n)| o.len() + n.len()).sum();
        let refined: Vec<(Option<Vec<InlineChange>>, bool)> = if bytes > PARALLEL_REFINE {
            let settings = &refiner;
            blocks
                .par_iter()
                .map_init(
                    || settings.keyer.clone(),
                    |keyer, (_, o, n)| {
                        let mut refiner = settings.with(keyer);
                        let inline = refiner.refine(old, o.clone(), new, n.clone());
                        (inline, refiner.approximate)
                    },
                )
                .collect()
        } else {
            let refiner = &mut refiner;
            blocks
                .iter()
                .map(|(_, o, n)| (refiner.refine(old, o.clone(), new, n.clone()), false))
                .collect()
        };
        for ((i, _, _), (inline, approximate)) in blocks.iter().zip(refined) {
            self.ops[*i].inline = inline;
            refiner.approximate |= approximate;
        }
        if only_damaged {
            self.approximate |= refiner.approximate;
            return;
        }
        if refiner.granularity == Granularity::Line {
            refiner.granularity = Granularity::Auto;
        }
        for m in &mut self.moves {
            let o = bytes_of(&self.old_lines, m.old.clone(), old.len());
            let n = bytes_of(&self.new_lines, m.new.clone(), new.len());
            if old[o.clone()] != new[n.clone()] {
                // A moved block that differs is edited, and says so: when
                // the refiner shows it as one change (one word recased, or
                // two sides it gave up on), that change is the whole block.
                m.inline = refiner.refine(old, o.clone(), new, n.clone()).or_else(|| {
                    Some(vec![InlineChange {
                        tag: Tag::of(&o, &n),
                        old: o,
                        new: n,
                    }])
                });
            }
        }
        self.approximate |= refiner.approximate;
    }

    /// The old text, as given.
    pub fn old_text(&self) -> &'a str {
        self.old
    }

    /// The new text, as given.
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

    /// The encoding-damage verdicts of every change, judged once.
    pub(super) fn verdicts(&self) -> &Verdicts {
        self.verdicts.get_or_init(|| Verdicts::of(self))
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
/// Replaced blocks larger than this (bytes, all together) are refined on
/// two threads.
const PARALLEL_REFINE: usize = 64 * 1024;

/// The lines of `text` and their comparison keys, each line hashed as soon
/// as it is found (while its bytes are in the cache).
fn line_keys(text: &str, options: &DiffOptions) -> (Vec<Range<usize>>, Vec<u64>) {
    let mut keyer = Keyer::new(options);
    let estimate = text.len() / 64 + 1;
    let (mut lines, mut keys) = (Vec::with_capacity(estimate), Vec::with_capacity(estimate));
    for line in line_ranges(text) {
        keys.push(keyer.key(&text[line.clone()]));
        lines.push(line);
    }
    (lines, keys)
}

/// Carves the moved blocks out of their operations and numbers the moves.
///
/// An operation with a moved part becomes, in order: what comes before the
/// moved parts (a replace, delete or insert), the moved-away lines (a
/// delete), the moved-here lines (an insert), and what comes after. A side
/// without a moved part goes with whichever of before and after has lines
/// on the other side.
/// Whether a replaced block may be encoding damage on one side: one side
/// is not plain ASCII and the sides carry different marks of a wrong
/// decoding (the damage signals, or Latin mojibake). A quick look, so that
/// a diff that shows no inline changes refines only these blocks.
fn may_be_damage(old: &str, new: &str) -> bool {
    if old.is_ascii() && new.is_ascii() {
        return false;
    }
    let marks = |text: &str| Damage::of(text).points() + mojibake::marks(text) as u64;
    marks(old) != marks(new)
}

fn split_moved(
    raw: Vec<(Tag, Range<usize>, Range<usize>)>,
    pairs: &[Pair],
) -> (Vec<Op>, Vec<Move>) {
    let mut moved_old: HashMap<usize, (Range<usize>, usize)> = HashMap::new();
    let mut moved_new: HashMap<usize, (Range<usize>, usize)> = HashMap::new();
    for (k, pair) in pairs.iter().enumerate() {
        moved_old.insert(pair.source_op, (pair.old.clone(), k));
        moved_new.insert(pair.dest_op, (pair.new.clone(), k));
    }
    let mut ops = Vec::with_capacity(raw.len() + 3 * pairs.len());
    for (i, (tag, old, new)) in raw.into_iter().enumerate() {
        let (m_old, m_new) = (moved_old.get(&i), moved_new.get(&i));
        if m_old.is_none() && m_new.is_none() {
            ops.push(plain(tag, old, new));
            continue;
        }
        carve(&mut ops, old, new, m_old.cloned(), m_new.cloned());
    }
    let moves = pairs
        .iter()
        .enumerate()
        .map(|(k, pair)| Move {
            id: k + 1,
            old: pair.old.clone(),
            new: pair.new.clone(),
            similarity: pair.similarity,
            inline: None,
        })
        .collect();
    (ops, moves)
}

/// An op with no inline changes and no move.
pub(crate) fn plain(tag: Tag, old: Range<usize>, new: Range<usize>) -> Op {
    Op {
        tag,
        old,
        new,
        inline: None,
        moved: None,
    }
}

/// Splits one operation around its moved parts (see [`split_moved`]).
fn carve(
    ops: &mut Vec<Op>,
    old: Range<usize>,
    new: Range<usize>,
    m_old: Option<(Range<usize>, usize)>,
    m_new: Option<(Range<usize>, usize)>,
) {
    let split = |side: &Range<usize>, moved: &Option<(Range<usize>, usize)>| match moved {
        Some((m, _)) => (side.start..m.start, m.clone(), m.end..side.end),
        None => (side.clone(), side.end..side.end, side.end..side.end),
    };
    let (mut old_pre, old_mid, mut old_post) = split(&old, &m_old);
    let (mut new_pre, new_mid, mut new_post) = split(&new, &m_new);
    // A side without a moved part goes after the moved lines when only the
    // other side's after part has lines.
    if m_old.is_none() && new_pre.is_empty() && !new_post.is_empty() {
        (old_pre, old_post) = (old.start..old.start, old.clone());
    }
    if m_new.is_none() && old_pre.is_empty() && !old_post.is_empty() {
        (new_pre, new_post) = (new.start..new.start, new.clone());
    }
    push_change(ops, old_pre, new_pre.clone());
    if let Some((_, k)) = m_old {
        let at = new_pre.end;
        let mut op = plain(Tag::Delete, old_mid.clone(), at..at);
        op.moved = Some(k);
        ops.push(op);
    }
    if let Some((_, k)) = m_new {
        let at = if m_old.is_some() {
            old_mid.end
        } else {
            old_post.start
        };
        let mut op = plain(Tag::Insert, at..at, new_mid);
        op.moved = Some(k);
        ops.push(op);
    }
    push_change(ops, old_post, new_post);
}

/// Pushes a change between two ranges, if either has lines.
fn push_change(ops: &mut Vec<Op>, old: Range<usize>, new: Range<usize>) {
    let tag = match (old.is_empty(), new.is_empty()) {
        (true, true) => return,
        (false, false) => Tag::Replace,
        (false, true) => Tag::Delete,
        (true, false) => Tag::Insert,
    };
    ops.push(plain(tag, old, new));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare<'a>(old: &'a str, new: &'a str) -> Comparison<'a> {
        Comparison::new(old, new, &DiffOptions::new())
    }

    const BLOCK: &str = "A block of text that is long enough to move.\n";

    #[test]
    fn an_exact_move_is_one_move_of_similarity_one() {
        let old = format!("one\n{BLOCK}two\nthree\nfour\n");
        let new = format!("one\ntwo\nthree\n{BLOCK}four\n");
        let c = compare(&old, &new);
        assert_eq!(c.moves().len(), 1);
        let m = &c.moves()[0];
        assert_eq!(
            (m.old.clone(), m.new.clone(), m.similarity),
            (1..2, 3..4, 1.0)
        );
        assert_eq!(m.inline, None);
        let tagged: Vec<(Tag, Option<usize>)> = c
            .ops()
            .iter()
            .filter(|op| op.tag != Tag::Equal)
            .map(|op| (op.tag, op.moved))
            .collect();
        assert_eq!(tagged, vec![(Tag::Delete, Some(0)), (Tag::Insert, Some(0))]);
        assert_eq!(c.apply(), new);
    }

    #[test]
    fn an_edited_move_carries_its_inner_edits() {
        let old = format!("one\n{BLOCK}two\nthree\nfour\n");
        let edited = BLOCK.replace("long", "large");
        let new = format!("one\ntwo\nthree\n{edited}four\n");
        let c = compare(&old, &new);
        assert_eq!(c.moves().len(), 1);
        let inline = c.moves()[0].inline.as_ref().expect("inner edits");
        assert_eq!(inline.len(), 1);
        assert_eq!(&new[inline[0].new.clone()], "large");
        assert_eq!(c.apply(), new);
    }

    #[test]
    fn a_block_moved_with_only_case_and_width_changes_pairs_by_its_normalized_hash() {
        let old = format!("one\n{BLOCK}two\nthree\nfour\n");
        let changed = BLOCK.replace("text", "TEXT").replace("move", "ｍｏｖｅ");
        let new = format!("one\ntwo\nthree\n{changed}four\n");
        let c = compare(&old, &new);
        assert_eq!(c.moves().len(), 1);
        assert_eq!(c.moves()[0].similarity, 1.0);
        assert!(c.moves()[0].inline.is_some());
        assert_eq!(c.apply(), new);
    }

    #[test]
    fn a_moved_line_changed_as_one_word_is_an_edited_move() {
        // Found by fuzzing: a one-word line recased on its way is paired by
        // its normalized hash (similarity 1), and the word diff is one
        // change of the whole line, which the refiner leaves out.
        let (old, new) = ("\nUuu", "uuu\n\n");
        let mut options = DiffOptions::new();
        options.min_move_letters(3);
        let c = Comparison::new(old, new, &options);
        assert_eq!(c.moves().len(), 1, "{c:?}");
        let m = &c.moves()[0];
        let inline = m.inline.as_ref().expect("an edited move has its changes");
        assert_eq!(inline.len(), 1);
        assert_eq!(&old[inline[0].old.clone()], "Uuu");
        assert_eq!(&new[inline[0].new.clone()], "uuu\n");
        assert_eq!(c.apply(), new);
    }

    #[test]
    fn a_paragraph_moved_across_blank_lines_is_an_unedited_move() {
        let p = [
            "First paragraph, several words long.\n",
            "Second paragraph moves to the end.\n",
            "Third paragraph stays more or less.\n",
        ];
        let old = [p[0], "\n", p[1], "\n", p[2]].concat();
        let new = [p[0], "\n", p[2], "\n", p[1]].concat();
        let c = compare(&old, &new);
        assert_eq!(c.moves().len(), 1);
        assert_eq!(c.moves()[0].inline, None);
        assert_eq!(c.moves()[0].old.len(), 1);
        assert_eq!(c.apply(), new);
    }

    #[test]
    fn blank_lines_left_by_a_cut_stranger_line_do_not_move() {
        let p = [
            "First paragraph, several words long.\n",
            "Second paragraph stays where it was.\n",
            "Third paragraph moves to the end.\n",
            "Fourth paragraph stays more or less.\n",
            "Fifth paragraph closes the text.\n",
        ];
        let old = p.concat();
        // The moved paragraph arrives followed by blank lines and a line
        // that shares no word with it: neither is part of the move.
        let new = [
            p[0],
            p[1],
            p[3],
            p[4],
            p[2],
            "\n\n\n\n\n",
            "Zebras quilt xylophones\n",
        ]
        .concat();
        let c = compare(&old, &new);
        assert_eq!(c.moves().len(), 1);
        let m = &c.moves()[0];
        assert_eq!((m.old.clone(), m.new.clone()), (2..3, 4..5), "{m:?}");
        assert_eq!((m.similarity, m.inline.is_none()), (1.0, true), "{m:?}");
        assert_eq!(c.apply(), new);
    }

    #[test]
    fn an_edit_in_place_is_not_a_move() {
        let old = format!("one\n{BLOCK}two\n");
        let new = format!("one\n{}two\n", BLOCK.replace("long", "large"));
        let c = compare(&old, &new);
        assert!(c.moves().is_empty());
        assert_eq!(c.ops()[1].tag, Tag::Replace);
        assert!(c.ops()[1].inline.is_some());
    }

    #[test]
    fn a_cjk_sentence_of_twenty_characters_can_move() {
        let zh = "群团事业是党的事业的重要组成部分做好群团工作\n";
        let old = format!("{zh}a\nb\nc\n");
        let new = format!("a\nb\nc\n{zh}");
        assert_eq!(compare(&old, &new).moves().len(), 1);
        let short = "群团事业是党的事业\n";
        let old = format!("{short}a\nb\nc\n");
        let new = format!("a\nb\nc\n{short}");
        assert!(compare(&old, &new).moves().is_empty());
    }

    #[test]
    fn a_deadline_past_what_the_clock_counts_is_no_deadline() {
        // Regression: `Instant::now() + deadline` panicked on overflow.
        let mut options = DiffOptions::new();
        options.deadline(Some(std::time::Duration::MAX));
        let c = Comparison::new("one\ntwo\n", "one\nthree\n", &options);
        assert!(!c.is_approximate());
        assert_eq!(c.apply(), "one\nthree\n");
    }

    #[test]
    fn without_inline_changes_only_blocks_that_may_be_damage_are_refined() {
        let old = "開頭一行。\n候選人。縣以上人大代表\n中間一行。\n今天天氣很好\n結尾一行。\n";
        let new = "開頭一行。\n候選人?h以上人大代表\n中間一行。\n今天天氣不好\n結尾一行。\n";
        let mut options = DiffOptions::new();
        options.inline_changes(false);
        let c = Comparison::new(old, new, &options);
        let replaced: Vec<&Op> = c.ops().iter().filter(|op| op.tag == Tag::Replace).collect();
        assert_eq!(replaced.len(), 2, "{:?}", c.ops());
        assert!(replaced[0].inline.is_some(), "the damaged line is refined");
        assert_eq!(
            crate::diff::op_damage(&c, replaced[0]),
            Some(crate::diff::DamagedSide::New)
        );
        assert_eq!(replaced[1].inline, None, "an edit is not");
    }

    #[test]
    fn without_inline_changes_the_lines_and_moves_are_the_same() {
        let old = format!("one\n{BLOCK}two\nthree\nfour\nThe quick brown fox.\n");
        let edited = BLOCK.replace("long", "large");
        let new = format!("one\ntwo\nthree\n{edited}four\nThe quick red fox.\n");
        let full = compare(&old, &new);
        let mut options = DiffOptions::new();
        options.inline_changes(false);
        let lines = Comparison::new(&old, &new, &options);
        let strip = |c: &Comparison<'_>| {
            let ops: Vec<Op> = c
                .ops()
                .iter()
                .map(|op| Op {
                    inline: None,
                    ..op.clone()
                })
                .collect();
            let moves: Vec<Move> = c
                .moves()
                .iter()
                .map(|m| Move {
                    inline: None,
                    ..m.clone()
                })
                .collect();
            (ops, moves, c.similarity(), c.is_approximate())
        };
        assert!(full.ops().iter().any(|op| op.inline.is_some()));
        assert!(full.moves()[0].inline.is_some());
        assert!(lines.ops().iter().all(|op| op.inline.is_none()));
        assert!(lines.moves().iter().all(|m| m.inline.is_none()));
        assert_eq!(strip(&lines), strip(&full));
        assert_eq!(lines.apply(), new);
    }

    #[test]
    fn similarity_ignores_order_and_algorithm() {
        let old = "alpha line\nbeta line\ngamma line\n";
        let new = "gamma line\nalpha line\nbeta line\n";
        assert_eq!(compare(old, new).similarity(), 1.0);
        let mut options = DiffOptions::new();
        options.algorithm(super::super::Algorithm::Patience);
        let patience = Comparison::new(old, "alpha\nbeta line\n", &options).similarity();
        assert_eq!(compare(old, "alpha\nbeta line\n").similarity(), patience);
    }
}
