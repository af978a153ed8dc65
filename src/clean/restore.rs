//! `restore`: rebuild every input from a cleaned output and its manifest,
//! confined to the two folders and verified against the manifest's hashes.
//!
//! 1. The manifest is read and checked whole ([`Manifest::read`]); a
//!    manifest that is not consistent stops the restore before anything is
//!    written.
//! 2. Written documents are rebuilt in input order, in batches processed in
//!    parallel: a batch ends before a document whose removals refer to a
//!    document of the same batch, so every twin's original text is rebuilt
//!    before it is needed. JSON Lines records are read from their cleaned
//!    file in step with the manifest; their rebuilt lines wait in an
//!    unnamed temporary file per input file.
//! 3. Removed documents are rebuilt from their kept twins; each JSON Lines
//!    input is assembled in line order from its written and removed
//!    records.
//! 4. Every file is written under a temporary name; at the end each is
//!    synced and given its final name, many at once, and the folders are
//!    synced last ([`Destination`]). A restore killed before that leaves
//!    temporary files only.
//!
//! Every document is checked three times: the cleaned text read against
//! `output_bytes`/`output_xxh3` (a cleaned file edited after clean), the
//! rebuilt text against `bytes`/`text_xxh3` (a tampered removal), and the
//! bytes written against `input_bytes`/`input_xxh3` when the document was
//! decoded without loss (a document marked lossy is written as its decoded
//! text in UTF-8). A document that fails a check is not written, and
//! neither is a JSON Lines file any of whose records failed; the others
//! are, and every failure is reported, naming the document.
//!
//! Memory holds the manifest, the original texts other documents refer to,
//! and one batch.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::confine::{open_inside, relative_path, Destination};
use super::edits::{apply, ScriptError};
use super::encode::encode;
use super::manifest::{DocumentLine, Manifest, ManifestError, RemovalLine};
use super::output::OutputError;
use super::parquet_rows;
use crate::input::jsonl::{
    encode_json_string, replace_text, Compression, EscapeStyle, JsonlOptions, JsonlReader,
    JsonlWriter,
};

/// Why a restore could not begin or finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestoreError {
    /// The manifest could not be read or is not consistent; nothing was
    /// written.
    #[error("{}: {problem}", .path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong with it, and on which line.
        problem: ManifestError,
    },
    /// The destination was refused, or writing in it failed.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// What a restore did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Documents the manifest lists.
    pub documents: usize,
    /// Documents restored.
    pub restored: usize,
    /// Documents restored byte for byte (for a record: its line).
    pub exact: usize,
    /// Documents restored as their decoded text in UTF-8: their input did
    /// not decode without loss.
    pub as_text: Vec<String>,
    /// Records restored with their text but not their exact line: their
    /// input escaped the text in a way the rewrite does not reproduce.
    pub lines_differ: Vec<String>,
    /// Documents that could not be restored, in document order.
    pub failed: Vec<Failure>,
    /// JSON Lines files written, or withheld because a record failed.
    pub jsonl_files: Vec<JsonlFile>,
}

impl RestoreReport {
    /// Every document restored (byte for byte or not). When false, the
    /// documents in [`RestoreReport::failed`] were not written, nor the
    /// JSON Lines files holding one; everything written was verified.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.restored == self.documents
    }
}

/// A document that could not be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The document as messages name it: its path, or `path:line`.
    pub document: String,
    /// Why it could not be restored.
    pub reason: String,
}

/// One JSON Lines input file, rebuilt from its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonlFile {
    /// Its path, relative to the restore's destination.
    pub output: String,
    /// Records it holds, as the manifest lists them.
    pub records: usize,
    /// Runs of input lines no record came from (blank or unreadable
    /// lines, which the manifest does not hold), first and last line of
    /// each; a file with any is not written.
    pub missing_lines: Vec<(usize, usize)>,
    /// Records whose line is not the input's (see
    /// [`RestoreReport::lines_differ`]).
    pub lines_differ: usize,
    /// False when a record failed or lines are missing: the file was not
    /// written.
    pub written: bool,
}

impl JsonlFile {
    /// Written with every record's line exact. The input's line ends, a
    /// byte-order mark and compression settings are not recorded: lines
    /// are written ended by `\n`.
    pub fn records_exact(&self) -> bool {
        self.written && self.lines_differ == 0
    }
}

/// Restores the inputs cleaned into `cleaned` under `dest`, which must be
/// new or empty.
///
/// A document that fails a check does not stop the others: it is listed in
/// [`RestoreReport::failed`] (see [`RestoreReport::is_complete`]). An error
/// is returned when the manifest or the destination cannot be used at all.
pub fn restore(cleaned: &Path, dest: &Path) -> Result<RestoreReport, RestoreError> {
    let manifest = read_manifest(cleaned)?;
    let destination = Destination::new(dest).map_err(|e| io_fail(dest, e))?;
    let mut run = Run::new(cleaned, &manifest, &destination);
    let mut spools = HashMap::new();
    run.written_documents(&mut spools)?;
    run.removed_documents();
    run.record_files(spools);
    run.tables();
    let unplaced = destination.finish().map_err(|e| io_fail(dest, e))?;
    for unplaced in unplaced {
        let output = unplaced.relative.to_string_lossy();
        let reason = file_error(&dest.join(&unplaced.relative), &unplaced.error);
        for doc in manifest.documents.iter().filter(|d| d.output == output) {
            run.status[doc.doc as usize] = Status::Failed(reason.clone());
        }
        if manifest.table(&output).is_some() {
            run.table_failures.push(Failure {
                document: printable(&output),
                reason: reason.clone(),
            });
        }
        for file in run.files.iter_mut().filter(|f| f.output == output) {
            file.written = false;
        }
    }
    Ok(run.report())
}

fn read_manifest(cleaned: &Path) -> Result<Manifest, RestoreError> {
    let path = cleaned.join("manifest.jsonl");
    let fail = |message: String| RestoreError::Manifest {
        path: path.clone(),
        problem: ManifestError { line: 0, message },
    };
    let file = open_inside(cleaned, Path::new("manifest.jsonl"))
        .map_err(|e| fail(crate::input::io_message(&e)))?;
    Manifest::read(BufReader::new(file)).map_err(|problem| RestoreError::Manifest {
        path: path.clone(),
        problem,
    })
}

/// How one document ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Pending,
    Exact,
    AsText,
    LineDiffers,
    Failed(String),
    /// Rebuilt, but its JSON Lines file was not written.
    Withheld,
}

/// A restore in progress.
struct Run<'a> {
    cleaned: &'a Path,
    manifest: &'a Manifest,
    destination: &'a Destination,
    /// Documents other documents' removals refer to.
    referenced: HashSet<u32>,
    /// Original texts of referenced documents, once rebuilt.
    originals: HashMap<u32, String>,
    status: Vec<Status>,
    /// JSON Lines files, in the order of their first record.
    files: Vec<JsonlFile>,
    /// Parquet tables that could not be written, by their output.
    table_failures: Vec<Failure>,
}

/// Output path → its spool, while its written records are rebuilt.
type Spools = HashMap<String, Spool>;

/// A cleaned JSON Lines file read record by record in step with the
/// manifest, and where its rebuilt lines wait.
struct Spool {
    reader: JsonlReader,
    lines: BufWriter<File>,
    /// Written records read so far.
    read: usize,
}

/// A written document of a batch, with what was read for it in order.
enum Job<'d> {
    Text(&'d DocumentLine),
    /// A record and its line in the cleaned file, or why it is missing.
    Record(&'d DocumentLine, Result<String, String>),
    /// A Parquet row and its text in the cleaned table, or why it is missing.
    Row(&'d DocumentLine, Result<String, String>),
}

/// What rebuilding one document gave.
struct Rebuilt {
    doc: u32,
    result: Result<Status, String>,
    /// The original text, when another document refers to it.
    original: Option<String>,
    /// A record's original line, for its file.
    line: Option<String>,
}

/// At most this much is set aside ahead for a text, whatever size the
/// manifest claims.
const PREALLOCATED: usize = 1 << 24;

/// A batch ends at this many documents or bytes of text.
const BATCH_DOCUMENTS: usize = 2048;
const BATCH_BYTES: usize = 64 << 20;

impl<'a> Run<'a> {
    fn new(cleaned: &'a Path, manifest: &'a Manifest, destination: &'a Destination) -> Run<'a> {
        let referenced = manifest
            .removals
            .iter()
            .flatten()
            .filter_map(|r| r.twin.as_ref()?.doc)
            .collect();
        let files = manifest
            .record_files()
            .into_iter()
            .map(|(output, docs)| JsonlFile {
                output: output.to_owned(),
                records: docs.len(),
                missing_lines: Vec::new(),
                lines_differ: 0,
                written: true,
            })
            .collect();
        Run {
            cleaned,
            manifest,
            destination,
            referenced,
            originals: HashMap::new(),
            status: vec![Status::Pending; manifest.documents.len()],
            files,
            table_failures: Vec::new(),
        }
    }

    /// Step 2: every written document, in batches.
    fn written_documents(&mut self, spools: &mut Spools) -> Result<(), RestoreError> {
        let mut batch: Vec<Job> = Vec::new();
        let mut in_batch: HashSet<u32> = HashSet::new();
        let mut batch_bytes = 0;
        let mut tables = Tables::new(self.manifest);
        for doc in self.manifest.documents.iter().filter(|d| d.written) {
            let refers_to_batch = self.manifest.removals[doc.doc as usize].iter().any(|r| {
                r.twin
                    .as_ref()
                    .and_then(|t| t.doc)
                    .is_some_and(|t| in_batch.contains(&t))
            });
            if refers_to_batch || batch.len() >= BATCH_DOCUMENTS || batch_bytes >= BATCH_BYTES {
                self.run_batch(std::mem::take(&mut batch), spools)?;
                in_batch.clear();
                batch_bytes = 0;
            }
            in_batch.insert(doc.doc);
            batch_bytes += doc.bytes.min(BATCH_BYTES);
            batch.push(match doc.record {
                None => Job::Text(doc),
                Some(_) if self.manifest.table(&doc.output).is_some() => {
                    Job::Row(doc, tables.next_text(self.cleaned, self.manifest, doc))
                }
                Some(_) => Job::Record(doc, self.next_cleaned_record(spools, doc)),
            });
        }
        self.run_batch(batch, spools)
    }

    /// The line of the next record in `doc`'s cleaned file.
    fn next_cleaned_record(
        &self,
        spools: &mut Spools,
        doc: &DocumentLine,
    ) -> Result<String, String> {
        if !spools.contains_key(&doc.output) {
            let spool = self.open_spool(doc)?;
            spools.insert(doc.output.clone(), spool);
        }
        let spool = spools
            .get_mut(&doc.output)
            .ok_or_else(|| "its cleaned file is not open".to_owned())?;
        spool.read += 1;
        match spool.reader.next_line() {
            Some(Ok(line)) => String::from_utf8(line.bytes).map_err(|_| {
                format!(
                    "{}: line {} of the cleaned file is not UTF-8; it was changed after clean",
                    self.cleaned.join(&doc.output).display(),
                    line.line
                )
            }),
            Some(Err(err)) => Err(err.to_string()),
            None => Err(format!(
                "{} has fewer records than the manifest lists",
                self.cleaned.join(&doc.output).display()
            )),
        }
    }

    fn open_spool(&self, doc: &DocumentLine) -> Result<Spool, String> {
        let relative = PathBuf::from(&doc.output);
        let path = self.cleaned.join(&relative);
        let file = open_inside(self.cleaned, &relative).map_err(|e| file_error(&path, &e))?;
        let reader = JsonlReader::new(
            file,
            Compression::from_path(&relative),
            &path,
            &JsonlOptions::default(),
        )
        .map_err(|e| file_error(&path, &e))?;
        let lines = tempfile::tempfile_in(self.destination.root()).map_err(|e| {
            format!(
                "{}: {}",
                self.destination.root().display(),
                crate::input::io_message(&e)
            )
        })?;
        Ok(Spool {
            reader,
            lines: BufWriter::new(lines),
            read: 0,
        })
    }

    /// Rebuilds, checks and writes one batch in parallel, then records the
    /// results in order.
    fn run_batch(&mut self, batch: Vec<Job>, spools: &mut Spools) -> Result<(), RestoreError> {
        let this = &*self;
        let rebuilt: Vec<Rebuilt> = batch
            .into_par_iter()
            .map(|job| match job {
                Job::Text(doc) => this.text_document(doc, true),
                Job::Record(doc, line) => this.written_record(doc, line),
                Job::Row(doc, text) => this.written_row(doc, text),
            })
            .collect();
        for rebuilt in rebuilt {
            self.settle(rebuilt, spools)?;
        }
        Ok(())
    }

    /// Records what rebuilding a document gave.
    fn settle(&mut self, rebuilt: Rebuilt, spools: &mut Spools) -> Result<(), RestoreError> {
        let doc = &self.manifest.documents[rebuilt.doc as usize];
        if let (Some(original), Ok(_)) = (rebuilt.original, &rebuilt.result) {
            self.originals.insert(rebuilt.doc, original);
        }
        if doc.written && doc.record.is_some() {
            if let Some(spool) = spools.get_mut(&doc.output) {
                let line = rebuilt.line.as_deref().unwrap_or_default();
                writeln!(spool.lines, "{line}").map_err(|e| io_fail(self.destination.root(), e))?;
            }
        }
        self.status[rebuilt.doc as usize] = match rebuilt.result {
            Ok(status) => status,
            Err(reason) => Status::Failed(reason),
        };
        Ok(())
    }

    /// A text document: its cleaned text read (`written`) or empty (removed),
    /// rebuilt, checked, encoded and placed.
    fn text_document(&self, doc: &DocumentLine, written: bool) -> Rebuilt {
        let outcome = (|| {
            let cleaned = if written {
                self.read_cleaned(doc)?
            } else {
                String::new()
            };
            let text = self.rebuild(&cleaned, doc)?;
            let (bytes, status) = original_bytes(doc, &text)?;
            let relative = relative_path(&doc.output).map_err(|e| e.to_string())?;
            self.destination
                .place(&relative, |mut file| file.write_all(&bytes))
                .map_err(|e| self.placing_failed(&relative, &e))?;
            Ok((text, status))
        })();
        self.rebuilt(doc, outcome, None)
    }

    fn placing_failed(&self, relative: &Path, err: &std::io::Error) -> String {
        file_error(&self.destination.root().join(relative), err)
    }

    fn rebuilt(
        &self,
        doc: &DocumentLine,
        outcome: Result<(String, Status), String>,
        line: Option<String>,
    ) -> Rebuilt {
        match outcome {
            Ok((text, status)) => Rebuilt {
                doc: doc.doc,
                result: Ok(status),
                original: self.referenced.contains(&doc.doc).then_some(text),
                line,
            },
            Err(reason) => Rebuilt {
                doc: doc.doc,
                result: Err(reason),
                original: None,
                line: None,
            },
        }
    }

    /// A written record: its cleaned line's text checked, rebuilt, and its
    /// original line made.
    fn written_record(&self, doc: &DocumentLine, cleaned_line: Result<String, String>) -> Rebuilt {
        let outcome = (|| {
            let cleaned_line = cleaned_line?;
            let field = record_field(doc)?;
            let cleaned = crate::input::jsonl::RawLine {
                line: 0,
                bytes: cleaned_line.clone().into_bytes(),
            }
            .parse(
                Path::new(""),
                &JsonlOptions {
                    text_field: field.to_owned(),
                    ..JsonlOptions::default()
                },
            )
            .map_err(|e| {
                format!(
                    "its line in the cleaned file {}: {}",
                    self.cleaned.join(&doc.output).display(),
                    e.message
                )
            })?;
            self.check_cleaned(doc, cleaned.text.as_bytes(), "its record in")?;
            let text = self.rebuild(&cleaned.text, doc)?;
            let (status, line) = record_line(&cleaned_line, field, &text, doc)?;
            Ok((text, status, line))
        })();
        match outcome {
            Ok((text, status, line)) => self.rebuilt(doc, Ok((text, status)), Some(line)),
            Err(reason) => self.rebuilt(doc, Err(reason), None),
        }
    }

    /// A written Parquet row: its cleaned text checked and rebuilt; its
    /// table is written in step 3 ([`Run::tables`]).
    fn written_row(&self, doc: &DocumentLine, cleaned: Result<String, String>) -> Rebuilt {
        let outcome = cleaned.and_then(|cleaned| {
            self.check_cleaned(doc, cleaned.as_bytes(), "its row in")?;
            let text = self.row_text(doc, &cleaned)?;
            Ok((text, Status::Exact))
        });
        self.rebuilt(doc, outcome, None)
    }

    /// A Parquet row's original text, checked against the input's.
    fn row_text(&self, doc: &DocumentLine, cleaned: &str) -> Result<String, String> {
        let text = self.rebuild(cleaned, doc)?;
        if text.len() != doc.input_bytes || hex(text.as_bytes()) != doc.input_xxh3 {
            return Err("its rebuilt text differs from the input's".to_owned());
        }
        Ok(text)
    }

    /// Step 3: each Parquet table, rebuilt from its cleaned and removed
    /// rows and checked against the checksum of the input's rows.
    fn tables(&mut self) {
        let manifest = self.manifest;
        for table in &manifest.tables {
            let docs: Vec<&DocumentLine> = manifest
                .documents
                .iter()
                .filter(|d| d.record.is_some() && d.output == table.output)
                .collect();
            let broken = docs
                .iter()
                .any(|d| d.written && self.status[d.doc as usize] != Status::Exact);
            let this = &*self;
            let restored = parquet_rows::restore_table(
                self.cleaned,
                self.destination,
                table,
                &docs,
                &|doc, cleaned| this.row_text(doc, cleaned),
                broken,
            );
            for (doc, reason) in &restored.failed {
                self.status[*doc as usize] = Status::Failed(reason.clone());
            }
            for doc in &docs {
                let status = &mut self.status[doc.doc as usize];
                *status = match (&restored.error, &*status) {
                    (_, Status::Failed(_)) => continue,
                    (Some(reason), _) if !reason.is_empty() && !broken => {
                        Status::Failed(reason.clone())
                    }
                    (Some(_), _) => Status::Withheld,
                    (None, _) => Status::Exact,
                };
            }
            if let Some(reason) = restored.error.filter(|r| !r.is_empty()) {
                if docs.is_empty() || broken {
                    self.table_failures.push(Failure {
                        document: printable(&table.output),
                        reason,
                    });
                }
            }
        }
    }

    /// The cleaned text of a written text document, checked against the
    /// manifest.
    fn read_cleaned(&self, doc: &DocumentLine) -> Result<String, String> {
        let relative = relative_path(&doc.output).map_err(|e| e.to_string())?;
        let path = self.cleaned.join(&relative);
        let mut bytes = Vec::with_capacity(doc.output_bytes.min(PREALLOCATED));
        open_inside(self.cleaned, &relative)
            .and_then(|mut file| file.read_to_end(&mut bytes))
            .map_err(|e| file_error(&path, &e))?;
        self.check_cleaned(doc, &bytes, "")?;
        String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", path.display()))
    }

    /// Refuses a cleaned text that is not the one clean wrote.
    fn check_cleaned(&self, doc: &DocumentLine, bytes: &[u8], what: &str) -> Result<(), String> {
        if bytes.len() == doc.output_bytes && hex(bytes) == doc.output_xxh3 {
            return Ok(());
        }
        let path = self.cleaned.join(&doc.output);
        let what = if what.is_empty() {
            String::new()
        } else {
            format!("{what} ")
        };
        Err(if bytes.len() != doc.output_bytes {
            format!(
                "{what}{} was changed after clean (it has {} bytes where the manifest says {})",
                path.display(),
                bytes.len(),
                doc.output_bytes
            )
        } else {
            format!(
                "{what}{} was changed after clean (its hash differs from the manifest's)",
                path.display()
            )
        })
    }

    /// The original decoded text of `doc` from its cleaned text, checked
    /// against the manifest's size and hash.
    fn rebuild(&self, cleaned: &str, doc: &DocumentLine) -> Result<String, String> {
        let text = rebuild(
            cleaned,
            doc,
            &self.manifest.removals[doc.doc as usize],
            &self.originals,
            |twin| self.twin_failure(twin),
        )?;
        if text.len() != doc.bytes || hex(text.as_bytes()) != doc.text_xxh3 {
            return Err(format!(
                "the manifest's removals rebuild a different text ({} bytes where the input had {}{})",
                text.len(),
                doc.bytes,
                if text.len() == doc.bytes {
                    ", and its hash differs"
                } else {
                    ""
                }
            ));
        }
        Ok(text)
    }

    /// Why the twin `twin` is not available.
    fn twin_failure(&self, twin: u32) -> String {
        match (self.manifest.documents.get(twin as usize), self.status.get(twin as usize)) {
            (Some(doc), Some(Status::Failed(_))) => {
                format!("its twin {} could not be restored", doc.to_string_path())
            }
            (Some(doc), _) => format!(
                "its twin {} is not rebuilt before it (a removal refers to a later or removed document)",
                doc.to_string_path()
            ),
            (None, _) => format!("its twin, document {twin}, is not in the manifest"),
        }
    }

    /// Step 3: removed text documents, in parallel (their twins are all
    /// rebuilt).
    fn removed_documents(&mut self) {
        let this = &*self;
        let rebuilt: Vec<Rebuilt> = self
            .manifest
            .documents
            .par_iter()
            .filter(|d| !d.written && d.record.is_none())
            .map(|doc| this.text_document(doc, false))
            .collect();
        for rebuilt in rebuilt {
            // Only written records touch a spool, so this cannot fail.
            let _ = self.settle(rebuilt, &mut Spools::new());
        }
    }

    /// Step 3: each JSON Lines file, assembled in line order.
    fn record_files(&mut self, mut spools: Spools) {
        let manifest = self.manifest;
        let work: Vec<RecordFile> = manifest
            .record_files()
            .into_iter()
            .map(|(output, docs)| {
                let mut spool = spools.remove(output);
                let extra = spool.as_mut().and_then(|spool| {
                    spool.reader.next_line().map(|_| {
                        format!(
                            "{} has more records than the manifest lists ({}); it was changed after clean",
                            self.cleaned.join(output).display(),
                            spool.read
                        )
                    })
                });
                RecordFile {
                    output,
                    docs,
                    spool,
                    extra,
                }
            })
            .collect();
        let this = &*self;
        let assembled: Vec<Assembled> = work
            .into_par_iter()
            .map(|file| this.assemble(file))
            .collect();
        for file in assembled {
            for (doc, result) in file.removed {
                self.status[doc as usize] = match result {
                    Ok(status) => status,
                    Err(reason) => Status::Failed(reason),
                };
            }
            if let Some(entry) = self.files.iter_mut().find(|f| f.output == file.output) {
                entry.missing_lines = file.missing_lines;
                entry.written = file.written;
            }
        }
    }

    /// Writes one JSON Lines file in line order: its written records from
    /// their spool, its removed ones rebuilt as they come. A failed record
    /// stops the writing (the temporary file is removed) but not the
    /// checking of the others, so every failure is reported.
    fn assemble(&self, file: RecordFile) -> Assembled {
        let RecordFile {
            output,
            docs,
            spool,
            extra,
        } = file;
        let mut assembled = Assembled {
            output: output.to_owned(),
            removed: Vec::new(),
            missing_lines: missing_lines(docs.iter().filter_map(|&d| {
                self.manifest.documents[d as usize]
                    .record
                    .as_ref()
                    .map(|r| r.line)
            })),
            written: false,
        };
        let relative = PathBuf::from(output);
        let gap = self.first_gap(&docs, &assembled.missing_lines);
        let mut broken = extra.is_some()
            || gap.is_some()
            || docs.iter().any(|&d| {
                self.manifest.documents[d as usize].written
                    && !matches!(self.status[d as usize], Status::Exact | Status::LineDiffers)
            });
        let placed = self.destination.place(&relative, |file| {
            let mut spooled = match spool {
                Some(spool) => {
                    let mut file = spool.lines.into_inner().map_err(|e| e.into_error())?;
                    file.rewind()?;
                    Some(BufReader::new(file).lines())
                }
                None => None,
            };
            let mut writer = JsonlWriter::new(file, Compression::from_path(&relative))?;
            for &d in &docs {
                let doc = &self.manifest.documents[d as usize];
                let line = if doc.written {
                    spooled
                        .as_mut()
                        .and_then(|lines| lines.next())
                        .ok_or_else(|| std::io::Error::other("a rebuilt record is missing"))??
                } else {
                    match self.removed_record(doc) {
                        Ok((status, line)) => {
                            assembled.removed.push((d, Ok(status)));
                            line
                        }
                        Err(reason) => {
                            assembled.removed.push((d, Err(reason)));
                            broken = true;
                            continue;
                        }
                    }
                };
                if !broken {
                    writer.write_line(&line)?;
                }
            }
            if broken {
                return Err(std::io::Error::other("a record could not be restored"));
            }
            writer.finish()?.flush()
        });
        match placed {
            Ok(()) => assembled.written = true,
            Err(_) if broken => {
                let failed: HashSet<u32> = docs
                    .iter()
                    .copied()
                    .filter(|&d| {
                        matches!(self.status[d as usize], Status::Failed(_))
                            || assembled.removed.iter().any(|(r, s)| *r == d && s.is_err())
                    })
                    .collect();
                assembled.removed.retain(|(_, status)| status.is_err());
                for &d in docs.iter().filter(|d| !failed.contains(d)) {
                    assembled.removed.push((d, Ok(Status::Withheld)));
                }
                if let Some(reason) = extra {
                    // Reported on the file's last written record.
                    let written = |d: &&u32| self.manifest.documents[**d as usize].written;
                    if let Some(&last) = docs.iter().rev().find(written).or(docs.last()) {
                        assembled.removed.retain(|(d, _)| *d != last);
                        assembled.removed.push((last, Err(reason)));
                    }
                }
                if let Some((after_gap, reason)) = gap {
                    if !assembled
                        .removed
                        .iter()
                        .any(|(d, s)| *d == after_gap && s.is_err())
                    {
                        assembled.removed.retain(|(d, _)| *d != after_gap);
                        assembled.removed.push((after_gap, Err(reason)));
                    }
                }
            }
            Err(err) => {
                let reason = self.placing_failed(&relative, &err);
                assembled.removed.clear();
                assembled
                    .removed
                    .extend(docs.iter().map(|&d| (d, Err(reason.clone()))));
            }
        }
        assembled
    }

    /// The first record that follows input lines no record came from, and
    /// why its file cannot be rebuilt: the manifest does not hold those
    /// lines (blank or unreadable when cleaned), so the file would not be
    /// the input.
    fn first_gap(&self, docs: &[u32], missing: &[(usize, usize)]) -> Option<(u32, String)> {
        let &(first, last) = missing.first()?;
        let after = docs.iter().copied().find(|&d| {
            self.manifest.documents[d as usize]
                .record
                .as_ref()
                .is_some_and(|r| r.line > last)
        })?;
        let lines = if first == last {
            format!("input line {first} holds")
        } else {
            format!("input lines {first}-{last} hold")
        };
        let more = match missing.len() {
            1 => String::new(),
            n => format!(" (and {} more runs of lines)", n - 1),
        };
        Some((
            after,
            format!(
                "{lines} no record{more}: blank or unreadable when cleaned, so the manifest cannot give the file back as it was"
            ),
        ))
    }

    /// The original line of a removed record, checked.
    fn removed_record(&self, doc: &DocumentLine) -> Result<(Status, String), String> {
        let field = record_field(doc)?;
        let skeleton = doc
            .record
            .as_ref()
            .and_then(|r| r.skeleton.as_deref())
            .ok_or_else(|| "its skeleton is missing".to_owned())?;
        let text = self.rebuild("", doc)?;
        record_line(skeleton, field, &text, doc)
    }

    /// The report, from every document's status.
    fn report(self) -> RestoreReport {
        let mut report = RestoreReport {
            documents: self.manifest.documents.len(),
            ..RestoreReport::default()
        };
        let mut files = self.files;
        for (doc, status) in self.manifest.documents.iter().zip(self.status) {
            let name = doc.to_string_path();
            match status {
                Status::Exact => report.exact += 1,
                Status::AsText => report.as_text.push(printable(&name)),
                Status::LineDiffers => {
                    if let Some(file) = files.iter_mut().find(|f| f.output == doc.output) {
                        file.lines_differ += 1;
                    }
                    report.lines_differ.push(printable(&name));
                }
                Status::Failed(reason) => {
                    report.failed.push(Failure {
                        document: printable(&name),
                        reason,
                    });
                    continue;
                }
                Status::Pending => {
                    report.failed.push(Failure {
                        document: printable(&name),
                        reason: "not restored".to_owned(),
                    });
                    continue;
                }
                Status::Withheld => continue,
            }
            report.restored += 1;
        }
        report.jsonl_files = files;
        report.failed.extend(self.table_failures);
        report
    }
}

/// The cleaned tables being read, in step with their written rows.
struct Tables {
    /// Rows of its cleaned table to skip before each written row.
    skips: HashMap<u32, usize>,
    open: HashMap<String, Result<parquet_rows::TableTexts, String>>,
}

impl Tables {
    fn new(manifest: &Manifest) -> Tables {
        let mut skips = HashMap::new();
        for (_, docs) in manifest.record_files_of(true) {
            let docs: Vec<&DocumentLine> = docs
                .iter()
                .map(|&d| &manifest.documents[d as usize])
                .collect();
            skips.extend(parquet_rows::rows_to_skip(&docs));
        }
        Tables {
            skips,
            open: HashMap::new(),
        }
    }

    /// The text of written row `doc` in its cleaned table.
    fn next_text(
        &mut self,
        cleaned: &Path,
        manifest: &Manifest,
        doc: &DocumentLine,
    ) -> Result<String, String> {
        let skip = self.skips.get(&doc.doc).copied().unwrap_or(0);
        let table = manifest
            .table(&doc.output)
            .ok_or_else(|| "it has no table line".to_owned())?;
        let texts = self
            .open
            .entry(doc.output.clone())
            .or_insert_with(|| parquet_rows::TableTexts::open(cleaned, table));
        match texts {
            Ok(texts) => texts.next_text(skip),
            Err(reason) => Err(reason.clone()),
        }
    }
}

/// A JSON Lines file to assemble: its records, the spool of its written
/// ones, and whether its cleaned file held more records than listed.
struct RecordFile<'m> {
    output: &'m str,
    docs: Vec<u32>,
    spool: Option<Spool>,
    extra: Option<String>,
}

/// What assembling a JSON Lines file gave.
struct Assembled {
    output: String,
    /// Status of its removed records, and of every record when the file
    /// was not written.
    removed: Vec<(u32, Result<Status, String>)>,
    missing_lines: Vec<(usize, usize)>,
    written: bool,
}

/// The runs of lines between 1 and the last record's that no record came
/// from, given the records' lines in increasing order.
fn missing_lines(lines: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let mut missing = Vec::new();
    let mut next: usize = 1;
    for line in lines {
        if line > next {
            missing.push((next, line - 1));
        }
        next = line.saturating_add(1);
    }
    missing
}

fn record_field(doc: &DocumentLine) -> Result<&str, String> {
    doc.record
        .as_ref()
        .map(|r| r.text_field.as_str())
        .ok_or_else(|| "not a record".to_owned())
}

/// A record's original line: `text` put back into the text field of
/// `line` (its cleaned line, or its skeleton), checked against the input's
/// hash. An emptied value no longer shows how the input escaped its text,
/// so when the line does not match, each escape style is tried, and one is
/// kept only if it gives the input's hash.
fn record_line(
    line: &str,
    field: &str,
    text: &str,
    doc: &DocumentLine,
) -> Result<(Status, String), String> {
    let rebuilt = replace_text(line, field, text).map_err(|e| e.to_string())?;
    if record_status(doc, &rebuilt) == Ok(Status::Exact) {
        return Ok((Status::Exact, rebuilt));
    }
    const MARKER: &str = "doppel-restore-text-field";
    let quoted = format!("\"{MARKER}\"");
    if let Ok(marked) = replace_text(line, field, MARKER) {
        if marked.matches(&quoted).count() == 1 {
            for style in [EscapeStyle::Ascii, EscapeStyle::Utf8] {
                let candidate = marked.replacen(&quoted, &encode_json_string(text, style), 1);
                if record_status(doc, &candidate) == Ok(Status::Exact) {
                    return Ok((Status::Exact, candidate));
                }
            }
        }
    }
    record_status(doc, &rebuilt).map(|status| (status, rebuilt))
}

/// Whether a record's rebuilt line is its input line.
fn record_status(doc: &DocumentLine, line: &str) -> Result<Status, String> {
    let exact = line.len() == doc.input_bytes && hex(line.as_bytes()) == doc.input_xxh3;
    match (exact, doc.lossless) {
        (true, _) => Ok(Status::Exact),
        (false, false) => Ok(Status::LineDiffers),
        (false, true) => Err(
            "its rebuilt line differs from the input's (its hash differs from the manifest's)"
                .to_owned(),
        ),
    }
}

/// The bytes to write for a text document, and whether they are the input's.
fn original_bytes(doc: &DocumentLine, text: &str) -> Result<(Vec<u8>, Status), String> {
    if !doc.lossless {
        return Ok((text.as_bytes().to_vec(), Status::AsText));
    }
    let encoding = encoding_rs::Encoding::for_label(doc.encoding.as_bytes())
        .ok_or_else(|| format!("unknown encoding {:?}", doc.encoding))?;
    let bytes = encode(text, encoding, doc.bom)
        .ok_or_else(|| format!("its text has characters {} cannot encode", encoding.name()))?;
    if bytes.len() != doc.input_bytes || hex(&bytes) != doc.input_xxh3 {
        return Err(format!(
            "encoding its text as {} does not give the input's bytes back (size or hash differs from the manifest's)",
            encoding.name()
        ));
    }
    Ok((bytes, Status::Exact))
}

/// An error with a file as one line: confinement errors already name the
/// path at fault (which may be a folder above `path`); others get `path`.
fn file_error(path: &Path, err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::Other {
        err.to_string()
    } else {
        format!("{}: {}", path.display(), crate::input::io_message(err))
    }
}

fn hex(bytes: &[u8]) -> String {
    format!("{:016x}", xxh3_64(bytes))
}

/// A name from a manifest, safe to print on one line.
fn printable(name: &str) -> String {
    if name.chars().any(char::is_control) {
        name.escape_debug().to_string()
    } else {
        name.to_owned()
    }
}

fn io_fail(path: &Path, err: std::io::Error) -> RestoreError {
    RestoreError::Output(OutputError::Io {
        path: path.to_path_buf(),
        message: crate::input::io_message(&err),
    })
}

/// The original decoded text of one document from its cleaned text:
/// removals put back in order, each checked to rebuild as many bytes as it
/// removed.
fn rebuild(
    cleaned: &str,
    doc: &DocumentLine,
    removals: &[RemovalLine],
    originals: &HashMap<u32, String>,
    twin_failure: impl Fn(u32) -> String,
) -> Result<String, String> {
    let mut out = String::with_capacity(doc.bytes.min(PREALLOCATED));
    let mut cursor: usize = 0;
    for removal in removals {
        let [start, end] = removal.bytes;
        let name = || format!("its removal at bytes [{start}, {end}]");
        let keep = start
            .checked_sub(out.len())
            .ok_or_else(|| format!("{} overlaps the one before", name()))?;
        let kept = cursor
            .checked_add(keep)
            .and_then(|stop| cleaned.get(cursor..stop))
            .ok_or_else(|| {
                format!(
                    "{}: the cleaned text is shorter than the manifest says",
                    name()
                )
            })?;
        out.push_str(kept);
        cursor += keep;
        let replacement = cursor
            .checked_add(removal.replacement_bytes)
            .and_then(|stop| cleaned.get(cursor..stop))
            .ok_or_else(|| format!("{}: its replacement runs past the cleaned text", name()))?;
        cursor += removal.replacement_bytes;
        let removed = removed_text(removal, &out, replacement, originals).map_err(|e| match e {
            TextError::Script(e) => format!("{}: {e}", name()),
            TextError::Twin(Some(twin)) => format!("{}: {}", name(), twin_failure(twin)),
            TextError::Twin(None) => format!("{}: its twin's bytes are outside the text", name()),
        })?;
        if removed.len() != end - start {
            return Err(format!(
                "{} rebuilds {} bytes where it removed {}",
                name(),
                removed.len(),
                end - start
            ));
        }
        out.push_str(&removed);
    }
    out.push_str(cleaned.get(cursor..).unwrap_or_default());
    Ok(out)
}

#[derive(Debug)]
enum TextError {
    Script(ScriptError),
    /// The twin document is not available (`Some`), or its bytes are not
    /// inside it (`None`).
    Twin(Option<u32>),
}

fn removed_text(
    removal: &RemovalLine,
    so_far: &str,
    replacement: &str,
    originals: &HashMap<u32, String>,
) -> Result<String, TextError> {
    if let Some(text) = &removal.text {
        return Ok(text.clone());
    }
    let edits = removal.edits.as_deref().unwrap_or_default();
    let twin = match &removal.twin {
        None => replacement,
        Some(twin) => {
            let source = match twin.doc {
                None => so_far,
                Some(doc) => originals
                    .get(&doc)
                    .ok_or(TextError::Twin(Some(doc)))?
                    .as_str(),
            };
            source
                .get(twin.bytes[0]..twin.bytes[1])
                .ok_or(TextError::Twin(None))?
        }
    };
    apply(twin, edits).map_err(TextError::Script)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_lines_are_the_gaps_before_and_between_records() {
        assert!(missing_lines([1, 2, 3].into_iter()).is_empty());
        assert_eq!(missing_lines([2, 5].into_iter()), [(1, 1), (3, 4)]);
        assert_eq!(
            missing_lines([usize::MAX].into_iter()),
            [(1, usize::MAX - 1)]
        );
        assert!(missing_lines(std::iter::empty()).is_empty());
    }
}
