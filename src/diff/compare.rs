//! The sequence diff under every level (lines, sentences, words,
//! characters): two slices of comparison keys in, edit operations out.
//!
//! Before `similar` runs, the common prefix and suffix are cut off and the
//! items that occur on one side only are set aside: they can never be
//! matched, and without them two unrelated inputs reduce to nothing. The
//! matches found on what is left are mapped back to the full sequences.

use std::hash::Hash;
use std::ops::Range;
use std::time::Instant;

use similar::algorithms::{diff_slices_deadline, DiffHook};

use super::key::KeyMap;
use super::options::Algorithm;

/// What an operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    /// The old range and the new range are the same items.
    Equal,
    /// The old range is removed; the new range is empty (a position).
    Delete,
    /// The new range is added; the old range is empty (a position).
    Insert,
    /// The old range is replaced by the new range; neither is empty.
    Replace,
}

impl Tag {
    /// Its name in JSON output: `equal`, `delete`, `insert` or `replace`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Equal => "equal",
            Tag::Delete => "delete",
            Tag::Insert => "insert",
            Tag::Replace => "replace",
        }
    }

    pub(crate) fn of(old: &Range<usize>, new: &Range<usize>) -> Tag {
        match (old.is_empty(), new.is_empty()) {
            (false, false) => Tag::Replace,
            (false, true) => Tag::Delete,
            (true, false) => Tag::Insert,
            (true, true) => Tag::Equal,
        }
    }
}

/// One operation over item indices of the two sequences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SeqOp {
    pub tag: Tag,
    pub old: Range<usize>,
    pub new: Range<usize>,
}

/// Diffs two key sequences. The flag is true when the deadline passed, so
/// the result may be coarser than the algorithm would have made it.
pub(crate) fn diff_keys(
    algorithm: Algorithm,
    old: &[u64],
    new: &[u64],
    deadline: Option<Instant>,
) -> (Vec<SeqOp>, bool) {
    diff_items(algorithm, old, new, &shared_items, deadline)
}

/// More keys than this (both sides together) are interned on two threads.
const PARALLEL_KEYS: usize = 1 << 15;

/// Two key sequences with each distinct key replaced by a dense id, and how
/// often each id occurs on each side.
pub(crate) struct Interned {
    pub old: Vec<u32>,
    pub new: Vec<u32>,
    pub counts: Vec<(u32, u32)>,
}

impl Interned {
    /// Interns the keys of both sides; many are split by their top bit
    /// between two threads, each with a map of half the size.
    pub(crate) fn new(old: &[u64], new: &[u64]) -> Interned {
        if old.len() + new.len() <= PARALLEL_KEYS {
            return Interned::part(old, new, old.len(), |_| true);
        }
        let high = |key: u64| key >> 63 == 1;
        let (mut low_part, high_part) = rayon::join(
            || Interned::part(old, new, old.len() / 2, |key| !high(key)),
            || Interned::part(old, new, old.len() / 2, high),
        );
        // The high half's ids follow the low half's.
        let offset = low_part.counts.len() as u32;
        let merge = |ids: &mut [u32], keys: &[u64], high_ids: &[u32]| {
            for ((id, &key), &high_id) in ids.iter_mut().zip(keys).zip(high_ids) {
                if high(key) {
                    *id = high_id + offset;
                }
            }
        };
        merge(&mut low_part.old, old, &high_part.old);
        merge(&mut low_part.new, new, &high_part.new);
        low_part.counts.extend(high_part.counts);
        low_part
    }

    /// Interns the keys that `mine` picks, numbered from 0 in order of
    /// first occurrence; the other keys are given id 0, to be overwritten.
    /// `capacity`: about how many distinct keys to expect.
    fn part(old: &[u64], new: &[u64], capacity: usize, mine: impl Fn(u64) -> bool) -> Interned {
        let mut ids: KeyMap<u32> = KeyMap::default();
        ids.reserve(capacity);
        let mut counts: Vec<(u32, u32)> = Vec::with_capacity(capacity);
        let mut id_of = |key: u64, counts: &mut Vec<(u32, u32)>| {
            let next = counts.len() as u32;
            let id = *ids.entry(key).or_insert(next);
            if id == next {
                counts.push((0, 0));
            }
            id
        };
        let old: Vec<u32> = old
            .iter()
            .map(|&k| {
                if !mine(k) {
                    return 0;
                }
                let id = id_of(k, &mut counts);
                counts[id as usize].0 += 1;
                id
            })
            .collect();
        let new: Vec<u32> = new
            .iter()
            .map(|&k| {
                if !mine(k) {
                    return 0;
                }
                let id = id_of(k, &mut counts);
                counts[id as usize].1 += 1;
                id
            })
            .collect();
        Interned { old, new, counts }
    }

    /// Diffs the two id sequences (see [`diff_keys`]).
    pub(crate) fn diff(
        &self,
        algorithm: Algorithm,
        deadline: Option<Instant>,
    ) -> (Vec<SeqOp>, bool) {
        let in_both = |id: &u32| {
            let (a, b) = self.counts[*id as usize];
            a > 0 && b > 0
        };
        let select = |old: &[u32], new: &[u32]| {
            let old_kept = (0..old.len()).filter(|&i| in_both(&old[i])).collect();
            let new_kept = (0..new.len()).filter(|&j| in_both(&new[j])).collect();
            (old_kept, new_kept)
        };
        diff_items(algorithm, &self.old, &self.new, &select, deadline)
    }
}

/// An item of a sequence diff: a comparison key, or an interned line.
pub(crate) trait Item: Copy + Eq + Hash {
    /// Runs of equal items `(old start, new start, length)`, in order, of
    /// the alignment of `old` with `new` by `algorithm`.
    fn equal_runs(
        algorithm: Algorithm,
        old: &[Self],
        new: &[Self],
        deadline: Option<Instant>,
    ) -> Vec<(usize, usize, usize)> {
        similar_runs(algorithm, old, new, deadline)
    }
}

impl Item for u64 {}

/// Interned lines are dense ids: Myers' preflight counts them in arrays
/// (see [`super::myers`]), with the same result.
impl Item for u32 {
    fn equal_runs(
        algorithm: Algorithm,
        old: &[u32],
        new: &[u32],
        deadline: Option<Instant>,
    ) -> Vec<(usize, usize, usize)> {
        if algorithm != Algorithm::Myers {
            return similar_runs(algorithm, old, new, deadline);
        }
        let ids = old.iter().chain(new).max().map_or(0, |&m| m as usize + 1);
        super::myers::equal_runs(old, new, ids, deadline)
    }
}

/// The equal runs of `similar`'s alignment.
fn similar_runs<T: Eq + Hash>(
    algorithm: Algorithm,
    old: &[T],
    new: &[T],
    deadline: Option<Instant>,
) -> Vec<(usize, usize, usize)> {
    let mut hook = Matches::default();
    let Ok(()) = diff_slices_deadline(algorithm.to_similar(), &mut hook, old, new, deadline);
    hook.runs
}

/// Picks the indices of the items that may match (those whose key occurs on
/// both sides).
type Select<'s, T> = &'s dyn Fn(&[T], &[T]) -> (Vec<usize>, Vec<usize>);

fn diff_items<T: Item>(
    algorithm: Algorithm,
    old: &[T],
    new: &[T],
    select: Select<'_, T>,
    deadline: Option<Instant>,
) -> (Vec<SeqOp>, bool) {
    let runs = matching_runs(algorithm, old, new, select, deadline);
    let approximate = deadline.is_some_and(|d| Instant::now() > d);
    (ops_from_runs(&runs, old.len(), new.len()), approximate)
}

/// Runs of equal items `(old start, new start, length)`, in order.
fn matching_runs<T: Item>(
    algorithm: Algorithm,
    old: &[T],
    new: &[T],
    select: Select<'_, T>,
    deadline: Option<Instant>,
) -> Vec<(usize, usize, usize)> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = prefix..old.len() - suffix;
    let new_mid = prefix..new.len() - suffix;
    let mut runs = vec![(0, 0, prefix)];
    let middle = middle_runs(
        algorithm,
        &old[old_mid.clone()],
        &new[new_mid.clone()],
        select,
        deadline,
    );
    runs.extend(
        middle
            .into_iter()
            .map(|(o, n, len)| (o + prefix, n + prefix, len)),
    );
    runs.push((old_mid.end, new_mid.end, suffix));
    runs
}

/// Matches inside the differing middle, items on one side only set aside.
fn middle_runs<T: Item>(
    algorithm: Algorithm,
    old: &[T],
    new: &[T],
    select: Select<'_, T>,
    deadline: Option<Instant>,
) -> Vec<(usize, usize, usize)> {
    if old.is_empty() || new.is_empty() {
        return Vec::new();
    }
    let (old_kept, new_kept) = select(old, new);
    if old_kept.is_empty() || new_kept.is_empty() {
        return Vec::new();
    }
    let old_keys: Vec<T> = old_kept.iter().map(|&i| old[i]).collect();
    let new_keys: Vec<T> = new_kept.iter().map(|&i| new[i]).collect();
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for (o, n, len) in T::equal_runs(algorithm, &old_keys, &new_keys, deadline) {
        for k in 0..len {
            let (i, j) = (old_kept[o + k], new_kept[n + k]);
            match runs.last_mut() {
                Some((lo, ln, llen)) if *lo + *llen == i && *ln + *llen == j => *llen += 1,
                _ => runs.push((i, j, 1)),
            }
        }
    }
    runs
}

/// Indices of the items whose key also occurs on the other side.
fn shared_items(old: &[u64], new: &[u64]) -> (Vec<usize>, Vec<usize>) {
    let mut seen: KeyMap<(bool, bool)> = KeyMap::default();
    seen.reserve(old.len() + new.len());
    for &k in old {
        seen.entry(k).or_default().0 = true;
    }
    for &k in new {
        seen.entry(k).or_default().1 = true;
    }
    let both = |k: &u64| seen.get(k).is_some_and(|&(a, b)| a && b);
    let old_kept = (0..old.len()).filter(|&i| both(&old[i])).collect();
    let new_kept = (0..new.len()).filter(|&j| both(&new[j])).collect();
    (old_kept, new_kept)
}

/// Collects the equal runs that an algorithm reports.
#[derive(Default)]
pub(super) struct Matches {
    pub(super) runs: Vec<(usize, usize, usize)>,
}

impl DiffHook for Matches {
    type Error = std::convert::Infallible;

    fn equal(&mut self, old: usize, new: usize, len: usize) -> Result<(), Self::Error> {
        self.runs.push((old, new, len));
        Ok(())
    }
}

/// Turns ordered equal runs into a complete list of operations.
fn ops_from_runs(runs: &[(usize, usize, usize)], old_len: usize, new_len: usize) -> Vec<SeqOp> {
    let mut ops: Vec<SeqOp> = Vec::new();
    let (mut o, mut n) = (0, 0);
    let ends = std::iter::once((old_len, new_len, 0));
    for (i, j, len) in runs.iter().copied().chain(ends) {
        if i > o || j > n {
            let (old, new) = (o..i, n..j);
            ops.push(SeqOp {
                tag: Tag::of(&old, &new),
                old,
                new,
            });
        }
        if len > 0 {
            match ops.last_mut() {
                Some(last) if last.tag == Tag::Equal => {
                    last.old.end += len;
                    last.new.end += len;
                }
                _ => ops.push(SeqOp {
                    tag: Tag::Equal,
                    old: i..i + len,
                    new: j..j + len,
                }),
            }
        }
        (o, n) = (i + len, j + len);
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &str) -> Vec<u64> {
        s.bytes().map(u64::from).collect()
    }

    fn rebuild(old: &[u64], new: &[u64], ops: &[SeqOp]) -> Vec<u64> {
        let mut out = Vec::new();
        for op in ops {
            match op.tag {
                Tag::Equal => {
                    assert_eq!(old[op.old.clone()], new[op.new.clone()]);
                    out.extend(&old[op.old.clone()]);
                }
                _ => out.extend(&new[op.new.clone()]),
            }
        }
        out
    }

    #[test]
    fn every_algorithm_rebuilds_new() {
        let (old, new) = (keys("abcdefghxyz"), keys("abXdefZZghyz"));
        for algorithm in [Algorithm::Myers, Algorithm::Patience, Algorithm::Histogram] {
            let (ops, approximate) = diff_keys(algorithm, &old, &new, None);
            assert!(!approximate);
            assert_eq!(rebuild(&old, &new, &ops), new);
        }
    }

    #[test]
    fn unrelated_inputs_are_one_replace() {
        let (ops, _) = diff_keys(Algorithm::Myers, &keys("abc"), &keys("xyzw"), None);
        assert_eq!(
            ops,
            vec![SeqOp {
                tag: Tag::Replace,
                old: 0..3,
                new: 0..4
            }]
        );
    }

    #[test]
    fn interning_on_two_threads_gives_equal_lines_equal_ids() {
        // Keys with either top bit, repeated within and across the sides.
        let key = |i: u64| (i % 7).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ ((i % 2) << 63);
        let old: Vec<u64> = (0..PARALLEL_KEYS as u64).map(key).collect();
        let new: Vec<u64> = (5..PARALLEL_KEYS as u64 + 9).map(|i| key(i * 3)).collect();
        let interned = Interned::new(&old, &new);
        let keys = old.iter().chain(&new);
        let ids = interned.old.iter().chain(&interned.new);
        let mut seen = std::collections::HashMap::new();
        for (&key, &id) in keys.zip(ids) {
            assert_eq!(*seen.entry(id).or_insert(key), key, "id {id} for two keys");
        }
        let distinct: std::collections::HashSet<&u64> = old.iter().chain(&new).collect();
        assert_eq!(seen.len(), distinct.len());
        assert_eq!(interned.counts.len(), distinct.len());
        for (id, &(a, b)) in interned.counts.iter().enumerate() {
            let key = seen[&(id as u32)];
            let count = |side: &[u64]| side.iter().filter(|&&k| k == key).count() as u32;
            assert_eq!((a, b), (count(&old), count(&new)));
        }
    }

    #[test]
    fn empty_sides() {
        let (ops, _) = diff_keys(Algorithm::Myers, &[], &keys("ab"), None);
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].tag, Tag::Insert);
        let (ops, _) = diff_keys(Algorithm::Myers, &[], &[], None);
        assert!(ops.is_empty());
    }
}
