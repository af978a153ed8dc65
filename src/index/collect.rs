//! Signing documents for the index: a [`Sink`] that keeps what the index
//! stores of each scanned document.

use std::io;

use super::format::{Place, SegmentBuilder, StoredDoc};
use crate::document::Origin;
use crate::pipeline::{ScannedDoc, Sink};

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

/// Passes the stored form of every scanned document, in input order, to a
/// segment being built.
#[derive(Debug)]
pub struct Collect<'a> {
    builder: &'a mut SegmentBuilder,
    /// Inputs that could not be read, as `place: reason`.
    pub problems: Vec<String>,
}

impl<'a> Collect<'a> {
    pub fn new(builder: &'a mut SegmentBuilder) -> Collect<'a> {
        Collect {
            builder,
            problems: Vec::new(),
        }
    }
}

impl Sink for Collect<'_> {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        self.builder.push(&stored_doc(doc))
    }

    fn problem(&mut self, problem: &crate::Problem) -> io::Result<()> {
        self.problems.push(problem.to_string());
        Ok(())
    }
}
