//! Segmenting and scanning one text.
//!
//! The first byte chooses the granularity and the smallest block; the rest,
//! read as UTF-8 (invalid sequences replaced), is scanned. Invariants: every
//! segment and every copy of a block lies inside the text on character
//! boundaries, and its line range is the lines of its first and last byte;
//! segments are non-blank, trimmed, in order and disjoint; the copies of a
//! block are in order and do not overlap, and those of an exact block are
//! the same text.
#![no_main]

use std::sync::OnceLock;

use doppel::document::{LineIndex, Origin, Span};
use doppel::{Engine, EngineBuilder, Segmenter};
use doppel_fuzz::GRANULARITIES;
use libfuzzer_sys::fuzz_target;

/// Smallest block, in units: small, so short inputs have blocks.
const MIN_UNITS: [usize; 4] = [1, 2, 5, 10];

/// One engine per (granularity, smallest block), built once.
fn engine(choice: u8) -> &'static Engine {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| {
        let mut engines = Vec::new();
        for granularity in GRANULARITIES {
            for units in MIN_UNITS {
                engines.push(
                    EngineBuilder::new()
                        .granularity(granularity)
                        .min_units(units)
                        .across_documents(false)
                        .build()
                        .expect("valid settings"),
                );
            }
        }
        engines
    });
    &engines[usize::from(choice) % engines.len()]
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let text = text.as_ref();
    let index = LineIndex::new(text);

    let granularity = GRANULARITIES[usize::from(choice) / MIN_UNITS.len() % GRANULARITIES.len()];
    let segments = Segmenter::new(granularity).segment(text);
    check_segments(text, &index, &segments);

    let scanned = engine(choice).scan_text(Origin::Stdin, text);
    assert_eq!(scanned.document.text(), text);
    check_segments(text, &index, &scanned.segments);
    for block in &scanned.blocks {
        assert!(
            block.copies.len() >= 2,
            "a block with {} copies",
            block.copies.len()
        );
        for copy in &block.copies {
            check_span(text, &index, &copy.span, "copy");
            assert!(
                copy.segments.start <= copy.segments.end
                    && copy.segments.end <= scanned.segments.len(),
                "copy segments {:?} of {}",
                copy.segments,
                scanned.segments.len()
            );
        }
        for pair in block.copies.windows(2) {
            assert!(
                pair[0].span.bytes.end <= pair[1].span.bytes.start,
                "copies overlap or are out of order: {:?} then {:?}",
                pair[0].span,
                pair[1].span
            );
        }
        if block.exact {
            let first = &text[block.copies[0].span.bytes.clone()];
            for copy in &block.copies[1..] {
                assert_eq!(
                    &text[copy.span.bytes.clone()],
                    first,
                    "exact block copies differ"
                );
            }
        }
        for differing in &block.differing {
            assert!(
                differing.copy >= 1 && differing.copy < block.copies.len(),
                "differing names copy {} of {}",
                differing.copy,
                block.copies.len()
            );
            for span in differing.first.iter().chain(&differing.other) {
                check_span(text, &index, span, "differing segment");
            }
        }
    }
    assert!(scanned.duplicate_bytes() <= text.len());
});

fn check_segments(text: &str, index: &LineIndex, segments: &[Span]) {
    for span in segments {
        check_span(text, index, span, "segment");
        let slice = &text[span.bytes.clone()];
        assert!(!slice.trim().is_empty(), "blank segment {span:?}");
        assert_eq!(slice, slice.trim(), "untrimmed segment {span:?}");
    }
    for pair in segments.windows(2) {
        assert!(
            pair[0].bytes.end <= pair[1].bytes.start,
            "segments overlap or are out of order: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
}

fn check_span(text: &str, index: &LineIndex, span: &Span, what: &str) {
    let bytes = &span.bytes;
    assert!(
        bytes.start <= bytes.end && bytes.end <= text.len(),
        "{what} {bytes:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(bytes.start) && text.is_char_boundary(bytes.end),
        "{what} {bytes:?} not on character boundaries"
    );
    let lines = span.lines;
    assert!(
        1 <= lines.first && lines.first <= lines.last && lines.last <= index.line_count(),
        "{what} lines {lines:?} of {}",
        index.line_count()
    );
    assert_eq!(
        lines.first,
        index.line_of(bytes.start),
        "{what} {span:?}: first line"
    );
    if bytes.end > bytes.start {
        assert_eq!(
            lines.last,
            index.line_of(bytes.end - 1),
            "{what} {span:?}: last line"
        );
    }
}
