//! The in-memory driver: documents given as `(id, text)`, one at a time or
//! in batches, scanned by the same core as files ([`CorpusState`]), with
//! results handed back rather than pushed into a sink.
//!
//! Inside a batch documents are scanned in parallel on the current rayon
//! pool, then folded into the corpus-wide state in input order, so results
//! do not depend on how the documents are cut into batches or on the number
//! of threads.

use std::io;

use rayon::prelude::*;

use super::corpus::{CorpusState, SetFallback};
use super::places::{covering, CharIndex, FoundBlock, FoundPassage, FoundPassageCopy, FoundRepeat};
use super::{Engine, ScannedDoc, TextSpan, TooManyDocuments};
use crate::detect::across::{Cluster, RepeatedSegment};
use crate::detect::boilerplate::Boilerplate;
use crate::detect::containment::Contained;
use crate::document::Origin;

/// A corpus scan over documents held in memory; made by
/// [`Engine::corpus_scan`].
///
/// Feed it documents with [`add`](Self::add) or
/// [`add_batch`](Self::add_batch): each gives its per-document results at
/// once. [`finish`](Self::finish) then gives the corpus-wide findings,
/// the same as [`Engine::scan`] finds for the same texts read from files.
///
/// ```
/// let engine = doppel::EngineBuilder::new().build()?;
/// let mut scan = engine.corpus_scan();
/// let page = "The same page, published twice under two names by the same site.";
/// let results = scan.add_batch([("a", page), ("b", "Something else."), ("c", page)])?;
/// assert_eq!(results[2].id, "c");
/// let findings = scan.finish()?;
/// assert_eq!(findings.cluster_ids(&findings.clusters[0]), ["a", "c"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// It owns a copy of the engine's settings, so it can be kept anywhere
/// (in another thread, behind a binding to another language) for as long
/// as documents keep coming; it is [`Send`].
///
/// Memory holds, per document, its id and a sketch (the segment hashes the
/// corpus index keeps, its band keys), and per segment its place in the
/// text (to give repeated segments and passages their offsets); the
/// shingle sets that verify candidates go to a temporary file, or stay in
/// memory when none can be made.
#[derive(Debug)]
pub struct CorpusScan {
    engine: Engine,
    state: CorpusState,
    ids: Vec<String>,
    /// Each document's segments as places, by document number, when
    /// repeated segments or passages are reported (empty otherwise).
    places: Vec<Vec<TextSpan>>,
    keep_places: bool,
}

/// What one document of an in-memory scan gives at once.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ScannedText {
    /// Its number: its position in the scan, from 0.
    pub number: u32,
    /// The id it was given.
    pub id: String,
    /// Blocks it repeats inside itself.
    pub blocks: Vec<FoundBlock>,
    /// Its segments that occurred in an earlier document.
    pub repeats: Vec<FoundRepeat>,
    /// Bytes of every copy but the first of each block (overlaps counted
    /// once): what cleaning it would remove.
    pub duplicate_bytes: usize,
    /// Length of its text, in bytes.
    pub bytes: usize,
    /// Hash of its normalized segments: equal for exact duplicates, which
    /// tells the exact twins inside a near-duplicate cluster.
    pub exact: u64,
}

/// The corpus-wide findings of an in-memory scan.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CorpusFindings {
    /// The id of each document, by number.
    pub ids: Vec<String>,
    /// Duplicate documents (members are document numbers, in input order).
    pub clusters: Vec<Cluster>,
    /// The verified duplicate relations, by document number: what
    /// [`crate::removal`] decides removals from.
    pub duplicates: crate::removal::DuplicateGraph,
    /// Segments that occurred in an earlier document.
    pub repeated: Vec<FoundRepeat>,
    /// Lines shared by many documents.
    pub boilerplate: Vec<Boilerplate>,
    /// Passages copied across documents, when the engine was built with
    /// [`near_segments`](super::EngineBuilder::near_segments).
    pub passages: Vec<FoundPassage>,
    /// Documents contained in longer ones, when the engine looks for them
    /// ([`Findings::contained`](super::Findings::contained)).
    pub contained: Vec<Contained>,
}

impl CorpusFindings {
    /// The id of document `number`.
    pub fn id(&self, number: u32) -> Option<&str> {
        self.ids.get(number as usize).map(String::as_str)
    }

    /// The ids of a cluster's members, in input order.
    pub fn cluster_ids(&self, cluster: &Cluster) -> Vec<&str> {
        cluster
            .members
            .iter()
            .filter_map(|&number| self.id(number))
            .collect()
    }
}

/// A document scanned in parallel, waiting to be folded in.
struct Scanned {
    id: String,
    doc: ScannedDoc,
    blocks: Vec<FoundBlock>,
    places: Vec<TextSpan>,
}

impl Engine {
    /// The blocks `text` repeats inside itself, with their places as bytes
    /// and as characters: the within-document job on one text, without a
    /// corpus.
    ///
    /// ```
    /// let engine = doppel::EngineBuilder::new().min_units(5).build()?;
    /// let text = "Prix : 12 €, livraison comprise dès demain.\n\nAutre.\n\nPrix : 12 €, livraison comprise dès demain.\n";
    /// let blocks = engine.find_blocks(text);
    /// let second = &blocks[0].copies[1];
    /// assert_eq!(&text[second.bytes.clone()], "Prix : 12 €, livraison comprise dès demain.");
    /// assert_eq!(second.chars.start, text[..second.bytes.start].chars().count());
    /// # Ok::<(), doppel::ConfigError>(())
    /// ```
    pub fn find_blocks(&self, text: &str) -> Vec<FoundBlock> {
        let doc = self.scan_text(Origin::Stdin, text);
        let chars = CharIndex::new(text);
        doc.blocks
            .iter()
            .map(|block| FoundBlock::new(block, &chars))
            .collect()
    }

    /// Starts a corpus scan over documents given in memory.
    pub fn corpus_scan(&self) -> CorpusScan {
        CorpusScan {
            engine: self.clone(),
            state: CorpusState::new(self, SetFallback::Memory),
            ids: Vec::new(),
            places: Vec::new(),
            keep_places: self.corpus && (self.find.segments || self.passages.is_some()),
        }
    }
}

impl CorpusScan {
    /// Scans one document.
    pub fn add(
        &mut self,
        id: impl Into<String>,
        text: impl Into<String>,
    ) -> Result<ScannedText, TooManyDocuments> {
        let scanned = self.scan(id.into(), text.into());
        self.fold(scanned)
    }

    /// Scans a batch of documents in parallel and gives their results in
    /// input order. When the documents run past the last number
    /// ([`TooManyDocuments`]), those before it are in the corpus but their
    /// results are not returned.
    pub fn add_batch<I, T>(
        &mut self,
        docs: impl IntoIterator<Item = (I, T)>,
    ) -> Result<Vec<ScannedText>, TooManyDocuments>
    where
        I: Into<String>,
        T: Into<String>,
    {
        let docs: Vec<(String, String)> = docs
            .into_iter()
            .map(|(id, text)| (id.into(), text.into()))
            .collect();
        let scanned: Vec<Scanned> = docs
            .into_par_iter()
            .map(|(id, text)| self.scan(id, text))
            .collect();
        scanned.into_iter().map(|s| self.fold(s)).collect()
    }

    /// Documents added so far.
    pub fn documents(&self) -> usize {
        self.ids.len()
    }

    /// The per-document stage, shared with the file scan; then the places
    /// this driver gives, with character offsets.
    fn scan(&self, id: String, text: String) -> Scanned {
        let doc = self.engine.scan_string(Origin::Stdin, text);
        let chars = CharIndex::new(doc.document.text());
        let blocks = doc
            .blocks
            .iter()
            .map(|block| FoundBlock::new(block, &chars))
            .collect();
        let places = if self.keep_places {
            doc.segments.iter().map(|span| chars.place(span)).collect()
        } else {
            Vec::new()
        };
        Scanned {
            id,
            doc,
            blocks,
            places,
        }
    }

    /// Folds a scanned document into the corpus-wide state, in input order.
    fn fold(&mut self, scanned: Scanned) -> Result<ScannedText, TooManyDocuments> {
        let Scanned {
            id,
            doc,
            blocks,
            places,
        } = scanned;
        let before = self.state.repeated_segments().len();
        let number = if self.engine.corpus {
            self.state.add(&self.engine, &doc)?
        } else {
            u32::try_from(self.ids.len()).map_err(|_| TooManyDocuments)?
        };
        let repeats = if self.keep_places {
            let repeats: Vec<FoundRepeat> = self.state.repeated_segments()[before..]
                .iter()
                .filter_map(|r| found_repeat(&self.places, &places, r))
                .collect();
            // Only the first of an exact group has its segments indexed:
            // an exact twin's places are never asked for, unless passages
            // (which index every document) are.
            let asked = self.engine.passages.is_some() || self.state.is_representative(number);
            self.places.push(if asked { places } else { Vec::new() });
            repeats
        } else {
            Vec::new()
        };
        self.ids.push(id.clone());
        Ok(ScannedText {
            number,
            id,
            repeats,
            duplicate_bytes: doc.duplicate_bytes(),
            bytes: doc.document.text().len(),
            exact: doc.sketch.exact,
            blocks,
        })
    }

    /// Makes the corpus-wide findings: verifies candidate duplicates on the
    /// shingle sets kept during the scan.
    pub fn finish(self) -> io::Result<CorpusFindings> {
        if !self.engine.corpus {
            return Ok(CorpusFindings {
                ids: self.ids,
                ..CorpusFindings::default()
            });
        }
        let found = self.state.finish(&self.engine, |_| {
            Err(io::Error::other(
                "the temporary file that holds the shingle sets for verifying near duplicates \
                 could not be written",
            ))
        })?;
        let (ids, places) = (self.ids, self.places);
        let repeated = found
            .repeated
            .iter()
            .filter_map(|r| found_repeat(&places, &[], r))
            .collect();
        let passages = found
            .passages
            .into_iter()
            .map(|passage| FoundPassage {
                copies: passage
                    .copies
                    .into_iter()
                    .filter_map(|copy| {
                        let span = covering(places.get(copy.doc as usize)?, &copy.segments)?;
                        Some(FoundPassageCopy {
                            doc: copy.doc,
                            segments: copy.segments,
                            span,
                        })
                    })
                    .collect(),
                exact: passage.exact,
                similarity: passage.similarity,
            })
            .collect();
        Ok(CorpusFindings {
            ids,
            clusters: found.clusters,
            duplicates: found.duplicates,
            repeated,
            boilerplate: found.boilerplate,
            passages,
            contained: found.contained,
        })
    }
}

/// A repeated segment with its places. `places` holds the segments' places
/// of the documents folded so far, `current` those of the document being
/// folded (the next number).
fn found_repeat(
    places: &[Vec<TextSpan>],
    current: &[TextSpan],
    r: &RepeatedSegment,
) -> Option<FoundRepeat> {
    let segment = |doc: u32, at: u32| -> Option<TextSpan> {
        let of_doc = match places.get(doc as usize) {
            Some(of_doc) => of_doc.as_slice(),
            None if doc as usize == places.len() => current,
            None => return None,
        };
        of_doc.get(at as usize).cloned()
    };
    Some(FoundRepeat {
        doc: r.doc,
        segment: r.segment,
        span: segment(r.doc, r.segment)?,
        first_doc: r.first_doc,
        first_segment: r.first_segment,
        first_span: segment(r.first_doc, r.first_segment)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EngineBuilder;

    #[test]
    fn a_corpus_scan_can_move_to_another_thread() {
        fn send<T: Send + 'static>(_: &T) {}
        let scan = EngineBuilder::new().build().expect("default").corpus_scan();
        send(&scan);
    }

    #[test]
    fn a_document_past_the_last_number_is_an_error_not_document_zero() {
        let engine = EngineBuilder::new().build().expect("default settings");
        let mut scan = engine.corpus_scan();
        scan.state = std::mem::replace(
            &mut scan.state,
            CorpusState::new(&engine, SetFallback::Memory),
        )
        .numbered_from(u32::MAX - 1);
        let last = scan.add("last", "The last document that can be numbered.");
        assert!(last.is_ok());
        let past = scan.add_batch([("past", "One document too many.")]);
        assert_eq!(past, Err(TooManyDocuments));
        assert_eq!(
            scan.documents(),
            1,
            "the document past the limit is not added"
        );
    }
}
