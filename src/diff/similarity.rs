//! How alike two texts are, whatever algorithm aligned them.
//!
//! A text is reduced to a bag of units — its lines, with lines longer than
//! 64 bytes cut into content-defined chunks of a few words or characters,
//! so that one edit costs one chunk, not a paragraph — each weighted by its
//! length in bytes. Similarity is the Dice coefficient of two bags: twice the weight
//! they share over their total weight. It depends only on the two texts and
//! the comparison options, never on the alignment, so `--algorithm` does
//! not change it; it is cheap enough to pair renamed files in two folders.

use std::collections::HashMap;
use std::ops::Range;

use super::key::Keyer;
use super::lines::lines;
/// Lines longer than this (bytes) count as their chunks.
const LONG_LINE: usize = 64;
/// Least length of a chunk in bytes.
const MIN_CHUNK: usize = 8;

/// The weighted bag of units of one text.
#[derive(Clone, Debug, Default)]
pub struct UnitBag {
    weights: HashMap<u64, usize>,
    total: usize,
}

impl UnitBag {
    pub(crate) fn of(text: &str, keyer: &mut Keyer) -> UnitBag {
        let mut bag = UnitBag::default();
        for line in lines(text) {
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

    /// The best similarity these two bags could have, from their sizes only.
    pub fn similarity_bound(&self, other: &UnitBag) -> f64 {
        if self.total + other.total == 0 {
            return 1.0;
        }
        2.0 * self.total.min(other.total) as f64 / (self.total + other.total) as f64
    }
}

/// Content-defined chunks of `text` (offset by `base`): a chunk ends after
/// a space or punctuation, or after a character picked by its own value (one
/// in eight), once it holds `MIN_CHUNK` bytes. A cut depends only on the
/// character before it, so chunks realign right after an edit.
fn chunks(text: &str, base: usize) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(text.len() / 12 + 1);
    let mut start = 0;
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        let picked = (c as u32).wrapping_mul(0x9E37_79B1) >> 29 == 0;
        if end - start >= MIN_CHUNK && (picked || c.is_whitespace() || c.is_ascii_punctuation()) {
            out.push(base + start..base + end);
            start = end;
        }
    }
    if start < text.len() {
        out.push(base + start..base + text.len());
    }
    out
}

/// Dice similarity of two sorted multisets of token keys.
pub(crate) fn sorted_dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f64 / (a.len() + b.len()) as f64
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
