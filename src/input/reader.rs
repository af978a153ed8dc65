//! Reading entries one document at a time, lazily, in input order.
//!
//! A text file is one document; a JSON Lines file is one document per line
//! (once its reader is in). [`DocReader`] yields [`Loaded`] items and never
//! holds more than the document it is reading, so a corpus of any size
//! streams through.

use std::path::Path;
use std::sync::Arc;

use super::jsonl::{JsonlLineError, JsonlReader};
use super::{Entry, InputError};
use crate::document::Origin;

/// A document's content as read.
#[derive(Clone, Debug)]
pub enum Content {
    /// Bytes still to be decoded.
    Bytes(Vec<u8>),
    /// A JSON Lines record: its text field, decoded, and the line as read.
    Record { text: String, raw: String },
}

/// One document, read.
#[derive(Clone, Debug)]
pub struct LoadedDoc {
    /// Index of the entry it came from.
    pub entry: u32,
    pub origin: Origin,
    /// Found in a folder walk (binary files are then skipped quietly).
    pub walked: bool,
    /// The group its boilerplate is counted in: its folder, or for a JSON
    /// Lines record its site field (else its file).
    pub group: String,
    pub content: Content,
}

impl LoadedDoc {
    /// Size as read.
    pub fn input_bytes(&self) -> usize {
        match &self.content {
            Content::Bytes(bytes) => bytes.len(),
            Content::Record { raw, .. } => raw.len() + 1,
        }
    }
}

/// A read document, or why an input could not be read.
#[derive(Debug)]
pub enum Loaded {
    Doc(LoadedDoc),
    Problem(InputError),
}

/// Iterates the documents of `entries`, optionally only of some entries.
pub struct DocReader<'a> {
    entries: &'a [Entry],
    next: usize,
    wanted: Option<&'a (dyn Fn(usize) -> bool + Sync)>,
    /// The JSON Lines file being read, with its entry index and its path
    /// (shared by the origins of its records).
    records: Option<(usize, JsonlReader, Arc<Path>)>,
}

impl<'a> DocReader<'a> {
    pub fn new(entries: &'a [Entry]) -> DocReader<'a> {
        DocReader {
            entries,
            next: 0,
            wanted: None,
            records: None,
        }
    }

    /// Reads only the entries for which `wanted(entry index)` holds.
    pub fn only(entries: &'a [Entry], wanted: &'a (dyn Fn(usize) -> bool + Sync)) -> DocReader<'a> {
        DocReader {
            entries,
            next: 0,
            wanted: Some(wanted),
            records: None,
        }
    }

    /// Takes documents until about `max_bytes` are read (at least one).
    pub fn batch(&mut self, max_bytes: usize, max_docs: usize) -> Vec<Loaded> {
        let mut batch = Vec::new();
        let mut bytes = 0;
        for loaded in self.by_ref() {
            if let Loaded::Doc(doc) = &loaded {
                bytes += doc.input_bytes();
            }
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
        while self.next < self.entries.len() {
            let at = self.next;
            self.next += 1;
            if self.wanted.is_some_and(|wanted| !wanted(at)) {
                continue;
            }
            let entry = &self.entries[at];
            if let (Some(options), Some(path)) = (&entry.jsonl, entry.origin.file()) {
                match JsonlReader::open(path, options) {
                    Ok(reader) => {
                        self.records = Some((at, reader, Arc::from(path)));
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

impl DocReader<'_> {
    /// The next record of the JSON Lines file being read.
    fn next_record(&mut self) -> Option<Loaded> {
        let (at, reader, file) = self.records.as_mut()?;
        let entry = &self.entries[*at];
        match reader.next() {
            Some(Ok(record)) => {
                let path = Arc::clone(file);
                let group = record
                    .site
                    .clone()
                    .unwrap_or_else(|| path.display().to_string());
                Some(Loaded::Doc(LoadedDoc {
                    entry: *at as u32,
                    origin: Origin::Record {
                        path,
                        line: record.line,
                        id: record.id,
                    },
                    walked: entry.walked,
                    group,
                    content: Content::Record {
                        text: record.text,
                        raw: record.raw,
                    },
                }))
            }
            Some(Err(JsonlLineError { line, message, .. })) => Some(Loaded::Problem(InputError {
                origin: Origin::Record {
                    path: Arc::clone(file),
                    line,
                    id: String::new(),
                },
                message,
            })),
            None => {
                self.records = None;
                None
            }
        }
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
