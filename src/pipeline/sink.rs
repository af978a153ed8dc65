//! What a scan hands out, and to whom: each [`ScannedDoc`] and
//! [`Problem`] in input order, then the [`CorpusReport`] and the
//! [`Summary`], all pushed into a [`Sink`].

use std::io;

use crate::detect::across::{Cluster, DocSketch, RepeatedSegment};
use crate::detect::boilerplate::Boilerplate;
use crate::detect::containment::Contained;
use crate::detect::passages::Passage;
use crate::detect::removal::DuplicateGraph;
use crate::detect::within::Block;
use crate::document::{Document, LineIndex, LineRange, Origin, Span};
use crate::fingerprint::Fingerprint;
use crate::input::InputError;

/// A scanned document: the decoded document, its segments and its blocks.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ScannedDoc {
    /// The document as decoded: its origin, its text and its encoding.
    pub document: Document,
    /// The group its boilerplate is counted in.
    pub group: String,
    /// Where each line of the text starts and ends, to turn the byte offsets of
    /// `segments` and `blocks` into line numbers.
    pub index: LineIndex,
    /// The document's segments (paragraphs, lines or sentences, as the engine's
    /// granularity says), in text order.
    pub segments: Vec<Span>,
    /// Blocks of segments the document repeats inside itself, each with two or
    /// more copies, in the order of their first copy.
    pub blocks: Vec<Block>,
    /// What it leaves for corpus-wide detection.
    pub(crate) sketch: DocSketch,
    /// Hashes and byte ranges of its boilerplate candidate lines.
    pub lines: Vec<(u64, std::ops::Range<usize>)>,
    /// Its segments damaged by a wrong decoding, when the engine looks for
    /// damage ([`Findings::damage`](super::Findings::damage)); empty otherwise.
    pub damage: crate::quality::DocumentDamage,
    /// Each segment's fingerprint, in order, when the engine was built with
    /// [`EngineBuilder::keep_fingerprints`](super::EngineBuilder::keep_fingerprints); empty otherwise.
    pub prints: Vec<Fingerprint>,
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
#[non_exhaustive]
pub struct Problem {
    /// The input it concerns: a file, standard input or a JSON Lines record.
    pub origin: Origin,
    /// Why it could not be used, one line, without the origin.
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

/// Where scanned documents came from, by document number: enough to read
/// them again in a pass of the document driver (`pass::Which::Numbered`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Located<'a> {
    pub origins: &'a [Origin],
    /// Index of the entry each document was read from.
    pub entry_of: &'a [u32],
}

/// Corpus-wide findings, made after the last document.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct CorpusReport {
    /// Origin of each document, by document number (input order).
    pub origins: Vec<Origin>,
    /// Duplicate documents, as cliques of `duplicates` and exact groups
    /// (see [`Cluster`]).
    pub clusters: Vec<Cluster>,
    /// The verified duplicate relations (exact groups, near pairs with
    /// their similarity) from which [`crate::removal`] decides which
    /// documents go; empty from `cluster`, which decides nothing.
    pub duplicates: DuplicateGraph,
    /// Segments that occurred in an earlier document.
    pub repeated: Vec<RepeatedSegment>,
    /// Lines repeated across many documents of one group (menus, footers,
    /// notices), with how many of the group's documents hold them.
    pub boilerplate: Vec<Boilerplate>,
    /// Passages copied across documents, exact or near (with
    /// [`EngineBuilder::near_segments`](super::EngineBuilder::near_segments)).
    pub passages: Vec<Passage>,
    /// Documents contained in longer ones, by contained document, when
    /// [`Findings::contained`](super::Findings::contained) was asked for.
    pub contained: Vec<Contained>,
    /// Lines of each document's segments, by document number, when passages
    /// were looked for.
    pub segment_lines: Vec<Vec<LineRange>>,
    /// Index of the entry each document was read from, by document number.
    pub entry_of: Vec<u32>,
}

impl CorpusReport {
    /// Where each document came from, to read documents again.
    pub(crate) fn located(&self) -> Located<'_> {
        Located {
            origins: &self.origins,
            entry_of: &self.entry_of,
        }
    }
}

/// Totals over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Documents scanned (inputs that failed or were skipped are not counted).
    pub documents: usize,
    /// Bytes read, before decoding: a file's size, a JSON Lines record's line
    /// and its terminator, a Parquet row's text.
    pub input_bytes: usize,
    /// Bytes of the decoded UTF-8 texts.
    pub bytes: usize,
    /// Bytes every document would lose to cleaning its blocks: copies after
    /// the first, overlaps counted once (see [`ScannedDoc::duplicate_bytes`]).
    pub duplicate_bytes: usize,
    /// Blocks repeated inside documents.
    pub blocks: usize,
    /// Clusters of duplicate documents.
    pub clusters: usize,
    /// Documents the removal rule removes keeping the first
    /// ([`DuplicateGraph::in_input_order`]): what `clean --keep first`
    /// removes as duplicate documents.
    pub duplicate_documents: usize,
    /// Segments repeated from an earlier document.
    pub repeated_segments: usize,
    /// Boilerplate lines found.
    pub boilerplate: usize,
    /// Documents contained in a longer one (when looked for).
    pub contained: usize,
    /// Inputs that could not be read or decoded, including paths that do not exist.
    pub errors: usize,
    /// Binary files skipped quietly in folder walks.
    pub skipped: usize,
    /// Documents with at least one damaged segment (when damage is looked for).
    pub damaged_documents: usize,
}

/// Receives results in input order. Printers are sinks.
///
/// An error from any method stops the scan, and [`Engine::scan`](super::Engine::scan)
/// returns it.
pub trait Sink {
    /// Called once, before anything else.
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Called for each scanned document, in input order.
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()>;
    /// Called for each input that could not be used, in input order with the
    /// documents.
    fn problem(&mut self, _problem: &Problem) -> io::Result<()> {
        Ok(())
    }
    /// A file a folder walk passed over quietly, and why (`binary`); it is
    /// counted in [`Summary::skipped`].
    fn skipped(&mut self, _origin: &Origin, _reason: &str) -> io::Result<()> {
        Ok(())
    }
    /// Called once after the last document with the corpus-wide findings, when
    /// the engine looks for any (the default).
    fn corpus(&mut self, _report: CorpusReport) -> io::Result<()> {
        Ok(())
    }
    /// Called last, with the run's totals.
    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}
