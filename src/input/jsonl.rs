//! JSON Lines corpora: one document per line, its text in one field.
//!
//! A JSON Lines file (`.jsonl` or `.ndjson`, optionally compressed as `.gz`
//! or `.zst`) holds one JSON object per line. The document's text is a string
//! field (`text` by default), its id another field (`id` by default; a string
//! or a number, and the 1-based line number when absent or `null`), and an
//! optional site field (a host name, say) groups documents for boilerplate
//! detection. [`JsonlOptions`] names the three fields.
//!
//! # Main types
//!
//! - [`JsonlReader`] streams a file through a buffered reader, decompressing
//!   on the fly, and yields one [`JsonRecord`] per non-blank line. A malformed
//!   line yields a [`JsonlLineError`] (`PATH:LINE: reason`) and reading goes
//!   on with the next line; a read error (a truncated `.gz`, say) is the last
//!   item. The whole file is never held in memory: only the current line.
//! - [`replace_text`] rewrites one line with a new text and leaves every
//!   other byte of the line as it was: the other fields, their order, the
//!   spacing, and the escape style of the text itself (see below).
//! - [`JsonlWriter`] writes lines back, compressed like the input
//!   ([`Compression`]), into any [`Write`]. Placing the output atomically
//!   (temporary name, then rename) is the caller's job.
//!
//! # What round-trips byte for byte
//!
//! [`replace_text`] encodes the new text with the [`EscapeStyle`] of the
//! value it replaces. Writing a line's own decoded text back gives the line
//! unchanged, byte for byte, when its text value was written by:
//!
//! - `serde_json`, JavaScript's `JSON.stringify`, or Python's `json.dumps`
//!   with `ensure_ascii=False` ([`EscapeStyle::Utf8`]: non-ASCII written as
//!   UTF-8; `"`, `\`, `\b`, `\f`, `\n`, `\r`, `\t` escaped by letter; other
//!   control characters as lowercase `\u00XX`; `/` and DEL left alone);
//! - Python's `json.dumps` with its default `ensure_ascii=True`
//!   ([`EscapeStyle::Ascii`]: the same, plus DEL and every non-ASCII
//!   character as lowercase `\uXXXX`, astral characters as surrogate pairs).
//!
//! Other encodings keep the decoded text but not the bytes of the text
//! value: uppercase hex (`\u00E9`), an escaped slash (`\/`), escaped
//! printable ASCII (`\u0041`, or Go's HTML-safe `\u003c`), control
//! characters written as `\u000a` rather than `\n`, and values that mix raw
//! UTF-8 with `\u` escapes of non-ASCII characters. The rest of the line is
//! untouched in every case.
//!
//! On reading, a UTF-8 byte order mark at the start of the file is dropped
//! and `\r\n` line ends are accepted; [`JsonRecord::raw`] holds neither, and
//! [`JsonlWriter`] ends every line with `\n`.
//!
//! # What each odd line means
//!
//! Every problem is one error for one line, `PATH:LINE: reason`, and reading
//! goes on with the next line:
//!
//! - blank lines (spaces, tabs, `\r` only) are skipped, and later lines keep
//!   their numbers in the file;
//! - a byte order mark is a mark on line 1 only; anywhere else it is invalid
//!   JSON;
//! - a line that is not an object, lacks the text field, or holds something
//!   other than a string there (a number, say) is an error; so is an id or
//!   site that is neither a string, a number nor `null`;
//! - a field doppel reads (text, id, site) given twice is an error: JSON
//!   parsers disagree on which one wins. Other keys may repeat; they are kept
//!   as they are;
//! - a lone UTF-16 surrogate escape (`"\ud800"`) in a field doppel reads is
//!   an error: UTF-8 cannot hold it, and replacing it would change the text
//!   `clean` writes back;
//! - nesting is not limited in fields doppel does not read (they are kept as
//!   raw bytes, and skipping them uses no stack), so a 100,000-deep value
//!   there costs only its bytes;
//! - a compressed stream that is cut short or damaged ends the file with one
//!   error at the line where reading stopped (`gzip stream is truncated or
//!   damaged: …`); the records before it are read. gzip checks its checksum
//!   only at the end of a stream, so damage inside it can first decode into
//!   wrong lines, each reported as malformed.
//!
//! # Example
//!
//! ```
//! use doppel::input::jsonl::{replace_text, Compression, JsonlOptions, JsonlReader, JsonlWriter};
//! # fn main() -> std::io::Result<()> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("corpus.jsonl.gz");
//! let mut writer = JsonlWriter::create(&path, Compression::from_path(&path))?;
//! writer.write_line(r#"{"id": "a", "text": "Caf\u00e9 menu"}"#)?;
//! writer.write_line("not json")?;
//! writer.write_line(r#"{"text": "no id here"}"#)?;
//! writer.finish()?;
//!
//! let mut reader = JsonlReader::open(&path, &JsonlOptions::default())?;
//! let first = reader.next().unwrap().unwrap();
//! assert_eq!((first.id.as_str(), first.text.as_str()), ("a", "Café menu"));
//! let bad = reader.next().unwrap().unwrap_err();
//! assert_eq!(bad.line, 2);
//! let third = reader.next().unwrap().unwrap();
//! assert_eq!(third.id, "3");
//! assert!(reader.next().is_none());
//!
//! // Python-style escapes are kept when the text is rewritten.
//! let edited = replace_text(&first.raw, "text", "Café").unwrap();
//! assert_eq!(edited, r#"{"id": "a", "text": "Caf\u00e9"}"#);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::io_message;

/// Buffer size for reading and writing; big enough that a compressor is fed
/// in large chunks.
const BUFFER_BYTES: usize = 64 * 1024;

/// The most line buffer a reader keeps between lines; a longer line's
/// buffer is let go once the line is read.
const KEPT_SCRATCH_BYTES: usize = 1024 * 1024;

/// Which fields of each object hold the text, the id and the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonlOptions {
    /// The field holding the document's text (a JSON string).
    pub text_field: String,
    /// The field holding the document's id (a string or a number); when it is
    /// absent or `null`, the id is the 1-based line number.
    pub id_field: String,
    /// The field naming the document's site (a string or a number), if any.
    pub site_field: Option<String>,
}

impl Default for JsonlOptions {
    fn default() -> JsonlOptions {
        JsonlOptions {
            text_field: "text".to_owned(),
            id_field: "id".to_owned(),
            site_field: None,
        }
    }
}

/// How a file is compressed, as its name says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    /// Not compressed.
    #[default]
    None,
    /// `.gz`
    Gzip,
    /// `.zst`
    Zstd,
}

impl Compression {
    /// The compression named by the last extension: `.gz` or `.zst`
    /// (any case); anything else is uncompressed.
    pub fn from_path(path: &Path) -> Compression {
        let name = lowercase_name(path);
        if name.ends_with(".gz") {
            Compression::Gzip
        } else if name.ends_with(".zst") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// The format's name for messages; `None` when uncompressed.
    fn name(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::Gzip => Some("gzip"),
            Compression::Zstd => Some("zstd"),
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Zstd => ".zst",
        }
    }
}

/// Whether the file name says JSON Lines: `.jsonl` or `.ndjson`, optionally
/// followed by `.gz` or `.zst` (any case).
pub fn is_jsonl_path(path: &Path) -> bool {
    let name = lowercase_name(path);
    let stem = name
        .strip_suffix(Compression::from_path(path).suffix())
        .unwrap_or(&name);
    stem.ends_with(".jsonl") || stem.ends_with(".ndjson")
}

fn lowercase_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// One document read from a JSON Lines file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonRecord {
    /// 1-based line number in the (decompressed) file.
    pub line: usize,
    /// The id field as text (a number keeps its JSON spelling), or the line
    /// number when the field is absent or `null`.
    pub id: String,
    /// The site field as text, when asked for and present.
    pub site: Option<String>,
    /// The decoded text field.
    pub text: String,
    /// The line as read, without its terminator (and without a byte order
    /// mark on line 1): what [`replace_text`] edits.
    pub raw: String,
}

/// A line that could not be read as a document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", .path.display())]
pub struct JsonlLineError {
    /// The JSON Lines file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// One reason, e.g. `no field "text"`.
    pub message: String,
}

/// Why a line is not a usable JSON object.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedLine {
    /// The line is not UTF-8 (JSON text must be).
    #[error("invalid UTF-8 at byte {offset} of the line")]
    Utf8 {
        /// Bytes of the line before the first invalid sequence.
        offset: usize,
    },
    /// The line is not JSON.
    #[error("invalid JSON at column {column}: {message}")]
    Json {
        /// 1-based column (in bytes) of the line where parsing failed.
        column: usize,
        /// The parser's reason, without its position.
        message: String,
    },
    /// The line is JSON, but not an object.
    #[error("expected a JSON object, found {found}")]
    NotObject {
        /// What it is: `an array`, `a string`, `a number`…
        found: &'static str,
    },
    /// The object has no text field.
    #[error("no field {field:?}")]
    MissingField {
        /// The field's name.
        field: String,
    },
    /// A field doppel reads is given twice (JSON parsers disagree on which
    /// one counts).
    #[error("field {field:?} appears more than once")]
    DuplicateField {
        /// The field's name.
        field: String,
    },
    /// A string field holds an escaped UTF-16 surrogate without its pair.
    #[error("field {field:?} holds a lone surrogate ({escape}) at column {column}, which UTF-8 cannot hold")]
    LoneSurrogate {
        /// The field's name.
        field: String,
        /// The escape as written, such as `\ud800`.
        escape: String,
        /// 1-based column (in bytes) of the escape in the line.
        column: usize,
    },
    /// A field doppel reads holds a value of the wrong JSON type.
    #[error("field {field:?} is {found}, expected {expected}")]
    WrongType {
        /// The field's name.
        field: String,
        /// What it holds: `an array`, `null`, `a number`…
        found: &'static str,
        /// What it must hold: `a string`, or `a string or a number`.
        expected: &'static str,
    },
}

/// Streams the documents of one JSON Lines file, one line at a time.
pub struct JsonlReader {
    path: PathBuf,
    options: JsonlOptions,
    input: Box<dyn BufRead + Send>,
    compression: Compression,
    /// Scratch buffer for the current line, reused.
    buf: Vec<u8>,
    /// Number of the last line read.
    line: usize,
    done: bool,
}

impl fmt::Debug for JsonlReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonlReader")
            .field("path", &self.path)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

impl JsonlReader {
    /// Opens `path`, decompressing as its name says ([`Compression::from_path`]).
    pub fn open(path: &Path, options: &JsonlOptions) -> io::Result<JsonlReader> {
        let file = File::open(path)?;
        JsonlReader::new(file, Compression::from_path(path), path, options)
    }

    /// Reads from any reader (standard input, say); `path` only names it in
    /// errors.
    pub fn new(
        input: impl Read + Send + 'static,
        compression: Compression,
        path: impl Into<PathBuf>,
        options: &JsonlOptions,
    ) -> io::Result<JsonlReader> {
        Ok(JsonlReader {
            path: path.into(),
            options: options.clone(),
            input: decompressed(input, compression)?,
            compression,
            buf: Vec::new(),
            line: 0,
            done: false,
        })
    }

    /// The path errors are reported with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, line: usize, message: String) -> JsonlLineError {
        JsonlLineError {
            path: self.path.clone(),
            line,
            message,
        }
    }

    /// The next non-blank line, unparsed: its terminator (and on line 1 a
    /// byte order mark) removed. Parse it with [`RawLine::parse`], on any
    /// thread; the reader itself then only splits lines.
    pub fn next_line(&mut self) -> Option<Result<RawLine, JsonlLineError>> {
        while !self.done {
            if self.buf.capacity() > KEPT_SCRATCH_BYTES {
                // One huge line must not keep its buffer for the rest of the file.
                self.buf = Vec::new();
            }
            self.buf.clear();
            match self.input.read_until(b'\n', &mut self.buf) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    self.line += 1;
                    let mut bytes = trim_terminator(&self.buf);
                    if self.line == 1 {
                        bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                    }
                    if !bytes.iter().all(|b| is_json_space(*b)) {
                        return Some(Ok(RawLine {
                            line: self.line,
                            bytes: bytes.to_vec(),
                        }));
                    }
                }
                Err(err) => {
                    self.done = true;
                    let message = match self.compression.name() {
                        Some(name) => {
                            format!(
                                "{name} stream is truncated or damaged: {}",
                                io_message(&err)
                            )
                        }
                        None => io_message(&err),
                    };
                    return Some(Err(self.error(self.line + 1, message)));
                }
            }
        }
        None
    }
}

/// A non-blank line of a JSON Lines file, not yet parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawLine {
    /// 1-based line number in the (decompressed) file.
    pub line: usize,
    /// The line without its terminator.
    pub bytes: Vec<u8>,
}

impl RawLine {
    /// Parses the line as a record; `path` names the file in the error.
    pub fn parse(self, path: &Path, options: &JsonlOptions) -> Result<JsonRecord, JsonlLineError> {
        parse_line(self.bytes, self.line, options).map_err(|err| JsonlLineError {
            path: path.to_path_buf(),
            line: self.line,
            message: err.to_string(),
        })
    }
}

impl Iterator for JsonlReader {
    type Item = Result<JsonRecord, JsonlLineError>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = self.next_line()?;
        Some(line.and_then(|line| line.parse(&self.path, &self.options)))
    }
}

pub(crate) fn decompressed(
    input: impl Read + Send + 'static,
    compression: Compression,
) -> io::Result<Box<dyn BufRead + Send>> {
    Ok(match compression {
        Compression::None => Box::new(BufReader::with_capacity(BUFFER_BYTES, input)),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUFFER_BYTES,
            flate2::read::MultiGzDecoder::new(input),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            BUFFER_BYTES,
            zstd::stream::read::Decoder::new(input)?,
        )),
    })
}

fn trim_terminator(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn is_json_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// One non-blank line (terminator removed) as a record.
fn parse_line(
    bytes: Vec<u8>,
    line: usize,
    options: &JsonlOptions,
) -> Result<JsonRecord, MalformedLine> {
    let raw = utf8_string(bytes).map_err(|offset| MalformedLine::Utf8 { offset })?;
    let fields = object_fields(&raw)?;
    let text = string_field(&raw, &fields, &options.text_field)?;
    let id = key_field(&raw, &fields, &options.id_field)?.unwrap_or_else(|| line.to_string());
    let site = match &options.site_field {
        Some(field) => key_field(&raw, &fields, field)?,
        None => None,
    };
    Ok(JsonRecord {
        line,
        id,
        site,
        text,
        raw,
    })
}

/// `bytes` as a string, or the offset of the first byte that is not UTF-8.
///
/// Checked with SIMD instructions picked at run time (several times faster
/// than the standard library's check on text that is mostly not ASCII, as
/// Chinese and Japanese text is); an invalid line is checked again by the
/// standard library, for the offset.
fn utf8_string(bytes: Vec<u8>) -> Result<String, usize> {
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: `bytes` was just checked to be valid UTF-8.
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    } else {
        String::from_utf8(bytes).map_err(|err| err.utf8_error().valid_up_to())
    }
}

/// The members of a JSON object, in order, each value as its exact slice of
/// the line.
type Fields<'a> = Vec<(String, &'a RawValue)>;

/// Parses `line` as one JSON object and lists its members.
fn object_fields(line: &str) -> Result<Fields<'_>, MalformedLine> {
    let first = line.bytes().find(|b| !is_json_space(*b));
    if first == Some(b'{') {
        let object: Object = serde_json::from_str(line).map_err(|err| json_error(&err, 0))?;
        return Ok(object.0);
    }
    match serde_json::from_str::<IgnoredAny>(line) {
        Ok(_) => Err(MalformedLine::NotObject {
            found: kind(first.unwrap_or(b' ')),
        }),
        Err(err) => Err(json_error(&err, 0)),
    }
}

/// A serde_json error as a reason; `offset` is where the parsed text starts
/// in the line, to report columns of the line.
fn json_error(err: &serde_json::Error, offset: usize) -> MalformedLine {
    let text = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    let message = text.strip_suffix(&position).unwrap_or(&text).to_owned();
    MalformedLine::Json {
        column: offset + err.column(),
        message,
    }
}

/// What a JSON value is, from its first byte, for error messages.
fn kind(first: u8) -> &'static str {
    match first {
        b'"' => "a string",
        b'{' => "an object",
        b'[' => "an array",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        _ => "a number",
    }
}

fn first_byte(value: &RawValue) -> u8 {
    value.get().as_bytes().first().copied().unwrap_or(b' ')
}

/// The one member named `name`, if any.
fn field<'a>(fields: &Fields<'a>, name: &str) -> Result<Option<&'a RawValue>, MalformedLine> {
    let mut found = fields.iter().filter(|(key, _)| key == name);
    let value = found.next().map(|(_, value)| *value);
    if found.next().is_some() {
        return Err(MalformedLine::DuplicateField {
            field: name.to_owned(),
        });
    }
    Ok(value)
}

/// The member `name`, which must be present and a string, as its raw slice.
fn raw_string_field<'a>(fields: &Fields<'a>, name: &str) -> Result<&'a RawValue, MalformedLine> {
    let value = field(fields, name)?.ok_or_else(|| MalformedLine::MissingField {
        field: name.to_owned(),
    })?;
    match first_byte(value) {
        b'"' => Ok(value),
        other => Err(MalformedLine::WrongType {
            field: name.to_owned(),
            found: kind(other),
            expected: "a string",
        }),
    }
}

/// The member `name`, which must be present and a string, decoded.
fn string_field(line: &str, fields: &Fields<'_>, name: &str) -> Result<String, MalformedLine> {
    decode_string(line, name, raw_string_field(fields, name)?)
}

/// An id or site member: a string (decoded) or a number (as written);
/// `None` when absent or `null`.
fn key_field(line: &str, fields: &Fields<'_>, name: &str) -> Result<Option<String>, MalformedLine> {
    let Some(value) = field(fields, name)? else {
        return Ok(None);
    };
    match first_byte(value) {
        b'"' => decode_string(line, name, value).map(Some),
        b'n' => Ok(None),
        b'-' | b'0'..=b'9' => Ok(Some(value.get().to_owned())),
        other => Err(MalformedLine::WrongType {
            field: name.to_owned(),
            found: kind(other),
            expected: "a string or a number",
        }),
    }
}

/// Decodes the raw JSON string value of field `name`. Parsing the object
/// only checked its escapes' shape; decoding also rejects lone surrogates,
/// which UTF-8 cannot hold (replacing them would change the text that
/// `clean` writes back).
fn decode_string(line: &str, name: &str, value: &RawValue) -> Result<String, MalformedLine> {
    let offset = offset_in(line, value.get());
    serde_json::from_str(value.get()).map_err(|err| match lone_surrogate(value.get()) {
        Some((at, escape)) => MalformedLine::LoneSurrogate {
            field: name.to_owned(),
            escape: escape.to_owned(),
            column: offset + at + 1,
        },
        None => json_error(&err, offset),
    })
}

/// The first `\uXXXX` escape of a UTF-16 surrogate without its partner in
/// a raw JSON string, with its byte offset.
fn lone_surrogate(raw: &str) -> Option<(usize, &str)> {
    let bytes = raw.as_bytes();
    let escape_at = |at: usize| -> Option<u16> {
        let hex = raw.get(at + 2..at + 6)?;
        (bytes.get(at..at + 2) == Some(b"\\u"))
            .then(|| u16::from_str_radix(hex, 16).ok())
            .flatten()
    };
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        let Some(unit) = escape_at(at) else {
            at += 2;
            continue;
        };
        match unit {
            0xD800..=0xDBFF => match escape_at(at + 6) {
                Some(0xDC00..=0xDFFF) => at += 12,
                _ => return Some((at, &raw[at..at + 6])),
            },
            0xDC00..=0xDFFF => return Some((at, &raw[at..at + 6])),
            _ => at += 6,
        }
    }
    None
}

/// Byte offset of `part` in `whole`; `part` must be a slice of `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// A JSON object's members in order, values borrowed from the input.
struct Object<'a>(Fields<'a>);

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor)
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
        let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
            fields.push(entry);
        }
        Ok(Object(fields))
    }
}

/// Returns `raw_line` with the value of `text_field` replaced by `new_text`,
/// encoded in the [`EscapeStyle`] of the value it replaces; every other byte
/// of the line is kept. The field must appear once and hold a string.
///
/// ```
/// use doppel::input::jsonl::replace_text;
/// let line = r#"{ "id" : 1 ,"text":"old" , "lang":"fr"}"#;
/// let edited = replace_text(line, "text", "new \"text\"").unwrap();
/// assert_eq!(edited, r#"{ "id" : 1 ,"text":"new \"text\"" , "lang":"fr"}"#);
/// ```
pub fn replace_text(
    raw_line: &str,
    text_field: &str,
    new_text: &str,
) -> Result<String, MalformedLine> {
    let fields = object_fields(raw_line)?;
    let value = raw_string_field(&fields, text_field)?.get();
    let start = offset_in(raw_line, value);
    let end = start + value.len();
    let style = style_of(value)
        .or_else(|| style_of(raw_line))
        .unwrap_or_default();
    let encoded = encode_json_string(new_text, style);
    let mut line = String::with_capacity(raw_line.len() - value.len() + encoded.len());
    line.push_str(&raw_line[..start]);
    line.push_str(&encoded);
    line.push_str(&raw_line[end..]);
    Ok(line)
}

/// How a JSON string writes characters outside printable ASCII.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EscapeStyle {
    /// Non-ASCII characters and DEL written as they are, in UTF-8
    /// (serde_json, `JSON.stringify`, Python with `ensure_ascii=False`).
    #[default]
    Utf8,
    /// Non-ASCII characters and DEL written as lowercase `\uXXXX`, astral
    /// characters as surrogate pairs (Python's `json.dumps` default).
    Ascii,
}

/// The escape style of a raw JSON string value (quotes included) or of any
/// JSON text: [`EscapeStyle::Ascii`] when its first character beyond
/// printable ASCII is a `\u` escape, [`EscapeStyle::Utf8`] when it is written
/// raw or when there is none (then both styles agree on the text itself).
pub fn escape_style(raw_value: &str) -> EscapeStyle {
    style_of(raw_value).unwrap_or_default()
}

/// The style shown by the first DEL or non-ASCII character, if any.
fn style_of(json: &str) -> Option<EscapeStyle> {
    let bytes = json.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1) == Some(&b'u') => {
                if hex4(&bytes[i + 2..]).is_some_and(|unit| unit >= 0x7f) {
                    return Some(EscapeStyle::Ascii);
                }
                i += 6;
            }
            b'\\' => i += 2,
            byte if byte >= 0x7f => return Some(EscapeStyle::Utf8),
            _ => i += 1,
        }
    }
    None
}

/// The value of four hex digits at the start of `bytes`.
fn hex4(bytes: &[u8]) -> Option<u16> {
    let digits = std::str::from_utf8(bytes.get(..4)?).ok()?;
    u16::from_str_radix(digits, 16).ok()
}

/// `text` as a JSON string, quotes included, in `style`. Both styles escape
/// `"`, `\`, `\b`, `\f`, `\n`, `\r`, `\t` by letter and other control
/// characters as lowercase `\u00XX`, and leave `/` alone.
pub fn encode_json_string(text: &str, style: EscapeStyle) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        push_char(&mut out, ch, style);
    }
    out.push('"');
    out
}

fn push_char(out: &mut String, ch: char, style: EscapeStyle) {
    match ch {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        c if c < ' ' => push_unit(out, c as u16),
        c if c >= '\u{7f}' && style == EscapeStyle::Ascii => {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                push_unit(out, *unit);
            }
        }
        c => out.push(c),
    }
}

fn push_unit(out: &mut String, unit: u16) {
    use fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(out, "\\u{unit:04x}");
}

/// Writes JSON lines, each ended by `\n`, compressed as asked.
///
/// Call [`JsonlWriter::finish`] at the end: it completes the compressed
/// stream and reports the last write errors; a writer dropped without it may
/// leave a truncated stream.
pub struct JsonlWriter<W: Write = File> {
    out: BufWriter<Encoder<W>>,
}

impl<W: Write> fmt::Debug for JsonlWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonlWriter").finish_non_exhaustive()
    }
}

impl JsonlWriter<File> {
    /// Creates (or truncates) `path` and writes to it.
    pub fn create(path: &Path, compression: Compression) -> io::Result<JsonlWriter<File>> {
        JsonlWriter::new(File::create(path)?, compression)
    }
}

impl<W: Write> JsonlWriter<W> {
    /// Writes to `inner`; gzip at the default level, zstd at level 3.
    pub fn new(inner: W, compression: Compression) -> io::Result<JsonlWriter<W>> {
        let encoder = match compression {
            Compression::None => Encoder::Plain(inner),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                inner,
                flate2::Compression::default(),
            )),
            Compression::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(inner, 3)?),
        };
        Ok(JsonlWriter {
            out: BufWriter::with_capacity(BUFFER_BYTES, encoder),
        })
    }

    /// Writes `line` and a `\n`. A line holding `\n` or `\r` would break the
    /// file into other lines, so it is refused.
    pub fn write_line(&mut self, line: &str) -> io::Result<()> {
        if memchr::memchr2(b'\n', b'\r', line.as_bytes()).is_some() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a JSON line cannot hold a line break",
            ));
        }
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Flushes, completes the compressed stream, and returns the inner writer.
    pub fn finish(self) -> io::Result<W> {
        let encoder = self.out.into_inner().map_err(|err| err.into_error())?;
        let mut inner = encoder.finish()?;
        inner.flush()?;
        Ok(inner)
    }
}

/// The compressor under a [`JsonlWriter`].
enum Encoder<W: Write> {
    Plain(W),
    Gzip(flate2::write::GzEncoder<W>),
    Zstd(zstd::stream::write::Encoder<'static, W>),
}

impl<W: Write> Encoder<W> {
    fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Plain(inner) => Ok(inner),
            Encoder::Gzip(encoder) => encoder.finish(),
            Encoder::Zstd(encoder) => encoder.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Plain(inner) => inner.write(buf),
            Encoder::Gzip(encoder) => encoder.write(buf),
            Encoder::Zstd(encoder) => encoder.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Plain(inner) => inner.flush(),
            Encoder::Gzip(encoder) => encoder.flush(),
            Encoder::Zstd(encoder) => encoder.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    #[test]
    fn utf8_check_takes_valid_lines_and_finds_the_first_bad_byte() {
        let text = "{\"text\": \"中文テキスト and more\"}".repeat(8);
        assert_eq!(utf8_string(text.clone().into_bytes()), Ok(text.clone()));
        let mut bad = text.clone().into_bytes();
        bad[100] = 0xFF;
        let expected = std::str::from_utf8(&bad).unwrap_err().valid_up_to();
        assert_eq!(utf8_string(bad), Err(expected));
    }

    fn compress(bytes: &[u8], compression: Compression) -> Vec<u8> {
        match compression {
            Compression::None => bytes.to_vec(),
            Compression::Gzip => {
                let mut gz =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                gz.write_all(bytes).unwrap();
                gz.finish().unwrap()
            }
            Compression::Zstd => zstd::encode_all(bytes, 3).unwrap(),
        }
    }

    /// Reads `bytes` as a whole file; records and error messages in order.
    fn read_all(bytes: &[u8], options: &JsonlOptions) -> Vec<Result<JsonRecord, String>> {
        JsonlReader::new(
            Cursor::new(bytes.to_vec()),
            Compression::None,
            "t.jsonl",
            options,
        )
        .unwrap()
        .map(|item| item.map_err(|err| err.to_string()))
        .collect()
    }

    fn texts(bytes: &[u8]) -> Vec<(usize, String, String)> {
        read_all(bytes, &JsonlOptions::default())
            .into_iter()
            .map(|item| {
                let record = item.unwrap();
                (record.line, record.id, record.text)
            })
            .collect()
    }

    const SAMPLE: &str = "{\"id\": \"a\", \"text\": \"first\"}\n{\"id\": \"b\", \"text\": \"caf\\u00e9 \u{1F600}\"}\n";

    #[test]
    fn reads_plain_gzip_and_zstd_files() {
        let dir = tempfile::tempdir().unwrap();
        for (name, compression) in [
            ("c.jsonl", Compression::None),
            ("c.jsonl.gz", Compression::Gzip),
            ("c.ndjson.zst", Compression::Zstd),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, compress(SAMPLE.as_bytes(), compression)).unwrap();
            let records: Vec<_> = JsonlReader::open(&path, &JsonlOptions::default())
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(records.len(), 2, "{name}");
            assert_eq!(records[1].text, "café \u{1F600}", "{name}");
            assert_eq!(records[1].raw, SAMPLE.lines().nth(1).unwrap(), "{name}");
            assert_eq!((records[1].line, records[1].id.as_str()), (2, "b"));
        }
    }

    #[test]
    fn each_malformed_line_gives_one_error_and_reading_goes_on() {
        let mut input = Vec::new();
        for line in [
            &br#"{"text": "one"}"#[..],
            br#"{"text": "two""#,
            br#"["text", "three"]"#,
            br#"{"body": "four"}"#,
            br#"{"text": 5}"#,
            b"{\"text\": \"a\xff\"}",
            br#"{"text": "seven", "text": "again"}"#,
            br#"{"text": "\ud800"}"#,
            br#"{"text": "nine"}"#,
        ] {
            input.extend_from_slice(line);
            input.push(b'\n');
        }
        let items = read_all(&input, &JsonlOptions::default());
        let errors: Vec<_> = items.iter().filter_map(|i| i.clone().err()).collect();
        assert_eq!(
            errors,
            [
                "t.jsonl:2: invalid JSON at column 14: EOF while parsing an object",
                "t.jsonl:3: expected a JSON object, found an array",
                "t.jsonl:4: no field \"text\"",
                "t.jsonl:5: field \"text\" is a number, expected a string",
                "t.jsonl:6: invalid UTF-8 at byte 11 of the line",
                "t.jsonl:7: field \"text\" appears more than once",
                "t.jsonl:8: field \"text\" holds a lone surrogate (\\ud800) at column 11, \
                 which UTF-8 cannot hold",
            ]
        );
        let good: Vec<_> = items.into_iter().filter_map(Result::ok).collect();
        assert_eq!((good[0].line, good[0].text.as_str()), (1, "one"));
        assert_eq!((good[1].line, good[1].text.as_str()), (9, "nine"));
    }

    #[test]
    fn lone_surrogates_are_found_and_pairs_are_not() {
        assert_eq!(lone_surrogate(r#""a\ud800b""#), Some((2, r"\ud800")));
        assert_eq!(lone_surrogate(r#""\uDC00""#), Some((1, r"\uDC00")));
        assert_eq!(lone_surrogate(r#""\ude00\ud83d""#), Some((1, r"\ude00")));
        assert_eq!(lone_surrogate(r#""x\ud83d\u0041""#), Some((2, r"\ud83d")));
        assert_eq!(lone_surrogate(r#""\ud83d\ude00 \u00e9""#), None);
        assert_eq!(lone_surrogate(r#""\\ud800 \n""#), None);
        assert_eq!(lone_surrogate(r#""cut \ud8"#), None);
    }

    #[test]
    fn a_lone_surrogate_in_the_id_names_the_id() {
        let items = read_all(
            br#"{"id": "\udfff", "text": "a"}"#,
            &JsonlOptions::default(),
        );
        assert_eq!(
            items[0].clone().unwrap_err(),
            "t.jsonl:1: field \"id\" holds a lone surrogate (\\udfff) at column 9, \
             which UTF-8 cannot hold"
        );
    }

    #[test]
    fn scalars_at_top_level_are_not_objects() {
        let items = read_all(b"\"text\"\n42\nnull\n", &JsonlOptions::default());
        let found: Vec<_> = items.into_iter().map(|i| i.unwrap_err()).collect();
        assert_eq!(
            found,
            [
                "t.jsonl:1: expected a JSON object, found a string",
                "t.jsonl:2: expected a JSON object, found a number",
                "t.jsonl:3: expected a JSON object, found null",
            ]
        );
    }

    #[test]
    fn numeric_ids_keep_their_spelling() {
        let input = br#"{"id": 42, "text": "a"}
{"id": -1.5e3, "text": "b"}
{"id": 123456789012345678901234567890, "text": "c"}
{"id": "x\ty", "text": "d"}
"#;
        let ids: Vec<_> = texts(input).into_iter().map(|(_, id, _)| id).collect();
        assert_eq!(
            ids,
            ["42", "-1.5e3", "123456789012345678901234567890", "x\ty"]
        );
    }

    #[test]
    fn missing_or_null_id_is_the_line_number() {
        let input = b"{\"text\": \"a\"}\n\n  \t\n{\"id\": null, \"text\": \"b\"}\n";
        assert_eq!(
            texts(input),
            [(1, "1".into(), "a".into()), (4, "4".into(), "b".into())]
        );
    }

    #[test]
    fn ids_of_other_types_are_errors() {
        let items = read_all(br#"{"id": [1], "text": "a"}"#, &JsonlOptions::default());
        assert_eq!(
            items[0].clone().unwrap_err(),
            "t.jsonl:1: field \"id\" is an array, expected a string or a number"
        );
    }

    #[test]
    fn custom_fields_and_site() {
        let options = JsonlOptions {
            text_field: "content".into(),
            id_field: "doc".into(),
            site_field: Some("host".into()),
        };
        let input = br#"{"doc": 1, "content": "a", "host": "example.org"}
{"doc": 2, "content": "b"}
{"doc": 3, "content": "c", "host": null}
{"doc": 4, "content": "d", "host": true}
"#;
        let items = read_all(input, &options);
        let sites: Vec<_> = items[..3].iter().map(|i| i.clone().unwrap().site).collect();
        assert_eq!(sites, [Some("example.org".to_owned()), None, None]);
        assert_eq!(
            items[3].clone().unwrap_err(),
            "t.jsonl:4: field \"host\" is a boolean, expected a string or a number"
        );
    }

    #[test]
    fn crlf_line_ends_and_a_bom_are_dropped() {
        let input = b"\xEF\xBB\xBF{\"text\": \"a\"}\r\n{\"text\": \"b\"}\r\n\r\n{\"text\": \"c\"}";
        let records: Vec<_> = read_all(input, &JsonlOptions::default())
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let raws: Vec<_> = records.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(
            raws,
            [r#"{"text": "a"}"#, r#"{"text": "b"}"#, r#"{"text": "c"}"#]
        );
        assert_eq!(records[2].line, 4);
    }

    #[test]
    fn a_bom_after_line_one_is_invalid_json() {
        let items = read_all(
            b"{\"text\": \"a\"}\n\xEF\xBB\xBF{\"text\": \"b\"}\n",
            &JsonlOptions::default(),
        );
        assert!(items[1]
            .clone()
            .unwrap_err()
            .starts_with("t.jsonl:2: invalid JSON"));
    }

    #[test]
    fn a_huge_line_does_not_keep_its_buffer() {
        let huge = format!("{{\"text\": \"{}\"}}\n", "x".repeat(4 * KEPT_SCRATCH_BYTES));
        let input = huge + "{\"text\": \"small\"}\n";
        let mut reader = JsonlReader::new(
            Cursor::new(input.into_bytes()),
            Compression::None,
            "t.jsonl",
            &JsonlOptions::default(),
        )
        .unwrap();
        assert_eq!(
            reader.next_line().unwrap().unwrap().bytes.len(),
            4 * KEPT_SCRATCH_BYTES + 12
        );
        assert_eq!(reader.next_line().unwrap().unwrap().line, 2);
        assert!(reader.buf.capacity() <= KEPT_SCRATCH_BYTES);
    }

    #[test]
    fn a_truncated_stream_ends_with_one_error() {
        let lines: String = (0..2000)
            .map(|i| format!("{{\"text\": \"line {i} {}\"}}\n", i * 7919))
            .collect();
        let gz = compress(lines.as_bytes(), Compression::Gzip);
        let cut = gz[..gz.len() / 2].to_vec();
        let items: Vec<_> = JsonlReader::new(
            Cursor::new(cut),
            Compression::Gzip,
            "t.jsonl.gz",
            &JsonlOptions::default(),
        )
        .unwrap()
        .collect();
        let (last, read) = items.split_last().unwrap();
        let message = last.as_ref().unwrap_err().to_string();
        assert!(
            message.contains(": gzip stream is truncated or damaged: "),
            "{message}"
        );
        assert!(read.iter().all(Result::is_ok));
        assert!(!read.is_empty());
    }

    #[test]
    fn names_say_jsonl_and_compression() {
        for name in [
            "a.jsonl",
            "a.JSONL.gz",
            "b.ndjson",
            "b.ndjson.zst",
            "c.jsonl.zst",
        ] {
            assert!(is_jsonl_path(Path::new(name)), "{name}");
        }
        for name in ["a.json", "a.gz", "jsonl", "a.jsonl.bz2", "a.txt.zst"] {
            assert!(!is_jsonl_path(Path::new(name)), "{name}");
        }
        assert_eq!(
            Compression::from_path(Path::new("x.jsonl.GZ")),
            Compression::Gzip
        );
        assert_eq!(
            Compression::from_path(Path::new("x.jsonl.zst")),
            Compression::Zstd
        );
        assert_eq!(
            Compression::from_path(Path::new("x.jsonl")),
            Compression::None
        );
    }

    #[test]
    fn replace_text_keeps_every_other_byte() {
        let line = r#"{ "id" : 1 ,"text":"x" ,  "meta":{"a":[1, 2 ],"text":"inner"} }"#;
        assert_eq!(
            replace_text(line, "text", "new\nline").unwrap(),
            r#"{ "id" : 1 ,"text":"new\nline" ,  "meta":{"a":[1, 2 ],"text":"inner"} }"#
        );
        let escaped_key = r#"{"te\u0078t":"x","b":"\/"}"#;
        assert_eq!(
            replace_text(escaped_key, "text", "y").unwrap(),
            r#"{"te\u0078t":"y","b":"\/"}"#
        );
    }

    #[test]
    fn replace_text_keeps_the_escape_style() {
        let ascii = r#"{"text": "caf\u00e9", "id": 1}"#;
        assert_eq!(
            replace_text(ascii, "text", "thé \u{1F600}").unwrap(),
            r#"{"text": "th\u00e9 \ud83d\ude00", "id": 1}"#
        );
        let utf8 = r#"{"text":"café"}"#;
        assert_eq!(
            replace_text(utf8, "text", "thé").unwrap(),
            r#"{"text":"thé"}"#
        );
        // An ASCII-only value takes the style of the rest of the line.
        let line = r#"{"title": "\u00e9t\u00e9", "text": "plain"}"#;
        assert_eq!(
            replace_text(line, "text", "é").unwrap(),
            r#"{"title": "\u00e9t\u00e9", "text": "\u00e9"}"#
        );
    }

    #[test]
    fn replace_text_refuses_lines_it_cannot_edit() {
        let fails = |line: &str| replace_text(line, "text", "x").unwrap_err().to_string();
        assert_eq!(fails(r#"{"id": 1}"#), "no field \"text\"");
        assert_eq!(
            fails(r#"{"text": null}"#),
            "field \"text\" is null, expected a string"
        );
        assert_eq!(fails("[1]"), "expected a JSON object, found an array");
        assert!(fails("{").starts_with("invalid JSON"));
    }

    #[test]
    fn other_escapes_round_trip_by_decoded_text_only() {
        for line in [
            r#"{"text": "caf\u00E9"}"#,
            r#"{"text": "a\/b"}"#,
            r#"{"text": "\u0041\u000a"}"#,
            r#"{"text": "\u003cb\u003e"}"#,
        ] {
            let text = parse_line(line.as_bytes().to_vec(), 1, &JsonlOptions::default())
                .unwrap()
                .text;
            let edited = replace_text(line, "text", &text).unwrap();
            assert_ne!(edited, line);
            let again =
                parse_line(edited.as_bytes().to_vec(), 1, &JsonlOptions::default()).unwrap();
            assert_eq!(again.text, text);
        }
    }

    #[test]
    fn escape_style_reads_the_first_telling_character() {
        assert_eq!(escape_style(r#""plain""#), EscapeStyle::Utf8);
        assert_eq!(escape_style(r#""caf\u00e9""#), EscapeStyle::Ascii);
        assert_eq!(escape_style(r#""a\u007f""#), EscapeStyle::Ascii);
        assert_eq!(escape_style("\"a\u{7f}\""), EscapeStyle::Utf8);
        assert_eq!(escape_style(r#""caf\\u00e9 é""#), EscapeStyle::Utf8);
        assert_eq!(escape_style(r#""\u000a é""#), EscapeStyle::Utf8);
        assert_eq!(escape_style(r#""trailing \u00"#), EscapeStyle::Utf8);
    }

    #[test]
    fn writer_output_reads_back_for_each_compression() {
        let lines = [
            r#"{"id": 1, "text": "a"}"#,
            r#"{"text": "caf\u00e9 é"}"#,
            "{}",
        ];
        for compression in [Compression::None, Compression::Gzip, Compression::Zstd] {
            let mut writer = JsonlWriter::new(Vec::new(), compression).unwrap();
            for line in lines {
                writer.write_line(line).unwrap();
            }
            let bytes = writer.finish().unwrap();
            let options = JsonlOptions::default();
            let read: Vec<_> = JsonlReader::new(Cursor::new(bytes), compression, "w", &options)
                .unwrap()
                .collect();
            assert_eq!(read[0].as_ref().unwrap().raw, lines[0]);
            assert_eq!(read[1].as_ref().unwrap().raw, lines[1]);
            assert_eq!(read[2].as_ref().unwrap_err().line, 3);
        }
    }

    #[test]
    fn writer_files_match_their_plain_text() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["o.jsonl", "o.jsonl.gz", "o.jsonl.zst"] {
            let path = dir.path().join(name);
            let mut writer = JsonlWriter::create(&path, Compression::from_path(&path)).unwrap();
            for line in SAMPLE.lines() {
                writer.write_line(line).unwrap();
            }
            writer.finish().unwrap();
            let file = File::open(&path).unwrap();
            let mut plain = String::new();
            decompressed(file, Compression::from_path(&path))
                .unwrap()
                .read_to_string(&mut plain)
                .unwrap();
            assert_eq!(plain, SAMPLE, "{name}");
        }
    }

    #[test]
    fn writer_refuses_line_breaks() {
        let mut writer = JsonlWriter::new(Vec::new(), Compression::None).unwrap();
        assert!(writer.write_line("{}\n{}").is_err());
        assert!(writer.write_line("{}\r").is_err());
        assert_eq!(writer.finish().unwrap(), b"");
    }

    /// Python's `json.dumps` of a string: `"`, `\`, `\b`, `\f`, `\n`, `\r`,
    /// `\t` by letter, other characters below a space as `\u00XX`, and with
    /// `ensure_ascii` everything outside `' '..='~'` as lowercase `\uXXXX`
    /// (UTF-16 surrogate pairs above the BMP).
    fn python_dumps(text: &str, ensure_ascii: bool) -> String {
        let mut out = String::from("\"");
        for c in text.chars() {
            let short = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\u{8}' => Some("\\b"),
                '\u{c}' => Some("\\f"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                _ => None,
            };
            if let Some(short) = short {
                out.push_str(short);
            } else if c < ' ' || (ensure_ascii && c > '~') {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", unit));
                }
            } else {
                out.push(c);
            }
        }
        out.push('"');
        out
    }

    fn tricky_text() -> impl Strategy<Value = String> {
        let tricky = prop_oneof![
            any::<char>(),
            Just('"'),
            Just('\\'),
            Just('/'),
            Just('\u{7f}'),
            Just('é'),
            Just('\u{1F600}'),
            Just('\u{2028}'),
            proptest::char::range('\u{0}', '\u{1f}'),
            proptest::char::range(' ', '~'),
        ];
        proptest::collection::vec(tricky, 0..40).prop_map(|chars| chars.into_iter().collect())
    }

    fn assert_round_trip(line: &str) {
        let record = parse_line(line.as_bytes().to_vec(), 1, &JsonlOptions::default()).unwrap();
        assert_eq!(replace_text(line, "text", &record.text).unwrap(), line);
    }

    proptest! {
        #[test]
        fn replace_text_with_the_same_text_gives_the_line_back(
            text in tricky_text(),
            url in tricky_text(),
        ) {
            for ensure_ascii in [true, false] {
                let line = format!(
                    "{{\"id\": 7, \"text\": {}, \"url\": {}}}",
                    python_dumps(&text, ensure_ascii),
                    python_dumps(&url, ensure_ascii),
                );
                assert_round_trip(&line);
            }
            let value = serde_json::json!({"id": 7, "text": text, "url": url});
            assert_round_trip(&serde_json::to_string(&value).unwrap());
        }

        #[test]
        fn utf8_style_is_serde_json_and_python_without_ensure_ascii(text in tricky_text()) {
            let ours = encode_json_string(&text, EscapeStyle::Utf8);
            prop_assert_eq!(&ours, &serde_json::to_string(&text).unwrap());
            prop_assert_eq!(&ours, &python_dumps(&text, false));
            prop_assert_eq!(
                encode_json_string(&text, EscapeStyle::Ascii),
                python_dumps(&text, true)
            );
        }
    }
}
