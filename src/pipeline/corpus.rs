//! The corpus-wide core every driver shares: what scanned documents leave
//! behind, folded in input order ([`CorpusState::add`]), and the findings
//! made from it after the last document ([`CorpusState::finish`]).
//!
//! Drivers differ only in where texts come from and where results go: the
//! file scan ([`Engine::scan`](super::Engine::scan)) feeds documents read
//! from inputs and hands results to a sink; the in-memory scan
//! ([`CorpusScan`](super::CorpusScan)) feeds `(id, text)` pairs and returns
//! results. Both number documents, index them and verify candidates here,
//! so the same texts give the same findings.

use std::collections::HashMap;
use std::io;

use super::numbering::{DocNumbers, TooManyDocuments};
use super::{Engine, ScannedDoc};
use crate::detect::across::{Cluster, CorpusIndex, RepeatedSegment};
use crate::detect::boilerplate::{Boilerplate, BoilerplateCounter};
use crate::detect::containment::{Contained, ContainmentIndex};
use crate::detect::passages::{Passage, PassageIndex};
use crate::detect::removal::DuplicateGraph;
use crate::detect::sets::{verify, SetCache, SetSpill, SetStore};
use crate::document::LineRange;

/// Bytes of shingle sets held at once while candidates are verified.
const VERIFY_BUDGET: usize = 64 << 20;
/// Bytes of shingle sets kept for the comparisons clique building adds.
const CACHE_BUDGET: usize = 16 << 20;

/// Where the shingle sets that verify candidates are kept until the end.
#[derive(Debug)]
enum Sets {
    /// Not kept: documents are not compared, or the driver reads the sets
    /// again from its inputs.
    Dropped,
    /// In a temporary file (the default).
    Spill(SetSpill),
    /// In memory, by document number (representatives only): for drivers
    /// that have nothing to read again when no temporary file can be made.
    Memory(HashMap<u32, Vec<u32>>),
}

/// What the driver does when no temporary file for shingle sets can be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SetFallback {
    /// Read the documents involved again at the end (files can be).
    Reread,
    /// Keep every set in memory (texts given in memory cannot be).
    Memory,
}

/// Corpus-wide state, filled one document at a time in input order.
#[derive(Debug)]
pub(crate) struct CorpusState {
    numbers: DocNumbers,
    index: CorpusIndex,
    boilerplate: BoilerplateCounter,
    passages: Option<PassageIndex>,
    segment_lines: Vec<Vec<LineRange>>,
    sets: Sets,
    /// Each document's anchors, when contained documents are looked for.
    containment: Option<ContainmentIndex>,
}

/// The corpus-wide findings, by document number.
#[derive(Debug, Default)]
pub(crate) struct RawFindings {
    pub clusters: Vec<Cluster>,
    pub duplicates: DuplicateGraph,
    pub repeated: Vec<RepeatedSegment>,
    pub boilerplate: Vec<Boilerplate>,
    pub passages: Vec<Passage>,
    pub contained: Vec<Contained>,
    pub segment_lines: Vec<Vec<LineRange>>,
}

impl CorpusState {
    /// The state before the first document.
    pub fn new(engine: &Engine, fallback: SetFallback) -> CorpusState {
        let compare = engine.corpus && engine.find.documents;
        let sets = if !compare {
            Sets::Dropped
        } else {
            match (engine.spill, fallback) {
                (true, _) => match (SetSpill::new(), fallback) {
                    (Ok(spill), _) => Sets::Spill(spill),
                    (Err(_), SetFallback::Reread) => Sets::Dropped,
                    (Err(_), SetFallback::Memory) => Sets::Memory(HashMap::new()),
                },
                (false, SetFallback::Reread) => Sets::Dropped,
                (false, SetFallback::Memory) => Sets::Memory(HashMap::new()),
            }
        };
        CorpusState {
            numbers: DocNumbers::default(),
            index: CorpusIndex::new(engine.across.clone()),
            boilerplate: BoilerplateCounter::new(engine.boilerplate.clone()),
            passages: engine.passages.clone().map(PassageIndex::new),
            segment_lines: Vec::new(),
            sets,
            containment: engine.containment.clone().map(ContainmentIndex::new),
        }
    }

    /// Folds the next document in; returns its number. Checked first: the
    /// indexes number documents with 32 bits, and past the last number they
    /// would wrap.
    pub fn add(&mut self, engine: &Engine, doc: &ScannedDoc) -> Result<u32, TooManyDocuments> {
        self.numbers.next_number()?;
        let number = self.index.add(&doc.sketch);
        // Only representatives are ever candidates: an exact twin leaves
        // an empty set.
        let representative = self.index.is_representative(number);
        match &mut self.sets {
            Sets::Dropped => {}
            Sets::Spill(spill) => spill.push(if representative {
                &doc.sketch.shingles
            } else {
                &[]
            }),
            Sets::Memory(sets) => {
                if representative && !doc.sketch.shingles.is_empty() {
                    let mut set = doc.sketch.shingles.clone();
                    set.sort_unstable();
                    set.dedup();
                    sets.insert(number, set);
                }
            }
        }
        if let Some(containment) = &mut self.containment {
            containment.add(if representative {
                &doc.sketch.shingles
            } else {
                &[]
            });
        }
        if engine.find.boilerplate && representative {
            self.boilerplate
                .add(&doc.group, doc.document.text(), &doc.lines);
        }
        if let Some(passages) = &mut self.passages {
            passages.add(doc.prints.iter().map(|p| passages.segment(p)).collect());
            self.segment_lines
                .push(doc.segments.iter().map(|s| s.lines).collect());
        }
        Ok(number)
    }

    /// Whether `doc` is the first of its exact group (only those are
    /// indexed segment by segment).
    pub fn is_representative(&self, doc: u32) -> bool {
        self.index.is_representative(doc)
    }

    /// Segments repeated from earlier documents, so far.
    pub fn repeated_segments(&self) -> &[RepeatedSegment] {
        self.index.repeated_segments()
    }

    /// Makes the findings that were asked for. `reread` gives the compact
    /// shingle sets of the documents it is handed when they were not kept
    /// (the file driver reads them again).
    pub fn finish(
        mut self,
        engine: &Engine,
        reread: impl FnMut(&[u32]) -> io::Result<HashMap<u32, Vec<u32>>>,
    ) -> io::Result<RawFindings> {
        // What verification does not need is finished and released first.
        let boilerplate = std::mem::take(&mut self.boilerplate).finish();
        let (clusters, duplicates, contained) = if engine.find.documents {
            self.document_findings(reread)?
        } else {
            Default::default()
        };
        Ok(RawFindings {
            clusters,
            duplicates,
            contained,
            repeated: self.index.repeated_segments().to_vec(),
            boilerplate,
            passages: self
                .passages
                .map(|index| index.passages())
                .unwrap_or_default(),
            segment_lines: self.segment_lines,
        })
    }

    /// Duplicate documents: candidates verified on the kept shingle sets
    /// (else on sets read again), joined into clusters, with the graph of
    /// the verified relations; then, when asked for, contained documents
    /// outside their container's cluster.
    fn document_findings(
        &mut self,
        mut reread: impl FnMut(&[u32]) -> io::Result<HashMap<u32, Vec<u32>>>,
    ) -> io::Result<(Vec<Cluster>, DuplicateGraph, Vec<Contained>)> {
        let pairs = self.index.candidates();
        // Whether the store holds every document's set, or only those read
        // again for these pairs.
        let (store, whole) = match std::mem::replace(&mut self.sets, Sets::Dropped) {
            Sets::Spill(spill) => match spill.finish() {
                Some(store) => (store, true),
                None => (
                    SetStore::in_memory(reread(&CorpusIndex::needs_verification(&pairs))?),
                    false,
                ),
            },
            Sets::Memory(sets) => (SetStore::in_memory(sets), true),
            Sets::Dropped => (
                SetStore::in_memory(reread(&CorpusIndex::needs_verification(&pairs))?),
                false,
            ),
        };
        let sims = verify(&pairs, &store, VERIFY_BUDGET, self.index.threshold())?;
        let clusters =
            self.index
                .clusters(&pairs, &sims, &mut SetCache::new(&store, CACHE_BUDGET))?;
        let duplicates = self.index.duplicates(&pairs, &sims);
        let Some(mut containment) = self.containment.take() else {
            return Ok((clusters, duplicates, Vec::new()));
        };
        let cluster_of: HashMap<u32, usize> = clusters
            .iter()
            .enumerate()
            .flat_map(|(at, cluster)| cluster.members.iter().map(move |&doc| (doc, at)))
            .collect();
        let pairs = containment.candidates(|a, b| {
            cluster_of
                .get(&a)
                .is_some_and(|at| cluster_of.get(&b) == Some(at))
        });
        let contained = if whole {
            containment.verify(&pairs, &store, VERIFY_BUDGET)?
        } else {
            drop(store);
            let store = SetStore::in_memory(reread(&CorpusIndex::needs_verification(&pairs))?);
            containment.verify(&pairs, &store, VERIFY_BUDGET)?
        };
        Ok((clusters, duplicates, contained))
    }
}

/// For tests of the numbering limit.
#[cfg(test)]
impl CorpusState {
    pub(crate) fn numbered_from(mut self, next: u32) -> CorpusState {
        self.numbers = DocNumbers::starting_at(next);
        self
    }
}
