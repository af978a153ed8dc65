//! `clean --annotate`: decide as `clean` does, remove nothing, and write the
//! inputs back with what was decided, so a corpus can be marked before
//! anything is dropped (as datatrove and Dolma users do).
//!
//! Every document gets five fields, named as the Python package's
//! `mode="annotate"` names its columns:
//!
//! | field | value |
//! | --- | --- |
//! | `doppel_cluster` | the number of its cluster of duplicate documents (clusters are numbered from 0 in the order of their first members), or null; a cluster is a group whose members are all duplicates of each other, and the document kept in a removed one's place may be in another cluster |
//! | `doppel_keep` | false when `clean` would remove the whole document |
//! | `doppel_reason` | `exact-duplicate` or `near-duplicate` when it would be removed, else null |
//! | `doppel_duplicate_of` | the id of the document kept in its place (a record's id, a file's path), or of the stored document it duplicates (`--against`), else null |
//! | `doppel_duplicate_share` | the fraction of its bytes `clean` would remove as duplicated (1 for a removed document; for a kept one, its later copies of repeated blocks, its segments seen in earlier documents, and with `--boilerplate` its boilerplate lines) |
//!
//! Where they go:
//!
//! - a JSON Lines file is written to its place in the output folder (as
//!   `clean` places it), every non-blank line kept in order, each record
//!   that is a document with the fields added at the end of its object
//!   (its other bytes unchanged); lines that are no document (no text
//!   field, not JSON) are written as they were. A file a record of which
//!   already has one of the fields is refused, named, and not written;
//! - a Parquet table (the `parquet` feature) is written to its place with
//!   every row and column as it was and the five fields added as columns
//!   (null in rows that are no document); a table that already has one of
//!   them is refused (`annotate_table`);
//! - plain text files are not copied: their annotations go to
//!   `doppel-annotations.jsonl` in the output folder, one line per file
//!   with its `path`.
//!
//! The output folder is locked and checked as `clean`'s is; every file is
//! written under a temporary name and renamed into place. No manifest is
//! written: nothing was removed, and the inputs are unchanged.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

use super::output::{Layout, OutLock, OutputError};
use super::parquet_rows::{annotate_table, table_input};
use super::run::{
    entry_size, plan_for, rescan, scan_pass, usable_entries, CleanError, CleanOptions, Decisions,
    Numbering, Progress, Rescanned,
};
use super::writer::OpenJsonl;
use super::Reason;
use crate::document::Origin;
use crate::index::{Index, StoredMatch};
use crate::input::jsonl::JsonlReader;
use crate::input::Entry;
use crate::pipeline::{Engine, Problem, Summary, Which};

/// The file, in the output folder, of the annotations of plain text files.
pub const ANNOTATIONS_NAME: &str = "doppel-annotations.jsonl";

/// The fields annotate adds to each record.
pub const FIELDS: [&str; 5] = [
    "doppel_cluster",
    "doppel_keep",
    "doppel_reason",
    "doppel_duplicate_of",
    "doppel_duplicate_share",
];

/// What `clean` would do with one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Annotation {
    /// Its cluster of duplicate documents, if any.
    #[serde(rename = "doppel_cluster")]
    pub cluster: Option<u32>,
    /// False when the whole document would be removed.
    #[serde(rename = "doppel_keep")]
    pub keep: bool,
    /// `exact-duplicate` or `near-duplicate` when it would be removed.
    #[serde(rename = "doppel_reason")]
    pub reason: Option<&'static str>,
    /// The id (or path) of the document it duplicates, when removed.
    #[serde(rename = "doppel_duplicate_of")]
    pub duplicate_of: Option<String>,
    /// Fraction of its bytes that would be removed as duplicated, 0 to 1.
    #[serde(rename = "doppel_duplicate_share")]
    pub duplicate_share: f64,
}

/// What an annotate run did, for the caller to report.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct AnnotateReport {
    /// The scan's summary.
    pub scan: Summary,
    /// Documents annotated.
    pub documents: usize,
    /// Documents marked to be removed (`doppel_keep: false`).
    pub removed: usize,
    /// Documents kept with some of their bytes duplicated.
    pub partly_duplicated: usize,
    /// JSON Lines and Parquet files written.
    pub files: usize,
    /// The annotations of plain text files, when there were any.
    pub annotations: Option<PathBuf>,
    /// Inputs not annotated, each with why.
    pub problems: Vec<Problem>,
}

/// Annotates `entries` (expanded from `inputs`) into `options.out`;
/// `options.dry_run` and `options.allow_lossy` are ignored (nothing is
/// removed, so nothing needs to restore). With `against`, documents that
/// duplicate a stored document are marked too (see
/// [`super::run::clean_against`]).
pub fn annotate(
    engine: &Engine,
    inputs: &[PathBuf],
    entries: &[Entry],
    problems: Vec<Problem>,
    options: &CleanOptions,
    progress: &dyn Progress,
    against: Option<&Index>,
) -> Result<AnnotateReport, CleanError> {
    let layout = Layout::new(inputs);
    let mut problems = problems;
    let entries = usable_entries(&layout, entries, &mut problems);
    let origins: Vec<Origin> = entries.iter().map(|e| e.origin.clone()).collect();
    layout.check_not_inside(&options.out)?;
    layout.check_collisions(&options.out, &origins)?;
    check_annotations_name(&layout, &options.out, &origins)?;
    let mut lock = OutLock::acquire(&options.out)?;
    let options = CleanOptions {
        dry_run: false,
        allow_lossy: true,
        repair: false,
        drop_damaged: None,
        ..options.clone()
    };
    let scanned = scan_pass(engine, &entries, problems, &options, progress, against)?;
    let notes = annotate_pass(engine, &entries, &scanned.decisions, progress)?;
    let mut report = AnnotateReport {
        scan: scanned.summary,
        problems: scanned.problems,
        ..AnnotateReport::default()
    };
    for note in notes
        .records
        .values()
        .chain(notes.texts.iter().map(|(_, n)| n))
    {
        report.documents += 1;
        report.removed += usize::from(!note.annotation.keep);
        report.partly_duplicated +=
            usize::from(note.annotation.keep && note.annotation.duplicate_share > 0.0);
    }
    for (at, entry) in entries.iter().enumerate() {
        if entry.jsonl.is_none() {
            continue;
        }
        let target = options.out.join(layout.relative(&entry.origin));
        let entry_number = at as u32;
        let written = match table_input(entry) {
            Some(input) => annotate_table(&input, target, |row| {
                notes
                    .records
                    .get(&(entry_number, row))
                    .map(|note| &note.annotation)
            })?,
            None => rewrite(entry_number, entry, &notes.records, target)?.map(|()| true),
        };
        match written {
            Ok(true) => report.files += 1,
            Ok(false) => {}
            Err(message) => report.problems.push(Problem {
                origin: entry.origin.clone(),
                message,
            }),
        }
    }
    if !notes.texts.is_empty() {
        let target = options.out.join(ANNOTATIONS_NAME);
        write_text_annotations(&notes.texts, target.clone())?;
        report.annotations = Some(target);
    }
    lock.remove_file()?;
    Ok(report)
}

/// Refuses an input whose output would be the annotations file.
fn check_annotations_name(
    layout: &Layout,
    out: &Path,
    origins: &[Origin],
) -> Result<(), OutputError> {
    match origins
        .iter()
        .find(|o| layout.relative(o) == Path::new(ANNOTATIONS_NAME))
    {
        Some(origin) => Err(OutputError::Collision {
            first: origin.to_string(),
            second: "the annotations of plain text files".to_owned(),
            output: out.join(ANNOTATIONS_NAME),
        }),
        None => Ok(()),
    }
}

/// A document's annotation, and for a record the xxh3 of its line as read.
struct Note {
    annotation: Annotation,
    hash: u64,
}

/// The annotations of a run: records by (entry, line), plain documents
/// in input order with their paths.
#[derive(Default)]
struct Notes {
    records: HashMap<(u32, usize), Note>,
    texts: Vec<(String, Note)>,
}

/// Reads, scans and annotates every document again, in order.
fn annotate_pass(
    engine: &Engine,
    entries: &[Entry],
    decisions: &Decisions,
    progress: &dyn Progress,
) -> Result<Notes, CleanError> {
    progress.start("annotating", entries.iter().map(entry_size).sum());
    let mut numbering = Numbering::default();
    let mut notes = Notes::default();
    engine.pass(
        entries,
        Which::All,
        |doc| rescan(engine, doc),
        |scanned| {
            let numbered: Vec<(u32, Rescanned)> = numbering.again(scanned, &decisions.origins)?;
            let annotated: Vec<_> = numbered
                .into_par_iter()
                .map(|(number, rescanned)| annotate_one(number, rescanned, decisions))
                .collect();
            for annotated in annotated {
                let (origin, entry, input_bytes, note) = annotated?;
                progress.advance(input_bytes as u64);
                match origin {
                    Origin::Record { line, .. } => {
                        notes.records.insert((entry, line), note);
                    }
                    other => notes.texts.push((other.report_path(), note)),
                }
            }
            Ok::<(), CleanError>(())
        },
    )?;
    progress.finish();
    if let Some(missing) = decisions.origins.get(numbering.count()) {
        return Err(CleanError::Changed(missing.to_string()));
    }
    Ok(notes)
}

/// One document's annotation: (its origin, entry, input size, note).
fn annotate_one(
    number: u32,
    rescanned: Rescanned,
    decisions: &Decisions,
) -> Result<(Origin, u32, usize, Note), CleanError> {
    let doc = &rescanned.doc;
    if decisions.hashes.get(number as usize) != Some(&doc.sketch.exact) {
        return Err(CleanError::Changed(doc.document.origin.to_string()));
    }
    let plan = plan_for(number, doc, decisions);
    let text_len = doc.document.text().len();
    let duplicated: usize = plan
        .removals
        .iter()
        .filter(|r| !matches!(r.reason, Reason::Damaged | Reason::Repaired))
        .map(|r| r.bytes.len())
        .sum();
    let duplicate_share = if text_len == 0 {
        0.0
    } else {
        ((duplicated as f64 / text_len as f64).min(1.0) * 1e4).round() / 1e4
    };
    let clustered = decisions.clustered.get(&number);
    let (keep, reason, duplicate_of) = match (
        decisions.removed.get(&number),
        decisions.stored.get(&number),
    ) {
        (Some(&kept), _) => (
            false,
            Some(if decisions.contained.contains_key(&number) {
                "contained"
            } else {
                duplicate_kind(clustered.is_some_and(|c| c.exact))
            }),
            decisions.origins.get(kept as usize).map(origin_id),
        ),
        (None, Some(found)) => (
            false,
            Some(duplicate_kind(found.exact)),
            Some(stored_id(found)),
        ),
        (None, None) => (true, None, None),
    };
    let annotation = Annotation {
        cluster: clustered.and_then(|c| c.cluster),
        keep,
        reason,
        duplicate_of,
        duplicate_share: if keep { duplicate_share } else { 1.0 },
    };
    Ok((
        doc.document.origin.clone(),
        rescanned.entry,
        doc.document.input_bytes,
        Note {
            annotation,
            hash: rescanned.hash,
        },
    ))
}

fn duplicate_kind(exact: bool) -> &'static str {
    if exact {
        "exact-duplicate"
    } else {
        "near-duplicate"
    }
}

/// How `doppel_duplicate_of` names a document: a record by its id, a file
/// by its path.
fn origin_id(origin: &Origin) -> String {
    match origin {
        Origin::Record { id, .. } => id.clone(),
        other => other.report_path(),
    }
}

/// How `doppel_duplicate_of` names a stored document: its id, else its
/// path and line.
fn stored_id(found: &StoredMatch) -> String {
    let stored = &found.stored;
    match (&stored.id, stored.line) {
        (Some(id), _) => id.clone(),
        (None, Some(line)) => format!("{}:{line}", stored.path),
        (None, None) => stored.path.clone(),
    }
}

/// Writes a JSON Lines input back to `target` with its records annotated.
/// `Ok(Err(message))` when this file is refused (nothing is written for
/// it); `Err` when the run cannot go on.
fn rewrite(
    entry: u32,
    input: &Entry,
    records: &HashMap<(u32, usize), Note>,
    target: PathBuf,
) -> Result<Result<(), String>, CleanError> {
    let (Some(path), Some(options)) = (input.origin.file(), input.jsonl.as_deref()) else {
        return Ok(Err(
            "standard input cannot be read again to be annotated: save it to a file first"
                .to_owned(),
        ));
    };
    let mut reader = match JsonlReader::open(path, options) {
        Ok(reader) => reader,
        Err(err) => return Ok(Err(crate::input::io_message(&err))),
    };
    let mut open = OpenJsonl::open(entry, target)?;
    match write_lines(&mut reader, &mut open, entry, records) {
        Ok(Ok(())) => open.close().map(Ok),
        other => {
            open.abandon();
            other
        }
    }
}

/// Writes every non-blank line of `reader` to `open`, annotated.
fn write_lines(
    reader: &mut JsonlReader,
    open: &mut OpenJsonl,
    entry: u32,
    records: &HashMap<(u32, usize), Note>,
) -> Result<Result<(), String>, CleanError> {
    while let Some(line) = reader.next_line() {
        let written = match line {
            Ok(line) => annotated_line(line.line, line.bytes, records.get(&(entry, line.line))),
            Err(err) => Err(format!("line {}: {}", err.line, err.message)),
        };
        match written {
            Ok(text) => open.write_line(&text)?,
            Err(message) => return Ok(Err(format!("not annotated: {message}"))),
        }
    }
    Ok(Ok(()))
}

/// A line of a JSON Lines file as annotate writes it: a record that is a
/// document with its fields added, any other line as it was.
fn annotated_line(line: usize, bytes: Vec<u8>, note: Option<&Note>) -> Result<String, String> {
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("line {line} is not UTF-8 and cannot be written back as it was"))?;
    let Some(note) = note else {
        return Ok(text);
    };
    if xxh3_64(text.as_bytes()) != note.hash {
        return Err(format!(
            "line {line} changed while it was being annotated; run again"
        ));
    }
    if let Some(field) = present_field(&text) {
        return Err(format!(
            "the record on line {line} already has a field {field}, which annotate writes: \
             annotate the original file, or remove the doppel_ fields first"
        ));
    }
    let fields =
        serde_json::to_string(&note.annotation).map_err(|e| format!("line {line}: {e}"))?;
    with_fields(&text, &fields).ok_or_else(|| format!("line {line} is not a JSON object"))
}

/// The first of [`FIELDS`] the record already has.
fn present_field(record: &str) -> Option<&'static str> {
    let keys: BTreeMap<String, serde::de::IgnoredAny> = serde_json::from_str(record).ok()?;
    FIELDS.into_iter().find(|field| keys.contains_key(*field))
}

/// `object` (one JSON object) with the members of `fields` (another)
/// added at its end; its own bytes are unchanged.
fn with_fields(object: &str, fields: &str) -> Option<String> {
    let members = fields.strip_prefix('{')?.strip_suffix('}')?;
    let body = object.trim_end_matches([' ', '\t', '\r', '\n']);
    let before_close = body.strip_suffix('}')?;
    let inside = before_close.trim_start_matches([' ', '\t', '\r', '\n']);
    let empty = inside
        .strip_prefix('{')?
        .trim_matches([' ', '\t', '\r', '\n'])
        .is_empty();
    let separator = if empty || members.is_empty() { "" } else { "," };
    Some(format!(
        "{before_close}{separator}{members}}}{}",
        &object[body.len()..]
    ))
}

/// One line of the annotations of plain text files.
#[derive(Serialize)]
struct TextAnnotation<'a> {
    path: &'a str,
    #[serde(flatten)]
    annotation: &'a Annotation,
}

fn write_text_annotations(texts: &[(String, Note)], target: PathBuf) -> Result<(), CleanError> {
    let mut open = OpenJsonl::open(u32::MAX, target)?;
    let written = texts.iter().try_for_each(|(path, note)| {
        let line = serde_json::to_string(&TextAnnotation {
            path,
            annotation: &note.annotation,
        })
        .map_err(std::io::Error::from)?;
        open.write_line(&line)
    });
    match written {
        Ok(()) => open.close(),
        Err(err) => {
            open.abandon();
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_go_at_the_end_of_the_object_and_nothing_else_changes() {
        let fields = r#"{"doppel_keep":true}"#;
        assert_eq!(
            with_fields(r#"{"id": 1, "text": "x"} "#, fields).as_deref(),
            Some(r#"{"id": 1, "text": "x","doppel_keep":true} "#)
        );
        assert_eq!(
            with_fields(" { } ", fields).as_deref(),
            Some(r#" { "doppel_keep":true} "#)
        );
        assert_eq!(with_fields("[1]", fields), None);
    }

    #[test]
    fn a_record_with_an_annotation_field_is_named() {
        assert_eq!(
            present_field(r#"{"text":"a","doppel_reason":null}"#),
            Some("doppel_reason")
        );
        assert_eq!(present_field(r#"{"text":"a","doppel":1}"#), None);
    }

    #[test]
    fn an_annotation_serializes_with_the_python_package_s_names() {
        let annotation = Annotation {
            cluster: Some(2),
            keep: false,
            reason: Some("near-duplicate"),
            duplicate_of: Some("xyz".to_owned()),
            duplicate_share: 1.0,
        };
        assert_eq!(
            serde_json::to_string(&annotation).unwrap(),
            r#"{"doppel_cluster":2,"doppel_keep":false,"doppel_reason":"near-duplicate","doppel_duplicate_of":"xyz","doppel_duplicate_share":1.0}"#
        );
    }
}
