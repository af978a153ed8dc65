//! Clustering from pieces made elsewhere: the reduce side of a run that a
//! distributed engine (Ray, Spark) spreads over many machines.
//!
//! Such an engine signs documents in a map ([`Engine::sign_document`]), then
//! finds the same clusters as a scan of the documents in the same order,
//! without ever holding the corpus in one place:
//!
//! 1. **Exact groups.** Documents are grouped by their `exact` hash; the first
//!    of each group (in input order) is its representative, and only
//!    representatives go on. The other members are its twins.
//! 2. **Buckets.** Each representative's band keys are cut to their bucket
//!    ([`bucket_of`]); documents are grouped by bucket, and each bucket gives
//!    its candidate pairs ([`bucket_pairs`]). A pair found in several buckets
//!    counts once.
//! 3. **Verification.** Each pair's two shingle sets are compared
//!    ([`pair_similarity`]).
//! 4. **Resolution.** The twins, the verified pairs and the shingle sets of
//!    the documents in pairs that reached the threshold (a clique may compare
//!    two of them that were no pair) go to one place, where [`resolve`] joins
//!    them by the scan's own rule. That is the duplicates alone, not the
//!    corpus. Which documents go is decided there too, by the removal rule
//!    every driver shares ([`removals`], keeping the first in input order:
//!    [`crate::removal`]); it needs the twins and the pairs, not the sets.
//!
//! Documents are named by any `u64` that orders them as the input does
//! (a row number, Spark's `monotonically_increasing_id`); they need not be
//! consecutive.
//!
//! [`Engine::sign_document`]: crate::Engine::sign_document

use std::collections::HashMap;

use crate::detect::across::{join_clusters, pair_bucket, AcrossConfig};
use crate::detect::removal::DuplicateGraph;
use crate::detect::sets::{jaccard_if_reachable, SetCache, SetStore};

/// The bucket a band key falls in: documents that share one are candidate
/// pairs. A scan keeps only the high 32 bits of each key; so must every
/// engine, or it would find other candidates.
pub fn bucket_of(band_key: u64) -> u64 {
    band_key >> 32
}

/// The candidate pairs `(a, b)`, `a < b`, of one bucket's documents (with
/// repeats, as many times as their band keys fell in it), appended to `out`.
/// Sorts `members`. Each document is paired with the next 16 of the bucket
/// in input order, as in a scan, so a bucket of a million look-alike pages
/// gives 16 million pairs rather than half a trillion.
pub fn bucket_pairs(members: &mut [u64], out: &mut Vec<(u64, u64)>) {
    members.sort_unstable();
    pair_bucket(members, AcrossConfig::default().neighbours, |a, b| {
        out.push((a, b));
    });
}

/// The similarity of two sorted shingle sets as clustering needs it: exact
/// when it reaches `threshold`, else a bound below `threshold`.
pub fn pair_similarity(a: &[u32], b: &[u32], threshold: f64) -> f64 {
    jaccard_if_reachable(a, b, threshold)
}

/// One cluster found by [`resolve`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Resolved {
    /// The members' names, in input order.
    pub members: Vec<u64>,
    /// Every member has the same normalized text.
    pub exact: bool,
    /// Lowest verified similarity between two members (1.0 when exact).
    pub similarity: f64,
}

/// What [`resolve`] refuses: pieces that could not come from one corpus.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ResolveError {
    /// The similarity threshold is not in `(0, 1]`.
    #[error("threshold {0} is not in (0, 1]")]
    Threshold(f64),
    /// A twin whose representative comes after it: the representative of
    /// an exact group is its first member.
    #[error("document {doc} is a twin of {representative}, which comes after it")]
    TwinBeforeRepresentative {
        /// The twin.
        doc: u64,
        /// The representative it was given.
        representative: u64,
    },
    /// A document given as the twin of two documents.
    #[error("document {0} has two representatives")]
    TwoRepresentatives(u64),
    /// A twin in a candidate pair: only representatives are paired.
    #[error("document {0} is in a candidate pair but is the twin of another document")]
    PairOfTwin(u64),
    /// A pair `(a, b)` with `b` not after `a`.
    #[error("the pair ({0}, {1}) is not ordered: the first document must come first")]
    Unordered(u64, u64),
    /// A document of a pair that reached the threshold, without its shingle
    /// set.
    #[error("document {0} is in a pair at or above the threshold but its shingle set is missing")]
    MissingSet(u64),
    /// A shingle set that is not sorted ascending without repeats.
    #[error("the shingle set of document {0} is not sorted without repeats")]
    UnsortedSet(u64),
    /// More documents than 32-bit numbers can count.
    #[error("more than 4294967295 documents in pairs and groups")]
    TooMany,
}

/// The clusters a scan would find, from the pieces of steps 1–3 (see the
/// module documentation): `twins` as `(document, representative)` for every
/// member of an exact group but its representative; `pairs` as `(a, b,
/// similarity)` with `a` before `b`, each pair once; `sets` holding the
/// shingle set of at least every document of a pair at or above
/// `threshold`. Pairs below `threshold` may be left out (a distributed
/// engine need not bring them to one place): where a clique compares two
/// documents that are no pair given, it compares their sets, and the two
/// agree on every decision. Clusters come in the order of their first
/// members.
pub fn resolve(
    threshold: f64,
    twins: &[(u64, u64)],
    pairs: &[(u64, u64, f64)],
    sets: HashMap<u64, Vec<u32>>,
) -> Result<Vec<Resolved>, ResolveError> {
    let Pieces {
        names,
        representative,
        pairs: pair_numbers,
        sims,
    } = Pieces::number(threshold, twins, pairs)?;
    let mut held: HashMap<u32, Vec<u32>> = HashMap::new();
    for (name, set) in sets {
        let Ok(at) = names.binary_search(&name) else {
            continue;
        };
        if set.windows(2).any(|w| w[0] >= w[1]) {
            return Err(ResolveError::UnsortedSet(name));
        }
        held.insert(at as u32, set);
    }
    for (&(a, b), &sim) in pair_numbers.iter().zip(&sims) {
        if sim >= threshold {
            for doc in [a, b] {
                if !held.contains_key(&doc) {
                    return Err(ResolveError::MissingSet(names[doc as usize]));
                }
            }
        }
    }
    let store = SetStore::in_memory(held);
    let mut cache = SetCache::new(&store, usize::MAX);
    let clusters = join_clusters(&representative, threshold, &pair_numbers, &sims, &mut cache)
        // Every set a clique compares is held: members come from pairs at
        // or above the threshold, all checked above.
        .map_err(|_| ResolveError::MissingSet(0))?;
    Ok(clusters
        .into_iter()
        .map(|cluster| Resolved {
            members: cluster
                .members
                .iter()
                .map(|&doc| names[doc as usize])
                .collect(),
            exact: cluster.exact,
            similarity: cluster.similarity,
        })
        .collect())
}

/// A document [`removals`] removes, and the kept document it duplicates.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct ResolvedRemoval {
    /// The removed document's name.
    pub doc: u64,
    /// The kept document it is most similar to (ties to the first).
    pub twin: u64,
    /// Their verified similarity (1.0 for exact twins).
    pub similarity: f64,
    /// The two have the same normalized text.
    pub exact: bool,
}

/// The documents a scan's removal rule ([`crate::removal`]) removes,
/// keeping the first in input order, from the pieces of steps 1–3: `twins`
/// and `pairs` as [`resolve`] takes them (pairs below `threshold` may be
/// left out; no shingle set is needed). Each removed document names the
/// kept document it duplicates; no two documents kept are duplicates.
/// Removals come in input order.
pub fn removals(
    threshold: f64,
    twins: &[(u64, u64)],
    pairs: &[(u64, u64, f64)],
) -> Result<Vec<ResolvedRemoval>, ResolveError> {
    let pieces = Pieces::number(threshold, twins, pairs)?;
    let graph = DuplicateGraph::new(
        &pieces.representative,
        &pieces.pairs,
        &pieces.sims,
        threshold,
    );
    Ok(graph
        .in_input_order()
        .removed
        .iter()
        .map(|removed| ResolvedRemoval {
            doc: pieces.names[removed.doc as usize],
            twin: pieces.names[removed.twin as usize],
            similarity: removed.similarity,
            exact: removed.exact,
        })
        .collect())
}

/// The pieces of [`resolve`] and [`removals`], checked and numbered
/// densely in input order: what the clustering and removal rules work on.
struct Pieces {
    /// Each number's name.
    names: Vec<u64>,
    /// Each document's exact-group representative, by number.
    representative: Vec<u32>,
    /// The pairs, numbered, sorted, each once.
    pairs: Vec<(u32, u32)>,
    /// Their similarities.
    sims: Vec<f64>,
}

impl Pieces {
    fn number(
        threshold: f64,
        twins: &[(u64, u64)],
        pairs: &[(u64, u64, f64)],
    ) -> Result<Pieces, ResolveError> {
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(ResolveError::Threshold(threshold));
        }
        // Dense numbers in input order: what the clustering rule works on.
        let mut names: Vec<u64> = twins
            .iter()
            .flat_map(|&(doc, rep)| [doc, rep])
            .chain(pairs.iter().flat_map(|&(a, b, _)| [a, b]))
            .collect();
        names.sort_unstable();
        names.dedup();
        if u32::try_from(names.len()).is_err() {
            return Err(ResolveError::TooMany);
        }
        let number = |name: u64| names.binary_search(&name).unwrap_or(0) as u32;
        let mut representative: Vec<u32> = (0..names.len() as u32).collect();
        for &(doc, rep) in twins {
            if rep >= doc {
                return Err(ResolveError::TwinBeforeRepresentative {
                    doc,
                    representative: rep,
                });
            }
            let slot = &mut representative[number(doc) as usize];
            if *slot != number(doc) {
                return Err(ResolveError::TwoRepresentatives(doc));
            }
            *slot = number(rep);
        }
        let mut numbered: Vec<((u32, u32), f64)> = Vec::with_capacity(pairs.len());
        for &(a, b, sim) in pairs {
            if a >= b {
                return Err(ResolveError::Unordered(a, b));
            }
            for doc in [a, b] {
                if representative[number(doc) as usize] != number(doc) {
                    return Err(ResolveError::PairOfTwin(doc));
                }
            }
            numbered.push(((number(a), number(b)), sim));
        }
        numbered.sort_unstable_by_key(|&(pair, _)| pair);
        numbered.dedup_by_key(|&mut (pair, _)| pair);
        let (pairs, sims): (Vec<(u32, u32)>, Vec<f64>) = numbered.into_iter().unzip();
        Ok(Pieces {
            names,
            representative,
            pairs,
            sims,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::across::{CorpusIndex, DocSketch};
    use crate::detect::sets::verify;
    use proptest::prelude::*;

    /// The whole distributed recipe run in one place: exact groups, buckets,
    /// verification, resolution, with documents named by `name(number)`.
    fn distributed(
        docs: &[(u64, Vec<u64>, Vec<u32>)],
        threshold: f64,
        name: impl Fn(u32) -> u64,
        close_pairs_only: bool,
    ) -> (Vec<Resolved>, Vec<ResolvedRemoval>) {
        let mut first: HashMap<u64, u64> = HashMap::new();
        let mut twins = Vec::new();
        let mut buckets: HashMap<u64, Vec<u64>> = HashMap::new();
        for (at, (exact, bands, _)) in docs.iter().enumerate() {
            let me = name(at as u32);
            let rep = *first.entry(*exact).or_insert(me);
            if rep != me {
                twins.push((me, rep));
                continue;
            }
            for &key in bands {
                buckets.entry(bucket_of(key)).or_default().push(me);
            }
        }
        let mut candidates = Vec::new();
        for members in buckets.values_mut() {
            bucket_pairs(members, &mut candidates);
        }
        candidates.sort_unstable();
        candidates.dedup();
        let set_of = |n: u64| {
            let at = (0..docs.len() as u32).find(|&i| name(i) == n).unwrap_or(0);
            docs[at as usize].2.clone()
        };
        let pairs: Vec<(u64, u64, f64)> = candidates
            .iter()
            .map(|&(a, b)| (a, b, pair_similarity(&set_of(a), &set_of(b), threshold)))
            .filter(|pair| !close_pairs_only || pair.2 >= threshold)
            .collect();
        let sets = pairs
            .iter()
            .filter(|p| p.2 >= threshold)
            .flat_map(|&(a, b, _)| [a, b])
            .map(|doc| (doc, set_of(doc)))
            .collect();
        (
            resolve(threshold, &twins, &pairs, sets).expect("pieces of one corpus"),
            removals(threshold, &twins, &pairs).expect("pieces of one corpus"),
        )
    }

    /// What a scan finds for the same sketches.
    fn scanned(
        docs: &[(u64, Vec<u64>, Vec<u32>)],
        threshold: f64,
    ) -> (Vec<Resolved>, Vec<ResolvedRemoval>) {
        let mut index = CorpusIndex::new(AcrossConfig {
            threshold,
            ..AcrossConfig::default()
        });
        for (exact, bands, _) in docs {
            index.add(&DocSketch {
                exact: *exact,
                bands: bands.clone(),
                units: 1,
                ..DocSketch::default()
            });
        }
        let pairs = index.candidates();
        let store = SetStore::in_memory(
            docs.iter()
                .enumerate()
                .map(|(at, doc)| (at as u32, doc.2.clone()))
                .collect(),
        );
        let sims = verify(&pairs, &store, 1 << 20, threshold).expect("in memory");
        let clusters = index
            .clusters(&pairs, &sims, &mut SetCache::new(&store, 1 << 20))
            .expect("in memory");
        let removed = index
            .duplicates(&pairs, &sims)
            .in_input_order()
            .removed
            .iter()
            .map(|r| ResolvedRemoval {
                doc: u64::from(r.doc),
                twin: u64::from(r.twin),
                similarity: r.similarity,
                exact: r.exact,
            })
            .collect();
        let clusters = clusters
            .into_iter()
            .map(|c| Resolved {
                members: c.members.iter().map(|&m| u64::from(m)).collect(),
                exact: c.exact,
                similarity: c.similarity,
            })
            .collect();
        (clusters, removed)
    }

    /// Documents drawn from a few families, so that exact twins, near
    /// duplicates and shared buckets all occur.
    fn corpus() -> impl Strategy<Value = Vec<(u64, Vec<u64>, Vec<u32>)>> {
        let doc = (
            0u64..6,
            0u32..40,
            proptest::collection::vec(0u32..30, 0..12),
        );
        proptest::collection::vec(doc, 0..40).prop_map(|docs| {
            docs.into_iter()
                .map(|(family, edit, extra)| {
                    let mut set: Vec<u32> = (family as u32 * 100..family as u32 * 100 + 40)
                        .filter(|&v| v != family as u32 * 100 + edit)
                        .chain(extra.iter().map(|e| 10_000 + e))
                        .collect();
                    set.sort_unstable();
                    set.dedup();
                    let exact = xxhash_rust::xxh3::xxh3_64(
                        &set.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>(),
                    );
                    let bands = vec![(family << 32) | 7, (u64::from(edit % 3) << 40) | family];
                    (exact, bands, set)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn resolving_pieces_finds_what_a_scan_finds(
            docs in corpus(),
            spread in 1u64..1000,
            close_pairs_only: bool,
        ) {
            let (expected, expected_removals) = scanned(&docs, 0.8);
            let (found, removed) =
                distributed(&docs, 0.8, |n| u64::from(n) * spread + 5, close_pairs_only);
            let renamed: Vec<Resolved> = found
                .into_iter()
                .map(|c| Resolved {
                    members: c.members.iter().map(|m| (m - 5) / spread).collect(),
                    ..c
                })
                .collect();
            prop_assert_eq!(renamed, expected);
            let renamed: Vec<ResolvedRemoval> = removed
                .into_iter()
                .map(|r| ResolvedRemoval {
                    doc: (r.doc - 5) / spread,
                    twin: (r.twin - 5) / spread,
                    ..r
                })
                .collect();
            prop_assert_eq!(renamed, expected_removals);
        }
    }

    #[test]
    fn pieces_that_cannot_come_from_one_corpus_are_refused() {
        let set = || HashMap::from([(1, vec![1, 2]), (2, vec![1, 2])]);
        assert_eq!(
            resolve(0.0, &[], &[], HashMap::new()),
            Err(ResolveError::Threshold(0.0))
        );
        assert_eq!(
            resolve(0.8, &[(1, 2)], &[], HashMap::new()),
            Err(ResolveError::TwinBeforeRepresentative {
                doc: 1,
                representative: 2
            })
        );
        assert_eq!(
            resolve(0.8, &[], &[(2, 1, 1.0)], set()),
            Err(ResolveError::Unordered(2, 1))
        );
        assert_eq!(
            resolve(0.8, &[(2, 1)], &[(2, 3, 1.0)], set()),
            Err(ResolveError::PairOfTwin(2))
        );
        assert_eq!(
            resolve(0.8, &[], &[(1, 3, 0.9)], set()),
            Err(ResolveError::MissingSet(3))
        );
        assert_eq!(
            resolve(
                0.8,
                &[],
                &[(1, 2, 0.9)],
                HashMap::from([(1, vec![2, 1]), (2, vec![1, 2])])
            ),
            Err(ResolveError::UnsortedSet(1))
        );
        assert_eq!(
            resolve(0.8, &[(5, 1), (5, 2)], &[], HashMap::new()),
            Err(ResolveError::TwoRepresentatives(5))
        );
    }

    #[test]
    fn a_pair_below_the_threshold_needs_no_sets() {
        let found = resolve(0.8, &[(9, 4)], &[(1, 4, 0.3)], HashMap::new());
        assert_eq!(
            found,
            Ok(vec![Resolved {
                members: vec![4, 9],
                exact: true,
                similarity: 1.0
            }])
        );
    }

    #[test]
    fn removals_keep_no_two_duplicates_even_across_clusters() {
        // 10, 20, 30 are a clique; 40 is 0.97 like 30 but not near 10, so
        // it is in no cluster of theirs; 50 is 40's exact twin.
        let pairs = [(10, 20, 0.9), (10, 30, 0.85), (20, 30, 0.9), (30, 40, 0.97)];
        let sets = HashMap::new();
        assert!(resolve(0.8, &[(50, 40)], &pairs, sets).is_err());
        let removed = removals(0.8, &[(50, 40)], &pairs).expect("pieces of one corpus");
        let twins: Vec<(u64, u64, f64, bool)> = removed
            .iter()
            .map(|r| (r.doc, r.twin, r.similarity, r.exact))
            .collect();
        assert_eq!(
            twins,
            [
                (20, 10, 0.9, false),
                (30, 40, 0.97, false),
                (50, 40, 1.0, true)
            ]
        );
        assert_eq!(
            removals(0.8, &[], &[(2, 1, 0.9)]),
            Err(ResolveError::Unordered(2, 1))
        );
    }
}
