//! Queries: which stored document a new document duplicates
//! ([`Index::lookup`]), and a [`Sink`] that asks for every scanned document
//! ([`Against`]).
//!
//! A document matches exactly when a stored document has its exact hash
//! (the hash of its normalized segment sequence); else near, when a stored
//! document shares one of its LSH band keys and their compact shingle sets
//! have a Jaccard similarity at least the index's threshold. Candidates are
//! verified by most shared band keys first, then earliest stored, at most
//! [`MAX_VERIFIED`] of them, and the first verified is the match: one set
//! read for most documents.

use std::io;

use super::format::Place;
use super::store::Index;
use crate::detect::across::DocSketch;
use crate::detect::sets::jaccard_if_reachable;
use crate::pipeline::sort_dedup;
use rayon::prelude::*;

use crate::document::Origin;
use crate::pipeline::{CorpusReport, Problem, ScannedDoc, Sink, Summary};

/// Stored documents of one band key and segment that are verified at most:
/// a key shared by very many documents (near-empty texts) stays cheap.
const CANDIDATES_PER_KEY: usize = 16;

/// Candidates verified at most per document, those sharing the most band
/// keys first: a document near many stored documents of a family (each
/// below the threshold) stays cheap. A stored document at the threshold
/// shares about a quarter of the band keys, so it ranks among the first.
const MAX_VERIFIED: usize = 32;

/// Lookups between two releases of the mapped pages: about 21 band keys
/// each, so at most some 300,000 pages (in practice far fewer) are mapped
/// in at once.
const RELEASE_EVERY: u64 = 4096;

/// A stored document a new document duplicates.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMatch {
    /// The normalized texts are equal.
    pub exact: bool,
    /// Jaccard similarity of the shingle sets (1.0 when exact).
    pub similarity: f64,
    /// Where the stored document came from.
    pub stored: Place,
}

impl Index {
    /// The stored document `sketch` duplicates, if any: an exact match, or
    /// the first verified of the near candidates (those sharing the most
    /// band keys first).
    pub fn lookup(&self, sketch: &DocSketch) -> io::Result<Option<StoredMatch>> {
        for segment in &self.segments {
            if let Some(doc) = segment.exact_docs(sketch.exact).next() {
                return Ok(Some(StoredMatch {
                    exact: true,
                    similarity: 1.0,
                    stored: segment.place(doc)?,
                }));
            }
        }
        if sketch.bands.is_empty() {
            return Ok(None);
        }
        let mut candidates: Vec<(usize, u32)> = Vec::new();
        for (at, segment) in self.segments.iter().enumerate() {
            for &key in &sketch.bands {
                candidates.extend(
                    segment
                        .band_docs(key)
                        .take(CANDIDATES_PER_KEY)
                        .map(|doc| (at, doc)),
                );
            }
        }
        if candidates.is_empty() {
            return Ok(None);
        }
        // Most shared bands first (the likeliest to be similar), then the
        // earliest stored; the first verified is the match.
        candidates.sort_unstable();
        let mut ranked: Vec<(usize, (usize, u32))> = candidates
            .chunk_by(|a, b| a == b)
            .map(|same| (same.len(), same[0]))
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut set = sketch.shingles.clone();
        sort_dedup(&mut set);
        let threshold = self.params().threshold;
        for (_, (at, doc)) in ranked.into_iter().take(MAX_VERIFIED) {
            // |A ∩ B| / |A ∪ B| ≤ min / max of the sizes: a candidate far
            // shorter or longer cannot reach the threshold, and its set is
            // not read.
            let other = self.segments[at].set_len(doc)?;
            let (small, large) = (set.len().min(other), set.len().max(other));
            // (Divided as `jaccard` divides, so rounding never turns a
            // match into a skip.)
            if large > 0 && (small as f64) / (large as f64) < threshold {
                continue;
            }
            // The merge gives up as soon as the pair cannot reach the
            // threshold.
            let similarity = jaccard_if_reachable(&set, &self.segments[at].set(doc)?, threshold);
            if similarity >= threshold {
                return Ok(Some(StoredMatch {
                    exact: false,
                    similarity,
                    stored: self.segments[at].place(doc)?,
                }));
            }
        }
        Ok(None)
    }

    /// Looks `sketch` up ([`lookup`](Self::lookup)), and every so many
    /// lookups lets the operating system take back the mapped pages read.
    pub fn lookup_counted(&self, sketch: &DocSketch) -> io::Result<Option<StoredMatch>> {
        let done = self
            .lookups
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if done > 0 && done % RELEASE_EVERY == 0 {
            self.segments.iter().for_each(|s| s.release_pages());
        }
        self.lookup(sketch)
    }
}

/// A report that can show documents found in an index.
pub trait ReportStored: Sink {
    /// The document from `origin` (reported a little earlier) duplicates
    /// the stored document of `found`.
    fn stored(&mut self, origin: &Origin, found: &StoredMatch) -> io::Result<()>;
    /// How many documents were found in the index, told before
    /// [`Sink::finish`].
    fn stored_total(&mut self, _total: usize) {}
}

/// Documents looked up together, on the worker threads: the sketches of
/// this many delivered documents are kept, then looked up in parallel and
/// their matches reported in input order. A fixed count, so the report is
/// the same whatever the number of threads.
const LOOKUP_BATCH: usize = 1024;

/// Passes every result on to `inner`, and looks each document up in an
/// index: documents found are reported to `inner` (after their document
/// lines, at most `LOOKUP_BATCH` documents later, and always before the
/// corpus findings) and remembered by number (input order, as the engine
/// numbers them).
pub struct Against<'a, S> {
    index: &'a Index,
    inner: S,
    next: u32,
    pending: Vec<(u32, Origin, DocSketch)>,
    found: Vec<(u32, StoredMatch)>,
}

impl<'a, S> Against<'a, S> {
    /// A sink that looks every document up in `index` and passes the
    /// documents on to `inner`.
    pub fn new(index: &'a Index, inner: S) -> Against<'a, S> {
        Against {
            index,
            inner,
            next: 0,
            pending: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Documents found in the index: their numbers and matches.
    pub fn found(&self) -> &[(u32, StoredMatch)] {
        &self.found
    }

    /// The inner sink back, and the documents found in the index.
    pub fn into_parts(self) -> (S, Vec<(u32, StoredMatch)>) {
        (self.inner, self.found)
    }
}

impl<S: ReportStored> Against<'_, S> {
    /// Looks the pending documents up in parallel and reports their
    /// matches in input order.
    fn look_up_pending(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        let index = self.index;
        let matches: Vec<io::Result<Option<StoredMatch>>> = pending
            .par_iter()
            .map(|(_, _, sketch)| index.lookup_counted(sketch))
            .collect();
        for ((number, origin, _), found) in pending.into_iter().zip(matches) {
            if let Some(found) = found? {
                self.inner.stored(&origin, &found)?;
                self.found.push((number, found));
            }
        }
        Ok(())
    }
}

impl<S: ReportStored> Sink for Against<'_, S> {
    fn begin(&mut self) -> io::Result<()> {
        self.inner.begin()
    }

    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        let number = self.next;
        self.next += 1;
        self.inner.document(doc)?;
        self.pending
            .push((number, doc.document.origin.clone(), doc.sketch.clone()));
        if self.pending.len() >= LOOKUP_BATCH {
            self.look_up_pending()?;
        }
        Ok(())
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.inner.problem(problem)
    }

    fn skipped(&mut self, origin: &Origin, reason: &str) -> io::Result<()> {
        self.inner.skipped(origin, reason)
    }

    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.look_up_pending()?;
        self.inner.corpus(report)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.look_up_pending()?;
        self.inner.stored_total(self.found.len());
        self.inner.finish(summary)
    }
}
