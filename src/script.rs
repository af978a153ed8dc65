//! Which writing system a character belongs to, as far as comparison cares:
//! scripts written without spaces (Han, kana, Hangul), whose characters are
//! compared one by one, and everything else, compared word by word.

/// A Han (CJK ideograph) character: the unified blocks, extension A, the
/// compatibility block, and the supplementary planes' extensions.
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// Hiragana or katakana (full- and half-width), without the middle dot and
/// the prolonged sound mark, which Chinese text borrows.
pub fn is_kana(c: char) -> bool {
    matches!(c,
        '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FA}'
        | '\u{31F0}'..='\u{31FF}'
        | '\u{FF66}'..='\u{FF9D}')
}

/// Hangul syllables, jamo and compatibility jamo.
pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// True for characters of scripts written without spaces between words: Han
/// ideographs, kana and Hangul.
pub fn is_cjk(c: char) -> bool {
    // Below the first range (Hangul Jamo) is ASCII, Latin, Greek, Cyrillic…:
    // most characters of most text, answered by one comparison.
    if (c as u32) < 0x1100 {
        return false;
    }
    is_han(c) || is_kana(c) || is_hangul(c)
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
