//! The texts the clean page shows: each listed removal's text and its kept
//! twin's, read again from the inputs after the run (the manifest keeps
//! edit scripts, not texts), cut to [`crate::report::TEXT_CHARS`]
//! characters each.
//!
//! One more pass of the engine's document driver over the inputs; only the
//! documents that listed removals name are kept, and of them only the
//! stretches asked for. A document is found by its path and, for a
//! record, its line, as the manifest names it; a stretch that no longer
//! fits its document's text (an input that changed since) is left out.

use std::collections::HashMap;
use std::io;

use crate::clean::listing::Removed;
use crate::input::Entry;
use crate::pipeline::{Engine, ReadOutcome, Which};
use crate::report::TEXT_CHARS;

/// A document as the manifest names it: its path, and its line for a
/// record.
pub(super) type DocKey = (String, Option<usize>);

/// A stretch of a document's text: a byte range, or `None` for all of it.
pub(super) type Stretch = (DocKey, Option<[usize; 2]>);

/// Stretches up to this many characters are kept whole, to be compared
/// with their twin on the page.
const COMPARED_CHARS: usize = 20_000;

/// Bytes of whole stretches kept over a run; past them stretches are
/// shown cut and not compared.
const COMPARED_BUDGET: usize = 64 << 20;

/// The start of a stretch of text, and how long it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    /// Its first [`TEXT_CHARS`] characters.
    pub text: String,
    /// Characters in the whole stretch.
    pub chars: usize,
    /// The whole stretch, when it is short enough to be compared.
    pub whole: Option<String>,
}

impl Excerpt {
    fn of(text: &str) -> Excerpt {
        let end = text
            .char_indices()
            .nth(TEXT_CHARS)
            .map_or(text.len(), |(at, _)| at);
        let chars = text.chars().count();
        Excerpt {
            text: text[..end].to_owned(),
            chars,
            whole: (end < text.len() && chars <= COMPARED_CHARS).then(|| text.to_owned()),
        }
    }

    /// The whole stretch, when it was kept.
    pub fn whole_text(&self) -> Option<&str> {
        if self.is_whole() {
            Some(&self.text)
        } else {
            self.whole.as_deref()
        }
    }

    /// Whether the excerpt is the whole stretch.
    pub fn is_whole(&self) -> bool {
        self.text.chars().count() == self.chars
    }
}

/// Excerpts of removed and kept texts, found by [`RemovalTexts::read`].
#[derive(Clone, Debug, Default)]
pub struct RemovalTexts {
    found: HashMap<Stretch, Excerpt>,
}

impl RemovalTexts {
    /// Reads again the documents `removals` name and keeps each removal's
    /// text and its kept twin's (a whole kept document's start).
    pub fn read(
        engine: &Engine,
        entries: &[Entry],
        removals: &[&Removed],
    ) -> io::Result<RemovalTexts> {
        let mut wanted: HashMap<DocKey, Vec<Option<[usize; 2]>>> = HashMap::new();
        for removed in removals {
            let (key, bytes) = removed_stretch(removed);
            wanted.entry(key).or_default().push(bytes);
            if let Some((key, bytes)) = twin_stretch(removed) {
                wanted.entry(key).or_default().push(bytes);
            }
        }
        let mut found = HashMap::new();
        let mut kept_whole = 0;
        if wanted.is_empty() {
            return Ok(RemovalTexts { found });
        }
        engine.pass(
            entries,
            Which::All,
            |doc| {
                let ReadOutcome::Decoded(decoded) = doc.outcome else {
                    return Vec::new();
                };
                let origin = &decoded.document.origin;
                let key = (origin.report_path(), origin.record_line());
                let Some(stretches) = wanted.get(&key) else {
                    return Vec::new();
                };
                let text = decoded.document.text();
                stretches
                    .iter()
                    .filter_map(|bytes| {
                        let part = match bytes {
                            Some([start, end]) => text.get(*start..*end)?,
                            None => text,
                        };
                        Some(((key.clone(), *bytes), Excerpt::of(part)))
                    })
                    .collect()
            },
            |batch: Vec<Vec<(Stretch, Excerpt)>>| -> io::Result<()> {
                for (stretch, mut excerpt) in batch.into_iter().flatten() {
                    kept_whole += excerpt.whole.as_ref().map_or(0, String::len);
                    if kept_whole > COMPARED_BUDGET {
                        excerpt.whole = None;
                    }
                    found.insert(stretch, excerpt);
                }
                Ok(())
            },
        )?;
        Ok(RemovalTexts { found })
    }

    /// The removed text of `removed`, when it was read.
    pub(super) fn removed(&self, removed: &Removed) -> Option<&Excerpt> {
        self.found.get(&removed_stretch(removed))
    }

    /// The kept text `removed` duplicates, when it was read.
    pub(super) fn twin(&self, removed: &Removed) -> Option<&Excerpt> {
        self.found.get(&twin_stretch(removed)?)
    }
}

/// The document a removal is taken from.
pub(super) fn document_key(removed: &Removed) -> DocKey {
    (
        removed.path.clone(),
        removed.id.as_ref().map(|_| removed.line),
    )
}

fn removed_stretch(removed: &Removed) -> Stretch {
    let whole = removed.reason.is_whole_document();
    (document_key(removed), (!whole).then_some(removed.bytes))
}

/// The kept twin's stretch: inside the same document or another input;
/// a document stored in an index has no text here.
fn twin_stretch(removed: &Removed) -> Option<Stretch> {
    let kept = removed.duplicate_of.as_ref().filter(|kept| !kept.stored)?;
    Some(((kept.path.clone(), kept.line), kept.bytes))
}
