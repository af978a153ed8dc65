//! MinHash signatures and LSH banding.
//!
//! A [`Signature`] is a one-permutation MinHash sketch: each shingle hash picks
//! one of [`SLOTS`] slots by its top bits and the slot keeps the smallest low
//! bits seen; empty slots are then filled by rotation densification (each
//! empty slot borrows from the nearest filled slot to its right), so short
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
//! The test `signatures_estimate_jaccard_similarity` shows one at work.

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

/// The smallest value seen in each slot, before densification: what a
/// signature is made from, and what the signature of a union is made from
/// (the slot-wise minimum of its parts), so a document's signature comes
/// from its segments' without hashing their shingles again. Values are
/// capped below [`EMPTY`], so a slot is filled exactly when it is not
/// `EMPTY`.
#[derive(Clone, Debug)]
pub struct SlotMins {
    slots: [u32; SLOTS],
    any: bool,
}

impl Default for SlotMins {
    fn default() -> SlotMins {
        SlotMins {
            slots: [EMPTY; SLOTS],
            any: false,
        }
    }
}

impl SlotMins {
    /// Adds shingle hashes.
    pub fn add(&mut self, hashes: &[u64]) {
        for &hash in hashes {
            let slot = (hash >> (64 - SLOT_BITS)) as usize;
            let value = (hash as u32).min(EMPTY - 1);
            self.slots[slot] = self.slots[slot].min(value);
        }
        self.any |= !hashes.is_empty();
    }

    /// Adds everything `other` saw.
    pub fn merge(&mut self, other: &SlotMins) {
        for (mine, theirs) in self.slots.iter_mut().zip(&other.slots) {
            *mine = (*mine).min(*theirs);
        }
        self.any |= other.any;
    }

    /// The densified signature; `None` when nothing was added.
    pub fn signature(&self) -> Option<Signature> {
        if !self.any {
            return None;
        }
        let mut slots = Box::new(self.slots);
        densify(&mut slots);
        Some(Signature { slots })
    }
}

impl Signature {
    /// The signature of a set of shingle hashes; `None` for an empty set.
    pub fn from_hashes(hashes: &[u64]) -> Option<Signature> {
        let mut mins = SlotMins::default();
        mins.add(hashes);
        mins.signature()
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

/// Fills each empty slot by rotation (Shrivastava and Li, 2014): it takes
/// the value of the nearest filled slot to its right, circularly, offset by
/// its distance, so two texts agree on an empty slot only when they agree on
/// its donor and on how far away it is. One pass over the slots, whatever
/// their number.
///
/// Optimal densification (a hashed donor per empty slot) estimates a little
/// better on very short texts, but cost hundreds of steps per short segment
/// and was a fifth of a scan's time; every candidate is verified on its
/// shingle sets anyway.
///
/// A slot is empty when it holds [`EMPTY`]. The loop has no branch on the
/// data: a filled slot resets the distance and becomes the donor, and
/// writing `donor + 0 × offset` back leaves it as it was.
fn densify(slots: &mut [u32; SLOTS]) {
    let Some(start) = slots.iter().position(|&s| s != EMPTY) else {
        return;
    };
    let mut next = slots[start];
    let mut distance = 0u32;
    for step in 1..=SLOTS {
        let slot = (start + SLOTS - step) % SLOTS;
        let value = slots[slot];
        let filled = value != EMPTY;
        distance = if filled { 0 } else { distance + 1 };
        next = if filled { value } else { next };
        slots[slot] = next
            .wrapping_add(distance.wrapping_mul(ROTATION_OFFSET))
            .min(EMPTY - 1);
    }
}

/// Added per step of distance to a rotated value: odd and large, so values
/// borrowed over different distances never meet.
const ROTATION_OFFSET: u32 = 0x9E37_79B9;

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

    /// The band keys of `signature`, one per band: the band's slots folded
    /// in order with a multiply-rotate, seeded by the band number. Equal
    /// keys mean a shared band (or, rarely, a collision that verification
    /// throws out).
    pub fn band_keys<'a>(&self, signature: &'a Signature) -> impl Iterator<Item = u64> + 'a {
        let rows = self.rows;
        let slots = &signature.slots;
        (0..self.bands).map(move |band| {
            let mut key = (band as u64 + 1).wrapping_mul(0xD6E8_FEB8_6659_FD93);
            for &slot in &slots[band * rows..(band + 1) * rows] {
                key = (key ^ u64::from(slot))
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    .rotate_left(27);
            }
            key ^ (key >> 31)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xxhash_rust::xxh3::xxh3_64_with_seed;

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

    #[test]
    fn every_empty_slot_borrows_from_its_right() {
        let mut slots = [EMPTY; SLOTS];
        for (slot, value) in [(3, 30), (100, 1000)] {
            slots[slot] = value;
        }
        densify(&mut slots);
        assert_eq!(slots[2], 30u32.wrapping_add(ROTATION_OFFSET));
        assert_eq!(slots[99], 1000u32.wrapping_add(ROTATION_OFFSET));
        assert_eq!(
            slots[101],
            30u32.wrapping_add(30u32.wrapping_mul(ROTATION_OFFSET))
        );
        assert!(slots.iter().all(|&s| s != EMPTY));
    }

    /// Densification as first written: filled slots marked apart, one
    /// branch per slot.
    fn densify_with_flags(slots: &mut [u32; SLOTS], filled: &[bool; SLOTS]) {
        let Some(start) = filled.iter().position(|&f| f) else {
            return;
        };
        let mut next = slots[start];
        let mut distance = 0u32;
        for step in 1..=SLOTS {
            let slot = (start + SLOTS - step) % SLOTS;
            if filled[slot] {
                next = slots[slot];
                distance = 0;
            } else {
                distance += 1;
                slots[slot] = next
                    .wrapping_add(distance.wrapping_mul(ROTATION_OFFSET))
                    .min(EMPTY - 1);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn branch_free_densify_matches_the_flagged_one(
            filled in proptest::collection::vec((0..SLOTS, 0..EMPTY), 0..40)
        ) {
            let (mut slots, mut flags) = ([EMPTY; SLOTS], [false; SLOTS]);
            for (slot, value) in filled {
                slots[slot] = value;
                flags[slot] = true;
            }
            let mut flagged = slots;
            densify_with_flags(&mut flagged, &flags);
            densify(&mut slots);
            proptest::prop_assert_eq!(slots, flagged);
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

#[cfg(test)]
mod example {
    use super::*;

    #[test]
    fn signatures_estimate_jaccard_similarity() {
        let a: Vec<u64> = (0..200).collect();
        let b: Vec<u64> = (0..200).chain(200..220).collect();
        let (sa, sb) = (
            Signature::from_hashes(&a).unwrap(),
            Signature::from_hashes(&b).unwrap(),
        );
        assert!((sa.similarity(&sb) - 200.0 / 220.0).abs() < 0.15);
    }
}
