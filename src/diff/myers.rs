//! Myers' alignment of two sequences of dense ids (the interned lines),
//! with `similar`'s preflight done on counts instead of hashes.
//!
//! Before Myers runs, `similar` trims the common prefix and suffix and, on
//! a large enough middle, drops the items that cannot help it: those the
//! other side lacks, and runs of "confusing" items (so frequent on the
//! other side that they match anywhere) between dropped ones, as GNU diff
//! does. It finds them by hashing every item into a map. Interned lines are
//! already small dense ids, so the same counts come from two arrays
//! indexed by id, at a fraction of the cost; the reduced sequences then go
//! to `similar`'s Myers with its preflight skipped (it skips the scan when
//! the two sides are of different types, so the new side is wrapped). The
//! result is the one `similar::algorithms::myers::diff_deadline` gives on
//! the plain ids, which a test below checks.

use std::time::Instant;

use similar::algorithms::{diff_deadline, Algorithm};

use super::compare::Matches;

/// Middles shorter than this (either side) are not reduced.
const MIN_LEN: usize = 512;
/// Middles with fewer than this many pairs of items are not reduced.
const MIN_WORK: usize = 128 * 1024;
/// How far from each end the boundary probe looks for a shifted match.
const BOUNDARY_PROBE: usize = 8;
/// An item matching more than this many items on the other side is
/// confusing, whatever the length.
const MAX_FREQUENCY: usize = 1024;
/// How far on each side of a confusing item the scan for dropped ones goes.
const SCAN_WINDOW: usize = 100;
/// A confusing item is dropped when its run holds more than this many
/// times as many dropped items as confusing ones (less one).
const CONFUSING_RATIO: usize = 4;

/// An id of the new side: equal to an old id of the same value, but of
/// another type, so that `similar` skips its hashing preflight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct NewId(u32);

impl PartialEq<u32> for NewId {
    fn eq(&self, other: &u32) -> bool {
        self.0 == *other
    }
}

/// Runs of equal items `(old start, new start, length)`, in order (two
/// runs may touch), of Myers' alignment of `old` with `new`, whose ids are
/// all below `ids`.
pub(crate) fn equal_runs(
    old: &[u32],
    new: &[u32],
    ids: usize,
    deadline: Option<Instant>,
) -> Vec<(usize, usize, usize)> {
    let reduced = if deadline.is_some_and(|d| Instant::now() > d) {
        None
    } else {
        reduce(old, new, ids)
    };
    let Some(reduced) = reduced else {
        let new: Vec<NewId> = new.iter().map(|&id| NewId(id)).collect();
        return myers(old, &new, deadline);
    };
    let old_values: Vec<u32> = reduced.old.iter().map(|&i| old[i]).collect();
    let new_values: Vec<NewId> = reduced.new.iter().map(|&j| NewId(new[j])).collect();
    let mut runs = vec![(0, 0, reduced.prefix)];
    for (o, n, len) in myers(&old_values, &new_values, deadline) {
        runs.extend((0..len).map(|k| (reduced.old[o + k], reduced.new[n + k], 1)));
    }
    runs.push((
        old.len() - reduced.suffix,
        new.len() - reduced.suffix,
        reduced.suffix,
    ));
    runs
}

/// `similar`'s Myers, its preflight skipped.
fn myers(old: &[u32], new: &[NewId], deadline: Option<Instant>) -> Vec<(usize, usize, usize)> {
    let mut hook = Matches::default();
    let Ok(()) = diff_deadline(
        Algorithm::Myers,
        &mut hook,
        old,
        0..old.len(),
        new,
        0..new.len(),
        deadline,
    );
    hook.runs
}

/// The items kept for Myers: indices into each side, between a common
/// prefix and suffix that are equal as they are.
struct Reduced {
    prefix: usize,
    suffix: usize,
    old: Vec<usize>,
    new: Vec<usize>,
}

/// What the preflight does with one item.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    /// The other side lacks it.
    Drop,
    Keep,
    /// Frequent on the other side: dropped when dropped items surround it.
    Confusing,
}

/// The preflight's reduction, or `None` when it would leave the sequences
/// as they are (but for the common prefix and suffix, which Myers trims
/// alike).
fn reduce(old: &[u32], new: &[u32], ids: usize) -> Option<Reduced> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_range = prefix..old.len() - suffix;
    let new_range = prefix..new.len() - suffix;
    let (a, b) = (&old[old_range.clone()], &new[new_range.clone()]);
    if !worth_scanning(a, b) {
        return None;
    }
    // How often each id occurs in the old middle, and how many items of the
    // new middle match an old one.
    let mut old_counts = vec![0u32; ids];
    let mut new_counts = vec![0u32; ids];
    for &id in a {
        old_counts[id as usize] += 1;
    }
    for &id in b {
        if old_counts[id as usize] > 0 {
            new_counts[id as usize] += 1;
        }
    }
    let old_kept = kept(a, &new_counts, old_range.start);
    let new_kept = kept(b, &old_counts, new_range.start);
    if old_kept.len() == a.len() && new_kept.len() == b.len() {
        return None;
    }
    Some(Reduced {
        prefix,
        suffix,
        old: old_kept,
        new: new_kept,
    })
}

/// Whether the middle is large enough, and unlike enough at its ends, for
/// the reduction to be tried.
fn worth_scanning(a: &[u32], b: &[u32]) -> bool {
    if a.len() < MIN_LEN || b.len() < MIN_LEN || a.len().saturating_mul(b.len()) < MIN_WORK {
        return false;
    }
    let (a_end, b_end) = (a.len() - 1, b.len() - 1);
    if a[0] == b[0] || a[a_end] == b[b_end] {
        return false;
    }
    // A small insertion or removal at either end is no reason to scan.
    let probe = a.len().min(b.len()).min(BOUNDARY_PROBE + 1);
    !(1..probe).any(|skip| {
        b[skip] == a[0]
            || b[0] == a[skip]
            || b[b_end - skip] == a[a_end]
            || b[b_end] == a[a_end - skip]
    })
}

/// Indices (offset by `base`) of the items of `side` that the preflight
/// keeps, given how often each id occurs on the other side.
fn kept(side: &[u32], other_counts: &[u32], base: usize) -> Vec<usize> {
    let limit = side.len().isqrt().clamp(1, MAX_FREQUENCY);
    let actions: Vec<Action> = side
        .iter()
        .map(|&id| match other_counts[id as usize] as usize {
            0 => Action::Drop,
            n if n < limit => Action::Keep,
            _ => Action::Confusing,
        })
        .collect();
    (0..side.len())
        .filter(|&i| match actions[i] {
            Action::Drop => false,
            Action::Keep => true,
            Action::Confusing => !dropped_among_dropped(&actions, i),
        })
        .map(|i| base + i)
        .collect()
}

/// Whether the confusing item at `i` sits among enough dropped ones, within
/// [`SCAN_WINDOW`] on each side (up to the nearest kept item), to be
/// dropped too.
fn dropped_among_dropped(actions: &[Action], i: usize) -> bool {
    let scan = |indices: &mut dyn Iterator<Item = usize>| {
        let (mut dropped, mut confusing) = (0usize, 0usize);
        for j in indices.take(SCAN_WINDOW) {
            match actions[j] {
                Action::Drop => dropped += 1,
                Action::Confusing => confusing += 1,
                Action::Keep => break,
            }
        }
        (dropped, confusing)
    };
    let (left_dropped, left_confusing) = scan(&mut (0..i).rev());
    if left_dropped == 0 {
        return false;
    }
    let (right_dropped, right_confusing) = scan(&mut (i + 1..actions.len()));
    if right_dropped == 0 {
        return false;
    }
    let dropped = left_dropped + right_dropped;
    let confusing = left_confusing + right_confusing + 1;
    confusing.saturating_mul(CONFUSING_RATIO) < confusing + dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The `similar` call whose result [`equal_runs`] reproduces.
    fn reference_runs(old: &[u32], new: &[u32]) -> Vec<(usize, usize, usize)> {
        let mut hook = Matches::default();
        let Ok(()) = diff_deadline(
            Algorithm::Myers,
            &mut hook,
            old,
            0..old.len(),
            new,
            0..new.len(),
            None,
        );
        hook.runs
    }

    /// Equal runs as single pairs, so two lists that cut the same runs
    /// differently compare equal.
    fn pairs(runs: &[(usize, usize, usize)]) -> Vec<(usize, usize)> {
        runs.iter()
            .flat_map(|&(o, n, len)| (0..len).map(move |k| (o + k, n + k)))
            .collect()
    }

    fn check(old: &[u32], new: &[u32]) {
        let ids = old.iter().chain(new).max().map_or(0, |&m| m as usize + 1);
        assert_eq!(
            pairs(&equal_runs(old, new, ids, None)),
            pairs(&reference_runs(old, new))
        );
    }

    /// A long text of distinct lines with `blank` (id 0) every few lines,
    /// edited: some lines replaced by lines the other side lacks, some
    /// removed, some added.
    fn edited(seed: u64, len: usize, edits: usize) -> (Vec<u32>, Vec<u32>) {
        let mut state = seed | 1;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let old: Vec<u32> = (1..=len as u32)
            .map(|i| if i % 5 == 0 { 0 } else { i })
            .collect();
        let mut new = old.clone();
        let mut fresh = len as u32 + 1;
        for _ in 0..edits {
            let at = next(new.len());
            match next(3) {
                0 => {
                    new[at] = fresh;
                    fresh += 1;
                }
                1 => {
                    new.remove(at);
                }
                _ => {
                    new.insert(at, fresh);
                    fresh += 1;
                }
            }
        }
        (old, new)
    }

    #[test]
    fn a_long_edited_text_aligns_as_similar_aligns_it() {
        for (seed, edits) in [(1, 40), (2, 400), (3, 3000)] {
            let (old, new) = edited(seed, 6000, edits);
            check(&old, &new);
        }
    }

    #[test]
    fn unrelated_middles_with_a_shared_frequent_line_are_reduced_alike() {
        // Two unrelated halves sharing only the blank line: the preflight
        // drops the blanks between lines the other side lacks.
        let old: Vec<u32> = (0..4000)
            .map(|i| if i % 3 == 0 { 0 } else { i + 1 })
            .collect();
        let new: Vec<u32> = (0..4000)
            .map(|i| if i % 3 == 0 { 0 } else { i + 10_000 })
            .collect();
        assert!(reduce(&old, &new, 14_001).is_some());
        check(&old, &new);
    }

    #[test]
    fn small_or_empty_inputs() {
        check(&[], &[]);
        check(&[1, 2, 3], &[]);
        check(&[], &[1]);
        check(&[1, 2, 3], &[3, 2, 1]);
    }

    /// Ids from a few frequent ones (blank lines, repeated headings) and
    /// many rare ones.
    fn ids() -> impl Strategy<Value = Vec<u32>> {
        proptest::collection::vec(prop_oneof![0u32..3, 0u32..3000], 0..1500)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_pair_aligns_as_similar_aligns_it(old in ids(), new in ids()) {
            check(&old, &new);
        }

        #[test]
        fn any_edited_text_aligns_as_similar_aligns_it(
            seed in any::<u64>(),
            len in 500usize..3000,
            edits in 0usize..600,
        ) {
            let (old, new) = edited(seed, len, edits);
            check(&old, &new);
        }
    }
}
