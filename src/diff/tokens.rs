//! Cutting text into the units a diff compares below the line: sentences,
//! words and characters, aware of which script the text is in.
//!
//! Han, kana and Hangul are cut into characters (grapheme clusters) and never
//! on spaces; spaced scripts into Unicode words (UAX #29), so a token is a
//! word, a run of spaces, or one punctuation mark.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::options::Granularity;

/// Whether `c` is written without spaces between words: Han, kana, Hangul
/// ([`crate::script::is_cjk`]) and the CJK punctuation, radicals and
/// full-width forms around them, which a diff also takes one by one.
pub fn is_cjk(c: char) -> bool {
    crate::script::is_cjk(c)
        || matches!(c as u32,
            0x2E80..=0x2FDF          // CJK radicals
            | 0x3000..=0x30FF        // CJK punctuation, kana marks
            | 0xAC00..=0xD7AF        // Hangul syllables and unassigned tail
            | 0xFF00..=0xFFEF        // half-width and full-width forms
            | 0x20000..=0x3134F) // CJK extensions B to G
}

/// Counts Unicode letters and digits: the size of a block in any script.
pub fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Whether `text` holds at least `least` letters and digits (counting
/// stops there).
pub(crate) fn has_letters(text: &str, least: usize) -> bool {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .take(least)
        .count()
        == least
}

/// Byte ranges (offset by `base`) of the tokens of `text`.
pub(crate) fn tokens(text: &str, base: usize, granularity: Granularity) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(text.len() / 3);
    match granularity {
        Granularity::Char => {
            for (at, g) in text.grapheme_indices(true) {
                out.push(base + at..base + at + g.len());
            }
        }
        Granularity::Word | Granularity::Line => {
            for (at, w) in text.split_word_bound_indices() {
                out.push(base + at..base + at + w.len());
            }
        }
        Granularity::Auto if text.is_ascii() => ascii_words(text, base, &mut out),
        Granularity::Auto => {
            for (at, w) in text.split_word_bound_indices() {
                if w.len() > 1 && w.chars().any(is_cjk) {
                    for (gat, g) in w.grapheme_indices(true) {
                        out.push(base + at + gat..base + at + gat + g.len());
                    }
                } else {
                    out.push(base + at..base + at + w.len());
                }
            }
        }
    }
    out
}

/// Token boundaries of `text` in `span` (ends included, within `block`),
/// found by cutting only a window a little wider than `span`, so the cost
/// follows the span, not the block. A window that starts inside a token
/// can misplace its first two boundaries, and one that ends inside a token
/// its last: those are kept only where the window meets the block's edge,
/// which is a true boundary. The block's edges are boundaries.
pub(crate) fn boundaries_within(
    text: &str,
    block: &Range<usize>,
    span: Range<usize>,
    granularity: Granularity,
) -> Vec<usize> {
    const LOOKAHEAD: usize = 16;
    let from = floor_char(text, span.start.saturating_sub(LOOKAHEAD).max(block.start));
    let to = ceil_char(text, span.end.saturating_add(LOOKAHEAD).min(block.end));
    let cut = tokens(&text[from..to], from, granularity);
    let skip = if from == block.start { 0 } else { 2 };
    cut.iter()
        .skip(skip)
        .map(|r| r.start)
        .chain((to == block.end).then_some(to))
        .filter(|&b| span.contains(&b) || b == span.end)
        .filter(|&b| to == block.end || b + LOOKAHEAD <= to)
        .collect()
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// ASCII text cut the way UAX #29 cuts most of it, much faster: runs of
/// letters, digits and `_` (with `'` or `.` between letters or digits kept
/// inside, as in "don't" and "3.14"), runs of spaces, and single marks.
fn ascii_words(text: &str, base: usize, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let mut end = at + 1;
        if word(b) {
            while end < bytes.len() {
                let inner = matches!(bytes[end], b'\'' | b'.')
                    && bytes.get(end + 1).is_some_and(|&n| word(n));
                if word(bytes[end]) {
                    end += 1;
                } else if inner {
                    end += 2;
                } else {
                    break;
                }
            }
        } else if b == b' ' || b == b'\t' {
            while end < bytes.len() && bytes[end] == b {
                end += 1;
            }
        } else if b == b'\r' && bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
        out.push(base + at..base + end);
        at = end;
    }
}

/// Longest sentence before it is cut at the next space, in bytes.
const SOFT_SENTENCE: usize = 400;
/// Longest sentence before it is cut anywhere, in bytes.
const HARD_SENTENCE: usize = 1200;

/// Byte ranges (offset by `base`) of the sentences of `text`: a sentence
/// ends after a line break, or after a terminator (`。！？；` and their ASCII
/// kin; `.` only before a space) with any closing quotes and spaces that
/// follow. Over-long sentences are cut at a space, then anywhere.
pub(crate) fn sentences(text: &str, base: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 64 + 1);
    let mut start = 0;
    let mut ended = false;
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if (b.is_ascii_alphanumeric() || b == b' ') && !ended && at - start < SOFT_SENTENCE {
            at += 1;
            continue;
        }
        let c = if b < 0x80 {
            char::from(b)
        } else {
            text[at..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER)
        };
        if ended && !is_closing(c) && !c.is_whitespace() {
            out.push(base + start..base + at);
            start = at;
            ended = false;
        }
        let end = at + c.len_utf8();
        let len = end - start;
        let next_is_space = bytes.get(end).is_none_or(u8::is_ascii_whitespace);
        ended |= matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '｡')
            || (c == '.' && next_is_space)
            || (len >= SOFT_SENTENCE && c.is_whitespace())
            || len >= HARD_SENTENCE;
        if c == '\n' {
            out.push(base + start..base + end);
            start = end;
            ended = false;
        }
        at = end;
    }
    if start < text.len() {
        out.push(base + start..base + text.len());
    }
    out
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '」' | '』' | '”' | '’' | '"' | '\'' | ')' | '）' | '》' | '】' | '〉'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, ranges: &[Range<usize>]) -> Vec<&'a str> {
        ranges.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn cjk_is_cut_into_characters_and_latin_into_words() {
        let text = "改进 the 工作 plan.";
        let got = tokens(text, 0, Granularity::Auto);
        assert_eq!(
            texts(text, &got),
            ["改", "进", " ", "the", " ", "工", "作", " ", "plan", "."]
        );
    }

    #[test]
    fn ascii_words_agree_with_unicode_words() {
        for text in [
            "The quick (brown) fox, isn't 3.14 x_y!\r\n  end",
            "a.b. c' 'd e--f\ttab",
        ] {
            let fast = tokens(text, 0, Granularity::Auto);
            let slow = tokens(text, 0, Granularity::Word);
            assert_eq!(texts(text, &fast), texts(text, &slow));
        }
    }

    #[test]
    fn korean_syllables_are_characters_in_auto_mode() {
        let text = "민주공화국";
        assert_eq!(tokens(text, 0, Granularity::Auto).len(), 5);
        assert_eq!(tokens(text, 0, Granularity::Word).len(), 1);
    }

    #[test]
    fn graphemes_keep_combining_marks() {
        let text = "e\u{301}a";
        assert_eq!(tokens(text, 0, Granularity::Char).len(), 2);
    }

    #[test]
    fn sentences_end_after_terminators_and_closing_quotes() {
        let text = "他说：「好。」然后走了。Next one. And\nmore";
        let got = sentences(text, 0);
        assert_eq!(
            texts(text, &got),
            [
                "他说：「好。」",
                "然后走了。",
                "Next one. ",
                "And\n",
                "more"
            ]
        );
        assert_eq!(got.iter().map(|r| r.len()).sum::<usize>(), text.len());
    }

    #[test]
    fn long_runs_are_cut() {
        let text = "字".repeat(1000);
        let got = sentences(&text, 0);
        assert!(got.len() >= 2);
        assert_eq!(got.iter().map(|r| r.len()).sum::<usize>(), text.len());
    }

    #[test]
    fn boundaries_in_a_window_are_boundaries_of_the_whole_text() {
        for text in [
            "The quick (brown) fox, isn't 3.14 x_y!\r\n  end of it. ".repeat(8),
            "改进 the 工作 plan, 3.14 don't。".repeat(8),
            "ha ".repeat(100),
            "e\u{301}a".repeat(60),
        ] {
            for granularity in [Granularity::Auto, Granularity::Word, Granularity::Char] {
                let whole: Vec<usize> = tokens(&text, 0, granularity)
                    .iter()
                    .map(|r| r.start)
                    .chain([text.len()])
                    .collect();
                for start in (0..text.len()).step_by(7) {
                    let end = (start + 40).min(text.len());
                    for b in boundaries_within(&text, &(0..text.len()), start..end, granularity) {
                        assert!(whole.contains(&b), "{b} in {text:?} ({granularity:?})");
                    }
                }
            }
        }
    }

    #[test]
    fn letters_count_any_script() {
        assert_eq!(letters("ab, 12 改进！"), 6);
        for least in 0..8 {
            assert_eq!(has_letters("ab, 12 改进！", least), least <= 6, "{least}");
        }
    }
}
