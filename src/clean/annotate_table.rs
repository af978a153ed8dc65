//! Parquet inputs in `clean --annotate` (the `parquet` feature): each table
//! written back whole, every row and column as it was, with the five
//! `doppel_` columns of [`super::annotate`] added at the end. Rows that are
//! no document (a null text) have nulls in them.
//!
//! The schema and its metadata, the key/value metadata, the compression
//! and the row group size are the input's, as for `clean`'s tables. A
//! table that already has a column of one of those names is refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::annotate::{Annotation, FIELDS};
use super::parquet::{open_table, properties, Pending};
use super::run::CleanError;

/// The schema of the annotated table: the input's, then the five columns.
fn annotated_schema(schema: &SchemaRef) -> SchemaRef {
    let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
    let types = [
        DataType::UInt64,
        DataType::Boolean,
        DataType::Utf8,
        DataType::Utf8,
        DataType::Float64,
    ];
    for (name, data_type) in FIELDS.into_iter().zip(types) {
        fields.push(Arc::new(Field::new(name, data_type, true)));
    }
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// The five columns for the rows `first..first + rows` (1-based).
fn columns<'a>(
    first: usize,
    rows: usize,
    annotation: &impl Fn(usize) -> Option<&'a Annotation>,
) -> Vec<ArrayRef> {
    let found: Vec<Option<&Annotation>> = (first..first + rows).map(annotation).collect();
    vec![
        Arc::new(UInt64Array::from_iter(
            found
                .iter()
                .map(|a| a.and_then(|a| a.cluster).map(u64::from)),
        )),
        Arc::new(BooleanArray::from_iter(
            found.iter().map(|a| a.map(|a| a.keep)),
        )),
        Arc::new(StringArray::from_iter(
            found.iter().map(|a| a.and_then(|a| a.reason)),
        )),
        Arc::new(StringArray::from_iter(
            found
                .iter()
                .map(|a| a.and_then(|a| a.duplicate_of.as_deref())),
        )),
        Arc::new(Float64Array::from_iter(
            found.iter().map(|a| a.map(|a| a.duplicate_share)),
        )),
    ]
}

/// Writes the table `input` to `target` with its rows' annotations
/// (`annotation(row)`, rows from 1). `Ok(Err(message))` when this table
/// is refused (nothing is written for it); `Err` when the run cannot go
/// on.
pub(super) fn annotate_table<'a>(
    input: &Path,
    target: PathBuf,
    annotation: impl Fn(usize) -> Option<&'a Annotation>,
) -> Result<Result<(), String>, CleanError> {
    let file = match std::fs::File::open(input) {
        Ok(file) => file,
        Err(err) => return Ok(Err(crate::input::io_message(&err))),
    };
    let opened = match open_table(file, input) {
        Ok(opened) => opened,
        Err(message) => return Ok(Err(message)),
    };
    if let Some(field) = FIELDS
        .into_iter()
        .find(|name| opened.schema.field_with_name(name).is_ok())
    {
        return Ok(Err(format!(
            "not annotated: the table already has a column {field}, which annotate writes: \
             annotate the original table, or drop the doppel_ columns first"
        )));
    }
    let schema = annotated_schema(&opened.schema);
    let mut pending = Pending::create(target, &schema, properties(&opened.metadata))?;
    let mut before = 0;
    for batch in opened.batches {
        let batch = match batch {
            Ok(batch) => batch,
            Err(err) => return Ok(Err(format!("row {}: {err}", before + 1))),
        };
        let rows = batch.num_rows();
        let mut all = batch.columns().to_vec();
        all.extend(columns(before + 1, rows, &annotation));
        let annotated = RecordBatch::try_new(schema.clone(), all)
            .map_err(|e| CleanError::Changed(format!("{}: {e}", input.display())))?;
        pending.write(&annotated)?;
        before += rows;
    }
    pending.close()?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ArrowWriter;

    fn table(path: &Path, names: &[&str]) {
        let schema = Arc::new(Schema::new(
            names
                .iter()
                .map(|name| Field::new(*name, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        ));
        let columns: Vec<ArrayRef> = names
            .iter()
            .map(|_| Arc::new(StringArray::from(vec![Some("a"), None, Some("c")])) as ArrayRef)
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let mut writer =
            ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    #[test]
    fn rows_keep_their_columns_and_gain_the_five() {
        let dir = tempfile::tempdir().unwrap();
        let (input, target) = (dir.path().join("t.parquet"), dir.path().join("o.parquet"));
        table(&input, &["text", "id"]);
        let removed = Annotation {
            cluster: Some(4),
            keep: false,
            reason: Some("exact-duplicate"),
            duplicate_of: Some("k".to_owned()),
            duplicate_share: 1.0,
        };
        let result = annotate_table(&input, target.clone(), |row| (row == 3).then_some(&removed));
        assert_eq!(result.unwrap(), Ok(()));
        let reader =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&target).unwrap())
                .unwrap()
                .build()
                .unwrap();
        let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
        let batch = &batches[0];
        let schema = batch.schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names[..2], ["text", "id"]);
        assert_eq!(names[2..], FIELDS);
        let keep = batch
            .column(3)
            .as_any()
            .downcast_ref::<BooleanArray>()
            .unwrap();
        assert!(keep.is_null(0) && keep.is_null(1));
        assert!(!keep.value(2));
        let of = batch
            .column(5)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert_eq!(of.value(2), "k");
        let text = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert_eq!(
            (text.value(0), text.is_null(1), text.value(2)),
            ("a", true, "c")
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 2, "no temporary file left");
    }

    #[test]
    fn a_table_with_an_annotation_column_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (input, target) = (dir.path().join("t.parquet"), dir.path().join("o.parquet"));
        table(&input, &["text", "doppel_keep"]);
        let message = annotate_table(&input, target.clone(), |_| None)
            .unwrap()
            .unwrap_err();
        assert!(
            message.contains("already has a column doppel_keep"),
            "{message}"
        );
        assert!(!target.exists());
    }
}
