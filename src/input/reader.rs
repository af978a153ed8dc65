//! Reading entries one document at a time, lazily, in input order.
//!
//! A text file is one document; a JSON Lines file is one document per line
//! (once its reader is in). [`DocReader`] yields [`Loaded`] items and never
//! holds more than the document it is reading, so a corpus of any size
//! streams through.
//!
//! Parsing a JSON line costs about as much as reading it, so the reader
//! only splits lines and yields each record as [`Loaded::Pending`];
//! [`Loaded::into_doc`] parses it on whichever thread holds it, so parsing
//! runs in the parallel stage instead of the reading thread.

use std::path::Path;
use std::sync::Arc;

use super::jsonl::{Compression, JsonRecord, JsonlLineError, JsonlOptions, JsonlReader, RawLine};
use super::parquet::{ParquetRows, Row, RowError};
use super::special::{self, FileKind};
use super::{Entry, InputError};
use crate::document::Origin;

/// A document's content as read.
#[derive(Clone, Debug)]
pub enum Content {
    /// Bytes still to be decoded.
    Bytes(Vec<u8>),
    /// A JSON Lines record: its text field, decoded, and the line as read;
    /// or a Parquet row: its text, and no line (`raw` is empty).
    Record {
        /// The text, decoded (by the JSON parser, or from the Parquet column).
        text: String,
        /// The line as read, without its terminator; empty for a Parquet row.
        raw: String,
    },
}

/// One document, read.
#[derive(Clone, Debug)]
pub struct LoadedDoc {
    /// Index of the entry it came from.
    pub entry: u32,
    /// Where it came from: a file, standard input, or a record of a file.
    pub origin: Origin,
    /// Found in a folder walk (binary files are then skipped quietly).
    pub walked: bool,
    /// The group its boilerplate is counted in: its folder, or for a JSON
    /// Lines record its site field (else its file).
    pub group: String,
    /// What was read: bytes to decode, or a record's text.
    pub content: Content,
}

impl LoadedDoc {
    /// Size as read.
    pub fn input_bytes(&self) -> usize {
        match &self.content {
            Content::Bytes(bytes) => bytes.len(),
            // A Parquet row has no line: its text is its size.
            Content::Record { raw, text } if raw.is_empty() => text.len(),
            Content::Record { raw, .. } => raw.len() + 1,
        }
    }
}

/// A read document, or why an input could not be read.
#[derive(Debug)]
pub enum Loaded {
    Doc(LoadedDoc),
    Problem(InputError),
    /// A JSON Lines record not parsed yet
    /// reader): [`Loaded::into_doc`] parses it.
    Pending(PendingRecord),
}

impl Loaded {
    /// The document, a pending record parsed; or why there is none.
    pub fn into_doc(self) -> Result<LoadedDoc, InputError> {
        match self {
            Loaded::Doc(doc) => Ok(doc),
            Loaded::Problem(err) => Err(err),
            Loaded::Pending(pending) => pending.parse(),
        }
    }

    /// Size as read (0 for a problem).
    pub fn input_bytes(&self) -> usize {
        match self {
            Loaded::Doc(doc) => doc.input_bytes(),
            Loaded::Pending(pending) => pending.raw.bytes.len() + 1,
            Loaded::Problem(_) => 0,
        }
    }
}

/// One line of a JSON Lines file, read but not parsed.
#[derive(Debug)]
pub struct PendingRecord {
    /// Index of the entry (the JSON Lines file) it came from.
    pub entry: u32,
    walked: bool,
    path: Arc<Path>,
    options: Arc<JsonlOptions>,
    raw: RawLine,
}

impl PendingRecord {
    /// 1-based line number in the (decompressed) file.
    pub fn line(&self) -> usize {
        self.raw.line
    }

    /// The record as a document, or the line's error.
    pub fn parse(self) -> Result<LoadedDoc, InputError> {
        match self.raw.parse(&self.path, &self.options) {
            Ok(record) => Ok(record_doc(self.entry, self.walked, self.path, record)),
            Err(err) => Err(line_problem(&self.path, err)),
        }
    }
}

fn record_doc(entry: u32, walked: bool, path: Arc<Path>, record: JsonRecord) -> LoadedDoc {
    let group = record.site.unwrap_or_else(|| path.display().to_string());
    LoadedDoc {
        entry,
        origin: Origin::Record {
            path,
            line: record.line,
            id: record.id,
        },
        walked,
        group,
        content: Content::Record {
            text: record.text,
            raw: record.raw,
        },
    }
}

fn line_problem(path: &Arc<Path>, err: JsonlLineError) -> InputError {
    InputError {
        origin: Origin::Record {
            path: Arc::clone(path),
            line: err.line,
            id: String::new(),
        },
        message: err.message,
    }
}

/// Iterates the documents of `entries`, optionally only of some entries.
pub struct DocReader<'a> {
    entries: &'a [Entry],
    next: usize,
    wanted: Option<&'a (dyn Fn(usize) -> bool + Sync)>,
    /// The JSON Lines file being read.
    records: Option<OpenRecords>,
    /// The Parquet file being read.
    rows: Option<OpenRows>,
}

/// The Parquet file a [`DocReader`] is in.
struct OpenRows {
    entry: usize,
    rows: ParquetRows,
    path: Arc<Path>,
}

/// The JSON Lines file a [`DocReader`] is in: its entry index, its reader,
/// its path (shared by the origins of its records) and its options.
struct OpenRecords {
    entry: usize,
    reader: JsonlReader,
    path: Arc<Path>,
    options: Arc<JsonlOptions>,
}

impl<'a> DocReader<'a> {
    pub fn new(entries: &'a [Entry]) -> DocReader<'a> {
        DocReader {
            entries,
            next: 0,
            wanted: None,
            records: None,
            rows: None,
        }
    }

    /// Reads only the entries for which `wanted(entry index)` holds.
    pub fn only(entries: &'a [Entry], wanted: &'a (dyn Fn(usize) -> bool + Sync)) -> DocReader<'a> {
        DocReader {
            entries,
            next: 0,
            wanted: Some(wanted),
            records: None,
            rows: None,
        }
    }

    /// Takes documents until about `max_bytes` are read (at least one).
    pub fn batch(&mut self, max_bytes: usize, max_docs: usize) -> Vec<Loaded> {
        let mut batch = Vec::new();
        let mut bytes = 0;
        for loaded in self.by_ref() {
            bytes += loaded.input_bytes();
            batch.push(loaded);
            if bytes >= max_bytes || batch.len() >= max_docs {
                break;
            }
        }
        batch
    }
}

impl Iterator for DocReader<'_> {
    type Item = Loaded;

    fn next(&mut self) -> Option<Loaded> {
        if let Some(record) = self.next_record() {
            return Some(record);
        }
        if let Some(row) = self.next_row() {
            return Some(row);
        }
        while self.next < self.entries.len() {
            let at = self.next;
            self.next += 1;
            if self.wanted.is_some_and(|wanted| !wanted(at)) {
                continue;
            }
            let entry = &self.entries[at];
            if let (Some(options), Some(path)) = (&entry.jsonl, entry.origin.file()) {
                if entry.is_parquet() {
                    match ParquetRows::open(path, options) {
                        Ok(rows) => {
                            self.rows = Some(OpenRows {
                                entry: at,
                                rows,
                                path: Arc::from(path),
                            });
                            match self.next_row() {
                                Some(row) => return Some(row),
                                None => continue,
                            }
                        }
                        Err(message) => {
                            return Some(Loaded::Problem(InputError {
                                origin: entry.origin.clone(),
                                message,
                            }))
                        }
                    }
                }
            }
            if let Some(options) = &entry.jsonl {
                match open_jsonl(&entry.origin, options) {
                    Ok((reader, path)) => {
                        self.records = Some(OpenRecords {
                            entry: at,
                            reader,
                            path,
                            options: Arc::clone(options),
                        });
                        match self.next_record() {
                            Some(record) => return Some(record),
                            None => continue,
                        }
                    }
                    Err(err) => {
                        return Some(Loaded::Problem(InputError {
                            origin: entry.origin.clone(),
                            message: super::io_message(&err),
                        }))
                    }
                }
            }
            return Some(match entry.read() {
                Ok(raw) => Loaded::Doc(LoadedDoc {
                    entry: at as u32,
                    group: group_of(&raw.origin),
                    origin: raw.origin,
                    walked: raw.walked,
                    content: Content::Bytes(raw.bytes),
                }),
                Err(err) => Loaded::Problem(err),
            });
        }
        None
    }
}

/// Opens a JSON Lines file, or standard input, with the path its records
/// are named by (`-` for standard input); a FIFO is read whole first (see
/// [`super::special`]), a device refused.
fn open_jsonl(
    origin: &Origin,
    options: &JsonlOptions,
) -> std::io::Result<(JsonlReader, Arc<Path>)> {
    let Some(path) = origin.file() else {
        let stdin: Arc<Path> = Arc::from(Path::new("-"));
        let bytes = std::io::Cursor::new(super::stdin_bytes()?);
        let reader = JsonlReader::new(bytes, Compression::None, stdin.to_path_buf(), options)?;
        return Ok((reader, stdin));
    };
    let reader = match special::kind_of(path) {
        FileKind::Plain => JsonlReader::open(path, options),
        FileKind::Fifo | FileKind::Refused(_) => JsonlReader::new(
            std::io::Cursor::new(special::read_any(path)?),
            Compression::from_path(path),
            path,
            options,
        ),
    }?;
    Ok((reader, Arc::from(path)))
}

impl DocReader<'_> {
    /// The next record of the JSON Lines file being read.
    fn next_record(&mut self) -> Option<Loaded> {
        let open = self.records.as_mut()?;
        let walked = self.entries[open.entry].walked;
        let entry = open.entry as u32;
        let loaded = match open.reader.next_line() {
            Some(Ok(raw)) => Loaded::Pending(PendingRecord {
                entry,
                walked,
                path: Arc::clone(&open.path),
                options: Arc::clone(&open.options),
                raw,
            }),
            Some(Err(err)) => Loaded::Problem(line_problem(&open.path, err)),
            None => {
                self.records = None;
                return None;
            }
        };
        Some(loaded)
    }
}

impl DocReader<'_> {
    /// The next row of the Parquet file being read, as a record.
    fn next_row(&mut self) -> Option<Loaded> {
        let open = self.rows.as_mut()?;
        let walked = self.entries[open.entry].walked;
        let entry = open.entry as u32;
        let path = Arc::clone(&open.path);
        Some(match open.rows.next_row() {
            Some(Ok(row)) => Loaded::Doc(row_doc(entry, walked, path, row)),
            Some(Err(err)) => Loaded::Problem(row_problem(path, err)),
            None => {
                self.rows = None;
                return None;
            }
        })
    }
}

/// A Parquet row as a document: a record whose line is its row number,
/// with no raw line.
fn row_doc(entry: u32, walked: bool, path: Arc<Path>, row: Row) -> LoadedDoc {
    let group = row.site.unwrap_or_else(|| path.display().to_string());
    LoadedDoc {
        entry,
        origin: Origin::Record {
            path,
            line: row.row,
            id: row.id,
        },
        walked,
        group,
        content: Content::Record {
            text: row.text,
            raw: String::new(),
        },
    }
}

fn row_problem(path: Arc<Path>, err: RowError) -> InputError {
    InputError {
        origin: if err.row == 0 {
            Origin::Path(path.to_path_buf())
        } else {
            Origin::Record {
                path,
                line: err.row,
                id: String::new(),
            }
        },
        message: err.message,
    }
}

/// The folder of a file; standard input is its own group.
fn group_of(origin: &Origin) -> String {
    match origin {
        Origin::Record { path, .. } => path.display().to_string(),
        Origin::Path(path) => path
            .parent()
            .map(Path::display)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        Origin::Stdin => "-".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{expand, InputOptions};

    /// What a reader yields, as comparable text.
    fn listing(items: impl Iterator<Item = Result<LoadedDoc, InputError>>) -> Vec<String> {
        items
            .map(|item| match item {
                Ok(doc) => {
                    let Content::Record { text, raw } = &doc.content else {
                        return format!("file {}", doc.origin);
                    };
                    let Origin::Record { line, id, .. } = &doc.origin else {
                        return format!("record without a record origin: {}", doc.origin);
                    };
                    format!("{line} {id} {} {text:?} {raw:?}", doc.group)
                }
                Err(err) => format!("error {}: {}", err.origin, err.message),
            })
            .collect()
    }

    #[test]
    fn records_are_read_unparsed_and_parse_on_demand() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corpus.jsonl");
        std::fs::write(
            &path,
            "\u{feff}{\"id\": 7, \"text\": \"caf\\u00e9\", \"site\": \"a.example\"}\r\n\
             \n\
             not json\n\
             {\"text\": \"no id\"}\n",
        )
        .unwrap();
        let options = InputOptions {
            jsonl: crate::input::jsonl::JsonlOptions {
                site_field: Some("site".into()),
                ..Default::default()
            },
            ..InputOptions::default()
        };
        let (entries, problems) = expand(&[path], &options);
        assert!(problems.is_empty());
        let pending: Vec<Loaded> = DocReader::new(&entries).collect();
        assert!(pending
            .iter()
            .all(|item| matches!(item, Loaded::Pending(_))));
        let parsed = listing(pending.into_iter().map(Loaded::into_doc));
        assert_eq!(parsed.len(), 3);
        assert!(
            parsed[0].starts_with("1 7 a.example \"café\""),
            "{}",
            parsed[0]
        );
        assert!(parsed[1].starts_with("error "), "{}", parsed[1]);
        assert!(
            parsed[1].contains("corpus.jsonl:3: invalid JSON"),
            "{}",
            parsed[1]
        );
        assert!(parsed[2].starts_with("4 4 "), "{}", parsed[2]);
    }
}
