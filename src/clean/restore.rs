//! `restore`: rebuild every input from a cleaned output and its manifest.
//!
//! Documents that were written are rebuilt first, in input order, then the
//! removed duplicate documents (whose twins are written documents). Inside a
//! document, removals are put back in order: a removal's twin in the same
//! document always ends before it, so the twin's original text is already
//! rebuilt when the removal needs it. A document that decoded without loss
//! is encoded back to its original encoding and byte-order mark and checked
//! against the input's hash; any other document is written as its decoded
//! text in UTF-8.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
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
    let cleaned_records = read_records(cleaned, &manifest)?;
    let mut originals: HashMap<u32, String> = HashMap::new();
    let mut record_texts: HashMap<u32, String> = HashMap::new();
    let mut report = RestoreReport::default();
    let order = manifest
        .documents
        .iter()
        .filter(|d| d.written)
        .chain(manifest.documents.iter().filter(|d| !d.written));
    for doc in order {
        let current = match (&doc.record, doc.written) {
            (Some(_), true) => cleaned_records
                .get(&doc.doc)
                .map(|(text, _)| text.clone())
                .unwrap_or_default(),
            (_, true) => read_cleaned(cleaned, doc)?,
            (_, false) => String::new(),
        };
        let text = rebuild(&current, doc, &manifest, &originals)?;
        if referenced.contains(&doc.doc) {
            originals.insert(doc.doc, text.clone());
        }
        if doc.record.is_some() {
            record_texts.insert(doc.doc, text);
        } else {
            write_original(dest, doc, &text, &mut report)?;
        }
    }
    write_record_files(
        dest,
        &manifest,
        &cleaned_records,
        &record_texts,
        &mut report,
    )?;
    Ok(report)
}

fn read_cleaned(cleaned: &Path, doc: &DocumentLine) -> Result<String, RestoreError> {
    let path = cleaned.join(&doc.output);
    std::fs::read_to_string(&path).map_err(|e| RestoreError::Document {
        path: doc.path.clone(),
        message: format!("{}: {}", path.display(), crate::input::io_message(&e)),
    })
}

/// The cleaned text and line of every written JSON Lines record, read from
/// the cleaned JSON Lines files (their lines are the written records, in
/// order).
fn read_records(
    cleaned: &Path,
    manifest: &Manifest,
) -> Result<HashMap<u32, (String, String)>, RestoreError> {
    let mut by_file: BTreeMap<&str, Vec<(&DocumentLine, &RecordLine)>> = BTreeMap::new();
    for doc in manifest.documents.iter().filter(|d| d.written) {
        if let Some(record) = &doc.record {
            by_file
                .entry(doc.output.as_str())
                .or_default()
                .push((doc, record));
        }
    }
    let mut out = HashMap::new();
    for (output, mut docs) in by_file {
        docs.sort_by_key(|(_, record)| record.line);
        let path = cleaned.join(output);
        let options = JsonlOptions {
            text_field: docs[0].1.text_field.clone(),
            ..JsonlOptions::default()
        };
        let fail = |message: String| RestoreError::Manifest {
            path: path.clone(),
            message,
        };
        let reader =
            JsonlReader::open(&path, &options).map_err(|e| fail(crate::input::io_message(&e)))?;
        let mut records = reader.map(|r| r.map_err(|e| fail(e.to_string())));
        for (doc, _) in docs {
            let record = records
                .next()
                .ok_or_else(|| fail("fewer records than the manifest lists".into()))??;
            out.insert(doc.doc, (record.text, record.raw));
        }
    }
    Ok(out)
}

/// Writes each JSON Lines input back: every record's line, in line order,
/// compressed as the input was.
fn write_record_files(
    dest: &Path,
    manifest: &Manifest,
    cleaned: &HashMap<u32, (String, String)>,
    texts: &HashMap<u32, String>,
    report: &mut RestoreReport,
) -> Result<(), RestoreError> {
    let mut by_file: BTreeMap<&str, Vec<&DocumentLine>> = BTreeMap::new();
    for doc in &manifest.documents {
        if doc.record.is_some() {
            by_file.entry(doc.output.as_str()).or_default().push(doc);
        }
    }
    for (output, mut docs) in by_file {
        docs.sort_by_key(|d| d.record.as_ref().map_or(0, |r| r.line));
        let target = dest.join(output);
        let mut buffer = Vec::new();
        let mut writer = JsonlWriter::new(&mut buffer, Compression::from_path(&target))
            .map_err(|e| io_fail(&target, e))?;
        for doc in docs {
            let line = record_line(doc, cleaned, texts)?;
            report.documents += 1;
            if format!("{:016x}", xxhash_rust::xxh3::xxh3_64(line.as_bytes())) == doc.input_xxh3 {
                report.exact += 1;
            } else {
                report.as_text.push(doc.to_string_path());
            }
            writer.write_line(&line).map_err(|e| io_fail(&target, e))?;
        }
        writer.finish().map_err(|e| io_fail(&target, e))?;
        write_atomic(&target, &buffer)?;
    }
    Ok(())
}

fn record_line(
    doc: &DocumentLine,
    cleaned: &HashMap<u32, (String, String)>,
    texts: &HashMap<u32, String>,
) -> Result<String, RestoreError> {
    let fail = |message: &str| RestoreError::Document {
        path: doc.to_string_path(),
        message: message.to_owned(),
    };
    let record = doc.record.as_ref().ok_or_else(|| fail("not a record"))?;
    let base = match (&record.skeleton, cleaned.get(&doc.doc)) {
        (Some(skeleton), _) => skeleton.as_str(),
        (None, Some((_, raw))) => raw.as_str(),
        (None, None) => return Err(fail("its cleaned line is missing")),
    };
    let text = texts
        .get(&doc.doc)
        .ok_or_else(|| fail("its text was not rebuilt"))?;
    replace_text(base, &record.text_field, text).map_err(|e| fail(&e.to_string()))
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
