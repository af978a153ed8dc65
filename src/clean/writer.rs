//! Writing a clean run's outputs: each cleaned document (a text file, or a
//! record of a JSON Lines file being written), and the manifest's lines, in
//! document order, each file under a temporary name renamed into place.
//!
//! Documents arrive numbered as the scan pass numbered them; the manifest
//! numbers the documents written from 0 without gaps, so the writer keeps
//! the map from one to the other ([`Writer::numbers`]). The manifest is
//! renamed into place last; a writer dropped before [`Writer::finish`]
//! removes the temporary files it made.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::edits::{diff, Edit};
use super::manifest::{DocumentLine, Line, RecordRef, RemovalLine, SummaryLine, TwinRef, SCHEMA};
use super::output::{write_atomic, Layout, OutLock, OutputError, MANIFEST_NAME};
use super::parquet_rows::OpenTable;
use super::plan::{Plan, Reason, Removal, Twin};
use super::run::{CleanError, CleanOptions, Numbering};
use crate::input::jsonl::{replace_text, Compression, JsonlWriter};
use crate::pipeline::Problem;

/// A document planned in the write pass.
pub(super) struct Planned {
    /// Set when the document is not written: why.
    pub(super) refused: Option<Problem>,
    pub(super) entry: u32,
    /// For a JSON Lines record: its line as read.
    pub(super) raw: Option<String>,
    /// For a Parquet row: its input file.
    pub(super) table: Option<PathBuf>,
    pub(super) document: DocumentLine,
    pub(super) cleaned: String,
    pub(super) plan: Plan,
    /// Text of each removal (before edits are made against its twin).
    pub(super) removed_texts: Vec<String>,
    /// Raw hash of each removal's content, for twin identity.
    pub(super) content_hashes: Vec<u64>,
    /// Twin texts inside this document, by removal.
    pub(super) own_twins: Vec<Option<String>>,
    /// (segment, raw hash, bytes) of first occurrences others refer to.
    pub(super) firsts: Vec<(u32, u64, [usize; 2])>,
    /// The decoded text, when removed duplicates are rebuilt from it.
    pub(super) twin_text: Option<String>,
}

/// Writes cleaned documents and manifest lines in order.
pub(super) struct Writer<'a> {
    out: PathBuf,
    dry_run: bool,
    pub(super) layout: &'a Layout,
    manifest: Option<io::BufWriter<std::fs::File>>,
    manifest_temp: PathBuf,
    lines: Vec<Line>,
    pub(super) summary: SummaryLine,
    /// (document, segment) → (raw hash, bytes) of referenced first occurrences.
    firsts: HashMap<(u32, u32), (u64, [usize; 2])>,
    /// The JSON Lines output being written.
    jsonl: Option<OpenJsonl>,
    /// The Parquet output being written.
    table: Option<OpenTable>,
    /// Manifest number of each document by scan number; `None` when refused.
    numbers: Vec<Option<u32>>,
    numbering: Numbering,
    /// The manifest is in place: nothing to remove on drop.
    finished: bool,
}

/// A JSON Lines output file being written under a temporary name.
pub(super) struct OpenJsonl {
    entry: u32,
    target: PathBuf,
    temp: PathBuf,
    writer: JsonlWriter<std::fs::File>,
}

impl OpenJsonl {
    /// Opens a temporary file beside `target` (compressed as `target`'s
    /// name says) for the output of entry `entry`.
    pub(super) fn open(entry: u32, target: PathBuf) -> Result<OpenJsonl, CleanError> {
        let parent = target.parent().unwrap_or(Path::new(".")).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| out_error(&parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = parent.join(format!(".{name}.doppel-{}.tmp", std::process::id()));
        let writer = JsonlWriter::create(&temp, Compression::from_path(&target))
            .map_err(|e| out_error(&temp, e))?;
        Ok(OpenJsonl {
            entry,
            target,
            temp,
            writer,
        })
    }

    /// Writes one line (a line end is added).
    pub(super) fn write_line(&mut self, line: &str) -> Result<(), CleanError> {
        self.writer
            .write_line(line)
            .map_err(|e| out_error(&self.temp, e))
    }

    /// Removes the temporary file: nothing is written to the target.
    pub(super) fn abandon(self) {
        drop(self.writer);
        let _ = std::fs::remove_file(&self.temp);
    }

    /// Finishes the file and renames it into place.
    pub(super) fn close(self) -> Result<(), CleanError> {
        let temp = self.temp;
        let target = self.target;
        let result = self
            .writer
            .finish()
            .and_then(|file| file.sync_data())
            .map_err(|e| out_error(&temp, e))
            .and_then(|()| std::fs::rename(&temp, &target).map_err(|e| out_error(&target, e)));
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result
    }
}

impl<'a> Writer<'a> {
    pub(super) fn new(
        options: &CleanOptions,
        layout: &'a Layout,
    ) -> Result<Writer<'a>, CleanError> {
        let manifest_temp = options
            .out
            .join(format!(".manifest.jsonl.doppel-{}.tmp", std::process::id()));
        let manifest = if options.dry_run {
            None
        } else {
            std::fs::create_dir_all(&options.out).map_err(|e| out_error(&options.out, e))?;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&manifest_temp)
                .map_err(|e| out_error(&manifest_temp, e))?;
            Some(io::BufWriter::new(file))
        };
        let mut writer = Writer {
            out: options.out.clone(),
            dry_run: options.dry_run,
            layout,
            manifest,
            manifest_temp,
            lines: Vec::new(),
            summary: SummaryLine::default(),
            firsts: HashMap::new(),
            jsonl: None,
            table: None,
            numbers: Vec::new(),
            numbering: Numbering::default(),
            finished: false,
        };
        writer.line(Line::Begin {
            schema: SCHEMA,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        })?;
        Ok(writer)
    }

    pub(super) fn line(&mut self, line: Line) -> Result<(), CleanError> {
        if let Some(manifest) = &mut self.manifest {
            serde_json::to_writer(&mut *manifest, &line).map_err(io::Error::from)?;
            manifest.write_all(b"\n")?;
        }
        if self.dry_run {
            self.lines.push(line);
        }
        Ok(())
    }

    /// The manifest number of each document by scan number, `None` for
    /// those refused.
    pub(super) fn numbers(&self) -> &[Option<u32>] {
        &self.numbers
    }

    /// Notes that the document the scan pass numbered `scan` is not written.
    pub(super) fn refuse(&mut self, scan: u32) -> Result<(), CleanError> {
        self.expect(scan)?;
        self.numbers.push(None);
        Ok(())
    }

    /// Documents must come in scan order, each once.
    fn expect(&self, scan: u32) -> Result<(), CleanError> {
        if self.numbers.len() == scan as usize {
            Ok(())
        } else {
            Err(CleanError::Changed(format!("document {scan}")))
        }
    }

    /// Writes a document numbered `planned.document.doc` by the scan pass
    /// under its manifest number.
    pub(super) fn write(&mut self, mut planned: Planned) -> Result<(), CleanError> {
        let scan = planned.document.doc;
        self.expect(scan)?;
        let doc = self.numbering.take()?;
        self.numbers.push(Some(doc));
        planned.document.doc = doc;
        for (segment, hash, bytes) in &planned.firsts {
            self.firsts.insert((scan, *segment), (*hash, *bytes));
        }
        if !self.dry_run {
            self.write_output(&planned)?;
        }
        self.summary.documents += 1;
        self.summary.removed_documents += usize::from(!planned.document.written);
        self.line(Line::Document(planned.document.clone()))?;
        for (at, removal) in planned.plan.removals.iter().enumerate() {
            if removal.reason.is_whole_document() {
                continue;
            }
            let line = self.removal_line(doc, removal, &planned, at);
            self.summary.removals += 1;
            self.summary.repairs += usize::from(removal.reason == Reason::Repaired);
            self.summary.damaged_documents +=
                usize::from(removal.reason == Reason::Damaged && !planned.document.written);
            self.summary.removed_bytes += removal
                .bytes
                .len()
                .saturating_sub(removal.replacement.len());
            self.line(Line::Removal(line))?;
        }
        Ok(())
    }

    /// Writes a cleaned document, or its record into its JSON Lines output.
    fn write_output(&mut self, planned: &Planned) -> Result<(), CleanError> {
        let target = self.out.join(&planned.document.output);
        if let Some(input) = &planned.table {
            self.close_jsonl()?;
            return self.write_row(planned, input);
        }
        self.close_table()?;
        let Some(raw) = &planned.raw else {
            self.close_jsonl()?;
            if planned.document.written {
                write_atomic(&target, planned.cleaned.as_bytes())?;
            }
            return Ok(());
        };
        if self
            .jsonl
            .as_ref()
            .is_none_or(|open| open.entry != planned.entry)
        {
            self.close_jsonl()?;
            self.jsonl = Some(OpenJsonl::open(planned.entry, target)?);
        }
        let (Some(open), Some(record)) = (self.jsonl.as_mut(), &planned.document.record) else {
            return Ok(());
        };
        if planned.document.written {
            let line = replace_text(raw, &record.text_field, &planned.cleaned)
                .map_err(|e| CleanError::Changed(format!("{}: {e}", planned.document.path)))?;
            open.writer
                .write_line(&line)
                .map_err(|e| out_error(&open.temp, e))?;
        }
        Ok(())
    }

    /// Writes a Parquet row into its table (see the `parquet` module,
    /// built with the `parquet` feature).
    fn write_row(&mut self, planned: &Planned, input: &Path) -> Result<(), CleanError> {
        let document = &planned.document;
        let Some(record) = &document.record else {
            return Ok(());
        };
        if self
            .table
            .as_ref()
            .is_none_or(|open| open.entry() != planned.entry)
        {
            self.close_table()?;
            self.table = Some(OpenTable::open(
                planned.entry,
                input,
                &self.out,
                &document.output,
                &record.text_field,
            )?);
        }
        match self.table.as_mut() {
            Some(open) => open.push(
                record.line,
                document.written,
                &planned.cleaned,
                &document.text_xxh3,
            ),
            None => Ok(()),
        }
    }

    /// Finishes the Parquet output being written and writes its table line.
    fn close_table(&mut self) -> Result<(), CleanError> {
        match self.table.take() {
            Some(open) => {
                let line = open.close()?;
                self.line(Line::Table(line))
            }
            None => Ok(()),
        }
    }

    fn close_jsonl(&mut self) -> Result<(), CleanError> {
        match self.jsonl.take() {
            Some(open) => open.close(),
            None => Ok(()),
        }
    }

    fn removal_line(
        &self,
        doc: u32,
        removal: &Removal,
        planned: &Planned,
        at: usize,
    ) -> RemovalLine {
        let removed = &planned.removed_texts[at];
        let mut line = RemovalLine {
            doc,
            reason: removal.reason,
            bytes: [removal.bytes.start, removal.bytes.end],
            lines: [removal.content.lines.first, removal.content.lines.last],
            replacement_bytes: removal.replacement.len(),
            twin: None,
            edits: None,
            text: None,
            stored: None,
            record: planned.document.record.as_ref().map(|record| RecordRef {
                line: record.line,
                id: record.id.clone().unwrap_or_else(|| record.line.to_string()),
            }),
            similarity: None,
        };
        match (&removal.twin, &planned.own_twins[at]) {
            (Some(Twin { doc: None, bytes }), Some(twin_text)) => {
                line.twin = Some(TwinRef {
                    doc: None,
                    bytes: [bytes.start, bytes.end],
                });
                line.edits = Some(diff(twin_text, removed));
            }
            (
                Some(Twin {
                    doc: Some(first_doc),
                    bytes,
                }),
                _,
            ) => {
                let first = self.firsts.get(&(*first_doc, bytes.start as u32));
                let first_number = self.numbers.get(*first_doc as usize).copied().flatten();
                match (first, first_number) {
                    (Some(&(hash, range)), Some(first_number))
                        if hash == planned.content_hashes[at] =>
                    {
                        let content = &removal.content.bytes;
                        let before = &removed[..content.start - removal.bytes.start];
                        let after = &removed[content.end - removal.bytes.start..];
                        line.twin = Some(TwinRef {
                            doc: Some(first_number),
                            bytes: range,
                        });
                        let kept = &removed[before.len()..removed.len() - after.len()];
                        line.edits = Some(seam_edits(kept.chars().count(), before, after));
                    }
                    _ => line.text = Some(removed.clone()),
                }
            }
            // A repair, or a damaged segment replaced by its clean twin:
            // rebuilt from the text put in its place.
            _ if matches!(removal.reason, Reason::Damaged | Reason::Repaired)
                && !removal.replacement.is_empty() =>
            {
                line.edits = Some(diff(&removal.replacement, removed))
            }
            _ => line.text = Some(removed.clone()),
        }
        line
    }

    /// Writes the summary and renames the manifest into place, removing
    /// the lock file of the output folder (if any) just before.
    pub(super) fn finish(
        mut self,
        lock: Option<&mut OutLock>,
    ) -> Result<(SummaryLine, Vec<Line>), CleanError> {
        self.close_jsonl()?;
        self.close_table()?;
        self.line(Line::Summary(self.summary.clone()))?;
        if let Some(manifest) = self.manifest.take() {
            let file = manifest.into_inner().map_err(|e| e.into_error())?;
            file.sync_data()?;
            if let Some(lock) = lock {
                lock.remove_file()?;
            }
            let target = self.out.join(MANIFEST_NAME);
            std::fs::rename(&self.manifest_temp, &target).map_err(|e| out_error(&target, e))?;
        }
        self.finished = true;
        Ok((
            std::mem::take(&mut self.summary),
            std::mem::take(&mut self.lines),
        ))
    }
}

impl Drop for Writer<'_> {
    /// A run that stops early leaves no temporary file behind.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Some(open) = self.jsonl.take() {
            let _ = std::fs::remove_file(&open.temp);
        }
        if !self.dry_run {
            self.manifest.take();
            let _ = std::fs::remove_file(&self.manifest_temp);
        }
    }
}

/// An edit script that keeps a whole twin of `chars` characters and adds
/// the white space a seam took around it.
fn seam_edits(chars: usize, before: &str, after: &str) -> Vec<Edit> {
    let mut edits = Vec::new();
    if !before.is_empty() {
        edits.push(Edit::Insert(before.to_owned()));
    }
    edits.push(Edit::Keep(chars));
    if !after.is_empty() {
        edits.push(Edit::Insert(after.to_owned()));
    }
    edits
}

pub(super) fn out_error(path: &Path, err: io::Error) -> CleanError {
    CleanError::Output(OutputError::Io {
        path: path.to_path_buf(),
        message: crate::input::io_message(&err),
    })
}
