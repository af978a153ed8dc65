//! Parquet tables: one document per row, its text in one column.
//!
//! A file named `*.parquet` (any case) is read as a table. The document's
//! text is a string column (`--text-field`, `text` by default), its id
//! another column (`--id-field`; a string or an integer, and the 1-based
//! row number when the column is absent or the value null), and the
//! optional site column groups rows for boilerplate detection, as for JSON
//! Lines ([`JsonlOptions`] names the three). A row's origin is
//! `PATH:ROW`, the row counted from 1 over the whole file.
//!
//! Only the columns named are read, one row group at a time, in batches of
//! [`BATCH_ROWS`] rows: memory holds a row group's pages of those columns
//! and one batch, whatever the file's size. A row whose text is null is
//! one error naming the file and the row, and reading goes on; a text
//! column that is not a string column, a missing text column, and a file
//! that is not Parquet are one error for the file.
//!
//! Parquet support is the `parquet` cargo feature; without it a Parquet
//! input is one error saying so ([`NOT_BUILT_IN`]).

use std::path::Path;

use super::jsonl::JsonlOptions;

/// Why a Parquet input is refused by a build without the `parquet` feature.
pub const NOT_BUILT_IN: &str = "Parquet support is not built in; build with --features parquet";

/// Whether this build reads Parquet (the `parquet` feature).
pub const BUILT_IN: bool = cfg!(feature = "parquet");

/// Rows per batch read.
pub const BATCH_ROWS: usize = 1024;

/// Whether the file name says Parquet: `.parquet` (any case).
pub fn is_parquet_path(path: &Path) -> bool {
    path.file_name()
        .map(|name| name.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|name| name.ends_with(".parquet"))
}

/// One row read: its 1-based number, its id, its site and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The 1-based row number in the file.
    pub row: usize,
    /// The id column as text, or the row number when the column is absent or
    /// null.
    pub id: String,
    /// The site column as text, when asked for and not null.
    pub site: Option<String>,
    /// The text column's value.
    pub text: String,
}

/// A row that is not a document, or a file that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The 1-based row, or 0 for the whole file.
    pub row: usize,
    /// Why, one line.
    pub message: String,
}

#[cfg(not(feature = "parquet"))]
mod imp {
    use super::*;

    /// Without the `parquet` feature: every file is refused.
    #[derive(Debug)]
    pub struct ParquetRows(());

    impl ParquetRows {
        /// Refuses every file: this build cannot read Parquet.
        pub fn open(_: &Path, _: &JsonlOptions) -> Result<ParquetRows, String> {
            Err(NOT_BUILT_IN.to_owned())
        }

        /// Never called: no file opens.
        pub fn next_row(&mut self) -> Option<Result<Row, RowError>> {
            None
        }
    }
}

#[cfg(feature = "parquet")]
mod imp {
    use std::fs::File;

    use arrow_array::cast::AsArray;
    use arrow_array::types::{
        Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
    };
    use arrow_array::{Array, ArrayRef, RecordBatch};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
    use parquet::arrow::ProjectionMask;

    use super::*;

    /// Streams the rows of a Parquet file, reading only the text, id and
    /// site columns.
    pub struct ParquetRows {
        batches: ParquetRecordBatchReader,
        batch: Option<Columns>,
        /// Row of the batch to yield next.
        at: usize,
        /// Rows of the file before the batch.
        before: usize,
        /// The reader failed: nothing more is read.
        done: bool,
        positions: Positions,
    }

    impl std::fmt::Debug for ParquetRows {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("ParquetRows")
                .field("before", &self.before)
                .field("at", &self.at)
                .finish()
        }
    }

    /// One batch's columns: text, and id and site when present.
    struct Columns {
        text: ArrayRef,
        id: Option<ArrayRef>,
        site: Option<ArrayRef>,
        rows: usize,
    }

    impl ParquetRows {
        /// Opens `path`; the reason when it is not a Parquet file or has no
        /// usable text column.
        pub fn open(path: &Path, options: &JsonlOptions) -> Result<ParquetRows, String> {
            let file = File::open(path).map_err(|e| crate::input::io_message(&e))?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(|e| format!("not a readable Parquet file: {e}"))?;
            let schema = builder.schema().clone();
            let text = schema.index_of(&options.text_field).map_err(|_| {
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                format!(
                    "no column named {:?} (its columns: {}); name the text column with --text-field",
                    options.text_field,
                    names.join(", ")
                )
            })?;
            let text_type = schema.field(text).data_type();
            if !is_string(text_type) {
                return Err(format!(
                    "column {:?} holds {text_type}, not strings; name the text column with --text-field",
                    options.text_field
                ));
            }
            let mut wanted = vec![text];
            let id = schema.index_of(&options.id_field).ok();
            let site = options
                .site_field
                .as_deref()
                .and_then(|name| schema.index_of(name).ok());
            wanted.extend(id);
            wanted.extend(site);
            wanted.sort_unstable();
            wanted.dedup();
            let mask = ProjectionMask::roots(builder.parquet_schema(), wanted.iter().copied());
            let batches = builder
                .with_projection(mask)
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| format!("not a readable Parquet file: {e}"))?;
            // Projected columns keep their order in the file.
            let position = |column: usize| wanted.iter().position(|&c| c == column);
            let text_at = position(text).unwrap_or(0);
            let (id_at, site_at) = (id.and_then(position), site.and_then(position));
            Ok(ParquetRows {
                batches,
                batch: None,
                at: 0,
                before: 0,
                done: false,
                positions: Positions {
                    text: text_at,
                    id: id_at,
                    site: site_at,
                },
            })
        }

        /// The next row, or the error of a row or of the rest of the file.
        pub fn next_row(&mut self) -> Option<Result<Row, RowError>> {
            loop {
                if self.done {
                    return None;
                }
                if let Some(columns) = &self.batch {
                    if self.at < columns.rows {
                        let at = self.at;
                        self.at += 1;
                        return Some(row(columns, at, self.before + at + 1));
                    }
                    self.before += columns.rows;
                    self.batch = None;
                    self.at = 0;
                }
                match self.batches.next()? {
                    Ok(batch) => self.batch = Some(self.columns(&batch)),
                    Err(err) => {
                        self.done = true;
                        return Some(Err(RowError {
                            row: self.before + 1,
                            message: format!("reading stopped: {err}"),
                        }));
                    }
                }
            }
        }

        fn columns(&self, batch: &RecordBatch) -> Columns {
            let Positions { text, id, site } = self.positions;
            Columns {
                text: batch.column(text).clone(),
                id: id.map(|at| batch.column(at).clone()),
                site: site.map(|at| batch.column(at).clone()),
                rows: batch.num_rows(),
            }
        }
    }

    /// Where the wanted columns sit in a projected batch.
    #[derive(Clone, Copy, Debug, Default)]
    struct Positions {
        text: usize,
        id: Option<usize>,
        site: Option<usize>,
    }

    fn row(columns: &Columns, at: usize, number: usize) -> Result<Row, RowError> {
        let text = string_at(&columns.text, at).ok_or_else(|| RowError {
            row: number,
            message: "its text is null".to_owned(),
        })?;
        let id = columns
            .id
            .as_ref()
            .and_then(|id| key_at(id, at))
            .unwrap_or_else(|| number.to_string());
        let site = columns.site.as_ref().and_then(|site| key_at(site, at));
        Ok(Row {
            row: number,
            id,
            site,
            text,
        })
    }

    /// Whether a column of this type holds strings.
    pub fn is_string(data_type: &DataType) -> bool {
        matches!(
            data_type,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        )
    }

    /// The string at `at`; `None` when null (or not a string column).
    pub fn string_at(array: &ArrayRef, at: usize) -> Option<String> {
        if array.is_null(at) {
            return None;
        }
        match array.data_type() {
            DataType::Utf8 => Some(array.as_string::<i32>().value(at).to_owned()),
            DataType::LargeUtf8 => Some(array.as_string::<i64>().value(at).to_owned()),
            DataType::Utf8View => Some(array.as_string_view().value(at).to_owned()),
            _ => None,
        }
    }

    /// An id or site: a string or an integer as text; `None` when null or of
    /// another type.
    fn key_at(array: &ArrayRef, at: usize) -> Option<String> {
        if array.is_null(at) {
            return None;
        }
        macro_rules! int {
            ($t:ty) => {
                Some(array.as_primitive::<$t>().value(at).to_string())
            };
        }
        match array.data_type() {
            DataType::Int8 => int!(Int8Type),
            DataType::Int16 => int!(Int16Type),
            DataType::Int32 => int!(Int32Type),
            DataType::Int64 => int!(Int64Type),
            DataType::UInt8 => int!(UInt8Type),
            DataType::UInt16 => int!(UInt16Type),
            DataType::UInt32 => int!(UInt32Type),
            DataType::UInt64 => int!(UInt64Type),
            _ => string_at(array, at),
        }
    }
}

pub use imp::ParquetRows;
#[cfg(feature = "parquet")]
pub use imp::{is_string, string_at};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parquet_name_ends_in_parquet_in_any_case() {
        for (name, parquet) in [
            ("rows.parquet", true),
            ("dir/ROWS.Parquet", true),
            ("rows.parquet.gz", false),
            ("parquet", false),
            ("rows.jsonl", false),
        ] {
            assert_eq!(is_parquet_path(Path::new(name)), parquet, "{name}");
        }
    }
}
