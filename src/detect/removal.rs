//! Which duplicate documents go: the one keep/remove rule of every driver
//! (`clean`, `clean --against`, the in-memory deduplicator, and engines that
//! resolve clusters elsewhere through [`crate::signature::resolve`]).
//!
//! The rule reads the verified duplicate relations of a corpus
//! ([`DuplicateGraph`]): exact groups (documents with the same normalized
//! text) and near pairs of exact-group representatives whose verified
//! similarity reached the threshold. Exact twins inherit their
//! representative's pairs: two documents are *verified similar* when they
//! are in one exact group (similarity 1) or their groups' representatives
//! are a near pair (that pair's similarity).
//!
//! Documents are walked in priority order (the keep policy as a total
//! order; ties go to the lower document number). A document with a
//! verified-similar document already kept is removed, otherwise it is
//! kept; then each removed document's twin is the kept document it is most
//! similar to (ties to the lowest number). So:
//!
//! - **complete**: no two kept documents are verified similar (near
//!   duplicates that LSH never paired are not known, at its documented
//!   miss rate);
//! - **sound**: every removed document names a kept document it was
//!   verified similar to, with that pair's similarity, at least the
//!   threshold;
//! - **deterministic**: the result depends on the graph and the priority
//!   only, not on the order pairs come in, thread counts or batch sizes.
//!
//! Clusters, as reports show them, are a separate view of the same graph
//! ([`Cluster`](crate::Cluster)); the decision never reads their
//! shape.

use std::cmp::Ordering;
use std::collections::HashMap;

/// A verified near-duplicate pair of exact-group representatives.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct NearPair {
    /// The earlier document (input order).
    pub a: u32,
    /// The later document.
    pub b: u32,
    /// Their verified Jaccard similarity, at least the threshold.
    pub similarity: f64,
}

impl NearPair {
    /// The pair of `a` and `b` (in either order) at `similarity`.
    pub fn new(a: u32, b: u32, similarity: f64) -> NearPair {
        NearPair {
            a: a.min(b),
            b: a.max(b),
            similarity,
        }
    }
}

/// The verified duplicate relations of a corpus, by document number: what
/// the removal rule reads.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct DuplicateGraph {
    /// `(document, representative)` for every member of an exact group but
    /// its representative (its first member), sorted by document.
    pub twins: Vec<(u32, u32)>,
    /// Verified near pairs of representatives at or above the threshold,
    /// each once, sorted by `(a, b)`.
    pub near: Vec<NearPair>,
}

/// A document the rule removes, and the kept document it duplicates.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Removed {
    /// The removed document.
    pub doc: u32,
    /// The kept document it is most similar to (ties to the lowest number).
    pub twin: u32,
    /// Their verified similarity (1.0 for exact twins).
    pub similarity: f64,
    /// The two have the same normalized text (one exact group).
    pub exact: bool,
}

/// What the rule decided for the documents of a graph.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Removals {
    /// Removed documents, by document number.
    pub removed: Vec<Removed>,
    /// Documents of the graph kept, in document order (every document of
    /// no exact group and no near pair is kept too, and not listed).
    pub kept: Vec<u32>,
}

impl Removals {
    /// The removal of `doc`, if it is removed.
    pub fn of(&self, doc: u32) -> Option<&Removed> {
        self.removed
            .binary_search_by_key(&doc, |r| r.doc)
            .ok()
            .map(|at| &self.removed[at])
    }
}

impl DuplicateGraph {
    /// The graph of `pairs` of representatives with their verified `sims`,
    /// keeping those at or above `threshold`; `representative` gives each
    /// document (numbered in input order) the first document with its exact
    /// hash.
    pub fn new(
        representative: &[u32],
        pairs: &[(u32, u32)],
        sims: &[f64],
        threshold: f64,
    ) -> DuplicateGraph {
        let twins = representative
            .iter()
            .enumerate()
            .filter(|&(doc, &rep)| rep as usize != doc)
            .map(|(doc, &rep)| (doc as u32, rep))
            .collect();
        let mut near: Vec<NearPair> = pairs
            .iter()
            .zip(sims)
            .filter(|&(_, &sim)| sim >= threshold)
            .map(|(&(a, b), &sim)| NearPair::new(a, b, sim))
            .collect();
        // A pair given twice keeps its highest similarity, whatever the
        // order it came in.
        near.sort_unstable_by(|x, y| {
            (x.a, x.b)
                .cmp(&(y.a, y.b))
                .then(y.similarity.total_cmp(&x.similarity))
        });
        near.dedup_by_key(|p| (p.a, p.b));
        DuplicateGraph { twins, near }
    }

    /// Every document with an exact twin or a near partner, sorted.
    pub fn documents(&self) -> Vec<u32> {
        let mut docs: Vec<u32> = self
            .twins
            .iter()
            .flat_map(|&(doc, rep)| [doc, rep])
            .chain(self.near.iter().flat_map(|p| [p.a, p.b]))
            .collect();
        docs.sort_unstable();
        docs.dedup();
        docs
    }

    /// The rule keeping the first document in input order: what scan
    /// summaries count and what engines without a keep policy decide.
    pub fn in_input_order(&self) -> Removals {
        self.removals(|_| false, |_, _| Ordering::Equal)
    }

    /// Applies the rule (see the module documentation). `skip` leaves
    /// documents out altogether (neither kept nor removed, and never a
    /// twin: documents refused, or removed for another reason);
    /// `precedes` orders documents by the keep policy, the one to keep
    /// first before; ties go to the lower number.
    pub fn removals(
        &self,
        skip: impl Fn(u32) -> bool,
        precedes: impl Fn(u32, u32) -> Ordering,
    ) -> Removals {
        let group: HashMap<u32, u32> = self.twins.iter().copied().collect();
        let group_of = |doc: u32| group.get(&doc).copied().unwrap_or(doc);
        let mut partners: HashMap<u32, Vec<(u32, f64)>> = HashMap::new();
        for pair in &self.near {
            let (a, b) = (group_of(pair.a), group_of(pair.b));
            if a == b {
                continue;
            }
            partners.entry(a).or_default().push((b, pair.similarity));
            partners.entry(b).or_default().push((a, pair.similarity));
        }
        let mut order: Vec<u32> = self
            .documents()
            .into_iter()
            .filter(|&doc| !skip(doc))
            .collect();
        order.sort_by(|&x, &y| precedes(x, y).then(x.cmp(&y)));
        // At most one document of an exact group is ever kept: the others
        // are similar to it at 1.0.
        let mut kept_of_group: HashMap<u32, u32> = HashMap::new();
        // The most similar document kept so far (ties to the lowest
        // number), or none.
        let twin_of = |kept_of_group: &HashMap<u32, u32>, doc: u32| {
            let own = group_of(doc);
            let in_group = kept_of_group.get(&own).map(|&kept| (1.0, kept));
            let near = partners
                .get(&own)
                .into_iter()
                .flatten()
                .filter_map(|&(g, sim)| kept_of_group.get(&g).map(|&kept| (sim, kept)));
            in_group
                .into_iter()
                .chain(near)
                .min_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)))
        };
        let mut removals = Removals::default();
        let mut removed = Vec::new();
        for doc in order {
            if twin_of(&kept_of_group, doc).is_some() {
                removed.push(doc);
            } else {
                kept_of_group.insert(group_of(doc), doc);
                removals.kept.push(doc);
            }
        }
        // Each removed document's twin among all the documents kept, which
        // may have been kept after it was removed.
        for doc in removed {
            if let Some((similarity, twin)) = twin_of(&kept_of_group, doc) {
                removals.removed.push(Removed {
                    doc,
                    twin,
                    similarity,
                    exact: group_of(twin) == group_of(doc),
                });
            }
        }
        removals.removed.sort_unstable_by_key(|r| r.doc);
        removals.kept.sort_unstable();
        removals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn graph(twins: &[(u32, u32)], near: &[(u32, u32, f64)]) -> DuplicateGraph {
        let mut twins = twins.to_vec();
        twins.sort_unstable();
        let mut near: Vec<NearPair> = near
            .iter()
            .map(|&(a, b, s)| NearPair::new(a, b, s))
            .collect();
        near.sort_unstable_by_key(|p| (p.a, p.b));
        DuplicateGraph { twins, near }
    }

    fn in_order(graph: &DuplicateGraph) -> Removals {
        graph.in_input_order()
    }

    #[test]
    fn a_chain_keeps_both_ends_and_removes_the_middle() {
        // a ~ b ~ c, a ≁ c.
        let found = in_order(&graph(&[], &[(0, 1, 0.85), (1, 2, 0.9)]));
        assert_eq!(found.kept, [0, 2]);
        // Its twin is the kept document it is most like.
        assert_eq!(
            found.removed,
            [Removed {
                doc: 1,
                twin: 2,
                similarity: 0.9,
                exact: false
            }]
        );
    }

    #[test]
    fn a_pair_split_across_two_cliques_loses_one() {
        // The clique rule put 0, 1 and 2 together, and 3 (0.97 like 2, but
        // not near 0) alone or with 4: both 2 and 3 were kept as firsts.
        let pairs = [
            (0, 1, 0.9),
            (0, 2, 0.85),
            (1, 2, 0.9),
            (2, 3, 0.97),
            (3, 4, 0.9),
        ];
        let found = in_order(&graph(&[], &pairs));
        assert_eq!(found.kept, [0, 3]);
        let twins: Vec<(u32, u32, f64)> = found
            .removed
            .iter()
            .map(|r| (r.doc, r.twin, r.similarity))
            .collect();
        assert_eq!(twins, [(1, 0, 0.9), (2, 3, 0.97), (4, 3, 0.9)]);
    }

    #[test]
    fn the_twin_is_the_most_similar_kept_document_then_the_lowest() {
        // 0 and 1 are kept (not similar); 2 is near both.
        let found = in_order(&graph(&[], &[(0, 2, 0.85), (1, 2, 0.95)]));
        assert_eq!(found.of(2).map(|r| r.twin), Some(1));
        let found = in_order(&graph(&[], &[(0, 2, 0.9), (1, 2, 0.9)]));
        assert_eq!(found.of(2).map(|r| r.twin), Some(0));
    }

    #[test]
    fn exact_twins_inherit_their_representatives_pairs() {
        // 0 and 2 are one exact group; 1 is near 0, so near 2 too.
        let g = graph(&[(2, 0)], &[(0, 1, 0.9)]);
        // The priority keeps 2 first: 0 goes as its exact twin, 1 as its
        // near twin.
        let found = g.removals(|_| false, |x, y| (x != 2).cmp(&(y != 2)));
        assert_eq!(found.kept, [2]);
        assert_eq!(
            found.removed,
            [
                Removed {
                    doc: 0,
                    twin: 2,
                    similarity: 1.0,
                    exact: true
                },
                Removed {
                    doc: 1,
                    twin: 2,
                    similarity: 0.9,
                    exact: false
                }
            ]
        );
    }

    #[test]
    fn skipped_documents_are_neither_kept_nor_twins() {
        let g = graph(&[(1, 0)], &[(0, 2, 0.9)]);
        let found = g.removals(|doc| doc == 0, |_, _| Ordering::Equal);
        // 1 stands for its group in 0's place.
        assert_eq!(found.kept, [1]);
        assert_eq!(found.of(2).map(|r| (r.twin, r.exact)), Some((1, false)));
    }

    #[test]
    fn the_graph_keeps_pairs_at_the_threshold_and_lists_twins() {
        let g = DuplicateGraph::new(&[0, 1, 0, 3], &[(0, 1), (1, 3)], &[0.8, 0.79], 0.8);
        assert_eq!(g.twins, [(2, 0)]);
        assert_eq!(g.near, [NearPair::new(0, 1, 0.8)]);
        assert_eq!(g.documents(), [0, 1, 2]);
    }

    /// A random graph on `n` documents: exact groups, near pairs with
    /// similarities, and a priority per document.
    fn random_graph() -> impl Strategy<Value = (DuplicateGraph, Vec<u32>, Vec<u32>)> {
        (2u32..30).prop_flat_map(|n| {
            (
                proptest::collection::vec(0..n, n as usize),
                proptest::collection::vec((0..n, 0..n, 80u32..=100), 0..60),
                proptest::collection::vec(0u32..5, n as usize),
                Just(n),
            )
                .prop_map(|(group, pairs, priority, n)| {
                    // Each document's representative: the first document of
                    // its drawn group.
                    let representative: Vec<u32> = (0..n)
                        .map(|doc| {
                            (0..=doc)
                                .find(|&d| group[d as usize] == group[doc as usize])
                                .unwrap_or(doc)
                        })
                        .collect();
                    let reps: Vec<(u32, u32)> = pairs
                        .iter()
                        .map(|&(a, b, _)| (representative[a as usize], representative[b as usize]))
                        .filter(|(a, b)| a != b)
                        .map(|(a, b)| (a.min(b), a.max(b)))
                        .collect();
                    let sims: Vec<f64> = pairs
                        .iter()
                        .filter(|&&(a, b, _)| {
                            representative[a as usize] != representative[b as usize]
                        })
                        .map(|&(_, _, s)| f64::from(s) / 100.0)
                        .collect();
                    let graph = DuplicateGraph::new(&representative, &reps, &sims, 0.85);
                    (graph, priority, representative)
                })
        })
    }

    /// The similarity of two documents as the graph verifies it.
    fn verified(graph: &DuplicateGraph, representative: &[u32], x: u32, y: u32) -> Option<f64> {
        let (gx, gy) = (representative[x as usize], representative[y as usize]);
        if gx == gy {
            return Some(1.0);
        }
        graph
            .near
            .iter()
            .find(|p| (p.a, p.b) == (gx.min(gy), gx.max(gy)))
            .map(|p| p.similarity)
    }

    proptest! {
        #[test]
        fn kept_documents_are_independent_and_every_removal_is_sound(
            (graph, priority, representative) in random_graph(),
            shuffle in any::<u64>(),
        ) {
            let precedes = |x: u32, y: u32| priority[x as usize].cmp(&priority[y as usize]);
            let found = graph.removals(|_| false, precedes);
            for (at, &x) in found.kept.iter().enumerate() {
                for &y in &found.kept[at + 1..] {
                    prop_assert!(verified(&graph, &representative, x, y).is_none(), "{x} and {y} kept");
                }
            }
            for removed in &found.removed {
                prop_assert!(found.kept.binary_search(&removed.twin).is_ok());
                let sim = verified(&graph, &representative, removed.doc, removed.twin);
                prop_assert_eq!(sim, Some(removed.similarity));
                prop_assert!(removed.similarity >= 0.85);
                prop_assert_eq!(removed.exact, representative[removed.doc as usize] == representative[removed.twin as usize]);
                // The twin is the most similar kept document.
                for &k in &found.kept {
                    if let Some(s) = verified(&graph, &representative, removed.doc, k) {
                        prop_assert!(s < removed.similarity || (s == removed.similarity && k >= removed.twin));
                    }
                }
            }
            let mut all: Vec<u32> = found.kept.iter().copied().chain(found.removed.iter().map(|r| r.doc)).collect();
            all.sort_unstable();
            prop_assert_eq!(all, graph.documents());
            // The order pairs and twins come in changes nothing.
            let mut shuffled = graph.clone();
            let mut state = shuffle;
            for at in (1..shuffled.near.len()).rev() {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.near.swap(at, (state >> 33) as usize % (at + 1));
            }
            shuffled.twins.reverse();
            prop_assert_eq!(shuffled.removals(|_| false, precedes), found);
        }
    }
}
