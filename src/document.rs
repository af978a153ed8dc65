//! The shared vocabulary of the pipeline: a decoded document, where it came
//! from, and where a piece of text sits in it.
//!
//! A [`Document`] owns its text once, as UTF-8, for its whole life. Every other
//! stage refers to text through a [`Span`]: a byte range into that text plus the
//! 1-based, inclusive line range it covers. [`LineIndex`] converts between the
//! two. Lines end at `\n`, `\r\n` or a lone `\r`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::decode::Decoded;

/// Where a document came from, as a user would name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Origin {
    /// A file, named on the command line or found in a folder walk.
    Path(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// One line of a JSON Lines file.
    Record {
        /// The file, shared by all the records read from it.
        path: Arc<Path>,
        /// 1-based line number in the (decompressed) file.
        line: usize,
        /// The record's id (its line number when it has none).
        id: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Path(path) => f.write_str(&escaped_path(path)),
            Origin::Stdin => f.write_str("<stdin>"),
            Origin::Record { path, line, .. } => write!(f, "{}:{line}", escaped_path(path)),
        }
    }
}

/// A path as one line of text that tells every name apart: a byte that is
/// not UTF-8 is written `\xFF`, a control character `\n`, `\t`, `\r` or
/// `\u{1b}`; any other name is unchanged. Messages stay one line each, and
/// two names that differ only in such bytes are not shown alike.
pub fn escaped_path(path: &Path) -> String {
    escape(path, true)
}

/// A path as a string that tells every name apart: bytes that are not
/// UTF-8 are written `\xFF`; control characters are kept (a JSON string
/// holds them), so a UTF-8 name is unchanged.
pub fn lossless_path(path: &Path) -> String {
    escape(path, false)
}

fn escape(path: &Path, controls: bool) -> String {
    let mut out = String::new();
    for chunk in path_bytes(path).utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                c if !controls => out.push(c),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(path.as_os_str().as_bytes())
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    match path.to_string_lossy() {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
    }
}

impl Origin {
    /// The path as reports name it: `-` for standard input; bytes that are
    /// not UTF-8 escaped ([`lossless_path`]).
    pub fn report_path(&self) -> String {
        match self {
            Origin::Path(path) => lossless_path(path),
            Origin::Record { path, .. } => lossless_path(path),
            Origin::Stdin => "-".to_owned(),
        }
    }

    /// The line of a JSON Lines record; `None` for a whole file.
    pub fn record_line(&self) -> Option<usize> {
        match self {
            Origin::Record { line, .. } => Some(*line),
            Origin::Path(_) | Origin::Stdin => None,
        }
    }

    /// The file this document was read from, if any.
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            Origin::Path(path) => Some(path),
            Origin::Record { path, .. } => Some(path),
            Origin::Stdin => None,
        }
    }
}

/// A 1-based, inclusive range of lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineRange {
    /// The first line covered (1-based).
    pub first: usize,
    /// The last line covered (1-based, inclusive; never before `first`).
    pub last: usize,
}

impl LineRange {
    /// Lines `first..=last`, both 1-based; `last` must not be before `first`.
    pub fn new(first: usize, last: usize) -> LineRange {
        LineRange { first, last }
    }

    /// Number of lines covered.
    pub fn len(&self) -> usize {
        self.last + 1 - self.first
    }

    /// Always false: a line range covers at least one line.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for LineRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

/// A stretch of a document's text: a byte range into the decoded UTF-8 text
/// (end exclusive, ending before the last line's terminator) and the lines it
/// covers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offsets into the document's decoded UTF-8 text, end exclusive;
    /// both fall on character boundaries.
    pub bytes: Range<usize>,
    /// The lines the bytes touch, first to last.
    pub lines: LineRange,
}

/// Byte offsets of line starts, to turn byte offsets into line numbers.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// `starts[i]` is the byte offset where line `i + 1` begins.
    starts: Vec<usize>,
    /// `ends[i]` is the byte offset where line `i + 1`'s terminator begins.
    ends: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts and terminators of `text` (one pass,
    /// `\n`, `\r\n` and a lone `\r` each end a line).
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut ends = Vec::new();
        let mut i = 0;
        while let Some(offset) = memchr_cr_lf(&bytes[i..]) {
            let at = i + offset;
            ends.push(at);
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(next);
            i = next;
        }
        ends.push(bytes.len());
        LineIndex { starts, ends }
    }

    /// Number of lines (a text with no terminator has one line; a final
    /// terminator opens an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 1-based line that contains byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).max(1)
    }

    /// Byte range of line `line` (1-based), without its terminator.
    pub fn line_bytes(&self, line: usize) -> Range<usize> {
        self.starts[line - 1]..self.ends[line - 1]
    }

    /// The span covering `bytes`, trimmed of nothing: lines are those of the
    /// first byte and of the last byte.
    pub fn span(&self, bytes: Range<usize>) -> Span {
        let first = self.line_of(bytes.start);
        let last = if bytes.end > bytes.start {
            self.line_of(bytes.end - 1)
        } else {
            first
        };
        Span {
            bytes,
            lines: LineRange::new(first, last),
        }
    }

    /// The span covering whole lines `first..=last`.
    pub fn lines_span(&self, first: usize, last: usize) -> Span {
        Span {
            bytes: self.starts[first - 1]..self.ends[last - 1],
            lines: LineRange::new(first, last),
        }
    }
}

fn memchr_cr_lf(bytes: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', bytes)
}

/// A decoded document: its origin, its UTF-8 text and how it was decoded.
#[derive(Clone, Debug)]
pub struct Document {
    /// Where it came from: a file, standard input or a JSON Lines record.
    pub origin: Origin,
    /// Size of the input as read, before decoding.
    pub input_bytes: usize,
    /// The text decoded to UTF-8, and which encoding it was read as.
    pub decoded: Decoded,
}

impl Document {
    /// A text that was never bytes to decode (given by a program, already
    /// a string): UTF-8 by definition, its size its input size.
    pub fn from_text(origin: Origin, text: String) -> Document {
        Document {
            origin,
            input_bytes: text.len(),
            decoded: Decoded {
                text,
                encoding: encoding_rs::UTF_8,
                detection: crate::decode::Detection::ValidUtf8,
                bom: false,
                malformed: 0,
            },
        }
    }

    /// The decoded UTF-8 text, which every [`Span`] of this document indexes.
    pub fn text(&self) -> &str {
        &self.decoded.text
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn escaped_paths_are_one_line_and_tell_names_apart() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let name = |bytes: &[u8]| escaped_path(Path::new(OsStr::from_bytes(bytes)));
        assert_eq!(name(b"docs/page.txt"), "docs/page.txt");
        assert_eq!(name("文档/页.txt".as_bytes()), "文档/页.txt");
        assert_eq!(name(b"new\nline.txt"), "new\\nline.txt");
        assert_eq!(name(b"a\tb\x1b.txt"), "a\\tb\\u{1b}.txt");
        assert_eq!(name(b"a\xff.txt"), "a\\xFF.txt");
        assert_ne!(name(b"a\xff.txt"), name(b"a\xfe.txt"));
        let report = |bytes: &[u8]| Origin::Path(OsStr::from_bytes(bytes).into()).report_path();
        assert_eq!(report(b"new\nline.txt"), "new\nline.txt");
        assert_eq!(report(b"a\xff.txt"), "a\\xFF.txt");
        let record = Origin::Record {
            path: Arc::from(Path::new("x\ny.jsonl")),
            line: 3,
            id: "3".into(),
        };
        assert_eq!(record.to_string(), "x\\ny.jsonl:3");
    }

    use super::*;

    #[test]
    fn line_index_handles_every_terminator() {
        let text = "a\nb\r\nc\rd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_of(0), 1);
        assert_eq!(index.line_of(2), 2);
        assert_eq!(index.line_of(5), 3);
        assert_eq!(index.line_of(7), 4);
        assert_eq!(&text[index.line_bytes(2)], "b");
        assert_eq!(&text[index.line_bytes(3)], "c");
        assert_eq!(&text[index.line_bytes(4)], "d");
    }

    #[test]
    fn final_terminator_opens_an_empty_line() {
        let index = LineIndex::new("a\n");
        assert_eq!(index.line_count(), 2);
        assert_eq!(index.line_bytes(2), 2..2);
    }

    #[test]
    fn span_reports_lines_of_first_and_last_byte() {
        let text = "one\ntwo\nthree";
        let index = LineIndex::new(text);
        let span = index.span(4..13);
        assert_eq!(span.lines, LineRange::new(2, 3));
        assert_eq!(index.lines_span(1, 2).bytes, 0..7);
    }
}
