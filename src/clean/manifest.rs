//! The manifest: one JSON line per document and per removal, enough to
//! rebuild every input from the cleaned output.
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
//! document, or `text` when it has no twin. Removals of a document are in
//! order and disjoint; `bytes` are offsets into the original decoded text,
//! `replacement_bytes` the length of what stands in their place in the
//! cleaned text.

use serde::{Deserialize, Serialize};

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
    Begin { schema: u32, version: String },
    Document(DocumentLine),
    Removal(RemovalLine),
    Summary(SummaryLine),
}

/// How one input document was read and where its cleaned text went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentLine {
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
    pub bom: bool,
    /// Re-encoding the decoded text gives the input bytes back exactly.
    pub lossless: bool,
    pub input_bytes: usize,
    /// xxh3-64 of the input bytes, hex.
    pub input_xxh3: String,
    /// Decoded size.
    pub bytes: usize,
    /// xxh3-64 of the decoded text (UTF-8), hex.
    pub text_xxh3: String,
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

/// Where a JSON Lines record sits, and what restore needs to rebuild its line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLine {
    /// 1-based line in the input file.
    pub line: usize,
    pub text_field: String,
    /// For a removed record: its line with the text field emptied.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub skeleton: Option<String>,
}

/// One removal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemovalLine {
    pub doc: u32,
    pub reason: Reason,
    pub bytes: [usize; 2],
    pub lines: [usize; 2],
    pub replacement_bytes: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub twin: Option<TwinRef>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub edits: Option<Vec<Edit>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
}

/// The kept text a removal duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwinRef {
    /// Document number; null for the same document.
    pub doc: Option<u32>,
    pub bytes: [usize; 2],
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryLine {
    pub documents: usize,
    pub removed_documents: usize,
    pub removals: usize,
    pub removed_bytes: usize,
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
        });
        let json = serde_json::to_string(&line).unwrap();
        assert!(json.starts_with("{\"type\":\"removal\""), "{json}");
        assert!(json.contains("\"reason\":\"block-copy\""));
        assert_eq!(serde_json::from_str::<Line>(&json).unwrap(), line);
    }
}
