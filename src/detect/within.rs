//! Blocks that a document repeats inside itself.
//!
//! Detection runs in four steps, each about linear in the number of segments:
//!
//! 1. **Pairs.** Segments with the same normalized hash are exact pairs;
//!    segments that share an LSH band of their MinHash signatures are
//!    near-pair candidates, kept when the exact Jaccard similarity of their
//!    shingle sets reaches the threshold. Inside a hash group or a band bucket
//!    each segment is paired with its next [`WithinConfig::neighbours`] members
//!    only, so a segment repeated a thousand times costs a thousand pairs, not
//!    half a million.
//! 2. **Runs.** Pairs that advance together (i→j, i+1→j+1, …) are chained
//!    into runs, tolerating up to [`WithinConfig::max_gap`] segments that one
//!    copy lacks, adds or changes beyond recognition. A run whose copies would
//!    overlap (a tandem repeat) is cut at the period.
//! 3. **Blocks.** Runs are taken longest first. A run whose two sides already
//!    are two aligned copies of a block adds nothing; a run from a copy to new
//!    text adds a copy; anything else makes a new block. A near (not exact)
//!    one-segment repeat inside one copy of a larger block is a heading echo,
//!    not a repeat, and is dropped.
//! 4. **Alignment.** Each copy's edges grow by the neighbouring segment pair
//!    when it is at least half as similar as the threshold asks, then line by
//!    line over lines that all copies share; then its segments are aligned with the first copy's to list
//!    where it differs.

use std::ops::Range;

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::runs::{chain, for_neighbours, Pair, Run};
use crate::document::{LineIndex, LineRange, Span};
use crate::fingerprint::Fingerprint;
use crate::sketch::Lsh;

/// Settings of in-document detection.
#[derive(Clone, Debug)]
pub struct WithinConfig {
    /// Jaccard similarity of shingle sets from which two segments are near
    /// duplicates. Default
    /// [`DEFAULT_THRESHOLD`](crate::DEFAULT_THRESHOLD).
    pub threshold: f64,
    /// Segments one copy may lack, add or change beyond recognition before a
    /// run breaks. Default 2.
    pub max_gap: usize,
    /// Smallest block reported, in units (CJK characters or words) of one
    /// copy. Default 10.
    pub min_units: usize,
    /// Later members of a hash group or band bucket each segment is paired
    /// with. Default 8.
    pub neighbours: usize,
}

impl Default for WithinConfig {
    fn default() -> WithinConfig {
        WithinConfig {
            threshold: crate::DEFAULT_THRESHOLD,
            max_gap: 2,
            min_units: 10,
            neighbours: 8,
        }
    }
}

/// A region of text that occurs two or more times in a document.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Block {
    /// Every occurrence, in document order.
    pub copies: Vec<BlockCopy>,
    /// Segments in the first copy.
    pub segments: usize,
    /// Mean similarity of the other copies to the first (1.0 when exact).
    pub similarity: f64,
    /// Every copy is byte-for-byte the same text.
    pub exact: bool,
    /// Segment pairs where a copy departs from the first copy.
    pub differing: Vec<Differing>,
}

/// One occurrence of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlockCopy {
    /// The copy's bytes and lines in the document's text.
    pub span: Span,
    /// Indices of the segments it covers.
    pub segments: Range<usize>,
}

/// A segment where copy `copy` departs from the first copy: each side is the
/// span that differs, `None` where a segment exists in only one copy.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Differing {
    /// Index into [`Block::copies`], ≥ 1.
    pub copy: usize,
    /// The first copy's differing segment.
    pub first: Option<Span>,
    /// Copy `copy`'s differing segment.
    pub other: Option<Span>,
    /// Jaccard similarity of the two segments' shingle sets; 0 for a one-sided
    /// segment.
    pub similarity: f64,
}

/// Finds the blocks repeated in `text`, given its segments and their
/// fingerprints (same length, same order).
pub fn find_blocks(
    text: &str,
    index: &LineIndex,
    segments: &[Span],
    prints: &[Fingerprint],
    config: &WithinConfig,
) -> Vec<Block> {
    debug_assert_eq!(segments.len(), prints.len());
    let pairs = candidate_pairs(prints, config);
    let runs = chain_runs(pairs, config.max_gap);
    let groups = group_runs(runs, prints, config);
    let doc = Doc {
        text,
        index,
        segments,
        prints,
        config,
    };
    let mut blocks: Vec<Block> = groups
        .into_iter()
        .filter(|copies| doc.units(&copies[0]) >= config.min_units)
        .map(|copies| doc.build_block(copies))
        .collect();
    blocks.sort_by_key(|block| {
        (
            block.copies[0].span.bytes.start,
            block.copies[0].span.bytes.end,
        )
    });
    blocks
}

/// Low bits of a packed band key that hold the segment index.
const SEGMENT_MASK: u64 = (1 << 20) - 1;

/// Step 1: exact pairs by hash, near pairs by LSH band, each verified.
///
/// Groups are found by sorting `(key, segment)` entries rather than filling
/// a map of lists: one allocation instead of one per key (every segment has
/// a key per band, nearly all unique), and no hashing of keys that are
/// hashes already. Sorting keeps each group's members in segment order, so
/// the neighbours paired are the same; pairs are sorted at the end, so the
/// order in which groups are visited does not matter.
fn candidate_pairs(prints: &[Fingerprint], config: &WithinConfig) -> Vec<Pair> {
    let mut pairs = Vec::new();
    if prints.len() < 2 {
        // A pair needs two segments: skip the band keys and their sort.
        return pairs;
    }
    let mut by_exact: Vec<(u64, usize)> = prints
        .iter()
        .enumerate()
        .map(|(i, print)| (print.exact, i))
        .collect();
    by_exact.sort_unstable();
    for members in by_exact.chunk_by(|a, b| a.0 == b.0) {
        for_neighbours(members, config.neighbours, |(_, i), (_, j)| {
            pairs.push(Pair { i, j, exact: true })
        });
    }
    let lsh = Lsh::for_threshold(config.threshold);
    let mut tried = Vec::new();
    if prints.len() <= SEGMENT_MASK as usize {
        // Key and segment packed in one u64 (the key's low bits give way to
        // the segment index): plain integers sort about twice as fast as
        // pairs, and a key that loses a few bits only adds candidates, all
        // verified.
        let mut buckets: Vec<u64> = Vec::with_capacity(prints.len() * lsh.bands);
        for (i, print) in prints.iter().enumerate() {
            if let Some(signature) = &print.signature {
                buckets.extend(
                    lsh.band_keys(signature)
                        .map(|key| (key & !SEGMENT_MASK) | i as u64),
                );
            }
        }
        buckets.sort_unstable();
        for members in buckets.chunk_by(|a, b| a & !SEGMENT_MASK == b & !SEGMENT_MASK) {
            for_neighbours(members, config.neighbours, |a, b| {
                let (i, j) = ((a & SEGMENT_MASK) as usize, (b & SEGMENT_MASK) as usize);
                if prints[i].exact != prints[j].exact {
                    tried.push((i, j));
                }
            });
        }
    } else {
        let mut buckets: Vec<(u64, usize)> = Vec::with_capacity(prints.len() * lsh.bands);
        for (i, print) in prints.iter().enumerate() {
            if let Some(signature) = &print.signature {
                buckets.extend(lsh.band_keys(signature).map(|key| (key, i)));
            }
        }
        buckets.sort_unstable();
        for members in buckets.chunk_by(|a, b| a.0 == b.0) {
            for_neighbours(members, config.neighbours, |(_, i), (_, j)| {
                if prints[i].exact != prints[j].exact {
                    tried.push((i, j));
                }
            });
        }
    }
    tried.sort_unstable();
    tried.dedup();
    for (i, j) in tried {
        if is_near(&prints[i], &prints[j], config.threshold) {
            pairs.push(Pair { i, j, exact: false });
        }
    }
    pairs.sort_by_key(|pair| (pair.i, pair.j));
    pairs
}

fn is_near(a: &Fingerprint, b: &Fingerprint, threshold: f64) -> bool {
    let (Some(sa), Some(sb)) = (&a.signature, &b.signature) else {
        return false;
    };
    sa.similarity(sb) >= threshold - 0.15 && a.jaccard(b) >= threshold
}

/// Step 2: chains sorted pairs into runs, then cuts tandem repeats.
fn chain_runs(pairs: Vec<Pair>, max_gap: usize) -> Vec<Run> {
    chain(pairs, max_gap)
        .into_iter()
        .flat_map(cut_tandem)
        .collect()
}

/// Cuts a run whose left side reaches its right side into non-overlapping runs.
fn cut_tandem(run: Run) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for pair in run.pairs {
        match out.last_mut() {
            Some(current) if pair.i < current.first().j => current.pairs.push(pair),
            _ => out.push(Run { pairs: vec![pair] }),
        }
    }
    out
}

/// Step 3: groups runs into blocks; each block is a list of copies (segment
/// ranges).
fn group_runs(
    mut runs: Vec<Run>,
    prints: &[Fingerprint],
    config: &WithinConfig,
) -> Vec<Vec<Range<usize>>> {
    let weight = |run: &Run| -> usize { run.pairs.iter().map(|p| prints[p.i].units).sum() };
    runs.sort_by(|a, b| {
        (b.pairs.len(), weight(b))
            .cmp(&(a.pairs.len(), weight(a)))
            .then((a.first().i, a.first().j).cmp(&(b.first().i, b.first().j)))
    });
    let mut blocks: Vec<Vec<Range<usize>>> = Vec::new();
    let mut claims: Vec<Option<(usize, usize)>> = vec![None; prints.len()];
    for run in runs {
        let (left, right) = (run.left(), run.right());
        let on_left = claim_of(&claims, &left);
        let on_right = claim_of(&claims, &right);
        match (on_left, on_right) {
            (None, None) => new_block(&mut blocks, &mut claims, vec![left, right]),
            (Some((block, copy)), None) | (None, Some((block, copy))) => {
                let free = if on_left.is_some() {
                    right.clone()
                } else {
                    left.clone()
                };
                let overlaps = blocks[block]
                    .iter()
                    .any(|c| c.start < free.end && free.start < c.end);
                if run.pairs.len() * 2 >= blocks[block][copy].len() && !overlaps {
                    claim(&mut claims, &free, (block, blocks[block].len()));
                    blocks[block].push(free);
                } else {
                    new_block(&mut blocks, &mut claims, vec![left, right]);
                }
            }
            (Some((a, x)), Some((b, y))) => {
                let aligned =
                    a == b && x != y && is_aligned(&blocks[a], x, y, &left, &right, config.max_gap);
                let heading_echo = a == b && x == y && run.pairs.len() == 1 && !run.exact();
                if !aligned && !heading_echo {
                    new_block(&mut blocks, &mut claims, vec![left, right]);
                }
            }
        }
    }
    for copies in &mut blocks {
        copies.sort_by_key(|copy| copy.start);
        let mut end = 0;
        copies.retain(|copy| {
            let disjoint = copy.start >= end;
            end = end.max(copy.end);
            disjoint
        });
    }
    blocks.retain(|copies| copies.len() >= 2);
    blocks
}

fn new_block(
    blocks: &mut Vec<Vec<Range<usize>>>,
    claims: &mut [Option<(usize, usize)>],
    copies: Vec<Range<usize>>,
) {
    let block = blocks.len();
    for (copy, range) in copies.iter().enumerate() {
        claim(claims, range, (block, copy));
    }
    blocks.push(copies);
}

fn claim(claims: &mut [Option<(usize, usize)>], range: &Range<usize>, owner: (usize, usize)) {
    for slot in &mut claims[range.clone()] {
        slot.get_or_insert(owner);
    }
}

/// The (block, copy) that owns most of `range`, if any owns more than half.
fn claim_of(claims: &[Option<(usize, usize)>], range: &Range<usize>) -> Option<(usize, usize)> {
    let mut counts: Vec<((usize, usize), usize)> = Vec::new();
    for owner in claims[range.clone()].iter().flatten() {
        match counts.iter_mut().find(|(o, _)| o == owner) {
            Some((_, n)) => *n += 1,
            None => counts.push((*owner, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(owner, n)| (n, std::cmp::Reverse(owner)))
        .filter(|&(_, n)| n * 2 > range.len())
        .map(|(owner, _)| owner)
}

/// Whether `left` sits in copy `x` where `right` sits in copy `y`.
fn is_aligned(
    copies: &[Range<usize>],
    x: usize,
    y: usize,
    left: &Range<usize>,
    right: &Range<usize>,
    max_gap: usize,
) -> bool {
    let offset_left = left.start as isize - copies[x].start as isize;
    let offset_right = right.start as isize - copies[y].start as isize;
    let slack = (max_gap + copies[x].len() / 10) as isize;
    (offset_left - offset_right).abs() <= slack
}

/// What block building needs to know of the document.
struct Doc<'a> {
    text: &'a str,
    index: &'a LineIndex,
    segments: &'a [Span],
    prints: &'a [Fingerprint],
    config: &'a WithinConfig,
}

impl Doc<'_> {
    fn units(&self, copy: &Range<usize>) -> usize {
        self.prints[copy.clone()].iter().map(|p| p.units).sum()
    }

    /// Step 4: grows edges, aligns copies, measures them.
    fn build_block(&self, copies: Vec<Range<usize>>) -> Block {
        let copies = self.grow_segments(copies);
        let spans = self.grow_lines(&copies);
        let mut differing = Vec::new();
        let mut similarities = Vec::new();
        for (copy, range) in copies.iter().enumerate().skip(1) {
            let (similarity, found) = self.align(copy, &copies[0], range);
            similarities.push(similarity);
            differing.extend(found);
        }
        let edges_equal = spans
            .iter()
            .all(|span| span.bytes.len() == spans[0].bytes.len())
            && spans
                .iter()
                .all(|span| self.text[span.bytes.clone()] == self.text[spans[0].bytes.clone()]);
        let exact = differing.is_empty() && edges_equal;
        let similarity = if exact {
            1.0
        } else {
            similarities.iter().sum::<f64>() / similarities.len().max(1) as f64
        };
        Block {
            segments: copies[0].len(),
            copies: copies
                .into_iter()
                .zip(spans)
                .map(|(segments, span)| BlockCopy { span, segments })
                .collect(),
            similarity,
            exact,
            differing,
        }
    }

    /// Takes in the segment pair just before and just after the copies when
    /// it is at least half as similar as the threshold asks (a damaged first
    /// or last segment, such as a changed dateline).
    fn grow_segments(&self, mut copies: Vec<Range<usize>>) -> Vec<Range<usize>> {
        let floor = self.config.threshold / 2.0;
        let similar_enough = |copies: &[Range<usize>], at: &dyn Fn(&Range<usize>) -> usize| {
            let reference = &self.prints[at(&copies[0])];
            copies[1..]
                .iter()
                .all(|copy| self.prints[at(copy)].jaccard(reference) >= floor)
        };
        let room_before = copies
            .iter()
            .enumerate()
            .all(|(c, copy)| copy.start > if c == 0 { 0 } else { copies[c - 1].end });
        if room_before && similar_enough(&copies, &|copy| copy.start - 1) {
            copies.iter_mut().for_each(|copy| copy.start -= 1);
        }
        let n = self.segments.len();
        let room_after = copies
            .iter()
            .enumerate()
            .all(|(c, copy)| copy.end < copies.get(c + 1).map_or(n, |next| next.start));
        if room_after && similar_enough(&copies, &|copy| copy.end) {
            copies.iter_mut().for_each(|copy| copy.end += 1);
        }
        copies
    }

    /// Each copy's span: from its first segment to its last, its edges grown
    /// over whole lines equal in every copy.
    fn grow_lines(&self, copies: &[Range<usize>]) -> Vec<Span> {
        let mut firsts: Vec<usize> = copies
            .iter()
            .map(|c| self.segments[c.start].lines.first)
            .collect();
        let mut lasts: Vec<usize> = copies
            .iter()
            .map(|c| self.segments[c.end - 1].lines.last)
            .collect();
        let line_count = self.index.line_count();
        loop {
            let limits_ok =
                (0..copies.len()).all(|c| firsts[c] > if c == 0 { 1 } else { lasts[c - 1] + 1 });
            if !limits_ok || !self.lines_equal(firsts.iter().map(|&l| l - 1)) {
                break;
            }
            firsts.iter_mut().for_each(|l| *l -= 1);
        }
        loop {
            let limits_ok = (0..copies.len())
                .all(|c| lasts[c] < copies.get(c + 1).map_or(line_count, |_| firsts[c + 1] - 1));
            if !limits_ok || !self.lines_equal(lasts.iter().map(|&l| l + 1)) {
                break;
            }
            lasts.iter_mut().for_each(|l| *l += 1);
        }
        copies
            .iter()
            .zip(firsts.into_iter().zip(lasts))
            .map(|(copy, (first, last))| {
                let (head, tail) = (&self.segments[copy.start], &self.segments[copy.end - 1]);
                let grown = self.trimmed_lines(first, last);
                let (start, first) = if grown.lines.first < head.lines.first {
                    (grown.bytes.start, grown.lines.first)
                } else {
                    (head.bytes.start, head.lines.first)
                };
                let (end, last) = if grown.lines.last > tail.lines.last {
                    (grown.bytes.end, grown.lines.last)
                } else {
                    (tail.bytes.end, tail.lines.last)
                };
                Span {
                    bytes: start..end,
                    lines: LineRange::new(first, last),
                }
            })
            .collect()
    }

    fn lines_equal(&self, mut lines: impl Iterator<Item = usize>) -> bool {
        let Some(first) = lines.next() else {
            return false;
        };
        let reference = self.text[self.index.line_bytes(first)].trim();
        lines.all(|line| self.text[self.index.line_bytes(line)].trim() == reference)
    }

    /// The span of lines `first..=last` with blank edge lines dropped and
    /// white space trimmed.
    fn trimmed_lines(&self, mut first: usize, mut last: usize) -> Span {
        while first < last && self.text[self.index.line_bytes(first)].trim().is_empty() {
            first += 1;
        }
        while last > first && self.text[self.index.line_bytes(last)].trim().is_empty() {
            last -= 1;
        }
        let full = self.index.lines_span(first, last).bytes;
        let slice = &self.text[full.clone()];
        let start = full.start + (slice.len() - slice.trim_start().len());
        let end = full.start + slice.trim_end().len();
        Span {
            bytes: start..end.max(start),
            lines: LineRange::new(first, last),
        }
    }

    /// Aligns copy `copy` (segments `other`) with the first copy; returns its
    /// similarity and the segments where it differs.
    fn align(
        &self,
        copy: usize,
        first: &Range<usize>,
        other: &Range<usize>,
    ) -> (f64, Vec<Differing>) {
        let hashes = |range: &Range<usize>| -> Vec<u64> {
            self.prints[range.clone()].iter().map(|p| p.raw).collect()
        };
        let ops = capture_diff_slices(Algorithm::Myers, &hashes(first), &hashes(other));
        let mut weight = 0.0;
        let mut matched = 0.0;
        let mut differing = Vec::new();
        for op in ops {
            let (old, new) = (op.old_range(), op.new_range());
            if let DiffOp::Equal { .. } = op {
                let units = self.units(&(first.start + old.start..first.start + old.end)) as f64;
                weight += units;
                matched += units;
                continue;
            }
            for k in 0..old.len().max(new.len()) {
                let a = (k < old.len()).then(|| first.start + old.start + k);
                let b = (k < new.len()).then(|| other.start + new.start + k);
                let similarity = match (a, b) {
                    (Some(a), Some(b)) => self.prints[a].jaccard(&self.prints[b]),
                    _ => 0.0,
                };
                let units = a
                    .into_iter()
                    .chain(b)
                    .map(|s| self.prints[s].units)
                    .max()
                    .unwrap_or(0) as f64;
                weight += units;
                matched += units * similarity;
                differing.push(self.differing_pair(copy, a, b, similarity));
            }
        }
        let similarity = if weight > 0.0 { matched / weight } else { 1.0 };
        (similarity, differing)
    }

    /// A differing segment pair, narrowed to the lines that differ.
    fn differing_pair(
        &self,
        copy: usize,
        a: Option<usize>,
        b: Option<usize>,
        similarity: f64,
    ) -> Differing {
        let (mut first, mut other) = (
            a.map(|s| self.segments[s].clone()),
            b.map(|s| self.segments[s].clone()),
        );
        if let (Some(x), Some(y)) = (&mut first, &mut other) {
            self.narrow(x, y);
        }
        Differing {
            copy,
            first,
            other,
            similarity,
        }
    }

    /// Drops the leading and trailing lines two segments share.
    fn narrow(&self, a: &mut Span, b: &mut Span) {
        let line = |l: usize| self.text[self.index.line_bytes(l)].trim();
        let (mut a_first, mut a_last, mut b_first, mut b_last) =
            (a.lines.first, a.lines.last, b.lines.first, b.lines.last);
        while a_first < a_last && b_first < b_last && line(a_first) == line(b_first) {
            a_first += 1;
            b_first += 1;
        }
        while a_last > a_first && b_last > b_first && line(a_last) == line(b_last) {
            a_last -= 1;
            b_last -= 1;
        }
        if (a_first, a_last) != (a.lines.first, a.lines.last) {
            *a = self.trimmed_lines(a_first, a_last);
        }
        if (b_first, b_last) != (b.lines.first, b.lines.last) {
            *b = self.trimmed_lines(b_first, b_last);
        }
    }
}
