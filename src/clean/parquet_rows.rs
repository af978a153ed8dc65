//! Where Parquet rows meet the writer and restore, in builds with or
//! without the `parquet` feature: without it no row is ever read, and a
//! manifest's tables cannot be restored
//! ([`crate::input::parquet::NOT_BUILT_IN`]).

use std::path::{Path, PathBuf};

use super::confine::Destination;
use super::manifest::{DocumentLine, TableLine};
use super::run::CleanError;
use crate::input::Entry;

#[cfg(not(feature = "parquet"))]
use crate::input::parquet::NOT_BUILT_IN;

/// The input file of an entry read as a Parquet table.
pub(super) fn table_input(entry: &Entry) -> Option<PathBuf> {
    let path = entry.origin.file()?;
    entry.is_parquet().then(|| path.to_path_buf())
}

/// Writes the Parquet input `input` to `target` with its rows'
/// annotations (`clean --annotate`). Without the `parquet` feature the
/// table was refused when it was read: nothing is written.
#[cfg(feature = "parquet")]
pub(super) fn annotate_table<'a>(
    input: &Path,
    target: PathBuf,
    annotation: impl Fn(usize) -> Option<&'a super::annotate::Annotation>,
) -> Result<Result<bool, String>, CleanError> {
    super::annotate_table::annotate_table(input, target, annotation).map(|r| r.map(|()| true))
}

/// Without the `parquet` feature the table was refused when it was read:
/// nothing is written.
#[cfg(not(feature = "parquet"))]
pub(super) fn annotate_table<'a>(
    _: &Path,
    _: PathBuf,
    _: impl Fn(usize) -> Option<&'a super::annotate::Annotation>,
) -> Result<Result<bool, String>, CleanError> {
    Ok(Ok(false))
}

/// A Parquet output being written.
#[cfg(feature = "parquet")]
pub(super) struct OpenTable(super::parquet::TableOut);

#[cfg(not(feature = "parquet"))]
pub(super) struct OpenTable(std::convert::Infallible);

impl OpenTable {
    #[cfg(feature = "parquet")]
    pub(super) fn open(
        entry: u32,
        input: &Path,
        out: &Path,
        output: &str,
        text_field: &str,
    ) -> Result<OpenTable, CleanError> {
        super::parquet::TableOut::open(entry, input, out, output, text_field).map(OpenTable)
    }

    #[cfg(not(feature = "parquet"))]
    pub(super) fn open(
        _: u32,
        input: &Path,
        _: &Path,
        _: &str,
        _: &str,
    ) -> Result<OpenTable, CleanError> {
        Err(CleanError::Changed(format!(
            "{}: {NOT_BUILT_IN}",
            input.display()
        )))
    }

    pub(super) fn entry(&self) -> u32 {
        #[cfg(feature = "parquet")]
        return self.0.entry;
        #[cfg(not(feature = "parquet"))]
        match self.0 {}
    }

    pub(super) fn push(
        &mut self,
        row: usize,
        written: bool,
        cleaned: &str,
        text_xxh3: &str,
    ) -> Result<(), CleanError> {
        #[cfg(feature = "parquet")]
        return self.0.push(row, written, cleaned, text_xxh3);
        #[cfg(not(feature = "parquet"))]
        {
            let _ = (row, written, cleaned, text_xxh3);
            match self.0 {}
        }
    }

    pub(super) fn close(self) -> Result<TableLine, CleanError> {
        #[cfg(feature = "parquet")]
        return self.0.close();
        #[cfg(not(feature = "parquet"))]
        match self.0 {}
    }
}

/// What restoring one table gave.
#[derive(Debug, Default)]
pub(super) struct TableRestored {
    /// Documents that failed, with the reason.
    pub(super) failed: Vec<(u32, String)>,
    /// Why the table was not written, when it was not (empty when its
    /// failed documents say why).
    pub(super) error: Option<String>,
}

/// A cleaned table's texts, read in step with the manifest's written rows.
#[cfg(feature = "parquet")]
pub(super) struct TableTexts(super::parquet::CleanedTexts);

#[cfg(not(feature = "parquet"))]
pub(super) struct TableTexts(std::convert::Infallible);

impl TableTexts {
    pub(super) fn open(cleaned: &Path, table: &TableLine) -> Result<TableTexts, String> {
        #[cfg(feature = "parquet")]
        return super::parquet::CleanedTexts::open(cleaned, table).map(TableTexts);
        #[cfg(not(feature = "parquet"))]
        {
            let _ = (cleaned, table);
            Err(NOT_BUILT_IN.to_owned())
        }
    }

    /// Skips `skip` rows and gives the next row's text.
    pub(super) fn next_text(&mut self, skip: usize) -> Result<String, String> {
        #[cfg(feature = "parquet")]
        return self.0.next_text(skip);
        #[cfg(not(feature = "parquet"))]
        {
            let _ = skip;
            match self.0 {}
        }
    }
}

/// Rebuilds one table under `destination` (see `clean::parquet`).
pub(super) fn restore_table(
    cleaned: &Path,
    destination: &Destination,
    table: &TableLine,
    docs: &[&DocumentLine],
    text_of: &(dyn Fn(&DocumentLine, &str) -> Result<String, String> + Sync),
    broken: bool,
) -> TableRestored {
    #[cfg(feature = "parquet")]
    return super::parquet::restore_table(cleaned, destination, table, docs, text_of, broken);
    #[cfg(not(feature = "parquet"))]
    {
        let _ = (cleaned, destination, docs, text_of, broken, table);
        TableRestored {
            failed: Vec::new(),
            error: Some(NOT_BUILT_IN.to_owned()),
        }
    }
}

/// For each written row of each table, how many rows of its cleaned table
/// come before it after the previous written row: the rows that are no
/// document, kept as they were.
pub(super) fn rows_to_skip(docs: &[&DocumentLine]) -> Vec<(u32, usize)> {
    let mut skips = Vec::new();
    let (mut last_line, mut pending) = (0, 0);
    for doc in docs {
        let Some(record) = &doc.record else { continue };
        let between = record.line.saturating_sub(last_line).saturating_sub(1);
        pending += between;
        if doc.written {
            skips.push((doc.doc, pending));
            pending = 0;
        }
        last_line = record.line;
    }
    skips
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(doc: u32, line: usize, written: bool) -> DocumentLine {
        DocumentLine {
            doc,
            path: "t.parquet".to_owned(),
            output: "t.parquet".to_owned(),
            written,
            encoding: "UTF-8".to_owned(),
            bom: false,
            lossless: true,
            input_bytes: 0,
            input_xxh3: String::new(),
            bytes: 0,
            text_xxh3: String::new(),
            output_bytes: 0,
            output_xxh3: String::new(),
            record: Some(super::super::manifest::RecordLine {
                line,
                id: None,
                text_field: "text".to_owned(),
                skeleton: None,
            }),
        }
    }

    #[test]
    fn rows_that_are_no_document_are_skipped_before_the_next_written_row() {
        // Rows 1, 4, 7 and 8 are no document; 3 and 6 were removed.
        let docs = [
            row(0, 2, true),
            row(1, 3, false),
            row(2, 5, true),
            row(3, 6, false),
            row(4, 9, true),
        ];
        let docs: Vec<&DocumentLine> = docs.iter().collect();
        assert_eq!(rows_to_skip(&docs), [(0, 1), (2, 1), (4, 2)]);
    }
}
