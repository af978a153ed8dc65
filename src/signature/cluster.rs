//! Clustering from signature files alone: the reduce side of staged
//! deduplication.
//!
//! Documents are numbered across the files in the order given, exactly as a
//! scan of the same inputs in the same order numbers them, and go through
//! the same [`CorpusIndex`]: the first document of each exact hash is its
//! group's representative, whichever file it is in. Only then do band keys
//! matter: the representatives' keys are sorted within a memory budget and
//! merged from disk past it ([`super::bands`]); candidate pairs are verified
//! on the shingle sets where they lie in the mapped files
//! ([`SignatureSets`]; opening a file checked each set sorted), and joined into cliques by
//! [`CorpusIndex::clusters`].
//! What a scan would report, line for line, is handed to a
//! [`ClusterSink`]: the up-front input errors, each document and error in
//! order, the clusters and the totals.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::bands::BandSorter;
use super::read::{Row, SignatureFile};
use super::SignatureError;
use crate::detect::across::{AcrossConfig, Cluster, CorpusIndex, DocSketch};
use crate::detect::sets::{verify, MappedSets, SetCache, SetStore};
use crate::document::{escaped_path, Origin};
use crate::pipeline::{CorpusReport, DocumentFacts, Problem, Summary, TooManyDocuments};

/// Memory budgets of a cluster run.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClusterOptions {
    /// Bytes of band keys sorted in memory before they are sorted in runs
    /// on disk and merged (default 256 MiB).
    pub band_budget: usize,
    /// Bytes of shingle sets held at once while candidates are verified
    /// (default 64 MiB, as in a scan).
    pub verify_budget: usize,
    /// Bytes of shingle sets kept for the comparisons clique building adds
    /// (default 16 MiB, as in a scan).
    pub cache_budget: usize,
}

impl Default for ClusterOptions {
    fn default() -> ClusterOptions {
        ClusterOptions {
            band_budget: 256 << 20,
            verify_budget: 64 << 20,
            cache_budget: 16 << 20,
        }
    }
}

/// Receives what a cluster run reports, in the order a scan reports it.
/// Every method does nothing unless a sink needs it, as for [`Sink`](crate::Sink).
pub trait ClusterSink {
    /// Called once, before anything else.
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Called for each signed document, in input order: where it came from
    /// and what was recorded of it (no text: signature files hold none).
    fn document(&mut self, _origin: &Origin, _facts: &DocumentFacts) -> io::Result<()> {
        Ok(())
    }
    /// Called for each input the signing run could not use, in input order
    /// with the documents.
    fn problem(&mut self, _problem: &Problem) -> io::Result<()> {
        Ok(())
    }
    /// A binary file the signing run's folder walk passed over.
    fn skipped(&mut self, _origin: &Origin) -> io::Result<()> {
        Ok(())
    }
    /// Called once after the last document with the duplicate documents
    /// found.
    fn corpus(&mut self, _report: CorpusReport) -> io::Result<()> {
        Ok(())
    }
    /// Called last, with the run's totals.
    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

/// Why a cluster run stopped.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// A signature file that cannot be used; nothing was reported.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// Writing the report or a temporary file failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// What a cluster run did, besides its report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClusterReport {
    /// The totals the sink was given.
    pub summary: Summary,
    /// Candidate pairs verified.
    pub candidates: usize,
    /// Runs of band keys sorted on disk (0 when they fit the budget).
    pub band_runs: usize,
}

/// Opens and checks every file, then refuses any whose parameters differ
/// from the first file's.
pub fn open_all(paths: &[PathBuf]) -> Result<Vec<SignatureFile>, SignatureError> {
    let opened: Vec<Result<SignatureFile, SignatureError>> = paths
        .par_iter()
        .map(|path| SignatureFile::open(path))
        .collect();
    let files = opened.into_iter().collect::<Result<Vec<_>, _>>()?;
    check_compatible(&files)?;
    Ok(files)
}

/// Refuses any file whose parameters differ from the first file's, or
/// whose threshold is out of range.
pub fn check_compatible(files: &[SignatureFile]) -> Result<(), SignatureError> {
    if let Some(first) = files.first() {
        for file in &files[1..] {
            let what = format!(
                "{}, unlike {},",
                escaped_path(file.path()),
                escaped_path(first.path())
            );
            file.params()
                .check_compatible(first.params(), &what)
                .map_err(|err| SignatureError::new(file.path(), err.to_string()))?;
        }
        let threshold = first.params().threshold;
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(SignatureError::new(
                first.path(),
                format!("damaged (threshold {threshold} is not in (0, 1])"),
            ));
        }
    }
    Ok(())
}

/// Clusters the documents of the signature files `paths`, in that order,
/// and reports as a scan of their inputs would. Every file is opened and
/// checked before anything is reported.
pub fn cluster(
    paths: &[PathBuf],
    options: &ClusterOptions,
    sink: &mut dyn ClusterSink,
) -> Result<ClusterReport, ClusterError> {
    cluster_files(open_all(paths)?, options, sink)
}

/// Clusters the documents of `files` (opened, or read from memory with
/// [`SignatureFile::from_batches`]), in that order, as [`cluster`] does;
/// files whose parameters differ are refused first.
pub fn cluster_files(
    files: Vec<SignatureFile>,
    options: &ClusterOptions,
    sink: &mut dyn ClusterSink,
) -> Result<ClusterReport, ClusterError> {
    check_compatible(&files)?;
    let files: Arc<[SignatureFile]> = files.into();
    let threshold = files.first().map_or(0.8, |file| file.params().threshold);
    let across = AcrossConfig {
        threshold,
        repeated_segments: false,
        ..AcrossConfig::default()
    };
    let neighbours = across.neighbours;
    let mut summary = Summary::default();
    sink.begin()?;
    for (_, _, batch) in batches(&files) {
        for row in 0..batch.len() {
            if let Ok(Row::InputError { origin, message }) = batch.row(row) {
                summary.errors += 1;
                sink.problem(&Problem {
                    origin,
                    message: message.to_owned(),
                })?;
            }
        }
    }
    let mut index = CorpusIndex::new(across);
    let mut bands = BandSorter::new(options.band_budget);
    let mut places = Vec::new();
    let mut numbered = 0u64;
    for (file, at, batch) in batches(&files) {
        let mut place = BatchPlace {
            file,
            batch: at,
            first_doc: u32::try_from(numbered).unwrap_or(u32::MAX),
            rows: None,
        };
        let all_documents = (0..batch.len()).all(|row| batch.is_document(row));
        if !all_documents {
            place.rows = Some(Vec::new());
        }
        for row in 0..batch.len() {
            let read = batch
                .row(row)
                .map_err(|reason| SignatureError::new(files[file].path(), reason))?;
            match read {
                Row::Document {
                    origin,
                    facts,
                    exact,
                    units,
                } => {
                    if numbered >= u64::from(u32::MAX) {
                        return Err(io::Error::from(TooManyDocuments).into());
                    }
                    numbered += 1;
                    let number = index.add(&DocSketch {
                        exact,
                        units: usize::try_from(units).unwrap_or(usize::MAX),
                        ..DocSketch::default()
                    });
                    if index.is_representative(number) {
                        bands.add(number, batch.bands(row))?;
                    }
                    if let Some(rows) = &mut place.rows {
                        rows.push(row as u32);
                    }
                    summary.documents += 1;
                    // Sizes are read from the files: counted up to the
                    // largest count, never past it.
                    summary.input_bytes = summary.input_bytes.saturating_add(facts.input_bytes);
                    summary.bytes = summary.bytes.saturating_add(facts.bytes);
                    sink.document(&origin, &facts)?;
                }
                Row::Error { origin, message } => {
                    summary.errors += 1;
                    sink.problem(&Problem {
                        origin,
                        message: message.to_owned(),
                    })?;
                }
                Row::InputError { .. } => {}
                Row::Skipped { origin } => {
                    summary.skipped += 1;
                    sink.skipped(&origin)?;
                }
            }
        }
        if place.rows.as_ref().is_none_or(|rows| !rows.is_empty()) {
            places.push(place);
        }
    }
    let band_runs = bands.runs();
    let pairs = bands.candidates(neighbours)?;
    // The index holds no band keys; this only releases its maps of first
    // occurrences before verification.
    let _ = index.candidates();
    let sets = SignatureSets::new(Arc::clone(&files), places.into());
    if sets.sets.len() as u64 != numbered {
        return Err(io::Error::other(format!(
            "{} shingle sets for {numbered} documents",
            sets.sets.len()
        ))
        .into());
    }
    let store = SetStore::mapped(Box::new(sets.clone()));
    let sims = verify(&pairs, &store, options.verify_budget, index.threshold())?;
    let clusters = index.clusters(
        &pairs,
        &sims,
        &mut SetCache::new(&store, options.cache_budget),
    )?;
    summary.clusters = clusters.len();
    summary.duplicate_documents = index
        .duplicates(&pairs, &sims)
        .in_input_order()
        .removed
        .len();
    let report = member_report(&sets, clusters)?;
    sink.corpus(report)?;
    sink.finish(&summary)?;
    Ok(ClusterReport {
        summary,
        candidates: pairs.len(),
        band_runs,
    })
}

/// Every batch of every file, in order, with its file's index and its
/// index in the file.
fn batches(
    files: &[SignatureFile],
) -> impl Iterator<Item = (usize, usize, &super::read::Batch)> + '_ {
    files.iter().enumerate().flat_map(|(file, signatures)| {
        signatures
            .batches
            .iter()
            .enumerate()
            .map(move |(at, batch)| (file, at, batch))
    })
}

/// Where a batch's documents are: its first document's number and, when
/// other rows are mixed in, each document's row.
#[derive(Clone, Debug)]
struct BatchPlace {
    file: usize,
    batch: usize,
    first_doc: u32,
    rows: Option<Vec<u32>>,
}

/// The documents of the signature files, by number: their shingle sets
/// for verification, their origins for the report.
#[derive(Clone, Debug)]
struct SignatureSets {
    files: Arc<[SignatureFile]>,
    /// Every batch, in order.
    places: Arc<[BatchPlace]>,
    /// The shingle values of each batch of `places` (shared with the
    /// mapped file, not copied).
    values: Arc<[arrow_buffer::ScalarBuffer<u32>]>,
    /// Per document: its batch in `places` and the range of its set in
    /// that batch's values. A table rather than a search through
    /// `places`, because verification looks sets up millions of times.
    sets: Arc<[(u32, u32, u32)]>,
}

impl SignatureSets {
    fn new(files: Arc<[SignatureFile]>, places: Arc<[BatchPlace]>) -> SignatureSets {
        let mut values = Vec::with_capacity(places.len());
        let mut sets = Vec::new();
        for (at, place) in places.iter().enumerate() {
            let Some(batch) = files
                .get(place.file)
                .and_then(|file| file.batches.get(place.batch))
            else {
                values.push(arrow_buffer::ScalarBuffer::from(Vec::new()));
                continue;
            };
            let (batch_values, offsets) = batch.shingle_lists();
            let range = |row: usize| {
                let bound = |at: usize| {
                    offsets
                        .get(at)
                        .and_then(|&offset| u32::try_from(offset).ok())
                        .unwrap_or(0)
                };
                (at as u32, bound(row), bound(row + 1).max(bound(row)))
            };
            match &place.rows {
                Some(rows) => sets.extend(rows.iter().map(|&row| range(row as usize))),
                None => sets.extend((0..batch.len()).map(range)),
            }
            values.push(batch_values);
        }
        SignatureSets {
            files,
            places,
            values: values.into(),
            sets: sets.into(),
        }
    }

    /// The batch and row of document `doc`.
    fn locate(&self, doc: u32) -> Option<(&super::read::Batch, usize)> {
        let at = self
            .places
            .partition_point(|place| place.first_doc <= doc)
            .checked_sub(1)?;
        let place = &self.places[at];
        let nth = (doc - place.first_doc) as usize;
        // Every row of a batch without `rows` is a document.
        let row = match &place.rows {
            Some(rows) => *rows.get(nth)? as usize,
            None => nth,
        };
        let batch = self.files.get(place.file)?.batches.get(place.batch)?;
        (row < batch.len()).then_some((batch, row))
    }
}

impl MappedSets for SignatureSets {
    fn set(&self, doc: u32) -> &[u32] {
        let Some(&(batch, start, end)) = self.sets.get(doc as usize) else {
            return &[];
        };
        self.values
            .get(batch as usize)
            .and_then(|values| values.get(start as usize..end as usize))
            .unwrap_or(&[])
    }
}

/// The report of `clusters`, whose members are renumbered densely so that
/// only their origins are held.
fn member_report(sets: &SignatureSets, mut clusters: Vec<Cluster>) -> io::Result<CorpusReport> {
    let mut members: Vec<u32> = clusters
        .iter()
        .flat_map(|c| c.members.iter().copied())
        .collect();
    members.sort_unstable();
    members.dedup();
    let mut origins = Vec::with_capacity(members.len());
    for &doc in &members {
        let origin = sets
            .locate(doc)
            .and_then(|(batch, row)| batch.origin(row).ok())
            .ok_or_else(|| {
                io::Error::other(format!("document {doc} is not in the signature files"))
            })?;
        origins.push(origin);
    }
    for cluster in &mut clusters {
        for member in &mut cluster.members {
            // Found: every member is in `members`.
            *member = members.binary_search(member).unwrap_or(0) as u32;
        }
    }
    Ok(CorpusReport {
        origins,
        clusters,
        ..CorpusReport::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{SignSink, SignedDoc};
    use crate::signature::SignatureWriter;
    use crate::EngineBuilder;
    use std::path::Path;

    /// Takes a report and keeps nothing.
    struct Nowhere;

    impl ClusterSink for Nowhere {}

    fn document(size: usize) -> SignedDoc {
        super::super::test_document(size, Vec::new(), Vec::new())
    }

    #[test]
    fn sizes_a_file_gives_past_the_largest_count_saturate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sig.arrow");
        let params = EngineBuilder::new().build().unwrap().sketch_params();
        let mut writer = SignatureWriter::create(&path, &params).unwrap();
        writer.document(document(usize::MAX)).unwrap();
        writer.document(document(2)).unwrap();
        writer.finish().unwrap();
        let report = cluster(&[path], &ClusterOptions::default(), &mut Nowhere).unwrap();
        assert_eq!(report.summary.documents, 2);
        assert_eq!(report.summary.input_bytes, usize::MAX);
        assert_eq!(report.summary.bytes, usize::MAX);
        assert_eq!(report.summary.duplicate_documents, 1);
    }

    /// A well-formed signature file (its checksum right) whose two
    /// documents share a band and have the given shingle sets.
    fn signed(dir: &std::path::Path, sets: [Vec<u32>; 2]) -> PathBuf {
        let params = EngineBuilder::new()
            .build()
            .expect("default settings")
            .sketch_params();
        let mut writer =
            SignatureWriter::create(&dir.join("s.sig.arrow"), &params).expect("created");
        for (n, shingles) in sets.into_iter().enumerate() {
            let doc = SignedDoc {
                exact: n as u64,
                ..super::super::test_document(10, vec![7 << 32], shingles)
            };
            writer.document(doc).expect("written");
        }
        writer.finish().expect("finished")
    }

    /// Keeps the clusters' members' origins.
    #[derive(Default)]
    struct Members(Vec<Vec<Origin>>);

    impl ClusterSink for Members {
        fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
            for cluster in &report.clusters {
                let origins = cluster.members.iter();
                self.0.push(
                    origins
                        .map(|&m| report.origins[m as usize].clone())
                        .collect(),
                );
            }
            Ok(())
        }
    }

    #[test]
    fn rows_kept_in_memory_cluster_as_the_same_rows_in_a_file() {
        let engine = EngineBuilder::new().build().expect("default settings");
        let params = engine.sketch_params();
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("a.sig.arrow");
        let mut writer = SignatureWriter::create(&path, &params).expect("created");
        let mut memory = crate::signature::SignatureBatches::new(&params);
        let page = "A page that a crawler found twice, word for word, under two names.";
        let texts = [page, "Something else entirely, said once.", page];
        for (at, text) in texts.iter().enumerate() {
            let origin = Origin::Record {
                path: Arc::from(std::path::Path::new("memory")),
                line: at + 1,
                id: format!("doc-{at}"),
            };
            let doc = crate::document::Document::from_text(origin, (*text).to_owned());
            writer
                .document(engine.sign_document(doc.clone()))
                .expect("written");
            memory.document(engine.sign_document(doc)).expect("kept");
        }
        writer.finish().expect("finished");
        let schema = Arc::clone(memory.schema());
        let batches = memory.finish().expect("finished");
        let from_memory =
            SignatureFile::from_batches(Path::new("table"), &schema, &batches).expect("checked");
        let (mut in_file, mut in_memory) = (Members::default(), Members::default());
        cluster(&[path], &ClusterOptions::default(), &mut in_file).expect("clustered");
        cluster_files(
            vec![from_memory],
            &ClusterOptions::default(),
            &mut in_memory,
        )
        .expect("clustered");
        assert_eq!(in_file.0.len(), 1);
        assert_eq!(in_file.0, in_memory.0);
    }

    #[test]
    fn rows_from_memory_without_the_format_are_refused_naming_them() {
        let engine = EngineBuilder::new().build().expect("default settings");
        let memory = crate::signature::SignatureBatches::new(&engine.sketch_params());
        let bare = arrow_schema::Schema::new(memory.schema().fields().clone());
        let err =
            SignatureFile::from_batches(Path::new("table 3"), &bare, &[]).expect_err("no metadata");
        assert!(
            err.to_string()
                .starts_with("table 3: not a signature table"),
            "{err}"
        );
    }

    #[test]
    fn sets_compared_in_place_give_the_similarity_of_the_pair() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = signed(dir.path(), [(0..100).collect(), (5..100).collect()]);
        let report = cluster(&[path], &ClusterOptions::default(), &mut Nowhere).expect("clustered");
        assert_eq!((report.candidates, report.summary.clusters), (1, 1));
    }

    #[test]
    fn a_shingle_set_out_of_order_is_refused_not_compared() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = signed(dir.path(), [vec![1, 2, 3], vec![3, 2, 1]]);
        let err = cluster(&[path], &ClusterOptions::default(), &mut Nowhere)
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains("s.sig.arrow") && err.contains("a shingle set not sorted or with repeats"),
            "{err}"
        );
    }
}
