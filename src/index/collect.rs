//! Signing documents for the index: a [`SignSink`] that keeps what the
//! index stores of each signed document ([`Engine::sign`](crate::Engine::sign):
//! per-document sketches, no corpus-wide work).

use std::io;

use super::format::{Place, SegmentBuilder, StoredDoc};
use crate::document::Origin;
use crate::pipeline::{ScannedDoc, SignSink, SignedDoc};
use crate::Problem;

/// What the index keeps of a scanned document: its exact hash, band keys,
/// compact shingle set (sorted, no repeats) and place.
pub fn stored_doc(doc: &ScannedDoc) -> StoredDoc {
    let mut set = doc.sketch.shingles.clone();
    set.sort_unstable();
    set.dedup();
    StoredDoc {
        exact: doc.sketch.exact,
        bands: doc.sketch.bands.clone(),
        set,
        place: place(&doc.document.origin),
    }
}

/// Where a document came from, as the index records it.
pub fn place(origin: &Origin) -> Place {
    match origin {
        Origin::Record { id, line, .. } => Place {
            path: origin.report_path(),
            line: Some(*line as u64),
            id: Some(id.clone()),
        },
        Origin::Path(_) | Origin::Stdin => Place {
            path: origin.report_path(),
            line: None,
            id: None,
        },
    }
}

/// What the index keeps of a signed document (its shingle set is already
/// sorted, without repeats).
pub fn signed_doc(doc: SignedDoc) -> StoredDoc {
    StoredDoc {
        exact: doc.exact,
        place: place(&doc.origin),
        bands: doc.bands,
        set: doc.shingles,
    }
}

/// Passes the stored form of every signed document, in input order, to a
/// segment being built.
#[derive(Debug)]
pub struct Collect<'a> {
    builder: &'a mut SegmentBuilder,
    /// Inputs that could not be read, as `place: reason`.
    pub problems: Vec<String>,
}

impl<'a> Collect<'a> {
    /// A sink that adds every scanned document to `builder`.
    pub fn new(builder: &'a mut SegmentBuilder) -> Collect<'a> {
        Collect {
            builder,
            problems: Vec::new(),
        }
    }
}

impl Collect<'_> {
    /// How many inputs could not be read or decoded.
    pub fn errors(&self) -> usize {
        self.problems.len()
    }
}

impl SignSink for Collect<'_> {
    fn input_problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.problems.push(problem.to_string());
        Ok(())
    }

    fn document(&mut self, doc: SignedDoc) -> io::Result<()> {
        self.builder.push(&signed_doc(doc))
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.problems.push(problem.to_string());
        Ok(())
    }

    fn skipped(&mut self, _origin: &Origin) -> io::Result<()> {
        Ok(())
    }
}
