//! The engine: runs input → decode → segment → fingerprint → detect over
//! rayon and pushes each result into a [`Sink`], in input order.
//!
//! This is the one place that knows the order of the stages. Documents are
//! processed in batches: each batch is decoded, segmented, fingerprinted and
//! scanned in parallel (one document per task, sequential inside a
//! document), then handed to the sink in input order, so output is the same
//! whatever the number of threads and memory holds one batch of texts.
//!
//! ```
//! use doppel::{EngineBuilder, ScannedDoc, Sink, Summary, Problem};
//! struct Count(usize);
//! impl Sink for Count {
//!     fn document(&mut self, doc: &ScannedDoc) -> std::io::Result<()> {
//!         self.0 += doc.blocks.len();
//!         Ok(())
//!     }
//! }
//! let engine = EngineBuilder::new().build();
//! let text = "A paragraph long enough to count as a block of text.\n\nOther.\n\nA paragraph long enough to count as a block of text.\n";
//! let doc = engine.scan_text(doppel::document::Origin::Stdin, text);
//! assert_eq!(doc.blocks.len(), 1);
//! ```

use std::io;

use encoding_rs::Encoding;
use rayon::prelude::*;

use crate::decode::{decode, DecodeError, Decoded, Detection};
use crate::detect::within::{find_blocks, Block, WithinConfig};
use crate::document::{Document, LineIndex, Origin, Span};
use crate::fingerprint::Fingerprinter;
use crate::input::{Entry, InputError, RawDoc};
use crate::segment::{Granularity, Segmenter};
use crate::shingle::ShingleConfig;

/// Builds an [`Engine`]; setters take `&mut self` and return `&mut Self`.
#[derive(Clone, Debug, Default)]
pub struct EngineBuilder {
    granularity: Granularity,
    within: WithinConfig,
    shingles: ShingleConfig,
    encoding: Option<&'static Encoding>,
    batch_bytes: Option<usize>,
}

impl EngineBuilder {
    pub fn new() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The unit of comparison (default [`Granularity::Auto`]).
    pub fn granularity(&mut self, granularity: Granularity) -> &mut Self {
        self.granularity = granularity;
        self
    }

    /// Jaccard similarity from which segments are near duplicates (default 0.8).
    pub fn threshold(&mut self, threshold: f64) -> &mut Self {
        self.within.threshold = threshold;
        self
    }

    /// Smallest block reported, in units of one copy (default 10).
    pub fn min_units(&mut self, units: usize) -> &mut Self {
        self.within.min_units = units;
        self
    }

    /// Decode every input with this encoding instead of detecting one.
    pub fn encoding(&mut self, encoding: Option<&'static Encoding>) -> &mut Self {
        self.encoding = encoding;
        self
    }

    /// Shingle lengths (default 5 CJK characters, 3 words).
    pub fn shingles(&mut self, config: ShingleConfig) -> &mut Self {
        self.shingles = config;
        self
    }

    /// Bytes of input read per parallel batch (default 64 MiB).
    pub fn batch_bytes(&mut self, bytes: usize) -> &mut Self {
        self.batch_bytes = Some(bytes);
        self
    }

    pub fn build(&self) -> Engine {
        Engine {
            segmenter: Segmenter::new(self.granularity),
            within: self.within.clone(),
            shingles: self.shingles,
            encoding: self.encoding,
            batch_bytes: self.batch_bytes.unwrap_or(64 << 20),
        }
    }
}

/// A configured engine; cheap to share between threads.
#[derive(Clone, Debug)]
pub struct Engine {
    segmenter: Segmenter,
    within: WithinConfig,
    shingles: ShingleConfig,
    encoding: Option<&'static Encoding>,
    batch_bytes: usize,
}

/// A scanned document: the decoded document, its segments and its blocks.
#[derive(Clone, Debug)]
pub struct ScannedDoc {
    pub document: Document,
    pub index: LineIndex,
    pub segments: Vec<Span>,
    pub blocks: Vec<Block>,
}

impl ScannedDoc {
    /// Bytes of every copy but the first of each block (overlaps counted once):
    /// what cleaning the document would remove.
    pub fn duplicate_bytes(&self) -> usize {
        let mut ranges: Vec<_> = self
            .blocks
            .iter()
            .flat_map(|block| block.copies[1..].iter().map(|copy| copy.span.bytes.clone()))
            .collect();
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut total = 0;
        let mut covered_to = 0;
        for range in ranges {
            let start = range.start.max(covered_to);
            if range.end > start {
                total += range.end - start;
                covered_to = range.end;
            }
        }
        total
    }

    /// `duplicate_bytes` as a fraction of the decoded text.
    pub fn duplicate_ratio(&self) -> f64 {
        let bytes = self.document.text().len();
        if bytes == 0 {
            0.0
        } else {
            self.duplicate_bytes() as f64 / bytes as f64
        }
    }
}

/// An input that could not be used, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub origin: Origin,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

impl From<InputError> for Problem {
    fn from(err: InputError) -> Problem {
        Problem {
            origin: err.origin,
            message: err.message,
        }
    }
}

/// Totals over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub documents: usize,
    pub input_bytes: usize,
    pub bytes: usize,
    pub duplicate_bytes: usize,
    pub blocks: usize,
    pub errors: usize,
    /// Binary files skipped quietly in folder walks.
    pub skipped: usize,
}

/// Receives results in input order. Printers are sinks.
pub trait Sink {
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()>;
    fn problem(&mut self, _problem: &Problem) -> io::Result<()> {
        Ok(())
    }
    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

enum Outcome {
    Scanned(Box<ScannedDoc>),
    Skipped,
    Failed(Problem),
}

impl Engine {
    /// Scans `entries` in parallel and pushes results into `sink` in input
    /// order; `problems` found earlier (missing paths) come first. Returns the
    /// run's totals.
    pub fn scan(
        &self,
        entries: &[Entry],
        problems: Vec<Problem>,
        sink: &mut dyn Sink,
    ) -> io::Result<Summary> {
        let mut summary = Summary::default();
        sink.begin()?;
        for problem in problems {
            summary.errors += 1;
            sink.problem(&problem)?;
        }
        for batch in self.batches(entries) {
            let outcomes: Vec<Outcome> =
                batch.par_iter().map(|entry| self.process(entry)).collect();
            for outcome in outcomes {
                self.deliver(outcome, sink, &mut summary)?;
            }
        }
        sink.finish(&summary)?;
        Ok(summary)
    }

    /// Cuts `entries` into batches of about `batch_bytes` of input.
    fn batches<'a>(&self, entries: &'a [Entry]) -> Vec<&'a [Entry]> {
        let mut batches = Vec::new();
        let mut start = 0;
        let mut bytes = 0u64;
        for (at, entry) in entries.iter().enumerate() {
            bytes += entry_size(entry);
            if bytes >= self.batch_bytes as u64 || at + 1 - start >= 4096 {
                batches.push(&entries[start..=at]);
                start = at + 1;
                bytes = 0;
            }
        }
        if start < entries.len() {
            batches.push(&entries[start..]);
        }
        batches
    }

    fn deliver(
        &self,
        outcome: Outcome,
        sink: &mut dyn Sink,
        summary: &mut Summary,
    ) -> io::Result<()> {
        match outcome {
            Outcome::Scanned(doc) => {
                summary.documents += 1;
                summary.input_bytes += doc.document.input_bytes;
                summary.bytes += doc.document.text().len();
                summary.duplicate_bytes += doc.duplicate_bytes();
                summary.blocks += doc.blocks.len();
                sink.document(&doc)
            }
            Outcome::Skipped => {
                summary.skipped += 1;
                Ok(())
            }
            Outcome::Failed(problem) => {
                summary.errors += 1;
                sink.problem(&problem)
            }
        }
    }

    fn process(&self, entry: &Entry) -> Outcome {
        let raw = match entry.read() {
            Ok(raw) => raw,
            Err(err) => return Outcome::Failed(err.into()),
        };
        match self.decode_raw(&raw) {
            Ok(document) => Outcome::Scanned(Box::new(self.scan_document(document))),
            Err(DecodeError::Binary { .. }) if raw.walked => Outcome::Skipped,
            Err(err) => Outcome::Failed(Problem {
                origin: raw.origin,
                message: err.to_string(),
            }),
        }
    }

    /// Decodes raw input bytes into a document.
    pub fn decode_raw(&self, raw: &RawDoc) -> Result<Document, DecodeError> {
        let decoded = decode(&raw.bytes, self.encoding)?;
        Ok(Document {
            origin: raw.origin.clone(),
            input_bytes: raw.bytes.len(),
            decoded,
        })
    }

    /// Scans text that is already decoded.
    pub fn scan_text(&self, origin: Origin, text: &str) -> ScannedDoc {
        self.scan_document(Document {
            origin,
            input_bytes: text.len(),
            decoded: Decoded {
                text: text.to_owned(),
                encoding: encoding_rs::UTF_8,
                detection: Detection::ValidUtf8,
                bom: false,
                malformed: 0,
            },
        })
    }

    /// Segments, fingerprints and scans one decoded document.
    pub fn scan_document(&self, document: Document) -> ScannedDoc {
        let text = document.text();
        let index = LineIndex::new(text);
        let segments = self.segmenter.segment_indexed(text, &index);
        let mut fingerprinter = Fingerprinter::new(self.shingles.k_for(text));
        let prints: Vec<_> = segments
            .iter()
            .map(|span| fingerprinter.fingerprint(&text[span.bytes.clone()]))
            .collect();
        let blocks = find_blocks(text, &index, &segments, &prints, &self.within);
        ScannedDoc {
            document,
            index,
            segments,
            blocks,
        }
    }
}

fn entry_size(entry: &Entry) -> u64 {
    match &entry.origin {
        Origin::Path(path) => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        Origin::Stdin => 0,
    }
}
