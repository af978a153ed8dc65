//! Parquet inputs in `clean` and `restore`: the cleaned table, the table of
//! removed rows, and the checksum that proves a restored table is the
//! input's.
//!
//! `clean` writes a Parquet input's rows back as Parquet (`TableOut`),
//! reading the input again in step with the documents written: every row
//! keeps every column and the schema (with its metadata) as they were; a
//! kept document's text column holds its cleaned text, a removed
//! document's row goes to a second table beside it (named
//! `.doppel-removed/OUTPUT`) with its text emptied, and rows that are not
//! documents (a null text) stay in the cleaned table untouched. The
//! manifest's [`TableLine`] names both files with their sizes and
//! checksums, and the checksum of the input's rows ([`RowsHasher`]).
//!
//! Why a second table rather than the manifest: the columns of a removed
//! row may be of any Parquet type, and Parquet keeps them exactly, where
//! JSON would have to encode each type; the manifest still holds the text,
//! as an edit script against its kept twin.
//!
//! `restore` reads the cleaned texts in step with the manifest
//! (`CleanedTexts`), then rebuilds each table (`restore_table`): rows
//! in input order, each text put back, every other value copied, and the
//! checksum of the rows written compared with the input's. The files are
//! the input's rows and schema, not its bytes: row groups, encodings and
//! compression may differ.
//!
//! Memory holds one batch of each table read and the row group being
//! written.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::Compression;
use parquet::file::metadata::{KeyValue, ParquetMetaData};
use parquet::file::properties::WriterProperties;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::confine::{open_inside, relative_path};
use super::manifest::{DocumentLine, TableLine};
use super::parquet_rows::TableRestored;
use super::run::CleanError;
use super::writer::out_error;
use crate::input::parquet::{string_at, BATCH_ROWS};

/// Where a table's removed rows go, relative to the output folder.
pub fn removed_name(output: &str) -> String {
    format!(".doppel-removed/{output}")
}

/// The key under which the arrow writer keeps the arrow schema; it is
/// written again from the schema, not copied.
const ARROW_SCHEMA_KEY: &str = "ARROW:schema";

/// The checksum of a table's schema and rows: every value of every column,
/// row by row, in arrow's row format, so the same rows give the same
/// checksum however they are split into batches and row groups.
pub struct RowsHasher {
    converter: RowConverter,
    hasher: Xxh3,
    rows: usize,
}

impl RowsHasher {
    /// A hasher of tables of `schema`, starting with the schema itself and the
    /// file's key-value metadata (but arrow's copy of the schema, which is
    /// rewritten rather than copied); an error when a column type cannot be put
    /// in arrow's row format.
    pub fn new(schema: &SchemaRef, metadata: &[KeyValue]) -> Result<RowsHasher, String> {
        let fields = schema
            .fields()
            .iter()
            .map(|f| SortField::new(f.data_type().clone()))
            .collect();
        let converter = RowConverter::new(fields)
            .map_err(|e| format!("its column types cannot be checksummed: {e}"))?;
        let mut hasher = Xxh3::new();
        hasher.update(describe(schema).as_bytes());
        for kv in metadata.iter().filter(|kv| kv.key != ARROW_SCHEMA_KEY) {
            hasher.update(format!("{:?}={:?};", kv.key, kv.value).as_bytes());
        }
        Ok(RowsHasher {
            converter,
            hasher,
            rows: 0,
        })
    }

    /// Adds the rows of `batch`, in order.
    pub fn update(&mut self, batch: &RecordBatch) -> Result<(), String> {
        let rows = self
            .converter
            .convert_columns(batch.columns())
            .map_err(|e| format!("its rows cannot be checksummed: {e}"))?;
        for row in rows.iter() {
            let bytes: &[u8] = row.as_ref();
            self.hasher.update(&(bytes.len() as u64).to_le_bytes());
            self.hasher.update(bytes);
        }
        self.rows += batch.num_rows();
        Ok(())
    }

    /// The checksum of everything added, 16 lowercase hex digits.
    pub fn finish(&self) -> String {
        format!("{:016x}", self.hasher.digest())
    }
}

/// The schema as text, its metadata sorted (it is kept in hash maps).
fn describe(schema: &SchemaRef) -> String {
    let sorted = |map: &std::collections::HashMap<String, String>| {
        let mut pairs: Vec<_> = map.iter().collect();
        pairs.sort();
        format!("{pairs:?}")
    };
    let mut text = String::new();
    for field in schema.fields() {
        text.push_str(&format!(
            "{:?} {:?} {} {};",
            field.name(),
            field.data_type(),
            field.is_nullable(),
            sorted(field.metadata())
        ));
    }
    text.push_str(&sorted(schema.metadata()));
    text
}

/// A Parquet file opened for reading all its columns.
pub(super) struct Opened {
    pub(super) batches: ParquetRecordBatchReader,
    pub(super) schema: SchemaRef,
    pub(super) metadata: Arc<ParquetMetaData>,
}

/// Opens a Parquet file to read all its columns in batches.
pub(super) fn open_table(file: File, what: &Path) -> Result<Opened, String> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| format!("{}: not a readable Parquet file: {e}", what.display()))?;
    let schema = builder.schema().clone();
    let metadata = builder.metadata().clone();
    let batches = builder
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| format!("{}: not a readable Parquet file: {e}", what.display()))?;
    Ok(Opened {
        batches,
        schema,
        metadata,
    })
}

/// The key/value metadata of a file, less the arrow schema.
fn user_metadata(metadata: &ParquetMetaData) -> Vec<KeyValue> {
    metadata
        .file_metadata()
        .key_value_metadata()
        .map(|kvs| {
            kvs.iter()
                .filter(|kv| kv.key != ARROW_SCHEMA_KEY)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Writer settings like the input's: its key/value metadata, its first
/// column's compression when this build writes it, its row group size.
pub(super) fn properties(metadata: &ParquetMetaData) -> WriterProperties {
    let kvs = user_metadata(metadata);
    let first = metadata.row_groups().first();
    let compression = first
        .and_then(|group| group.columns().first())
        .map(|column| column.compression())
        .filter(|c| {
            matches!(
                c,
                Compression::UNCOMPRESSED
                    | Compression::SNAPPY
                    | Compression::GZIP(_)
                    | Compression::LZ4
                    | Compression::LZ4_RAW
                    | Compression::ZSTD(_)
            )
        })
        .unwrap_or(Compression::SNAPPY);
    let group_rows = first
        .map(|group| group.num_rows().max(1) as usize)
        .unwrap_or(1024 * 1024);
    WriterProperties::builder()
        .set_key_value_metadata((!kvs.is_empty()).then_some(kvs))
        .set_compression(compression)
        .set_max_row_group_row_count(Some(group_rows))
        .build()
}

/// A column of strings of `data_type` (one of the string types).
fn strings(data_type: &DataType, values: Vec<Option<String>>) -> ArrayRef {
    match data_type {
        DataType::LargeUtf8 => Arc::new(LargeStringArray::from(values)),
        DataType::Utf8View => Arc::new(StringViewArray::from(values)),
        _ => Arc::new(StringArray::from(values)),
    }
}

/// `batch` with column `column` replaced.
fn with_column(batch: &RecordBatch, column: usize, array: ArrayRef) -> Result<RecordBatch, String> {
    let mut columns = batch.columns().to_vec();
    columns[column] = array;
    RecordBatch::try_new(batch.schema(), columns).map_err(|e| e.to_string())
}

/// xxh3-64 and size of a file.
fn hash_file(mut file: File) -> io::Result<(u64, String)> {
    let mut hasher = Xxh3::new();
    let mut buffer = vec![0; 1 << 16];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
    }
    Ok((size, format!("{:016x}", hasher.digest())))
}

/// What becomes of one input row.
enum Fate {
    /// Not a document written: copied as it is.
    Keep,
    /// A kept document: its text replaced by the cleaned text.
    Replace(String),
    /// A removed document: to the removed rows, its text emptied.
    Remove,
}

/// A file being written under a temporary name.
pub(super) struct Pending {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<ArrowWriter<File>>,
}

impl Pending {
    pub(super) fn create(
        target: PathBuf,
        schema: &SchemaRef,
        props: WriterProperties,
    ) -> Result<Pending, CleanError> {
        let parent = target.parent().unwrap_or(Path::new(".")).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| out_error(&parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = parent.join(format!(".{name}.doppel-{}.tmp", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| out_error(&temp, e))?;
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| out_error(&temp, io::Error::other(e)))?;
        Ok(Pending {
            target,
            temp,
            writer: Some(writer),
        })
    }

    pub(super) fn write(&mut self, batch: &RecordBatch) -> Result<(), CleanError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        match &mut self.writer {
            Some(writer) => writer
                .write(batch)
                .map_err(|e| out_error(&self.temp, io::Error::other(e))),
            None => Ok(()),
        }
    }

    /// Finishes the file, syncs and hashes it, and renames it into place.
    pub(super) fn close(mut self) -> Result<(u64, String), CleanError> {
        let temp = self.temp.clone();
        let result = (|| {
            let writer = self
                .writer
                .take()
                .ok_or_else(|| io::Error::other("closed twice"))?;
            let file = writer.into_inner().map_err(io::Error::other)?;
            file.sync_data()?;
            hash_file(File::open(&temp)?)
        })()
        .map_err(|e| out_error(&temp, e))?;
        std::fs::rename(&temp, &self.target).map_err(|e| out_error(&self.target, e))?;
        Ok(result)
    }
}

impl Drop for Pending {
    /// A table not closed leaves no temporary file.
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A Parquet input's cleaned table and removed rows, being written in step
/// with its documents.
pub(super) struct TableOut {
    pub(super) entry: u32,
    input: PathBuf,
    output: String,
    text_field: String,
    text: usize,
    batches: ParquetRecordBatchReader,
    batch: Option<RecordBatch>,
    fates: Vec<Fate>,
    /// Rows of the input before the batch.
    before: usize,
    removed_rows: usize,
    hasher: RowsHasher,
    cleaned: Pending,
    removed: Pending,
}

impl TableOut {
    /// Opens the input again and the two outputs under `out`.
    pub(super) fn open(
        entry: u32,
        input: &Path,
        out: &Path,
        output: &str,
        text_field: &str,
    ) -> Result<TableOut, CleanError> {
        let changed =
            |message: String| CleanError::Changed(format!("{}: {message}", input.display()));
        let file = File::open(input).map_err(|e| changed(crate::input::io_message(&e)))?;
        let opened = open_table(file, input).map_err(CleanError::Changed)?;
        let text = opened
            .schema
            .index_of(text_field)
            .map_err(|_| changed(format!("no column {text_field:?}")))?;
        let hasher = RowsHasher::new(&opened.schema, &user_metadata(&opened.metadata))
            .map_err(|e| CleanError::Io(io::Error::other(format!("{}: {e}", input.display()))))?;
        let props = properties(&opened.metadata);
        let cleaned = Pending::create(out.join(output), &opened.schema, props.clone())?;
        let removed = Pending::create(out.join(removed_name(output)), &opened.schema, props)?;
        Ok(TableOut {
            entry,
            input: input.to_path_buf(),
            output: output.to_owned(),
            text_field: text_field.to_owned(),
            text,
            batches: opened.batches,
            batch: None,
            fates: Vec::new(),
            before: 0,
            removed_rows: 0,
            hasher,
            cleaned,
            removed,
        })
    }

    fn changed(&self, message: impl std::fmt::Display) -> CleanError {
        CleanError::Changed(format!("{}: {message}", self.input.display()))
    }

    /// The document of row `row` (1-based): kept with `cleaned` as its text
    /// (`written`), or removed; its input text must hash to `text_xxh3`.
    /// Rows before it that no document was given for are kept as they are.
    pub(super) fn push(
        &mut self,
        row: usize,
        written: bool,
        cleaned: &str,
        text_xxh3: &str,
    ) -> Result<(), CleanError> {
        if row <= self.before + self.fates.len() {
            return Err(self.changed(format!("row {row} comes out of order")));
        }
        loop {
            let rows = self.batch.as_ref().map_or(0, RecordBatch::num_rows);
            if row <= self.before + rows {
                break;
            }
            if !self.next_batch()? {
                return Err(self.changed(format!("has fewer than {row} rows")));
            }
        }
        let at = row - self.before - 1;
        while self.fates.len() < at {
            self.fates.push(Fate::Keep);
        }
        let text = self
            .batch
            .as_ref()
            .and_then(|batch| string_at(batch.column(self.text), at))
            .unwrap_or_default();
        if format!("{:016x}", xxh3_64(text.as_bytes())) != text_xxh3 {
            return Err(self.changed(format!("row {row}: its text changed")));
        }
        self.fates.push(if written {
            Fate::Replace(cleaned.to_owned())
        } else {
            Fate::Remove
        });
        Ok(())
    }

    /// Writes the batch held (its undecided rows kept) and reads the next;
    /// false at the end of the file.
    fn next_batch(&mut self) -> Result<bool, CleanError> {
        self.flush()?;
        match self.batches.next() {
            Some(Ok(batch)) => {
                self.batch = Some(batch);
                Ok(true)
            }
            Some(Err(err)) => Err(self.changed(format!("reading stopped: {err}"))),
            None => Ok(false),
        }
    }

    fn flush(&mut self) -> Result<(), CleanError> {
        let Some(batch) = self.batch.take() else {
            return Ok(());
        };
        let fail = |e: String| CleanError::Changed(format!("{}: {e}", self.input.display()));
        self.hasher.update(&batch).map_err(fail)?;
        let fates = std::mem::take(&mut self.fates);
        let fate = |at: usize| fates.get(at).unwrap_or(&Fate::Keep);
        let rows = batch.num_rows();
        let kept: BooleanArray = (0..rows)
            .map(|at| Some(!matches!(fate(at), Fate::Remove)))
            .collect();
        let column = batch.column(self.text);
        let kept_texts = (0..rows)
            .filter_map(|at| match fate(at) {
                Fate::Keep => Some(string_at(column, at)),
                Fate::Replace(text) => Some(Some(text.clone())),
                Fate::Remove => None,
            })
            .collect();
        let removed_count = rows - kept.true_count();
        let data_type = column.data_type().clone();
        let filter = |mask: &BooleanArray| {
            arrow_select::filter::filter_record_batch(&batch, mask).map_err(|e| fail(e.to_string()))
        };
        let cleaned = with_column(&filter(&kept)?, self.text, strings(&data_type, kept_texts))
            .map_err(fail)?;
        self.cleaned.write(&cleaned)?;
        if removed_count > 0 {
            let removed_mask = negated(&kept);
            let emptied = strings(&data_type, vec![Some(String::new()); removed_count]);
            let removed = with_column(&filter(&removed_mask)?, self.text, emptied).map_err(fail)?;
            self.removed.write(&removed)?;
            self.removed_rows += removed_count;
        }
        self.before += rows;
        Ok(())
    }

    /// Copies the rows left, closes both files and returns the table's
    /// manifest line.
    pub(super) fn close(mut self) -> Result<TableLine, CleanError> {
        while self.next_batch()? {}
        let rows = self.hasher.rows;
        let rows_xxh3 = self.hasher.finish();
        let (output_bytes, output_xxh3) = self.cleaned.close()?;
        let (removed_bytes, removed_xxh3) = self.removed.close()?;
        Ok(TableLine {
            output: self.output.clone(),
            text_field: self.text_field.clone(),
            rows,
            output_bytes,
            output_xxh3,
            removed: removed_name(&self.output),
            removed_rows: self.removed_rows,
            removed_bytes,
            removed_xxh3,
            rows_xxh3,
        })
    }
}

/// The negation of a mask without nulls.
fn negated(mask: &BooleanArray) -> BooleanArray {
    mask.iter().map(|kept| kept.map(|k| !k)).collect()
}

/// Reads a cleaned table's texts in step with the manifest's written rows.
pub(super) struct CleanedTexts {
    batches: ParquetRecordBatchReader,
    batch: Option<ArrayRef>,
    at: usize,
    path: PathBuf,
}

impl CleanedTexts {
    /// Opens the cleaned table `table.output` inside `cleaned`, reading
    /// only its text column.
    pub(super) fn open(cleaned: &Path, table: &TableLine) -> Result<CleanedTexts, String> {
        let relative = relative_path(&table.output).map_err(|e| e.to_string())?;
        let path = cleaned.join(&relative);
        let file = open_inside(cleaned, &relative).map_err(|e| file_error(&path, &e))?;
        let not_parquet = |e: &dyn std::fmt::Display| {
            format!("{}: not a readable Parquet file: {e}", path.display())
        };
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| not_parquet(&e))?;
        let text = builder.schema().index_of(&table.text_field).map_err(|_| {
            format!(
                "{}: no column {:?}; it was changed after clean",
                path.display(),
                table.text_field
            )
        })?;
        let mask = ProjectionMask::roots(builder.parquet_schema(), [text]);
        let batches = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| not_parquet(&e))?;
        Ok(CleanedTexts {
            batches,
            batch: None,
            at: 0,
            path,
        })
    }

    /// Skips `skip` rows and gives the text of the next.
    pub(super) fn next_text(&mut self, skip: usize) -> Result<String, String> {
        let mut skip = skip;
        loop {
            if let Some(column) = &self.batch {
                let left = column.len() - self.at;
                if skip < left {
                    let at = self.at + skip;
                    self.at = at + 1;
                    return string_at(column, at).ok_or_else(|| {
                        format!(
                            "{}: a kept row's text is null; it was changed after clean",
                            self.path.display()
                        )
                    });
                }
                skip -= left;
            }
            match self.batches.next() {
                Some(Ok(batch)) => {
                    self.batch = Some(batch.column(0).clone());
                    self.at = 0;
                }
                Some(Err(err)) => return Err(format!("{}: {err}", self.path.display())),
                None => {
                    return Err(format!(
                        "{} has fewer rows than the manifest lists",
                        self.path.display()
                    ))
                }
            }
        }
    }
}

fn file_error(path: &Path, err: &io::Error) -> String {
    if err.kind() == io::ErrorKind::Other {
        err.to_string()
    } else {
        format!("{}: {}", path.display(), crate::input::io_message(err))
    }
}

/// One of the two tables read back, row by row.
struct Cursor {
    batches: ParquetRecordBatchReader,
    batch: Option<RecordBatch>,
    at: usize,
    /// Where its batch is among the sources of the chunk being built.
    source: Option<usize>,
    path: PathBuf,
}

impl Cursor {
    /// The next row: its batch's place among `sources`, and its index.
    fn next(&mut self, sources: &mut Vec<RecordBatch>) -> Result<(usize, usize), String> {
        loop {
            if let Some(batch) = &self.batch {
                if self.at < batch.num_rows() {
                    let source = match self.source {
                        Some(source) => source,
                        None => {
                            sources.push(batch.clone());
                            self.source = Some(sources.len() - 1);
                            sources.len() - 1
                        }
                    };
                    self.at += 1;
                    return Ok((source, self.at - 1));
                }
            }
            match self.batches.next() {
                Some(Ok(batch)) => {
                    self.batch = Some(batch);
                    self.at = 0;
                    self.source = None;
                }
                Some(Err(err)) => return Err(format!("{}: {err}", self.path.display())),
                None => {
                    return Err(format!(
                        "{} has fewer rows than the manifest lists",
                        self.path.display()
                    ))
                }
            }
        }
    }

    fn exhausted(&mut self) -> bool {
        let left_in_batch = self
            .batch
            .as_ref()
            .is_some_and(|batch| self.at < batch.num_rows());
        !left_in_batch
            && !self
                .batches
                .any(|batch| batch.map_or(true, |b| b.num_rows() > 0))
    }
}

/// Rebuilds the input table of `table` under `destination`: its rows in
/// order from the cleaned and removed tables, each document's text from
/// `text_of(document, cleaned text)` (the empty text for a removed one),
/// checked against the manifest's checksum of the input's rows. `docs` are
/// the table's documents in row order; when `broken` (a written row
/// already failed) nothing is written.
pub(super) fn restore_table(
    cleaned: &Path,
    destination: &super::confine::Destination,
    table: &TableLine,
    docs: &[&DocumentLine],
    text_of: &(dyn Fn(&DocumentLine, &str) -> Result<String, String> + Sync),
    broken: bool,
) -> TableRestored {
    let mut restored = TableRestored::default();
    let open = |name: &str, bytes: u64, xxh3: &str| -> Result<(Opened, PathBuf), String> {
        let relative = relative_path(name).map_err(|e| format!("{name}: {e}"))?;
        let path = cleaned.join(&relative);
        let (size, hash) = open_inside(cleaned, &relative)
            .and_then(hash_file)
            .map_err(|e| file_error(&path, &e))?;
        if size != bytes || hash != xxh3 {
            return Err(format!(
                "{} was changed after clean (its size or hash differs from the manifest's)",
                path.display()
            ));
        }
        let file = open_inside(cleaned, &relative).map_err(|e| file_error(&path, &e))?;
        Ok((open_table(file, &path)?, path))
    };
    let tables = open(&table.output, table.output_bytes, &table.output_xxh3).and_then(|kept| {
        open(&table.removed, table.removed_bytes, &table.removed_xxh3).map(|gone| (kept, gone))
    });
    let ((kept, kept_path), (gone, gone_path)) = match tables {
        Ok(tables) => tables,
        Err(reason) => {
            restored.error = Some(reason);
            return restored;
        }
    };
    let relative = match relative_path(&table.output) {
        Ok(relative) => relative,
        Err(e) => {
            restored.error = Some(e.to_string());
            return restored;
        }
    };
    let failed = &mut restored.failed;
    let placed = destination.place(&relative, |file| {
        let fail = |reason: String| io::Error::other(reason);
        if gone.schema != kept.schema {
            return Err(fail(format!(
                "{}: its schema is not the cleaned table's; it was changed after clean",
                gone_path.display()
            )));
        }
        let schema = kept.schema.clone();
        let text = schema.index_of(&table.text_field).map_err(|_| {
            fail(format!(
                "{}: no column {:?}",
                kept_path.display(),
                table.text_field
            ))
        })?;
        let text_type = schema.field(text).data_type().clone();
        let mut hasher = RowsHasher::new(&schema, &user_metadata(&kept.metadata)).map_err(fail)?;
        let mut writer =
            ArrowWriter::try_new(file, schema.clone(), Some(properties(&kept.metadata)))
                .map_err(io::Error::other)?;
        let mut kept_rows = Cursor {
            batches: kept.batches,
            batch: None,
            at: 0,
            source: None,
            path: kept_path.clone(),
        };
        let mut gone_rows = Cursor {
            batches: gone.batches,
            batch: None,
            at: 0,
            source: None,
            path: gone_path.clone(),
        };
        let mut sources: Vec<RecordBatch> = Vec::new();
        let mut picks: Vec<(usize, usize)> = Vec::new();
        let mut texts: Vec<Option<String>> = Vec::new();
        let mut docs = docs.iter().peekable();
        let emit = |sources: &mut Vec<RecordBatch>,
                    picks: &mut Vec<(usize, usize)>,
                    texts: &mut Vec<Option<String>>,
                    kept_rows: &mut Cursor,
                    gone_rows: &mut Cursor,
                    writer: &mut ArrowWriter<File>,
                    hasher: &mut RowsHasher|
         -> io::Result<()> {
            if picks.is_empty() {
                return Ok(());
            }
            let mut columns = Vec::with_capacity(schema.fields().len());
            for column in 0..schema.fields().len() {
                if column == text {
                    columns.push(strings(&text_type, std::mem::take(texts)));
                    continue;
                }
                let arrays: Vec<&dyn Array> =
                    sources.iter().map(|b| b.column(column).as_ref()).collect();
                columns.push(
                    arrow_select::interleave::interleave(&arrays, picks)
                        .map_err(io::Error::other)?,
                );
            }
            let batch = RecordBatch::try_new(schema.clone(), columns).map_err(io::Error::other)?;
            hasher.update(&batch).map_err(io::Error::other)?;
            writer.write(&batch).map_err(io::Error::other)?;
            sources.clear();
            picks.clear();
            kept_rows.source = None;
            gone_rows.source = None;
            Ok(())
        };
        let mut broken = broken;
        for row in 1..=table.rows {
            let doc = docs.next_if(|d| d.record.as_ref().is_some_and(|r| r.line == row));
            let (source, at) = match doc {
                Some(doc) if !doc.written => gone_rows.next(&mut sources),
                _ => kept_rows.next(&mut sources),
            }
            .map_err(fail)?;
            let column = sources[source].column(text).clone();
            let value = match doc {
                None => string_at(&column, at),
                Some(doc) => {
                    let cleaned = string_at(&column, at).unwrap_or_default();
                    match text_of(doc, if doc.written { &cleaned } else { "" }) {
                        Ok(text) => Some(text),
                        Err(reason) => {
                            failed.push((doc.doc, reason));
                            broken = true;
                            None
                        }
                    }
                }
            };
            picks.push((source, at));
            texts.push(value);
            if picks.len() >= BATCH_ROWS {
                if broken {
                    sources.clear();
                    picks.clear();
                    texts.clear();
                    kept_rows.source = None;
                    gone_rows.source = None;
                } else {
                    emit(
                        &mut sources,
                        &mut picks,
                        &mut texts,
                        &mut kept_rows,
                        &mut gone_rows,
                        &mut writer,
                        &mut hasher,
                    )?;
                }
            }
        }
        if let Some(doc) = docs.next() {
            return Err(fail(format!(
                "{}: row {} is past the table's {} rows",
                doc.to_string_path(),
                doc.record.as_ref().map_or(0, |r| r.line),
                table.rows
            )));
        }
        if broken {
            return Err(fail("a row could not be restored".to_owned()));
        }
        emit(
            &mut sources,
            &mut picks,
            &mut texts,
            &mut kept_rows,
            &mut gone_rows,
            &mut writer,
            &mut hasher,
        )?;
        for cursor in [&mut kept_rows, &mut gone_rows] {
            if !cursor.exhausted() {
                return Err(fail(format!(
                    "{} has more rows than the manifest lists; it was changed after clean",
                    cursor.path.display()
                )));
            }
        }
        if hasher.rows != table.rows || hasher.finish() != table.rows_xxh3 {
            return Err(fail(
                "the rebuilt rows are not the input's (their checksum differs from the manifest's)"
                    .to_owned(),
            ));
        }
        writer.into_inner().map_err(io::Error::other)?;
        Ok(())
    });
    if let Err(err) = placed {
        if restored.failed.is_empty() {
            restored.error = Some(file_error(&destination.root().join(&relative), &err));
        } else {
            restored.error = Some(String::new());
        }
    }
    restored
}
