//! The shingle sets that verify near-duplicate candidates, kept out of
//! memory.
//!
//! Candidate pairs are known only after the last document, and verifying a
//! pair needs both documents' shingle sets. Holding every document's set
//! would make memory grow with the text. Instead, each document's shingle
//! hashes (cut to 32 bits, about 4 bytes per shingle, sorted and without
//! repeats) are appended to an unnamed temporary file as the document is
//! delivered ([`SetSpill`]), and read back by document number once the
//! candidates are known ([`SetStore`]): no input is read, parsed or
//! shingled a second time.
//!
//! When the temporary file cannot be made or written (a full disk, say), the
//! pipeline reads the documents involved again and keeps their sets in
//! memory instead ([`SetStore::in_memory`]); both give the same sets. Sets
//! that already lie sorted in memory, such as those of memory-mapped
//! signature files, are compared where they lie ([`SetStore::mapped`]).
//!
//! [`compare`] measures candidate pairs in runs whose sets fit in a byte
//! budget, in parallel, whatever the order of the pairs: it takes the pairs
//! by connected component of the candidate graph, so that a document's
//! pairs fall in as few runs as they can and its set is read about once.
//! [`verify`] computes similarities that way, and
//! similarities below the threshold are only ever compared with it, so a
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
    /// The set being written, when it came unsorted or with repeats.
    sorted: Vec<u32>,
}

impl SetSpill {
    /// Opens an unnamed temporary file (removed when dropped, whatever
    /// happens).
    pub fn new() -> io::Result<SetSpill> {
        Ok(SetSpill {
            out: Some(BufWriter::with_capacity(1 << 20, tempfile::tempfile()?)),
            offsets: vec![0],
            bytes: Vec::new(),
            sorted: Vec::new(),
        })
    }

    /// Appends the next document's shingle hashes, sorted and without
    /// repeats. After a write error the spill is spent:
    /// [`SetSpill::finish`] gives `None`.
    pub fn push(&mut self, hashes: &[u32]) {
        let Some(out) = &mut self.out else {
            return;
        };
        // The pipeline sorts each set on its worker; checking costs one
        // pass, where even a sort of a sorted run costs several.
        let hashes = if hashes.is_sorted_by(|a, b| a < b) {
            hashes
        } else {
            self.sorted.clear();
            self.sorted.extend_from_slice(hashes);
            self.sorted.sort_unstable();
            self.sorted.dedup();
            &self.sorted
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
    /// The spill: sorted sets without repeats, read back with positioned
    /// reads.
    File {
        file: File,
        offsets: Vec<u64>,
    },
    /// Sorted sets without repeats.
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
    pub fn in_memory(mut sets: HashMap<u32, Vec<u32>>) -> SetStore {
        for set in sets.values_mut() {
            if !set.is_sorted_by(|a, b| a < b) {
                set.sort_unstable();
                set.dedup();
            }
        }
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

    /// How many documents the spill holds (0 for other stores).
    fn documents(&self) -> usize {
        match &self.source {
            Source::File { offsets, .. } => offsets.len() - 1,
            Source::Memory(_) | Source::Mapped(_) => 0,
        }
    }

    /// Bytes the document's set takes.
    pub fn size(&self, doc: u32) -> usize {
        match &self.source {
            Source::File { offsets, .. } => {
                span(offsets, doc).map_or(0, |(start, end)| (end - start) as usize)
            }
            Source::Memory(sets) => sets.get(&doc).map_or(0, |set| set.len() * 4),
            Source::Mapped(sets) => sets.set(doc).len() * 4,
        }
    }

    /// The document's shingle set, sorted and without repeats.
    pub fn load(&self, doc: u32) -> io::Result<Vec<u32>> {
        match &self.source {
            Source::File { file, offsets } => {
                let Some((start, end)) = span(offsets, doc) else {
                    return Ok(Vec::new());
                };
                let mut set = vec![0u32; (end - start) as usize / 4];
                // SAFETY: the bytes are those of `set`'s elements, which
                // the view borrows while it lives; any bytes make a valid
                // `u32`.
                let bytes = unsafe {
                    std::slice::from_raw_parts_mut(set.as_mut_ptr().cast::<u8>(), set.len() * 4)
                };
                read_exact_at(file, bytes, start)?;
                for hash in &mut set {
                    *hash = u32::from_le(*hash);
                }
                Ok(set)
            }
            _ => Ok(self.lend(doc).unwrap_or_default().to_vec()),
        }
    }

    /// The document's set where it lies, sorted and without repeats; `None`
    /// when it has to be read from the spill.
    fn lend(&self, doc: u32) -> Option<&[u32]> {
        match &self.source {
            Source::File { .. } => None,
            Source::Memory(sets) => Some(sets.get(&doc).map_or(&[][..], Vec::as_slice)),
            Source::Mapped(sets) => Some(sets.set(doc)),
        }
    }
}

/// The byte range of `doc`'s set in the spill.
fn span(offsets: &[u64], doc: u32) -> Option<(u64, u64)> {
    Some((*offsets.get(doc as usize)?, *offsets.get(doc as usize + 1)?))
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

/// `measure` of each pair's sets, in the pairs' order.
///
/// Sets held in memory are compared where they lie, all pairs at once.
/// Spilled sets are read back in runs of pairs whose distinct documents'
/// sets fit in `budget` bytes (a run holds at least one pair), and each
/// run's pairs compared in parallel; a run's sets are kept while the next
/// run needs them and dropped after. Runs take the pairs by connected
/// component of the graph they make, not in the order given, so that a
/// document's set is read about once.
pub fn compare<T: Send + Default>(
    pairs: &[(u32, u32)],
    store: &SetStore,
    budget: usize,
    measure: impl Fn(&[u32], &[u32]) -> T + Sync,
) -> io::Result<Vec<T>> {
    if let Source::Memory(_) | Source::Mapped(_) = &store.source {
        return Ok(pairs
            .par_iter()
            .map(|&(a, b)| {
                let set = |doc| store.lend(doc).unwrap_or_default();
                measure(set(a), set(b))
            })
            .collect());
    }
    let order = locality_order(pairs, store.documents());
    let mut results: Vec<T> = std::iter::repeat_with(T::default)
        .take(pairs.len())
        .collect();
    // The sets read back, by document: those of the run being compared.
    let mut held: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut start = 0;
    while start < order.len() {
        let mut docs: HashSet<u32> = HashSet::new();
        let mut bytes = 0;
        let mut end = start;
        while end < order.len() {
            let (a, b) = pairs[order[end]];
            let added: usize = [a, b]
                .iter()
                .take(if a == b { 1 } else { 2 })
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
        held.retain(|doc, _| docs.contains(doc));
        let mut wanted: Vec<u32> = docs
            .into_iter()
            .filter(|doc| !held.contains_key(doc))
            .collect();
        wanted.sort_unstable();
        let loaded: Vec<(u32, Vec<u32>)> = wanted
            .into_par_iter()
            .map(|doc| Ok((doc, store.load(doc)?)))
            .collect::<io::Result<_>>()?;
        held.extend(loaded);
        let set = |doc: u32| held.get(&doc).map_or(&[][..], Vec::as_slice);
        let measured: Vec<(usize, T)> = order[start..end]
            .par_iter()
            .map(|&at| {
                let (a, b) = pairs[at];
                (at, measure(set(a), set(b)))
            })
            .collect();
        for (at, value) in measured {
            results[at] = value;
        }
        start = end;
    }
    Ok(results)
}

/// The indices of `pairs` in the order [`compare`] takes them: by connected
/// component of the graph the pairs make (components in the order of their
/// smallest documents), then by smaller document. Candidate pairs come in
/// band order, where a document's pairs lie far apart; in this order they
/// lie together, and so do those of the documents it is paired with.
/// Documents from `documents` on (which have no sets) count as one.
fn locality_order(pairs: &[(u32, u32)], documents: usize) -> Vec<usize> {
    let last = documents.min(u32::MAX as usize - 1) as u32;
    let slot = |doc: u32| doc.min(last) as usize;
    // Union-find, each component rooted at its smallest document.
    let mut parent: Vec<u32> = (0..=last).collect();
    let root = |parent: &mut [u32], doc: u32| {
        let mut at = slot(doc);
        while parent[at] as usize != at {
            parent[at] = parent[parent[at] as usize];
            at = parent[at] as usize;
        }
        at as u32
    };
    for &(a, b) in pairs {
        let (a, b) = (root(&mut parent, a), root(&mut parent, b));
        parent[a.max(b) as usize] = a.min(b);
    }
    // Documents ranked by component, then by number: a counting sort by
    // root. Parents lie below their documents, so in increasing order
    // each document's parent points at its root already when it is
    // reached, and then so does the document's.
    let mut rank: Vec<u32> = vec![0; parent.len()];
    for doc in 0..=last {
        let root = root(&mut parent, doc);
        parent[doc as usize] = root;
        rank[root as usize] += 1;
    }
    let mut next = 0;
    for count in &mut rank {
        (*count, next) = (next, next + *count);
    }
    for doc in 0..=last {
        let root = parent[doc as usize] as usize;
        (parent[doc as usize], rank[root]) = (rank[root], rank[root] + 1);
    }
    let rank = parent;
    // Pairs by the rank of their smaller document: a counting sort again,
    // which keeps the given order among a document's pairs.
    let bucket = |&(a, b): &(u32, u32)| rank[slot(a.min(b))] as usize;
    let mut starts: Vec<usize> = vec![0; rank.len() + 1];
    for pair in pairs {
        starts[bucket(pair) + 1] += 1;
    }
    for at in 1..starts.len() {
        starts[at] += starts[at - 1];
    }
    let mut order = vec![0; pairs.len()];
    for (at, pair) in pairs.iter().enumerate() {
        let place = &mut starts[bucket(pair)];
        order[*place] = at;
        *place += 1;
    }
    order
}

/// Compares sets one pair at a time for the few comparisons [`verify`]
/// did not make: where they lie when the store holds them in memory, else
/// read back and kept while they fit in a byte budget.
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
        if let (Some(x), Some(y)) = (self.store.lend(a), self.store.lend(b)) {
            return Ok(jaccard(x, y));
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
        let set = |doc| self.sets.get(&doc).map_or(&[][..], Vec::as_slice);
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

    fn sorted(set: &[u32]) -> Vec<u32> {
        let mut set = set.to_vec();
        set.sort_unstable();
        set.dedup();
        set
    }

    #[test]
    fn sets_come_back_sorted_and_without_repeats() {
        let store = spilled(&[vec![5, 1, 5, 3], vec![], vec![9]]);
        assert_eq!(store.load(0).unwrap(), [1, 3, 5]);
        assert_eq!(store.load(1).unwrap(), Vec::<u32>::new());
        assert_eq!(store.load(2).unwrap(), [9]);
        assert_eq!(store.load(7).unwrap(), Vec::<u32>::new());
        assert_eq!((store.size(0), store.size(2), store.size(7)), (12, 4, 0));
        let memory = SetStore::in_memory(HashMap::from([(3, vec![8, 2, 8])]));
        assert_eq!((memory.load(3).unwrap(), memory.size(3)), (vec![2, 8], 8));
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
        for store in [store, memory] {
            let mut cache = SetCache::new(&store, 250);
            for (&(a, b), &sim) in pairs.iter().zip(&expected) {
                assert_eq!(cache.similarity(a, b).unwrap(), sim);
            }
        }
    }

    /// Sets, pairs of documents, and the same pairs shuffled.
    type SetsAndPairs = (Vec<Vec<u32>>, Vec<(u32, u32)>, Vec<(u32, u32)>);

    /// Sets to spill (unsorted, with repeats, some empty), pairs among
    /// them and documents past them, and the same pairs shuffled.
    fn sets_and_pairs() -> impl proptest::strategy::Strategy<Value = SetsAndPairs> {
        use proptest::prelude::*;
        (
            proptest::collection::vec(proptest::collection::vec(0u32..48, 0..40), 1..20),
            proptest::collection::vec((0u32..22, 0u32..22), 0..60),
        )
            .prop_flat_map(|(sets, pairs)| {
                (Just(sets), Just(pairs.clone()), Just(pairs).prop_shuffle())
            })
    }

    proptest::proptest! {
        #[test]
        fn compare_gives_every_pair_its_sets_whatever_the_order_budget_source_and_threads(
            (sets, pairs, shuffled) in sets_and_pairs(),
            budget in 0usize..600,
            threshold in 0.0f64..1.0,
            one_thread: bool,
        ) {
            let set = |doc: u32| sets.get(doc as usize).map(|set| sorted(set)).unwrap_or_default();
            let memory = SetStore::in_memory(
                sets.iter().enumerate().map(|(doc, set)| (doc as u32, set.clone())).collect(),
            );
            let stores = [spilled(&sets), memory];
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(if one_thread { 1 } else { 3 })
                .build()
                .unwrap();
            for pairs in [&pairs, &shuffled] {
                let naive: Vec<(Vec<u32>, Vec<u32>)> =
                    pairs.iter().map(|&(a, b)| (set(a), set(b))).collect();
                let similarities: Vec<f64> = naive
                    .iter()
                    .map(|(a, b)| jaccard_if_reachable(a, b, threshold))
                    .collect();
                for store in &stores {
                    let (found, verified) = pool.install(|| {
                        (
                            compare(pairs, store, budget, |a, b| (a.to_vec(), b.to_vec())).unwrap(),
                            verify(pairs, store, budget, threshold).unwrap(),
                        )
                    });
                    proptest::prop_assert_eq!(&found, &naive);
                    proptest::prop_assert_eq!(&verified, &similarities);
                }
            }
        }

        #[test]
        fn the_locality_order_is_a_permutation_with_each_component_together(
            pairs in proptest::collection::vec((0u32..40, 0u32..40), 0..80),
        ) {
            // Past `documents`, documents count as one: still a permutation.
            for documents in [0, 7, 40] {
                let mut seen = locality_order(&pairs, documents);
                seen.sort_unstable();
                proptest::prop_assert_eq!(seen, (0..pairs.len()).collect::<Vec<_>>());
            }
            let order = locality_order(&pairs, 40);
            // Each component by its smallest document, found by spreading
            // labels until nothing changes.
            let mut label: HashMap<u32, u32> =
                pairs.iter().flat_map(|&(a, b)| [(a, a), (b, b)]).collect();
            loop {
                let mut changed = false;
                for &(a, b) in &pairs {
                    let least = label[&a].min(label[&b]);
                    for doc in [a, b] {
                        if label[&doc] != least {
                            label.insert(doc, least);
                            changed = true;
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            let components: Vec<u32> = order.iter().map(|&at| label[&pairs[at].0]).collect();
            proptest::prop_assert!(components.is_sorted(), "{components:?}");
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
