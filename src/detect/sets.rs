//! The shingle sets that verify near-duplicate candidates, kept out of
//! memory.
//!
//! Candidate pairs are known only after the last document, and verifying a
//! pair needs both documents' shingle sets. Holding every document's set
//! would make memory grow with the text. Instead, each document's shingle
//! hashes (cut to 32 bits, about 4 bytes per shingle) are appended to an
//! unnamed temporary file as the document is delivered ([`SetSpill`]), and
//! read back by document number once the candidates are known
//! ([`SetStore`]): no input is read, parsed or shingled a second time.
//!
//! When the temporary file cannot be made or written (a full disk, say), the
//! pipeline reads the documents involved again and keeps their sets in
//! memory instead ([`SetStore::in_memory`]); both give the same sets. Sets
//! that already lie sorted in memory, such as those of memory-mapped
//! signature files, are compared where they lie ([`SetStore::mapped`]).
//!
//! [`verify`] computes the similarity of candidate pairs in chunks whose sets
//! fit in a byte budget, in parallel, whatever the order of the pairs.
//! Similarities below the threshold are only ever compared with it, so a
//! pair is given up as soon as its sets cannot reach it
//! ([`jaccard_if_reachable`]).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, Write};

use rayon::prelude::*;

use crate::fingerprint::jaccard;

/// Writes documents' shingle hashes, in document order, to a temporary
/// file.
#[derive(Debug)]
pub struct SetSpill {
    out: Option<BufWriter<File>>,
    /// `offsets[doc]..offsets[doc + 1]` is the document's byte range.
    offsets: Vec<u64>,
    bytes: Vec<u8>,
}

impl SetSpill {
    /// Opens an unnamed temporary file (removed when dropped, whatever
    /// happens).
    pub fn new() -> io::Result<SetSpill> {
        Ok(SetSpill {
            out: Some(BufWriter::with_capacity(1 << 20, tempfile::tempfile()?)),
            offsets: vec![0],
            bytes: Vec::new(),
        })
    }

    /// Appends the next document's shingle hashes. After a write error the
    /// spill is spent: [`SetSpill::finish`] gives `None`.
    pub fn push(&mut self, hashes: &[u32]) {
        let Some(out) = &mut self.out else {
            return;
        };
        self.bytes.clear();
        self.bytes.reserve(hashes.len() * 4);
        for hash in hashes {
            self.bytes.extend_from_slice(&hash.to_le_bytes());
        }
        if out.write_all(&self.bytes).is_err() {
            self.out = None;
            return;
        }
        let end = self.offsets[self.offsets.len() - 1] + self.bytes.len() as u64;
        self.offsets.push(end);
    }

    /// The store to read the sets back from, or `None` when a write failed.
    pub fn finish(self) -> Option<SetStore> {
        let file = self.out?.into_inner().ok()?;
        Some(SetStore {
            source: Source::File {
                file,
                offsets: self.offsets,
            },
        })
    }
}

/// Documents' shingle sets, by document number.
#[derive(Debug)]
pub struct SetStore {
    source: Source,
}

#[derive(Debug)]
enum Source {
    File { file: File, offsets: Vec<u64> },
    Memory(HashMap<u32, Vec<u32>>),
    Mapped(Box<dyn MappedSets>),
}

/// Sets that lie in memory already (a mapped file, say), sorted and
/// without repeats, so they are compared in place.
pub trait MappedSets: std::fmt::Debug + Send + Sync {
    /// The document's set, sorted and without repeats; empty for an unknown
    /// document.
    fn set(&self, doc: u32) -> &[u32];
}

impl SetStore {
    /// Sets already in memory (sorted or not); documents not in `sets` have
    /// empty sets.
    pub fn in_memory(sets: HashMap<u32, Vec<u32>>) -> SetStore {
        SetStore {
            source: Source::Memory(sets),
        }
    }

    /// Sets that lie sorted in memory, compared where they lie.
    pub fn mapped(sets: Box<dyn MappedSets>) -> SetStore {
        SetStore {
            source: Source::Mapped(sets),
        }
    }

    /// Bytes the document's set takes (before removing repeats).
    pub fn size(&self, doc: u32) -> usize {
        match &self.source {
            Source::File { offsets, .. } => {
                match (offsets.get(doc as usize), offsets.get(doc as usize + 1)) {
                    (Some(&start), Some(&end)) => (end - start) as usize,
                    _ => 0,
                }
            }
            Source::Memory(sets) => sets.get(&doc).map_or(0, |set| set.len() * 4),
            Source::Mapped(sets) => sets.set(doc).len() * 4,
        }
    }

    /// The document's shingle set, sorted and without repeats.
    pub fn load(&self, doc: u32) -> io::Result<Vec<u32>> {
        let mut set = match &self.source {
            Source::File { file, offsets } => {
                let (Some(&start), Some(&end)) =
                    (offsets.get(doc as usize), offsets.get(doc as usize + 1))
                else {
                    return Ok(Vec::new());
                };
                let mut bytes = vec![0u8; (end - start) as usize];
                read_exact_at(file, &mut bytes, start)?;
                bytes
                    .chunks_exact(4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect()
            }
            Source::Memory(sets) => sets.get(&doc).cloned().unwrap_or_default(),
            Source::Mapped(sets) => return Ok(sets.set(doc).to_vec()),
        };
        // Sets are spilled sorted (the pipeline sorts each on its worker);
        // checking costs one pass, where even a sort of a sorted run costs
        // several.
        if !set.is_sorted_by(|a, b| a < b) {
            set.sort_unstable();
            set.dedup();
        }
        Ok(set)
    }
}

#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
pub(crate) fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// The Jaccard similarity of each pair's sets, in the pairs' order, as
/// far as [`jaccard_if_reachable`] needs it. Pairs are compared in runs as
/// [`compare`] says.
pub fn verify(
    pairs: &[(u32, u32)],
    store: &SetStore,
    budget: usize,
    threshold: f64,
) -> io::Result<Vec<f64>> {
    compare(pairs, store, budget, |a, b| {
        jaccard_if_reachable(a, b, threshold)
    })
}

/// `measure` of each pair's sets, in the pairs' order. Pairs are taken in
/// runs whose distinct documents' sets fit in `budget` bytes (a run holds
/// at least one pair); each run's sets are loaded and compared in
/// parallel, then dropped. Mapped sets are compared where they lie.
pub fn compare<T: Send>(
    pairs: &[(u32, u32)],
    store: &SetStore,
    budget: usize,
    measure: impl Fn(&[u32], &[u32]) -> T + Sync,
) -> io::Result<Vec<T>> {
    if let Source::Mapped(sets) = &store.source {
        return Ok(pairs
            .par_iter()
            .map(|&(a, b)| measure(sets.set(a), sets.set(b)))
            .collect());
    }
    let mut results = Vec::with_capacity(pairs.len());
    let mut start = 0;
    while start < pairs.len() {
        let mut docs: HashSet<u32> = HashSet::new();
        let mut bytes = 0;
        let mut end = start;
        while end < pairs.len() {
            let (a, b) = pairs[end];
            let added: usize = [a, b]
                .iter()
                .filter(|doc| !docs.contains(doc))
                .map(|&doc| store.size(doc))
                .sum();
            // A run holds at least one pair, however big.
            if end > start && bytes + added > budget {
                break;
            }
            bytes += added;
            docs.insert(a);
            docs.insert(b);
            end += 1;
        }
        let mut wanted: Vec<u32> = docs.into_iter().collect();
        wanted.sort_unstable();
        let loaded: Vec<(u32, Vec<u32>)> = wanted
            .into_par_iter()
            .map(|doc| Ok((doc, store.load(doc)?)))
            .collect::<io::Result<_>>()?;
        let sets: HashMap<u32, Vec<u32>> = loaded.into_iter().collect();
        let empty = Vec::new();
        let set = |doc: u32| sets.get(&doc).unwrap_or(&empty);
        results.par_extend(
            pairs[start..end]
                .par_iter()
                .map(|&(a, b)| measure(set(a), set(b))),
        );
        start = end;
    }
    Ok(results)
}

/// Loads sets one at a time for the few comparisons [`verify`] did not
/// make, keeping recent ones up to a byte budget.
#[derive(Debug)]
pub struct SetCache<'a> {
    store: &'a SetStore,
    budget: usize,
    held: usize,
    sets: HashMap<u32, Vec<u32>>,
}

impl<'a> SetCache<'a> {
    pub fn new(store: &'a SetStore, budget: usize) -> SetCache<'a> {
        SetCache {
            store,
            budget,
            held: 0,
            sets: HashMap::new(),
        }
    }

    /// Jaccard similarity of two documents' sets.
    pub fn similarity(&mut self, a: u32, b: u32) -> io::Result<f64> {
        if let Source::Mapped(sets) = &self.store.source {
            return Ok(jaccard(sets.set(a), sets.set(b)));
        }
        let missing: Vec<u32> = [a, b]
            .into_iter()
            .filter(|doc| !self.sets.contains_key(doc))
            .collect();
        let adding: usize = missing.iter().map(|&doc| self.store.size(doc)).sum();
        if self.held + adding > self.budget {
            self.sets.clear();
            self.held = 0;
        }
        for doc in [a, b] {
            if !self.sets.contains_key(&doc) {
                let set = self.store.load(doc)?;
                self.held += set.len() * 4;
                self.sets.insert(doc, set);
            }
        }
        let empty = Vec::new();
        let set = |doc| self.sets.get(&doc).unwrap_or(&empty);
        Ok(jaccard(set(a), set(b)))
    }
}

/// The Jaccard similarity of two sorted sets when it reaches `threshold`;
/// else a bound that is below `threshold` and at least the similarity. The
/// sizes alone may rule the pair out (`smaller / larger`); otherwise the
/// sets are merged, and given up as soon as the elements left cannot bring
/// enough shared ones. Clustering only compares similarities with the
/// threshold and reports those at or above it, so the bound decides
/// exactly as the similarity would. Every bound is divided as [`jaccard`]
/// divides, so rounding never turns a reachable pair into a bound.
pub fn jaccard_if_reachable(a: &[u32], b: &[u32], threshold: f64) -> f64 {
    let (small, large) = (a.len().min(b.len()), a.len().max(b.len()));
    if large == 0 {
        return 1.0;
    }
    let bound = small as f64 / large as f64;
    if bound < threshold {
        return bound;
    }
    let total = a.len() + b.len();
    let ratio = |common: usize| common as f64 / (total - common) as f64;
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    // Blocks of four from each side: each element of one block is compared
    // with each of the other (sixteen comparisons, which the compiler makes
    // four at a time), then the block whose last element is smaller moves
    // on, both when they are equal. An element counted shared is below
    // everything the other side has still to show, so none is counted
    // twice, here or in the merge of the last few. The bound is checked
    // every few blocks: often enough to stop early, rarely enough to cost
    // nothing beside the comparisons.
    const BLOCKS_PER_CHECK: usize = 8;
    'blocks: loop {
        let best = common + (a.len() - i).min(b.len() - j);
        if ratio(best) < threshold {
            return ratio(best);
        }
        for _ in 0..BLOCKS_PER_CHECK {
            let (Some(x), Some(y)) = (block(a, i), block(b, j)) else {
                break 'blocks;
            };
            common += block_shared(x, y);
            i += 4 * usize::from(x[3] <= y[3]);
            j += 4 * usize::from(y[3] <= x[3]);
        }
    }
    // Fewer than four left on one side: one element at a time, branch-free
    // as in `shared` (which side moves is data, not control flow).
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        common += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    ratio(common)
}

/// The four elements of `set` from `at`, if there are four.
fn block(set: &[u32], at: usize) -> Option<&[u32; 4]> {
    set.get(at..at + 4)?.try_into().ok()
}

/// How many elements two blocks of distinct elements share.
fn block_shared(x: &[u32; 4], y: &[u32; 4]) -> usize {
    let mut hits = [0u32; 4];
    for &value in y {
        for (hit, &element) in hits.iter_mut().zip(x) {
            *hit |= u32::from(element == value);
        }
    }
    hits.iter().sum::<u32>() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spilled(sets: &[Vec<u32>]) -> SetStore {
        let mut spill = SetSpill::new().unwrap();
        for set in sets {
            spill.push(set);
        }
        spill.finish().unwrap()
    }

    #[test]
    fn sets_come_back_sorted_and_without_repeats() {
        let store = spilled(&[vec![5, 1, 5, 3], vec![], vec![9]]);
        assert_eq!(store.load(0).unwrap(), [1, 3, 5]);
        assert_eq!(store.load(1).unwrap(), Vec::<u32>::new());
        assert_eq!(store.load(2).unwrap(), [9]);
        assert_eq!(store.load(7).unwrap(), Vec::<u32>::new());
        assert_eq!((store.size(0), store.size(2), store.size(7)), (16, 4, 0));
    }

    #[test]
    fn verify_gives_the_same_similarities_in_any_budget_and_from_memory() {
        let sets: Vec<Vec<u32>> = (0..40u32)
            .map(|doc| (doc..doc + 30).rev().collect())
            .collect();
        let pairs: Vec<(u32, u32)> = (0..40u32)
            .flat_map(|a| (a + 1..40).step_by(3).map(move |b| (a, b)))
            .collect();
        let expected: Vec<f64> = pairs
            .iter()
            .map(|&(a, b)| {
                let (mut x, mut y) = (sets[a as usize].clone(), sets[b as usize].clone());
                x.sort_unstable();
                y.sort_unstable();
                jaccard(&x, &y)
            })
            .collect();
        let store = spilled(&sets);
        for budget in [0, 200, 1000, 1 << 20] {
            assert_eq!(verify(&pairs, &store, budget, 0.0).unwrap(), expected);
        }
        let memory =
            SetStore::in_memory(sets.iter().cloned().zip(0..).map(|(s, d)| (d, s)).collect());
        assert_eq!(verify(&pairs, &memory, 300, 0.0).unwrap(), expected);
        let mut cache = SetCache::new(&store, 250);
        for (&(a, b), &sim) in pairs.iter().zip(&expected) {
            assert_eq!(cache.similarity(a, b).unwrap(), sim);
        }
    }

    proptest::proptest! {
        #[test]
        fn a_reachable_pair_gets_its_similarity_and_any_other_a_bound_below_the_threshold(
            a in proptest::collection::btree_set(0u32..400, 0..300),
            b in proptest::collection::btree_set(0u32..400, 0..300),
            threshold in 0.01f64..1.0,
        ) {
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            let exact = jaccard(&a, &b);
            let found = jaccard_if_reachable(&a, &b, threshold);
            if exact >= threshold {
                proptest::prop_assert_eq!(found, exact);
            } else {
                proptest::prop_assert!(found < threshold && found >= exact, "{found} {exact}");
            }
        }
    }

    #[test]
    fn pairs_whose_sizes_keep_them_below_the_threshold_get_a_bound_below_it() {
        let a: Vec<u32> = (0..100).collect();
        let b: Vec<u32> = (0..70).collect(); // Jaccard 0.7, sizes 0.7
        let c: Vec<u32> = (10..100).collect(); // Jaccard 0.9, sizes 0.9
        assert_eq!(jaccard_if_reachable(&a, &b, 0.8), 0.7);
        assert_eq!(jaccard_if_reachable(&a, &c, 0.8), jaccard(&a, &c));
        assert_eq!(jaccard_if_reachable(&a, &b, 0.5), jaccard(&a, &b));
        let d: Vec<u32> = (50..120).collect(); // sizes 0.7, Jaccard 0.2
        let bound = jaccard_if_reachable(&a, &d, 0.8);
        assert!(bound < 0.8 && bound >= jaccard(&a, &d), "{bound}");
        assert_eq!(jaccard_if_reachable(&[], &[], 0.8), 1.0);
    }
}
