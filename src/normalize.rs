//! The canonical form of text used for comparison, never for output.
//!
//! [`Normalizer::normalize`] turns a span of text into:
//!
//! - Unicode NFKC (full-width forms, compatibility characters and ligatures
//!   folded), skipped when a quick check shows the text is already NFKC;
//! - lower case;
//! - punctuation, symbols and every run of white space folded into one space,
//!   with no space at either end;
//! - pronunciation glosses removed: a Han character followed by a parenthesised
//!   pinyin syllable with a tone mark, as in `號(hào)`, compares as the Han
//!   character alone.
//!
//! Two texts that differ only in these respects normalize to the same string.
//!
//! ```
//! let mut normalizer = doppel::Normalizer::new();
//! assert_eq!(normalizer.normalize("Ｈｅｌｌｏ,  World!"), "hello world");
//! assert_eq!(normalizer.normalize("公眾號(hào)"), "公眾號");
//! ```

use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::script::is_cjk;

/// A reusable normalizer: it owns its output buffer.
#[derive(Debug, Default)]
pub struct Normalizer {
    out: String,
    /// Characters of a possible gloss, held back until its `)` decides.
    pending: String,
    /// Punctuation and symbols kept, glosses too: only NFKC, lower case and
    /// white space folding ([`Normalizer::keeping_punctuation`]).
    keep_punctuation: bool,
}

impl Normalizer {
    /// A normalizer with an empty buffer (the same as `default()`).
    pub fn new() -> Normalizer {
        Normalizer::default()
    }

    /// A normalizer that only folds: NFKC, lower case, and every run of
    /// white space one space, with none at either end. Punctuation,
    /// symbols and pronunciation glosses stay. This is the text whole
    /// documents are compared on under character shingling, so that their
    /// similarity is the plain Jaccard similarity of the character n-grams
    /// of their texts.
    ///
    /// ```
    /// let mut folder = doppel::Normalizer::keeping_punctuation();
    /// assert_eq!(folder.normalize("Ｈｅｌｌｏ,\n\t World!"), "hello, world!");
    /// assert_eq!(folder.normalize("公眾號(hào)。"), "公眾號(hào)。");
    /// ```
    pub fn keeping_punctuation() -> Normalizer {
        Normalizer {
            keep_punctuation: true,
            ..Normalizer::default()
        }
    }

    /// Normalizes `text`; the result borrows the normalizer's buffer.
    pub fn normalize(&mut self, text: &str) -> &str {
        self.out.clear();
        self.pending.clear();
        let mut state = State::default();
        if text.is_ascii() {
            self.normalize_ascii(text);
        } else {
            self.normalize_pieces(text, &mut state);
        }
        self.flush_pending(&mut state);
        if self.out.ends_with(' ') {
            self.out.pop();
        }
        &self.out
    }

    /// What `push` does with ASCII text, byte by byte: ASCII is NFKC and
    /// holds no Han character, so no gloss can start and each character goes
    /// straight to `emit`'s ASCII case. Saves the per-character Unicode table
    /// lookups on the English text that makes most inputs.
    fn normalize_ascii(&mut self, text: &str) {
        for &byte in text.as_bytes() {
            if byte.is_ascii_alphanumeric() {
                self.out.push(char::from(byte.to_ascii_lowercase()));
            } else {
                self.push_ascii_mark(byte);
            }
        }
    }

    /// NFKC piece by piece. A piece starts at each character that is NFKC
    /// and a starter (canonical combining class 0): nothing before such a
    /// character composes with it or is reordered past it, so the pieces
    /// normalized apart give what the whole text normalized at once gives.
    /// Only pieces that fail the quick check go through `nfkc()`; in Chinese
    /// text with full-width punctuation that is a few characters around each
    /// comma instead of every paragraph.
    fn normalize_pieces(&mut self, text: &str, state: &mut State) {
        let mut start = 0;
        // The piece so far is the one character `first`, which starts a
        // piece: pushed as it is, without the quick check.
        let mut single = true;
        let mut first = '\0';
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(c) = text[at..].chars().next() {
            if !starts_piece(c) {
                single = false;
                at += c.len_utf8();
                continue;
            }
            if at > start {
                self.end_piece(&text[start..at], single.then_some(first), state);
            }
            start = at;
            single = true;
            first = c;
            // A run of characters that each start a piece of their own and
            // that `push` would copy unchanged (Han, kana, Hangul…) or fold
            // byte by byte (ASCII other than `(`), outside a gloss: all but
            // the last are whole pieces, pushed here at once; the last stays
            // open, as a combining mark may follow it.
            let step = c.len_utf8();
            if state.in_gloss {
                at += step;
            } else if c.is_ascii() {
                let run = if c == '(' {
                    0
                } else {
                    bytes[at..]
                        .iter()
                        .position(|&b| !b.is_ascii() || b == b'(')
                        .unwrap_or(bytes.len() - at)
                };
                if run > 1 {
                    let last = at + run - 1;
                    self.push_ascii_run(&bytes[at..last]);
                    state.last_was_han = false;
                    start = last;
                    first = char::from(bytes[last]);
                }
                at += run.max(1);
            } else {
                let run = copied_run(&text[at..]);
                if run.bytes > step {
                    let last = at + run.last;
                    self.out.push_str(&text[at..last]);
                    state.last_was_han = run.cjk_before_last;
                    start = last;
                    first = text[last..].chars().next().unwrap_or(c);
                }
                at += run.bytes.max(step);
            }
        }
        if start < text.len() {
            self.end_piece(&text[start..], single.then_some(first), state);
        }
    }

    /// What `emit` does with each of `run`'s ASCII characters (the same loop
    /// as `normalize_ascii`).
    fn push_ascii_run(&mut self, run: &[u8]) {
        for &byte in run {
            if byte.is_ascii_alphanumeric() {
                self.out.push(char::from(byte.to_ascii_lowercase()));
            } else {
                self.push_ascii_mark(byte);
            }
        }
    }

    /// An ASCII character that is no letter or digit: one space for a run
    /// of them, or the character itself when punctuation is kept (and it is
    /// no white space).
    #[inline]
    fn push_ascii_mark(&mut self, byte: u8) {
        if self.keep_punctuation && !char::from(byte).is_whitespace() {
            self.out.push(char::from(byte));
        } else {
            self.push_space();
        }
    }

    #[inline]
    fn push_space(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with(' ') {
            self.out.push(' ');
        }
    }

    /// Pushes a piece: `single` is its character when it is one character
    /// that starts a piece (NFKC already).
    fn end_piece(&mut self, piece: &str, single: Option<char>, state: &mut State) {
        match single {
            Some(c) => self.push(c, state),
            None => self.push_piece(piece, state),
        }
    }

    fn push_piece(&mut self, piece: &str, state: &mut State) {
        if is_nfkc_quick(piece.chars()) == IsNormalized::Yes {
            for c in piece.chars() {
                self.push(c, state);
            }
        } else {
            for c in piece.nfkc() {
                self.push(c, state);
            }
        }
    }

    fn push(&mut self, c: char, state: &mut State) {
        if state.in_gloss {
            self.push_in_gloss(c, state);
            return;
        }
        if c == '(' && state.last_was_han && !self.keep_punctuation {
            state.in_gloss = true;
            state.gloss_toned = false;
            self.pending.push(c);
            return;
        }
        self.emit(c, state);
    }

    fn push_in_gloss(&mut self, c: char, state: &mut State) {
        if c == ')' && self.pending.len() > 1 && state.gloss_toned {
            self.pending.clear();
            state.in_gloss = false;
            return;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        if is_pinyin_letter(lower) && self.pending.chars().count() <= 7 {
            state.gloss_toned |= is_toned_vowel(lower);
            self.pending.push(c);
            return;
        }
        self.flush_pending(state);
        self.push(c, state);
    }

    /// Gives back held characters that turned out not to be a gloss.
    fn flush_pending(&mut self, state: &mut State) {
        state.in_gloss = false;
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        for c in pending.chars() {
            self.emit(c, state);
        }
        self.pending = pending;
        self.pending.clear();
    }

    fn emit(&mut self, c: char, state: &mut State) {
        if is_common_han(c) {
            // Alphanumeric, CJK and without case, with no lookup at all.
            state.last_was_han = true;
            self.out.push(c);
            return;
        }
        if c.is_ascii() {
            state.last_was_han = false;
            if c.is_ascii_alphanumeric() {
                self.out.push(c.to_ascii_lowercase());
            } else {
                self.push_ascii_mark(c as u8);
            }
            return;
        }
        let props = CharProps::of(c);
        if props.alphanumeric() {
            state.last_was_han = props.cjk();
            if props.caseless() {
                self.out.push(c);
            } else {
                self.out.extend(c.to_lowercase());
            }
        } else {
            state.last_was_han = false;
            if self.keep_punctuation && !c.is_whitespace() {
                self.out.extend(c.to_lowercase());
            } else {
                self.push_space();
            }
        }
    }
}

/// True for a character that is NFKC and a starter (see `normalize_pieces`).
fn starts_piece(c: char) -> bool {
    c.is_ascii() || is_common_han(c) || CharProps::of(c).starts_piece()
}

/// [`starts_piece`] from the Unicode tables, as [`CharProps`] caches it.
fn starts_piece_by_tables(c: char) -> bool {
    c.is_ascii()
        || is_common_han(c)
        || (canonical_combining_class(c) == 0
            && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes)
}

/// A run of characters that each start a piece and that `emit` copies
/// unchanged (alphanumeric and without case): its length in bytes, where its
/// last character starts, and whether the character before that one is CJK
/// (what `emit` leaves in `last_was_han` after pushing all but the last).
#[derive(Debug, PartialEq, Eq)]
struct CopiedRun {
    bytes: usize,
    last: usize,
    cjk_before_last: bool,
}

fn copied_run(text: &str) -> CopiedRun {
    let mut run = CopiedRun {
        bytes: 0,
        last: 0,
        cjk_before_last: false,
    };
    let mut last_cjk = false;
    loop {
        let han = common_han_run(&text.as_bytes()[run.bytes..]);
        if han > 0 {
            run.cjk_before_last = han > 3 || last_cjk;
            last_cjk = true;
            run.bytes += han;
            run.last = run.bytes - 3;
            continue;
        }
        let Some(c) = text[run.bytes..].chars().next() else {
            break;
        };
        if c.is_ascii() {
            break;
        }
        let props = CharProps::of(c);
        if !(props.starts_piece() && props.alphanumeric() && props.caseless()) {
            break;
        }
        run.cjk_before_last = last_cjk;
        last_cjk = props.cjk();
        run.last = run.bytes;
        run.bytes += c.len_utf8();
    }
    run
}

/// The length in bytes of the run of common Han characters (see
/// [`is_common_han`]) that `text` starts with: UTF-8 sequences led by `E5`
/// to `E9`, or by `E4` with a second byte of at least `B8` (U+4E00).
fn common_han_run(text: &[u8]) -> usize {
    let mut at = 0;
    while let Some(&[lead, second, _]) = text.get(at..at + 3) {
        if !(matches!(lead, 0xE5..=0xE9) || lead == 0xE4 && second >= 0xB8) {
            break;
        }
        at += 3;
    }
    at
}

/// The CJK Unified Ideographs block, where nearly all Chinese text lies.
fn is_common_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// What normalization asks of a character, looked up once per block of
/// 256 Basic Multilingual Plane characters and cached: for kana, Hangul and
/// full-width forms, the four Unicode table searches (alphabetic, lower
/// case, combining class, NFKC quick check) were most of the time spent on
/// Chinese and Japanese text. Characters beyond the BMP (rare) are looked
/// up each time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CharProps(u8);

impl CharProps {
    const STARTS_PIECE: u8 = 1;
    const ALPHANUMERIC: u8 = 2;
    const CASELESS: u8 = 4;
    const CJK: u8 = 8;

    fn of(c: char) -> CharProps {
        let code = c as u32;
        if code >= 0x1_0000 {
            return CharProps::by_tables(c);
        }
        let block = BMP_BLOCKS[(code >> 8) as usize].get_or_init(|| {
            let mut props = [0u8; 256];
            for (low, slot) in props.iter_mut().enumerate() {
                // Surrogate code points are no characters; their slots stay
                // empty and are never read.
                if let Some(c) = char::from_u32(code & !0xFF | low as u32) {
                    *slot = CharProps::by_tables(c).0;
                }
            }
            props
        });
        CharProps(block[(code & 0xFF) as usize])
    }

    fn by_tables(c: char) -> CharProps {
        let mut bits = 0;
        if starts_piece_by_tables(c) {
            bits |= CharProps::STARTS_PIECE;
        }
        if c.is_alphanumeric() {
            bits |= CharProps::ALPHANUMERIC;
        }
        if c.to_lowercase().eq([c]) {
            bits |= CharProps::CASELESS;
        }
        if is_cjk(c) {
            bits |= CharProps::CJK;
        }
        CharProps(bits)
    }

    fn starts_piece(self) -> bool {
        self.0 & CharProps::STARTS_PIECE != 0
    }

    fn alphanumeric(self) -> bool {
        self.0 & CharProps::ALPHANUMERIC != 0
    }

    fn caseless(self) -> bool {
        self.0 & CharProps::CASELESS != 0
    }

    fn cjk(self) -> bool {
        self.0 & CharProps::CJK != 0
    }
}

static BMP_BLOCKS: [OnceLock<[u8; 256]>; 256] = [const { OnceLock::new() }; 256];

#[derive(Debug, Default)]
struct State {
    last_was_han: bool,
    in_gloss: bool,
    gloss_toned: bool,
}

fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase() || c == 'ü' || is_toned_vowel(c)
}

fn is_toned_vowel(c: char) -> bool {
    matches!(
        c,
        'ā' | 'á'
            | 'ǎ'
            | 'à'
            | 'ē'
            | 'é'
            | 'ě'
            | 'è'
            | 'ī'
            | 'í'
            | 'ǐ'
            | 'ì'
            | 'ō'
            | 'ó'
            | 'ǒ'
            | 'ò'
            | 'ū'
            | 'ú'
            | 'ǔ'
            | 'ù'
            | 'ǖ'
            | 'ǘ'
            | 'ǚ'
            | 'ǜ'
            | 'ń'
            | 'ň'
            | 'ǹ'
            | 'ḿ'
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        Normalizer::new().normalize(text).to_owned()
    }

    #[test]
    fn folds_width_case_space_and_punctuation() {
        assert_eq!(norm("  Ｈｅｌｌｏ,\t World!! "), "hello world");
        assert_eq!(norm("ÉCOLE — Straße"), "école straße");
        assert_eq!(norm("新华社北京，7月9日电。"), "新华社北京 7月9日电");
    }

    #[test]
    fn removes_pinyin_glosses() {
        assert_eq!(norm("掃一掃加入微信公眾號(hào)"), "掃一掃加入微信公眾號");
        assert_eq!(norm("網(wǎng)站首頁(yè)"), "網站首頁");
        assert_eq!(norm("時(shí)政"), norm("時政"));
    }

    #[test]
    fn keeps_parentheses_that_are_not_glosses() {
        assert_eq!(norm("黨(黨委)"), "黨 黨委");
        assert_eq!(norm("中國(china)"), "中國 china");
        assert_eq!(norm("call(x)"), "call x");
        assert_eq!(norm("號(hào"), "號 hào");
    }

    #[test]
    fn compatibility_forms_fold() {
        assert_eq!(norm("ﬁle №5"), "file no5");
        assert_eq!(norm("（括號）"), "括號");
    }

    /// `normalize` as it runs on non-ASCII text, forced onto any text.
    fn norm_by_chars(text: &str) -> String {
        let mut normalizer = Normalizer::new();
        let mut state = State::default();
        for c in text.chars() {
            normalizer.push(c, &mut state);
        }
        normalizer.flush_pending(&mut state);
        normalizer.out.trim_end_matches(' ').to_owned()
    }

    #[test]
    fn common_han_shortcut_agrees_with_unicode_tables() {
        for c in '\u{4E00}'..='\u{9FFF}' {
            assert!(c.is_alphanumeric() && is_cjk(c), "{c}");
            assert!(c.to_lowercase().eq([c]), "{c}");
        }
    }

    #[test]
    fn cached_properties_are_the_unicode_tables() {
        for code in 0..0x1_0000 {
            if let Some(c) = char::from_u32(code) {
                assert_eq!(CharProps::of(c), CharProps::by_tables(c), "{code:04X}");
            }
        }
    }

    /// `normalize` as first written: NFKC of the whole text, character by
    /// character.
    fn norm_whole(text: &str) -> String {
        let mut normalizer = Normalizer::new();
        let mut state = State::default();
        let chars: Vec<char> = if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
            text.chars().collect()
        } else {
            text.nfkc().collect()
        };
        for c in chars {
            normalizer.push(c, &mut state);
        }
        normalizer.flush_pending(&mut state);
        normalizer.out.trim_end_matches(' ').to_owned()
    }

    /// Characters that compose, decompose, reorder or fold, and plain ones.
    const TRICKY: &[char] = &[
        'a', 'e', 'E', ' ', '(', ')', '\n', '中', '號', 'h', 'à', 'o', 'ǎ', '\u{0300}', '\u{0301}',
        '\u{030C}', '\u{0323}', '\u{0344}', '\u{0F73}', '\u{1100}', '\u{1161}', '\u{11A8}',
        '\u{AC00}', '\u{212B}', '\u{F900}', 'Ａ', '，', '。', '？', 'ﬁ', '①', '№', '\u{3099}',
        'か', 'ｶ', '\u{FF9E}', 'Å', 'ü', '\u{0308}', '\u{00A0}', '\u{2026}', '\u{FDFA}', 'é', 'テ',
        '한', 'я', 'Я', '\u{3400}',
    ];

    #[test]
    fn han_runs_are_counted_on_bytes() {
        assert_eq!(common_han_run("一丁中龥".as_bytes()), 12);
        assert_eq!(common_han_run("中\u{3400}中".as_bytes()), 3);
        assert_eq!(common_han_run("中a".as_bytes()), 3);
        assert_eq!(common_han_run("\u{4DFF}中".as_bytes()), 0);
        assert_eq!(common_han_run("\u{A000}".as_bytes()), 0);
        for c in ['\u{4DFF}', '\u{4E00}', '\u{9FFF}', '\u{A000}', 'の', 'a'] {
            assert_eq!(
                common_han_run(c.to_string().as_bytes()) > 0,
                is_common_han(c),
                "{c}"
            );
        }
    }

    #[test]
    fn copied_runs_mix_han_kana_and_hangul() {
        let run = copied_run("中文のテキスト한국어, more");
        assert_eq!(run.bytes, "中文のテキスト한국어".len());
        assert_eq!(run.last, "中文のテキスト한국".len());
        assert!(run.cjk_before_last);
        let run = copied_run("éa");
        assert_eq!((run.bytes, run.last, run.cjk_before_last), (2, 0, false));
        let run = copied_run("中é,");
        assert_eq!((run.bytes, run.last, run.cjk_before_last), (5, 3, true));
        let run = copied_run("é中");
        assert_eq!((run.bytes, run.last, run.cjk_before_last), (5, 2, false));
        assert_eq!(copied_run("Éa").bytes, 0);
    }

    #[test]
    fn runs_stop_before_glosses_and_combining_marks() {
        assert_eq!(norm("公眾號(hào)公眾號"), "公眾號公眾號");
        assert_eq!(norm("中文e\u{0301}中"), "中文é中");
        assert_eq!(norm("中文中\u{0301}x"), norm_whole("中文中\u{0301}x"));
        assert_eq!(
            norm("ABC\u{0301}DEF (hào) 號(hào)x"),
            norm_whole("ABC\u{0301}DEF (hào) 號(hào)x")
        );
    }

    proptest::proptest! {
        #[test]
        fn ascii_shortcut_matches_the_general_path(text in "[ -~\t\n\r]{0,60}") {
            proptest::prop_assert_eq!(norm(&text), norm_by_chars(&text));
        }

        #[test]
        fn pieces_normalize_as_the_whole_text(
            chars in proptest::collection::vec(proptest::sample::select(TRICKY), 0..40)
        ) {
            let text: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(norm(&text), norm_whole(&text));
        }
    }

    /// What [`Normalizer::keeping_punctuation`] promises, written plainly:
    /// NFKC, then lower case, then white space folded.
    pub(crate) fn fold_plainly(text: &str) -> String {
        let lowered: String = text.nfkc().flat_map(char::to_lowercase).collect();
        lowered.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    const FOLDING: &[char] = &[
        '\t', '\u{0B}', '\r', '!', '-', '.', '\u{3000}', '\u{2028}', '\u{85}', 'Σ', 'İ',
    ];

    proptest::proptest! {
        #[test]
        fn folding_is_nfkc_lower_case_and_white_space_folding(
            chars in proptest::collection::vec(
                proptest::sample::select([TRICKY, FOLDING].concat()),
                0..40,
            )
        ) {
            let text: String = chars.into_iter().collect();
            let mut folder = Normalizer::keeping_punctuation();
            proptest::prop_assert_eq!(folder.normalize(&text), fold_plainly(&text));
        }
    }

    #[test]
    fn folding_keeps_punctuation_and_glosses() {
        let mut folder = Normalizer::keeping_punctuation();
        assert_eq!(folder.normalize("  Hello,\tWORLD!\n\n"), "hello, world!");
        assert_eq!(folder.normalize("公眾號(hào)，對。"), "公眾號(hào),對。");
        assert_eq!(folder.normalize(" -- | ** "), "-- | **");
        assert_eq!(norm(" -- | ** "), "");
    }

    #[test]
    fn nothing_but_punctuation_is_empty() {
        assert_eq!(norm(" -- | ** "), "");
        assert_eq!(norm(""), "");
    }
}
