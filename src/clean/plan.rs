//! What to remove from one document, and the cleaned text that results.
//!
//! A [`Plan`] is a sorted list of disjoint [`Removal`]s over the document's
//! decoded text. Each removal deletes a byte range and may put a replacement
//! in its place (a damaged segment replaced by its clean twin). The cleaned
//! text is the original with every removal applied; the original comes back
//! by putting each removed range back, in order.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::seams::widen;
use crate::detect::within::Block;
use crate::document::{LineIndex, Span};
use crate::quality::{compare, Preference};

/// Why text was removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Reason {
    /// The whole document duplicates another, kept, document.
    DuplicateDocument,
    /// A later copy of a block repeated inside the document.
    BlockCopy,
    /// A damaged segment of the kept copy, replaced by a cleaner twin; or,
    /// with `clean --drop-damaged`, a whole document too damaged to keep.
    Damaged,
    /// A segment that already occurred in an earlier kept document.
    RepeatedSegment,
    /// A boilerplate line.
    Boilerplate,
    /// Latin mojibake (UTF-8 read as windows-1252), replaced by its
    /// repair (`clean --repair`).
    Repaired,
    /// The whole document lies inside another, longer, kept document
    /// (`clean --contained`).
    Contained,
}

impl Reason {
    /// Whether removals for this reason take a whole document out in
    /// favour of another document.
    pub fn is_whole_document(self) -> bool {
        matches!(self, Reason::DuplicateDocument | Reason::Contained)
    }
}

/// Where the kept twin of removed text sits: in the original (decoded) text
/// of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Twin {
    /// Document number; `None` for the document itself.
    pub doc: Option<u32>,
    /// `[start, end)`: byte offsets of the kept text in that document's original
    /// decoded text.
    pub bytes: Range<usize>,
}

/// One removal from a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    /// The range deleted from the original decoded text.
    pub bytes: Range<usize>,
    /// The span that was found duplicate (inside `bytes`).
    pub content: Span,
    /// Why the text is removed.
    pub reason: Reason,
    /// Text put in the removed range's place.
    pub replacement: String,
    /// The kept text this duplicates, if any.
    pub twin: Option<Twin>,
}

/// The removals of one document, sorted and disjoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Sorted by where they start; no two overlap.
    pub removals: Vec<Removal>,
}

/// Which copy of duplicated text to keep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Keep {
    /// The first in input order.
    First,
    /// The longest; ties go to the first.
    Longest,
    /// The least damaged; ties go to the first.
    #[default]
    Cleanest,
}

impl Plan {
    /// Adds `removal` unless it overlaps one already planned.
    pub fn add(&mut self, removal: Removal) -> bool {
        let at = self
            .removals
            .partition_point(|r| r.bytes.start < removal.bytes.start);
        let clashes_before = at > 0 && self.removals[at - 1].bytes.end > removal.bytes.start;
        let clashes_after = self
            .removals
            .get(at)
            .is_some_and(|r| r.bytes.start < removal.bytes.end);
        if clashes_before || clashes_after || removal.bytes.is_empty() {
            return false;
        }
        self.removals.insert(at, removal);
        true
    }

    /// The cleaned text.
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for removal in &self.removals {
            out.push_str(&text[at..removal.bytes.start]);
            out.push_str(&removal.replacement);
            at = removal.bytes.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// Bytes removed, net of replacements.
    pub fn removed_bytes(&self) -> usize {
        self.removals
            .iter()
            .map(|r| r.bytes.len().saturating_sub(r.replacement.len()))
            .sum()
    }
}

/// Plans the removal of every copy but the first of each block; with
/// `Keep::Cleanest`, also the replacement of damaged segments of the first
/// copy by cleaner versions from the other copies.
pub fn plan_blocks(plan: &mut Plan, text: &str, index: &LineIndex, blocks: &[Block], keep: Keep) {
    for block in blocks {
        if keep == Keep::Cleanest {
            plan_repairs(plan, text, block);
        }
        let kept = &block.copies[0].span;
        for copy in &block.copies[1..] {
            let bytes = widen(text, index, copy.span.bytes.clone());
            if bytes.start < kept.bytes.end {
                // A twin must lie whole before its copy for restore to rebuild it.
                continue;
            }
            plan.add(Removal {
                bytes,
                content: copy.span.clone(),
                reason: Reason::BlockCopy,
                replacement: String::new(),
                twin: Some(Twin {
                    doc: None,
                    bytes: kept.bytes.clone(),
                }),
            });
        }
    }
}

/// Replaces damaged segments of a block's first copy by the cleanest of
/// their counterparts in the other copies.
fn plan_repairs(plan: &mut Plan, text: &str, block: &Block) {
    let mut pairs: Vec<(&Span, &Span)> = block
        .differing
        .iter()
        .filter_map(|d| Some((d.first.as_ref()?, d.other.as_ref()?)))
        .collect();
    pairs.sort_by_key(|(first, _)| first.bytes.start);
    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
        let kept = group[0].0;
        let mut best = &text[kept.bytes.clone()];
        for (_, other) in group {
            let candidate = &text[other.bytes.clone()];
            if compare(best, candidate) == Preference::Second {
                best = candidate;
            }
        }
        if best != &text[kept.bytes.clone()] {
            plan.add(Removal {
                bytes: kept.bytes.clone(),
                content: kept.clone(),
                reason: Reason::Damaged,
                replacement: best.to_owned(),
                twin: None,
            });
        }
    }
}

/// Plans the removal of a whole document in favour of document `kept_doc`
/// (a duplicate, or a document it lies inside): everything goes.
pub fn plan_whole(
    plan: &mut Plan,
    text: &str,
    index: &LineIndex,
    reason: Reason,
    kept_doc: u32,
    kept_len: usize,
) {
    if text.is_empty() {
        return;
    }
    plan.add(Removal {
        bytes: 0..text.len(),
        content: index.span(0..text.len()),
        reason,
        replacement: String::new(),
        twin: Some(Twin {
            doc: Some(kept_doc),
            bytes: 0..kept_len,
        }),
    });
}

/// Plans the removal of one segment or line found elsewhere.
pub fn plan_span(
    plan: &mut Plan,
    text: &str,
    index: &LineIndex,
    span: Span,
    reason: Reason,
    twin: Option<Twin>,
) {
    plan.add(Removal {
        bytes: widen(text, index, span.bytes.clone()),
        content: span,
        reason,
        replacement: String::new(),
        twin,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EngineBuilder;

    #[test]
    fn overlapping_removals_are_refused() {
        let index = LineIndex::new("abcdef");
        let removal = |bytes: Range<usize>| Removal {
            content: index.span(bytes.clone()),
            bytes,
            reason: Reason::BlockCopy,
            replacement: String::new(),
            twin: None,
        };
        let mut plan = Plan::default();
        assert!(plan.add(removal(2..4)));
        assert!(!plan.add(removal(3..5)));
        assert!(!plan.add(removal(1..3)));
        assert!(plan.add(removal(0..2)));
        assert!(plan.add(removal(4..6)));
        assert_eq!(plan.apply("abcdef"), "");
    }

    #[test]
    fn later_block_copies_go_and_the_gap_closes() {
        let para = "A paragraph long enough to be a block of its own, with words.";
        let text = format!("Intro line here.\n\n{para}\n\nMiddle part.\n\n{para}\n\nOutro part.\n");
        let doc = EngineBuilder::new()
            .build()
            .expect("default settings are valid")
            .scan_text(crate::document::Origin::Stdin, &text);
        let mut plan = Plan::default();
        plan_blocks(&mut plan, &text, &doc.index, &doc.blocks, Keep::Cleanest);
        assert_eq!(
            plan.apply(&text),
            format!("Intro line here.\n\n{para}\n\nMiddle part.\n\nOutro part.\n")
        );
    }

    #[test]
    fn the_kept_copy_takes_the_clean_version_of_a_damaged_segment() {
        let clean = "群團事業是黨的事業的重要組成部分，群團工作是黨的一項經常性、基礎性工作。";
        let damaged = "群團事業是黨的事業的重要組成部分，群團工作是黨的一項?j常性、基礎性工作。";
        let other = "黨的十八大提出兩個一百年奮鬥目標，實現中華民族偉大復興的中國夢。";
        let text = format!("{damaged}\n\n{other}\n\n分隔段落。\n\n{clean}\n\n{other}\n");
        let doc = EngineBuilder::new()
            .build()
            .expect("default settings are valid")
            .scan_text(crate::document::Origin::Stdin, &text);
        assert_eq!(doc.blocks.len(), 1);
        let mut plan = Plan::default();
        plan_blocks(&mut plan, &text, &doc.index, &doc.blocks, Keep::Cleanest);
        assert_eq!(
            plan.apply(&text),
            format!("{clean}\n\n{other}\n\n分隔段落。\n")
        );
        let mut first_only = Plan::default();
        plan_blocks(&mut first_only, &text, &doc.index, &doc.blocks, Keep::First);
        assert!(first_only.apply(&text).starts_with(damaged));
    }
}
