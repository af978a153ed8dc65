//! Reading signature files: memory-mapped, checked whole when opened, then
//! read without copying.
//!
//! Opening a file checks that it is an Arrow IPC file with a complete
//! footer, that its metadata names this format and version, that its
//! columns are the expected ones, and that every row is well formed (Arrow's
//! own validation of offsets and UTF-8, then each row's kind and the columns
//! its kind needs, and each shingle set sorted without repeats). A file that
//! fails any check is refused with one line naming it, before anything is
//! reported from it.
//!
//! Arrow's decoders trust parts of what they read: a schema of a type they
//! do not know, or a buffer that reaches past the message body, makes them
//! panic. So nothing reaches them unchecked: the footer's schema is compared
//! with the expected columns in its flatbuffer form, and each record batch
//! message's buffers and lengths are checked against its body, before Arrow
//! decodes either.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{UInt32Type, UInt64Type};
use arrow_array::{Array, BooleanArray, ListArray, PrimitiveArray, RecordBatch, StringArray};
use arrow_buffer::Buffer;
use arrow_ipc::reader::{read_footer_length, FileDecoder};
use arrow_schema::{DataType, Schema};
use memmap2::Mmap;

use super::schema::{col, fields, kind, CHECKSUM_KEY, FORMAT_KEY, FORMAT_VERSION, PARAMS_KEY};
use super::{SignatureError, EXTENSION};
use crate::document::Origin;
use crate::pipeline::DocumentFacts;
use crate::SketchParams;

/// The start and end of an Arrow IPC file.
const MAGIC: &[u8; 6] = b"ARROW1";

/// One signature file, open and checked.
#[derive(Debug)]
pub struct SignatureFile {
    path: PathBuf,
    params: SketchParams,
    pub(crate) batches: Vec<Batch>,
}

/// The columns of one record batch, typed.
#[derive(Debug)]
pub(crate) struct Batch {
    kind: StringArray,
    path: StringArray,
    record_id: StringArray,
    record_line: PrimitiveArray<UInt64Type>,
    encoding: StringArray,
    detection: StringArray,
    bom: BooleanArray,
    facts: [PrimitiveArray<UInt64Type>; 5],
    message: StringArray,
    exact: PrimitiveArray<UInt64Type>,
    units: PrimitiveArray<UInt64Type>,
    bands: ListArray,
    shingles: ListArray,
}

/// One row, read.
#[doc(hidden)]
#[derive(Debug)]
pub enum Row<'a> {
    Document {
        origin: Origin,
        facts: DocumentFacts<'a>,
        exact: u64,
        units: u64,
    },
    /// An input that could not be read or decoded, in its place.
    Error { origin: Origin, message: &'a str },
    /// A path that could not be found or walked, reported first.
    InputError { origin: Origin, message: &'a str },
    /// A binary file a folder walk passed over.
    Skipped { origin: Origin },
}

/// A row of a file as [`SignatureFile::read_rows`] gives it.
#[doc(hidden)]
#[derive(Debug)]
pub struct RowRead<'a> {
    pub row: Result<Row<'a>, &'static str>,
    pub bands: &'a [u64],
    pub shingles: &'a [u32],
    pub shingle_count: usize,
}

impl SignatureFile {
    /// Opens and checks `path`.
    pub fn open(path: &Path) -> Result<SignatureFile, SignatureError> {
        let fail = |reason: &dyn std::fmt::Display| SignatureError::new(path, reason);
        let file = File::open(path).map_err(|err| fail(&crate::input::io_message(&err)))?;
        let len = file.metadata().map_err(|err| fail(&err))?.len();
        if len < 8 {
            return Err(fail(&"not a signature file (not an Arrow IPC file)"));
        }
        // SAFETY: the map is read only; a file changed by another process
        // while it is mapped is outside what doppel can guard against (as
        // for any mapped file), and is documented.
        let map = unsafe { Mmap::map(&file) }.map_err(|err| fail(&err))?;
        if &map[..6] != MAGIC {
            return Err(fail(&"not a signature file (not an Arrow IPC file)"));
        }
        let map = Arc::new(map);
        let Some(pointer) = NonNull::new(map.as_ptr().cast_mut()) else {
            return Err(fail(&"cannot be mapped"));
        };
        let length = map.len();
        // SAFETY: the pointer and length are the map's, and the map lives
        // as long as the buffer, which holds it.
        let buffer = unsafe { Buffer::from_custom_allocation(pointer, length, map) };
        let (params, batches) = decode(&buffer).map_err(|reason| fail(&reason))?;
        let file = SignatureFile {
            path: path.to_path_buf(),
            params,
            batches,
        };
        file.check_rows().map_err(|reason| fail(&reason))?;
        Ok(file)
    }

    /// Rows made in memory ([`SignatureBatches`](super::SignatureBatches),
    /// or a table a program read or built), checked as a file's are: the
    /// schema's format version, parameters and columns, every array's
    /// buffers (Arrow's full validation), no null band key or shingle, and
    /// every row. `name` names them in messages, as a file's path would.
    pub fn from_batches(
        name: &Path,
        schema: &Schema,
        batches: &[RecordBatch],
    ) -> Result<SignatureFile, SignatureError> {
        let fail = |reason: &dyn std::fmt::Display| SignatureError::new(name, reason);
        let metadata = |key: &str| schema.metadata().get(key).map(String::as_str);
        let Some(version) = metadata(FORMAT_KEY) else {
            return Err(fail(&format_args!(
                "not a signature table (no '{FORMAT_KEY}' metadata in its schema)"
            )));
        };
        if version != FORMAT_VERSION {
            return Err(fail(&format_args!(
                "signature format version {version:?}, and this doppel reads version {FORMAT_VERSION}"
            )));
        }
        let params: SketchParams = metadata(PARAMS_KEY)
            .and_then(|json| serde_json::from_str(json).ok())
            .ok_or_else(|| {
                fail(&format_args!(
                    "damaged ('{PARAMS_KEY}' metadata missing or unreadable)"
                ))
            })?;
        let expected = fields();
        let same_columns = |found: &Schema| {
            found.fields().len() == expected.len()
                && found
                    .fields()
                    .iter()
                    .zip(&expected)
                    .all(|(field, expected)| {
                        field.name() == expected.name()
                            && field.data_type().equals_datatype(expected.data_type())
                    })
        };
        if !same_columns(schema) {
            return Err(fail(&"not the columns of a signature table"));
        }
        let mut checked = Vec::with_capacity(batches.len());
        for batch in batches {
            if !same_columns(&batch.schema()) {
                return Err(fail(&"a batch without the columns of a signature table"));
            }
            for column in batch.columns() {
                column
                    .to_data()
                    .validate_full()
                    .map_err(|err| fail(&format_args!("damaged ({err})")))?;
            }
            let batch =
                Batch::new(batch).ok_or_else(|| fail(&"not the columns of a signature table"))?;
            if batch.bands.values().null_count() > 0 || batch.shingles.values().null_count() > 0 {
                return Err(fail(&"damaged (a null band key or shingle)"));
            }
            checked.push(batch);
        }
        let file = SignatureFile {
            path: name.to_path_buf(),
            params,
            batches: checked,
        };
        file.check_rows().map_err(|reason| fail(&reason))?;
        Ok(file)
    }

    /// The file as it was named when opened.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parameters its sketches were made with.
    pub fn params(&self) -> &SketchParams {
        &self.params
    }

    /// Rows of every kind.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(|b| b.kind.len()).sum()
    }

    /// Every row as the reader reads it, with its sketch columns: for the
    /// fuzz target, which holds the reader to its checks. Not a stable API.
    #[doc(hidden)]
    pub fn read_rows(&self) -> impl Iterator<Item = RowRead<'_>> + '_ {
        self.batches.iter().flat_map(|batch| {
            (0..batch.len()).map(move |row| RowRead {
                row: batch.row(row),
                bands: batch.bands(row),
                shingles: batch.shingles(row),
                shingle_count: batch.shingle_count(row),
            })
        })
    }

    /// Checks every row's kind and the columns it needs, and that every
    /// document's shingle set is sorted without repeats (verification
    /// merges them as sorted lists; checked here once, not on each read).
    fn check_rows(&self) -> Result<(), String> {
        let mut at = 0usize;
        for batch in &self.batches {
            for row in 0..batch.kind.len() {
                at += 1;
                let read = batch
                    .row(row)
                    .map_err(|reason| format!("damaged (row {at}: {reason})"))?;
                if matches!(read, Row::Document { .. })
                    && !batch.shingles(row).is_sorted_by(|a, b| a < b)
                {
                    return Err(format!(
                        "damaged (row {at}: a shingle set not sorted or with repeats)"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Checks the footer's checksum against the bytes before the end-of-stream
/// marker (8 bytes: `0xFFFFFFFF`, then a zero length) that precedes it.
fn check_sum(
    buffer: &Buffer,
    footer_start: usize,
    footer: &arrow_ipc::Footer<'_>,
) -> Result<(), String> {
    const EOS: [u8; 8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0];
    let recorded = footer
        .custom_metadata()
        .into_iter()
        .flatten()
        .find(|pair| pair.key() == Some(CHECKSUM_KEY))
        .and_then(|pair| pair.value())
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .ok_or_else(|| format!("damaged (no '{CHECKSUM_KEY}' in its footer)"))?;
    let body_end = footer_start
        .checked_sub(EOS.len())
        .filter(|&end| buffer[end..footer_start] == EOS)
        .ok_or_else(|| "damaged (no end-of-stream marker before its footer)".to_owned())?;
    if xxhash_rust::xxh3::xxh3_64(&buffer[..body_end]) != recorded {
        return Err("damaged (its contents do not match its checksum)".into());
    }
    Ok(())
}

/// The footer, metadata and record batches of a mapped file.
fn decode(buffer: &Buffer) -> Result<(SketchParams, Vec<Batch>), String> {
    const TRUNCATED: &str = "truncated or damaged (no complete Arrow footer)";
    let len = buffer.len();
    if len < 6 + 2 + 10 {
        return Err(TRUNCATED.into());
    }
    let trailer: [u8; 10] = buffer[len - 10..]
        .try_into()
        .map_err(|_| TRUNCATED.to_owned())?;
    let footer_len = read_footer_length(trailer).map_err(|_| TRUNCATED.to_owned())?;
    let footer_start = (len - 10)
        .checked_sub(footer_len)
        .ok_or_else(|| TRUNCATED.to_owned())?;
    let footer = arrow_ipc::root_as_footer(&buffer[footer_start..len - 10])
        .map_err(|_| TRUNCATED.to_owned())?;
    let ipc_schema = footer.schema().ok_or_else(|| TRUNCATED.to_owned())?;
    let metadata = |key: &str| {
        ipc_schema
            .custom_metadata()
            .into_iter()
            .flatten()
            .find(|pair| pair.key() == Some(key))
            .and_then(|pair| pair.value())
    };
    let Some(version) = metadata(FORMAT_KEY) else {
        return Err(format!(
            "not a signature file (an Arrow file without '{FORMAT_KEY}' metadata)"
        ));
    };
    if version != FORMAT_VERSION {
        return Err(format!(
            "signature format version {version:?}, and this doppel reads version {FORMAT_VERSION} (sign the shard again with this doppel)"
        ));
    }
    check_sum(buffer, footer_start, &footer)?;
    let params: SketchParams = metadata(PARAMS_KEY)
        .and_then(|json| serde_json::from_str(json).ok())
        .ok_or_else(|| format!("damaged ('{PARAMS_KEY}' metadata missing or unreadable)"))?;
    // Compared in the flatbuffer, before Arrow converts it: its conversion
    // panics on types it does not know.
    let expected = fields();
    let found = ipc_schema.fields();
    let same_columns = found.is_some_and(|found| {
        found.len() == expected.len()
            && found.iter().zip(&expected).all(|(field, expected)| {
                field.name() == Some(expected.name()) && same_type(field, expected.data_type())
            })
    });
    if !same_columns {
        return Err("damaged (not the columns of a signature file)".into());
    }
    let version = footer.version();
    let decoder = FileDecoder::new(Arc::new(Schema::new(expected)), version);
    let mut batches = Vec::new();
    for block in footer.recordBatches().into_iter().flatten() {
        let (offset, meta, body) = (block.offset(), block.metaDataLength(), block.bodyLength());
        let start = usize::try_from(offset).map_err(|_| TRUNCATED.to_owned())?;
        let (Ok(meta), Ok(body)) = (usize::try_from(meta), usize::try_from(body)) else {
            return Err(TRUNCATED.into());
        };
        let size = meta.checked_add(body).ok_or_else(|| TRUNCATED.to_owned())?;
        if meta < 8 || start.checked_add(size).is_none_or(|end| end > footer_start) {
            return Err(TRUNCATED.into());
        }
        let data = buffer.slice_with_length(start, size);
        check_message(&data, meta, version).map_err(|reason| format!("damaged ({reason})"))?;
        let batch = decoder
            .read_record_batch(block, &data)
            .map_err(|err| format!("damaged ({err})"))?
            .ok_or_else(|| TRUNCATED.to_owned())?;
        let batch = Batch::new(&batch).ok_or_else(|| TRUNCATED.to_owned())?;
        if batch.bands.values().null_count() > 0 || batch.shingles.values().null_count() > 0 {
            return Err("damaged (a null band key or shingle)".into());
        }
        batches.push(batch);
    }
    Ok((params, batches))
}

/// Whether the flatbuffer field `field` has the type `expected` (one of the
/// types of [`fields`]), without a dictionary.
fn same_type(field: arrow_ipc::Field<'_>, expected: &DataType) -> bool {
    let children = field.children();
    let leaf = children.is_none_or(|children| children.is_empty());
    let unsigned = |bits: i32| {
        field
            .type_as_int()
            .is_some_and(|int| int.bitWidth() == bits && !int.is_signed())
    };
    field.dictionary().is_none()
        && match expected {
            DataType::Utf8 => leaf && field.type_type() == arrow_ipc::Type::Utf8,
            DataType::Boolean => leaf && field.type_type() == arrow_ipc::Type::Bool,
            DataType::UInt64 => leaf && unsigned(64),
            DataType::UInt32 => leaf && unsigned(32),
            DataType::List(item) => {
                field.type_type() == arrow_ipc::Type::List
                    && children.is_some_and(|children| {
                        children.len() == 1 && same_type(children.get(0), item.data_type())
                    })
            }
            _ => false,
        }
}

/// What one buffer of an array holds.
enum Part {
    /// A validity bitmap: a bit per value when the array has nulls.
    Validity,
    /// Numbers of this many bytes (offsets or values).
    Numbers(u64),
    /// Bytes of any length (UTF-8 text, a bitmap of values).
    Bytes,
}

/// Checks a record batch block (`meta` bytes of message, then its body)
/// before Arrow decodes it: a record batch message of the file's metadata
/// version, uncompressed, whose buffers lie inside the body and whose
/// lengths the body can hold. Arrow's decoder slices the buffers without
/// checking them.
fn check_message(
    data: &[u8],
    meta: usize,
    version: arrow_ipc::MetadataVersion,
) -> Result<(), &'static str> {
    const CONTINUATION: [u8; 4] = [0xFF; 4];
    if data.get(..4) != Some(&CONTINUATION[..]) {
        return Err("a record batch without its message marker");
    }
    // The bytes Arrow's decoder parses the message from.
    let message = arrow_ipc::root_as_message(&data[8..]).map_err(|_| "an unreadable message")?;
    if message.version() != version {
        return Err("a message of another metadata version");
    }
    let batch = message
        .header_as_record_batch()
        .ok_or("a block that is not a record batch")?;
    if batch.compression().is_some() {
        return Err("a compressed record batch");
    }
    if batch
        .variadicBufferCounts()
        .is_some_and(|counts| !counts.is_empty())
    {
        return Err("variadic buffers in a record batch");
    }
    let body = (data.len() - meta) as u64;
    // Each array of `n` values takes at least n/8 bytes of the body.
    let most = i64::try_from(body.saturating_mul(8).saturating_add(8)).unwrap_or(i64::MAX);
    let plausible = |length: i64| (0..=most).contains(&length);
    if !plausible(batch.length()) {
        return Err("a record batch length out of range");
    }
    let nodes = batch.nodes().ok_or("a record batch without its arrays")?;
    if nodes
        .iter()
        .any(|node| !plausible(node.length()) || !(0..=node.length()).contains(&node.null_count()))
    {
        return Err("an array length or null count out of range");
    }
    let buffers = batch
        .buffers()
        .ok_or("a record batch without its buffers")?;
    let inside = |buffer: &arrow_ipc::Buffer| {
        let (Ok(offset), Ok(length)) = (
            u64::try_from(buffer.offset()),
            u64::try_from(buffer.length()),
        ) else {
            return false;
        };
        offset.checked_add(length).is_some_and(|end| end <= body)
    };
    if !buffers.iter().all(inside) {
        return Err("a buffer outside its record batch");
    }
    // Arrow reads a validity bitmap before checking its size, and views
    // a buffer of numbers without checking that it holds whole numbers.
    let (mut nodes, mut buffers) = (nodes.iter(), buffers.iter());
    let mut arrays: Vec<DataType> = fields().iter().map(|f| f.data_type().clone()).collect();
    arrays.reverse();
    while let Some(data_type) = arrays.pop() {
        let node = nodes
            .next()
            .ok_or("a record batch without all its arrays")?;
        let parts: &[Part] = match &data_type {
            DataType::Utf8 => &[Part::Validity, Part::Numbers(4), Part::Bytes],
            DataType::Boolean => &[Part::Validity, Part::Bytes],
            DataType::UInt64 => &[Part::Validity, Part::Numbers(8)],
            DataType::UInt32 => &[Part::Validity, Part::Numbers(4)],
            DataType::List(item) => {
                arrays.push(item.data_type().clone());
                &[Part::Validity, Part::Numbers(4)]
            }
            _ => return Err("a column of another type"),
        };
        for part in parts {
            let buffer = buffers
                .next()
                .ok_or("a record batch without all its buffers")?;
            // Both non-negative: checked above.
            let length = buffer.length() as u64;
            let fits = match part {
                Part::Validity => {
                    node.null_count() == 0 || length >= (node.length() as u64).div_ceil(8)
                }
                Part::Numbers(width) => length % width == 0,
                Part::Bytes => true,
            };
            if !fits {
                return Err("a buffer of the wrong size");
            }
        }
    }
    Ok(())
}

impl Batch {
    fn new(batch: &RecordBatch) -> Option<Batch> {
        let column = |at: usize| batch.columns().get(at);
        let text = |at: usize| column(at)?.as_string_opt::<i32>().cloned();
        let number = |at: usize| column(at)?.as_primitive_opt::<UInt64Type>().cloned();
        let list = |at: usize| column(at)?.as_list_opt::<i32>().cloned();
        Some(Batch {
            kind: text(col::KIND)?,
            path: text(col::PATH)?,
            record_id: text(col::RECORD_ID)?,
            record_line: number(col::RECORD_LINE)?,
            encoding: text(col::ENCODING)?,
            detection: text(col::DETECTION)?,
            bom: column(col::BOM)?.as_boolean_opt()?.clone(),
            facts: [
                number(col::MALFORMED)?,
                number(col::INPUT_BYTES)?,
                number(col::BYTES)?,
                number(col::LINES)?,
                number(col::SEGMENTS)?,
            ],
            message: text(col::MESSAGE)?,
            exact: number(col::EXACT)?,
            units: number(col::UNITS)?,
            bands: list(col::BANDS)?,
            shingles: list(col::SHINGLES)?,
        })
    }

    /// Rows in this batch.
    pub(crate) fn len(&self) -> usize {
        self.kind.len()
    }

    /// Whether row `row` is a document.
    pub(crate) fn is_document(&self, row: usize) -> bool {
        self.kind.is_valid(row) && self.kind.value(row) == kind::DOCUMENT
    }

    /// Where row `row` comes from.
    pub(crate) fn origin(&self, row: usize) -> Result<Origin, &'static str> {
        if self.path.is_null(row) {
            return Ok(Origin::Stdin);
        }
        let path = PathBuf::from(self.path.value(row));
        match (self.record_line.is_valid(row), self.record_id.is_valid(row)) {
            (true, true) => Ok(Origin::Record {
                path: Arc::from(path),
                line: usize::try_from(self.record_line.value(row))
                    .map_err(|_| "a record line out of range")?,
                id: self.record_id.value(row).to_owned(),
            }),
            (false, false) => Ok(Origin::Path(path)),
            _ => Err("a record with an id and no line, or a line and no id"),
        }
    }

    /// Row `row`, checked.
    pub(crate) fn row(&self, row: usize) -> Result<Row<'_>, &'static str> {
        if self.kind.is_null(row) {
            return Err("no kind");
        }
        let message = || {
            self.message
                .is_valid(row)
                .then(|| self.message.value(row))
                .ok_or("an error without a message")
        };
        match self.kind.value(row) {
            kind::DOCUMENT => {
                let origin = self.origin(row)?;
                let needed = [&self.exact, &self.units]
                    .into_iter()
                    .chain(&self.facts)
                    .all(|column| column.is_valid(row))
                    && self.encoding.is_valid(row)
                    && self.detection.is_valid(row)
                    && self.bom.is_valid(row)
                    && self.bands.is_valid(row)
                    && self.shingles.is_valid(row);
                if !needed {
                    return Err("a document without its facts or sketch");
                }
                let size = |at: usize| usize::try_from(self.facts[at].value(row)).ok();
                let (Some(malformed), Some(input_bytes), Some(bytes), Some(lines), Some(segments)) =
                    (size(0), size(1), size(2), size(3), size(4))
                else {
                    return Err("a size out of range");
                };
                Ok(Row::Document {
                    origin,
                    facts: DocumentFacts {
                        encoding: self.encoding.value(row),
                        detection: self.detection.value(row),
                        bom: self.bom.value(row),
                        malformed,
                        input_bytes,
                        bytes,
                        lines,
                        segments,
                    },
                    exact: self.exact.value(row),
                    units: self.units.value(row),
                })
            }
            kind::ERROR => Ok(Row::Error {
                origin: self.origin(row)?,
                message: message()?,
            }),
            kind::INPUT_ERROR => Ok(Row::InputError {
                origin: self.origin(row)?,
                message: message()?,
            }),
            kind::SKIPPED => Ok(Row::Skipped {
                origin: self.origin(row)?,
            }),
            _ => Err("an unknown kind of row"),
        }
    }

    /// A document's band keys.
    pub(crate) fn bands(&self, row: usize) -> &[u64] {
        list_values::<UInt64Type>(&self.bands, row)
    }

    /// A document's compact shingle set.
    pub(crate) fn shingles(&self, row: usize) -> &[u32] {
        list_values::<UInt32Type>(&self.shingles, row)
    }

    /// Every row's shingle set at once: the values, and the offsets that
    /// cut them into rows (row `r` is `values[offsets[r]..offsets[r + 1]]`).
    pub(crate) fn shingle_lists(&self) -> (arrow_buffer::ScalarBuffer<u32>, &[i32]) {
        let values = self
            .shingles
            .values()
            .as_primitive_opt::<UInt32Type>()
            .map(|values| values.values().clone())
            .unwrap_or_default();
        (values, self.shingles.value_offsets())
    }

    /// Shingles in a document's set, from its offsets alone.
    pub(crate) fn shingle_count(&self, row: usize) -> usize {
        let offsets = self.shingles.value_offsets();
        match (offsets.get(row), offsets.get(row + 1)) {
            (Some(&start), Some(&end)) => usize::try_from(end - start).unwrap_or(0),
            _ => 0,
        }
    }
}

/// The values of a list row as a slice of the mapped file (empty when out
/// of range: Arrow's validation has already ruled that out).
fn list_values<T: arrow_array::ArrowPrimitiveType>(list: &ListArray, row: usize) -> &[T::Native] {
    let offsets = list.value_offsets();
    let (Some(&start), Some(&end)) = (offsets.get(row), offsets.get(row + 1)) else {
        return &[];
    };
    let Some(values) = list.values().as_primitive_opt::<T>() else {
        return &[];
    };
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return &[];
    };
    values.values().get(start..end).unwrap_or(&[])
}

/// The signature files `paths` name: files as given, and the files of a
/// folder whose names end with [`EXTENSION`], in name order.
pub fn signature_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, SignatureError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|err| SignatureError::new(path, crate::input::io_message(&err)))?;
        if !meta.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        let listing = std::fs::read_dir(path)
            .map_err(|err| SignatureError::new(path, crate::input::io_message(&err)))?;
        for entry in listing {
            let entry =
                entry.map_err(|err| SignatureError::new(path, crate::input::io_message(&err)))?;
            let name = entry.file_name();
            let is_signature = name
                .to_str()
                .is_some_and(|n| n.ends_with(EXTENSION) && !n.starts_with('.'));
            if is_signature && entry.path().is_file() {
                found.push(entry.path());
            }
        }
        if found.is_empty() {
            return Err(SignatureError::new(
                path,
                format!("a folder without signature files (*{EXTENSION})"),
            ));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{SignSink, SignedDoc};
    use crate::signature::SignatureWriter;
    use crate::EngineBuilder;

    fn document(shingles: &[u32]) -> SignedDoc {
        super::super::test_document(10, vec![1, 2], shingles.to_vec())
    }

    /// A signature file of `docs`, at `dir/a.sig.arrow`, and its bytes.
    fn signed(dir: &Path, docs: &[&[u32]]) -> (PathBuf, Vec<u8>) {
        let path = dir.join("a.sig.arrow");
        let params = EngineBuilder::new().build().unwrap().sketch_params();
        let mut writer = SignatureWriter::create(&path, &params).unwrap();
        for shingles in docs {
            writer.document(document(shingles)).unwrap();
        }
        writer.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        (path, bytes)
    }

    /// Where the footer of `bytes` starts.
    fn footer_start(bytes: &[u8]) -> usize {
        let trailer: [u8; 10] = bytes[bytes.len() - 10..].try_into().unwrap();
        bytes.len() - 10 - read_footer_length(trailer).unwrap()
    }

    fn footer(bytes: &[u8]) -> arrow_ipc::Footer<'_> {
        arrow_ipc::root_as_footer(&bytes[footer_start(bytes)..bytes.len() - 10]).unwrap()
    }

    /// Where `part` (a slice of `bytes`) lies in it.
    fn place_of(bytes: &[u8], part: &[u8]) -> usize {
        part.as_ptr() as usize - bytes.as_ptr() as usize
    }

    /// Writes `bytes` to `path` with the footer's checksum made to match,
    /// as a damaged file signed again would have it.
    fn write_resealed(path: &Path, mut bytes: Vec<u8>) {
        let sum = xxhash_rust::xxh3::xxh3_64(&bytes[..footer_start(&bytes) - 8]);
        let value = footer(&bytes)
            .custom_metadata()
            .unwrap()
            .iter()
            .find(|pair| pair.key() == Some(CHECKSUM_KEY))
            .unwrap()
            .value()
            .unwrap();
        let at = place_of(&bytes, value.as_bytes());
        bytes[at..at + 16].copy_from_slice(format!("{sum:016x}").as_bytes());
        std::fs::write(path, bytes).unwrap();
    }

    /// `bytes` with buffer `at` of the first record batch given `length`.
    fn with_buffer_length(mut bytes: Vec<u8>, at: usize, length: i64) -> Vec<u8> {
        let block = footer(&bytes).recordBatches().unwrap().get(0);
        let start = block.offset() as usize + 8;
        let message = arrow_ipc::root_as_message(&bytes[start..]).unwrap();
        let buffers = message.header_as_record_batch().unwrap().buffers().unwrap();
        // Each buffer is an (offset, length) pair of i64.
        let place = place_of(&bytes, buffers.bytes()) + 16 * at + 8;
        bytes[place..place + 8].copy_from_slice(&length.to_le_bytes());
        bytes
    }

    fn refusal(path: &Path) -> String {
        let err = SignatureFile::open(path).expect_err("refused");
        assert_eq!(err.path, path);
        let message = err.to_string();
        assert!(
            message.starts_with(&path.display().to_string()),
            "{message}"
        );
        message
    }

    #[test]
    fn shingle_sets_out_of_order_or_with_repeats_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = signed(dir.path(), &[&[1, 2, 3], &[]]);
        assert_eq!(SignatureFile::open(&path).unwrap().rows(), 2);
        for set in [&[1, 3, 2][..], &[1, 1, 2]] {
            let (path, _) = signed(dir.path(), &[&[1, 2], set]);
            let message = refusal(&path);
            assert!(
                message.contains("row 2: a shingle set not sorted or with repeats"),
                "{message}"
            );
        }
    }

    #[test]
    fn a_validity_bitmap_shorter_than_its_column_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (path, bytes) = signed(dir.path(), &[&[1], &[2]]);
        // Buffer 6: the validity bitmap of `record_id`, null for files.
        write_resealed(&path, with_buffer_length(bytes, 6, 0));
        let message = refusal(&path);
        assert!(message.contains("a buffer of the wrong size"), "{message}");
    }

    #[test]
    fn an_offsets_buffer_of_part_numbers_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (path, bytes) = signed(dir.path(), &[&[1], &[2]]);
        // Buffer 1: the offsets of `kind`, 3 × 4 bytes.
        write_resealed(&path, with_buffer_length(bytes, 1, 13));
        let message = refusal(&path);
        assert!(message.contains("a buffer of the wrong size"), "{message}");
    }

    #[test]
    fn a_buffer_past_its_record_batch_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (path, bytes) = signed(dir.path(), &[&[1], &[2]]);
        write_resealed(&path, with_buffer_length(bytes, 2, 1 << 40));
        let message = refusal(&path);
        assert!(
            message.contains("a buffer outside its record batch"),
            "{message}"
        );
    }

    #[test]
    fn a_column_type_arrow_cannot_convert_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut bytes) = signed(dir.path(), &[&[1]]);
        // `record_line`, a u64, made a 7-bit integer (the footer is not
        // under the checksum).
        let field = footer(&bytes).schema().unwrap().fields().unwrap().get(3);
        let int = field.type_as_int().unwrap();
        let table = int._tab;
        let offset = table.vtable().get(arrow_ipc::Int::VT_BITWIDTH) as usize;
        let at = place_of(&bytes, table.buf()) + table.loc() + offset;
        assert_eq!(bytes[at..at + 4], 64i32.to_le_bytes());
        bytes[at..at + 4].copy_from_slice(&7i32.to_le_bytes());
        std::fs::write(&path, bytes).unwrap();
        let message = refusal(&path);
        assert!(
            message.contains("not the columns of a signature file"),
            "{message}"
        );
    }
}
