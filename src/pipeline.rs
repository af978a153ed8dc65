//! The engine: runs input → decode → segment → fingerprint → detect over
//! rayon and pushes each result into a [`Sink`], in input order.
//!
//! This is the one place that knows the order of the stages. Documents are
//! read lazily in batches; each batch is decoded, segmented, fingerprinted
//! and scanned in parallel (one document per task, sequential inside a
//! document), then handed to the sink in input order and folded into the
//! corpus-wide state. Output is the same whatever the number of threads, and
//! memory holds one batch of texts plus a sketch per document.
//!
//! After the last document, corpus-wide findings are made: candidate
//! near-duplicate documents are verified on their shingle sets, which each
//! document appended to a temporary file as it was delivered
//! ([`crate::detect::sets`]; when no such file can be written, a second pass
//! reads just the documents involved again), and clusters, repeated segments
//! and boilerplate go to [`Sink::corpus`].
//!
//! ```
//! use doppel::{EngineBuilder, ScannedDoc, Sink};
//! let engine = EngineBuilder::new().build();
//! let text = "A paragraph long enough to count as a block of text.\n\nOther.\n\nA paragraph long enough to count as a block of text.\n";
//! let doc = engine.scan_text(doppel::document::Origin::Stdin, text);
//! assert_eq!(doc.blocks.len(), 1);
//! ```

use std::collections::{HashMap, HashSet};
use std::io;

use encoding_rs::Encoding;
use rayon::prelude::*;

use crate::decode::{decode_vec, DecodeError, Decoded, Detection};
use crate::detect::across::{
    compact_shingles, AcrossConfig, Cluster, CorpusIndex, DocSketch, RepeatedSegment, SegmentSketch,
};
use crate::detect::boilerplate::{line_hashes, Boilerplate, BoilerplateConfig, BoilerplateCounter};
use crate::detect::passages::{Passage, PassageConfig, PassageIndex};
use crate::detect::sets::{verify, SetCache, SetSpill, SetStore};
use crate::detect::within::{find_blocks, Block, WithinConfig};
use crate::document::{Document, LineIndex, LineRange, Origin, Span};
use crate::fingerprint::{Fingerprint, Fingerprinter};
use crate::input::{Content, DocReader, Entry, InputError, Loaded, LoadedDoc};
use crate::segment::{Granularity, Segmenter};
use crate::shingle::ShingleConfig;
use crate::sketch::{Lsh, Signature};

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
    passages: Option<PassageConfig>,
    no_spill: bool,
    find: Findings,
}

/// What a scan looks for. Each kind left out is work not done: without
/// blocks and near segments no segment gets a MinHash signature, without
/// documents nothing is banded or verified, without segments no segment
/// hash is remembered, without boilerplate no line is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Findings {
    /// Blocks a document repeats inside itself.
    pub blocks: bool,
    /// Exact and near-duplicate documents.
    pub documents: bool,
    /// Segments that already occurred in an earlier document.
    pub segments: bool,
    /// Lines shared by many documents of one group.
    pub boilerplate: bool,
}

impl Default for Findings {
    fn default() -> Findings {
        Findings {
            blocks: true,
            documents: true,
            segments: true,
            boilerplate: true,
        }
    }
}

/// Bytes of shingle sets held at once while candidates are verified.
const VERIFY_BUDGET: usize = 64 << 20;
/// Bytes of shingle sets kept for the comparisons clique building adds.
const CACHE_BUDGET: usize = 16 << 20;

impl EngineBuilder {
    pub fn new() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The unit of comparison (default [`Granularity::Auto`]).
    pub fn granularity(&mut self, granularity: Granularity) -> &mut Self {
        self.granularity = granularity;
        self
    }

    /// Jaccard similarity from which segments and documents are near
    /// duplicates (default 0.8).
    pub fn threshold(&mut self, threshold: f64) -> &mut Self {
        self.within.threshold = threshold;
        self.across.threshold = threshold;
        self
    }

    /// Smallest block or repeated segment reported, in units (default 10).
    pub fn min_units(&mut self, units: usize) -> &mut Self {
        self.within.min_units = units;
        self.across.min_segment_units = units;
        self
    }

    /// When a line counts as boilerplate.
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

    /// Shingle lengths (default 5 CJK characters, 3 words).
    pub fn shingles(&mut self, config: ShingleConfig) -> &mut Self {
        self.shingles = config;
        self
    }

    /// Whether to look for near-duplicate passages across documents (default
    /// off): segments copied from one document into another, exact or lightly
    /// edited. Memory then grows with the number of segments of the corpus
    /// (a compact shingle set each), not only with the number of documents.
    pub fn near_segments(&mut self, on: bool) -> &mut Self {
        self.passages = on.then(|| PassageConfig {
            threshold: self.across.threshold,
            min_segment_units: self.across.min_segment_units,
            ..PassageConfig::default()
        });
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

    /// Bytes of input read per parallel batch (default 8 MiB).
    pub fn batch_bytes(&mut self, bytes: usize) -> &mut Self {
        self.batch_bytes = Some(bytes);
        self
    }

    pub fn build(&self) -> Engine {
        Engine {
            segmenter: Segmenter::new(self.granularity),
            within: self.within.clone(),
            across: AcrossConfig {
                repeated_segments: self.find.segments,
                ..self.across.clone()
            },
            boilerplate: self.boilerplate.clone(),
            lsh: Lsh::for_threshold(self.across.threshold),
            shingles: self.shingles,
            encoding: self.encoding,
            batch_bytes: self.batch_bytes.unwrap_or(8 << 20),
            corpus: !self.corpus_off,
            keep_prints: self.keep_prints || self.passages.is_some(),
            passages: self.passages.clone(),
            spill: !self.no_spill,
            find: self.find,
        }
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
    find: Findings,
}

/// A scanned document: the decoded document, its segments and its blocks.
#[derive(Clone, Debug)]
pub struct ScannedDoc {
    pub document: Document,
    /// The group its boilerplate is counted in.
    pub group: String,
    pub index: LineIndex,
    pub segments: Vec<Span>,
    pub blocks: Vec<Block>,
    /// What it leaves for corpus-wide detection.
    pub sketch: DocSketch,
    /// Hashes and byte ranges of its boilerplate candidate lines.
    pub lines: Vec<(u64, std::ops::Range<usize>)>,
    /// Each segment's fingerprint, in order, when the engine was built with
    /// [`EngineBuilder::keep_fingerprints`]; empty otherwise.
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

/// Where scanned documents came from, by document number: enough to read
/// them again with [`Engine::reread`].
#[derive(Clone, Copy, Debug)]
pub struct Located<'a> {
    pub origins: &'a [Origin],
    /// Index of the entry each document was read from.
    pub entry_of: &'a [u32],
}

/// Corpus-wide findings, made after the last document.
#[derive(Clone, Debug, Default)]
pub struct CorpusReport {
    /// Origin of each document, by document number (input order).
    pub origins: Vec<Origin>,
    /// Duplicate documents.
    pub clusters: Vec<Cluster>,
    /// Segments that occurred in an earlier document.
    pub repeated: Vec<RepeatedSegment>,
    pub boilerplate: Vec<Boilerplate>,
    /// Passages copied across documents, exact or near (with
    /// [`EngineBuilder::near_segments`]).
    pub passages: Vec<Passage>,
    /// Lines of each document's segments, by document number, when passages
    /// were looked for.
    pub segment_lines: Vec<Vec<LineRange>>,
    /// Index of the entry each document was read from, by document number.
    pub entry_of: Vec<u32>,
}

impl CorpusReport {
    /// Where each document came from, to read documents again.
    pub fn located(&self) -> Located<'_> {
        Located {
            origins: &self.origins,
            entry_of: &self.entry_of,
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
    /// Clusters of duplicate documents.
    pub clusters: usize,
    /// Documents that are the not-first member of a cluster.
    pub duplicate_documents: usize,
    /// Segments repeated from an earlier document.
    pub repeated_segments: usize,
    /// Boilerplate lines found.
    pub boilerplate: usize,
    pub errors: usize,
    /// Binary files skipped quietly in folder walks.
    pub skipped: usize,
    /// What the scan looked for.
    pub find: Findings,
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
    fn corpus(&mut self, _report: CorpusReport) -> io::Result<()> {
        Ok(())
    }
    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

enum Outcome {
    Scanned(Box<ScannedDoc>, u32),
    Skipped,
    Failed(Problem),
}

/// Corpus-wide state gathered during the first pass.
struct Corpus {
    index: CorpusIndex,
    boilerplate: BoilerplateCounter,
    origins: Vec<Origin>,
    entry_of: Vec<u32>,
    passages: Option<PassageIndex>,
    segment_lines: Vec<Vec<LineRange>>,
    /// Each document's shingle hashes, for verification; `None` when
    /// switched off or when the temporary file failed.
    spill: Option<SetSpill>,
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
        let mut summary = Summary {
            find: self.find,
            ..Summary::default()
        };
        sink.begin()?;
        for problem in problems {
            summary.errors += 1;
            sink.problem(&problem)?;
        }
        let mut corpus = Corpus {
            index: CorpusIndex::new(self.across.clone()),
            boilerplate: BoilerplateCounter::new(self.boilerplate.clone()),
            origins: Vec::new(),
            entry_of: Vec::new(),
            passages: self.passages.clone().map(PassageIndex::new),
            segment_lines: Vec::new(),
            spill: if self.corpus && self.find.documents && self.spill {
                SetSpill::new().ok()
            } else {
                None
            },
        };
        let mut reader = DocReader::new(entries).unparsed();
        // Each batch is processed in parallel while the previous one is
        // handed to the sink and the next one read, so the sequential work
        // (reading, printing, corpus-wide counting) overlaps the scanning.
        let mut pending: Vec<Outcome> = Vec::new();
        let mut batch = reader.batch(self.batch_bytes, 4096);
        while !batch.is_empty() {
            // One thread hands the previous batch to the sink and reads the
            // next one while the others scan this one.
            let previous = std::mem::take(&mut pending);
            let ((delivered, next), outcomes) = rayon::join(
                || {
                    let delivered = self.deliver_all(previous, sink, &mut summary, &mut corpus);
                    (delivered, reader.batch(self.batch_bytes, 4096))
                },
                || {
                    batch
                        .into_par_iter()
                        .map(|loaded| self.process(loaded))
                        .collect()
                },
            );
            delivered?;
            pending = outcomes;
            batch = next;
        }
        self.deliver_all(pending, sink, &mut summary, &mut corpus)?;
        if self.corpus {
            let report = self.corpus_report(entries, corpus)?;
            summary.clusters = report.clusters.len();
            summary.duplicate_documents = report.clusters.iter().map(|c| c.members.len() - 1).sum();
            summary.repeated_segments = report.repeated.len();
            summary.boilerplate = report.boilerplate.len();
            sink.corpus(report)?;
        }
        sink.finish(&summary)?;
        Ok(summary)
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
                if self.corpus {
                    let number = corpus.index.add(&doc.sketch);
                    if let Some(spill) = &mut corpus.spill {
                        // Only representatives are ever candidates: an exact
                        // twin leaves an empty set.
                        let representative = corpus.index.is_representative(number);
                        spill.push(if representative {
                            &doc.sketch.shingles
                        } else {
                            &[]
                        });
                    }
                    if self.find.boilerplate && corpus.index.is_representative(number) {
                        corpus
                            .boilerplate
                            .add(&doc.group, doc.document.text(), &doc.lines);
                    }
                    corpus.origins.push(doc.document.origin.clone());
                    corpus.entry_of.push(entry);
                    if let Some(passages) = &mut corpus.passages {
                        passages.add(doc.prints.iter().map(|p| passages.segment(p)).collect());
                        corpus
                            .segment_lines
                            .push(doc.segments.iter().map(|s| s.lines).collect());
                    }
                }
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

    fn process(&self, loaded: Loaded) -> Outcome {
        let doc = match loaded.into_doc() {
            Ok(doc) => doc,
            Err(err) => return Outcome::Failed(err.into()),
        };
        let entry = doc.entry;
        let walked = doc.walked;
        let origin = doc.origin.clone();
        match self.decode_loaded(doc) {
            Ok((document, group)) => {
                Outcome::Scanned(Box::new(self.scan_document(document, group)), entry)
            }
            Err(DecodeError::Binary { .. }) if walked => Outcome::Skipped,
            Err(err) => Outcome::Failed(Problem {
                origin,
                message: err.to_string(),
            }),
        }
    }

    /// Decodes and scans one loaded document.
    pub fn scan_loaded(&self, doc: LoadedDoc) -> Result<ScannedDoc, DecodeError> {
        let (document, group) = self.decode_loaded(doc)?;
        Ok(self.scan_document(document, group))
    }

    /// Decodes one loaded document, without scanning it.
    pub fn decode_document(&self, doc: LoadedDoc) -> Result<Document, DecodeError> {
        self.decode_loaded(doc).map(|(document, _)| document)
    }

    /// Bytes of input read per parallel batch.
    pub fn batch_bytes_limit(&self) -> usize {
        self.batch_bytes
    }

    /// Decodes a loaded document.
    fn decode_loaded(&self, doc: LoadedDoc) -> Result<(Document, String), DecodeError> {
        let input_bytes = doc.input_bytes();
        let decoded = match doc.content {
            Content::Bytes(bytes) => decode_vec(bytes, self.encoding)?,
            Content::Record { text, .. } => Decoded {
                text,
                encoding: encoding_rs::UTF_8,
                detection: Detection::Json,
                bom: false,
                malformed: 0,
            },
        };
        Ok((
            Document {
                origin: doc.origin,
                input_bytes,
                decoded,
            },
            doc.group,
        ))
    }

    /// Scans text that is already decoded.
    pub fn scan_text(&self, origin: Origin, text: &str) -> ScannedDoc {
        let document = Document {
            origin,
            input_bytes: text.len(),
            decoded: Decoded {
                text: text.to_owned(),
                encoding: encoding_rs::UTF_8,
                detection: Detection::ValidUtf8,
                bom: false,
                malformed: 0,
            },
        };
        self.scan_document(document, String::new())
    }

    /// Segments and fingerprints a text; also gives the signature of the
    /// whole text.
    fn fingerprint(
        &self,
        text: &str,
        index: &LineIndex,
    ) -> (Vec<Span>, Vec<Fingerprint>, Option<Signature>) {
        let segments = self.segmenter.segment_indexed(text, index);
        let mut fingerprinter = Fingerprinter::new(self.shingles.k_for(text))
            .sign_segments(self.find.blocks || self.keep_prints);
        let prints = segments
            .iter()
            .map(|span| fingerprinter.fingerprint(&text[span.bytes.clone()]))
            .collect();
        (segments, prints, fingerprinter.document_signature())
    }

    /// Segments, fingerprints and scans one decoded document.
    pub fn scan_document(&self, document: Document, group: String) -> ScannedDoc {
        let text = document.text();
        let index = LineIndex::new(text);
        let (segments, prints, signature) = self.fingerprint(text, &index);
        let blocks = if self.find.blocks {
            find_blocks(text, &index, &segments, &prints, &self.within)
        } else {
            Vec::new()
        };
        let sketch = if self.corpus {
            self.sketch(&segments, &prints, signature.as_ref())
        } else {
            DocSketch::default()
        };
        let lines = if self.corpus && self.find.boilerplate {
            line_hashes(text, &self.boilerplate)
        } else {
            Vec::new()
        };
        ScannedDoc {
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

    fn sketch(
        &self,
        segments: &[Span],
        prints: &[Fingerprint],
        signature: Option<&Signature>,
    ) -> DocSketch {
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
        let shingles = prints
            .iter()
            .flat_map(|print| print.shingles.iter().map(|&h| (h >> 32) as u32))
            .collect();
        DocSketch::new(keys, shingles, signature, &self.lsh)
    }

    /// Makes the corpus-wide findings that were asked for.
    fn corpus_report(&self, entries: &[Entry], mut corpus: Corpus) -> io::Result<CorpusReport> {
        // What verification does not need is finished and released first.
        let boilerplate = std::mem::take(&mut corpus.boilerplate).finish();
        let clusters = if self.find.documents {
            self.document_clusters(entries, &mut corpus)?
        } else {
            Vec::new()
        };
        Ok(CorpusReport {
            clusters,
            repeated: corpus.index.repeated_segments().to_vec(),
            boilerplate,
            passages: corpus
                .passages
                .map(|index| index.passages())
                .unwrap_or_default(),
            segment_lines: corpus.segment_lines,
            origins: corpus.origins,
            entry_of: corpus.entry_of,
        })
    }

    /// Duplicate documents: candidates verified on the spilled shingle sets
    /// (else on sets read again from the inputs), joined into clusters.
    fn document_clusters(
        &self,
        entries: &[Entry],
        corpus: &mut Corpus,
    ) -> io::Result<Vec<Cluster>> {
        let pairs = corpus.index.candidates();
        let store = match corpus.spill.take().and_then(SetSpill::finish) {
            Some(store) => store,
            None => {
                let needed = CorpusIndex::needs_verification(&pairs);
                SetStore::in_memory(self.shingle_sets(entries, corpus, &needed))
            }
        };
        let sims = verify(&pairs, &store, VERIFY_BUDGET)?;
        corpus
            .index
            .clusters(&pairs, &sims, &mut SetCache::new(&store, CACHE_BUDGET))
    }

    /// The compact shingle sets of documents `needed`, read again.
    fn shingle_sets(
        &self,
        entries: &[Entry],
        corpus: &Corpus,
        needed: &[u32],
    ) -> HashMap<u32, Vec<u32>> {
        let located = Located {
            origins: &corpus.origins,
            entry_of: &corpus.entry_of,
        };
        self.reread(entries, located, needed, |_, text| {
            Some(self.compact_shingles(text))
        })
    }

    /// Reads documents `docs` (numbered as in a scan) again, decodes them and
    /// maps each text with `f` in parallel, keeping only the results: memory
    /// holds two batches of texts. Only the entries holding them are read,
    /// and of a JSON Lines file only the wanted lines are parsed.
    pub fn reread<T, F>(
        &self,
        entries: &[Entry],
        located: Located<'_>,
        docs: &[u32],
        f: F,
    ) -> HashMap<u32, T>
    where
        T: Send,
        F: Fn(u32, &str) -> Option<T> + Sync,
    {
        let mut out = HashMap::with_capacity(docs.len());
        let all: Result<(), std::convert::Infallible> =
            self.reread_batches(entries, located, docs, f, |found| {
                out.extend(found);
                Ok(())
            });
        match all {
            Ok(()) => out,
        }
    }

    /// Like [`Engine::reread`], but hands each batch's results, in document
    /// order, to `each` as soon as they are made, and stops at its first
    /// error: nothing is held between batches.
    pub fn reread_batches<T, F, E>(
        &self,
        entries: &[Entry],
        located: Located<'_>,
        docs: &[u32],
        f: F,
        mut each: impl FnMut(Vec<(u32, T)>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        T: Send,
        F: Fn(u32, &str) -> Option<T> + Sync,
    {
        // A document is found again by its entry and its line in the entry
        // (0 for a whole file).
        let mut wanted_docs: HashMap<(u32, usize), u32> = HashMap::with_capacity(docs.len());
        for &doc in docs {
            if let (Some(&entry), Some(origin)) = (
                located.entry_of.get(doc as usize),
                located.origins.get(doc as usize),
            ) {
                wanted_docs.insert((entry, origin.record_line().unwrap_or(0)), doc);
            }
        }
        let wanted_entries: HashSet<u32> = wanted_docs.keys().map(|(entry, _)| *entry).collect();
        let wanted = |at: usize| wanted_entries.contains(&(at as u32));
        let mut reader = DocReader::only(entries, &wanted).unparsed();
        let number_of = |loaded: &Loaded| match loaded {
            Loaded::Doc(doc) => wanted_docs.get(&(doc.entry, 0)),
            Loaded::Pending(pending) => wanted_docs.get(&(pending.entry, pending.line())),
            Loaded::Problem(_) => None,
        };
        let map_batch = |batch: Vec<Loaded>| -> Vec<(u32, T)> {
            let mut found: Vec<(u32, T)> = batch
                .into_par_iter()
                .filter_map(|loaded| {
                    let number = *number_of(&loaded)?;
                    let document = self.decode_document(loaded.into_doc().ok()?).ok()?;
                    Some((number, f(number, document.text())?))
                })
                .collect();
            found.sort_by_key(|(number, _)| *number);
            found
        };
        let mut batch = reader.batch(self.batch_bytes, 4096);
        while !batch.is_empty() {
            // The next batch is read while this one is mapped.
            let (next, found) =
                rayon::join(|| reader.batch(self.batch_bytes, 4096), || map_batch(batch));
            each(found)?;
            batch = next;
        }
        Ok(())
    }

    /// The union of the shingles of a text's segments, compacted: the set
    /// `sketch` signed, without the fingerprints verification does not need.
    fn compact_shingles(&self, text: &str) -> Vec<u32> {
        let index = LineIndex::new(text);
        let segments = self.segmenter.segment_indexed(text, &index);
        let mut fingerprinter = Fingerprinter::new(self.shingles.k_for(text));
        let mut all = Vec::new();
        for span in &segments {
            fingerprinter.shingles(&text[span.bytes.clone()], &mut all);
        }
        compact_shingles(&all)
    }
}
