//! What `clean` removed (or would remove), one entry per removal, each
//! naming the record it came from and the kept text it duplicates: the
//! list `clean --dry-run` prints and `clean --format json` writes.
//!
//! A [`Removed`] is made from the manifest's lines
//! ([`Listing::new`], [`Listing::removed`]): a removal line names its
//! document by number, and the document lines give the file, the record's
//! line (its row, for Parquet) and id. `line` is where the removal sits in
//! the input file: a record's line, or for a text file the first line
//! removed; `lines` are the removal's lines inside the document's text
//! (for a text file, the same lines). [`Removed::human`] is the one-line
//! form:
//!
//! ```text
//! big.jsonl:57 id=abc  duplicate-document of big.jsonl:12 id=xyz (similarity 0.91)
//! big.jsonl:60  block-copy (text lines 3-5)
//! page.txt:157-286  block-copy
//! b.txt  duplicate-document of a.txt
//! ```
//!
//! A record's id is shown only when it is not its line number (a record
//! without an id is named by its line).

use serde::Serialize;

use super::manifest::{DocumentLine, Line, RemovalLine};
use super::plan::Reason;

/// One removal, as reports name it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Removed {
    /// The input file (`-` for standard input).
    pub path: String,
    /// Where the removal sits in the file: a record's line (row), or the
    /// first line removed from a text file.
    pub line: usize,
    /// The record's id (its line number when it has none); absent for a
    /// text file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Why it goes.
    pub reason: Reason,
    /// First and last line removed, inside the document's text.
    pub lines: [usize; 2],
    /// Byte range removed from the document's decoded text.
    pub bytes: [usize; 2],
    /// Bytes removed, net of what is put in their place.
    pub removed_bytes: usize,
    /// The kept text this duplicates, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<Place>,
    /// How similar the removed document is to the kept one, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
}

/// Where kept text sits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Place {
    /// Its file (for a stored document, as the index records it).
    pub path: String,
    /// The record's line (row), for a record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The record's id, for a record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Byte range of the kept text in its document's decoded text, for
    /// text kept inside a document (not a whole document).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<[usize; 2]>,
    /// True when the kept document is stored in an index (`--against`),
    /// not among the inputs.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stored: bool,
}

/// The document lines of a manifest, to name the documents its removal
/// lines refer to by number.
#[derive(Clone, Copy, Debug)]
pub struct Listing<'a> {
    documents: &'a [DocumentLine],
}

impl<'a> Listing<'a> {
    /// `documents` in manifest order: document `n` at index `n`.
    pub fn new(documents: &'a [DocumentLine]) -> Listing<'a> {
        Listing { documents }
    }

    /// Every removal of `lines` (a dry run's manifest lines), in document
    /// order and, inside a document, in the order of their bytes.
    pub fn of_lines(lines: &[Line]) -> Vec<Removed> {
        let documents: Vec<DocumentLine> = lines
            .iter()
            .filter_map(|line| match line {
                Line::Document(doc) => Some(doc.clone()),
                _ => None,
            })
            .collect();
        let mut removals: Vec<&RemovalLine> = lines
            .iter()
            .filter_map(|line| match line {
                Line::Removal(removal) => Some(removal),
                _ => None,
            })
            .collect();
        removals.sort_by_key(|r| (r.doc, r.bytes[0]));
        let listing = Listing::new(&documents);
        removals.into_iter().map(|r| listing.removed(r)).collect()
    }

    /// One removal line, named.
    pub fn removed(&self, removal: &RemovalLine) -> Removed {
        let doc = self.documents.get(removal.doc as usize);
        let record = doc.and_then(|d| d.record.as_ref());
        let (line, id) = match (&removal.record, record) {
            (Some(record), _) => (record.line, Some(record.id.clone())),
            (None, Some(record)) => (
                record.line,
                Some(record.id.clone().unwrap_or_else(|| record.line.to_string())),
            ),
            (None, None) => (removal.lines[0], None),
        };
        Removed {
            path: doc.map_or_else(|| "?".to_owned(), |d| d.path.clone()),
            line,
            id,
            reason: removal.reason,
            lines: removal.lines,
            bytes: removal.bytes,
            removed_bytes: (removal.bytes[1].saturating_sub(removal.bytes[0]))
                .saturating_sub(removal.replacement_bytes),
            duplicate_of: self.kept(removal),
            similarity: removal
                .similarity
                .or(removal.stored.as_ref().map(|s| s.similarity)),
        }
    }

    /// The kept text a removal duplicates.
    fn kept(&self, removal: &RemovalLine) -> Option<Place> {
        if let Some(stored) = &removal.stored {
            return Some(Place {
                path: stored.path.clone(),
                line: stored.line.and_then(|l| usize::try_from(l).ok()),
                id: stored.id.clone(),
                bytes: None,
                stored: true,
            });
        }
        let twin = removal.twin.as_ref()?;
        let number = twin.doc.unwrap_or(removal.doc);
        let doc = self.documents.get(number as usize)?;
        let record = doc.record.as_ref();
        Some(Place {
            path: doc.path.clone(),
            line: record.map(|r| r.line),
            id: record.map(|r| r.id.clone().unwrap_or_else(|| r.line.to_string())),
            bytes: (!removal.reason.is_whole_document()).then_some(twin.bytes),
            stored: false,
        })
    }
}

impl Removed {
    /// The one-line human form (see the module's documentation).
    pub fn human(&self) -> String {
        let whole = self.reason.is_whole_document()
            || (self.reason == Reason::Damaged
                && self.duplicate_of.is_none()
                && self.bytes[0] == 0
                && self.removed_bytes == self.bytes[1]);
        let mut out = match &self.id {
            Some(id) => format!("{}:{}{}", self.path, self.line, id_suffix(id, self.line)),
            None if whole => self.path.clone(),
            None => format!("{}:{}-{}", self.path, self.lines[0], self.lines[1]),
        };
        out.push_str("  ");
        out.push_str(reason_name(self.reason));
        if self.id.is_some() && !whole {
            out.push_str(&format!(
                " (text lines {}-{})",
                self.lines[0], self.lines[1]
            ));
        }
        if let Some(kept) = &self.duplicate_of {
            let same = !kept.stored
                && kept.path == self.path
                && kept.line == self.id.as_ref().map(|_| self.line);
            if !same {
                out.push_str(if self.reason == Reason::Contained {
                    " in "
                } else {
                    " of "
                });
                out.push_str(&kept.human());
            }
        }
        if let Some(similarity) = self.similarity.filter(|s| *s < 1.0) {
            let measure = if self.reason == Reason::Contained {
                "containment"
            } else {
                "similarity"
            };
            out.push_str(&format!(" ({measure} {similarity:.2})"));
        }
        out
    }
}

impl Place {
    /// `path`, `path:line`, `path:line id=ID`; `stored …` for a stored
    /// document.
    pub fn human(&self) -> String {
        let mut out = String::new();
        if self.stored {
            out.push_str("stored ");
        }
        out.push_str(&self.path);
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            if let Some(id) = &self.id {
                out.push_str(&id_suffix(id, line));
            }
        } else if let Some(id) = &self.id {
            out.push_str(&format!(" id={id}"));
        }
        out
    }
}

/// ` id=ID`, or nothing when the id is the line number.
fn id_suffix(id: &str, line: usize) -> String {
    if id == line.to_string() {
        String::new()
    } else {
        format!(" id={id}")
    }
}

/// The reason as the manifest spells it (`duplicate-document`, …).
pub fn reason_name(reason: Reason) -> &'static str {
    match reason {
        Reason::DuplicateDocument => "duplicate-document",
        Reason::BlockCopy => "block-copy",
        Reason::Damaged => "damaged",
        Reason::RepeatedSegment => "repeated-segment",
        Reason::Boilerplate => "boilerplate",
        Reason::Repaired => "repaired",
        Reason::Contained => "contained",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::manifest::{RecordLine, RecordRef, StoredRef, TwinRef};

    fn document(doc: u32, path: &str, record: Option<(usize, &str)>) -> DocumentLine {
        DocumentLine {
            doc,
            path: path.to_owned(),
            output: path.to_owned(),
            written: true,
            encoding: "UTF-8".to_owned(),
            bom: false,
            lossless: true,
            input_bytes: 10,
            input_xxh3: String::new(),
            bytes: 10,
            text_xxh3: String::new(),
            output_bytes: 10,
            output_xxh3: String::new(),
            record: record.map(|(line, id)| RecordLine {
                line,
                id: Some(id.to_owned()),
                text_field: "text".to_owned(),
                skeleton: None,
            }),
        }
    }

    fn removal(doc: u32, reason: Reason, twin: Option<u32>) -> RemovalLine {
        RemovalLine {
            doc,
            reason,
            bytes: [0, 10],
            lines: [1, 2],
            replacement_bytes: 0,
            twin: twin.map(|doc| TwinRef {
                doc: Some(doc),
                bytes: [0, 10],
            }),
            edits: None,
            text: None,
            stored: None,
            record: None,
            similarity: None,
        }
    }

    #[test]
    fn records_are_named_by_line_and_id_and_so_is_their_twin() {
        let docs = [
            document(0, "big.jsonl", Some((12, "xyz"))),
            document(1, "big.jsonl", Some((57, "abc"))),
            document(2, "a.txt", None),
            document(3, "b.txt", None),
            document(4, "n.jsonl", Some((3, "3"))),
        ];
        let listing = Listing::new(&docs);
        let mut whole = removal(1, Reason::DuplicateDocument, Some(0));
        whole.similarity = Some(0.9);
        assert_eq!(
            listing.removed(&whole).human(),
            "big.jsonl:57 id=abc  duplicate-document of big.jsonl:12 id=xyz (similarity 0.90)"
        );
        assert_eq!(
            listing
                .removed(&removal(3, Reason::DuplicateDocument, Some(2)))
                .human(),
            "b.txt  duplicate-document of a.txt"
        );
        let mut block = removal(2, Reason::BlockCopy, None);
        block.twin = Some(TwinRef {
            doc: None,
            bytes: [0, 4],
        });
        block.lines = [157, 286];
        assert_eq!(listing.removed(&block).human(), "a.txt:157-286  block-copy");
        let mut inside = removal(4, Reason::BlockCopy, None);
        inside.twin = block.twin.clone();
        let named = listing.removed(&inside);
        assert_eq!(named.human(), "n.jsonl:3  block-copy (text lines 1-2)");
        assert_eq!((named.line, named.id.as_deref()), (3, Some("3")));
        assert_eq!(named.duplicate_of.and_then(|kept| kept.bytes), Some([0, 4]));
    }

    #[test]
    fn a_removal_s_own_record_wins_and_stored_twins_are_marked() {
        let docs = [document(0, "r.jsonl", None)];
        let mut stored = removal(0, Reason::DuplicateDocument, None);
        stored.record = Some(RecordRef {
            line: 8,
            id: "k".to_owned(),
        });
        stored.stored = Some(StoredRef {
            kind: "near".to_owned(),
            similarity: 0.85,
            path: "old.jsonl".to_owned(),
            id: Some("7".to_owned()),
            line: Some(7),
        });
        let named = Listing::new(&docs).removed(&stored);
        assert_eq!(
            named.human(),
            "r.jsonl:8 id=k  duplicate-document of stored old.jsonl:7 (similarity 0.85)"
        );
        let json = serde_json::to_value(&named).unwrap();
        assert_eq!(json["duplicate_of"]["stored"], true);
        assert_eq!(json["id"], "k");
    }
}
