//! `clean`: scan the inputs, decide what goes, write the cleaned corpus and
//! its manifest.
//!
//! Three passes over the inputs, each a pass of the engine's document
//! driver (`Engine::pass`, in `crate::pipeline`), which reads, decodes and
//! works on documents in parallel batches and hands results on in input
//! order:
//!
//! 1. **scan** (the engine's ordinary run): blocks inside documents, and the
//!    corpus-wide clusters, repeated segments and boilerplate; then members
//!    of duplicate clusters are read again by number, those in a legacy
//!    encoding to be encoded again (`check_reencoding`) and, with
//!    `--keep cleanest`, all for their damage scores;
//! 2. **write**: every document is read, decoded and scanned again, its
//!    removals planned, its cleaned text written (UTF-8) and its manifest
//!    lines recorded; the texts of documents kept in the place of removed
//!    ones go to a temporary file (`twins`);
//! 3. **twins**: each removed duplicate document is read again by number,
//!    and its kept twin fetched from that file, for the edit script that
//!    rebuilds it.
//!
//! Documents are numbered in input order in every pass; a document whose
//! content changed between passes, or that is missing from a later pass, is
//! an error ([`CleanError::Changed`]) and no manifest is written.
//!
//! Nothing is written that the manifest cannot give back exactly. Before
//! the scan, inputs that cannot be read twice (pipes, devices) and inputs
//! whose output name is not valid UTF-8 are refused. In the scan pass a
//! document whose decoding loses bytes (malformed sequences, a text the
//! encoding cannot write back) is refused, so it is never kept in the place
//! of a removed copy; the write pass checks every document exactly (the
//! re-encoded text, or a record's rewritten line, against the input bytes)
//! and refuses what does not match. Refused documents are problems, left
//! out of the output and the manifest, unless [`CleanOptions::allow_lossy`]
//! is set: then they are written as decoded text, marked `lossless: false`.
//! Manifest document numbers run from 0 without gaps over the documents
//! written.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::PathBuf;

use rayon::prelude::*;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use super::edits::diff;
use super::encode::encode;
use super::manifest::{
    DocumentLine, Line, RecordLine, RecordRef, RemovalLine, StoredRef, SummaryLine, TwinRef,
};
use super::output::{Layout, OutLock, OutputError};
use super::plan::{plan_blocks, plan_span, plan_whole, Keep, Plan, Reason, Removal, Twin};
use super::twins::{TwinReader, TwinTexts};
use super::writer::{Planned, Writer};
use crate::detect::across::{Cluster, RepeatedSegment};
use crate::detect::containment::Contained;
use crate::detect::removal::{DuplicateGraph, Removals};
use crate::document::{Document, Origin};
use crate::index::{Index, StoredMatch};
use crate::input::jsonl::replace_text;
use crate::input::Entry;
use crate::pipeline::{
    CorpusReport, Engine, Findings, Located, PassDoc, Problem, ReadOutcome, ScannedDoc, Sink,
    Summary, Which,
};
use crate::quality::Damage;

/// What `clean` removes and where it writes.
#[derive(Clone, Debug)]
pub struct CleanOptions {
    /// The output folder (new or empty).
    pub out: PathBuf,
    /// Which copy of duplicated text is kept.
    pub keep: Keep,
    /// Remove duplicate documents by the removal rule ([`crate::removal`]):
    /// no two documents kept are verified duplicates, and each removed one
    /// names a kept twin it was verified similar to; and, when the engine
    /// looks for contained documents
    /// ([`Findings::contained`](crate::Findings::contained)), each document
    /// that lies inside a longer document that is kept.
    pub documents: bool,
    /// Remove the later copies of blocks repeated inside a document.
    pub blocks: bool,
    /// Remove segments that occurred in an earlier kept document.
    pub segments: bool,
    /// Remove boilerplate lines.
    pub boilerplate: bool,
    /// Plan only: write nothing.
    pub dry_run: bool,
    /// Write documents that would not restore byte for byte (their decoding
    /// loses bytes) as decoded text, marked `lossless: false`, instead of
    /// refusing them.
    pub allow_lossy: bool,
    /// Repair Latin mojibake (UTF-8 read as windows-1252 or latin-1) in
    /// the text kept, where [`crate::quality::mojibake`] finds it; each
    /// repair is a removal with reason `repaired`, so restore gives the
    /// input back.
    pub repair: bool,
    /// Drop each document whose [`Damage::score`] is at least this and
    /// that has no exact or near duplicate (dedup keeps the cleanest
    /// there); recorded as a removal with reason `damaged` that holds its
    /// text.
    pub drop_damaged: Option<f64>,
}

impl CleanOptions {
    /// What the engine needs to look for to make these removals: build the
    /// engine passed to [`clean`] with it
    /// ([`EngineBuilder::find`](crate::EngineBuilder::find)) and nothing a
    /// switch turned off is computed.
    pub fn findings(&self) -> Findings {
        Findings {
            blocks: self.blocks,
            documents: self.documents,
            segments: self.segments,
            boilerplate: self.boilerplate,
            damage: false,
            contained: false,
        }
    }
}

/// Why a clean run stopped before finishing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CleanError {
    /// The output folder cannot be used, or two inputs map to one output path.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// An input that changed, disappeared or became unreadable between the scan
    /// and the write pass (named as messages name it); no manifest is written.
    #[error("{0}: changed while it was being cleaned; run again")]
    Changed(String),
    /// More documents than document numbers (32 bits) can count.
    #[error("more than {} documents; clean them in parts", u32::MAX)]
    TooMany,
    /// Reading an input or writing the output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Progress of a long run, shown by the caller.
pub trait Progress: Sync {
    /// A pass starts over `total` bytes of input.
    fn start(&self, pass: &str, total: u64);
    /// `bytes` more bytes were processed.
    fn advance(&self, bytes: u64);
    /// The pass is over.
    fn finish(&self);
}

/// No progress shown.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// What a clean run did, for the caller to report.
#[derive(Debug, Default)]
pub struct CleanReport {
    /// The scan pass's totals.
    pub scan: Summary,
    /// The manifest's summary line: documents, removals and bytes removed.
    pub manifest: SummaryLine,
    /// With `dry_run`, every document and removal that the manifest would
    /// hold (empty otherwise: the manifest has them).
    pub lines: Vec<Line>,
    /// Inputs that could not be used; they are not in the output.
    pub problems: Vec<Problem>,
    /// Documents removed because they duplicate a document stored in the
    /// index of [`clean_against`].
    pub stored: usize,
}

/// Collects what the write pass needs from the scan pass.
#[derive(Default)]
struct Collect {
    lengths: Vec<usize>,
    hashes: Vec<u64>,
    /// Documents whose decoding loses bytes, with the reason.
    lossy: HashMap<u32, String>,
    /// Documents in a legacy encoding, to encode again if they are
    /// candidates to be kept in another's place.
    unsure: HashMap<u32, Reencode>,
    report: CorpusReport,
    problems: Vec<Problem>,
    /// Documents that duplicate a stored document, by number.
    stored: HashMap<u32, StoredMatch>,
    /// Score at which a document counts as damaged (`--drop-damaged`).
    drop_damaged: Option<f64>,
    /// Documents whose damage score reaches `drop_damaged`, with it.
    damaged: HashMap<u32, f64>,
}

impl Sink for Collect {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        let number = self.lengths.len() as u32;
        match decoding_loss(&doc.document) {
            Loss::None => {}
            Loss::Lost(reason) => {
                self.lossy.insert(number, reason);
            }
            Loss::Unsure(reencode) => {
                self.unsure.insert(number, reencode);
            }
        }
        if let Some(threshold) = self.drop_damaged {
            let score = Damage::of(doc.document.text()).score();
            if score >= threshold {
                self.damaged.insert(number, score);
            }
        }
        self.lengths.push(doc.document.text().len());
        self.hashes.push(doc.sketch.exact);
        Ok(())
    }
    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.problems.push(problem.clone());
        Ok(())
    }
    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.report = report;
        Ok(())
    }
}

/// The decisions of the scan pass, shared by the write pass.
pub(super) struct Decisions {
    /// Removed document → the document kept in its place.
    pub(super) removed: HashMap<u32, u32>,
    /// Removed documents that lie inside the document kept in their place
    /// (also in `removed`), with their containment.
    pub(super) contained: HashMap<u32, f64>,
    /// Documents removed because they duplicate a stored document.
    pub(super) stored: HashMap<u32, StoredMatch>,
    /// Repeated segments by the document they are removed from.
    repeated: HashMap<u32, Vec<RepeatedSegment>>,
    /// First occurrences referenced by a removal: (document, segment).
    referenced: HashSet<(u32, u32)>,
    /// Documents kept in the place of removed ones.
    kept_twins: HashSet<u32>,
    /// Members of duplicate clusters and removed duplicates: their cluster
    /// and how close they are to their kept twin.
    pub(super) clustered: HashMap<u32, Clustered>,
    /// Boilerplate line hashes by group.
    boilerplate: HashMap<String, HashSet<u64>>,
    lengths: Vec<usize>,
    pub(super) hashes: Vec<u64>,
    /// Remove later copies of blocks inside documents, keeping which way.
    blocks: Option<Keep>,
    /// Documents refused in the scan pass, with the reason; never kept in
    /// another's place nor the first occurrence of a removed segment.
    refused: HashMap<u32, String>,
    /// Write documents whose re-encoding is not exact anyway.
    allow_lossy: bool,
    /// Repair Latin mojibake in the text kept.
    repair: bool,
    /// Documents dropped as damaged, with their damage score.
    pub(super) damaged: HashMap<u32, f64>,
    /// Where each document came from, to read it again.
    pub(super) origins: Vec<Origin>,
    entry_of: Vec<u32>,
}

impl Decisions {
    fn located(&self) -> Located<'_> {
        Located {
            origins: &self.origins,
            entry_of: &self.entry_of,
        }
    }
}

/// A duplicate document: a member of a reported cluster, or removed by
/// the removal rule, or both.
#[derive(Clone, Copy, Debug)]
pub(super) struct Clustered {
    /// The number of the cluster it is in, if any: clusters are numbered
    /// from 0 in the order of their first members.
    pub(super) cluster: Option<u32>,
    /// Removed: its normalized text is its kept twin's.
    pub(super) exact: bool,
    /// Removed: its verified similarity to its kept twin (1.0 when
    /// `exact`).
    pub(super) similarity: f64,
}

/// Runs clean over `entries` (expanded from `inputs`).
pub fn clean(
    engine: &Engine,
    inputs: &[PathBuf],
    entries: &[Entry],
    problems: Vec<Problem>,
    options: &CleanOptions,
    progress: &dyn Progress,
) -> Result<CleanReport, CleanError> {
    clean_against(engine, inputs, entries, problems, options, progress, None)
}

/// Runs clean over `entries`, also removing, with `against`, every
/// document that duplicates a document stored in that index (its text is
/// kept in the manifest, with the stored document it matches). Stored
/// documents count as kept before every input: the removal rule decides
/// among the inputs that duplicate no stored document. The engine must
/// make sketches the index can compare ([`Index::check_params`]) and look
/// for documents.
pub fn clean_against(
    engine: &Engine,
    inputs: &[PathBuf],
    entries: &[Entry],
    problems: Vec<Problem>,
    options: &CleanOptions,
    progress: &dyn Progress,
    against: Option<&Index>,
) -> Result<CleanReport, CleanError> {
    let layout = Layout::new(inputs);
    let mut problems = problems;
    let entries = usable_entries(&layout, entries, &mut problems);
    let entries = entries.as_slice();
    let origins: Vec<Origin> = entries.iter().map(|e| e.origin.clone()).collect();
    let mut lock = if options.dry_run {
        None
    } else {
        layout.check_not_inside(&options.out)?;
        layout.check_collisions(&options.out, &origins)?;
        Some(OutLock::acquire(&options.out)?)
    };
    let scanned = scan_pass(engine, entries, problems, options, progress, against)?;
    write_passes(
        engine,
        entries,
        scanned,
        options,
        &layout,
        progress,
        lock.as_mut(),
    )
}

/// What the scan pass found and decided.
pub(super) struct Scanned {
    pub(super) summary: Summary,
    pub(super) decisions: Decisions,
    pub(super) problems: Vec<Problem>,
}

/// Pass 1: the engine's scan, and the decisions made from it.
pub(super) fn scan_pass(
    engine: &Engine,
    entries: &[Entry],
    problems: Vec<Problem>,
    options: &CleanOptions,
    progress: &dyn Progress,
    against: Option<&Index>,
) -> Result<Scanned, CleanError> {
    progress.start("scanning", entries.iter().map(entry_size).sum());
    let mut collect = Collect {
        drop_damaged: options.drop_damaged,
        ..Collect::default()
    };
    let summary = engine.scan(
        entries,
        problems,
        &mut Progressing {
            inner: &mut collect,
            progress,
            against,
        },
    )?;
    progress.finish();
    if !options.allow_lossy {
        check_reencoding(engine, entries, &mut collect);
    }
    let damage = if options.keep == Keep::Cleanest {
        damage_scores(engine, entries, &collect.report)
    } else {
        HashMap::new()
    };
    let decisions = decide(collect_decisions(&mut collect, &damage, options));
    Ok(Scanned {
        summary,
        decisions,
        problems: collect.problems,
    })
}

/// Passes 2 and 3: the cleaned files and the manifest, renamed into place
/// last.
fn write_passes(
    engine: &Engine,
    entries: &[Entry],
    scanned: Scanned,
    options: &CleanOptions,
    layout: &Layout,
    progress: &dyn Progress,
    lock: Option<&mut OutLock>,
) -> Result<CleanReport, CleanError> {
    let Scanned {
        summary,
        decisions,
        mut problems,
    } = scanned;
    let mut writer = Writer::new(options, layout)?;
    progress.start("writing", entries.iter().map(entry_size).sum());
    let mut twins = TwinTexts::new((!options.dry_run).then_some(options.out.as_path()))?;
    let refused = write_pass(
        engine,
        entries,
        &decisions,
        &mut writer,
        &mut twins,
        progress,
    )?;
    progress.finish();
    twin_pass(engine, entries, &decisions, &mut writer, &twins.finish()?)?;
    let (manifest, lines) = writer.finish(lock)?;
    problems.extend(refused);
    Ok(CleanReport {
        scan: summary,
        manifest,
        lines,
        problems,
        stored: decisions.stored.len(),
    })
}

/// The entries `clean` can honour; the others become problems: inputs whose
/// output name is not valid UTF-8 (the manifest records names as strings,
/// so two such names could land on one file). Pipes are read once and kept
/// for every pass, and devices are refused, where inputs are read
/// ([`crate::input`]).
pub(super) fn usable_entries(
    layout: &Layout,
    entries: &[Entry],
    problems: &mut Vec<Problem>,
) -> Vec<Entry> {
    let mut usable = Vec::with_capacity(entries.len());
    for entry in entries {
        match refusal(layout, entry) {
            Some(message) => problems.push(Problem {
                origin: entry.origin.clone(),
                message,
            }),
            None => usable.push(entry.clone()),
        }
    }
    usable
}

fn refusal(layout: &Layout, entry: &Entry) -> Option<String> {
    if layout.output_name(&entry.origin).is_none() {
        return Some(format!(
            "its output name {:?} is not valid UTF-8, which the manifest cannot record; rename it",
            layout.relative(&entry.origin)
        ));
    }
    None
}

/// How a document's decoded text compares with its input bytes, as far as
/// the scan pass can tell cheaply.
enum Loss {
    /// Re-encoding gives the input bytes back (UTF-8 or UTF-16 without
    /// malformed sequences and of the input's length), or the document is a
    /// JSON Lines record, whose text is exact (its line is checked when it
    /// is written).
    None,
    /// Bytes are lost, for this reason.
    Lost(String),
    /// A legacy encoding: only encoding the text again tells.
    Unsure(Reencode),
}

/// What encoding a text again needs.
#[derive(Clone, Copy)]
struct Reencode {
    encoding: &'static encoding_rs::Encoding,
    bom: bool,
    input_bytes: usize,
}

impl Reencode {
    /// Why the text does not encode back to the input's length, if so.
    fn loss(&self, text: &str) -> Option<String> {
        let encoded = encode(text, self.encoding, self.bom).map(|bytes| bytes.len());
        (encoded != Some(self.input_bytes)).then(|| not_the_input(self.encoding))
    }
}

/// Why a document whose text encodes to other bytes is refused.
fn not_the_input(encoding: &'static encoding_rs::Encoding) -> String {
    format!(
        "its text written back as {} is not the input's bytes",
        encoding.name()
    )
}

/// Whether re-encoding a decoded document could give its input bytes back:
/// malformed sequences, or a UTF-8 or UTF-16 text of another length, lose
/// bytes; a legacy encoding is checked later, for the documents that may be
/// kept in another's place ([`check_reencoding`]). The write pass checks
/// the bytes of every document.
fn decoding_loss(document: &Document) -> Loss {
    if matches!(document.origin, Origin::Record { .. }) {
        return Loss::None;
    }
    let decoded = &document.decoded;
    if decoded.malformed > 0 {
        return Loss::Lost(format!(
            "decoding it as {} replaced {} malformed sequence{}",
            decoded.encoding.name(),
            decoded.malformed,
            if decoded.malformed == 1 { "" } else { "s" }
        ));
    }
    let length = if decoded.encoding == encoding_rs::UTF_8 {
        decoded.text.len() + if decoded.bom { 3 } else { 0 }
    } else if decoded.encoding == encoding_rs::UTF_16LE || decoded.encoding == encoding_rs::UTF_16BE
    {
        2 * decoded.text.encode_utf16().count() + if decoded.bom { 2 } else { 0 }
    } else {
        return Loss::Unsure(Reencode {
            encoding: decoded.encoding,
            bom: decoded.bom,
            input_bytes: document.input_bytes,
        });
    };
    if length == document.input_bytes {
        Loss::None
    } else {
        Loss::Lost(not_the_input(decoded.encoding))
    }
}

/// Encodes again the duplicate documents whose legacy encoding the scan
/// pass could not vouch for (any duplicate may be kept in another's
/// place), so none that loses bytes is kept in another's place.
fn check_reencoding(engine: &Engine, entries: &[Entry], collect: &mut Collect) {
    let mut members: Vec<u32> = collect
        .report
        .duplicates
        .documents()
        .into_iter()
        .chain((collect.report.contained.iter()).flat_map(|found| [found.doc, found.container]))
        .filter(|m| collect.unsure.contains_key(m))
        .collect();
    if members.is_empty() {
        return;
    }
    members.sort_unstable();
    members.dedup();
    let unsure = &collect.unsure;
    let lost = read_again(
        engine,
        entries,
        collect.report.located(),
        &members,
        |doc, text| unsure.get(&doc)?.loss(text),
    );
    collect.lossy.extend(lost);
}

/// The message of a document refused because it would not restore exactly.
fn lossy_message(reason: &str) -> String {
    format!(
        "would not restore byte for byte ({reason}); left out of the output: \
         pass --allow-lossy to write it anyway"
    )
}

pub(super) fn entry_size(entry: &Entry) -> u64 {
    match entry.origin.file() {
        Some(path) => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        None => 0,
    }
}

/// Passes results on and advances the progress bar.
struct Progressing<'a> {
    inner: &'a mut Collect,
    progress: &'a dyn Progress,
    against: Option<&'a Index>,
}

impl Sink for Progressing<'_> {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        self.progress.advance(doc.document.input_bytes as u64);
        if let Some(found) = self
            .against
            .map(|index| index.lookup_counted(&doc.sketch))
            .transpose()?
            .flatten()
        {
            let number = self.inner.lengths.len() as u32;
            self.inner.stored.insert(number, found);
        }
        self.inner.document(doc)
    }
    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.inner.problem(problem)
    }
    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.inner.corpus(report)
    }
}

/// Damage scores of the duplicate documents (every document the removal
/// rule orders), read again.
fn damage_scores(engine: &Engine, entries: &[Entry], report: &CorpusReport) -> HashMap<u32, f64> {
    let members = report.duplicates.documents();
    read_again(engine, entries, report.located(), &members, |_, text| {
        Some(Damage::of(text).score())
    })
}

/// Reads documents `docs` again in a pass of the engine's driver and maps
/// each decoded text with `f`, keeping the results by document number.
fn read_again<T: Send>(
    engine: &Engine,
    entries: &[Entry],
    located: Located<'_>,
    docs: &[u32],
    f: impl Fn(u32, &str) -> Option<T> + Sync,
) -> HashMap<u32, T> {
    let mut found = HashMap::with_capacity(docs.len());
    let which = Which::Numbered { docs, located };
    let read: Result<(), std::convert::Infallible> = engine.pass(
        entries,
        which,
        |doc| {
            let (number, text) = doc.numbered_text()?;
            Some((number, f(number, text)?))
        },
        |results| {
            found.extend(results.into_iter().flatten());
            Ok(())
        },
    );
    let Ok(()) = read;
    found
}

fn collect_decisions(
    collect: &mut Collect,
    damage: &HashMap<u32, f64>,
    options: &CleanOptions,
) -> Decisions {
    let CorpusReport {
        origins,
        entry_of,
        clusters,
        duplicates,
        repeated,
        boilerplate: found_boilerplate,
        contained,
        ..
    } = std::mem::take(&mut collect.report);
    let mut boilerplate: HashMap<String, HashSet<u64>> = HashMap::new();
    if options.boilerplate {
        for found in &found_boilerplate {
            boilerplate
                .entry(found.group.clone())
                .or_default()
                .insert(found.hash);
        }
    }
    let refused = if options.allow_lossy {
        HashMap::new()
    } else {
        std::mem::take(&mut collect.lossy)
    };
    // A refused document is not written at all: it is not removed either.
    let mut stored = std::mem::take(&mut collect.stored);
    stored.retain(|doc, _| !refused.contains_key(doc));
    let mut decisions = Decisions {
        removed: HashMap::new(),
        contained: HashMap::new(),
        stored,
        repeated: HashMap::new(),
        referenced: HashSet::new(),
        kept_twins: HashSet::new(),
        clustered: HashMap::new(),
        boilerplate,
        lengths: std::mem::take(&mut collect.lengths),
        hashes: std::mem::take(&mut collect.hashes),
        blocks: options.blocks.then_some(options.keep),
        refused,
        allow_lossy: options.allow_lossy,
        repair: options.repair,
        damaged: HashMap::new(),
        origins,
        entry_of,
    };
    if options.documents {
        // Refused documents are not written; stored duplicates are
        // removed anyway (the stored document is kept before every input).
        let removals = duplicates.removals(
            |doc| decisions.refused.contains_key(&doc) || decisions.stored.contains_key(&doc),
            |a, b| precedes(options.keep, &decisions.lengths, damage, a, b),
        );
        note_duplicates(&mut decisions, &clusters, &removals);
    }
    decisions.damaged = damaged_alone(collect, &decisions, &duplicates);
    if options.documents {
        remove_contained(&mut decisions, &contained);
    }
    if options.segments {
        for repeat in repeated {
            decisions
                .repeated
                .entry(repeat.doc)
                .or_default()
                .push(repeat);
        }
    }
    decisions
}

/// Removes each contained document whose container is kept, in favour of
/// it (see [`contained_removals`]).
fn remove_contained(decisions: &mut Decisions, contained: &[Contained]) {
    let written = |doc: u32| {
        !(decisions.refused.contains_key(&doc)
            || decisions.stored.contains_key(&doc)
            || decisions.damaged.contains_key(&doc)
            || decisions.removed.contains_key(&doc))
    };
    let removals = contained_removals(contained, written, |doc| {
        decisions.clustered.contains_key(&doc)
    });
    for found in removals {
        decisions.removed.insert(found.doc, found.container);
        decisions.contained.insert(found.doc, found.containment);
    }
}

/// The contained documents to remove: each one `written` (so far) and not
/// `clustered` (its cluster decides) whose container is written and not
/// removed here, so that its kept twin is a document it was verified to lie
/// inside. A container has more shingles than what it contains, so a chain
/// of containers always ends; each chain is settled from its top down.
fn contained_removals(
    contained: &[Contained],
    written: impl Fn(u32) -> bool,
    clustered: impl Fn(u32) -> bool,
) -> Vec<Contained> {
    let container_of: HashMap<u32, u32> = contained
        .iter()
        .map(|found| (found.doc, found.container))
        .collect();
    let mut goes: HashMap<u32, bool> = HashMap::new();
    for found in contained {
        let mut chain = vec![found.doc];
        let mut top = found.doc;
        while let Some(&up) = container_of.get(&top) {
            let settled = goes.contains_key(&up) || !container_of.contains_key(&up);
            if settled || chain.len() > contained.len() {
                break;
            }
            chain.push(up);
            top = up;
        }
        while let Some(doc) = chain.pop() {
            let Some(&container) = container_of.get(&doc) else {
                continue;
            };
            let container_kept =
                written(container) && !goes.get(&container).copied().unwrap_or(false);
            let alone = written(doc) && !clustered(doc);
            goes.entry(doc).or_insert(alone && container_kept);
        }
    }
    contained
        .iter()
        .filter(|found| goes.get(&found.doc).copied().unwrap_or(false))
        .copied()
        .collect()
}

/// The damaged documents that `--drop-damaged` drops: those not refused,
/// not removed as stored duplicates, and without an exact or near
/// duplicate (there dedup keeps the cleanest, and removed documents are
/// rebuilt from their kept twins).
fn damaged_alone(
    collect: &mut Collect,
    decisions: &Decisions,
    duplicates: &DuplicateGraph,
) -> HashMap<u32, f64> {
    let mut damaged = std::mem::take(&mut collect.damaged);
    let clustered: HashSet<u32> = duplicates.documents().into_iter().collect();
    damaged.retain(|doc, _| {
        !decisions.refused.contains_key(doc)
            && !decisions.stored.contains_key(doc)
            && !clustered.contains(doc)
    });
    damaged
}

/// Notes the rule's removals (each with its kept twin, and how close it
/// is to it) and each cluster member's cluster number.
fn note_duplicates(decisions: &mut Decisions, clusters: &[Cluster], removals: &Removals) {
    for removed in &removals.removed {
        decisions.removed.insert(removed.doc, removed.twin);
        decisions.clustered.insert(
            removed.doc,
            Clustered {
                cluster: None,
                exact: removed.exact,
                similarity: removed.similarity,
            },
        );
    }
    for (number, cluster) in clusters.iter().enumerate() {
        for &member in &cluster.members {
            decisions
                .clustered
                .entry(member)
                .or_insert(Clustered {
                    cluster: None,
                    exact: false,
                    similarity: 1.0,
                })
                .cluster = Some(number as u32);
        }
    }
}

/// Drops repeated segments whose first occurrence is in a removed document
/// or which sit in a removed document, and notes the references kept.
fn decide(mut decisions: Decisions) -> Decisions {
    let mut removed = decisions.removed.clone();
    removed.extend(decisions.stored.keys().map(|&doc| (doc, doc)));
    removed.extend(decisions.damaged.keys().map(|&doc| (doc, doc)));
    let refused = decisions.refused.clone();
    decisions
        .repeated
        .retain(|doc, _| !removed.contains_key(doc) && !refused.contains_key(doc));
    for repeats in decisions.repeated.values_mut() {
        repeats
            .retain(|r| !removed.contains_key(&r.first_doc) && !refused.contains_key(&r.first_doc));
    }
    decisions.kept_twins = decisions.removed.values().copied().collect();
    decisions.referenced = decisions
        .repeated
        .values()
        .flatten()
        .map(|r| (r.first_doc, r.first_segment))
        .collect();
    decisions
}

/// The keep policy as an order of documents, the one to keep first before
/// (the removal rule breaks ties by document number): `first` keeps the
/// earliest, `longest` the longest text, `cleanest` the lowest damage
/// score (scores are known for every duplicate document,
/// [`damage_scores`]).
fn precedes(
    keep: Keep,
    lengths: &[usize],
    damage: &HashMap<u32, f64>,
    a: u32,
    b: u32,
) -> std::cmp::Ordering {
    let score = |doc: u32| damage.get(&doc).copied().unwrap_or(0.0);
    let length = |doc: u32| lengths.get(doc as usize).copied().unwrap_or(0);
    match keep {
        Keep::First => std::cmp::Ordering::Equal,
        Keep::Longest => length(b).cmp(&length(a)),
        Keep::Cleanest => score(a).total_cmp(&score(b)),
    }
}

/// Hands out document numbers in order, from 0; past `u32::MAX` numbers
/// it is an error rather than a wrap.
#[derive(Debug, Default)]
pub(super) struct Numbering {
    next: u32,
}

impl Numbering {
    #[cfg(test)]
    fn starting_at(next: u32) -> Numbering {
        Numbering { next }
    }

    /// The next number.
    pub(super) fn take(&mut self) -> Result<u32, CleanError> {
        let number = self.next;
        self.next = number.checked_add(1).ok_or(CleanError::TooMany)?;
        Ok(number)
    }

    /// How many numbers were handed out.
    pub(super) fn count(&self) -> usize {
        self.next as usize
    }

    /// Numbers the documents of a later pass, each of which must be the
    /// one the scan pass numbered at that place (`origins`): a document
    /// that moved, appeared, or cannot be read now though it was then is
    /// [`CleanError::Changed`]. Inputs unreadable in both passes are left
    /// out, as the scan pass left them.
    pub(super) fn again(
        &mut self,
        scanned: Vec<Result<Rescanned, Origin>>,
        origins: &[Origin],
    ) -> Result<Vec<(u32, Rescanned)>, CleanError> {
        let mut numbered = Vec::with_capacity(scanned.len());
        for rescanned in scanned {
            let expected = origins.get(self.count());
            match rescanned {
                Ok(rescanned) => {
                    if expected != Some(&rescanned.doc.document.origin) {
                        return Err(CleanError::Changed(
                            rescanned.doc.document.origin.to_string(),
                        ));
                    }
                    numbered.push((self.take()?, rescanned));
                }
                Err(origin) if expected == Some(&origin) => {
                    return Err(CleanError::Changed(origin.to_string()));
                }
                Err(_) => {}
            }
        }
        Ok(numbered)
    }
}

/// Pass 2: every document read, planned and written in order. Returns the
/// documents refused because they would not restore exactly. Every
/// document the scan pass numbered must be met again, in order.
fn write_pass(
    engine: &Engine,
    entries: &[Entry],
    decisions: &Decisions,
    writer: &mut Writer,
    twins: &mut TwinTexts,
    progress: &dyn Progress,
) -> Result<Vec<Problem>, CleanError> {
    let mut numbering = Numbering::default();
    let mut refused = Vec::new();
    engine.pass(
        entries,
        Which::All,
        |doc| rescan(engine, doc),
        |scanned| {
            let numbered: Vec<(u32, Rescanned)> = numbering.again(scanned, &decisions.origins)?;
            let planned: Vec<Result<Planned, CleanError>> = numbered
                .into_par_iter()
                .map(|(number, rescanned)| {
                    plan_document(number, rescanned, entries, decisions, writer.layout)
                })
                .collect();
            for planned in planned {
                let mut planned = planned?;
                progress.advance(planned.document.input_bytes as u64);
                if let Some(problem) = planned.refused.take() {
                    writer.refuse(planned.document.doc)?;
                    refused.push(problem);
                    continue;
                }
                if let Some(text) = planned.twin_text.take() {
                    twins.push(planned.document.doc, &text)?;
                }
                writer.write(planned)?;
            }
            Ok::<(), CleanError>(())
        },
    )?;
    if let Some(missing) = decisions.origins.get(numbering.count()) {
        return Err(CleanError::Changed(missing.to_string()));
    }
    Ok(refused)
}

/// A document read and scanned again: its scan, the entry it came from, the
/// xxh3 and size of its input bytes, and for a record its line as read.
pub(super) struct Rescanned {
    pub(super) doc: ScannedDoc,
    pub(super) entry: u32,
    pub(super) hash: u64,
    len: usize,
    pub(super) raw: Option<String>,
}

/// Scans a document read again; the origin of one that could not be read.
pub(super) fn rescan(engine: &Engine, doc: PassDoc) -> Result<Rescanned, Origin> {
    match doc.outcome {
        ReadOutcome::Decoded(decoded) => Ok(Rescanned {
            doc: engine.scan_document(decoded.document, decoded.group),
            entry: decoded.entry,
            hash: decoded.input_xxh3,
            len: decoded.input_len,
            raw: decoded.raw_line,
        }),
        ReadOutcome::Failed(problem) => Err(problem.origin),
        ReadOutcome::SkippedBinary(origin) => Err(origin),
    }
}

fn plan_document(
    number: u32,
    rescanned: Rescanned,
    entries: &[Entry],
    decisions: &Decisions,
    layout: &Layout,
) -> Result<Planned, CleanError> {
    let Rescanned {
        doc,
        entry,
        hash: input_hash,
        len: input_bytes,
        raw,
    } = rescanned;
    let doc = &doc;
    if decisions.hashes.get(number as usize) != Some(&doc.sketch.exact) {
        return Err(CleanError::Changed(doc.document.origin.to_string()));
    }
    let text = doc.document.text();
    let plan = plan_for(number, doc, decisions);
    let decoded = &doc.document.decoded;
    let removed_whole = decisions.removed.contains_key(&number)
        || decisions.stored.contains_key(&number)
        || decisions.damaged.contains_key(&number);
    let text_field = entries[entry as usize]
        .jsonl
        .as_ref()
        .map(|o| o.text_field.clone());
    let is_record = raw.is_some();
    let table = super::parquet_rows::table_input(&entries[entry as usize]);
    let (input_hash, input_bytes, raw) = match table {
        // A row's own bytes are its text; the table line checks the rest.
        Some(_) => (xxh3_64(text.as_bytes()), text.len(), None),
        None => (input_hash, input_bytes, raw),
    };
    let (lossless, record) = match (&raw, &doc.document.origin, text_field) {
        (None, Origin::Record { line, id, .. }, Some(text_field)) if table.is_some() => (
            true,
            Some(RecordLine {
                line: *line,
                id: Some(id.clone()),
                skeleton: None,
                text_field,
            }),
        ),
        (Some(raw), Origin::Record { line, id, .. }, Some(text_field)) => (
            replace_text(raw, &text_field, text).is_ok_and(|line| &line == raw),
            Some(RecordLine {
                line: *line,
                id: Some(id.clone()),
                skeleton: removed_whole
                    .then(|| replace_text(raw, &text_field, "").unwrap_or_default()),
                text_field,
            }),
        ),
        _ => (
            decoded.malformed == 0
                && encode(text, decoded.encoding, decoded.bom)
                    .is_some_and(|bytes| xxh3_64(&bytes) == input_hash),
            None,
        ),
    };
    let refused = match decisions.refused.get(&number) {
        Some(reason) => Some(lossy_message(reason)),
        None if !lossless && !decisions.allow_lossy => Some(lossy_message(&if is_record {
            "its JSON string would not be written back as it was".to_owned()
        } else {
            not_the_input(decoded.encoding)
        })),
        None => None,
    };
    let cleaned = plan.apply(text);
    let firsts = doc
        .segments
        .iter()
        .enumerate()
        .filter(|(at, _)| decisions.referenced.contains(&(number, *at as u32)))
        .map(|(at, span)| {
            (
                at as u32,
                raw_hash(&text[span.bytes.clone()]),
                [span.bytes.start, span.bytes.end],
            )
        })
        .collect();
    let twin_text = decisions
        .kept_twins
        .contains(&number)
        .then(|| text.to_owned());
    let output = layout
        .output_name(&doc.document.origin)
        .ok_or_else(|| CleanError::Changed(doc.document.origin.to_string()))?;
    Ok(Planned {
        refused: refused.map(|message| Problem {
            origin: doc.document.origin.clone(),
            message,
        }),
        twin_text,
        entry,
        raw,
        table,
        document: DocumentLine {
            doc: number,
            path: doc.document.origin.report_path(),
            output,
            written: !removed_whole,
            encoding: decoded.encoding.name().to_owned(),
            bom: decoded.bom,
            lossless,
            input_bytes,
            input_xxh3: format!("{input_hash:016x}"),
            bytes: text.len(),
            text_xxh3: format!("{:016x}", xxh3_64(text.as_bytes())),
            output_bytes: cleaned.len(),
            output_xxh3: format!("{:016x}", xxh3_64(cleaned.as_bytes())),
            record,
        },
        removed_texts: plan
            .removals
            .iter()
            .map(|r| text[r.bytes.clone()].to_owned())
            .collect(),
        content_hashes: plan
            .removals
            .iter()
            .map(|r| raw_hash(&text[r.content.bytes.clone()]))
            .collect(),
        own_twins: plan
            .removals
            .iter()
            .map(|r| match &r.twin {
                Some(Twin { doc: None, bytes }) => Some(text[bytes.clone()].to_owned()),
                _ => None,
            })
            .collect(),
        cleaned,
        plan,
        firsts,
    })
}

/// The removals of document `number` (its scan number), as decided.
pub(super) fn plan_for(number: u32, doc: &ScannedDoc, decisions: &Decisions) -> Plan {
    let text = doc.document.text();
    let mut plan = Plan::default();
    if let Some(&kept) = decisions.removed.get(&number) {
        let reason = if decisions.contained.contains_key(&number) {
            Reason::Contained
        } else {
            Reason::DuplicateDocument
        };
        plan_whole(
            &mut plan,
            text,
            &doc.index,
            reason,
            kept,
            decisions.lengths.get(kept as usize).copied().unwrap_or(0),
        );
    } else if decisions.stored.contains_key(&number) {
        plan_stored(&mut plan, text, &doc.index);
    } else if decisions.damaged.contains_key(&number) {
        plan_damaged(&mut plan, text, &doc.index);
    } else {
        if let Some(keep) = decisions.blocks {
            plan_blocks(&mut plan, text, &doc.index, &doc.blocks, keep);
        }
        plan_repeated(&mut plan, doc, decisions.repeated.get(&number));
        plan_boilerplate(&mut plan, doc, decisions.boilerplate.get(&doc.group));
        if decisions.repair {
            plan_mojibake(&mut plan, text, &doc.index);
        }
    }
    plan
}

/// Plans the removal of a whole document that duplicates a stored one: no
/// twin in the inputs, so pass 3 records its text.
fn plan_stored(plan: &mut Plan, text: &str, index: &crate::document::LineIndex) {
    if text.is_empty() {
        return;
    }
    plan.add(Removal {
        bytes: 0..text.len(),
        content: index.span(0..text.len()),
        reason: Reason::DuplicateDocument,
        replacement: String::new(),
        twin: None,
    });
}

/// Plans the removal of a whole document too damaged to keep
/// (`--drop-damaged`): no twin, so its text goes into the manifest.
fn plan_damaged(plan: &mut Plan, text: &str, index: &crate::document::LineIndex) {
    if text.is_empty() {
        return;
    }
    plan.add(Removal {
        bytes: 0..text.len(),
        content: index.span(0..text.len()),
        reason: Reason::Damaged,
        replacement: String::new(),
        twin: None,
    });
}

/// Plans the repair of each stretch of Latin mojibake that no other
/// removal touches (`--repair`).
fn plan_mojibake(plan: &mut Plan, text: &str, index: &crate::document::LineIndex) {
    for repair in crate::quality::mojibake::detect(text) {
        plan.add(Removal {
            content: index.span(repair.bytes.clone()),
            bytes: repair.bytes,
            reason: Reason::Repaired,
            replacement: repair.text,
            twin: None,
        });
    }
}

fn raw_hash(text: &str) -> u64 {
    xxh3_64_with_seed(text.as_bytes(), 7)
}

fn plan_repeated(plan: &mut Plan, doc: &ScannedDoc, repeats: Option<&Vec<RepeatedSegment>>) {
    for repeat in repeats.into_iter().flatten() {
        let Some(span) = doc.segments.get(repeat.segment as usize) else {
            continue;
        };
        let twin = Twin {
            doc: Some(repeat.first_doc),
            bytes: repeat.first_segment as usize..repeat.first_segment as usize,
        };
        plan_span(
            plan,
            doc.document.text(),
            &doc.index,
            span.clone(),
            Reason::RepeatedSegment,
            Some(twin),
        );
    }
}

fn plan_boilerplate(plan: &mut Plan, doc: &ScannedDoc, hashes: Option<&HashSet<u64>>) {
    let Some(hashes) = hashes else { return };
    let text = doc.document.text();
    for line in 1..=doc.index.line_count() {
        let bytes = doc.index.line_bytes(line);
        let trimmed = text[bytes.clone()].trim();
        if trimmed.is_empty() || !hashes.contains(&xxh3_64(trimmed.as_bytes())) {
            continue;
        }
        let start =
            bytes.start + (text[bytes.clone()].len() - text[bytes.clone()].trim_start().len());
        let span = doc.index.span(start..start + trimmed.len());
        plan_span(plan, text, &doc.index, span, Reason::Boilerplate, None);
    }
}

/// Pass 3: the removal line of every removed duplicate document, with the
/// edit script that rebuilds it from its kept twin (or its whole text when
/// the twin was refused in the write pass). Only the removed documents are
/// read again; their twins come from `twins`, so memory holds one batch
/// whatever the number of duplicates. Documents are numbered as in the
/// manifest by `numbers` (scan number → manifest number).
fn twin_pass(
    engine: &Engine,
    entries: &[Entry],
    decisions: &Decisions,
    writer: &mut Writer,
    twins: &TwinReader,
) -> Result<(), CleanError> {
    let numbers = writer.numbers().to_vec();
    let number_of = |doc: u32| numbers.get(doc as usize).copied().flatten();
    let mut removed: Vec<u32> = decisions
        .removed
        .keys()
        .chain(decisions.stored.keys())
        .copied()
        .filter(|&doc| number_of(doc).is_some())
        .collect();
    removed.sort_unstable();
    let mut written = HashSet::with_capacity(removed.len());
    let which = Which::Numbered {
        docs: &removed,
        located: decisions.located(),
    };
    engine.pass(
        entries,
        which,
        |doc| {
            let (doc, text) = doc.numbered_text()?;
            let number = number_of(doc)?;
            if let Some(found) = decisions.stored.get(&doc) {
                let record = decisions.origins.get(doc as usize).and_then(RecordRef::of);
                return Some((doc, Ok(stored_removal(number, text, found, record))));
            }
            let kept = *decisions.removed.get(&doc)?;
            let record = decisions.origins.get(doc as usize).and_then(RecordRef::of);
            let (reason, similarity) = match decisions.contained.get(&doc) {
                Some(&containment) => (Reason::Contained, Some(containment)),
                None => (
                    Reason::DuplicateDocument,
                    decisions.clustered.get(&doc).map(|c| c.similarity),
                ),
            };
            let line = twins.text(kept).map(|twin| {
                let mut line = RemovalLine {
                    doc: number,
                    reason,
                    bytes: [0, text.len()],
                    lines: [1, crate::document::LineIndex::new(text).line_count()],
                    replacement_bytes: 0,
                    twin: None,
                    edits: None,
                    text: None,
                    stored: None,
                    record,
                    similarity,
                };
                match (number_of(kept), twin) {
                    (Some(kept), Some(twin)) => {
                        line.twin = Some(TwinRef {
                            doc: Some(kept),
                            bytes: [0, twin.len()],
                        });
                        line.edits = Some(diff(&twin, text));
                    }
                    _ => line.text = Some(text.to_owned()),
                }
                line
            });
            Some((doc, line))
        },
        |lines| -> Result<(), CleanError> {
            for (doc, line) in lines.into_iter().flatten() {
                let line = line?;
                written.insert(doc);
                writer.summary.removals += 1;
                writer.summary.removed_bytes += line.bytes[1];
                writer.line(Line::Removal(line))?;
            }
            Ok(())
        },
    )?;
    match removed.iter().find(|doc| !written.contains(doc)) {
        Some(&missing) => Err(CleanError::Changed(
            decisions
                .origins
                .get(missing as usize)
                .map_or_else(|| format!("document {missing}"), Origin::to_string),
        )),
        None => Ok(()),
    }
}

/// The removal line of a document that duplicates the stored document of
/// `found`: its whole text, and the stored document it matches.
fn stored_removal(
    number: u32,
    text: &str,
    found: &StoredMatch,
    record: Option<RecordRef>,
) -> RemovalLine {
    RemovalLine {
        doc: number,
        reason: Reason::DuplicateDocument,
        bytes: [0, text.len()],
        lines: [1, crate::document::LineIndex::new(text).line_count()],
        replacement_bytes: 0,
        twin: None,
        edits: None,
        text: Some(text.to_owned()),
        stored: Some(StoredRef {
            kind: if found.exact { "exact" } else { "near" }.to_owned(),
            similarity: found.similarity,
            path: found.stored.path.clone(),
            id: found.stored.id.clone(),
            line: found.stored.line,
        }),
        record,
        similarity: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{expand, InputOptions};
    use crate::EngineBuilder;

    fn contained(doc: u32, container: u32) -> Contained {
        Contained {
            doc,
            container,
            containment: 0.9,
        }
    }

    fn removed_docs(found: &[Contained], written: impl Fn(u32) -> bool) -> Vec<u32> {
        contained_removals(found, written, |doc| doc == 9)
            .iter()
            .map(|found| found.doc)
            .collect()
    }

    #[test]
    fn a_contained_document_goes_only_when_its_container_stays() {
        // 0 inside 1 inside 2: 1 goes in favour of 2, so 0 stays.
        let chain = [contained(0, 1), contained(1, 2)];
        assert_eq!(removed_docs(&chain, |_| true), [1]);
        // Listed the other way round, the same.
        let reversed = [contained(1, 2), contained(0, 1)];
        assert_eq!(removed_docs(&reversed, |_| true), [1]);
        // 2 is not written: 1 stays, so 0 goes in its favour.
        assert_eq!(removed_docs(&chain, |doc| doc != 2), [0]);
        // A longer chain alternates from its top down.
        let long = [
            contained(0, 1),
            contained(1, 2),
            contained(2, 3),
            contained(3, 4),
        ];
        assert_eq!(removed_docs(&long, |_| true), [1, 3]);
        // A clustered document stays, and one removed already is no container.
        assert_eq!(
            removed_docs(&[contained(9, 4)], |_| true),
            Vec::<u32>::new()
        );
        assert_eq!(
            removed_docs(&[contained(5, 6), contained(7, 6)], |doc| doc != 7),
            [5]
        );
    }

    #[test]
    fn keep_policies_order_documents_to_keep_first() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let lengths = [10, 30, 20];
        let damage = HashMap::from([(0, 0.5), (1, 0.0), (2, 0.5)]);
        let order = |keep, a, b| precedes(keep, &lengths, &damage, a, b);
        // Ties are left to the rule, which breaks them by number.
        assert_eq!(order(Keep::First, 2, 0), Equal);
        assert_eq!(order(Keep::Longest, 1, 2), Less);
        assert_eq!(order(Keep::Longest, 0, 2), Greater);
        assert_eq!(order(Keep::Cleanest, 1, 0), Less);
        assert_eq!(order(Keep::Cleanest, 0, 2), Equal);
        // A document without a score (none was read) counts as clean.
        assert_eq!(
            precedes(Keep::Cleanest, &lengths, &HashMap::new(), 0, 1),
            Equal
        );
    }

    #[test]
    fn numbers_stop_at_u32_max_instead_of_wrapping() {
        let mut numbering = Numbering::starting_at(u32::MAX - 2);
        assert_eq!(numbering.take().unwrap(), u32::MAX - 2);
        assert_eq!(numbering.take().unwrap(), u32::MAX - 1);
        let err = numbering.take().unwrap_err();
        assert!(matches!(err, CleanError::TooMany), "{err}");
        assert_eq!(
            err.to_string(),
            "more than 4294967295 documents; clean them in parts"
        );
    }

    /// Runs the scan pass over `names` in a new folder, calls `between`,
    /// then the write passes.
    fn clean_changing(
        files: &[(&str, &str)],
        between: impl FnOnce(&std::path::Path),
    ) -> (
        Result<CleanReport, CleanError>,
        std::path::PathBuf,
        tempfile::TempDir,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap();
        for (name, text) in files {
            std::fs::write(input.join(name), text).unwrap();
        }
        let out = dir.path().join("out");
        let options = CleanOptions {
            out: out.clone(),
            keep: Keep::First,
            documents: true,
            blocks: true,
            segments: true,
            boilerplate: false,
            dry_run: false,
            allow_lossy: false,
            repair: false,
            drop_damaged: None,
        };
        let inputs = vec![input.clone()];
        let (entries, _) = expand(&inputs, &InputOptions::default());
        let engine = EngineBuilder::new()
            .find(options.findings())
            .build()
            .expect("default settings are valid");
        let layout = Layout::new(&inputs);
        let scanned = scan_pass(&engine, &entries, vec![], &options, &Silent, None).unwrap();
        between(&input);
        let result = write_passes(&engine, &entries, scanned, &options, &layout, &Silent, None);
        (result, out, dir)
    }

    fn three() -> [(&'static str, &'static str); 3] {
        [
            ("a.txt", "the first document\n"),
            ("b.txt", "the second document\n"),
            ("c.txt", "the third document\n"),
        ]
    }

    #[test]
    fn a_last_document_deleted_between_passes_is_an_error() {
        let (result, out, _dir) = clean_changing(&three(), |input| {
            std::fs::remove_file(input.join("c.txt")).unwrap();
        });
        let err = result.unwrap_err();
        assert!(matches!(err, CleanError::Changed(_)), "{err}");
        assert!(err.to_string().contains("c.txt"), "{err}");
        assert!(!out.join("manifest.jsonl").exists());
        let left: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(
            left.iter()
                .all(|name| !name.to_string_lossy().ends_with(".tmp")),
            "{left:?}"
        );
    }

    #[test]
    fn trailing_records_cut_between_passes_are_an_error() {
        let records = "{\"text\":\"the first record\"}\n{\"text\":\"the second record\"}\n\
                       {\"text\":\"the third record\"}\n";
        let files = [("a.txt", "a document\n"), ("z.jsonl", records)];
        let (result, out, _dir) = clean_changing(&files, |input| {
            let first_two: String = records.lines().take(2).map(|l| format!("{l}\n")).collect();
            std::fs::write(input.join("z.jsonl"), first_two).unwrap();
        });
        let err = result.unwrap_err();
        assert!(err.to_string().contains("z.jsonl:3"), "{err}");
        assert!(!out.join("manifest.jsonl").exists());
    }

    #[test]
    fn a_last_document_emptied_between_passes_is_an_error() {
        let (result, _, _dir) = clean_changing(&three(), |input| {
            std::fs::write(input.join("b.txt"), "").unwrap();
        });
        let err = result.unwrap_err();
        assert!(err.to_string().contains("b.txt"), "{err}");
    }

    #[test]
    fn a_middle_document_deleted_between_passes_is_named() {
        let (result, _, _dir) = clean_changing(&three(), |input| {
            std::fs::remove_file(input.join("b.txt")).unwrap();
        });
        let err = result.unwrap_err();
        assert!(err.to_string().contains("b.txt"), "{err}");
    }
}
