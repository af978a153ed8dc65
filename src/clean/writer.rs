//! Writing a clean run's outputs: each cleaned document (a text file, or a
//! record of a JSON Lines file being written), and the manifest's lines, in
//! document order, each file under a temporary name renamed into place.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::edits::{diff, Edit};
use super::manifest::{DocumentLine, Line, RemovalLine, SummaryLine, TwinRef, SCHEMA};
use super::output::{write_atomic, Layout, OutputError};
use super::plan::{Plan, Reason, Removal, Twin};
use super::run::{CleanError, CleanOptions};
use crate::input::jsonl::{replace_text, Compression, JsonlWriter};

/// A document planned in the write pass.
pub(super) struct Planned {
    pub(super) entry: u32,
    /// For a JSON Lines record: its line as read.
    pub(super) raw: Option<String>,
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
}

/// A JSON Lines output file being written under a temporary name.
struct OpenJsonl {
    entry: u32,
    target: PathBuf,
    temp: PathBuf,
    writer: JsonlWriter<std::fs::File>,
}

impl OpenJsonl {
    fn open(entry: u32, target: PathBuf) -> Result<OpenJsonl, CleanError> {
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

    fn close(self) -> Result<(), CleanError> {
        let file = self.writer.finish().map_err(|e| out_error(&self.temp, e))?;
        file.sync_data()?;
        std::fs::rename(&self.temp, &self.target).map_err(|e| out_error(&self.target, e))
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
            let file =
                std::fs::File::create(&manifest_temp).map_err(|e| out_error(&manifest_temp, e))?;
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

    pub(super) fn write(&mut self, planned: Planned) -> Result<(), CleanError> {
        let doc = planned.document.doc;
        for (segment, hash, bytes) in &planned.firsts {
            self.firsts.insert((doc, *segment), (*hash, *bytes));
        }
        if !self.dry_run {
            self.write_output(&planned)?;
        }
        self.summary.documents += 1;
        self.summary.removed_documents += usize::from(!planned.document.written);
        self.line(Line::Document(planned.document.clone()))?;
        for (at, removal) in planned.plan.removals.iter().enumerate() {
            if removal.reason == Reason::DuplicateDocument {
                continue;
            }
            let line = self.removal_line(doc, removal, &planned, at);
            self.summary.removals += 1;
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
                match first {
                    Some(&(hash, range)) if hash == planned.content_hashes[at] => {
                        let content = &removal.content.bytes;
                        let before = &removed[..content.start - removal.bytes.start];
                        let after = &removed[content.end - removal.bytes.start..];
                        line.twin = Some(TwinRef {
                            doc: Some(*first_doc),
                            bytes: range,
                        });
                        let kept = &removed[before.len()..removed.len() - after.len()];
                        line.edits = Some(seam_edits(kept.chars().count(), before, after));
                    }
                    _ => line.text = Some(removed.clone()),
                }
            }
            _ if removal.reason == Reason::Damaged => {
                line.edits = Some(diff(&removal.replacement, removed))
            }
            _ => line.text = Some(removed.clone()),
        }
        line
    }

    pub(super) fn finish(mut self) -> Result<(SummaryLine, Vec<Line>), CleanError> {
        self.close_jsonl()?;
        self.line(Line::Summary(self.summary.clone()))?;
        if let Some(manifest) = self.manifest.take() {
            let file = manifest.into_inner().map_err(|e| e.into_error())?;
            file.sync_data()?;
            let target = self.out.join("manifest.jsonl");
            std::fs::rename(&self.manifest_temp, &target).map_err(|e| out_error(&target, e))?;
        }
        Ok((self.summary, self.lines))
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
