//! Encoding damage findings on text misread the way a broken pipeline
//! misreads it.
//!
//! The first byte chooses the granularity, the legacy encoding the rest is
//! decoded with (GBK, Big5, Shift_JIS, EUC-KR, or UTF-8 with invalid
//! sequences replaced) and what becomes of the bytes the decoder could not
//! read (U+FFFD, `?`, or nothing), so the text is full of the misaligned
//! pairs, stray trail bytes and lone `?` the damage rules look at.
//! Invariants: each finding is one segment's bytes and lines, in order,
//! with its kinds named once each in order and a positive score; what it
//! marks lies inside the segment on character boundaries; a document's
//! damage is the sum of its findings; the same text gives the same
//! findings; [`Damage::of`] never panics.
#![no_main]

use doppel::document::LineIndex;
use doppel::quality::{findings, Damage, DocumentDamage};
use doppel::Segmenter;
use doppel_fuzz::GRANULARITIES;
use encoding_rs::{Encoding, BIG5, EUC_KR, GBK, SHIFT_JIS, UTF_8};
use libfuzzer_sys::fuzz_target;

const ENCODINGS: [&Encoding; 5] = [GBK, BIG5, SHIFT_JIS, EUC_KR, UTF_8];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let choice = usize::from(choice);
    let granularity = GRANULARITIES[choice % GRANULARITIES.len()];
    let encoding = ENCODINGS[choice / GRANULARITIES.len() % ENCODINGS.len()];
    let (decoded, _) = encoding.decode_without_bom_handling(rest);
    let text = match choice / (GRANULARITIES.len() * ENCODINGS.len()) % 3 {
        0 => decoded.into_owned(),
        1 => decoded.replace('\u{FFFD}', "?"),
        _ => decoded.replace('\u{FFFD}', ""),
    };
    let text = text.as_str();
    let index = LineIndex::new(text);
    let segments = Segmenter::new(granularity).segment(text);

    let found = findings(text, &segments);
    let mut next_segment = 0;
    for finding in &found {
        let at = segments[next_segment..]
            .iter()
            .position(|segment| segment.bytes == finding.bytes)
            .unwrap_or_else(|| panic!("finding {:?} is no segment", finding.bytes));
        let segment = &segments[next_segment + at];
        next_segment += at + 1;
        assert_eq!(finding.lines, segment.lines, "lines of {:?}", finding.bytes);
        assert!(!finding.kinds.is_empty(), "no kind: {finding:?}");
        assert!(
            finding.kinds.windows(2).all(|pair| pair[0] < pair[1]),
            "kinds out of order or repeated: {:?}",
            finding.kinds
        );
        assert!(finding.score > 0, "no score: {finding:?}");
        let marked = &finding.marked;
        assert!(
            finding.bytes.start <= marked.start
                && marked.start < marked.end
                && marked.end <= finding.bytes.end,
            "marked {marked:?} outside {:?}",
            finding.bytes
        );
        assert!(
            text.is_char_boundary(marked.start) && text.is_char_boundary(marked.end),
            "marked {marked:?} not on character boundaries"
        );
        let first = index.line_of(marked.start);
        assert!(
            finding.lines.first <= first && first <= finding.lines.last,
            "marked {marked:?} on line {first}, outside {:?}",
            finding.lines
        );
    }
    assert_eq!(
        found,
        findings(text, &segments),
        "findings differ on a rerun"
    );

    let document = DocumentDamage::of(text, &segments);
    assert_eq!(document.segments, found);
    assert_eq!(
        document.score,
        found.iter().map(|finding| finding.score).sum::<u32>()
    );
    let _ = Damage::of(text);
});
