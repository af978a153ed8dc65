//! `restore`: rebuild every input from a cleaned output and its manifest.
//!
//! Documents that were written are rebuilt first, in input order, then the
//! removed duplicate documents (whose twins are written documents). JSON
//! Lines records stream: written ones are read from the cleaned file in step
//! with the manifest and their rebuilt lines spooled to a temporary file,
//! then each input file is assembled in line order with its removed records;
//! memory holds the manifest and the originals other documents refer to. Inside a
//! document, removals are put back in order: a removal's twin in the same
//! document always ends before it, so the twin's original text is already
//! rebuilt when the removal needs it. A document that decoded without loss
//! is encoded back to its original encoding and byte-order mark and checked
//! against the input's hash; any other document is written as its decoded
//! text in UTF-8.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use super::edits::{apply, ScriptError};
use super::encode::encode;
use super::manifest::{DocumentLine, Line, RecordLine, RemovalLine};
use super::output::{write_atomic, Layout, OutputError};
use crate::input::jsonl::{replace_text, Compression, JsonlOptions, JsonlReader, JsonlWriter};

/// Why a restore failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestoreError {
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Document { path: String, message: String },
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// What a restore did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RestoreReport {
    pub documents: usize,
    /// Documents rebuilt byte for byte.
    pub exact: usize,
    /// Documents rebuilt as their decoded text (their input did not decode
    /// without loss).
    pub as_text: Vec<String>,
}

struct Manifest {
    documents: Vec<DocumentLine>,
    removals: HashMap<u32, Vec<RemovalLine>>,
}

/// Restores the inputs cleaned into `cleaned` under `dest`.
pub fn restore(cleaned: &Path, dest: &Path) -> Result<RestoreReport, RestoreError> {
    let manifest = read_manifest(&cleaned.join("manifest.jsonl"))?;
    Layout::new(&[]).check(dest, &[])?;
    let referenced: HashSet<u32> = manifest
        .removals
        .values()
        .flatten()
        .filter_map(|r| r.twin.as_ref()?.doc)
        .collect();
    let mut state = State {
        cleaned,
        dest,
        manifest: &manifest,
        referenced,
        originals: HashMap::new(),
        report: RestoreReport::default(),
        records: None,
    };
    for doc in manifest.documents.iter().filter(|d| d.written) {
        state.restore_written(doc)?;
    }
    state.close_records()?;
    for doc in manifest
        .documents
        .iter()
        .filter(|d| !d.written && d.record.is_none())
    {
        let text = rebuild("", doc, &manifest, &state.originals)?;
        write_original(dest, doc, &text, &mut state.report)?;
    }
    state.assemble_record_files()?;
    Ok(state.report)
}

/// What a restore carries from document to document.
struct State<'a> {
    cleaned: &'a Path,
    dest: &'a Path,
    manifest: &'a Manifest,
    /// Documents other documents' removals refer to.
    referenced: HashSet<u32>,
    /// Original texts of referenced documents, once rebuilt.
    originals: HashMap<u32, String>,
    report: RestoreReport,
    /// The cleaned JSON Lines file being read and the spool its rebuilt
    /// lines go to, in order.
    records: Option<OpenRecords>,
}

/// A cleaned JSON Lines file read record by record, in step with the
/// manifest's written records of that file.
struct OpenRecords {
    output: String,
    reader: JsonlReader,
    spool: std::io::BufWriter<std::fs::File>,
}

impl State<'_> {
    /// Rebuilds one written document: a text file is written at once, a
    /// record's original line goes to its file's spool.
    fn restore_written(&mut self, doc: &DocumentLine) -> Result<(), RestoreError> {
        let Some(record) = &doc.record else {
            let text = rebuild(
                &read_cleaned(self.cleaned, doc)?,
                doc,
                self.manifest,
                &self.originals,
            )?;
            self.remember(doc, &text);
            return write_original(self.dest, doc, &text, &mut self.report);
        };
        let (cleaned_text, cleaned_line) = self.next_record(doc, record)?;
        let text = rebuild(&cleaned_text, doc, self.manifest, &self.originals)?;
        let line = replace_text(&cleaned_line, &record.text_field, &text)
            .map_err(|e| doc_fail(doc, &e.to_string()))?;
        self.count(doc, &line);
        self.remember(doc, &text);
        let open = self
            .records
            .as_mut()
            .ok_or_else(|| doc_fail(doc, "no cleaned file"))?;
        writeln!(open.spool, "{line}").map_err(|e| io_fail(&self.dest.join(&doc.output), e))
    }

    fn remember(&mut self, doc: &DocumentLine, text: &str) {
        if self.referenced.contains(&doc.doc) {
            self.originals.insert(doc.doc, text.to_owned());
        }
    }

    fn count(&mut self, doc: &DocumentLine, line: &str) {
        self.report.documents += 1;
        if format!("{:016x}", xxhash_rust::xxh3::xxh3_64(line.as_bytes())) == doc.input_xxh3 {
            self.report.exact += 1;
        } else {
            self.report.as_text.push(doc.to_string_path());
        }
    }

    /// The next record of the cleaned file `doc` is in: its text and line.
    fn next_record(
        &mut self,
        doc: &DocumentLine,
        record: &RecordLine,
    ) -> Result<(String, String), RestoreError> {
        if self
            .records
            .as_ref()
            .is_none_or(|open| open.output != doc.output)
        {
            self.close_records()?;
            self.records = Some(self.open_records(doc, record)?);
        }
        let open = self
            .records
            .as_mut()
            .ok_or_else(|| doc_fail(doc, "no cleaned file"))?;
        match open.reader.next() {
            Some(Ok(found)) => Ok((found.text, found.raw)),
            Some(Err(err)) => Err(doc_fail(doc, &err.to_string())),
            None => Err(doc_fail(
                doc,
                "the cleaned file has fewer records than the manifest lists",
            )),
        }
    }

    fn open_records(
        &self,
        doc: &DocumentLine,
        record: &RecordLine,
    ) -> Result<OpenRecords, RestoreError> {
        let path = self.cleaned.join(&doc.output);
        let options = JsonlOptions {
            text_field: record.text_field.clone(),
            ..JsonlOptions::default()
        };
        let reader = JsonlReader::open(&path, &options).map_err(|e| io_fail(&path, e))?;
        let spool_path = spool_path(self.dest, &doc.output);
        if let Some(parent) = spool_path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_fail(parent, e))?;
        }
        let spool = std::fs::File::create(&spool_path).map_err(|e| io_fail(&spool_path, e))?;
        Ok(OpenRecords {
            output: doc.output.clone(),
            reader,
            spool: std::io::BufWriter::new(spool),
        })
    }

    fn close_records(&mut self) -> Result<(), RestoreError> {
        if let Some(open) = self.records.take() {
            let path = spool_path(self.dest, &open.output);
            open.spool
                .into_inner()
                .map_err(|e| io_fail(&path, e.into_error()))?;
        }
        Ok(())
    }

    /// Writes each JSON Lines input back, every record in line order: the
    /// written ones from their spool, the removed ones rebuilt from their
    /// skeleton and their twins.
    fn assemble_record_files(&mut self) -> Result<(), RestoreError> {
        let mut by_file: BTreeMap<&str, Vec<&DocumentLine>> = BTreeMap::new();
        for doc in &self.manifest.documents {
            if doc.record.is_some() {
                by_file.entry(doc.output.as_str()).or_default().push(doc);
            }
        }
        for (output, mut docs) in by_file {
            docs.sort_by_key(|d| d.record.as_ref().map_or(0, |r| r.line));
            self.assemble_file(output, &docs)?;
        }
        Ok(())
    }

    fn assemble_file(&mut self, output: &str, docs: &[&DocumentLine]) -> Result<(), RestoreError> {
        let target = self.dest.join(output);
        let spool_path = spool_path(self.dest, output);
        let mut spool = match std::fs::File::open(&spool_path) {
            Ok(file) => Some(std::io::BufReader::new(file).lines()),
            Err(_) => None,
        };
        let temp = temp_path(&target);
        let file = std::fs::File::create(&temp).map_err(|e| io_fail(&temp, e))?;
        let mut writer = JsonlWriter::new(file, Compression::from_path(&target))
            .map_err(|e| io_fail(&target, e))?;
        for doc in docs {
            let line = if doc.written {
                let next = spool.as_mut().and_then(|lines| lines.next());
                next.ok_or_else(|| doc_fail(doc, "its rebuilt line is missing"))?
                    .map_err(|e| io_fail(&spool_path, e))?
            } else {
                let line = self.removed_record(doc)?;
                self.count(doc, &line);
                line
            };
            writer.write_line(&line).map_err(|e| io_fail(&target, e))?;
        }
        let file = writer.finish().map_err(|e| io_fail(&target, e))?;
        file.sync_data().map_err(|e| io_fail(&temp, e))?;
        std::fs::rename(&temp, &target).map_err(|e| io_fail(&target, e))?;
        let _ = std::fs::remove_file(&spool_path);
        Ok(())
    }

    /// The original line of a removed record.
    fn removed_record(&self, doc: &DocumentLine) -> Result<String, RestoreError> {
        let record = doc
            .record
            .as_ref()
            .ok_or_else(|| doc_fail(doc, "not a record"))?;
        let skeleton = record
            .skeleton
            .as_deref()
            .ok_or_else(|| doc_fail(doc, "its skeleton is missing"))?;
        let text = rebuild("", doc, self.manifest, &self.originals)?;
        replace_text(skeleton, &record.text_field, &text).map_err(|e| doc_fail(doc, &e.to_string()))
    }
}

/// Where a JSON Lines file's rebuilt written lines wait for its removed ones.
fn spool_path(dest: &Path, output: &str) -> PathBuf {
    temp_path(&dest.join(format!("{output}.spool")))
}

fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.doppel-{}.tmp", std::process::id()))
}

fn doc_fail(doc: &DocumentLine, message: &str) -> RestoreError {
    RestoreError::Document {
        path: doc.to_string_path(),
        message: message.to_owned(),
    }
}

fn read_cleaned(cleaned: &Path, doc: &DocumentLine) -> Result<String, RestoreError> {
    let path = cleaned.join(&doc.output);
    std::fs::read_to_string(&path).map_err(|e| RestoreError::Document {
        path: doc.path.clone(),
        message: format!("{}: {}", path.display(), crate::input::io_message(&e)),
    })
}

fn io_fail(path: &Path, err: std::io::Error) -> RestoreError {
    RestoreError::Output(OutputError::Io {
        path: path.to_path_buf(),
        message: crate::input::io_message(&err),
    })
}

fn read_manifest(path: &Path) -> Result<Manifest, RestoreError> {
    let bad = |message: String| RestoreError::Manifest {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| bad(crate::input::io_message(&e)))?;
    let mut manifest = Manifest {
        documents: Vec::new(),
        removals: HashMap::new(),
    };
    for (at, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| bad(crate::input::io_message(&e)))?;
        match serde_json::from_str::<Line>(&line)
            .map_err(|e| bad(format!("line {}: {e}", at + 1)))?
        {
            Line::Document(doc) => manifest.documents.push(doc),
            Line::Removal(removal) => manifest
                .removals
                .entry(removal.doc)
                .or_default()
                .push(removal),
            Line::Begin { .. } | Line::Summary(_) => {}
        }
    }
    for removals in manifest.removals.values_mut() {
        removals.sort_by_key(|r| r.bytes[0]);
    }
    Ok(manifest)
}

/// The original decoded text of one document, from its cleaned text.
fn rebuild(
    current: &str,
    doc: &DocumentLine,
    manifest: &Manifest,
    originals: &HashMap<u32, String>,
) -> Result<String, RestoreError> {
    let fail = |message: String| RestoreError::Document {
        path: doc.to_string_path(),
        message,
    };
    let mut out = String::with_capacity(doc.bytes);
    let mut cursor = 0;
    for removal in manifest.removals.get(&doc.doc).into_iter().flatten() {
        let keep = removal.bytes[0]
            .checked_sub(out.len())
            .ok_or_else(|| fail("overlapping removals".into()))?;
        let kept = current
            .get(cursor..cursor + keep)
            .ok_or_else(|| fail("cleaned text is shorter than the manifest says".into()))?;
        out.push_str(kept);
        cursor += keep;
        let replacement = current
            .get(cursor..cursor + removal.replacement_bytes)
            .ok_or_else(|| fail("replacement runs past the cleaned text".into()))?;
        cursor += removal.replacement_bytes;
        let removed =
            removed_text(removal, &out, replacement, originals).map_err(|e| fail(e.to_string()))?;
        out.push_str(&removed);
    }
    out.push_str(current.get(cursor..).unwrap_or_default());
    if out.len() != doc.bytes {
        return Err(fail(format!(
            "rebuilt {} bytes where the input had {}",
            out.len(),
            doc.bytes
        )));
    }
    Ok(out)
}

#[derive(Debug, thiserror::Error)]
enum TextError {
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error("its twin is missing from the manifest")]
    NoTwin,
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
                Some(doc) => originals.get(&doc).ok_or(TextError::NoTwin)?.as_str(),
            };
            source
                .get(twin.bytes[0]..twin.bytes[1])
                .ok_or(TextError::NoTwin)?
        }
    };
    Ok(apply(twin, edits)?)
}

fn write_original(
    dest: &Path,
    doc: &DocumentLine,
    text: &str,
    report: &mut RestoreReport,
) -> Result<(), RestoreError> {
    let target = dest.join(&doc.output);
    report.documents += 1;
    let encoding = encoding_rs::Encoding::for_label(doc.encoding.as_bytes());
    let exact = encoding
        .filter(|_| doc.lossless)
        .and_then(|encoding| encode(text, encoding, doc.bom))
        .filter(|bytes| format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes)) == doc.input_xxh3);
    match exact {
        Some(bytes) => {
            write_atomic(&target, &bytes)?;
            report.exact += 1;
        }
        None => {
            write_atomic(&target, text.as_bytes())?;
            report.as_text.push(doc.path.clone());
        }
    }
    Ok(())
}
