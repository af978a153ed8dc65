//! Text to segments: the units that detection compares.
//!
//! A segment is a [`Span`] into the document's text: the byte range of its
//! text (leading and trailing white space trimmed) and the lines it covers.
//! Blank and white-space-only lines never belong to a segment.
//!
//! Which granularity to choose:
//!
//! - [`Granularity::Paragraph`]: runs of non-blank lines separated by blank
//!   lines. Right for articles, documentation, most prose.
//! - [`Granularity::Line`]: every non-blank line. Right for lists, logs,
//!   navigation and footers, and to find a repeated line inside different
//!   paragraphs.
//! - [`Granularity::Sentence`]: sentences, split after `。！？.!?…` and the like
//!   (Latin full stops only before white space), fragments shorter than
//!   [`Segmenter::min_sentence_chars`] joined to the next.
//! - [`Granularity::Auto`] (the default): paragraphs, except that a paragraph
//!   longer than [`Segmenter::long_paragraph_chars`] is cut into sentences. A
//!   page flattened to one line, or CJK text without line breaks, is still
//!   compared in pieces small enough to find what it repeats.
//!
//! ```
//! use doppel::{Granularity, Segmenter};
//! let text = "First paragraph.\n\nSecond one,\nover two lines.\n";
//! let spans = Segmenter::new(Granularity::Paragraph).segment(text);
//! assert_eq!(spans.len(), 2);
//! assert_eq!((spans[1].lines.first, spans[1].lines.last), (3, 4));
//! ```

use std::ops::Range;
use std::str::FromStr;

use crate::document::{LineIndex, Span};

/// The unit of comparison.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Granularity {
    /// Runs of non-blank lines separated by blank lines.
    Paragraph,
    /// Every non-blank line.
    Line,
    /// Sentences, short fragments joined to the next.
    Sentence,
    /// Paragraphs, long ones cut into sentences (the default).
    #[default]
    Auto,
}

impl FromStr for Granularity {
    type Err = String;

    fn from_str(s: &str) -> Result<Granularity, String> {
        match s {
            "paragraph" => Ok(Granularity::Paragraph),
            "line" => Ok(Granularity::Line),
            "sentence" => Ok(Granularity::Sentence),
            "auto" => Ok(Granularity::Auto),
            other => Err(format!(
                "unknown segment kind '{other}' (expected paragraph, line, sentence or auto)"
            )),
        }
    }
}

/// Cuts text into segments.
#[derive(Clone, Debug)]
pub struct Segmenter {
    granularity: Granularity,
    /// In `Auto`, paragraphs longer than this many characters are cut into
    /// sentences. Default 1,000.
    pub long_paragraph_chars: usize,
    /// Sentences shorter than this many characters are joined to the next.
    /// Default 24.
    pub min_sentence_chars: usize,
}

impl Segmenter {
    /// A segmenter of `granularity`, with the default lengths.
    pub fn new(granularity: Granularity) -> Segmenter {
        Segmenter {
            granularity,
            long_paragraph_chars: 1_000,
            min_sentence_chars: 24,
        }
    }

    /// The unit it cuts text into.
    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// Segments `text`, building its line index.
    pub fn segment(&self, text: &str) -> Vec<Span> {
        self.segment_indexed(text, &LineIndex::new(text))
    }

    /// Segments `text` whose line index is already built.
    pub fn segment_indexed(&self, text: &str, index: &LineIndex) -> Vec<Span> {
        let mut spans = Vec::new();
        match self.granularity {
            Granularity::Line => {
                for line in 1..=index.line_count() {
                    push_trimmed(text, index.line_bytes(line), index, &mut spans);
                }
            }
            Granularity::Paragraph => {
                for range in paragraphs(text, index) {
                    push_trimmed(text, range, index, &mut spans);
                }
            }
            Granularity::Sentence => {
                for range in paragraphs(text, index) {
                    self.push_sentences(text, range, index, &mut spans);
                }
            }
            Granularity::Auto => {
                for range in paragraphs(text, index) {
                    if is_longer_than(&text[range.clone()], self.long_paragraph_chars) {
                        self.push_sentences(text, range, index, &mut spans);
                    } else {
                        push_trimmed(text, range, index, &mut spans);
                    }
                }
            }
        }
        spans
    }

    fn push_sentences(
        &self,
        text: &str,
        range: Range<usize>,
        index: &LineIndex,
        out: &mut Vec<Span>,
    ) {
        let mut start = range.start;
        let mut pending_chars = 0;
        for end in sentence_ends(&text[range.clone()]) {
            let end = range.start + end;
            pending_chars += text[start..end].chars().count();
            if pending_chars >= self.min_sentence_chars {
                push_trimmed(text, start..end, index, out);
                start = end;
                pending_chars = 0;
            }
        }
        if start < range.end {
            let tail = start..range.end;
            if pending_chars < self.min_sentence_chars && !text[tail.clone()].trim().is_empty() {
                if let Some(last) = out.last_mut().filter(|s| s.bytes.start >= range.start) {
                    // Joined to the sentence before it, trimmed as every
                    // segment is.
                    let end = range.start + text[range.clone()].trim_end().len();
                    *last = index.span(last.bytes.start..end);
                    return;
                }
            }
            push_trimmed(text, tail, index, out);
        }
    }
}

fn is_longer_than(text: &str, chars: usize) -> bool {
    text.len() > chars && text.chars().nth(chars).is_some()
}

/// Byte ranges of paragraphs: maximal runs of non-blank lines.
fn paragraphs(text: &str, index: &LineIndex) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<Range<usize>> = None;
    for line in 1..=index.line_count() {
        let bytes = index.line_bytes(line);
        if text[bytes.clone()].trim().is_empty() {
            out.extend(open.take());
        } else {
            match open.as_mut() {
                Some(range) => range.end = bytes.end,
                None => open = Some(bytes),
            }
        }
    }
    out.extend(open);
    out
}

/// Offsets (into `text`) just after each sentence end.
fn sentence_ends(text: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let full_stop = matches!(c, '。' | '！' | '？' | '．' | '｡' | '…' | '؟' | '।');
        let latin_stop = matches!(c, '.' | '!' | '?');
        if !full_stop && !latin_stop {
            continue;
        }
        let mut end = at + c.len_utf8();
        while let Some(&(next_at, next)) = chars.peek() {
            if is_closing(next) || (latin_stop && matches!(next, '.' | '!' | '?')) {
                end = next_at + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let followed_by_space = chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
        if full_stop || followed_by_space {
            ends.push(end);
        }
    }
    ends
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '”' | '’' | '」' | '』' | '）' | '】' | '》' | '〉'
    )
}

/// Pushes the span of `range` trimmed of white space, unless nothing is left.
fn push_trimmed(text: &str, range: Range<usize>, index: &LineIndex, out: &mut Vec<Span>) {
    let slice = &text[range.clone()];
    let trimmed = slice.trim_start();
    let start = range.start + (slice.len() - trimmed.len());
    let end = start + trimmed.trim_end().len();
    if end > start {
        out.push(index.span(start..end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_last_sentence_joined_to_the_one_before_is_trimmed() {
        let text = "This first sentence is certainly long enough to stand alone. Short one.   \n";
        assert_eq!(
            texts(text, Granularity::Sentence),
            ["This first sentence is certainly long enough to stand alone. Short one."]
        );
    }

    fn texts(text: &str, granularity: Granularity) -> Vec<&str> {
        Segmenter::new(granularity)
            .segment(text)
            .into_iter()
            .map(|span| &text[span.bytes])
            .collect()
    }

    #[test]
    fn paragraphs_are_separated_by_blank_lines() {
        let text = "a\nb\n\n  \t\nc\r\n\r\nd";
        assert_eq!(texts(text, Granularity::Paragraph), ["a\nb", "c", "d"]);
    }

    #[test]
    fn lines_skip_blank_lines_and_know_their_numbers() {
        let text = "a\n\n b \rc";
        let spans = Segmenter::new(Granularity::Line).segment(text);
        let lines: Vec<_> = spans.iter().map(|s| s.lines.first).collect();
        assert_eq!(lines, [1, 3, 4]);
        assert_eq!(&text[spans[1].bytes.clone()], "b");
    }

    #[test]
    fn sentences_split_after_terminators() {
        let text =
            "这是第一个句子，它相当长而且完整。这是第二个句子，它也相当长而且完整！还有第三个吗？";
        let sentences = Segmenter {
            min_sentence_chars: 5,
            ..Segmenter::new(Granularity::Sentence)
        }
        .segment(text);
        assert_eq!(sentences.len(), 3);
    }

    #[test]
    fn latin_full_stops_split_only_before_space() {
        let text = "Version 3.14 is out now, as announced. Download it from the usual place today!";
        let out = texts(text, Granularity::Sentence);
        assert_eq!(
            out,
            [
                "Version 3.14 is out now, as announced.",
                "Download it from the usual place today!"
            ]
        );
    }

    #[test]
    fn short_fragments_join_the_next_sentence() {
        let text = "Yes. No. This sentence is long enough to stand. Ok.";
        let out = texts(text, Granularity::Sentence);
        assert_eq!(out, ["Yes. No. This sentence is long enough to stand. Ok."]);
    }

    #[test]
    fn auto_cuts_only_long_paragraphs() {
        let long = "这是一个很长的句子，用来测试自动分段的行为是否正确。".repeat(100);
        let text = format!("短段落。\n\n{long}");
        let out = texts(&text, Granularity::Auto);
        assert_eq!(out[0], "短段落。");
        assert!(out.len() > 50);
        assert_eq!(out[1..].concat(), long);
    }

    #[test]
    fn granularity_parses() {
        assert_eq!("line".parse::<Granularity>(), Ok(Granularity::Line));
        assert!("word".parse::<Granularity>().is_err());
    }
}
