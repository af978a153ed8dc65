//! Places in a text as every caller can use them: byte offsets for Rust's
//! `&str`, code-point offsets for a language whose strings index by
//! character (Python's `str`), and lines.
//!
//! A [`CharIndex`] is made once per document and turns the byte offsets the
//! detectors work in into character offsets; the `Found…` types are the
//! in-memory scan's results ([`CorpusScan`](super::CorpusScan)) with every
//! span given both ways.

use std::ops::Range;

use crate::detect::within::{Block, Differing};
use crate::document::{LineRange, Span};

/// A stretch of a document's text, as bytes, as characters and as lines.
///
/// `&text[span.bytes.clone()]` and
/// `text.chars().skip(span.chars.start).take(span.chars.len())` are the same
/// text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TextSpan {
    /// Byte offsets into the UTF-8 text, end exclusive.
    pub bytes: Range<usize>,
    /// Code-point (Unicode scalar value) offsets, end exclusive.
    pub chars: Range<usize>,
    /// The 1-based, inclusive lines it covers.
    pub lines: LineRange,
}

/// Turns byte offsets of one text into character offsets (Python's string
/// indices), for every driver that hands spans to another language.
///
/// ASCII text needs no table. Otherwise the characters before every 64th
/// byte are counted once; an offset then costs at most 63 bytes of counting.
#[derive(Clone, Debug)]
pub struct CharIndex<'t> {
    text: &'t [u8],
    /// Characters before byte `64 * i`; empty for ASCII text.
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 64;

/// Whether a byte starts a character (is not a UTF-8 continuation byte).
fn starts_char(byte: u8) -> bool {
    (byte as i8) >= -0x40
}

impl<'t> CharIndex<'t> {
    /// Indexes `text`: nothing for ASCII text, else one count per 64 bytes.
    pub fn new(text: &'t str) -> CharIndex<'t> {
        let bytes = text.as_bytes();
        let checkpoints = if bytes.is_ascii() {
            Vec::new()
        } else {
            let mut checkpoints = Vec::with_capacity(bytes.len() / STRIDE + 1);
            let mut count = 0;
            checkpoints.push(0);
            for chunk in bytes.chunks(STRIDE) {
                count += chunk.iter().filter(|&&b| starts_char(b)).count();
                checkpoints.push(count);
            }
            checkpoints
        };
        CharIndex {
            text: bytes,
            checkpoints,
        }
    }

    /// Characters before byte `offset` (a character boundary, at most the
    /// text's length).
    pub fn char_of(&self, offset: usize) -> usize {
        if self.checkpoints.is_empty() {
            return offset;
        }
        let offset = offset.min(self.text.len());
        let at = offset / STRIDE;
        let counted = self.text[at * STRIDE..offset]
            .iter()
            .filter(|&&b| starts_char(b))
            .count();
        self.checkpoints[at] + counted
    }

    /// The span as bytes, characters and lines.
    pub fn place(&self, span: &Span) -> TextSpan {
        TextSpan {
            bytes: span.bytes.clone(),
            chars: self.char_of(span.bytes.start)..self.char_of(span.bytes.end),
            lines: span.lines,
        }
    }
}

/// A region of text that occurs two or more times in one document.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FoundBlock {
    /// Every occurrence, in document order.
    pub copies: Vec<TextSpan>,
    /// Segments in the first copy.
    pub segments: usize,
    /// Mean similarity of the other copies to the first (1.0 when exact).
    pub similarity: f64,
    /// Every copy is byte-for-byte the same text.
    pub exact: bool,
    /// Where a copy departs from the first copy.
    pub differing: Vec<FoundDiffering>,
}

/// A segment where copy `copy` departs from the first copy: each side is
/// the span that differs, `None` where a segment exists in only one copy.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FoundDiffering {
    /// Index into [`FoundBlock::copies`], ≥ 1.
    pub copy: usize,
    /// The first copy's differing segment.
    pub first: Option<TextSpan>,
    /// Copy `copy`'s differing segment.
    pub other: Option<TextSpan>,
    /// Jaccard similarity of the two segments' shingle sets; 0 for a
    /// one-sided segment.
    pub similarity: f64,
}

/// A segment whose normalized text already occurred in an earlier document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FoundRepeat {
    /// The document that repeats it (document number).
    pub doc: u32,
    /// Index of the segment in that document's segments.
    pub segment: u32,
    /// The segment in the document that repeats it.
    pub span: TextSpan,
    /// Where it first occurred.
    pub first_doc: u32,
    /// Index of the segment in the first document's segments.
    pub first_segment: u32,
    /// The segment where it first occurred.
    pub first_span: TextSpan,
}

/// A passage that occurs in two or more documents.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FoundPassage {
    /// Every copy, sorted by document then position.
    pub copies: Vec<FoundPassageCopy>,
    /// Every link between copies is of normalized-equal segments without gaps.
    pub exact: bool,
    /// Lowest similarity of two linked copies (1.0 when exact).
    pub similarity: f64,
}

/// One occurrence of a passage.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FoundPassageCopy {
    /// Document number.
    pub doc: u32,
    /// Indices of the document's segments it covers.
    pub segments: Range<usize>,
    /// The copy's bytes, characters and lines in its document's text.
    pub span: TextSpan,
}

impl FoundBlock {
    pub(crate) fn new(block: &Block, chars: &CharIndex<'_>) -> FoundBlock {
        FoundBlock {
            copies: block.copies.iter().map(|c| chars.place(&c.span)).collect(),
            segments: block.segments,
            similarity: block.similarity,
            exact: block.exact,
            differing: block
                .differing
                .iter()
                .map(|d: &Differing| FoundDiffering {
                    copy: d.copy,
                    first: d.first.as_ref().map(|s| chars.place(s)),
                    other: d.other.as_ref().map(|s| chars.place(s)),
                    similarity: d.similarity,
                })
                .collect(),
        }
    }
}

/// The span from the start of segment `segments.start` to the end of
/// segment `segments.end - 1`, or `None` when they are not all there.
pub(crate) fn covering(places: &[TextSpan], segments: &Range<usize>) -> Option<TextSpan> {
    let first = places.get(segments.start)?;
    let last = places.get(segments.end.checked_sub(1)?)?;
    Some(TextSpan {
        bytes: first.bytes.start..last.bytes.end,
        chars: first.chars.start..last.chars.end,
        lines: LineRange::new(first.lines.first, last.lines.last),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::LineIndex;

    fn slice_chars(text: &str, chars: &Range<usize>) -> String {
        text.chars().skip(chars.start).take(chars.len()).collect()
    }

    #[test]
    fn character_offsets_slice_the_same_text_as_byte_offsets() {
        // Long enough to cross several checkpoints, with 1- to 4-byte
        // characters on both sides of them.
        let text = "ascii héllo 中文文本 😀 emoji\nline two ключ 日本語のテキスト\r\n".repeat(20);
        let chars = CharIndex::new(&text);
        let index = LineIndex::new(&text);
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(at, _)| at)
            .chain([text.len()])
            .collect();
        for (n, &start) in boundaries.iter().enumerate().step_by(7) {
            assert_eq!(chars.char_of(start), n, "byte {start}");
            for &end in boundaries[n..].iter().step_by(13).take(5) {
                let place = chars.place(&index.span(start..end));
                assert_eq!(slice_chars(&text, &place.chars), &text[place.bytes.clone()]);
            }
        }
    }

    #[test]
    fn ascii_text_needs_no_table() {
        let chars = CharIndex::new("plain text");
        assert!(chars.checkpoints.is_empty());
        assert_eq!(chars.char_of(5), 5);
    }
}
