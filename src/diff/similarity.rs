//! How alike two texts are, whatever algorithm aligned them.
//!
//! A text is reduced to a bag of units — its lines, with lines longer than
//! 64 bytes cut into content-defined chunks of a few words or characters,
//! so that one edit costs one chunk, not a paragraph — each weighted by its
//! length in bytes. Similarity is the Dice coefficient of two bags: twice the weight
//! they share over their total weight. It depends only on the two texts and
//! the comparison options, never on the alignment, so `--algorithm` does
//! not change it; it is cheap enough to pair renamed files in two folders.

use std::ops::Range;

use super::compare::Interned;
use super::key::{KeyMap, Keyer};
use super::lines::lines;
/// Lines longer than this (bytes) count as their chunks.
const LONG_LINE: usize = 64;
/// Texts larger than this (bytes, both together) are bagged on two threads.
const PARALLEL: usize = 1 << 20;
/// Least length of a chunk in bytes.
const MIN_CHUNK: usize = 32;

/// The weighted bag of units of one text.
#[derive(Clone, Debug, Default)]
pub struct UnitBag {
    weights: KeyMap<usize>,
    total: usize,
}

impl UnitBag {
    pub(crate) fn of(text: &str, keyer: &mut Keyer) -> UnitBag {
        UnitBag::of_lines(text, &lines(text), keyer)
    }

    /// The bag of some lines of `text`.
    fn of_lines(text: &str, lines: &[Range<usize>], keyer: &mut Keyer) -> UnitBag {
        let mut bag = UnitBag::default();
        let bytes: usize = lines.iter().map(|r| r.len()).sum();
        bag.weights.reserve(bytes / MIN_CHUNK + lines.len());
        for line in lines {
            if line.len() <= LONG_LINE {
                bag.add(keyer.key(&text[line.clone()]), line.len());
            } else {
                for unit in chunks(&text[line.clone()], line.start) {
                    bag.add(keyer.key(&text[unit.clone()]), unit.len());
                }
            }
        }
        bag
    }

    fn add(&mut self, key: u64, weight: usize) {
        *self.weights.entry(key).or_default() += weight;
        self.total += weight;
    }

    /// The smallest unit keys of the bag (a bottom-k sketch): two similar
    /// texts share some of them.
    pub fn sketch(&self) -> Vec<u64> {
        const K: usize = 16;
        let mut keys: Vec<u64> = self.weights.keys().copied().collect();
        if keys.len() > K {
            keys.select_nth_unstable(K);
            keys.truncate(K);
        }
        keys
    }

    /// Total weight (bytes) of the text.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Dice similarity in `0.0..=1.0`; two empty texts are identical.
    pub fn similarity(&self, other: &UnitBag) -> f64 {
        if self.total + other.total == 0 {
            return 1.0;
        }
        let (small, large) = if self.weights.len() <= other.weights.len() {
            (self, other)
        } else {
            (other, self)
        };
        let shared: usize = small
            .weights
            .iter()
            .map(|(k, &w)| large.weights.get(k).map_or(0, |&v| v.min(w)))
            .sum();
        2.0 * shared as f64 / (self.total + other.total) as f64
    }

    /// The weight the two bags have in common.
    fn shared(&self, other: &UnitBag) -> usize {
        let (small, large) = if self.weights.len() <= other.weights.len() {
            (self, other)
        } else {
            (other, self)
        };
        small
            .weights
            .iter()
            .map(|(k, &w)| large.weights.get(k).map_or(0, |&v| v.min(w)))
            .sum()
    }

    /// The best similarity these two bags could have, from their sizes only.
    pub fn similarity_bound(&self, other: &UnitBag) -> f64 {
        if self.total + other.total == 0 {
            return 1.0;
        }
        2.0 * self.total.min(other.total) as f64 / (self.total + other.total) as f64
    }
}

/// One text's lines.
pub(crate) struct Side<'t> {
    pub text: &'t str,
    pub lines: &'t [Range<usize>],
}

/// The similarity of two texts whose lines are interned, equal to the Dice
/// coefficient of their bags but cheaper: lines are matched whole first (as
/// multisets), and only the lines left unmatched are cut into chunks and
/// matched chunk by chunk.
pub(crate) fn pair_similarity(
    old: &Side<'_>,
    new: &Side<'_>,
    interned: &Interned,
    keyer: &mut Keyer,
) -> Similarity {
    let total = old.text.len() + new.text.len();
    if total == 0 {
        return Similarity {
            score: 1.0,
            loose_bytes: 0,
        };
    }
    let counts = &interned.counts;
    let (shared_old, rest_old) = match_lines(old.lines, &interned.old, counts);
    let (shared_new, rest_new) = match_lines(new.lines, &interned.new, counts);
    let (old_bag, new_bag) = if total > PARALLEL {
        let mut other = keyer.clone();
        rayon::join(
            || UnitBag::of_lines(old.text, &rest_old, keyer),
            || UnitBag::of_lines(new.text, &rest_new, &mut other),
        )
    } else {
        (
            UnitBag::of_lines(old.text, &rest_old, keyer),
            UnitBag::of_lines(new.text, &rest_new, keyer),
        )
    };
    let loose = old_bag.shared(&new_bag);
    let shared = shared_old + shared_new + 2 * loose;
    Similarity {
        score: shared as f64 / total as f64,
        loose_bytes: loose,
    }
}

/// A similarity score, and how many bytes of the lines that were not
/// matched whole still match chunk by chunk (an upper bound on what
/// refinement can find inside changed blocks).
pub(crate) struct Similarity {
    pub score: f64,
    pub loose_bytes: usize,
}

/// Bytes of the lines matched whole, and the lines left over.
fn match_lines(
    lines: &[Range<usize>],
    ids: &[u32],
    counts: &[(u32, u32)],
) -> (usize, Vec<Range<usize>>) {
    let mut used = vec![0u32; counts.len()];
    let mut shared = 0;
    let mut rest = Vec::new();
    for (line, &id) in lines.iter().zip(ids) {
        let (a, b) = counts[id as usize];
        let slot = &mut used[id as usize];
        if *slot < a.min(b) {
            *slot += 1;
            shared += line.len();
        } else {
            rest.push(line.clone());
        }
    }
    (shared, rest)
}

/// Content-defined chunks of `text` (offset by `base`): once a chunk holds
/// `MIN_CHUNK` bytes, it ends after an ASCII space or punctuation mark, or
/// after a character whose last byte is picked by its value (one in eight).
/// A cut depends only on the byte before it, so chunks realign right after
/// an edit; cuts fall on character boundaries.
fn chunks(text: &str, base: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / (MIN_CHUNK + 8) + 1);
    let mut start = 0;
    let mut i = MIN_CHUNK - 1;
    while i < bytes.len() {
        let b = bytes[i];
        let boundary = bytes.get(i + 1).is_none_or(|&n| (n as i8) >= -0x40);
        let cut = b.is_ascii_whitespace()
            || b.is_ascii_punctuation()
            || u32::from(b).wrapping_mul(0x9E37_79B1) >> 29 == 0;
        if boundary && cut {
            out.push(base + start..base + i + 1);
            start = i + 1;
            i += MIN_CHUNK;
        } else {
            i += 1;
        }
    }
    if start < bytes.len() {
        out.push(base + start..base + bytes.len());
    }
    out
}

/// Dice similarity of two sorted multisets of token keys.
pub(crate) fn sorted_dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    2.0 * crate::fingerprint::shared(a, b) as f64 / (a.len() + b.len()) as f64
}

/// Rounds a similarity for display and JSON (three decimals).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::options::DiffOptions;

    fn sim(a: &str, b: &str) -> f64 {
        let mut keyer = Keyer::new(&DiffOptions::new());
        UnitBag::of(a, &mut keyer).similarity(&UnitBag::of(b, &mut keyer))
    }

    #[test]
    fn identical_and_disjoint() {
        assert_eq!(sim("a\nb\n", "a\nb\n"), 1.0);
        assert_eq!(sim("a\n", "b\n"), 0.0);
        assert_eq!(sim("", ""), 1.0);
    }

    #[test]
    fn order_does_not_matter() {
        assert_eq!(sim("one\ntwo\n", "two\none\n"), 1.0);
    }

    #[test]
    fn a_long_cjk_line_with_one_edit_stays_similar() {
        let old = "中共中央关于加强和改进党的群团工作的意见发布。".repeat(100);
        let new = old.replacen("改进", "改善", 1);
        assert!(sim(&old, &new) > 0.98);
    }

    #[test]
    fn sorted_dice_counts_multiset_overlap() {
        assert_eq!(sorted_dice(&[1, 2, 2, 3], &[2, 2, 4, 5]), 0.5);
    }
}
