//! The engine: runs input → decode → segment → fingerprint → detect over
//! rayon and pushes each result into a [`Sink`], in input order.
//!
//! This is the one place that knows the order of the stages. Documents are
//! read lazily in batches by the document driver (`pass`); each batch is
//! decoded, segmented, fingerprinted and scanned in parallel (one document
//! per task, sequential inside a document), then handed to the sink in
//! input order and folded into the corpus-wide state. Output is the same
//! whatever the number of threads, and memory holds a few batches of texts
//! plus a sketch per document.
//!
//! After the last document, corpus-wide findings are made: candidate
//! near-duplicate documents are verified on their shingle sets, which each
//! document appended to a temporary file as it was delivered
//! ([`crate::detect::sets`]; when no such file can be written, a second pass
//! reads just the documents involved again), and clusters, repeated segments
//! and boilerplate go to [`Sink::corpus`].
//!
//! Files are one source among others: the per-document stage
//! ([`Engine::scan_document`]) and the corpus-wide state and findings
//! (`corpus`) are shared with the in-memory driver ([`CorpusScan`], made by
//! [`Engine::corpus_scan`]), which takes `(id, text)` pairs and hands
//! results back instead of pushing them into a sink.
//!
//! Submodules: `pass` holds the document driver every pass over the
//! inputs runs on (`Engine::pass`): a scan, a signing run, the second look
//! at documents whose verification sets were not kept, and each of
//! `clean`'s passes, which read every document or, by number, the ones a
//! scan numbered; `corpus` holds the corpus-wide core the file and
//! in-memory drivers fold documents into; `memory` the in-memory driver;
//! `signing` signs documents one by one ([`Engine::sign`]); `places` turns
//! byte offsets into character offsets ([`TextSpan`]); `sink` holds what a
//! file scan hands out ([`ScannedDoc`], [`Problem`], [`CorpusReport`],
//! [`Summary`]) and the [`Sink`] trait; `numbering` hands out document
//! numbers, checked ([`TooManyDocuments`]).
//!
//! [`EngineBuilder::build`] checks the settings ([`ConfigError`]) and
//! resolves those that depend on several setters, so the order of the
//! setter calls never changes a result.
//!
//! ```
//! use doppel::{EngineBuilder, ScannedDoc, Sink};
//! let engine = EngineBuilder::new().build()?;
//! let text = "A paragraph long enough to count as a block of text.\n\nOther.\n\nA paragraph long enough to count as a block of text.\n";
//! let doc = engine.scan_text(doppel::document::Origin::Stdin, text);
//! assert_eq!(doc.blocks.len(), 1);
//! # Ok::<(), doppel::ConfigError>(())
//! ```

use std::collections::HashMap;
use std::io;

use crate::config::{self, ConfigError};
use crate::decode::DecodeError;
use crate::detect::across::{compact_hash, AcrossConfig, DocSketch, SegmentSketch};
use crate::detect::boilerplate::{line_hashes, BoilerplateConfig};
use crate::detect::containment::ContainmentConfig;
use crate::detect::passages::PassageConfig;
use crate::detect::within::{find_blocks, WithinConfig};
use crate::document::{Document, LineIndex, Origin, Span};
use crate::fingerprint::{Fingerprint, Fingerprinter};
use crate::input::{Entry, LoadedDoc};
use crate::quality::DocumentDamage;
use crate::segment::{Granularity, Segmenter};
use crate::shingle::ShingleConfig;
use crate::sketch::{Lsh, Signature, SlotMins};
use encoding_rs::Encoding;

mod corpus;
mod memory;
mod numbering;
mod pass;
mod places;
mod signing;
mod sink;

use corpus::{CorpusState, SetFallback};
pub use memory::{CorpusFindings, CorpusScan, ScannedText};
pub use numbering::TooManyDocuments;
pub(crate) use pass::{PassDoc, ReadOutcome, Which};
pub use places::{
    CharIndex, FoundBlock, FoundDiffering, FoundPassage, FoundPassageCopy, FoundRepeat, TextSpan,
};
pub(crate) use signing::sort_dedup;
pub use signing::{DocumentFacts, SignSink, SignedDoc};

pub(crate) use sink::Located;
pub use sink::{CorpusReport, Problem, ScannedDoc, Sink, Summary};

/// Builds an [`Engine`]; setters take `&mut self` and return `&mut Self`.
#[derive(Clone, Debug, Default)]
pub struct EngineBuilder {
    granularity: Granularity,
    within: WithinConfig,
    across: AcrossConfig,
    boilerplate: BoilerplateConfig,
    shingles: ShingleConfig,
    encoding: Option<&'static Encoding>,
    batch_bytes: Option<usize>,
    corpus_off: bool,
    keep_prints: bool,
    near_segments: bool,
    no_spill: bool,
    find: Findings,
}

/// What a scan looks for. Each kind left out is work not done: without
/// blocks and near segments no segment gets a MinHash signature, without
/// documents nothing is banded or verified, without segments no segment
/// hash is remembered, without boilerplate no line is counted.
///
/// Start from [`Findings::default`] (everything) or [`Findings::none`] and
/// set the fields:
///
/// ```
/// let mut find = doppel::Findings::none();
/// find.documents = true;
/// let engine = doppel::EngineBuilder::new().find(find).build()?;
/// # Ok::<(), doppel::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Findings {
    /// Blocks a document repeats inside itself.
    pub blocks: bool,
    /// Exact and near-duplicate documents.
    pub documents: bool,
    /// Segments that already occurred in an earlier document.
    pub segments: bool,
    /// Lines shared by many documents of one group.
    pub boilerplate: bool,
    /// Segments damaged by a wrong decoding (see [`crate::quality::findings`]),
    /// in [`ScannedDoc::damage`]. Off by default.
    pub damage: bool,
    /// Short documents lying wholly or almost wholly inside longer ones (a
    /// snippet page, a truncated copy), in [`CorpusReport::contained`];
    /// containment is reported from the near-duplicate
    /// [`threshold`](EngineBuilder::threshold). Documents are compared for
    /// it on the shingle sets near duplicates are verified on, so asking
    /// for it looks for [`documents`](Self::documents) too. Off by default.
    pub contained: bool,
}

impl Findings {
    /// Nothing: a scan that only reads and decodes.
    pub fn none() -> Findings {
        Findings {
            blocks: false,
            documents: false,
            segments: false,
            boilerplate: false,
            damage: false,
            contained: false,
        }
    }

    /// Exact and near-duplicate documents alone: what `scan --find
    /// documents`, `sign` and `cluster` look for.
    pub fn documents_only() -> Findings {
        Findings {
            documents: true,
            ..Findings::none()
        }
    }
}

impl Default for Findings {
    fn default() -> Findings {
        Findings {
            blocks: true,
            documents: true,
            segments: true,
            boilerplate: true,
            // Damage costs about an eighth of a scan's CPU time on CJK text
            // and is a question of its own: looked for only when asked.
            damage: false,
            // Containment costs its own index and verification, and few
            // corpora need it: looked for only when asked.
            contained: false,
        }
    }
}

impl EngineBuilder {
    /// A builder with every setting at its default: auto segments,
    /// threshold [`DEFAULT_THRESHOLD`](crate::DEFAULT_THRESHOLD), character
    /// 5-gram shingles, blocks of at least 10 units, every finding but damage
    /// looked for.
    pub fn new() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The unit of comparison (default [`Granularity::Auto`]).
    pub fn granularity(&mut self, granularity: Granularity) -> &mut Self {
        self.granularity = granularity;
        self
    }

    /// Jaccard similarity from which segments, passages and documents are
    /// near duplicates, in `(0, 1]` (default
    /// [`DEFAULT_THRESHOLD`](crate::DEFAULT_THRESHOLD), 0.65).
    pub fn threshold(&mut self, threshold: f64) -> &mut Self {
        self.within.threshold = threshold;
        self.across.threshold = threshold;
        self
    }

    /// Smallest block, repeated segment or passage segment reported, in
    /// units, at least 1 (default 10).
    pub fn min_units(&mut self, units: usize) -> &mut Self {
        self.within.min_units = units;
        self.across.min_segment_units = units;
        self
    }

    /// When a line counts as boilerplate (checked by [`build`](Self::build)
    /// with [`BoilerplateConfig::validate`]).
    pub fn boilerplate(&mut self, config: BoilerplateConfig) -> &mut Self {
        self.boilerplate = config;
        self
    }

    /// Whether to look across documents at all (default on).
    pub fn across_documents(&mut self, on: bool) -> &mut Self {
        self.corpus_off = !on;
        self
    }

    /// Decode every input with this encoding instead of detecting one.
    pub fn encoding(&mut self, encoding: Option<&'static Encoding>) -> &mut Self {
        self.encoding = encoding;
        self
    }

    /// How documents are shingled, per script (default
    /// `spaced=chars:5,cjk=chars:5`); each `k` from 1 to 32.
    pub fn shingles(&mut self, config: ShingleConfig) -> &mut Self {
        self.shingles = config;
        self
    }

    /// Whether to look for near-duplicate passages across documents (default
    /// off): segments copied from one document into another, exact or lightly
    /// edited. Memory then grows with the number of segments of the corpus
    /// (a compact shingle set each), not only with the number of documents.
    /// Passages use the [`threshold`](Self::threshold) and
    /// [`min_units`](Self::min_units) in force when the engine is built.
    pub fn near_segments(&mut self, on: bool) -> &mut Self {
        self.near_segments = on;
        self
    }

    /// Whether each [`ScannedDoc`] keeps its segments' fingerprints in
    /// [`ScannedDoc::prints`] (default off: they are dropped once the
    /// document is scanned). A sink that looks across documents segment by
    /// segment, such as passage detection, needs them.
    pub fn keep_fingerprints(&mut self, on: bool) -> &mut Self {
        self.keep_prints = on;
        self
    }

    /// What to look for (default: everything).
    pub fn find(&mut self, find: Findings) -> &mut Self {
        self.find = find;
        self
    }

    /// Whether verification sets go to a temporary file (the default) or,
    /// with `false`, are read again from the inputs and held in memory.
    pub fn spill_sets(&mut self, on: bool) -> &mut Self {
        self.no_spill = !on;
        self
    }

    /// Bytes of input read per parallel batch, at least 1 (default 8 MiB).
    /// Results do not depend on it; memory and speed do.
    pub fn batch_bytes(&mut self, bytes: usize) -> &mut Self {
        self.batch_bytes = Some(bytes);
        self
    }

    /// Checks the settings and makes the engine. Settings that depend on
    /// others are resolved here, so the order the setters were called in
    /// does not matter.
    pub fn build(&self) -> Result<Engine, ConfigError> {
        let threshold = config::positive_fraction("threshold", self.across.threshold)?;
        let min_units = config::at_least("min_units", self.across.min_segment_units, 1)?;
        self.shingles.validate()?;
        let batch_bytes = config::at_least("batch_bytes", self.batch_bytes.unwrap_or(8 << 20), 1)?;
        self.boilerplate.validate()?;
        // Containment is checked on the sets near duplicates are verified on.
        let find = Findings {
            documents: self.find.documents || self.find.contained,
            ..self.find
        };
        let containment = find.contained.then(|| ContainmentConfig {
            threshold,
            ..ContainmentConfig::default()
        });
        let passages = self.near_segments.then(|| PassageConfig {
            threshold,
            min_segment_units: min_units,
            ..PassageConfig::default()
        });
        Ok(Engine {
            segmenter: Segmenter::new(self.granularity),
            within: WithinConfig {
                threshold,
                min_units,
                ..self.within.clone()
            },
            across: AcrossConfig {
                threshold,
                min_segment_units: min_units,
                repeated_segments: find.segments,
                ..self.across.clone()
            },
            boilerplate: self.boilerplate.clone(),
            lsh: Lsh::for_threshold(threshold),
            shingles: self.shingles,
            encoding: self.encoding,
            batch_bytes,
            corpus: !self.corpus_off,
            keep_prints: self.keep_prints || passages.is_some(),
            passages,
            spill: !self.no_spill,
            containment,
            find,
        })
    }
}

/// A configured engine; cheap to share between threads.
#[derive(Clone, Debug)]
pub struct Engine {
    segmenter: Segmenter,
    within: WithinConfig,
    across: AcrossConfig,
    boilerplate: BoilerplateConfig,
    lsh: Lsh,
    shingles: ShingleConfig,
    encoding: Option<&'static Encoding>,
    batch_bytes: usize,
    corpus: bool,
    keep_prints: bool,
    passages: Option<PassageConfig>,
    spill: bool,
    containment: Option<ContainmentConfig>,
    find: Findings,
}

enum Outcome {
    Scanned(Box<ScannedDoc>, u32),
    Skipped(Origin),
    Failed(Problem),
}

/// The file driver's corpus-wide state: the shared core's, and where each
/// document came from, to name it and to read it again.
struct Corpus {
    state: CorpusState,
    origins: Vec<Origin>,
    entry_of: Vec<u32>,
}

impl Engine {
    /// Scans `entries` in parallel and pushes results into `sink` in input
    /// order; `problems` found earlier (missing paths) come first. Returns the
    /// run's totals.
    pub fn scan(
        &self,
        entries: &[Entry],
        problems: Vec<Problem>,
        sink: &mut (dyn Sink + Send),
    ) -> io::Result<Summary> {
        let mut summary = Summary::default();
        sink.begin()?;
        for problem in problems {
            summary.errors += 1;
            sink.problem(&problem)?;
        }
        let mut corpus = self.empty_corpus();
        self.pass(
            entries,
            Which::All,
            |doc| self.scan_outcome(doc),
            |outcomes| self.deliver_all(outcomes, sink, &mut summary, &mut corpus),
        )?;
        if self.corpus {
            let report = self.corpus_report(entries, corpus)?;
            summary.clusters = report.clusters.len();
            summary.duplicate_documents = report.duplicates.in_input_order().removed.len();
            summary.repeated_segments = report.repeated.len();
            summary.boilerplate = report.boilerplate.len();
            summary.contained = report.contained.len();
            sink.corpus(report)?;
        }
        sink.finish(&summary)?;
        Ok(summary)
    }

    /// The corpus-wide state before the first document.
    fn empty_corpus(&self) -> Corpus {
        Corpus {
            state: CorpusState::new(self, SetFallback::Reread),
            origins: Vec::new(),
            entry_of: Vec::new(),
        }
    }

    fn deliver_all(
        &self,
        outcomes: Vec<Outcome>,
        sink: &mut (dyn Sink + Send),
        summary: &mut Summary,
        corpus: &mut Corpus,
    ) -> io::Result<()> {
        for outcome in outcomes {
            self.deliver(outcome, sink, summary, corpus)?;
        }
        Ok(())
    }

    fn deliver(
        &self,
        outcome: Outcome,
        sink: &mut dyn Sink,
        summary: &mut Summary,
        corpus: &mut Corpus,
    ) -> io::Result<()> {
        match outcome {
            Outcome::Scanned(doc, entry) => {
                summary.documents += 1;
                summary.input_bytes += doc.document.input_bytes;
                summary.bytes += doc.document.text().len();
                summary.duplicate_bytes += doc.duplicate_bytes();
                summary.blocks += doc.blocks.len();
                summary.damaged_documents += usize::from(!doc.damage.is_clean());
                if self.corpus {
                    corpus.state.add(self, &doc)?;
                    corpus.origins.push(doc.document.origin.clone());
                    corpus.entry_of.push(entry);
                }
                sink.document(&doc)
            }
            Outcome::Skipped(origin) => {
                summary.skipped += 1;
                sink.skipped(&origin, "binary")
            }
            Outcome::Failed(problem) => {
                summary.errors += 1;
                sink.problem(&problem)
            }
        }
    }

    /// What a scan makes of one document.
    fn scan_outcome(&self, doc: PassDoc) -> Outcome {
        match doc.outcome {
            ReadOutcome::Decoded(decoded) => Outcome::Scanned(
                Box::new(self.scan_document(decoded.document, decoded.group)),
                decoded.entry,
            ),
            ReadOutcome::SkippedBinary(origin) => Outcome::Skipped(origin),
            ReadOutcome::Failed(problem) => Outcome::Failed(problem),
        }
    }

    /// Decodes and scans one loaded document, as a scan does.
    pub fn scan_loaded(&self, doc: LoadedDoc) -> Result<ScannedDoc, DecodeError> {
        let decoded = self.decode_loaded(doc)?;
        Ok(self.scan_document(decoded.document, decoded.group))
    }

    /// The parameters this engine's document sketches are made with: what
    /// signature files and indexes record and compare before mixing sketches.
    pub fn sketch_params(&self) -> crate::SketchParams {
        crate::params::SketchParams::new(
            self.segmenter.granularity(),
            self.shingles,
            self.across.threshold,
            self.lsh,
        )
    }

    /// Scans text that is already decoded.
    pub fn scan_text(&self, origin: Origin, text: &str) -> ScannedDoc {
        self.scan_string(origin, text.to_owned())
    }

    /// Scans text that is already decoded, taking it.
    pub(crate) fn scan_string(&self, origin: Origin, text: String) -> ScannedDoc {
        self.scan_document(Document::from_text(origin, text), String::new())
    }

    /// Segments and fingerprints a text; also gives what the whole text is
    /// compared on when duplicate documents are looked for.
    fn fingerprint(&self, text: &str, index: &LineIndex) -> (Vec<Span>, Vec<Fingerprint>, Whole) {
        let segments = self.segmenter.segment_indexed(text, index);
        let mut fingerprinter = Fingerprinter::with(self.shingles.for_text(text))
            .sign_segments(self.find.blocks || self.keep_prints);
        let whole_text = if self.corpus && self.find.documents {
            whole_text(&mut fingerprinter, text)
        } else {
            None
        };
        let by_whole_text = whole_text.is_some();
        let mut fingerprinter = fingerprinter
            .sign_document(!by_whole_text)
            .shingle_segments(!by_whole_text || self.find.blocks || self.keep_prints);
        let prints = segments
            .iter()
            .map(|span| fingerprinter.fingerprint(&text[span.bytes.clone()]))
            .collect();
        let whole = whole_text.unwrap_or_else(|| Whole {
            set: None,
            signature: fingerprinter.document_signature(),
        });
        (segments, prints, whole)
    }

    /// Segments, fingerprints and scans one decoded document: the
    /// per-document stage every driver shares.
    pub(crate) fn scan_document(&self, document: Document, group: String) -> ScannedDoc {
        let text = document.text();
        let index = LineIndex::new(text);
        let (segments, prints, whole) = self.fingerprint(text, &index);
        let blocks = if self.find.blocks {
            find_blocks(text, &index, &segments, &prints, &self.within)
        } else {
            Vec::new()
        };
        let sketch = if self.corpus {
            self.sketch(&segments, &prints, whole)
        } else {
            DocSketch::default()
        };
        let lines = if self.corpus && self.find.boilerplate {
            line_hashes(text, &self.boilerplate)
        } else {
            Vec::new()
        };
        let damage = if self.find.damage {
            DocumentDamage::of(text, &segments)
        } else {
            DocumentDamage::default()
        };
        ScannedDoc {
            damage,
            document,
            group,
            index,
            segments,
            blocks,
            sketch,
            lines,
            prints: if self.keep_prints { prints } else { Vec::new() },
        }
    }

    fn sketch(&self, segments: &[Span], prints: &[Fingerprint], whole: Whole) -> DocSketch {
        let keys = segments
            .iter()
            .zip(prints)
            .map(|(span, print)| SegmentSketch {
                hash: print.exact,
                units: print.units.min(u32::MAX as usize) as u32,
                lines: span.lines,
            })
            .collect();
        if !self.find.documents {
            return DocSketch::new(keys, Vec::new(), None, &self.lsh);
        }
        // Sorted and without repeats here, on the worker, once: the set is
        // then spilled smaller, and every later load of it (a document in
        // many candidate pairs is loaded once per verification chunk)
        // sorts a sorted run, which takes one pass.
        let shingles = whole.set.unwrap_or_else(|| {
            compact_set(
                prints
                    .iter()
                    .flat_map(|print| print.shingles.iter().copied()),
            )
        });
        DocSketch::new(keys, shingles, whole.signature.as_ref(), &self.lsh)
    }

    /// Makes the corpus-wide findings that were asked for.
    fn corpus_report(&self, entries: &[Entry], corpus: Corpus) -> io::Result<CorpusReport> {
        let Corpus {
            state,
            origins,
            entry_of,
        } = corpus;
        let located = Located {
            origins: &origins,
            entry_of: &entry_of,
        };
        let found = state.finish(self, |needed| {
            Ok(self.shingle_sets(entries, located, needed))
        })?;
        Ok(CorpusReport {
            clusters: found.clusters,
            duplicates: found.duplicates,
            repeated: found.repeated,
            boilerplate: found.boilerplate,
            passages: found.passages,
            contained: found.contained,
            segment_lines: found.segment_lines,
            origins,
            entry_of,
        })
    }

    /// The compact shingle sets of documents `needed`, read again.
    fn shingle_sets(
        &self,
        entries: &[Entry],
        located: Located<'_>,
        needed: &[u32],
    ) -> HashMap<u32, Vec<u32>> {
        let mut sets = HashMap::with_capacity(needed.len());
        let which = Which::Numbered {
            docs: needed,
            located,
        };
        let read: Result<(), std::convert::Infallible> = self.pass(
            entries,
            which,
            |doc| {
                let (number, text) = doc.numbered_text()?;
                Some((number, self.compact_shingles(text)))
            },
            |found| {
                sets.extend(found.into_iter().flatten());
                Ok(())
            },
        );
        let Ok(()) = read;
        sets
    }

    /// The compact set `sketch` spilled for a text, made again: its
    /// whole-text shingles, or the union of its segments' shingles.
    fn compact_shingles(&self, text: &str) -> Vec<u32> {
        let mut fingerprinter = Fingerprinter::with(self.shingles.for_text(text));
        if let Some(Whole { set: Some(set), .. }) = whole_text(&mut fingerprinter, text) {
            return set;
        }
        let index = LineIndex::new(text);
        let mut all = Vec::new();
        for span in &self.segmenter.segment_indexed(text, &index) {
            fingerprinter.shingles(&text[span.bytes.clone()], &mut all);
        }
        compact_set(all.into_iter())
    }
}

/// What a whole document is compared on: its compact shingle set (`None`
/// when it is the union of its segments' shingles, made from their
/// fingerprints) and the set's signature.
pub(crate) struct Whole {
    pub(crate) set: Option<Vec<u32>>,
    pub(crate) signature: Option<Signature>,
}

/// The compact set and signature of a document's whole-text shingles
/// ([`Fingerprinter::each_whole_text_batch`]), or `None` under word
/// shingling. Each batch of shingles adds to the signature and to the set,
/// which loses its repeats whenever it has doubled, so a long document costs
/// about four bytes per distinct shingle, not per character.
pub(crate) fn whole_text(fingerprinter: &mut Fingerprinter, text: &str) -> Option<Whole> {
    let mut mins = SlotMins::default();
    let mut set: Vec<u32> = Vec::new();
    let mut deduped = 0;
    let shingled = fingerprinter.each_whole_text_batch(text, |batch| {
        mins.add(batch);
        set.extend(batch.iter().map(|&hash| compact_hash(hash)));
        if set.len() >= 2 * deduped + (1 << 20) {
            signing::sort_dedup(&mut set);
            deduped = set.len();
        }
    });
    if !shingled {
        return None;
    }
    signing::sort_dedup(&mut set);
    Some(Whole {
        set: Some(set),
        signature: mins.signature(),
    })
}

/// Shingle hashes compacted to 32 bits, sorted and without repeats: the set
/// near duplicates are verified on.
pub(crate) fn compact_set(shingles: impl Iterator<Item = u64>) -> Vec<u32> {
    let mut set: Vec<u32> = shingles.map(compact_hash).collect();
    signing::sort_dedup(&mut set);
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shingling;

    /// Counts the documents it is given.
    #[derive(Default)]
    struct Count(usize);

    impl Sink for Count {
        fn document(&mut self, _doc: &ScannedDoc) -> io::Result<()> {
            self.0 += 1;
            Ok(())
        }
    }

    #[test]
    fn a_document_past_the_last_number_is_an_error_not_document_zero() {
        let engine = EngineBuilder::new().build().expect("default settings");
        let mut corpus = engine.empty_corpus();
        corpus.state = corpus.state.numbered_from(u32::MAX - 1);
        let (mut sink, mut summary) = (Count::default(), Summary::default());
        let mut deliver = |text: &str, corpus: &mut Corpus| {
            let doc = engine.scan_text(Origin::Stdin, text);
            engine.deliver(
                Outcome::Scanned(Box::new(doc), 0),
                &mut sink,
                &mut summary,
                corpus,
            )
        };
        assert!(deliver("The last document that can be numbered.", &mut corpus).is_ok());
        let err = deliver("One document too many.", &mut corpus).expect_err("out of numbers");
        assert!(
            err.to_string()
                .starts_with("more than 4294967295 documents"),
            "{err}"
        );
        assert_eq!(sink.0, 1, "the document past the limit is not delivered");
    }

    /// The repeated segments, passages and blocks a scan of `texts` finds.
    fn findings(builder: &EngineBuilder, texts: &[&str]) -> (usize, usize, usize) {
        let engine = builder.build().expect("valid settings");
        let mut corpus = engine.empty_corpus();
        let (mut sink, mut summary) = (Count::default(), Summary::default());
        for text in texts {
            let doc = engine.scan_text(Origin::Stdin, text);
            let outcome = Outcome::Scanned(Box::new(doc), 0);
            engine
                .deliver(outcome, &mut sink, &mut summary, &mut corpus)
                .expect("delivered");
        }
        let report = engine.corpus_report(&[], corpus).expect("report");
        (report.repeated.len(), report.passages.len(), summary.blocks)
    }

    #[test]
    fn settings_give_the_same_results_whatever_order_they_are_set_in() {
        // Regression: `near_segments(true)` copied the threshold and least
        // size in force when it was called; a later `threshold` or
        // `min_units` changed blocks and documents but not passages.
        let passage = "The river rose all night and by morning the low fields behind the mill were \
            under water again, so the farmers who had planted early lost their seed and had to wait \
            for the ground to dry before they could try once more";
        let edited = passage.replace("fields", "meadows");
        let texts = [
            format!("{passage}.\n\nSomething else entirely, written for the first page."),
            format!("An unrelated opening paragraph for page two.\n\n{edited}."),
        ];
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut before = EngineBuilder::new();
        before.near_segments(true).threshold(0.99).min_units(3);
        let mut after = EngineBuilder::new();
        after.threshold(0.99).min_units(3).near_segments(true);
        let strict = findings(&after, &texts);
        assert_eq!(findings(&before, &texts), strict);
        assert_eq!(strict.1, 0, "0.99 is stricter than one word in forty");
        let mut loose = EngineBuilder::new();
        loose.near_segments(true).threshold(0.5).min_units(3);
        assert_eq!(
            findings(&loose, &texts).1,
            1,
            "0.5 finds the edited passage"
        );
    }

    #[test]
    fn build_names_the_setting_out_of_range() {
        let err = |builder: &mut EngineBuilder| builder.build().expect_err("rejected");
        assert!(matches!(
            err(EngineBuilder::new().threshold(f64::NAN)),
            ConfigError::Fraction {
                setting: "threshold",
                ..
            }
        ));
        for bad in [0.0, -1.0, 1.5, f64::INFINITY] {
            assert!(
                EngineBuilder::new().threshold(bad).build().is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            err(EngineBuilder::new().min_units(0)),
            ConfigError::TooSmall {
                setting: "min_units",
                value: 0,
                least: 1
            }
        );
        assert!(matches!(
            err(EngineBuilder::new().shingles(ShingleConfig::uniform(Shingling::Chars(0)))),
            ConfigError::OutOfRange {
                setting: "shingles.cjk",
                ..
            }
        ));
        let boilerplate = BoilerplateConfig {
            min_line_chars: 0,
            ..BoilerplateConfig::default()
        };
        assert!(matches!(
            err(EngineBuilder::new().boilerplate(boilerplate)),
            ConfigError::TooSmall {
                setting: "boilerplate.min_line_chars",
                ..
            }
        ));
        assert_eq!(
            err(EngineBuilder::new().batch_bytes(0)),
            ConfigError::TooSmall {
                setting: "batch_bytes",
                value: 0,
                least: 1
            }
        );
        assert!(EngineBuilder::new()
            .threshold(1.0)
            .min_units(1)
            .build()
            .is_ok());
    }
}
