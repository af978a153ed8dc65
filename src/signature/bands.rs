//! Candidate pairs from band keys, in bounded memory.
//!
//! Each representative's band keys are packed as `key << 32 | document`
//! (the key cut to its high 32 bits, as [`CorpusIndex`] packs them), so that
//! sorting plain integers groups documents by band. Keys are sorted in
//! memory up to a budget; past it, each full buffer is sorted and written to
//! a temporary file as a run, and the runs are merged. The merged order is
//! the order one big sort gives, so the pairs are exactly the ones
//! [`CorpusIndex::candidates`] makes: each bucket member paired with its
//! next `neighbours` members.
//!
//! [`CorpusIndex`]: crate::detect::across::CorpusIndex
//! [`CorpusIndex::candidates`]: crate::detect::across::CorpusIndex::candidates

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

use rayon::slice::ParallelSliceMut;

use crate::detect::across::BucketPairs;

/// Gathers packed band keys and turns them into candidate pairs.
#[derive(Debug)]
pub(crate) struct BandSorter {
    /// Keys held in memory before a run is written.
    budget_keys: usize,
    keys: Vec<u64>,
    runs: Vec<File>,
}

impl BandSorter {
    /// A sorter holding at most about `budget` bytes of keys in memory.
    pub fn new(budget: usize) -> BandSorter {
        BandSorter {
            budget_keys: (budget / 8).max(1),
            keys: Vec::new(),
            runs: Vec::new(),
        }
    }

    /// Adds the band keys of representative `doc`.
    pub fn add(&mut self, doc: u32, keys: &[u64]) -> io::Result<()> {
        for &key in keys {
            self.keys.push((key >> 32 << 32) | u64::from(doc));
            if self.keys.len() >= self.budget_keys {
                self.spill()?;
            }
        }
        Ok(())
    }

    /// Runs written to disk so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> io::Result<()> {
        self.keys.par_sort_unstable();
        let mut out = BufWriter::with_capacity(1 << 20, tempfile::tempfile()?);
        for key in &self.keys {
            out.write_all(&key.to_le_bytes())?;
        }
        let mut file = out.into_inner().map_err(|err| err.into_error())?;
        file.rewind()?;
        self.runs.push(file);
        self.keys.clear();
        Ok(())
    }

    /// Candidate pairs `(a, b)`, `a < b`, sorted and without repeats.
    pub fn candidates(mut self, neighbours: usize) -> io::Result<Vec<(u32, u32)>> {
        self.keys.par_sort_unstable();
        let mut pairs = BucketPairs::new(neighbours);
        if self.runs.is_empty() {
            for &key in &self.keys {
                pairs.push(key);
            }
        } else {
            let mut sources: Vec<Source> = self.runs.into_iter().map(Source::file).collect();
            sources.push(Source::Memory(std::mem::take(&mut self.keys).into_iter()));
            let mut heap = BinaryHeap::new();
            for (at, source) in sources.iter_mut().enumerate() {
                if let Some(key) = source.next_key()? {
                    heap.push(Reverse((key, at)));
                }
            }
            while let Some(Reverse((key, at))) = heap.pop() {
                pairs.push(key);
                if let Some(next) = sources[at].next_key()? {
                    heap.push(Reverse((next, at)));
                }
            }
        }
        Ok(pairs.finish())
    }
}

/// A sorted run: a temporary file, or the keys still in memory.
enum Source {
    File(BufReader<File>),
    Memory(std::vec::IntoIter<u64>),
}

impl Source {
    fn file(file: File) -> Source {
        Source::File(BufReader::with_capacity(1 << 16, file))
    }

    fn next_key(&mut self) -> io::Result<Option<u64>> {
        match self {
            Source::Memory(keys) => Ok(keys.next()),
            Source::File(reader) => {
                let mut bytes = [0u8; 8];
                match reader.read_exact(&mut bytes) {
                    Ok(()) => Ok(Some(u64::from_le_bytes(bytes))),
                    Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
                    Err(err) => Err(err),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::across::{AcrossConfig, CorpusIndex, DocSketch};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn spilled_or_not_the_pairs_are_the_corpus_index_pairs(
            docs in prop::collection::vec(prop::collection::vec(0u64..40, 0..6), 1..60),
            budget in 8usize..200,
        ) {
            // Few distinct keys, so buckets are big and neighbours matter.
            let keys = |doc: &Vec<u64>| -> Vec<u64> {
                doc.iter().map(|k| k.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect()
            };
            let mut index = CorpusIndex::new(AcrossConfig { neighbours: 3, ..AcrossConfig::default() });
            let mut memory = BandSorter::new(1 << 20);
            let mut spilled = BandSorter::new(budget);
            for (doc, bands) in docs.iter().enumerate() {
                let sketch = DocSketch { exact: doc as u64, bands: keys(bands), ..DocSketch::default() };
                index.add(&sketch);
                memory.add(doc as u32, &keys(bands)).unwrap();
                spilled.add(doc as u32, &keys(bands)).unwrap();
            }
            let expected = index.candidates();
            prop_assert_eq!(memory.candidates(3).unwrap(), expected.clone());
            prop_assert_eq!(spilled.candidates(3).unwrap(), expected);
        }
    }

    #[test]
    fn a_tiny_budget_writes_runs() {
        let mut sorter = BandSorter::new(16);
        sorter.add(0, &[5 << 32, 7 << 32, 9 << 32]).unwrap();
        sorter.add(1, &[7 << 32]).unwrap();
        assert!(sorter.runs() >= 1);
        assert_eq!(sorter.candidates(16).unwrap(), [(0, 1)]);
    }
}
