//! The manifest: one JSON line per document and per removal, enough to
//! rebuild every input from the cleaned output, and the hashes to prove
//! that what was rebuilt is the input.
//!
//! ```jsonc
//! {"type":"begin","schema":2,"version":"0.1.0"}
//! {"type":"document","doc":0,"path":"corpus/page.txt","output":"corpus/page.txt","written":true,
//!  "encoding":"UTF-8","bom":false,"lossless":true,"input_bytes":77394,"input_xxh3":"…","bytes":77394,"text_xxh3":"…",
//!  "output_bytes":39800,"output_xxh3":"…"}
//! {"type":"removal","doc":0,"reason":"block-copy","bytes":[38603,76119],"lines":[157,286],
//!  "replacement_bytes":0,"twin":{"doc":null,"bytes":[757,38284]},"edits":[36,-1,"更新時間:",…]}
//! {"type":"summary","documents":1,"removed_documents":0,"removals":5,"removed_bytes":37516}
//! ```
//!
//! A removal's text is `edits` applied to its twin's text in the original
//! document, or `text` when it has no twin. A removal without a twin but
//! with `edits` (a damaged segment replaced by its clean twin, or a
//! mojibake repair: reason `repaired`, `clean --repair`) applies them to
//! the text that stands in its place in the cleaned text. A document
//! dropped by `clean --drop-damaged` has one removal, reason `damaged`,
//! with its whole text in `text`. The summary counts `repairs` and
//! `damaged_documents` when there are any (manifests without them read as
//! zero). A document removed because it
//! duplicates a document stored in an index (`clean --against INDEX`) has
//! its whole text in `text` and the stored document in `stored`
//! (`{"kind":"near","similarity":0.93,"path":"old/a.jsonl","id":"7","line":8}`). Removals of a document are in
//! order and disjoint; `bytes` are offsets into the original decoded text,
//! `replacement_bytes` the length of what stands in their place in the
//! cleaned text.
//!
//! A document read from a JSON Lines record or a Parquet row has `line`
//! (its 1-based line or row in the file), `id` (its `--id-field`, else its
//! line number) and `text_field`; each of its removals repeats the two as
//! `record` (`{"line":57,"id":"abc"}`), and a duplicate document removed
//! in favour of another input has `similarity`, its verified similarity
//! to the kept twin that `twin` names (1 when their normalized texts are
//! equal). These
//! are optional, so manifests written before them still restore; ids are
//! never read as paths.
//!
//! Each document carries three sizes and xxh3-64 hashes (16 lowercase hex
//! digits), one for each form restore goes through:
//!
//! - `output_bytes`, `output_xxh3`: the cleaned text written (for a JSON
//!   Lines record, its text field's value), so an edit to a cleaned file is
//!   told from a changed manifest;
//! - `bytes`, `text_xxh3`: the decoded original text, which the removals
//!   must rebuild;
//! - `input_bytes`, `input_xxh3`: the input's bytes (for a record, its line
//!   without the line end), which re-encoding must give back when
//!   `lossless` is true.
//!
//! # Reading
//!
//! [`Manifest::read`] takes nothing on trust. It refuses, naming the line:
//! an empty manifest, a first line that is not `begin`, a schema other than
//! [`SCHEMA`], document numbers that do not run 0, 1, 2, … , a removal of a
//! document with no line before it, a second `begin`, a missing `summary`
//! or lines after it, summary counts that differ from the lines read, an
//! `output` that is not a plain relative path ([`relative_path`]), two
//! documents written to one file, and records of a file whose line numbers
//! do not increase.

use std::collections::HashMap;
use std::io::BufRead;

use serde::{Deserialize, Serialize};

use super::confine::relative_path;
use super::edits::Edit;
use super::plan::Reason;

/// The manifest format's number. 2 added `text_xxh3` and `output_xxh3`, so
/// restore can verify every document it rebuilds and tell a changed cleaned
/// file from a changed manifest.
pub const SCHEMA: u32 = 2;

/// One line of the manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Line {
    /// The first line: the manifest's schema and the doppel that wrote it.
    Begin {
        /// The manifest format, [`SCHEMA`].
        schema: u32,
        /// The doppel version that cleaned.
        version: String,
    },
    /// How one input document was read and where its cleaned text went.
    Document(DocumentLine),
    /// One stretch of text taken out of a document.
    Removal(RemovalLine),
    /// A Parquet input's files, after the document lines of its rows.
    Table(TableLine),
    /// The last line: the totals, checked against the lines read.
    Summary(SummaryLine),
}

/// A Parquet input: its cleaned table, the table of its removed rows, and
/// the checksum of its rows that restore must rebuild.
///
/// Its rows that are documents have document lines (with `line` their
/// 1-based row); the cleaned table holds, in order, every row that is not a
/// removed document (rows that are not documents, such as rows with a null
/// text, as they were), and the removed table every removed document's
/// row with its text emptied. Both keep the input's schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableLine {
    /// The cleaned table, relative to the output folder; restore writes
    /// the input at the same relative path.
    pub output: String,
    /// The JSON field of the rows that holds the text.
    pub text_field: String,
    /// Rows of the input.
    pub rows: usize,
    /// Size of the cleaned table file.
    pub output_bytes: u64,
    /// xxh3-64 of the cleaned table file, hex.
    pub output_xxh3: String,
    /// The table of removed rows, relative to the output folder.
    pub removed: String,
    /// Rows in the removed rows' table.
    pub removed_rows: usize,
    /// Size of the removed rows' file.
    pub removed_bytes: u64,
    /// xxh3-64 of the removed rows' file, hex.
    pub removed_xxh3: String,
    /// xxh3-64 of the input's schema and of every value of every row, in
    /// order (see `clean::parquet`), hex.
    pub rows_xxh3: String,
}

/// How one input document was read and where its cleaned text went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentLine {
    /// The document's number: its place among the manifest's documents, from 0.
    pub doc: u32,
    /// The input as named or found.
    pub path: String,
    /// Where its cleaned text is, relative to the output folder; restore
    /// writes the original at the same relative path.
    pub output: String,
    /// False when the whole document was removed.
    pub written: bool,
    /// WHATWG name of the encoding it was decoded from.
    pub encoding: String,
    /// Whether the input began with a byte-order mark (written back on restore).
    pub bom: bool,
    /// Re-encoding the decoded text gives the input bytes back exactly.
    pub lossless: bool,
    /// Size of the input as read.
    pub input_bytes: usize,
    /// xxh3-64 of the input bytes, hex.
    pub input_xxh3: String,
    /// Decoded size.
    pub bytes: usize,
    /// xxh3-64 of the decoded text (UTF-8), hex.
    pub text_xxh3: String,
    /// Size of the cleaned text written.
    pub output_bytes: usize,
    /// xxh3-64 of the cleaned text written (UTF-8; for a record, its text
    /// field's value), hex; the empty text's hash when nothing was written.
    pub output_xxh3: String,
    /// Set for a JSON Lines record.
    #[serde(flatten, skip_serializing_if = "Option::is_none", default)]
    pub record: Option<RecordLine>,
}

impl DocumentLine {
    /// The document as messages name it: `path`, or `path:line` for a record.
    pub fn to_string_path(&self) -> String {
        match &self.record {
            Some(record) => format!("{}:{}", self.path, record.line),
            None => self.path.clone(),
        }
    }
}

/// Where a JSON Lines record (or a Parquet row) sits, and what restore
/// needs to rebuild its line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLine {
    /// 1-based line in the input file (row, for a Parquet row).
    pub line: usize,
    /// The record's id (its `--id-field`; its line number when it has
    /// none). Absent from manifests written before ids were recorded.
    /// Data only: restore never reads a path from it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// The JSON field that holds the text.
    pub text_field: String,
    /// For a removed record: its line with the text field emptied.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub skeleton: Option<String>,
}

/// One removal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemovalLine {
    /// The document it is taken from.
    pub doc: u32,
    /// What kind of duplicate it was.
    pub reason: Reason,
    /// `[start, end)`: byte offsets into the original decoded text.
    pub bytes: [usize; 2],
    /// `[first, last]`: the 1-based lines of the text found duplicate.
    pub lines: [usize; 2],
    /// Length of the text put in its place in the cleaned text (0 when nothing
    /// was).
    pub replacement_bytes: usize,
    /// The kept text it duplicates, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub twin: Option<TwinRef>,
    /// The edits that turn the twin's text into the removed text (given
    /// with `twin`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub edits: Option<Vec<Edit>>,
    /// The removed text itself, when it has no twin to be rebuilt from.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
    /// For a document removed by `clean --against INDEX`: the stored
    /// document it duplicates (its text is in `text`: the index keeps none).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stored: Option<StoredRef>,
    /// For a removal from a JSON Lines record or a Parquet row: the
    /// record's line (row) in its file and its id. Absent from older
    /// manifests; data only.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub record: Option<RecordRef>,
    /// For a duplicate document removed in favour of another input: its
    /// verified similarity to the kept twin, 1.0 when its normalized text
    /// is the twin's.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub similarity: Option<f64>,
}

/// A record as reports name it: its line (row) in its file and its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    /// 1-based line in the input file (row, for a Parquet row).
    pub line: usize,
    /// The record's id (its line number when it has none).
    pub id: String,
}

impl RecordRef {
    /// The record of a document that came from one.
    pub fn of(origin: &crate::document::Origin) -> Option<RecordRef> {
        match origin {
            crate::document::Origin::Record { line, id, .. } => Some(RecordRef {
                line: *line,
                id: id.clone(),
            }),
            _ => None,
        }
    }
}

/// The stored document a removed document duplicates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredRef {
    /// `exact` or `near`.
    pub kind: String,
    /// Jaccard similarity of the two documents (1 when exact).
    pub similarity: f64,
    /// The stored document's file.
    pub path: String,
    /// The stored record's id, for a JSON Lines record.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// The stored record's 1-based line, for a JSON Lines record.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u64>,
}

/// The kept text a removal duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwinRef {
    /// Document number; null for the same document.
    pub doc: Option<u32>,
    /// `[start, end)`: byte offsets into that document's original decoded text.
    pub bytes: [usize; 2],
}

/// The last line of the manifest: totals over the run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryLine {
    /// Input documents.
    pub documents: usize,
    /// Documents removed whole (exact and near duplicates).
    pub removed_documents: usize,
    /// Removal lines.
    pub removals: usize,
    /// Bytes the cleaned texts are shorter than the originals, over every
    /// removal.
    pub removed_bytes: usize,
    /// Removals that repair mojibake (reason `repaired`); absent when none,
    /// and from manifests written before repairs.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub repairs: usize,
    /// Documents dropped whole as damaged (`clean --drop-damaged`); absent
    /// when none.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub damaged_documents: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A manifest read whole and checked for consistency.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    /// Document lines; document `n` is at index `n`.
    pub documents: Vec<DocumentLine>,
    /// Each document's removals, ordered by where they start.
    pub removals: Vec<Vec<RemovalLine>>,
    /// Parquet inputs, in the order of their lines.
    pub tables: Vec<TableLine>,
    /// The summary line, which matched the lines read.
    pub summary: SummaryLine,
}

/// Why a manifest cannot be used; `line` is 1-based, 0 for the whole file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if *.line == 0 { String::new() } else { format!("line {}: ", .line) })]
pub struct ManifestError {
    /// The 1-based line of the manifest, 0 for the file as a whole.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn at(line: usize, message: impl Into<String>) -> ManifestError {
    ManifestError {
        line,
        message: message.into(),
    }
}

impl Manifest {
    /// Reads and checks a manifest.
    pub fn read(input: impl BufRead) -> Result<Manifest, ManifestError> {
        let mut reading = Reading::default();
        let mut number = 0;
        for line in input.lines() {
            number += 1;
            let line = line.map_err(|e| at(number, crate::input::io_message(&e)))?;
            reading.line(number, &line)?;
        }
        reading.finish(number)
    }

    /// The table line of the Parquet output `output`, if it is one.
    pub fn table(&self, output: &str) -> Option<&TableLine> {
        self.tables.iter().find(|t| t.output == output)
    }

    /// The document lines of each output file of records (JSON Lines, or
    /// Parquet with `tables`), by output path, in document (and so line)
    /// order.
    pub fn record_files_of(&self, tables: bool) -> Vec<(&str, Vec<u32>)> {
        let mut files: Vec<(&str, Vec<u32>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let is_table = |doc: &&DocumentLine| self.table(&doc.output).is_some();
        for doc in self
            .documents
            .iter()
            .filter(|d| d.record.is_some() && is_table(d) == tables)
        {
            let at = *index.entry(doc.output.as_str()).or_insert_with(|| {
                files.push((doc.output.as_str(), Vec::new()));
                files.len() - 1
            });
            files[at].1.push(doc.doc);
        }
        files
    }

    /// The document lines of each JSON Lines output file, by output path,
    /// in document (and so line) order.
    pub fn record_files(&self) -> Vec<(&str, Vec<u32>)> {
        self.record_files_of(false)
    }
}

/// What a file's lines have said so far.
#[derive(Default)]
struct Reading {
    begun: bool,
    manifest: Manifest,
    summary: Option<(usize, SummaryLine)>,
    /// Removal lines with reason `repaired`.
    repairs: usize,
    removals: usize,
    removed_bytes: usize,
    /// Output path → (is a record file, last record line).
    outputs: HashMap<String, (bool, usize)>,
    /// Removed records without a skeleton: (line, output, name).
    skeletonless: Vec<(usize, String, String)>,
}

impl Reading {
    fn line(&mut self, number: usize, text: &str) -> Result<(), ManifestError> {
        if let Some((summary_at, _)) = self.summary {
            return Err(at(
                number,
                format!("a line after the summary (line {summary_at}); the manifest ends with its summary"),
            ));
        }
        let line: Line = serde_json::from_str(text)
            .map_err(|e| at(number, format!("not a manifest line: {e}")))?;
        if !self.begun {
            let Line::Begin { schema, .. } = line else {
                return Err(at(
                    number,
                    "the manifest does not start with its begin line; is this a manifest written by doppel clean?",
                ));
            };
            if schema != SCHEMA {
                return Err(at(
                    number,
                    format!(
                        "manifest schema {schema}; this doppel reads schema {SCHEMA} (restore with the version that cleaned it, or clean the inputs again)"
                    ),
                ));
            }
            self.begun = true;
            return Ok(());
        }
        match line {
            Line::Begin { .. } => Err(at(number, "a second begin line")),
            Line::Document(doc) => self.document(number, doc),
            Line::Removal(removal) => self.removal(number, removal),
            Line::Table(table) => self.table(number, table),
            Line::Summary(summary) => {
                self.summary = Some((number, summary));
                Ok(())
            }
        }
    }

    fn document(&mut self, number: usize, doc: DocumentLine) -> Result<(), ManifestError> {
        let expected = self.manifest.documents.len();
        if doc.doc as usize != expected {
            return Err(at(
                number,
                format!(
                    "document number {} where {expected} was expected (documents are numbered 0, 1, 2, … without gaps or repeats)",
                    doc.doc
                ),
            ));
        }
        let name = doc.to_string_path();
        relative_path(&doc.output).map_err(|e| at(number, format!("{name}: output: {e}")))?;
        if !doc.written && doc.output_bytes != 0 {
            return Err(at(
                number,
                format!(
                    "{name}: a removed document with {} bytes of output",
                    doc.output_bytes
                ),
            ));
        }
        let is_record = doc.record.is_some();
        match (self.outputs.get_mut(&doc.output), &doc.record) {
            (None, record) => {
                let line = record.as_ref().map_or(0, |r| r.line);
                self.outputs.insert(doc.output.clone(), (is_record, line));
            }
            (Some((true, last)), Some(record)) => {
                if record.line <= *last {
                    return Err(at(
                        number,
                        format!(
                            "{name}: follows line {last} of the same file (the records of a file are listed in line order, once each)"
                        ),
                    ));
                }
                *last = record.line;
            }
            (Some(_), _) => {
                return Err(at(
                    number,
                    format!(
                        "{name}: another document is already written to {}",
                        doc.output
                    ),
                ))
            }
        }
        if let Some(record) = &doc.record {
            if record.line == 0 {
                return Err(at(
                    number,
                    format!("{name}: record line 0 (lines count from 1)"),
                ));
            }
            if !doc.written && record.skeleton.is_none() {
                // Allowed for a row of a table, whose line comes later.
                self.skeletonless
                    .push((number, doc.output.clone(), name.clone()));
            }
        }
        self.manifest.documents.push(doc);
        self.manifest.removals.push(Vec::new());
        Ok(())
    }

    fn removal(&mut self, number: usize, removal: RemovalLine) -> Result<(), ManifestError> {
        let Some(removals) = self.manifest.removals.get_mut(removal.doc as usize) else {
            return Err(at(
                number,
                format!(
                    "a removal from document {}, which has no document line before it",
                    removal.doc
                ),
            ));
        };
        let [start, end] = removal.bytes;
        let removed = end.checked_sub(start).ok_or_else(|| {
            at(
                number,
                format!("removal bytes [{start}, {end}] end before they start"),
            )
        })?;
        self.removals += 1;
        self.repairs += usize::from(removal.reason == Reason::Repaired);
        self.removed_bytes = self
            .removed_bytes
            .saturating_add(removed.saturating_sub(removal.replacement_bytes));
        removals.push(removal);
        Ok(())
    }

    /// A table line: its two names plain relative paths, its output a file
    /// of records or no document's, its removed rows' file no other
    /// file's, and each table listed once.
    fn table(&mut self, number: usize, table: TableLine) -> Result<(), ManifestError> {
        let name = &table.output;
        for (what, path) in [("output", &table.output), ("removed", &table.removed)] {
            relative_path(path).map_err(|e| at(number, format!("{name}: {what}: {e}")))?;
        }
        if table.output == table.removed {
            return Err(at(
                number,
                format!("{name}: its removed rows are its output"),
            ));
        }
        if let Some((false, _)) = self.outputs.get(&table.output) {
            return Err(at(
                number,
                format!("{name}: a text document is already written to it"),
            ));
        }
        for other in &self.manifest.tables {
            let names = [&other.output, &other.removed];
            if names.contains(&&table.output) || names.contains(&&table.removed) {
                return Err(at(
                    number,
                    format!("{name}: its files are another table's ({})", other.output),
                ));
            }
        }
        if self.outputs.contains_key(&table.removed) {
            return Err(at(
                number,
                format!(
                    "{name}: its removed rows' file {} is a document's output",
                    table.removed
                ),
            ));
        }
        self.manifest.tables.push(table);
        Ok(())
    }

    fn finish(mut self, lines: usize) -> Result<Manifest, ManifestError> {
        if let Some((number, _, name)) = self
            .skeletonless
            .iter()
            .find(|(_, output, _)| self.manifest.table(output).is_none())
        {
            return Err(at(
                *number,
                format!("{name}: a removed record without its skeleton"),
            ));
        }
        if let Some(table) = self.manifest.tables.iter().find(|t| {
            self.manifest
                .documents
                .iter()
                .any(|d| d.output == t.removed || (d.output == t.output && d.record.is_none()))
        }) {
            return Err(at(
                0,
                format!(
                    "{}: a document is written to the table's files",
                    table.output
                ),
            ));
        }
        if lines == 0 {
            return Err(at(0, "empty; not a manifest written by doppel clean"));
        }
        let Some((summary_at, summary)) = self.summary.take() else {
            return Err(at(
                0,
                "no summary line at the end: the manifest is incomplete (cut short, or its clean did not finish)",
            ));
        };
        let removed_documents = self
            .manifest
            .documents
            .iter()
            .filter(|d| !d.written)
            .count();
        for (what, counted, read) in [
            (
                "documents",
                summary.documents,
                self.manifest.documents.len(),
            ),
            (
                "removed documents",
                summary.removed_documents,
                removed_documents,
            ),
            ("removals", summary.removals, self.removals),
            ("removed bytes", summary.removed_bytes, self.removed_bytes),
            ("repairs", summary.repairs, self.repairs),
        ] {
            if counted != read {
                return Err(at(
                    summary_at,
                    format!("the summary counts {counted} {what} where the manifest lists {read}"),
                ));
            }
        }
        for removals in &mut self.manifest.removals {
            removals.sort_by_key(|r| r.bytes[0]);
        }
        self.manifest.summary = summary;
        Ok(self.manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_with_type_first() {
        let line = Line::Removal(RemovalLine {
            doc: 3,
            reason: Reason::BlockCopy,
            bytes: [10, 20],
            lines: [2, 3],
            replacement_bytes: 0,
            twin: Some(TwinRef {
                doc: None,
                bytes: [0, 10],
            }),
            edits: Some(vec![Edit::Keep(4)]),
            text: None,
            stored: None,
            record: Some(RecordRef {
                line: 7,
                id: "a".to_owned(),
            }),
            similarity: Some(0.9),
        });
        let json = serde_json::to_string(&line).unwrap();
        assert!(json.starts_with("{\"type\":\"removal\""), "{json}");
        assert!(json.contains("\"reason\":\"block-copy\""));
        assert_eq!(serde_json::from_str::<Line>(&json).unwrap(), line);
    }

    fn document(doc: u32, output: &str, record: Option<usize>) -> String {
        let mut line = serde_json::json!({
            "type": "document", "doc": doc, "path": output, "output": output,
            "written": true, "encoding": "UTF-8", "bom": false, "lossless": true,
            "input_bytes": 4, "input_xxh3": "0", "bytes": 4, "text_xxh3": "0",
            "output_bytes": 4, "output_xxh3": "0",
        });
        if let Some(at) = record {
            line["line"] = at.into();
            line["text_field"] = "text".into();
        }
        line.to_string()
    }

    fn removal(doc: u32, start: usize) -> String {
        format!(
            r#"{{"type":"removal","doc":{doc},"reason":"boilerplate","bytes":[{start},{}],"lines":[1,1],"replacement_bytes":0,"text":"ab"}}"#,
            start + 2
        )
    }

    const BEGIN: &str = r#"{"type":"begin","schema":2,"version":"0.1.0"}"#;

    fn read(lines: &[String]) -> Result<Manifest, ManifestError> {
        Manifest::read(lines.join("\n").as_bytes())
    }

    #[test]
    fn a_consistent_manifest_is_read_with_its_removals_in_order() {
        let manifest = read(&[
            BEGIN.to_owned(),
            document(0, "a.txt", None),
            removal(0, 10),
            removal(0, 2),
            document(1, "r.jsonl", Some(1)),
            document(2, "r.jsonl", Some(3)),
            r#"{"type":"summary","documents":3,"removed_documents":0,"removals":2,"removed_bytes":4}"#
                .to_owned(),
        ])
        .unwrap();
        assert_eq!(manifest.documents.len(), 3);
        let starts: Vec<usize> = manifest.removals[0].iter().map(|r| r.bytes[0]).collect();
        assert_eq!(starts, [2, 10]);
        assert_eq!(manifest.record_files(), [("r.jsonl", vec![1, 2])]);
    }

    #[test]
    fn a_repair_is_a_removal_counted_in_the_summary() {
        let repair = r#"{"type":"removal","doc":0,"reason":"repaired","bytes":[2,6],"lines":[1,1],"replacement_bytes":2,"edits":[-1,"Ã©"]}"#;
        let manifest = read(&[
            BEGIN.to_owned(),
            document(0, "a.txt", None),
            repair.to_owned(),
            r#"{"type":"summary","documents":1,"removed_documents":0,"removals":1,"removed_bytes":2,"repairs":1}"#
                .to_owned(),
        ])
        .unwrap();
        assert_eq!(manifest.removals[0][0].reason, Reason::Repaired);
        assert_eq!(manifest.summary.repairs, 1);
        let line = serde_json::to_string(&Line::Summary(SummaryLine::default())).unwrap();
        assert!(!line.contains("repairs"), "{line}");
    }

    #[test]
    fn inconsistencies_are_named_by_line() {
        let summary = |documents: usize| {
            format!(
                r#"{{"type":"summary","documents":{documents},"removed_documents":0,"removals":0,"removed_bytes":0}}"#
            )
        };
        for (lines, expected) in [
            (
                vec![BEGIN.to_owned(), document(1, "a.txt", None), summary(1)],
                "line 2: document number 1 where 0 was expected",
            ),
            (
                vec![BEGIN.to_owned(), document(0, "../a.txt", None), summary(1)],
                "line 2: ../a.txt: output: the path \"../a.txt\" has a `..` component",
            ),
            (
                vec![
                    BEGIN.to_owned(),
                    document(0, "r.jsonl", Some(2)),
                    document(1, "r.jsonl", Some(2)),
                    summary(2),
                ],
                "line 3: r.jsonl:2: follows line 2 of the same file",
            ),
            (
                vec![BEGIN.replace(":2,", ":3,"), summary(0)],
                "line 1: manifest schema 3; this doppel reads schema 2",
            ),
            (
                vec![BEGIN.to_owned(), document(0, "a.txt", None), summary(2)],
                "line 3: the summary counts 2 documents where the manifest lists 1",
            ),
            (
                vec![
                    BEGIN.to_owned(),
                    r#"{"type":"summary","documents":0,"removed_documents":0,"removals":0,"removed_bytes":0,"repairs":1}"#
                        .to_owned(),
                ],
                "line 2: the summary counts 1 repairs where the manifest lists 0",
            ),
            (vec![BEGIN.to_owned()], "no summary line at the end"),
            (vec![], "empty"),
        ] {
            let err = read(&lines).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{err}\nexpected: {expected}");
        }
    }

    fn table(output: &str, removed: &str) -> String {
        serde_json::json!({
            "type": "table", "output": output, "text_field": "text", "rows": 3,
            "output_bytes": 10, "output_xxh3": "0", "removed": removed, "removed_rows": 1,
            "removed_bytes": 10, "removed_xxh3": "0", "rows_xxh3": "0",
        })
        .to_string()
    }

    fn removed_row(doc: u32, output: &str, row: usize) -> String {
        let mut line: serde_json::Value =
            serde_json::from_str(&document(doc, output, Some(row))).expect("a document line");
        line["written"] = false.into();
        line["output_bytes"] = 0.into();
        line.to_string()
    }

    fn summary(documents: usize, removed: usize) -> String {
        format!(
            r#"{{"type":"summary","documents":{documents},"removed_documents":{removed},"removals":0,"removed_bytes":0}}"#
        )
    }

    #[test]
    fn a_table_holds_its_rows_and_only_they_go_to_its_files() {
        let manifest = read(&[
            BEGIN.to_owned(),
            document(0, "t.parquet", Some(1)),
            removed_row(1, "t.parquet", 3),
            table("t.parquet", ".doppel-removed/t.parquet"),
            document(2, "r.jsonl", Some(1)),
            summary(3, 1),
        ])
        .unwrap();
        assert_eq!(manifest.tables.len(), 1);
        assert_eq!(manifest.record_files(), [("r.jsonl", vec![2])]);
        assert_eq!(manifest.record_files_of(true), [("t.parquet", vec![0, 1])]);

        for (lines, expected) in [
            (
                vec![removed_row(0, "r.jsonl", 1), summary(1, 1)],
                "line 2: r.jsonl:1: a removed record without its skeleton",
            ),
            (
                vec![
                    document(0, "a.txt", None),
                    table("t.parquet", "a.txt"),
                    summary(1, 0),
                ],
                "line 3: t.parquet: its removed rows' file a.txt is a document's output",
            ),
            (
                vec![table("t.parquet", "../x.parquet"), summary(0, 0)],
                "line 2: t.parquet: removed: the path",
            ),
            (
                vec![
                    table("t.parquet", "x.parquet"),
                    table("u.parquet", "x.parquet"),
                    summary(0, 0),
                ],
                "line 3: u.parquet: its files are another table's (t.parquet)",
            ),
            (
                vec![
                    table("t.parquet", "x.parquet"),
                    document(0, "x.parquet", None),
                    summary(1, 0),
                ],
                "t.parquet: a document is written to the table's files",
            ),
        ] {
            let mut all = vec![BEGIN.to_owned()];
            all.extend(lines);
            let err = read(&all).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{err}\nexpected: {expected}");
        }
    }
}
