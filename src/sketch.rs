//! MinHash signatures and LSH banding.
//!
//! A [`Signature`] is a one-permutation MinHash sketch: each shingle hash picks
//! one of [`SLOTS`] slots by its top bits and the slot keeps the smallest low
//! bits seen; empty slots are then filled by optimal densification (each empty
//! slot copies a non-empty slot chosen by a hash of its own index), so short
//! texts still compare. One hash per shingle, about a nanosecond each, instead
//! of one per shingle per permutation. The fraction of equal slots estimates
//! the Jaccard similarity of two shingle sets.
//!
//! [`Lsh`] cuts a signature into `bands` bands of `rows` slots: two texts whose
//! signatures agree on a whole band are candidates. [`Lsh::for_threshold`]
//! chooses the band shape from the similarity threshold so that pairs at the
//! threshold become candidates with probability ≥ 0.995; every candidate is
//! verified before it is reported.
//!
//! ```
//! use doppel::sketch::Signature;
//! let a: Vec<u64> = (0..200).collect();
//! let b: Vec<u64> = (0..200).chain(200..220).collect();
//! let (sa, sb) = (Signature::from_hashes(&a).unwrap(), Signature::from_hashes(&b).unwrap());
//! assert!((sa.similarity(&sb) - 200.0 / 220.0).abs() < 0.15);
//! ```

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Slots in a signature.
pub const SLOTS: usize = 128;
const SLOT_BITS: u32 = SLOTS.trailing_zeros();

/// A one-permutation MinHash signature.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    slots: Box<[u32; SLOTS]>,
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({:08x}…)", self.slots[0])
    }
}

const EMPTY: u32 = u32::MAX;

impl Signature {
    /// The signature of a set of shingle hashes; `None` for an empty set.
    pub fn from_hashes(hashes: &[u64]) -> Option<Signature> {
        if hashes.is_empty() {
            return None;
        }
        let mut slots = Box::new([EMPTY; SLOTS]);
        let mut filled = [false; SLOTS];
        for &hash in hashes {
            let slot = (hash >> (64 - SLOT_BITS)) as usize;
            let value = (hash as u32).min(EMPTY - 1);
            if value < slots[slot] {
                slots[slot] = value;
            }
            filled[slot] = true;
        }
        densify(&mut slots, &filled);
        Some(Signature { slots })
    }

    /// Estimated Jaccard similarity: the fraction of equal slots.
    pub fn similarity(&self, other: &Signature) -> f64 {
        let equal = self
            .slots
            .iter()
            .zip(other.slots.iter())
            .filter(|(a, b)| a == b)
            .count();
        equal as f64 / SLOTS as f64
    }

    pub fn slots(&self) -> &[u32; SLOTS] {
        &self.slots
    }
}

/// Fills each empty slot from a non-empty one picked by hashing the empty
/// slot's index with an attempt counter (Shrivastava, 2017).
///
/// The donors a slot tries do not depend on the text, so the first
/// [`DONOR_TRIES`] of each slot come from a table made once: a short segment,
/// with most slots empty, then costs table look-ups instead of thousands of
/// hashes. The result is the same as hashing every attempt.
fn densify(slots: &mut [u32; SLOTS], filled: &[bool; SLOTS]) {
    let donors: Vec<u8> = (0..SLOTS as u8).filter(|&d| filled[d as usize]).collect();
    let table = donor_table();
    for slot in 0..SLOTS {
        if filled[slot] {
            continue;
        }
        // With few donors, look up where each first appears; with many, walk
        // the slot's sequence until one appears. Both find the same donor.
        let found = if donors.len() * donors.len() < SLOTS {
            donors
                .iter()
                .map(|&d| (table.first_try[slot][d as usize], d))
                .min()
                .filter(|&(at, _)| (at as usize) < DONOR_TRIES)
                .map(|(_, d)| d)
        } else {
            table.tries[slot]
                .iter()
                .find(|&&d| filled[d as usize])
                .copied()
        };
        let donor = match found {
            Some(d) => d as usize,
            None => (DONOR_TRIES as u64..)
                .map(|attempt| donor(slot, attempt))
                .find(|&d| filled[d])
                .unwrap_or(slot),
        };
        slots[slot] = slots[donor];
    }
}

/// Donors tried first by each slot, in order.
const DONOR_TRIES: usize = 1024;

struct DonorTable {
    /// The donor each slot tries at each of its first attempts.
    tries: [[u8; DONOR_TRIES]; SLOTS],
    /// The first attempt at which each slot tries each donor
    /// (`DONOR_TRIES` when not among them).
    first_try: [[u16; SLOTS]; SLOTS],
}

fn donor_table() -> &'static DonorTable {
    static TABLE: std::sync::OnceLock<Box<DonorTable>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Box::new(DonorTable {
            tries: [[0u8; DONOR_TRIES]; SLOTS],
            first_try: [[DONOR_TRIES as u16; SLOTS]; SLOTS],
        });
        for slot in 0..SLOTS {
            for attempt in (0..DONOR_TRIES).rev() {
                let d = donor(slot, attempt as u64);
                table.tries[slot][attempt] = d as u8;
                table.first_try[slot][d] = attempt as u16;
            }
        }
        table
    })
}

/// The donor an empty `slot` tries at `attempt`.
fn donor(slot: usize, attempt: u64) -> usize {
    let key = ((slot as u64) << 32) | attempt;
    (xxh3_64_with_seed(&key.to_le_bytes(), 0x5EED) as usize) % SLOTS
}

/// Locality-sensitive hashing over signature bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lsh {
    pub bands: usize,
    pub rows: usize,
}

impl Lsh {
    /// The band shape with the most rows (fewest chance candidates) that still
    /// makes a pair at `threshold` a candidate with probability ≥ 0.995.
    pub fn for_threshold(threshold: f64) -> Lsh {
        let threshold = threshold.clamp(0.05, 1.0);
        (1..=16)
            .rev()
            .map(|rows| Lsh {
                bands: SLOTS / rows,
                rows,
            })
            .find(|lsh| lsh.candidate_probability(threshold) >= 0.995)
            .unwrap_or(Lsh {
                bands: SLOTS,
                rows: 1,
            })
    }

    /// Probability that two texts of Jaccard similarity `jaccard` share a band.
    pub fn candidate_probability(&self, jaccard: f64) -> f64 {
        1.0 - (1.0 - jaccard.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The band keys of `signature`, one per band; equal keys mean a shared band.
    pub fn band_keys<'a>(&self, signature: &'a Signature) -> impl Iterator<Item = u64> + 'a {
        let rows = self.rows;
        let slots = &signature.slots;
        (0..self.bands).map(move |band| {
            let mut bytes = [0u8; 4 * 16];
            for (row, chunk) in bytes.chunks_exact_mut(4).take(rows).enumerate() {
                chunk.copy_from_slice(&slots[band * rows + row].to_le_bytes());
            }
            xxh3_64_with_seed(&bytes[..rows * 4], band as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(range: std::ops::Range<u64>) -> Vec<u64> {
        range
            .map(|i| xxh3_64_with_seed(&i.to_le_bytes(), 1))
            .collect()
    }

    #[test]
    fn equal_sets_have_equal_signatures() {
        let a = Signature::from_hashes(&hashes(0..50)).unwrap();
        let b = Signature::from_hashes(&hashes(0..50)).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.similarity(&b), 1.0);
    }

    #[test]
    fn estimate_tracks_jaccard() {
        let a = Signature::from_hashes(&hashes(0..1000)).unwrap();
        let b = Signature::from_hashes(&hashes(200..1200)).unwrap();
        let jaccard = 800.0 / 1200.0;
        assert!(
            (a.similarity(&b) - jaccard).abs() < 0.12,
            "{}",
            a.similarity(&b)
        );
        let c = Signature::from_hashes(&hashes(5000..6000)).unwrap();
        assert!(a.similarity(&c) < 0.1);
    }

    #[test]
    fn tiny_sets_are_densified() {
        let a = Signature::from_hashes(&hashes(0..1)).unwrap();
        assert!(a.slots().iter().all(|&s| s != EMPTY));
        let b = Signature::from_hashes(&hashes(1..2)).unwrap();
        assert!(a.similarity(&b) < 0.5);
    }

    /// The densification of the first version, hashing every attempt.
    fn densify_by_hashing(slots: &mut [u32; SLOTS], filled: &[bool; SLOTS]) {
        for slot in 0..SLOTS {
            if !filled[slot] {
                let d = (0..).map(|a| donor(slot, a)).find(|&d| filled[d]).unwrap();
                slots[slot] = slots[d];
            }
        }
    }

    #[test]
    fn densifying_by_table_equals_densifying_by_hashing() {
        let sizes = [1u64, 2, 3, 5, 8, 10, 11, 12, 13, 20, 40, 127, 300];
        for (n, offset) in sizes
            .iter()
            .flat_map(|&n| (0..20).map(move |o| (n, o * 7919)))
        {
            let set = hashes(offset + n * 1000..offset + n * 1000 + n);
            let signature = Signature::from_hashes(&set).unwrap();
            let mut slots = Box::new([EMPTY; SLOTS]);
            let mut filled = [false; SLOTS];
            for &hash in &set {
                let slot = (hash >> (64 - SLOT_BITS)) as usize;
                slots[slot] = slots[slot].min((hash as u32).min(EMPTY - 1));
                filled[slot] = true;
            }
            densify_by_hashing(&mut slots, &filled);
            assert_eq!(signature.slots, slots, "{n} shingles");
        }
    }

    #[test]
    fn empty_set_has_no_signature() {
        assert!(Signature::from_hashes(&[]).is_none());
    }

    #[test]
    fn band_shape_follows_threshold() {
        let lsh = Lsh::for_threshold(0.8);
        assert!(lsh.candidate_probability(0.8) >= 0.995);
        assert!(lsh.candidate_probability(0.3) < 0.5);
        assert!(Lsh::for_threshold(0.95).rows > Lsh::for_threshold(0.5).rows);
    }

    #[test]
    fn similar_sets_share_a_band() {
        let lsh = Lsh::for_threshold(0.8);
        let a = Signature::from_hashes(&hashes(0..100)).unwrap();
        let b = Signature::from_hashes(&hashes(0..105)).unwrap();
        let shared = lsh
            .band_keys(&a)
            .zip(lsh.band_keys(&b))
            .filter(|(x, y)| x == y)
            .count();
        assert!(shared > 0);
    }
}
