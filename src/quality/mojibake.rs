//! Latin mojibake: UTF-8 text that was read as windows-1252 or latin-1
//! (`cafÃ©`, `donâ€™t`, `Ã¼ber`), found and undone by re-encoding.
//!
//! Each character of windows-1252 (and, for its five undefined bytes and
//! latin-1, each C1 control U+0080–U+009F) stands for one byte. A run of
//! such characters whose bytes form a valid UTF-8 multi-byte sequence is a
//! *sequence*: `Ã©` is the bytes `C3 A9`, which are `é`. A sequence is
//! judged by the characters it is made of and the ones around it, after
//! the heuristics of ftfy's `badness`:
//!
//! - **strong**: evidence on its own, e.g. an upper-case `Ã` right after a
//!   lower-case letter (`cafÃ©`), a symbol inside a word (`Ã©tÃ©`), a
//!   currency sign, C1 control or symbol that text hardly uses (`€`, `‰`,
//!   `¸`) among its continuation characters (`â€”`), or a sequence that
//!   does not end a word;
//! - **ambiguous**: a letter that ends a word followed by punctuation, as
//!   legitimate text writes it (`IRMÃ»`, `café…”`); repaired only on a line
//!   that holds strong evidence too.
//!
//! Sequences whose UTF-8 character is implausible (a C1 control, IPA,
//! N'Ko, Syriac — `Fuß“` would be one) are never candidates, so German
//! `ß` before a closing quote, Portuguese `SÃO` and French `Â` stay as
//! they are.
//!
//! Repair works line by line: a line with at least one strong sequence has
//! all its sequences decoded, again while strong sequences remain (text
//! damaged twice, `cafÃƒÂ©`), and the result is kept only when it has
//! strictly fewer [`marks`] and no more U+FFFD than the line. A line
//! without strong evidence is never touched, so a clean text comes back
//! unchanged.
//!
//! ```
//! use doppel::quality::mojibake::{detect, marks, repair};
//!
//! assert_eq!(repair("Le cafÃ© est prÃªt â€” Ã¼ber"), "Le café est prêt — über");
//! assert_eq!(repair("O IRMÃO disse «SÃO PAULO»; Fuß“"), "O IRMÃO disse «SÃO PAULO»; Fuß“");
//! assert_eq!(detect("ok\nnaÃ¯ve\n")[0].bytes, 5..9);
//! assert_eq!(marks("donâ€™t"), 1);
//! ```

use std::borrow::Cow;
use std::ops::Range;

/// Rounds of decoding at most: text damaged three times over is repaired.
const MAX_ROUNDS: usize = 3;

/// One repairable stretch of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// Byte range of the damaged text in the text given to [`detect`].
    pub bytes: Range<usize>,
    /// The repaired text that replaces it.
    pub text: String,
    /// Times the stretch was read wrongly (1 for `cafÃ©`, 2 for `cafÃƒÂ©`).
    pub rounds: usize,
}

/// The repairable stretches of `text`, in order and disjoint; each is
/// trimmed to where the line and its repair differ.
pub fn detect(text: &str) -> Vec<Repair> {
    let mut found = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if let Some((fixed, rounds)) = repair_line(line) {
            let prefix = common_prefix(line, &fixed);
            let suffix = common_suffix(&line[prefix..], &fixed[prefix..]);
            found.push(Repair {
                bytes: start + prefix..start + line.len() - suffix,
                text: fixed[prefix..fixed.len() - suffix].to_owned(),
                rounds,
            });
        }
        start += line.len();
    }
    found
}

/// Whether `text` can hold mojibake at all: every stretch [`detect`] finds
/// begins with a character of `Â`..=`ô`, the lead bytes of UTF-8 read as
/// windows-1252 or latin-1, and each of those is written `0xC3 …` in UTF-8.
/// A quick test to pass over text, such as most CJK text, that holds none.
pub fn may_hold(text: &str) -> bool {
    text.as_bytes().contains(&0xC3)
}

/// `text` with every stretch [`detect`] finds repaired; borrowed when
/// there is none.
pub fn repair(text: &str) -> Cow<'_, str> {
    let found = detect(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for repair in &found {
        out.push_str(&text[at..repair.bytes.start]);
        out.push_str(&repair.text);
        at = repair.bytes.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Mojibake marks in `text`: its strong sequences and its C1 controls
/// that are not part of one. Zero for text that shows no sign of it.
pub fn marks(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let sequences = sequences(&chars);
    let strong = sequences.iter().filter(|s| s.strong).count();
    let c1_total = chars.iter().filter(|&&c| is_c1(c)).count();
    let c1_inside: usize = sequences
        .iter()
        .map(|s| {
            chars[s.at..s.at + s.len]
                .iter()
                .filter(|&&c| is_c1(c))
                .count()
        })
        .sum();
    strong + (c1_total - c1_inside)
}

/// The line decoded while strong sequences remain, with the number of
/// rounds, when that is strictly better.
fn repair_line(line: &str) -> Option<(String, usize)> {
    let mut current = Cow::Borrowed(line);
    let mut rounds = 0;
    while rounds < MAX_ROUNDS {
        match decode_round(&current) {
            Some(next) => {
                current = Cow::Owned(next);
                rounds += 1;
            }
            None => break,
        }
    }
    if rounds == 0 {
        return None;
    }
    let better = marks(&current) < marks(line)
        && count_replacement(&current) <= count_replacement(line)
        && current != line;
    better.then(|| (current.into_owned(), rounds))
}

fn count_replacement(text: &str) -> usize {
    text.chars().filter(|&c| c == '\u{FFFD}').count()
}

/// One round: every sequence of a line that holds a strong one, decoded.
fn decode_round(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let sequences = sequences(&chars);
    if !sequences.iter().any(|s| s.strong) {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for sequence in &sequences {
        out.extend(&chars[at..sequence.at]);
        out.push(sequence.decoded);
        at = sequence.at + sequence.len;
    }
    out.extend(&chars[at..]);
    Some(out)
}

/// A run of characters whose windows-1252 bytes are one UTF-8 character.
#[derive(Clone, Copy, Debug)]
struct Sequence {
    at: usize,
    len: usize,
    decoded: char,
    strong: bool,
}

/// The sequences of `chars`, left to right, not overlapping.
fn sequences(chars: &[char]) -> Vec<Sequence> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match sequence_at(chars, i) {
            Some(sequence) => {
                i += sequence.len;
                found.push(sequence);
            }
            None => i += 1,
        }
    }
    found
}

fn sequence_at(chars: &[char], i: usize) -> Option<Sequence> {
    let lead = byte_of(chars[i])?;
    let len = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let run = chars.get(i..i + len)?;
    let mut bytes = [0u8; 4];
    for (slot, &c) in bytes.iter_mut().zip(run) {
        *slot = byte_of(c)?;
    }
    let decoded = std::str::from_utf8(&bytes[..len]).ok()?.chars().next()?;
    if !plausible(decoded) {
        return None;
    }
    let prev = i.checked_sub(1).map(|j| chars[j]);
    let next = chars.get(i + len).copied();
    Some(Sequence {
        at: i,
        len,
        decoded,
        strong: is_strong(run, prev, next),
    })
}

/// Whether a sequence is evidence on its own (see the module docs).
fn is_strong(run: &[char], prev: Option<char>, next: Option<char>) -> bool {
    let (lead, rest) = (run[0], &run[1..]);
    if rest
        .iter()
        .any(|&c| is_c1(c) || is_odd_symbol(c) || is_currency(c))
    {
        return true;
    }
    let word_goes_on = prev.is_some_and(char::is_alphabetic)
        && lead.is_alphabetic()
        && !(lead.is_uppercase() && prev.is_some_and(char::is_lowercase));
    // An apostrophe may go on with letters: `IRMÃ’s`.
    let apostrophe = matches!(rest, ['’' | '‘']);
    let ends_word = rest.iter().all(|c| !c.is_alphabetic())
        && (apostrophe || !next.is_some_and(char::is_alphabetic));
    !(word_goes_on && ends_word)
}

/// Whether a character a sequence decodes to is one text plausibly holds:
/// not IPA or a modifier letter, Armenian, Syriac, Thaana, N'Ko, a
/// noncharacter or a character of the supplementary private-use planes.
/// (The BMP's private-use area is allowed: legacy CJK encodings map
/// user-defined codes there, and real pages carry them.) A C1 control is allowed: it is
/// the middle of text damaged twice, and counts as a mark if it stays; so
/// is every windows-1252 character (`ˆ`, `˜`).
fn plausible(c: char) -> bool {
    byte_of(c).is_some()
        || !matches!(c,
        '\u{0250}'..='\u{02FF}'
        | '\u{0530}'..='\u{058F}'
        | '\u{0700}'..='\u{07FF}'
        | '\u{FDD0}'..='\u{FDEF}'
        | '\u{FFFE}'..='\u{FFFF}'
        | '\u{F0000}'..)
}

fn is_c1(c: char) -> bool {
    matches!(c, '\u{0080}'..='\u{009F}')
}

fn is_currency(c: char) -> bool {
    matches!(c, '€' | '¢' | '£' | '¥' | '¤')
}

/// Symbols of windows-1252 that prose hardly uses, so that one among a
/// sequence's continuation characters gives it away (ftfy's `bad`).
fn is_odd_symbol(c: char) -> bool {
    matches!(
        c,
        '¦' | '¨' | '¬' | '¯' | '¸' | 'ƒ' | 'ˆ' | '˜' | '†' | '‡' | '‰' | 'ª' | 'º' | '\u{AD}'
    )
}

/// The byte windows-1252 (or latin-1, for C1 controls) writes `c` as.
pub(crate) fn byte_of(c: char) -> Option<u8> {
    let code = c as u32;
    if code < 0x80 || (0x80..=0xFF).contains(&code) {
        // ASCII, C1 controls (latin-1 and windows-1252's undefined bytes)
        // and U+00A0–U+00FF are their own byte.
        return u8::try_from(code).ok();
    }
    let byte = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((at, _), _)| at)
        .min(b.len())
}

fn common_suffix(a: &str, b: &str) -> usize {
    let mut len = 0;
    for (x, y) in a.chars().rev().zip(b.chars().rev()) {
        if x != y {
            break;
        }
        len += x.len_utf8();
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as UTF-8 bytes read as windows-1252 (WHATWG: the five
    /// undefined bytes become C1 controls).
    fn damage(text: &str) -> String {
        let (read, _, _) = encoding_rs::WINDOWS_1252.decode(text.as_bytes());
        read.into_owned()
    }

    #[test]
    fn mojibake_common_cases_are_repaired() {
        for clean in [
            "café",
            "don’t",
            "über alles",
            "“quoted”",
            "a — b",
            "naïve résumé",
            "中文字符",
            "Привет мир",
            "emoji 😀 here",
            "KÖLN",
            "CAFÉ",
            "À bientôt",
        ] {
            assert_eq!(repair(&damage(clean)), clean, "{clean}");
            assert_eq!(repair(&damage(&damage(clean))), clean, "twice: {clean}");
        }
    }

    #[test]
    fn mojibake_legitimate_text_is_left_alone() {
        for clean in [
            "SÃO PAULO",
            "O IRMÃO e a IRMÃ»",
            "Fuß“ und Straße",
            "« Bonjour » dit-il; CHÂTEAU",
            "café…”",
            "2×3 = 6; 5 °C; © 2024; ½ cup",
            "Ärger, Öl, Übel",
            "¿Qué? ¡Sí!",
            "plain ASCII text",
            "中文和日本語のテキスト",
        ] {
            assert!(detect(clean).is_empty(), "{clean}: {:?}", detect(clean));
            assert_eq!(marks(clean), 0, "{clean}");
        }
    }

    #[test]
    fn mojibake_only_damaged_lines_change() {
        let text = "Clean line with café.\nDamaged line with cafÃ©.\nAnother ok line.\n";
        let found = detect(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].bytes.clone()], "Ã©");
        assert_eq!(found[0].text, "é");
        assert_eq!(
            repair(text),
            "Clean line with café.\nDamaged line with café.\nAnother ok line.\n"
        );
    }

    #[test]
    fn mojibake_double_damage_counts_rounds() {
        let found = detect("cafÃƒÂ©");
        assert_eq!(found[0].rounds, 2);
        assert_eq!(found[0].text, "é");
    }

    #[test]
    fn mojibake_c1_controls_map_to_bytes() {
        assert_eq!(byte_of('\u{9D}'), Some(0x9D));
        assert_eq!(byte_of('’'), Some(0x92));
        assert_eq!(byte_of('中'), None);
        assert_eq!(repair("â€œhiâ€\u{9D}"), "“hi”");
    }
}
