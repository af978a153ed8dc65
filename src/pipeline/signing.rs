//! Signing: each document's sketch made on its own, with no corpus-wide
//! state, so shards of a corpus can be signed by separate processes and
//! clustered later ([`crate::signature`]).
//!
//! [`Engine::sign`] runs decode → segment → fingerprint → sketch as a pass
//! of the document driver ([`super::pass`]), one document per task, and hands each outcome to a [`SignSink`] in input
//! order: a [`SignedDoc`] (the facts a report prints about the document, its
//! exact hash, its units, its LSH band keys and its compact shingle set), a
//! [`Problem`], or a skipped binary file. Nothing is numbered, indexed or
//! clustered here: that is the reduce side's work.

use std::io;

use super::{compact_set, whole_text, Engine, PassDoc, Problem, ReadOutcome, Which, Whole};
use crate::detect::across::{DocSketch, SegmentSketch};
use crate::document::{Document, LineIndex, Origin};
use crate::fingerprint::Fingerprinter;
use crate::input::Entry;

/// What the JSON report says about a document besides its blocks: how it
/// was decoded and how big it is. Made by a scan ([`DocumentFacts::of`]) or
/// read back from a signature file, and printed the same way from either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentFacts<'a> {
    /// Name of the encoding it was decoded with (`UTF-8`, `GBK`…).
    pub encoding: &'a str,
    /// How that encoding was chosen (`valid-utf8`, `bom`, `json`…).
    pub detection: &'a str,
    /// Whether it began with a byte-order mark.
    pub bom: bool,
    /// Byte sequences that could not be decoded.
    pub malformed: usize,
    /// Size as read, before decoding.
    pub input_bytes: usize,
    /// Size of the decoded UTF-8 text.
    pub bytes: usize,
    /// Lines of the decoded text.
    pub lines: usize,
    /// Segments the text was cut into.
    pub segments: usize,
}

impl DocumentFacts<'static> {
    /// The facts of a decoded document with its line count and segments.
    pub fn of(document: &Document, lines: usize, segments: usize) -> DocumentFacts<'static> {
        let decoded = &document.decoded;
        DocumentFacts {
            encoding: decoded.encoding.name(),
            detection: decoded.detection.as_str(),
            bom: decoded.bom,
            malformed: decoded.malformed,
            input_bytes: document.input_bytes,
            bytes: decoded.text.len(),
            lines,
            segments,
        }
    }
}

/// One document's signature: everything clustering needs, without the text.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedDoc {
    /// Where the document came from.
    pub origin: Origin,
    /// How it was decoded, and its sizes.
    pub facts: DocumentFacts<'static>,
    /// Hash of the sequence of its segments' normalized hashes: equal for
    /// exact duplicates.
    pub exact: u64,
    /// Units (CJK characters or words) of the whole document.
    pub units: u64,
    /// LSH band keys of its MinHash signature; empty when it has no units.
    pub bands: Vec<u64>,
    /// Its shingle hashes cut to 32 bits, sorted, without repeats: the set
    /// that verifies a candidate pair.
    pub shingles: Vec<u32>,
}

/// Receives what [`Engine::sign`] makes, in input order.
pub trait SignSink {
    /// A path that could not be found or walked, given before any document
    /// (as a scan reports such problems first).
    fn input_problem(&mut self, problem: &Problem) -> io::Result<()>;
    /// The next signed document.
    fn document(&mut self, doc: SignedDoc) -> io::Result<()>;
    /// An input that could not be read or decoded, in its place.
    fn problem(&mut self, problem: &Problem) -> io::Result<()>;
    /// A binary file met in a folder walk and skipped quietly.
    fn skipped(&mut self, origin: &Origin) -> io::Result<()>;
}

enum Signed {
    Document(Box<SignedDoc>),
    Skipped(Origin),
    Failed(Problem),
}

impl Engine {
    /// Signs `entries` in parallel and hands each outcome to `sink` in input
    /// order; `problems` found earlier (missing paths) go first. Only the
    /// engine's reading and sketch settings matter here (granularity,
    /// shingles, threshold, encoding, batch size): what it looks for does
    /// not, and nothing is kept across documents.
    pub fn sign(
        &self,
        entries: &[Entry],
        problems: Vec<Problem>,
        sink: &mut (dyn SignSink + Send),
    ) -> io::Result<()> {
        for problem in &problems {
            sink.input_problem(problem)?;
        }
        self.pass(
            entries,
            Which::All,
            |doc| self.sign_outcome(doc),
            |outcomes| deliver(outcomes, sink),
        )
    }

    /// What signing makes of one document.
    fn sign_outcome(&self, doc: PassDoc) -> Signed {
        match doc.outcome {
            ReadOutcome::Decoded(decoded) => {
                Signed::Document(Box::new(self.sign_document(decoded.document)))
            }
            ReadOutcome::SkippedBinary(origin) => Signed::Skipped(origin),
            ReadOutcome::Failed(problem) => Signed::Failed(problem),
        }
    }

    /// Segments, fingerprints and sketches one decoded document, exactly as
    /// a scan looking for duplicate documents does.
    pub fn sign_document(&self, document: Document) -> SignedDoc {
        let text = document.text();
        let index = LineIndex::new(text);
        let segments = self.segmenter.segment_indexed(text, &index);
        // Only the document's signature: segments need none of their own.
        let mut fingerprinter =
            Fingerprinter::with(self.shingles.for_text(text)).sign_segments(false);
        let whole = whole_text(&mut fingerprinter, text);
        let by_whole_text = whole.is_some();
        let mut fingerprinter = fingerprinter
            .sign_document(!by_whole_text)
            .shingle_segments(!by_whole_text);
        let mut keys = Vec::with_capacity(segments.len());
        let mut union = Vec::new();
        for span in &segments {
            let print = fingerprinter.fingerprint(&text[span.bytes.clone()]);
            union.extend_from_slice(&print.shingles);
            keys.push(SegmentSketch {
                hash: print.exact,
                units: print.units.min(u32::MAX as usize) as u32,
                lines: span.lines,
            });
        }
        let (shingles, signature) = match whole {
            Some(Whole {
                set: Some(set),
                signature,
            }) => (set, signature),
            _ => (
                compact_set(union.into_iter()),
                fingerprinter.document_signature(),
            ),
        };
        let sketch = DocSketch::new(keys, Vec::new(), signature.as_ref(), &self.lsh);
        SignedDoc {
            facts: DocumentFacts::of(&document, index.line_count(), segments.len()),
            origin: document.origin,
            exact: sketch.exact,
            units: sketch.units as u64,
            bands: sketch.bands,
            shingles,
        }
    }
}

/// Sorts hashes and removes repeats: a radix sort (three passes of 11
/// bits) for the thousands of hashes of a page, where it is about three
/// times as fast as a comparison sort; a comparison sort for small sets.
pub(crate) fn sort_dedup(hashes: &mut Vec<u32>) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    if hashes.len() < 512 || hashes.len() > u32::MAX as usize {
        hashes.sort_unstable();
        hashes.dedup();
        return;
    }
    let mut scratch = vec![0u32; hashes.len()];
    // The three digits' counts in one pass over the hashes.
    let mut counts = vec![[0u32; BUCKETS]; 3];
    for &h in hashes.iter() {
        for (pass, counts) in counts.iter_mut().enumerate() {
            counts[((h >> (pass as u32 * BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    for (pass, counts) in counts.iter_mut().enumerate() {
        let shift = pass as u32 * BITS;
        let digit = |h: u32| ((h >> shift) as usize) & (BUCKETS - 1);
        let mut next = 0;
        for count in counts.iter_mut() {
            let here = *count;
            *count = next;
            next += here;
        }
        for &h in hashes.iter() {
            let slot = &mut counts[digit(h)];
            scratch[*slot as usize] = h;
            *slot += 1;
        }
        std::mem::swap(hashes, &mut scratch);
    }
    hashes.dedup();
}

fn deliver(outcomes: Vec<Signed>, sink: &mut (dyn SignSink + Send)) -> io::Result<()> {
    for outcome in outcomes {
        match outcome {
            Signed::Document(doc) => sink.document(*doc)?,
            Signed::Skipped(origin) => sink.skipped(&origin)?,
            Signed::Failed(problem) => sink.problem(&problem)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{EngineBuilder, Findings};

    proptest::proptest! {
        #[test]
        fn the_radix_sort_sorts_and_removes_repeats(
            mut hashes in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..3000),
            repeats in 0usize..600,
        ) {
            let copies: Vec<u32> = hashes.iter().take(repeats).copied().collect();
            hashes.extend(copies);
            let mut expected = hashes.clone();
            expected.sort_unstable();
            expected.dedup();
            sort_dedup(&mut hashes);
            proptest::prop_assert_eq!(hashes, expected);
        }
    }

    #[test]
    fn a_signature_is_the_sketch_a_document_scan_makes() {
        let mut builder = EngineBuilder::new();
        builder.find(Findings {
            blocks: false,
            documents: true,
            segments: false,
            boilerplate: false,
            damage: false,
            contained: false,
        });
        let engine = builder.build().expect("valid settings");
        for text in [
            "A first paragraph with some words in it.\n\nAnd a second one, longer than the first.\n",
            "中央關於加強和改進黨的群團工作的意見。\n\n第二段落，重複的文字。\n",
            "",
        ] {
            let scanned = engine.scan_text(Origin::Stdin, text);
            let signed = engine.sign_document(scanned.document.clone());
            assert_eq!(signed.exact, scanned.sketch.exact);
            assert_eq!(signed.units, scanned.sketch.units as u64);
            assert_eq!(signed.bands, scanned.sketch.bands);
            assert_eq!(
                signed.shingles,
                crate::detect::across::compact_shingles(
                    &scanned
                        .sketch
                        .shingles
                        .iter()
                        .map(|&h| u64::from(h) << 32)
                        .collect::<Vec<_>>()
                )
            );
            assert_eq!(signed.facts.segments, scanned.segments.len());
            assert_eq!(signed.facts.lines, scanned.index.line_count());
        }
    }
}
