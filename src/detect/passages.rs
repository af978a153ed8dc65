//! Passages copied from one document into another, exact or lightly edited.
//!
//! [`across`](super::across) finds documents that are duplicates as a whole
//! and single segments repeated verbatim; this module finds the *passage*: a
//! run of one or more consecutive segments that occurs in two or more
//! documents, each segment equal or a near duplicate of its counterpart.
//!
//! Detection runs in three steps:
//!
//! 1. **Pairs.** Every indexed segment (at least
//!    [`PassageConfig::min_segment_units`] units) is keyed by its normalized
//!    hash and by the LSH band keys of its MinHash signature (bands tuned a
//!    little below the threshold, so that pairs just above it are not
//!    missed). Segments of two
//!    different documents with the same hash are exact pairs; segments that
//!    share a band are candidates, kept only when the Jaccard similarity of
//!    their shingle sets reaches [`PassageConfig::threshold`]. Inside a hash
//!    group or band bucket each segment is paired with its next
//!    [`PassageConfig::neighbours`] members only, so a paragraph repeated in a
//!    thousand files costs a few thousand pairs, not half a million.
//! 2. **Runs.** For each pair of documents, pairs that advance together are
//!    chained into runs (as inside a document, tolerating
//!    [`PassageConfig::max_gap`] segments that one copy lacks or changes).
//! 3. **Passages.** Each run links a segment range of one document to one of
//!    another; ranges of a document that overlap are merged, and linked
//!    ranges form one [`Passage`] with every copy.
//!
//! Memory: the index holds, for each indexed segment, its compact shingle set
//! and its band keys (a few hundred bytes), for the whole corpus at once.
//! That suits a repository tree (tens of thousands of files, a few hundred
//! thousand segments: tens of megabytes); a web-scale corpus should use
//! [`across`](super::across), whose memory does not grow with the segments.
//!
//! The test `a_near_copy_is_one_passage` shows the index at work.

use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;

use super::across::compact_shingles;
use super::runs::{chain, Pair, Run};
use crate::fingerprint::jaccard;
use crate::fingerprint::Fingerprint;
use crate::sketch::Lsh;

/// How far below the threshold the LSH band shape is tuned: bands chosen so
/// that a pair at `threshold - 0.1` is a candidate with probability ≥ 0.995
/// make a pair just above the threshold a candidate all but surely (a miss
/// rate below one in a million at 0.8, instead of about one in two hundred),
/// for a few more candidates to verify.
const CANDIDATE_SLACK: f64 = 0.1;

/// Settings of passage detection.
#[derive(Clone, Debug)]
pub struct PassageConfig {
    /// Jaccard similarity of shingle sets from which two segments are near
    /// duplicates. Default
    /// [`DEFAULT_THRESHOLD`](crate::DEFAULT_THRESHOLD).
    pub threshold: f64,
    /// Segments one copy may lack, add or change beyond recognition before a
    /// passage breaks. Default 2.
    pub max_gap: usize,
    /// Segments with fewer units (CJK characters or words) are not indexed:
    /// they never start a pair, though a passage may run across them.
    /// Default 5.
    pub min_segment_units: usize,
    /// Later members of a hash group or band bucket each segment is paired
    /// with. Default 8.
    pub neighbours: usize,
}

impl Default for PassageConfig {
    fn default() -> PassageConfig {
        PassageConfig {
            threshold: crate::DEFAULT_THRESHOLD,
            max_gap: 2,
            min_segment_units: 5,
            neighbours: 8,
        }
    }
}

/// What the index keeps of one segment.
#[derive(Clone, Debug, Default)]
pub struct IndexedSegment {
    /// Hash of the normalized text.
    pub exact: u64,
    /// Units of the segment.
    pub units: u32,
    /// Compact shingle set (32-bit hashes, sorted, distinct).
    pub shingles: Vec<u32>,
    /// LSH band keys of its signature.
    pub bands: Vec<u64>,
}

impl IndexedSegment {
    /// Long enough to be indexed: it has band keys and may start a pair.
    pub fn is_indexed(&self) -> bool {
        !self.bands.is_empty()
    }
}

/// A passage that occurs in two or more documents.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Passage {
    /// Every copy, sorted by document then position.
    pub copies: Vec<PassageCopy>,
    /// Every link between copies is of normalized-equal segments without gaps.
    pub exact: bool,
    /// Lowest similarity of two linked copies (1.0 when exact): the
    /// unit-weighted mean Jaccard similarity of their segment pairs.
    pub similarity: f64,
}

/// One occurrence of a passage.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PassageCopy {
    /// Document number, in the order documents were added.
    pub doc: u32,
    /// Indices of the document's segments it covers.
    pub segments: Range<usize>,
}

/// The segments of a corpus, indexed for passage detection.
#[derive(Debug)]
pub struct PassageIndex {
    config: PassageConfig,
    lsh: Lsh,
    /// Per document, per segment: the indexed form, `None` when not indexed.
    docs: Vec<Vec<Option<IndexedSegment>>>,
}

/// A segment's place: document and segment index.
type At = (u32, u32);

/// A run between two documents, reduced to what merging needs.
#[derive(Clone, Debug)]
struct Link {
    a: (u32, Range<usize>),
    b: (u32, Range<usize>),
    exact: bool,
    similarity: f64,
}

impl PassageIndex {
    pub fn new(config: PassageConfig) -> PassageIndex {
        PassageIndex {
            lsh: Lsh::for_threshold((config.threshold - CANDIDATE_SLACK).max(0.05)),
            config,
            docs: Vec::new(),
        }
    }

    /// The indexed form of a segment's fingerprint. A segment too short to
    /// index (or without a signature) keeps its exact hash alone: it never
    /// starts a pair, but a passage that runs across it is exact only when
    /// its copies there are equal too.
    pub fn segment(&self, print: &Fingerprint) -> Option<IndexedSegment> {
        let units = print.units.min(u32::MAX as usize) as u32;
        let signature = print
            .signature
            .as_ref()
            .filter(|_| print.units >= self.config.min_segment_units);
        let Some(signature) = signature else {
            return Some(IndexedSegment {
                exact: print.exact,
                units,
                ..IndexedSegment::default()
            });
        };
        Some(IndexedSegment {
            exact: print.exact,
            units,
            shingles: compact_shingles(&print.shingles),
            bands: self.lsh.band_keys(signature).collect(),
        })
    }

    /// Adds the next document's segments (numbered from 0 in order) and
    /// returns its number.
    pub fn add(&mut self, segments: Vec<Option<IndexedSegment>>) -> u32 {
        self.docs.push(segments);
        (self.docs.len() - 1) as u32
    }

    /// A segment that can start a pair (long enough to index).
    fn get(&self, at: At) -> Option<&IndexedSegment> {
        self.any(at).filter(|s| s.is_indexed())
    }

    /// Any segment with its exact hash, indexed or too short to be.
    fn any(&self, (doc, seg): At) -> Option<&IndexedSegment> {
        self.docs.get(doc as usize)?.get(seg as usize)?.as_ref()
    }

    /// Every passage found, sorted by its first copy.
    pub fn passages(&self) -> Vec<Passage> {
        let pairs = self.pairs();
        let links = self.links(pairs);
        merge(links)
    }

    /// Step 1: exact and verified near pairs between different documents,
    /// grouped by document pair `(a, b)`, `a < b`.
    fn pairs(&self) -> HashMap<(u32, u32), Vec<Pair>> {
        let mut by_docs: HashMap<(u32, u32), Vec<Pair>> = HashMap::new();
        let mut push = |x: At, y: At, exact: bool| {
            let ((a, i), (b, j)) = if x.0 < y.0 { (x, y) } else { (y, x) };
            by_docs.entry((a, b)).or_default().push(Pair {
                i: i as usize,
                j: j as usize,
                exact,
            });
        };
        for (x, y) in self.exact_pairs() {
            push(x, y, true);
        }
        for (x, y) in self.near_pairs() {
            push(x, y, false);
        }
        by_docs
    }

    /// Places keyed by `key`, sorted by key then place.
    fn keyed(&self, key: impl Fn(&IndexedSegment) -> Vec<u64> + Sync) -> Vec<(u64, At)> {
        let mut keyed: Vec<(u64, At)> = self
            .docs
            .par_iter()
            .enumerate()
            .flat_map_iter(|(doc, segments)| {
                let key = &key;
                segments.iter().enumerate().flat_map(move |(seg, s)| {
                    s.iter()
                        .filter(|s| s.is_indexed())
                        .flat_map(key)
                        .map(move |k| (k, (doc as u32, seg as u32)))
                })
            })
            .collect();
        keyed.par_sort_unstable();
        keyed
    }

    /// Pairs of places in different documents within each group of equal
    /// keys, each place with its next `neighbours` places of other documents.
    fn grouped_pairs(&self, keyed: &[(u64, At)]) -> Vec<(At, At)> {
        let mut pairs = Vec::new();
        for group in keyed.chunk_by(|x, y| x.0 == y.0) {
            for (at, &(_, x)) in group.iter().enumerate() {
                let others = group[at + 1..].iter().filter(|(_, y)| y.0 != x.0);
                pairs.extend(others.take(self.config.neighbours).map(|&(_, y)| (x, y)));
            }
        }
        pairs
    }

    fn exact_pairs(&self) -> Vec<(At, At)> {
        let keyed = self.keyed(|s| vec![s.exact]);
        self.grouped_pairs(&keyed)
    }

    fn near_pairs(&self) -> Vec<(At, At)> {
        let keyed = self.keyed(|s| s.bands.clone());
        let mut candidates: Vec<(At, At)> = self
            .grouped_pairs(&keyed)
            .into_iter()
            .filter(|&(x, y)| self.differ(x, y))
            .collect();
        candidates.par_sort_unstable();
        candidates.dedup();
        candidates
            .into_par_iter()
            .filter(|&(x, y)| self.similarity(x, y) >= self.config.threshold)
            .collect()
    }

    fn differ(&self, x: At, y: At) -> bool {
        match (self.get(x), self.get(y)) {
            (Some(a), Some(b)) => a.exact != b.exact,
            _ => false,
        }
    }

    /// Jaccard similarity of two places' shingle sets (1.0 when
    /// normalized-equal, 0.0 when either is not indexed).
    fn similarity(&self, x: At, y: At) -> f64 {
        match (self.get(x), self.get(y)) {
            (Some(a), Some(b)) if a.exact == b.exact => 1.0,
            (Some(a), Some(b)) => jaccard(&a.shingles, &b.shingles),
            _ => 0.0,
        }
    }

    /// Step 2: runs of each document pair, as links sorted by place.
    fn links(&self, pairs: HashMap<(u32, u32), Vec<Pair>>) -> Vec<Link> {
        let mut pairs: Vec<((u32, u32), Vec<Pair>)> = pairs.into_iter().collect();
        pairs.sort_unstable_by_key(|(docs, _)| *docs);
        let mut links: Vec<Link> = pairs
            .into_par_iter()
            .flat_map_iter(|((a, b), mut found)| {
                found.sort_by_key(|pair| (pair.i, pair.j));
                found.dedup_by_key(|pair| (pair.i, pair.j));
                chain(found, self.config.max_gap)
                    .into_iter()
                    .map(move |run| self.link(a, b, &run))
                    .collect::<Vec<_>>()
            })
            .collect();
        links.sort_by_key(|l| (l.a.0, l.a.1.start, l.a.1.end, l.b.0, l.b.1.start, l.b.1.end));
        links
    }

    fn link(&self, a: u32, b: u32, run: &Run) -> Link {
        let (left, right) = (run.left(), run.right());
        // Exact when the two ranges are equal segment for segment, the
        // short segments a run crosses without a pair included.
        let exact = left.len() == right.len()
            && left.clone().zip(right.clone()).all(|(i, j)| {
                match (self.any((a, i as u32)), self.any((b, j as u32))) {
                    (Some(x), Some(y)) => x.exact == y.exact,
                    _ => false,
                }
            });
        let (mut weight, mut matched) = (0.0, 0.0);
        for pair in &run.pairs {
            let x = (a, pair.i as u32);
            let units = self.get(x).map_or(1, |s| s.units) as f64;
            weight += units;
            matched += units * self.similarity(x, (b, pair.j as u32));
        }
        let skipped = (left.len().max(right.len()) - run.pairs.len()) as f64;
        let similarity = if weight > 0.0 {
            matched / (weight + skipped)
        } else {
            0.0
        };
        Link {
            a: (a, left),
            b: (b, right),
            exact,
            similarity: if exact { 1.0 } else { similarity },
        }
    }
}

/// Step 3: merges overlapping ranges of each document, then links ranges
/// into passages.
fn merge(links: Vec<Link>) -> Vec<Passage> {
    let ranges = merged_ranges(&links);
    let mut sets = DisjointSets::new(ranges.len());
    for link in &links {
        sets.union(find_range(&ranges, &link.a), find_range(&ranges, &link.b));
    }
    let mut passages: HashMap<usize, Passage> = HashMap::new();
    for (id, (doc, range)) in ranges.iter().enumerate() {
        let passage = passages.entry(sets.find(id)).or_insert_with(|| Passage {
            copies: Vec::new(),
            exact: true,
            similarity: 1.0,
        });
        passage.copies.push(PassageCopy {
            doc: *doc,
            segments: range.clone(),
        });
    }
    for link in &links {
        let passage = passages
            .get_mut(&sets.find(find_range(&ranges, &link.a)))
            .expect("every link's range belongs to a passage");
        passage.exact &= link.exact;
        passage.similarity = passage.similarity.min(link.similarity);
    }
    let mut passages: Vec<Passage> = passages
        .into_values()
        .filter(|p| p.copies.len() > 1)
        .collect();
    passages.sort_by_key(|p| (p.copies[0].doc, p.copies[0].segments.start));
    passages
}

/// Every document range named by a link, overlapping ones merged, sorted.
fn merged_ranges(links: &[Link]) -> Vec<(u32, Range<usize>)> {
    let mut all: Vec<(u32, Range<usize>)> = links
        .iter()
        .flat_map(|link| [link.a.clone(), link.b.clone()])
        .collect();
    all.sort_by_key(|(doc, range)| (*doc, range.start, range.end));
    let mut merged: Vec<(u32, Range<usize>)> = Vec::new();
    for (doc, range) in all {
        match merged.last_mut() {
            Some((last_doc, last)) if *last_doc == doc && range.start < last.end => {
                last.end = last.end.max(range.end);
            }
            _ => merged.push((doc, range)),
        }
    }
    merged
}

/// The merged range that contains `(doc, range)`.
fn find_range(ranges: &[(u32, Range<usize>)], (doc, range): &(u32, Range<usize>)) -> usize {
    let at = ranges.partition_point(|(d, r)| (*d, r.start) <= (*doc, range.start));
    at.saturating_sub(1)
}

/// Union-find over range ids; the smaller id becomes the root, so results do
/// not depend on the order of unions.
struct DisjointSets {
    parent: Vec<usize>,
}

impl DisjointSets {
    fn new(n: usize) -> DisjointSets {
        DisjointSets {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, x: usize, y: usize) {
        let (a, b) = (self.find(x), self.find(y));
        let (low, high) = (a.min(b), a.max(b));
        self.parent[high] = low;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::Fingerprinter;

    fn index_of(docs: &[&[&str]]) -> PassageIndex {
        let mut fingerprinter = Fingerprinter::new(3);
        let mut index = PassageIndex::new(PassageConfig::default());
        for doc in docs {
            let segments = doc
                .iter()
                .map(|text| index.segment(&fingerprinter.fingerprint(text)))
                .collect();
            index.add(segments);
        }
        index
    }

    const P1: &str =
        "Install the package with the usual command and read the notes that follow carefully.";
    const P2: &str =
        "Every option can be written in the configuration file as well as on the command line.";
    const P3: &str =
        "Reports are printed to standard output and errors to standard error, as usual for tools.";
    const OTHER: &str =
        "Nothing in this paragraph resembles the others, it speaks of weather and of gardens.";

    #[test]
    fn consecutive_copied_segments_make_one_passage() {
        let index = index_of(&[&[OTHER, P1, P2, P3], &[P1, P2, P3]]);
        let passages = index.passages();
        assert_eq!(passages.len(), 1, "{passages:?}");
        let copies: Vec<_> = passages[0]
            .copies
            .iter()
            .map(|c| (c.doc, c.segments.clone()))
            .collect();
        assert_eq!(copies, [(0, 1..4), (1, 0..3)]);
        assert!(passages[0].exact);
        assert_eq!(passages[0].similarity, 1.0);
    }

    #[test]
    fn a_copy_across_a_short_heading_is_exact_only_when_the_heading_is_equal() {
        let index = index_of(&[&[P1, "## Notes", P2, P3], &[P1, "## Notes", P2, P3]]);
        let passages = index.passages();
        assert_eq!(passages.len(), 1, "{passages:?}");
        assert!(passages[0].exact, "{passages:?}");
        assert_eq!(passages[0].similarity, 1.0);
        let index = index_of(&[&[P1, "## Notes", P2, P3], &[P1, "## Other", P2, P3]]);
        let passages = index.passages();
        assert_eq!(passages.len(), 1, "{passages:?}");
        assert!(!passages[0].exact, "{passages:?}");
    }

    #[test]
    fn a_lightly_edited_copy_is_a_near_passage() {
        let long = format!("{P1} {P2} {P3}");
        let edited = long.replace("configuration", "settings");
        let index = index_of(&[&[&long], &[OTHER], &[&edited]]);
        let passages = index.passages();
        assert_eq!(passages.len(), 1, "{passages:?}");
        assert!(!passages[0].exact);
        assert!(passages[0].similarity >= 0.8 && passages[0].similarity < 1.0);
        assert_eq!(passages[0].copies.len(), 2);
    }

    #[test]
    fn three_copies_are_one_passage() {
        let index = index_of(&[&[P1], &[OTHER, P1], &[P1]]);
        let passages = index.passages();
        assert_eq!(passages.len(), 1);
        let docs: Vec<u32> = passages[0].copies.iter().map(|c| c.doc).collect();
        assert_eq!(docs, [0, 1, 2]);
    }

    #[test]
    fn repeats_inside_one_document_are_not_passages() {
        let index = index_of(&[&[P1, OTHER, P1], &[P3]]);
        assert!(index.passages().is_empty());
    }

    #[test]
    fn short_segments_are_not_indexed() {
        let index = index_of(&[&["Short heading"], &["Short heading"]]);
        assert!(index.passages().is_empty());
    }

    #[test]
    fn result_does_not_depend_on_thread_count() {
        let docs: Vec<Vec<String>> = (0..40)
            .map(|n| {
                vec![
                    format!("{P1} {}", n % 3),
                    format!("Unique paragraph number {n} about nothing in particular at all."),
                    P2.to_owned(),
                ]
            })
            .collect();
        let refs: Vec<Vec<&str>> = docs
            .iter()
            .map(|d| d.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let many = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let a = one.install(|| index_of(&slices).passages());
        let b = many.install(|| index_of(&slices).passages());
        assert_eq!(a, b);
        assert!(!a.is_empty());
    }
}

#[cfg(test)]
mod example {
    use super::*;
    use crate::Fingerprinter;

    #[test]
    fn a_near_copy_is_one_passage() {
        let mut fingerprinter = Fingerprinter::new(3);
        let mut index = PassageIndex::new(PassageConfig::default());
        let a = "Copied paragraphs drift apart: one copy gets a fix, the other keeps the old \
                 mistake, and readers who land on the stale page follow steps that no longer \
                 work, which is why a gate that sees near copies as well as exact ones helps.";
        let b = a.replace("readers", "visitors");
        for text in [
            a,
            "Something else entirely, with no words in common at all here.",
            &b,
        ] {
            let print = fingerprinter.fingerprint(text);
            index.add(vec![index.segment(&print)]);
        }
        let passages = index.passages();
        assert_eq!(passages.len(), 1);
        assert_eq!(
            passages[0].copies.iter().map(|c| c.doc).collect::<Vec<_>>(),
            [0, 2]
        );
        assert!(!passages[0].exact);
    }
}
