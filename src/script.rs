//! Which writing system a character belongs to, as far as comparison cares:
//! scripts written without spaces (Han, kana, Hangul), whose characters are
//! compared one by one, and everything else, compared word by word.

/// True for characters of scripts written without spaces between words: Han
/// ideographs, Hiragana, Katakana, Hangul, and their extensions.
pub fn is_cjk(c: char) -> bool {
    // Below the first range (Hangul Jamo) is ASCII, Latin, Greek, Cyrillic…:
    // most characters of most text, answered by one comparison instead of
    // ten.
    if (c as u32) < 0x1100 {
        return false;
    }
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9D    // half-width Katakana
        | 0x1100..=0x11FF    // Hangul Jamo
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x20000..=0x3134F  // CJK extensions B–G
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_cjk_from_spaced_scripts() {
        for c in ['中', '號', 'の', 'カ', '한', '𠀀'] {
            assert!(is_cjk(c), "{c}");
        }
        for c in ['a', 'é', 'я', '7', '。', ' '] {
            assert!(!is_cjk(c), "{c}");
        }
    }
}
