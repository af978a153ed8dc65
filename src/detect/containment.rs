//! Contained documents: a short document whose text lies wholly, or almost
//! wholly, inside a longer one (a snippet page, a truncated copy).
//!
//! Jaccard similarity cannot see these: a 2 KB snippet of a 40 KB page is
//! 5% alike. Containment `C(A ⊂ B) = |A ∩ B| / |A|` on the documents'
//! shingle sets can, and is reported from a threshold when `A` has at least
//! [`ContainmentConfig::min_shingles`] distinct shingles (a tiny document is
//! contained everywhere) and fewer than `B`.
//!
//! **Candidates.** Each document keeps its *anchors*: the distinct shingle
//! hashes that fall in a fixed fraction of the hash space
//! ([`ContainmentConfig::anchor_rate`], one in eight). Which shingles are
//! anchors depends on the shingle alone, never on the document, so when `A`
//! lies inside `B` every anchor of `A` is an anchor of `B`. After the last
//! document the anchors are inverted (anchor → documents); an anchor held
//! by more than [`ContainmentConfig::max_postings`] documents is boilerplate
//! and is not used. A document's candidate containers are the documents
//! sharing at least half the threshold's share of its usable anchors, the
//! [`ContainmentConfig::candidates`] sharing most kept. Every candidate is
//! verified exactly on the shingle sets kept for near-duplicate
//! verification ([`super::sets`]).
//!
//! **What it misses.** A document with no usable anchor is never checked: at
//! the least size (128 distinct shingles: with the default character
//! 5-grams, about 128 characters, a long sentence) and a rate of one in
//! eight, a document has no anchor at all with probability
//! `(7/8)^128 ≈ 4·10⁻⁸`, and
//! each further shingle makes that rarer. A document contained at the
//! threshold `t` but sharing fewer than `t / 2` of its anchors with its
//! container is missed too, a sampling accident of a few anchors
//! (simulated: 0.04% of documents of 128 shingles contained at 0.8, none in
//! 200,000 from 256 shingles; at 64 shingles it would be 0.8%); so is one whose every anchor is
//! boilerplate, and one with more than [`ContainmentConfig::candidates`]
//! candidates sharing more anchors than its container. Containment is
//! measured on the shingle sets doppel builds, segment by segment: a short
//! copy cut into segments otherwise than its container (one paragraph
//! where the container's was cut into sentences) loses the shingles that
//! span its segment boundaries, and scores lower than its text suggests.
//!
//! **Cost.** Memory holds the anchors: about one in eight of each
//! document's shingles, 4 bytes each while documents are added and 12
//! while candidates are found (with 8 bytes per document and 8 MiB of
//! buckets into the postings). Finding candidates looks at most
//! `max_postings` documents per anchor, and only those with more shingles.
//!
//! Exact duplicates are left to clusters: only the first of an exact group
//! (its representative) is indexed or checked. A pair already in one near
//! cluster is not reported again. Each contained document is reported once,
//! with its best container (highest containment, then the earlier
//! document). Everything is decided by document numbers (input order), so
//! the findings do not depend on threads or batches.

use std::io;

use rayon::prelude::*;

use super::sets::{compare, SetStore};
use crate::fingerprint::shared;

/// Settings of containment detection.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainmentConfig {
    /// Containment from which a document is reported as contained (the
    /// engine sets it to its near-duplicate threshold).
    pub threshold: f64,
    /// Fewest distinct shingles of a document reported as contained
    /// (default 128).
    pub min_shingles: usize,
    /// One shingle in `anchor_rate` is an anchor (default 8).
    pub anchor_rate: u32,
    /// Documents an anchor may be held by and still find candidates; past
    /// it the anchor is boilerplate (default 256).
    pub max_postings: usize,
    /// Candidate containers verified per document (default 16).
    pub candidates: usize,
}

impl Default for ContainmentConfig {
    fn default() -> ContainmentConfig {
        ContainmentConfig {
            threshold: 0.8,
            min_shingles: 128,
            anchor_rate: 8,
            max_postings: 256,
            candidates: 16,
        }
    }
}

/// A document contained in a longer one.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Contained {
    /// Number of the contained document (input order, from 0).
    pub doc: u32,
    /// Number of the document that contains it.
    pub container: u32,
    /// Share of the contained document's distinct shingles that the
    /// container holds, in `[threshold, 1]`.
    pub containment: f64,
}

/// Whether a compact shingle hash is an anchor at `rate`. The hash is mixed
/// first, so anchors are not tied to the bits that other stages read.
pub fn is_anchor(hash: u32, rate: u32) -> bool {
    let mixed = hash.wrapping_mul(0x9E37_79B1).rotate_left(15) ^ hash;
    mixed.wrapping_mul(0x85EB_CA6B) % rate.max(1) == 0
}

/// Each document's anchors, filled one document at a time in input order.
#[derive(Debug)]
pub struct ContainmentIndex {
    config: ContainmentConfig,
    /// Anchors of every document, sorted per document, back to back.
    anchors: Vec<u32>,
    /// `offsets[doc]..offsets[doc + 1]` are the document's anchors.
    offsets: Vec<u64>,
    /// Shingles of each document, repeats included (what may be checked
    /// is told from it before any set is loaded).
    shingles: Vec<u32>,
}

impl ContainmentIndex {
    pub fn new(config: ContainmentConfig) -> ContainmentIndex {
        ContainmentIndex {
            config,
            anchors: Vec::new(),
            offsets: vec![0],
            shingles: Vec::new(),
        }
    }

    /// Adds the next document (numbered in order from 0) by its shingle
    /// hashes in text order; an exact twin of an earlier document is added
    /// with none.
    pub fn add(&mut self, shingles: &[u32]) {
        let start = self.anchors.len();
        let rate = self.config.anchor_rate;
        self.anchors
            .extend(shingles.iter().copied().filter(|&h| is_anchor(h, rate)));
        self.anchors[start..].sort_unstable();
        let mut kept = start;
        for at in start..self.anchors.len() {
            if kept == start || self.anchors[kept - 1] != self.anchors[at] {
                self.anchors[kept] = self.anchors[at];
                kept += 1;
            }
        }
        self.anchors.truncate(kept);
        self.offsets.push(self.anchors.len() as u64);
        self.shingles
            .push(u32::try_from(shingles.len()).unwrap_or(u32::MAX));
    }

    fn anchors_of(&self, doc: u32) -> &[u32] {
        let doc = doc as usize;
        &self.anchors[self.offsets[doc] as usize..self.offsets[doc + 1] as usize]
    }

    /// Candidate pairs `(contained, container)`, sorted, leaving out pairs
    /// that `together` says are reported already (one near cluster).
    /// Releases the anchors.
    pub fn candidates(&mut self, together: impl Fn(u32, u32) -> bool + Sync) -> Vec<(u32, u32)> {
        let docs = self.shingles.len() as u32;
        let shingles = &self.shingles;
        // Documents ranked by shingles, then by number: a document's
        // possible containers are ranked after every document of its size.
        let mut by_size: Vec<u32> = (0..docs).collect();
        by_size.par_sort_unstable_by_key(|&doc| (shingles[doc as usize], doc));
        let mut rank = vec![0u32; docs as usize];
        for (at, &doc) in by_size.iter().enumerate() {
            rank[doc as usize] = at as u32;
        }
        // Anchor and rank, packed so that sorting integers groups them by
        // anchor, each anchor's holders from the fewest shingles up.
        let mut postings: Vec<u64> = (0..docs)
            .flat_map(|doc| {
                let rank = rank[doc as usize];
                self.anchors_of(doc)
                    .iter()
                    .map(move |&anchor| u64::from(anchor) << 32 | u64::from(rank))
            })
            .collect();
        drop(rank);
        postings.par_sort_unstable();
        let buckets = Buckets::new(&postings);
        let config = &self.config;
        let needed_share = config.threshold / 2.0;
        let pairs: Vec<(u32, u32)> = (0..docs)
            .into_par_iter()
            .filter(|&doc| shingles[doc as usize] as usize >= config.min_shingles)
            .flat_map_iter(|doc| {
                let size = shingles[doc as usize];
                // The first rank with more shingles: only those can contain it.
                let larger = by_size.partition_point(|&other| shingles[other as usize] <= size);
                let mut held: Vec<u32> = Vec::new();
                let mut usable = 0usize;
                for &anchor in self.anchors_of(doc) {
                    let holders = buckets.holders(&postings, anchor);
                    if holders.len() > config.max_postings {
                        continue;
                    }
                    usable += 1;
                    let from = holders.partition_point(|&packed| (packed as u32 as usize) < larger);
                    held.extend(holders[from..].iter().map(|&packed| packed as u32));
                }
                held.sort_unstable();
                let least = ((needed_share * usable as f64).ceil() as u32).max(1);
                let mut found: Vec<(u32, u32)> = held
                    .chunk_by(|x, y| x == y)
                    .filter(|run| run.len() as u32 >= least)
                    .map(|run| (by_size[run[0] as usize], run.len() as u32))
                    .filter(|&(other, _)| !together(doc, other))
                    .collect();
                // The most shared anchors first, ties to the earlier document.
                found.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
                found.truncate(config.candidates);
                let mut containers: Vec<u32> = found.into_iter().map(|(other, _)| other).collect();
                containers.sort_unstable();
                containers.into_iter().map(move |other| (doc, other))
            })
            .collect();
        self.anchors = Vec::new();
        self.offsets = Vec::new();
        pairs
    }

    /// The contained documents among `pairs` (from
    /// [`candidates`](Self::candidates)), each with its best container,
    /// by document number. Sets are loaded from `store` in runs of at most
    /// `budget` bytes (a run holds at least one pair).
    pub fn verify(
        &self,
        pairs: &[(u32, u32)],
        store: &SetStore,
        budget: usize,
    ) -> io::Result<Vec<Contained>> {
        let min_shingles = self.config.min_shingles;
        let measured = compare(pairs, store, budget, |doc, container| {
            containment(doc, container, min_shingles)
        })?;
        let mut best: Vec<Contained> = Vec::new();
        let found = pairs
            .iter()
            .zip(measured)
            .filter_map(|(&(doc, container), containment)| {
                let containment = containment?;
                (containment >= self.config.threshold).then_some(Contained {
                    doc,
                    container,
                    containment,
                })
            });
        for found in found {
            match best.last_mut() {
                Some(last) if last.doc == found.doc => {
                    if found.containment > last.containment {
                        *last = found;
                    }
                }
                _ => best.push(found),
            }
        }
        Ok(best)
    }
}

/// Where each range of anchors starts in the sorted postings, so a lookup
/// searches a few postings instead of all (anchors are hashes, spread
/// evenly over the buckets).
struct Buckets {
    starts: Vec<usize>,
    /// How many high bits of an anchor choose its bucket: about one bucket
    /// per posting, so a small scan does not clear a table sized for a
    /// large one.
    bits: u32,
}

impl Buckets {
    const MAX_BITS: u32 = 20;

    fn bucket(&self, anchor: u32) -> usize {
        (u64::from(anchor) >> (32 - self.bits)) as usize
    }

    fn new(postings: &[u64]) -> Buckets {
        let bits = postings
            .len()
            .next_power_of_two()
            .trailing_zeros()
            .clamp(1, Self::MAX_BITS);
        let mut buckets = Buckets {
            starts: vec![0usize; (1 << bits) + 1],
            bits,
        };
        for &packed in postings {
            let bucket = buckets.bucket((packed >> 32) as u32);
            buckets.starts[bucket + 1] += 1;
        }
        for at in 1..buckets.starts.len() {
            buckets.starts[at] += buckets.starts[at - 1];
        }
        buckets
    }

    /// The postings of `anchor` in `postings` (sorted, packed anchor and
    /// rank).
    fn holders<'p>(&self, postings: &'p [u64], anchor: u32) -> &'p [u64] {
        let bucket = self.bucket(anchor);
        let postings = &postings[self.starts[bucket]..self.starts[bucket + 1]];
        let key = u64::from(anchor) << 32;
        let from = postings.partition_point(|&p| p < key);
        let to = from + postings[from..].partition_point(|&p| p >> 32 == u64::from(anchor));
        &postings[from..to]
    }
}

/// `|a ∩ b| / |a|` of two sorted sets without repeats, when `a` has at
/// least `min_shingles` elements and fewer than `b`.
pub fn containment(a: &[u32], b: &[u32], min_shingles: usize) -> Option<f64> {
    if a.len() < min_shingles.max(1) || a.len() >= b.len() {
        return None;
    }
    Some(shared(a, b) as f64 / a.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::sets::SetSpill;

    fn config() -> ContainmentConfig {
        ContainmentConfig {
            min_shingles: 10,
            ..ContainmentConfig::default()
        }
    }

    fn hashes(range: std::ops::Range<u32>) -> Vec<u32> {
        range
            .map(|n| n.wrapping_mul(2_654_435_761).rotate_left(7))
            .collect()
    }

    fn found(sets: &[Vec<u32>], config: ContainmentConfig) -> Vec<Contained> {
        let mut index = ContainmentIndex::new(config);
        let mut spill = SetSpill::new().unwrap();
        for set in sets {
            index.add(set);
            spill.push(set);
        }
        let pairs = index.candidates(|_, _| false);
        let store = spill.finish().unwrap();
        index.verify(&pairs, &store, 1 << 20).unwrap()
    }

    proptest::proptest! {
        #[test]
        fn every_anchor_of_a_contained_set_is_an_anchor_of_its_container(
            container in proptest::collection::vec(proptest::num::u32::ANY, 1..400),
            from in 0usize..400,
            len in 0usize..400,
        ) {
            let from = from % container.len();
            let part = &container[from..(from + len).min(container.len())];
            let mut index = ContainmentIndex::new(ContainmentConfig::default());
            index.add(part);
            index.add(&container);
            for anchor in index.anchors_of(0) {
                proptest::prop_assert!(index.anchors_of(1).binary_search(anchor).is_ok());
            }
        }
        #[test]
        fn buckets_find_exactly_the_postings_of_an_anchor(
            anchors in proptest::collection::vec(proptest::num::u32::ANY, 0..3000),
            probe in proptest::num::u32::ANY,
        ) {
            // Repeated anchors and every table size from 2 buckets up.
            let mut postings: Vec<u64> = anchors
                .iter()
                .chain(anchors.iter().take(anchors.len() / 3))
                .enumerate()
                .map(|(rank, &anchor)| u64::from(anchor) << 32 | rank as u64)
                .collect();
            postings.sort_unstable();
            let buckets = Buckets::new(&postings);
            for anchor in anchors.iter().take(50).copied().chain([probe, 0, u32::MAX]) {
                let expected: Vec<u64> =
                    postings.iter().copied().filter(|p| p >> 32 == u64::from(anchor)).collect();
                proptest::prop_assert_eq!(buckets.holders(&postings, anchor), &expected[..]);
            }
        }
    }

    #[test]
    fn about_one_shingle_in_the_rate_is_an_anchor() {
        let all = hashes(0..80_000);
        let anchors = all.iter().filter(|&&h| is_anchor(h, 8)).count();
        assert!((9_000..11_000).contains(&anchors), "{anchors}");
        let sequential = (0..80_000u32).filter(|&h| is_anchor(h, 8)).count();
        assert!((9_000..11_000).contains(&sequential), "{sequential}");
    }

    #[test]
    fn a_truncated_copy_and_a_snippet_are_found_in_their_container() {
        let page = hashes(0..1000);
        let truncated = page[..300].to_vec();
        let snippet = page[500..600].to_vec();
        let unrelated = hashes(5000..5200);
        let found = found(&[page, truncated, unrelated, snippet], config());
        assert_eq!(
            found,
            [
                Contained {
                    doc: 1,
                    container: 0,
                    containment: 1.0
                },
                Contained {
                    doc: 3,
                    container: 0,
                    containment: 1.0
                },
            ]
        );
    }

    #[test]
    fn containment_below_the_threshold_or_of_a_tiny_document_is_not_reported() {
        let page = hashes(0..1000);
        // 70 of 100 inside the page.
        let mut partly = page[..70].to_vec();
        partly.extend(hashes(9000..9030));
        let tiny = page[..5].to_vec();
        assert_eq!(found(&[page, partly, tiny], config()), []);
    }

    #[test]
    fn a_document_is_never_its_own_container_nor_one_of_its_size() {
        let a = hashes(0..200);
        let b = hashes(0..200);
        assert_eq!(found(&[a, b], config()), []);
    }

    #[test]
    fn the_best_container_is_reported_once_ties_to_the_earlier() {
        let snippet = hashes(0..100);
        let mut half = hashes(0..90);
        half.extend(hashes(2000..2500));
        let mut whole = hashes(0..100);
        whole.extend(hashes(3000..3500));
        let mut again = hashes(0..100);
        again.extend(hashes(4000..4500));
        let found = found(&[half, snippet, whole, again], config());
        assert_eq!(
            found,
            [Contained {
                doc: 1,
                container: 2,
                containment: 1.0
            }]
        );
    }

    #[test]
    fn anchors_held_by_more_documents_than_the_cap_find_nothing() {
        let snippet = hashes(0..100);
        let mut sets = vec![snippet.clone()];
        for n in 0..5u32 {
            let mut page = snippet.clone();
            page.extend(hashes(10_000 * (n + 1)..10_000 * (n + 1) + 300));
            sets.push(page);
        }
        let capped = ContainmentConfig {
            max_postings: 5,
            ..config()
        };
        assert_eq!(found(&sets, capped), []);
        let found = found(&sets, config());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].doc, found[0].container), (0, 1));
    }

    #[test]
    fn pairs_said_to_be_together_are_left_out() {
        let page = hashes(0..1000);
        let mut index = ContainmentIndex::new(config());
        index.add(&page);
        index.add(&page[..300]);
        assert_eq!(index.candidates(|_, _| false), [(1, 0)]);
        let mut index = ContainmentIndex::new(config());
        index.add(&page);
        index.add(&page[..300]);
        assert_eq!(index.candidates(|a, b| (a, b) == (1, 0)), []);
    }

    #[test]
    fn sets_loaded_in_small_runs_give_the_same_findings() {
        let page = hashes(0..1000);
        let sets = vec![page.clone(), page[..300].to_vec(), page[200..400].to_vec()];
        let mut index = ContainmentIndex::new(config());
        let mut spill = SetSpill::new().unwrap();
        for set in &sets {
            index.add(set);
            spill.push(set);
        }
        let pairs = index.candidates(|_, _| false);
        let store = spill.finish().unwrap();
        let whole = index.verify(&pairs, &store, 1 << 20).unwrap();
        assert_eq!(index.verify(&pairs, &store, 0).unwrap(), whole);
        assert_eq!(whole.len(), 2);
    }

    #[test]
    fn containment_counts_the_shorter_sets_share() {
        let a = [1, 2, 3, 4];
        let b = [2, 3, 4, 5, 6, 7, 8, 9];
        assert_eq!(containment(&a, &b, 1), Some(0.75));
        assert_eq!(containment(&a, &b, 5), None);
        assert_eq!(containment(&b, &a, 1), None);
    }
}
