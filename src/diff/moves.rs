//! Moved blocks: a block deleted in one place and inserted in another.
//!
//! The candidates are the deleted and the inserted sides of the line
//! operations, when they hold at least `min_move_letters` Unicode letters or
//! digits (so a short CJK sentence counts as much as a Latin one of the same
//! number of letters). They are paired in two passes:
//!
//! 1. by the hash of the whole block in normalized form (NFKC, case fold,
//!    whitespace and punctuation folded), so a block moved with only such
//!    changes is a move of similarity 1 (its changes are still shown);
//! 2. by similarity: each block is a bag of token bigrams (pairs of
//!    neighbouring words, or of CJK characters), candidates are found through a bottom-k sketch of the bags and
//!    checked by the Dice coefficient; a pair must reach `move_similarity`,
//!    and a block that was replaced in place must be more like the far block
//!    than like its own replacement. The best pairs are taken first, and
//!    lines at the edges of a pair that share no token with the other block
//!    are trimmed off (they are a change next to the move, not part of it).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rayon::prelude::*;

use super::compare::Tag;
use super::key::Keyer;
use super::lines::{bytes_of, trim_terminator};
use super::options::{DiffOptions, Granularity};
use super::similarity::sorted_dice;
use super::tokens::{has_letters, tokens};

/// Sketch size: how many of a bag's smallest keys are indexed.
const SKETCH: usize = 8;
/// Sketch keys shared by more inserted blocks than this are too common to
/// find candidates with (like stop words).
const MAX_POSTING: usize = 32;
/// Most candidates checked for one deleted block.
const MAX_CANDIDATES: usize = 32;
/// Sides larger than this (bytes, all together) are made into blocks on
/// two threads.
const PARALLEL: usize = 64 * 1024;
/// More sources than this are compared with their candidates on two
/// threads.
const PARALLEL_SOURCES: usize = 256;
/// Blocks larger than this (bytes) can only move unedited.
const MAX_SIMILAR_BLOCK: usize = 256 * 1024;

/// A deleted side paired with an inserted side.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pair {
    pub source_op: usize,
    pub dest_op: usize,
    pub similarity: f64,
    /// Lines of the moved block in the old text (within the source op's).
    pub old: Range<usize>,
    /// Lines of the moved block in the new text (within the dest op's).
    pub new: Range<usize>,
}

/// One side of an operation that could be part of a move.
struct Block {
    op: usize,
    exact_key: u64,
    bag: Vec<u64>,
}

/// The texts and line tables a move search reads.
pub(crate) struct Sides<'a> {
    pub old: &'a str,
    pub new: &'a str,
    pub old_lines: &'a [Range<usize>],
    pub new_lines: &'a [Range<usize>],
}

impl<'a> Sides<'a> {
    /// The old and the new text, each with its lines.
    fn texts(&self) -> (Text<'a>, Text<'a>) {
        (
            Text {
                text: self.old,
                lines: self.old_lines,
            },
            Text {
                text: self.new,
                lines: self.new_lines,
            },
        )
    }
}

/// Finds moves among `ops` (tag, old lines, new lines).
pub(crate) fn find_moves(
    sides: &Sides<'_>,
    ops: &[(Tag, Range<usize>, Range<usize>)],
    options: &DiffOptions,
    keyer: &mut Keyer,
) -> Vec<Pair> {
    let granularity = match options.granularity {
        Granularity::Line => Granularity::Auto,
        g => g,
    };
    let mut sides_of = Vec::new();
    for (i, (tag, o, n)) in ops.iter().enumerate() {
        if matches!(tag, Tag::Delete | Tag::Replace) {
            sides_of.push((i, true, o.clone()));
        }
        if matches!(tag, Tag::Insert | Tag::Replace) {
            sides_of.push((i, false, n.clone()));
        }
    }
    let first_op = sides_of.first().map(|s| s.0);
    if sides_of.iter().all(|s| Some(s.0) == first_op) {
        return Vec::new();
    }
    let mut sources = Vec::new();
    let mut dests = Vec::new();
    for (is_source, block) in blocks(
        sides,
        &sides_of,
        options.min_move_letters,
        granularity,
        keyer,
    ) {
        if is_source {
            sources.push(block);
        } else {
            dests.push(block);
        }
    }
    if sources.is_empty() || dests.is_empty() {
        return Vec::new();
    }
    let mut pairs = exact_pairs(&sources, &dests);
    pairs.extend(similar_pairs(
        &sources,
        &dests,
        &pairs,
        options.move_similarity,
    ));
    pairs.sort_by_key(|p| p.source_op);
    let edges = |keyer: &mut Keyer, pair: &mut Pair| {
        pair.old = ops[pair.source_op].1.clone();
        pair.new = ops[pair.dest_op].2.clone();
        let whole = (pair.old.clone(), pair.new.clone());
        trim_blank_edges(sides, pair);
        if pair.similarity < 1.0 {
            trim(sides, pair, &whole, granularity, keyer);
        }
    };
    let (old, new) = sides.texts();
    let bytes: usize = pairs
        .iter()
        .map(|p| {
            let o = old.block(ops[p.source_op].1.clone()).len();
            o + new.block(ops[p.dest_op].2.clone()).len()
        })
        .sum();
    if pairs.len() > 1 && bytes > PARALLEL {
        pairs.par_iter_mut().for_each_init(|| keyer.clone(), edges);
    } else {
        pairs.iter_mut().for_each(|pair| edges(keyer, pair));
    }
    pairs
}

/// The sides of operations (op, whether a source, lines) that hold at
/// least `least_letters` letters or digits, as blocks, in order, each with
/// whether it is a source. Many sides together are made on two threads.
fn blocks(
    sides: &Sides<'_>,
    sides_of: &[(usize, bool, Range<usize>)],
    least_letters: usize,
    granularity: Granularity,
    keyer: &Keyer,
) -> Vec<(bool, Block)> {
    let body = |is_source: bool, range: &Range<usize>| {
        let (text, lines) = if is_source {
            (sides.old, sides.old_lines)
        } else {
            (sides.new, sides.new_lines)
        };
        &text[bytes_of(lines, range.clone(), text.len())]
    };
    let keyers = || {
        (
            Keyer::new(DiffOptions::new().normalize(true)),
            keyer.clone(),
        )
    };
    let block = |(normal, keyer): &mut (Keyer, Keyer), side: &(usize, bool, Range<usize>)| {
        let &(op, is_source, ref range) = side;
        let body = body(is_source, range);
        if !has_letters(body, least_letters) {
            return None;
        }
        let block = Block {
            op,
            exact_key: normal.key(trim_terminator(body)),
            bag: bag(body, granularity, keyer),
        };
        Some((is_source, block))
    };
    let bytes: usize = sides_of.iter().map(|(_, s, r)| body(*s, r).len()).sum();
    let made: Vec<Option<(bool, Block)>> = if bytes > PARALLEL {
        sides_of.par_iter().map_init(keyers, block).collect()
    } else {
        let mut keyers = keyers();
        sides_of
            .iter()
            .map(|side| block(&mut keyers, side))
            .collect()
    };
    made.into_iter().flatten().collect()
}

/// Drops blank lines at an edge of one block when the other block has
/// none there: a paragraph moved with the blank line before it, to a place
/// where the blank line comes after it, is the same paragraph.
fn trim_blank_edges(sides: &Sides<'_>, pair: &mut Pair) {
    let (old, new) = sides.texts();
    let blank = |side: &Text<'_>, i: usize| side.line(i).trim().is_empty();
    let (old_first, new_first) = (blank(&old, pair.old.start), blank(&new, pair.new.start));
    if old_first != new_first {
        let (side, range) = if old_first {
            (&old, &mut pair.old)
        } else {
            (&new, &mut pair.new)
        };
        while range.len() > 1 && blank(side, range.start) {
            range.start += 1;
        }
    }
    let (old_last, new_last) = (blank(&old, pair.old.end - 1), blank(&new, pair.new.end - 1));
    if old_last != new_last {
        let (side, range) = if old_last {
            (&old, &mut pair.old)
        } else {
            (&new, &mut pair.new)
        };
        while range.len() > 1 && blank(side, range.end - 1) {
            range.end -= 1;
        }
    }
}

/// Drops from the edges of an edited move the lines that share no word or
/// character with the other block (a changed line next to where the block
/// left or arrived), and the blank lines that cutting them leaves at an
/// edge, then measures the similarity of what remains (unless nothing was
/// dropped from the `whole` sides the pair was found on).
fn trim(
    sides: &Sides<'_>,
    pair: &mut Pair,
    whole: &(Range<usize>, Range<usize>),
    granularity: Granularity,
    keyer: &mut Keyer,
) {
    let (old, new) = sides.texts();
    let mut words = |body: &str| vocabulary(body, granularity, keyer);
    let old_words = words(old.block(pair.old.clone()));
    let new_words = words(new.block(pair.new.clone()));
    let stranger =
        |line: &str, other: &HashSet<u64>, words: &mut dyn FnMut(&str) -> HashSet<u64>| {
            let own = words(line);
            !own.is_empty() && own.is_disjoint(other)
        };
    while pair.new.len() > 1 && stranger(new.line(pair.new.start), &old_words, &mut words) {
        pair.new.start += 1;
    }
    while pair.new.len() > 1 && stranger(new.line(pair.new.end - 1), &old_words, &mut words) {
        pair.new.end -= 1;
    }
    while pair.old.len() > 1 && stranger(old.line(pair.old.start), &new_words, &mut words) {
        pair.old.start += 1;
    }
    while pair.old.len() > 1 && stranger(old.line(pair.old.end - 1), &new_words, &mut words) {
        pair.old.end -= 1;
    }
    // A stranger line cut away may leave blank lines at the new edge.
    trim_blank_edges(sides, pair);
    if (&pair.old, &pair.new) == (&whole.0, &whole.1) {
        // The blocks as paired: their similarity is already known.
        return;
    }
    let old_bag = bag(old.block(pair.old.clone()), granularity, keyer);
    let new_bag = bag(new.block(pair.new.clone()), granularity, keyer);
    if !old_bag.is_empty() || !new_bag.is_empty() {
        pair.similarity = sorted_dice(&old_bag, &new_bag);
    }
}

/// One side's text and lines.
struct Text<'a> {
    text: &'a str,
    lines: &'a [Range<usize>],
}

impl<'a> Text<'a> {
    fn block(&self, range: Range<usize>) -> &'a str {
        &self.text[bytes_of(self.lines, range, self.text.len())]
    }

    fn line(&self, i: usize) -> &'a str {
        &self.text[self.lines[i].clone()]
    }
}

/// The distinct non-blank tokens of a text, as keys.
fn vocabulary(body: &str, granularity: Granularity, keyer: &mut Keyer) -> HashSet<u64> {
    tokens(body, 0, granularity)
        .into_iter()
        .map(|r| &body[r])
        .filter(|t| !t.trim().is_empty())
        .map(|t| keyer.key(t))
        .collect()
}

/// The sorted token bigrams of a block (its tokens when it has one), or
/// nothing for a block too large to be compared by similarity.
fn bag(body: &str, granularity: Granularity, keyer: &mut Keyer) -> Vec<u64> {
    if body.len() > MAX_SIMILAR_BLOCK {
        return Vec::new();
    }
    let keys: Vec<u64> = tokens(body, 0, granularity)
        .into_iter()
        .map(|r| &body[r])
        .filter(|t| !t.trim().is_empty())
        .map(|t| keyer.key(t))
        .collect();
    let mut bag: Vec<u64> = if keys.len() < 2 {
        keys
    } else {
        keys.windows(2)
            .map(|w| w[0].rotate_left(21) ^ w[1].wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect()
    };
    bag.sort_unstable();
    bag
}

fn exact_pairs(sources: &[Block], dests: &[Block]) -> Vec<Pair> {
    let mut by_key: HashMap<u64, Vec<usize>> = HashMap::new();
    for (d, block) in dests.iter().enumerate().rev() {
        by_key.entry(block.exact_key).or_default().push(d);
    }
    let mut pairs = Vec::new();
    for source in sources {
        let Some(found) = by_key.get_mut(&source.exact_key) else {
            continue;
        };
        if let Some(pos) = found.iter().rposition(|&d| dests[d].op != source.op) {
            let d = found.remove(pos);
            pairs.push(Pair {
                source_op: source.op,
                dest_op: dests[d].op,
                similarity: 1.0,
                old: 0..0,
                new: 0..0,
            });
        }
    }
    pairs
}

fn similar_pairs(sources: &[Block], dests: &[Block], taken: &[Pair], least: f64) -> Vec<Pair> {
    let taken_sources: HashSet<usize> = taken.iter().map(|p| p.source_op).collect();
    let taken_dests: HashSet<usize> = taken.iter().map(|p| p.dest_op).collect();
    let used_source = |op| taken_sources.contains(&op);
    let used_dest = |op| taken_dests.contains(&op);
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    for (d, block) in dests.iter().enumerate() {
        if !used_dest(block.op) {
            for key in sketch(&block.bag) {
                index.entry(key).or_default().push(d);
            }
        }
    }
    let own: HashMap<usize, &Block> = dests.iter().map(|b| (b.op, b)).collect();
    let many = sources.len() > PARALLEL_SOURCES;
    let in_place = |s: &Block| own.get(&s.op).map(|d| (s.op, sorted_dice(&s.bag, &d.bag)));
    let in_place_of_dest: HashMap<usize, f64> = if many {
        sources.par_iter().filter_map(in_place).collect()
    } else {
        sources.iter().filter_map(in_place).collect()
    };
    let found_for = |source: &Block| {
        let mut found = Vec::new();
        let candidates: Vec<usize> = sketch(&source.bag)
            .filter_map(|k| index.get(&k))
            .filter(|posting| posting.len() <= MAX_POSTING)
            .flatten()
            .copied()
            .collect();
        if source.bag.is_empty() {
            return found;
        }
        let candidates = best_candidates(candidates);
        let in_place = in_place_of_dest.get(&source.op).copied().unwrap_or(0.0);
        for d in candidates {
            let dest = &dests[d];
            let (a, b) = (source.bag.len(), dest.bag.len());
            // The most the two could share, from their sizes alone.
            let bound = 2.0 * a.min(b) as f64 / ((a + b) as f64);
            let dest_in_place = in_place_of_dest.get(&dest.op).copied().unwrap_or(0.0);
            if dest.op == source.op || bound < least || bound <= in_place || bound <= dest_in_place
            {
                continue;
            }
            let similarity = sorted_dice(&source.bag, &dest.bag);
            if similarity >= least && similarity > in_place && similarity > dest_in_place {
                found.push((similarity, source.op, dest.op));
            }
        }
        found
    };
    let open = |s: &&Block| !used_source(s.op);
    let mut found: Vec<(f64, usize, usize)> = if many {
        sources
            .par_iter()
            .filter(open)
            .flat_map_iter(found_for)
            .collect()
    } else {
        sources.iter().filter(open).flat_map(found_for).collect()
    };
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut pairs: Vec<Pair> = Vec::new();
    let (mut paired_sources, mut paired_dests) = (HashSet::new(), HashSet::new());
    for (similarity, source_op, dest_op) in found {
        if !paired_sources.insert(source_op) {
            continue;
        }
        if !paired_dests.insert(dest_op) {
            paired_sources.remove(&source_op);
            continue;
        }
        pairs.push(Pair {
            source_op,
            dest_op,
            similarity,
            old: 0..0,
            new: 0..0,
        });
    }
    pairs
}

/// The distinct candidates, those sharing the most sketch keys first, at
/// most `MAX_CANDIDATES`.
fn best_candidates(mut found: Vec<usize>) -> Vec<usize> {
    found.sort_unstable();
    let mut counted: Vec<(usize, usize)> = Vec::new();
    for d in found {
        match counted.last_mut() {
            Some((last, n)) if *last == d => *n += 1,
            _ => counted.push((d, 1)),
        }
    }
    counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counted.truncate(MAX_CANDIDATES);
    counted.into_iter().map(|(d, _)| d).collect()
}

/// The smallest distinct keys of a sorted bag.
fn sketch(bag: &[u64]) -> impl Iterator<Item = u64> + '_ {
    let mut last = None;
    bag.iter()
        .copied()
        .filter(move |&k| {
            let fresh = last != Some(k);
            last = Some(k);
            fresh
        })
        .take(SKETCH)
}
