//! Character classes the damage signals are built from.

pub(super) use crate::script::{is_cjk, is_han, is_hangul, is_kana};

/// Full-width punctuation: CJK punctuation and the punctuation of the
/// full-width forms block (not the curly quotes, which Latin text uses too).
pub(super) fn is_fullwidth_punct(c: char) -> bool {
    matches!(c,
        '\u{3001}'..='\u{3003}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}')
}

/// Characters a GB2312/GBK table holds beside Han (rows 4–9) that Chinese
/// prose hardly uses: kana, Greek, Cyrillic, box drawing. A misaligned byte
/// pair lands on them easily.
pub(super) fn is_foreign_to_chinese(c: char) -> bool {
    is_kana(c)
        || matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{04FF}' | '\u{2500}'..='\u{257F}')
}

/// Half-width katakana and punctuation: one byte each in Shift_JIS, where
/// a misaligned pair lands easily beside full-width text.
pub(super) fn is_halfwidth_kana(c: char) -> bool {
    matches!(c, '\u{FF61}'..='\u{FF9F}')
}

/// The Basic Multilingual Plane's private use area, where GBK's and Big5's
/// user-defined byte ranges decode to.
pub(super) fn is_private_use(c: char) -> bool {
    matches!(c, '\u{E000}'..='\u{F8FF}')
}

/// A letter of a romanisation gloss: ASCII, accented Latin (pinyin tone
/// marks, `ü`), or a combining mark.
fn is_gloss_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(c, '\u{C0}'..='\u{24F}') && c.is_alphabetic())
        || matches!(c, '\u{0300}'..='\u{036F}')
}

/// The longest gloss, in characters between the parentheses.
const MAX_GLOSS: usize = 12;

/// When `chars[i]` opens a romanisation gloss right after a Han character,
/// like `號(hào)`, the gloss's length in characters, parentheses included.
pub(super) fn gloss_len(chars: &[char], i: usize) -> Option<usize> {
    if !matches!(chars[i], '(' | '（') || i == 0 || !is_han(chars[i - 1]) {
        return None;
    }
    let body = chars[i + 1..]
        .iter()
        .take(MAX_GLOSS + 1)
        .take_while(|&&c| is_gloss_letter(c) || c == ' ' || c.is_ascii_digit())
        .count();
    let closed = matches!(chars.get(i + 1 + body), Some(')' | '）'));
    let has_letter = chars[i + 1..i + 1 + body]
        .iter()
        .any(|&c| is_gloss_letter(c));
    (closed && has_letter && body <= MAX_GLOSS).then_some(body + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn quality_gloss_after_han_is_recognised() {
        assert_eq!(gloss_len(&chars("號(hào)碼"), 1), Some(5));
        assert_eq!(gloss_len(&chars("綠(lǜ)"), 1), Some(4));
        assert_eq!(gloss_len(&chars("號(hao4)"), 1), Some(6));
    }

    #[test]
    fn quality_parentheses_that_are_not_glosses() {
        assert_eq!(gloss_len(&chars("a(hao)"), 1), None);
        assert_eq!(gloss_len(&chars("號(1998)"), 1), None);
        assert_eq!(gloss_len(&chars("號(hao"), 1), None);
        assert_eq!(gloss_len(&chars("號()"), 1), None);
    }
}
