//! Writing one signature file: rows gathered into Arrow record batches,
//! written to a temporary file beside the target and renamed over it only
//! once complete, so a reader never sees half a file.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, ListBuilder, StringBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_ipc::writer::FileWriter;
use arrow_schema::Schema;
use tempfile::NamedTempFile;

use super::schema::{kind, schema, CHECKSUM_KEY};
use super::SignatureError;
use crate::document::Origin;
use crate::pipeline::{DocumentFacts, Problem, SignSink, SignedDoc};
use crate::SketchParams;

/// Rows per record batch, at most.
const BATCH_ROWS: usize = 8192;
/// Shingle hashes per record batch, at most (about 32 MiB).
const BATCH_SHINGLES: usize = 8 << 20;

/// Writes the rows of one shard; [`finish`](Self::finish) puts the file in
/// place. Dropped unfinished, it leaves nothing behind.
pub struct SignatureWriter {
    target: PathBuf,
    schema: Arc<Schema>,
    out: FileWriter<Checksummed<BufWriter<NamedTempFile>>>,
    rows: Rows,
    /// Document rows written.
    pub documents: usize,
    /// Error rows written, of both kinds: paths that could not be read and
    /// documents that could not be decoded.
    pub errors: usize,
    /// Rows of binary files skipped in folder walks.
    pub skipped: usize,
}

impl std::fmt::Debug for SignatureWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureWriter")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// The column builders of the batch being gathered.
#[derive(Default)]
struct Rows {
    count: usize,
    shingle_count: usize,
    kind: StringBuilder,
    path: StringBuilder,
    record_id: StringBuilder,
    record_line: UInt64Builder,
    encoding: StringBuilder,
    detection: StringBuilder,
    bom: BooleanBuilder,
    malformed: UInt64Builder,
    input_bytes: UInt64Builder,
    bytes: UInt64Builder,
    lines: UInt64Builder,
    segments: UInt64Builder,
    message: StringBuilder,
    exact: UInt64Builder,
    units: UInt64Builder,
    bands: ListBuilder<UInt64Builder>,
    shingles: ListBuilder<UInt32Builder>,
}

impl Rows {
    /// Starts a row: its kind and where it comes from.
    fn place(&mut self, row_kind: &str, origin: &Origin) {
        self.count += 1;
        self.kind.append_value(row_kind);
        match origin {
            Origin::Stdin => self.path.append_null(),
            _ => self.path.append_value(origin.report_path()),
        }
        match origin {
            Origin::Record { line, id, .. } => {
                self.record_id.append_value(id);
                self.record_line.append_value(*line as u64);
            }
            _ => {
                self.record_id.append_null();
                self.record_line.append_null();
            }
        }
    }

    fn facts(&mut self, facts: Option<&DocumentFacts>) {
        let Some(facts) = facts else {
            self.encoding.append_null();
            self.detection.append_null();
            self.bom.append_null();
            for column in [
                &mut self.malformed,
                &mut self.input_bytes,
                &mut self.bytes,
                &mut self.lines,
                &mut self.segments,
            ] {
                column.append_null();
            }
            return;
        };
        self.encoding.append_value(facts.encoding);
        self.detection.append_value(facts.detection);
        self.bom.append_value(facts.bom);
        self.malformed.append_value(facts.malformed as u64);
        self.input_bytes.append_value(facts.input_bytes as u64);
        self.bytes.append_value(facts.bytes as u64);
        self.lines.append_value(facts.lines as u64);
        self.segments.append_value(facts.segments as u64);
    }

    fn sketch(&mut self, doc: Option<&SignedDoc>) {
        match doc {
            Some(doc) => {
                self.exact.append_value(doc.exact);
                self.units.append_value(doc.units);
                self.bands.values().append_slice(&doc.bands);
                self.bands.append(true);
                self.shingles.values().append_slice(&doc.shingles);
                self.shingles.append(true);
                self.shingle_count += doc.shingles.len();
            }
            None => {
                self.exact.append_null();
                self.units.append_null();
                self.bands.append_null();
                self.shingles.append_null();
            }
        }
    }

    fn document(&mut self, doc: &SignedDoc) {
        self.place(kind::DOCUMENT, &doc.origin);
        self.facts(Some(&doc.facts));
        self.message.append_null();
        self.sketch(Some(doc));
    }

    fn other(&mut self, row_kind: &str, origin: &Origin, message: Option<&str>) {
        self.place(row_kind, origin);
        self.facts(None);
        self.message.append_option(message);
        self.sketch(None);
    }

    fn full(&self) -> bool {
        self.count >= BATCH_ROWS || self.shingle_count >= BATCH_SHINGLES
    }

    /// The gathered rows as a batch; the builders start over.
    fn take(&mut self, schema: &Arc<Schema>) -> Result<RecordBatch, arrow_schema::ArrowError> {
        self.count = 0;
        self.shingle_count = 0;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.kind.finish()),
            Arc::new(self.path.finish()),
            Arc::new(self.record_id.finish()),
            Arc::new(self.record_line.finish()),
            Arc::new(self.encoding.finish()),
            Arc::new(self.detection.finish()),
            Arc::new(self.bom.finish()),
            Arc::new(self.malformed.finish()),
            Arc::new(self.input_bytes.finish()),
            Arc::new(self.bytes.finish()),
            Arc::new(self.lines.finish()),
            Arc::new(self.segments.finish()),
            Arc::new(self.message.finish()),
            Arc::new(self.exact.finish()),
            Arc::new(self.units.finish()),
            Arc::new(self.bands.finish()),
            Arc::new(self.shingles.finish()),
        ];
        RecordBatch::try_new(Arc::clone(schema), columns)
    }
}

/// Signature rows gathered in memory, cut into record batches as a file's
/// are: for a program that keeps them rather than writing a file (the
/// Python package's `sign`). [`SignatureFile::from_batches`] reads them
/// back.
///
/// [`SignatureFile::from_batches`]: super::SignatureFile::from_batches
pub struct SignatureBatches {
    schema: Arc<Schema>,
    rows: Rows,
    batches: Vec<RecordBatch>,
}

impl std::fmt::Debug for SignatureBatches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureBatches")
            .field("batches", &self.batches.len())
            .finish_non_exhaustive()
    }
}

impl SignatureBatches {
    /// Rows whose sketches were made with `params`.
    pub fn new(params: &SketchParams) -> SignatureBatches {
        SignatureBatches {
            schema: Arc::new(schema(params)),
            rows: Rows::default(),
            batches: Vec::new(),
        }
    }

    /// The schema every batch has, with the format version and parameters
    /// in its metadata.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.rows.full() {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.rows.count > 0 {
            let batch = self.rows.take(&self.schema).map_err(io::Error::other)?;
            self.batches.push(batch);
        }
        Ok(())
    }

    /// Every row gathered, in record batches.
    pub fn finish(mut self) -> io::Result<Vec<RecordBatch>> {
        self.flush()?;
        Ok(self.batches)
    }
}

impl SignSink for SignatureBatches {
    fn input_problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.rows
            .other(kind::INPUT_ERROR, &problem.origin, Some(&problem.message));
        self.flush_if_full()
    }

    fn document(&mut self, doc: SignedDoc) -> io::Result<()> {
        self.rows.document(&doc);
        self.flush_if_full()
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.rows
            .other(kind::ERROR, &problem.origin, Some(&problem.message));
        self.flush_if_full()
    }

    fn skipped(&mut self, origin: &Origin) -> io::Result<()> {
        self.rows.other(kind::SKIPPED, origin, None);
        self.flush_if_full()
    }
}

impl SignatureWriter {
    /// Starts the file that will be `target`, made with `params`. The
    /// temporary file is made in `target`'s folder, which must exist.
    pub fn create(target: &Path, params: &SketchParams) -> Result<SignatureWriter, SignatureError> {
        let folder = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".doppel-sign-").suffix(".tmp");
        // Readable as any file made here (the umask applies), not only by
        // its owner as temporary files are.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder
            .tempfile_in(folder)
            .map_err(|err| SignatureError::new(target, crate::input::io_message(&err)))?;
        let schema = Arc::new(schema(params));
        let file = Checksummed::new(BufWriter::with_capacity(1 << 20, temp));
        let out =
            FileWriter::try_new(file, &schema).map_err(|err| SignatureError::new(target, err))?;
        Ok(SignatureWriter {
            target: target.to_path_buf(),
            schema,
            out,
            rows: Rows::default(),
            documents: 0,
            errors: 0,
            skipped: 0,
        })
    }

    /// Where the file goes.
    pub fn target(&self) -> &Path {
        &self.target
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.rows.full() {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.rows.count == 0 {
            return Ok(());
        }
        let batch = self.rows.take(&self.schema).map_err(io::Error::other)?;
        self.out.write(&batch).map_err(io::Error::other)
    }

    /// Writes what is left and the footer, and renames the file into place.
    pub fn finish(mut self) -> Result<PathBuf, SignatureError> {
        let target = self.target.clone();
        let fail = |err: &dyn std::fmt::Display| SignatureError::new(&target, err);
        self.flush().map_err(|err| fail(&err))?;
        // Everything written so far, up to the end-of-stream marker that
        // `finish` writes before the footer.
        let checksum = self.out.get_ref().digest();
        self.out
            .write_metadata(CHECKSUM_KEY, format!("{checksum:016x}"));
        self.out.finish().map_err(|err| fail(&err))?;
        let temp = self
            .out
            .into_inner()
            .map_err(|err| fail(&err))?
            .inner
            .into_inner()
            .map_err(|err| fail(&err.error()))?;
        temp.as_file().sync_data().map_err(|err| fail(&err))?;
        temp.persist(&target).map_err(|err| fail(&err.error))?;
        Ok(target)
    }
}

/// A writer that hashes every byte written through it.
struct Checksummed<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl<W> Checksummed<W> {
    fn new(inner: W) -> Checksummed<W> {
        Checksummed {
            inner,
            hasher: xxhash_rust::xxh3::Xxh3::new(),
        }
    }

    fn digest(&self) -> u64 {
        self.hasher.digest()
    }
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl SignSink for SignatureWriter {
    fn input_problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.errors += 1;
        self.rows
            .other(kind::INPUT_ERROR, &problem.origin, Some(&problem.message));
        self.flush_if_full()
    }

    fn document(&mut self, doc: SignedDoc) -> io::Result<()> {
        self.documents += 1;
        self.rows.document(&doc);
        self.flush_if_full()
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.errors += 1;
        self.rows
            .other(kind::ERROR, &problem.origin, Some(&problem.message));
        self.flush_if_full()
    }

    fn skipped(&mut self, origin: &Origin) -> io::Result<()> {
        self.skipped += 1;
        self.rows.other(kind::SKIPPED, origin, None);
        self.flush_if_full()
    }
}
