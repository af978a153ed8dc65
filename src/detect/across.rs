//! Duplicates across documents: exact and near-duplicate documents, and
//! segments that already occurred in another document.
//!
//! Memory grows with the number of documents and distinct segments, never
//! with the size of the text: each document leaves a [`DocSketch`] (its exact
//! hash, its LSH band keys, the exact hashes of its segments; its shingle
//! hashes go to the spill) and is dropped.
//!
//! - **Exact documents**: equal hashes of their normalized segment sequence.
//! - **Near documents**: documents sharing an LSH band of their MinHash
//!   signatures (one representative per exact group) are candidates. Every
//!   candidate is verified on the documents' shingle sets, which each
//!   document spilled to a temporary file as it was scanned
//!   ([`super::sets`]). The verified pairs at or above the threshold and
//!   the exact groups make the corpus's [`DuplicateGraph`], from which the
//!   removal rule ([`super::removal`]) decides what goes.
//!
//!   Clusters, as reports show them, are cliques of that graph: a document
//!   joins a cluster only when it is verified similar to every member, so
//!   two documents in one cluster are always near duplicates of each
//!   other, never only through a chain. A document is in one cluster at
//!   most, and a document near members of two cliques may be in neither;
//!   which documents go is decided on the graph, not on the clusters.
//! - **Repeated segments**: a segment of at least
//!   [`AcrossConfig::min_segment_units`] units whose normalized hash occurred
//!   in an earlier document.
//!
//! Output is deterministic: documents are numbered in input order and every
//! tie is broken by that number.

use std::collections::HashMap;

use std::io;

use rayon::slice::ParallelSliceMut;

use super::removal::DuplicateGraph;
use super::sets::SetCache;
use crate::document::LineRange;
use crate::sketch::{Lsh, Signature};

/// Settings of cross-document detection.
#[derive(Clone, Debug)]
pub struct AcrossConfig {
    /// Jaccard similarity from which two documents are near duplicates
    /// (default [`DEFAULT_THRESHOLD`](crate::DEFAULT_THRESHOLD)).
    pub threshold: f64,
    /// Smallest segment reported as repeated across documents, in units
    /// (default 10).
    pub min_segment_units: usize,
    /// Later members of a band bucket each document is paired with (default 16).
    pub neighbours: usize,
    /// Whether to remember segments and report those repeated across
    /// documents (default on).
    pub repeated_segments: bool,
}

impl Default for AcrossConfig {
    fn default() -> AcrossConfig {
        AcrossConfig {
            threshold: crate::DEFAULT_THRESHOLD,
            min_segment_units: 10,
            neighbours: 16,
            repeated_segments: true,
        }
    }
}

/// What a document leaves behind for corpus-wide detection.
#[derive(Clone, Debug, Default)]
pub struct DocSketch {
    /// Hash of the sequence of its segments' normalized hashes.
    pub exact: u64,
    /// Units of the whole document (what signature files record as its
    /// length; corpus findings do not read it).
    #[allow(dead_code)]
    pub units: usize,
    /// LSH band keys of its signature; empty when it has no units.
    pub bands: Vec<u64>,
    /// Each segment's normalized hash, units and lines, in order.
    pub segments: Vec<SegmentSketch>,
    /// Its shingle hashes cut to 32 bits, in text order, repeats included:
    /// the set that verifies it ([`super::sets`]).
    pub shingles: Vec<u32>,
}

/// What cross-document detection keeps of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentSketch {
    pub hash: u64,
    pub units: u32,
    pub lines: LineRange,
}

impl DocSketch {
    /// Builds the sketch from a document's segment hashes and the signature
    /// of the union of its shingles.
    pub fn new(
        segments: Vec<SegmentSketch>,
        shingles: Vec<u32>,
        signature: Option<&Signature>,
        lsh: &Lsh,
    ) -> DocSketch {
        let mut seed = Vec::with_capacity(segments.len() * 8);
        for segment in &segments {
            seed.extend_from_slice(&segment.hash.to_le_bytes());
        }
        let bands = signature
            .map(|signature| lsh.band_keys(signature).collect())
            .unwrap_or_default();
        DocSketch {
            exact: xxhash_rust::xxh3::xxh3_64(&seed),
            units: segments.iter().map(|s| s.units as usize).sum(),
            bands,
            segments,
            shingles,
        }
    }
}

/// A group of duplicate documents: a clique of the verified duplicate
/// graph (every two members are exact or verified near duplicates), or an
/// exact group. What a cleaning run removes is decided on the graph
/// ([`crate::removal`]), so a member's kept twin may be in another cluster.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Cluster {
    /// Document numbers in input order.
    pub members: Vec<u32>,
    /// Every member has the same normalized text.
    pub exact: bool,
    /// Lowest verified similarity between two members (1.0 when exact).
    pub similarity: f64,
}

/// A segment whose normalized text already occurred in an earlier document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepeatedSegment {
    /// Number of the document it is in (input order, from 0).
    pub doc: u32,
    /// Index of the segment in that document's segments.
    pub segment: u32,
    /// Lines of the segment in that document.
    pub lines: LineRange,
    /// Where it first occurred.
    pub first_doc: u32,
    /// Index of the segment in the first document's segments.
    pub first_segment: u32,
    /// Lines of the segment in the first document.
    pub first_lines: LineRange,
}

/// Corpus-wide state, filled one document at a time in input order.
#[derive(Debug)]
pub struct CorpusIndex {
    config: AcrossConfig,
    exact: Vec<u64>,
    /// Document → its exact-group representative (the first with its hash).
    representative: Vec<u32>,
    first_with_hash: HashMap<u64, u32>,
    /// Band key and document of each representative's bands, packed as
    /// `key << 32 | document` so sorting plain integers groups them by key.
    /// The key is cut to its high 32 bits: half the memory, and a key that
    /// loses bits only adds candidates, all verified.
    bands: Vec<u64>,
    /// First occurrence of each segment hash: document, segment, first and
    /// last line.
    first_segment: HashMap<u64, [u32; 4]>,
    repeated: Vec<RepeatedSegment>,
}

impl CorpusIndex {
    pub fn new(config: AcrossConfig) -> CorpusIndex {
        CorpusIndex {
            config,
            exact: Vec::new(),
            representative: Vec::new(),
            first_with_hash: HashMap::new(),
            bands: Vec::new(),
            first_segment: HashMap::new(),
            repeated: Vec::new(),
        }
    }

    /// Adds the next document (numbered in order from 0) and returns its number.
    pub fn add(&mut self, sketch: &DocSketch) -> u32 {
        let doc = self.exact.len() as u32;
        self.exact.push(sketch.exact);
        let representative = *self.first_with_hash.entry(sketch.exact).or_insert(doc);
        self.representative.push(representative);
        if representative == doc {
            self.bands.extend(
                sketch
                    .bands
                    .iter()
                    .map(|&key| (key >> 32 << 32) | u64::from(doc)),
            );
            if self.config.repeated_segments {
                self.add_segments(doc, sketch);
            }
        }
        doc
    }

    fn add_segments(&mut self, doc: u32, sketch: &DocSketch) {
        // Saturating: a least size past what a u32 counts keeps every segment
        // out rather than wrapping to a small one.
        let min_units = u32::try_from(self.config.min_segment_units).unwrap_or(u32::MAX);
        for (at, segment) in sketch.segments.iter().enumerate() {
            if segment.units < min_units {
                continue;
            }
            let lines = [segment.lines.first as u32, segment.lines.last as u32];
            let first = *self
                .first_segment
                .entry(segment.hash)
                .or_insert([doc, at as u32, lines[0], lines[1]]);
            if first[0] != doc {
                self.repeated.push(RepeatedSegment {
                    doc,
                    segment: at as u32,
                    lines: segment.lines,
                    first_doc: first[0],
                    first_segment: first[1],
                    first_lines: LineRange::new(first[2] as usize, first[3] as usize),
                });
            }
        }
    }

    /// Whether `doc` is the first of its exact group (exact twins are
    /// counted once by boilerplate detection).
    pub fn is_representative(&self, doc: u32) -> bool {
        self.representative[doc as usize] == doc
    }

    /// Jaccard similarity from which two documents are near duplicates.
    pub fn threshold(&self) -> f64 {
        self.config.threshold
    }

    /// Segments repeated from earlier documents (exact duplicate documents
    /// excluded: they are reported as clusters).
    pub fn repeated_segments(&self) -> &[RepeatedSegment] {
        &self.repeated
    }

    /// Candidate pairs of representatives `(a, b)`, `a < b`, sorted.
    ///
    /// Ends the adding of documents: the band keys and the maps of first
    /// occurrences (of documents and of segments) are released here, so they
    /// are not held while candidates are verified.
    pub fn candidates(&mut self) -> Vec<(u32, u32)> {
        self.first_segment = HashMap::new();
        self.first_with_hash = HashMap::new();
        let mut bands = std::mem::take(&mut self.bands);
        bands.par_sort_unstable();
        let mut pairs = BucketPairs::new(self.config.neighbours);
        for &packed in &bands {
            pairs.push(packed);
        }
        drop(bands);
        pairs.finish()
    }

    /// Documents whose shingle sets the verification of `pairs` needs, sorted.
    pub fn needs_verification(pairs: &[(u32, u32)]) -> Vec<u32> {
        let mut docs: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
        docs.sort_unstable();
        docs.dedup();
        docs
    }

    /// Clusters: exact groups, joined into near cliques. `sims` are the
    /// verified similarities of `pairs` ([`super::sets::verify`]); the similarity
    /// of two members that were no candidate pair is computed from `sets`.
    pub fn clusters(
        &self,
        pairs: &[(u32, u32)],
        sims: &[f64],
        sets: &mut SetCache<'_>,
    ) -> io::Result<Vec<Cluster>> {
        join_clusters(
            &self.representative,
            self.config.threshold,
            pairs,
            sims,
            sets,
        )
    }
}

impl CorpusIndex {
    /// The verified duplicate relations: exact groups, and `pairs` whose
    /// verified similarities `sims` reach the threshold.
    pub fn duplicates(&self, pairs: &[(u32, u32)], sims: &[f64]) -> DuplicateGraph {
        DuplicateGraph::new(&self.representative, pairs, sims, self.config.threshold)
    }
}

/// The one clustering rule, for a scan, `cluster` and engines that compute
/// its pieces elsewhere ([`crate::signature::resolve`]): each document's
/// verified partners before it, the most similar first, are tried in turn,
/// and it joins the clique of the first whose every member it is similar
/// to; then each representative's exact twins join it. `representative`
/// gives each document (numbered in input order) the first document with
/// its exact hash; `pairs` are candidate pairs of representatives, sorted,
/// with their verified similarities `sims`; the similarity of two members
/// that were no candidate pair is computed from `sets`.
pub(crate) fn join_clusters(
    representative: &[u32],
    threshold: f64,
    pairs: &[(u32, u32)],
    sims: &[f64],
    sets: &mut SetCache<'_>,
) -> io::Result<Vec<Cluster>> {
    // Pairs are sorted, so they are sorted by their packed form too,
    // which compares in one instruction.
    let packed = |a: u32, b: u32| u64::from(a) << 32 | u64::from(b);
    let mut similarity = |a: u32, b: u32| -> io::Result<f64> {
        let key = packed(a.min(b), a.max(b));
        match pairs.binary_search_by_key(&key, |&(x, y)| packed(x, y)) {
            Ok(at) => Ok(sims[at]),
            Err(_) => sets.similarity(a, b),
        }
    };
    // Each document's verified partners before it, the most similar
    // first (ties to the earlier document), documents in order.
    let mut partners: Vec<(u32, u32, f64)> = pairs
        .iter()
        .zip(sims)
        .filter(|(_, &sim)| sim >= threshold)
        .map(|(&(a, b), &sim)| (b, a, sim))
        .collect();
    partners
        .par_sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.2.total_cmp(&x.2)).then(x.1.cmp(&y.1)));
    const NONE: u32 = u32::MAX;
    let mut cluster_of: Vec<u32> = vec![NONE; representative.len()];
    let clique_of = |cluster_of: &[u32], doc: u32| {
        cluster_of
            .get(doc as usize)
            .copied()
            .filter(|&clique| clique != NONE)
    };
    let mut cliques: Vec<(Vec<u32>, f64)> = Vec::new();
    for found in partners.chunk_by(|x, y| x.0 == y.0) {
        let b = found[0].0;
        let mut joined = None;
        for &(_, a, _) in found {
            let Some(clique) = clique_of(&cluster_of, a) else {
                continue;
            };
            let mut low = 1.0f64;
            for &member in &cliques[clique as usize].0 {
                low = low.min(similarity(member, b)?);
                if low < threshold {
                    break;
                }
            }
            if low >= threshold {
                joined = Some((clique, low));
                break;
            }
        }
        let assign = |cluster_of: &mut Vec<u32>, doc: u32, clique: usize| {
            if let Some(slot) = cluster_of.get_mut(doc as usize) {
                *slot = clique as u32;
            }
        };
        match joined {
            Some((clique, low)) => {
                let clique = clique as usize;
                cliques[clique].0.push(b);
                cliques[clique].1 = cliques[clique].1.min(low);
                assign(&mut cluster_of, b, clique);
            }
            None => {
                let Some(&(_, a, sim)) = found
                    .iter()
                    .find(|(_, a, _)| clique_of(&cluster_of, *a).is_none())
                else {
                    continue;
                };
                assign(&mut cluster_of, a, cliques.len());
                assign(&mut cluster_of, b, cliques.len());
                cliques.push((vec![a, b], sim));
            }
        }
    }
    Ok(expand_exact(representative, cliques))
}

/// Adds each representative's exact twins to its near clique, and makes a
/// cluster of every exact group that joined no clique.
fn expand_exact(representative: &[u32], cliques: Vec<(Vec<u32>, f64)>) -> Vec<Cluster> {
    let mut twins: HashMap<u32, Vec<u32>> = HashMap::new();
    for (doc, &rep) in representative.iter().enumerate() {
        twins.entry(rep).or_default().push(doc as u32);
    }
    let mut clusters = Vec::new();
    let mut in_clique = std::collections::HashSet::new();
    for (reps, similarity) in cliques {
        let mut members: Vec<u32> = reps.iter().flat_map(|rep| twins[rep].clone()).collect();
        members.sort_unstable();
        in_clique.extend(reps);
        clusters.push(Cluster {
            members,
            exact: false,
            similarity,
        });
    }
    for (rep, members) in twins {
        if members.len() > 1 && !in_clique.contains(&rep) {
            clusters.push(Cluster {
                members,
                exact: true,
                similarity: 1.0,
            });
        }
    }
    clusters.sort_by_key(|cluster| cluster.members[0]);
    clusters
}

/// Pairs each member of a bucket (sorted, in input order, repeats kept)
/// with its next `neighbours` members, each pair as `(earlier, later)`: the
/// one pairing rule of a scan, `cluster`, and engines that bucket
/// elsewhere ([`crate::signature::bucket_pairs`]).
pub(crate) fn pair_bucket<T: Copy + Ord>(
    bucket: &[T],
    neighbours: usize,
    mut pair: impl FnMut(T, T),
) {
    for (at, &a) in bucket.iter().enumerate() {
        for &b in bucket[at + 1..].iter().take(neighbours) {
            if a != b {
                pair(a.min(b), a.max(b));
            }
        }
    }
}

/// Pairs the members of each bucket of sorted packed band keys as they
/// stream by, each with its next `neighbours` members: the one pairing rule
/// of a scan ([`CorpusIndex::candidates`]) and of `cluster`, whose keys come
/// merged from disk.
pub(crate) struct BucketPairs {
    neighbours: usize,
    bucket: Vec<u32>,
    bucket_key: Option<u64>,
    /// Pairs packed as `a << 32 | b`.
    pairs: Vec<u64>,
}

impl BucketPairs {
    pub(crate) fn new(neighbours: usize) -> BucketPairs {
        BucketPairs {
            neighbours,
            bucket: Vec::new(),
            bucket_key: None,
            pairs: Vec::new(),
        }
    }

    /// The next packed key, in sorted order.
    pub(crate) fn push(&mut self, packed: u64) {
        let key = packed >> 32;
        if self.bucket_key != Some(key) {
            self.close_bucket();
            self.bucket_key = Some(key);
        }
        self.bucket.push(packed as u32);
    }

    fn close_bucket(&mut self) {
        let pairs = &mut self.pairs;
        pair_bucket(&self.bucket, self.neighbours, |a, b| {
            pairs.push(u64::from(a) << 32 | u64::from(b));
        });
        self.bucket.clear();
    }

    /// The pairs `(a, b)`, `a < b`, sorted and without repeats.
    pub(crate) fn finish(mut self) -> Vec<(u32, u32)> {
        self.close_bucket();
        let mut pairs = self.pairs;
        pairs.par_sort_unstable();
        pairs.dedup();
        pairs
            .into_iter()
            .map(|pair| ((pair >> 32) as u32, pair as u32))
            .collect()
    }
}

/// A shingle hash as verification keeps it: its high 32 bits. The spilled
/// sets and the sets read again must cut hashes the same way.
pub fn compact_hash(shingle: u64) -> u32 {
    (shingle >> 32) as u32
}

/// Truncates shingle hashes to 32 bits, sorted and deduplicated: the compact
/// set held for verification.
pub fn compact_shingles(shingles: &[u64]) -> Vec<u32> {
    let mut out: Vec<u32> = shingles.iter().map(|&h| compact_hash(h)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::sets::{verify, SetSpill, SetStore};

    fn set(range: std::ops::Range<u64>) -> Vec<u64> {
        range
            .map(|i| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()))
            .collect()
    }

    fn sketch(shingles: &[u64], segments: Vec<(u64, u32)>) -> DocSketch {
        let segments = segments
            .into_iter()
            .enumerate()
            .map(|(at, (hash, units))| SegmentSketch {
                hash,
                units,
                lines: LineRange::new(at + 1, at + 1),
            })
            .collect();
        DocSketch::new(
            segments,
            shingles.iter().map(|&h| compact_hash(h)).collect(),
            Signature::from_hashes(shingles).as_ref(),
            &Lsh::for_threshold(0.8),
        )
    }

    /// Clusters `docs`, verified from a spill; checks that sets held in
    /// memory give the same clusters.
    fn run(docs: &[Vec<u64>]) -> Vec<Cluster> {
        let mut index = CorpusIndex::new(AcrossConfig::default());
        let mut spill = SetSpill::new().unwrap();
        for (n, shingles) in docs.iter().enumerate() {
            let mut sorted = shingles.clone();
            sorted.sort_unstable();
            let segments = vec![(
                xxhash_rust::xxh3::xxh3_64(&format!("{sorted:?}").into_bytes()),
                20,
            )];
            let sketch = sketch(shingles, segments);
            assert_eq!(index.add(&sketch), n as u32);
            spill.push(&sketch.shingles);
        }
        let pairs = index.candidates();
        let clusters = |store: &SetStore| {
            let sims = verify(&pairs, store, 1 << 10, index.config.threshold).unwrap();
            index
                .clusters(&pairs, &sims, &mut SetCache::new(store, 1 << 10))
                .unwrap()
        };
        let spilled = clusters(&spill.finish().unwrap());
        let needed = CorpusIndex::needs_verification(&pairs);
        let in_memory = clusters(&SetStore::in_memory(
            needed
                .iter()
                .map(|&d| (d, compact_shingles(&docs[d as usize])))
                .collect(),
        ));
        assert_eq!(spilled, in_memory);
        spilled
    }

    #[test]
    fn exact_and_near_documents_cluster_and_others_do_not() {
        let docs = vec![
            set(0..300),
            set(1000..1300),
            set(0..300),
            set(5..300),
            set(5000..5300),
        ];
        let clusters = run(&docs);
        assert_eq!(clusters.len(), 1, "{clusters:?}");
        assert_eq!(clusters[0].members, [0, 2, 3]);
        assert!(!clusters[0].exact);
        assert!(clusters[0].similarity >= 0.8);
    }

    #[test]
    fn exact_groups_alone_are_exact_clusters() {
        let clusters = run(&[set(0..50), set(0..50), set(100..150)]);
        assert_eq!(
            clusters,
            [Cluster {
                members: vec![0, 1],
                exact: true,
                similarity: 1.0
            }]
        );
    }

    #[test]
    fn clusters_are_cliques_not_chains() {
        // b is near a and c, but a and c are not near each other (0.82,
        // 0.74 and 0.6 against the default threshold 0.65).
        let a = set(0..1000);
        let b = set(100..1100);
        let c = set(250..1250);
        let clusters = run(&[a, b, c]);
        for cluster in &clusters {
            assert!(cluster.members.len() <= 2, "{clusters:?}");
        }
    }

    #[test]
    fn repeated_segments_point_to_their_first_occurrence() {
        let mut index = CorpusIndex::new(AcrossConfig::default());
        index.add(&sketch(&set(0..10), vec![(1, 20), (2, 20), (9, 3)]));
        index.add(&sketch(&set(20..30), vec![(3, 20), (2, 20), (9, 3)]));
        assert_eq!(
            index.repeated_segments(),
            [RepeatedSegment {
                doc: 1,
                segment: 1,
                lines: LineRange::new(2, 2),
                first_doc: 0,
                first_segment: 1,
                first_lines: LineRange::new(2, 2),
            }]
        );
    }

    #[test]
    fn a_least_segment_size_past_u32_keeps_every_segment_out() {
        // Regression: the least size was cut to 32 bits, so 2^32 became 0.
        let config = AcrossConfig {
            min_segment_units: usize::try_from(1u64 << 32).unwrap_or(usize::MAX),
            ..AcrossConfig::default()
        };
        let mut index = CorpusIndex::new(config);
        index.add(&sketch(&set(0..10), vec![(1, 20)]));
        index.add(&sketch(&set(20..30), vec![(1, 20)]));
        assert_eq!(index.repeated_segments(), []);
    }
}
