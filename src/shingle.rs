//! Script-aware shingles of normalized text.
//!
//! A document is shingled one way throughout, chosen by the script that
//! dominates it ([`ShingleConfig::for_text`]): text written mostly in Han,
//! kana or Hangul gets the `cjk` [`Shingling`], every other text (Latin,
//! Cyrillic, Greek… written with spaces between words) the `spaced` one.
//! Every segment of a document is cut alike.
//!
//! A [`Shingling`] cuts the text into pieces and makes a shingle of every
//! `k` consecutive pieces:
//!
//! - [`Shingling::Words`]: each Han, kana or Hangul character is a piece,
//!   and each word of a spaced script (a run of letters and digits between
//!   spaces) is a piece.
//! - [`Shingling::Chars`]: each character of the normalized text is a
//!   piece, and so is the space between two words of a spaced script; a
//!   space next to a Han, kana or Hangul character is not (in CJK text
//!   spaces come from punctuation and line breaks, not from word breaks).
//!   On text with no spaced word the two give the same shingles.
//!
//! Words are hashed with xxh3, characters by mixing their code point, and a
//! shingle by combining its pieces' hashes in order. A text with fewer
//! pieces than `k` makes one shingle of all its pieces, so two short texts
//! match only when they are equal, and a text with no pieces makes no
//! shingle (it never shares an empty signature).
//!
//! Whatever the shingling, a text's **units** (what `min_units` counts) are
//! its Han, kana and Hangul characters plus its words.
//!
//! ```
//! use doppel::{ShingleConfig, Shingler, Shingling};
//! let config = ShingleConfig::uniform(Shingling::Words(3));
//! let mut shingler = Shingler::with(config.for_text("the quick brown fox"));
//! let mut out = Vec::new();
//! let units = shingler.shingles("the quick brown fox", &mut out);
//! assert_eq!((units, out.len()), (4, 2));
//! ```

use xxhash_rust::xxh3::xxh3_64;

use std::fmt;
use std::str::FromStr;

use crate::config::{self, ConfigError};
use crate::script::is_cjk;

/// Fewest pieces per shingle a [`Shingling`] accepts.
const MIN_K: usize = 1;
/// Most pieces per shingle a [`Shingling`] accepts.
const MAX_K: usize = 32;

/// One way of cutting shingles: `k` consecutive pieces of one kind, `k`
/// from 1 to 32. Written and parsed as `words:K` or `chars:K`.
///
/// Words: each word of a spaced script, and each Han, kana or Hangul
/// character, is a piece. Chars: each character of the normalized text is
/// a piece, and so is the space between two words of a spaced script (a
/// space next to a Han, kana or Hangul character is not). On text with no
/// spaced word the two give the same shingles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shingling {
    /// `k` words of spaced scripts, or Han, kana or Hangul characters.
    Words(usize),
    /// `k` characters of the normalized text, the spaces between words
    /// included.
    Chars(usize),
}

impl Shingling {
    /// Pieces per shingle.
    pub fn k(self) -> usize {
        match self {
            Shingling::Words(k) | Shingling::Chars(k) => k,
        }
    }

    /// `Ok` when `k` lies in `MIN_K..=MAX_K`; else an error naming
    /// `setting`.
    pub(crate) fn validate(self, setting: &'static str) -> Result<Shingling, ConfigError> {
        config::within(setting, self.k(), MIN_K, MAX_K)?;
        Ok(self)
    }
}

impl fmt::Display for Shingling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shingling::Words(k) => write!(f, "words:{k}"),
            Shingling::Chars(k) => write!(f, "chars:{k}"),
        }
    }
}

impl FromStr for Shingling {
    type Err = String;

    /// Parses `words:K` or `chars:K`, `K` from 1 to 32.
    fn from_str(spec: &str) -> Result<Shingling, String> {
        let (unit, k) = spec
            .split_once(':')
            .ok_or_else(|| format!("'{spec}' is not words:N or chars:N"))?;
        let k = k
            .parse::<usize>()
            .ok()
            .filter(|k| (MIN_K..=MAX_K).contains(k))
            .ok_or_else(|| format!("'{spec}': N must be a whole number from {MIN_K} to {MAX_K}"))?;
        match unit {
            "words" => Ok(Shingling::Words(k)),
            "chars" => Ok(Shingling::Chars(k)),
            _ => Err(format!(
                "'{spec}': '{unit}' is not a shingle unit (words or chars)"
            )),
        }
    }
}

/// How documents are shingled: one [`Shingling`] for text written mostly
/// in Han, kana or Hangul, one for the rest.
///
/// Written and parsed as `SHINGLING` (both scripts alike) or as a
/// comma-separated list of `spaced=SHINGLING` and `cjk=SHINGLING` (`latin`
/// is a synonym of `spaced`); a script not named keeps its default. The
/// default is `spaced=chars:5,cjk=chars:5`.
///
/// ```
/// use doppel::{ShingleConfig, Shingling};
/// let config: ShingleConfig = "latin=words:3".parse()?;
/// assert_eq!(config.spaced, Shingling::Words(3));
/// assert_eq!(config.cjk, ShingleConfig::default().cjk);
/// assert_eq!(config.to_string(), "spaced=words:3,cjk=chars:5");
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ShingleConfig {
    /// The shingling of text written mostly in Han, kana or Hangul.
    pub cjk: Shingling,
    /// The shingling of other text (spaced scripts).
    pub spaced: Shingling,
}

impl Default for ShingleConfig {
    fn default() -> ShingleConfig {
        ShingleConfig {
            cjk: Shingling::Chars(5),
            spaced: Shingling::Chars(5),
        }
    }
}

impl fmt::Display for ShingleConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "spaced={},cjk={}", self.spaced, self.cjk)
    }
}

impl FromStr for ShingleConfig {
    type Err = String;

    fn from_str(spec: &str) -> Result<ShingleConfig, String> {
        if !spec.contains('=') {
            return spec.parse().map(ShingleConfig::uniform);
        }
        let mut config = ShingleConfig::default();
        let mut named = (false, false);
        for part in spec.split(',') {
            let (script, shingling) = part.split_once('=').ok_or_else(|| {
                format!("'{part}' is not SCRIPT=SHINGLING (spaced=chars:5, cjk=chars:5)")
            })?;
            let shingling: Shingling = shingling.parse()?;
            let seen = match script {
                "spaced" | "latin" => {
                    config.spaced = shingling;
                    &mut named.0
                }
                "cjk" => {
                    config.cjk = shingling;
                    &mut named.1
                }
                _ => return Err(format!("'{script}' is not a script (spaced, latin or cjk)")),
            };
            if std::mem::replace(seen, true) {
                return Err(format!("'{spec}' names the {script} script twice"));
            }
        }
        Ok(config)
    }
}

impl ShingleConfig {
    /// The same shingling for every script.
    pub fn uniform(shingling: Shingling) -> ShingleConfig {
        ShingleConfig {
            cjk: shingling,
            spaced: shingling,
        }
    }

    /// `Ok` when both shinglings are in range; else the error of the first
    /// that is not (`shingles.cjk` or `shingles.spaced`).
    pub(crate) fn validate(self) -> Result<ShingleConfig, ConfigError> {
        self.cjk.validate("shingles.cjk")?;
        self.spaced.validate("shingles.spaced")?;
        Ok(self)
    }

    /// The shingling for a document: `cjk` when CJK characters are at
    /// least as many as words in its first 4 KiB, else `spaced`.
    pub fn for_text(&self, text: &str) -> Shingling {
        if is_mostly_cjk(text) {
            self.cjk
        } else {
            self.spaced
        }
    }
}

/// Whether CJK characters are at least as many as words in the first 4 KiB
/// of `text` (and there is one).
///
/// Counted on bytes, which is all the choice needs: a CJK character is a
/// three-byte UTF-8 sequence led by `E3`–`ED` (U+3000–U+DFFF: kana, Han,
/// Hangul) or a four-byte one led by `F0` (the Han extensions); a word
/// starts where an ASCII letter or digit, or a two-byte (Latin, Greek,
/// Cyrillic…) character, follows anything else.
fn is_mostly_cjk(text: &str) -> bool {
    let bytes = &text.as_bytes()[..text.len().min(4 * 1024)];
    // One table lookup per byte and no branches (twice as fast as
    // testing ranges). A continuation byte keeps the state its lead
    // byte set.
    let (mut cjk, mut words, mut in_word) = (0usize, 0usize, 0u8);
    for &b in bytes {
        let class = BYTE_CLASS[usize::from(b)];
        let wordish = u8::from(class & WORDISH != 0);
        let continuation = u8::from(class & CONTINUATION != 0);
        cjk += usize::from(class & CJK_LEAD);
        words += usize::from(wordish & !in_word & 1);
        in_word = wordish | (continuation & in_word);
    }
    cjk >= words && cjk > 0
}

const CJK_LEAD: u8 = 1;
const WORDISH: u8 = 2;
const CONTINUATION: u8 = 4;

/// What [`is_mostly_cjk`] counts of each byte: a CJK lead byte, a
/// byte that is or starts a word character, a continuation byte.
static BYTE_CLASS: [u8; 256] = byte_classes();

const fn byte_classes() -> [u8; 256] {
    let mut classes = [0u8; 256];
    let mut at = 0;
    while at < 256 {
        let b = at as u8;
        if matches!(b, 0xE3..=0xED | 0xF0) {
            classes[at] = CJK_LEAD;
        } else if b.is_ascii_alphanumeric() || matches!(b, 0xC0..=0xDF) {
            classes[at] = WORDISH;
        } else if matches!(b, 0x80..=0xBF) {
            classes[at] = CONTINUATION;
        }
        at += 1;
    }
    classes
}

/// A reusable shingler of one [`Shingling`]: it owns its piece buffer.
#[derive(Debug)]
pub struct Shingler {
    shingling: Shingling,
    pieces: Vec<u64>,
}

const CJK_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

impl Shingler {
    /// A shingler of `k` words (or CJK characters) per shingle (0 is taken
    /// as 1): `Shingler::with(Shingling::Words(k))`.
    pub fn new(k: usize) -> Shingler {
        Shingler::with(Shingling::Words(k))
    }

    /// A shingler of `shingling` (a `k` of 0 is taken as 1).
    pub fn with(shingling: Shingling) -> Shingler {
        let shingling = match shingling {
            Shingling::Words(k) => Shingling::Words(k.max(1)),
            Shingling::Chars(k) => Shingling::Chars(k.max(1)),
        };
        Shingler {
            shingling,
            pieces: Vec::new(),
        }
    }

    /// The shingling it cuts.
    pub fn shingling(&self) -> Shingling {
        self.shingling
    }

    /// Appends the shingle hashes of `normalized` to `out` (in text order,
    /// repeats included) and returns the number of units (CJK characters
    /// and words, whatever the shingling).
    pub fn shingles(&mut self, normalized: &str, out: &mut Vec<u64>) -> usize {
        let units = match self.shingling {
            Shingling::Words(_) => {
                self.cut_units(normalized);
                self.pieces.len()
            }
            Shingling::Chars(_) => self.cut_chars(normalized),
        };
        if self.pieces.is_empty() {
            return units;
        }
        let k = self.shingling.k().min(self.pieces.len());
        out.reserve(self.pieces.len() + 1 - k);
        for window in self.pieces.windows(k) {
            out.push(hash_window(window));
        }
        units
    }

    /// The units of `normalized` (CJK characters and words) that
    /// [`shingles`](Self::shingles) gives, without cutting any shingle.
    pub fn units(&self, normalized: &str) -> usize {
        if normalized.is_ascii() {
            return ascii_words(normalized);
        }
        let (mut units, mut in_word) = (0, false);
        for c in normalized.chars() {
            if c == ' ' {
                in_word = false;
                continue;
            }
            let cjk = is_cjk(c);
            units += usize::from(cjk || !in_word);
            in_word = !cjk;
        }
        units
    }

    /// Fills `self.pieces` with the hashes of the characters of
    /// `normalized` that [`Shingling::Chars`] counts and returns the units
    /// (CJK characters and words).
    fn cut_chars(&mut self, normalized: &str) -> usize {
        self.pieces.clear();
        if normalized.is_ascii() {
            // Every byte a piece; the normalizer leaves single spaces
            // between words and none at the ends.
            let text = normalized.trim_matches(' ');
            self.pieces
                .extend(text.bytes().map(|b| char_hash(char::from(b))));
            return ascii_words(text);
        }
        let (mut units, mut in_word, mut after_cjk) = (0, false, true);
        let mut chars = normalized.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                in_word = false;
                let before_cjk = chars.peek().is_none_or(|&next| is_cjk(next));
                if !after_cjk && !before_cjk {
                    self.pieces.push(char_hash(c));
                }
                continue;
            }
            let cjk = is_cjk(c);
            units += usize::from(cjk || !in_word);
            in_word = !cjk;
            after_cjk = cjk;
            self.pieces.push(char_hash(c));
        }
        units
    }

    /// Fills `self.pieces` with the hashes of words and CJK characters.
    fn cut_units(&mut self, normalized: &str) {
        self.pieces.clear();
        if normalized.is_ascii() {
            // No CJK character and no multi-byte word: split on the spaces.
            let words = normalized.as_bytes().split(|&b| b == b' ');
            self.pieces
                .extend(words.filter(|w| !w.is_empty()).map(xxh3_64));
            return;
        }
        let mut word_start = None;
        for (at, c) in normalized.char_indices() {
            if c == ' ' || is_cjk(c) {
                if let Some(start) = word_start.take() {
                    self.pieces.push(xxh3_64(&normalized.as_bytes()[start..at]));
                }
                if c != ' ' {
                    self.pieces.push(char_hash(c));
                }
            } else if word_start.is_none() {
                word_start = Some(at);
            }
        }
        if let Some(start) = word_start {
            self.pieces.push(xxh3_64(&normalized.as_bytes()[start..]));
        }
    }
}

/// The words of ASCII text whose words are separated by spaces.
fn ascii_words(text: &str) -> usize {
    let mut after_space = true;
    let mut words = 0;
    for b in text.bytes() {
        words += usize::from(after_space && b != b' ');
        after_space = b == b' ';
    }
    words
}

/// Calls `each_batch` with the hashes of the windows of `k` characters of
/// `text`, in order, a batch at a time (one window of all of them when
/// there are fewer), as [`Shingler::shingles`] hashes windows. The text is
/// cut into pieces a chunk at a time, so a document of any length is
/// shingled in bounded memory.
pub(crate) fn each_char_window_batch(text: &str, k: usize, mut each_batch: impl FnMut(&[u64])) {
    const CHUNK: usize = 1 << 16;
    let k = k.max(1);
    let capacity = text.len().min(CHUNK) + k;
    let mut pieces: Vec<u64> = Vec::with_capacity(capacity);
    let mut hashes: Vec<u64> = Vec::with_capacity(capacity);
    let mut windows = false;
    let mut flush = |pieces: &mut Vec<u64>| {
        if pieces.len() < k {
            return;
        }
        hashes.clear();
        hashes.extend(pieces.windows(k).map(hash_window));
        each_batch(&hashes);
        windows = true;
        // The last k - 1 pieces begin the next chunk's first window.
        pieces.drain(..pieces.len() + 1 - k);
    };
    let full = CHUNK + k - 1;
    if text.is_ascii() {
        for b in text.bytes() {
            pieces.push(char_hash(char::from(b)));
            if pieces.len() == full {
                flush(&mut pieces);
            }
        }
    } else {
        for c in text.chars() {
            pieces.push(char_hash(c));
            if pieces.len() == full {
                flush(&mut pieces);
            }
        }
    }
    flush(&mut pieces);
    if !windows && !pieces.is_empty() {
        each_batch(&[hash_window(&pieces)]);
    }
}

/// A character's piece hash (the same in both shinglings, so text with no
/// spaced word is shingled alike by both).
fn char_hash(c: char) -> u64 {
    mix(u64::from(c) ^ CJK_SEED)
}

/// Combines the unit hashes of a window in order, then mixes the result.
fn hash_window(window: &[u64]) -> u64 {
    let mut h = 0u64;
    for &unit in window {
        h = (h.rotate_left(23) ^ unit).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    mix(h)
}

/// The MurmurHash3 finalizer: every input bit moves every output bit.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    x = x.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    x ^ (x >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shingling of earlier releases: 5 CJK characters, 3 words.
    const WORDS: ShingleConfig = ShingleConfig {
        cjk: Shingling::Words(5),
        spaced: Shingling::Words(3),
    };

    fn shingle(text: &str) -> (usize, Vec<u64>) {
        shingle_with(WORDS.for_text(text), text)
    }

    fn shingle_with(shingling: Shingling, text: &str) -> (usize, Vec<u64>) {
        let mut out = Vec::new();
        let units = Shingler::with(shingling).shingles(text, &mut out);
        (units, out)
    }

    #[test]
    fn the_shingling_follows_the_dominant_script() {
        assert_eq!(
            WORDS.for_text("新华社北京7月9日电 2015"),
            Shingling::Words(5)
        );
        assert_eq!(
            WORDS.for_text("The iPhone 发布会 was held"),
            Shingling::Words(3)
        );
        assert_eq!(WORDS.for_text(""), Shingling::Words(3));
    }

    /// The choice counted on characters, as the byte loop must count it.
    fn cjk_by_chars(text: &str) -> bool {
        let mut end = text.len().min(4 * 1024);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let (mut cjk, mut words, mut in_word) = (0usize, 0usize, false);
        for c in text[..end].chars() {
            let lead = c.len_utf8();
            let first = c.to_string().as_bytes()[0];
            if lead == 4 && first == 0xF0 || lead == 3 && (0xE3..=0xED).contains(&first) {
                cjk += 1;
                in_word = false;
            } else if c.is_ascii_alphanumeric() || lead == 2 {
                words += usize::from(!in_word);
                in_word = true;
            } else {
                in_word = false;
            }
        }
        cjk >= words && cjk > 0
    }

    const MIXED: &[&str] = &[
        "a", "Z", "7", " ", ".", "é", "я", "中", "の", "한", "𠀀", "。", "—", "€", "\n",
    ];

    proptest::proptest! {
        #[test]
        fn the_script_is_counted_on_bytes_as_on_characters(
            pieces in proptest::collection::vec(proptest::sample::select(MIXED), 0..60)
        ) {
            let text = pieces.concat();
            proptest::prop_assert_eq!(is_mostly_cjk(&text), cjk_by_chars(&text));
        }

        /// On text without a spaced word, both shinglings cut the same
        /// pieces, and units never depend on the shingling.
        #[test]
        fn chars_and_words_agree_on_cjk_text_and_on_units(
            pieces in proptest::collection::vec(proptest::sample::select(MIXED), 0..60),
            k in 1usize..8,
        ) {
            let mut normalizer = crate::Normalizer::new();
            let text = normalizer.normalize(&pieces.concat()).to_owned();
            let (word_units, words) = shingle_with(Shingling::Words(k), &text);
            let (char_units, chars) = shingle_with(Shingling::Chars(k), &text);
            proptest::prop_assert_eq!(word_units, char_units);
            if !text.chars().any(|c| c != ' ' && !is_cjk(c)) {
                proptest::prop_assert_eq!(words, chars);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn units_are_what_shingling_counts(text in "[a-z 中文かなé.]{0,40}") {
            let normalized = crate::Normalizer::new().normalize(&text).to_owned();
            for shingling in [Shingling::Words(3), Shingling::Chars(5)] {
                let mut shingler = Shingler::with(shingling);
                let counted = shingler.shingles(&normalized, &mut Vec::new());
                proptest::prop_assert_eq!(shingler.units(&normalized), counted);
            }
        }
    }

    /// Every window of `k` characters, hashed, with all pieces held.
    fn windows_plainly(text: &str, k: usize) -> Vec<u64> {
        let pieces: Vec<u64> = text.chars().map(char_hash).collect();
        if pieces.is_empty() {
            return Vec::new();
        }
        pieces
            .windows(k.min(pieces.len()))
            .map(hash_window)
            .collect()
    }

    fn windows_in_batches(text: &str, k: usize) -> Vec<u64> {
        let mut out = Vec::new();
        each_char_window_batch(text, k, |batch| out.extend_from_slice(batch));
        out
    }

    #[test]
    fn batches_of_windows_run_across_chunk_ends() {
        let long: String = "the quick brown fox, 中文字かな。\n"
            .chars()
            .cycle()
            .take(200_003)
            .collect();
        for text in [long.as_str(), "", "a", "abcd", "abcde", "中文"] {
            for k in [1, 5, 32] {
                assert_eq!(windows_in_batches(text, k), windows_plainly(text, k), "{k}");
            }
        }
        let ascii: String = "abcdefghij ".chars().cycle().take(150_000).collect();
        assert_eq!(windows_in_batches(&ascii, 5), windows_plainly(&ascii, 5));
    }

    #[test]
    fn words_are_units_of_spaced_scripts() {
        let (units, out) = shingle("one two three four five");
        assert_eq!(units, 5);
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn cjk_characters_are_units_and_never_split_on_spaces() {
        let (units, out) = shingle("新华社北京电");
        assert_eq!((units, out.len()), (6, 2));
        let (_, spaced) = shingle("新华社 北京电");
        assert_eq!(out, spaced);
    }

    #[test]
    fn mixed_text_counts_each_kind_of_unit() {
        let (units, _) = shingle("iphone 15 发布会");
        assert_eq!(units, 5);
    }

    #[test]
    fn short_text_is_one_shingle_of_all_units() {
        let (_, a) = shingle("hello world");
        let (_, b) = shingle("hello there");
        assert_eq!(a.len(), 1);
        assert_ne!(a, b);
    }

    #[test]
    fn no_units_no_shingles() {
        assert_eq!(shingle(""), (0, vec![]));
    }

    #[test]
    fn shingles_depend_on_order() {
        let (_, a) = shingle("a b c d");
        let (_, b) = shingle("d c b a");
        assert!(a.iter().all(|h| !b.contains(h)));
    }

    #[test]
    fn chars_count_the_space_between_words() {
        let (units, out) = shingle_with(Shingling::Chars(3), "ab cd");
        assert_eq!(units, 2);
        assert_eq!(out.len(), 3);
        let (_, joined) = shingle_with(Shingling::Chars(3), "abcd");
        assert!(out.iter().all(|h| !joined.contains(h)));
        // Pieces of the ASCII path and of the general one are the same.
        let (_, accented) = shingle_with(Shingling::Chars(3), "ab cd é");
        assert_eq!(accented[..3], out[..]);
    }

    #[test]
    fn chars_drop_spaces_next_to_cjk_characters() {
        let (units, spaced) = shingle_with(Shingling::Chars(2), "新华 社 ab 北京");
        let (_, unspaced) = shingle_with(Shingling::Chars(2), "新华社ab北京");
        assert_eq!(spaced, unspaced);
        assert_eq!(units, 6);
    }

    #[test]
    fn one_edited_character_changes_k_char_shingles_but_three_word_ones() {
        let text = "the licensor grants you a worldwide royalty free license";
        let typo = "the licensor grants you a worldwida royalty free license";
        let changed = |shingling| {
            let (_, a) = shingle_with(shingling, text);
            let (_, b) = shingle_with(shingling, typo);
            a.iter().filter(|h| !b.contains(h)).count()
        };
        assert_eq!(changed(Shingling::Chars(5)), 5);
        assert_eq!(changed(Shingling::Words(3)), 3);
        assert_eq!(changed(Shingling::Words(1)), 1);
    }

    #[test]
    fn specs_parse_and_print_back() {
        for spec in ["words:3", "chars:5", "chars:32"] {
            let shingling: Shingling = spec.parse().unwrap();
            assert_eq!(shingling.to_string(), spec);
        }
        let config: ShingleConfig = "cjk=words:4,latin=chars:6".parse().unwrap();
        assert_eq!(config.cjk, Shingling::Words(4));
        assert_eq!(config.spaced, Shingling::Chars(6));
        assert_eq!(config.to_string().parse::<ShingleConfig>(), Ok(config));
        let uniform: ShingleConfig = "words:2".parse().unwrap();
        assert_eq!(uniform, ShingleConfig::uniform(Shingling::Words(2)));
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let err = |spec: &str| spec.parse::<ShingleConfig>().unwrap_err();
        assert_eq!(
            err("chars:0"),
            "'chars:0': N must be a whole number from 1 to 32"
        );
        assert_eq!(
            err("chars:33"),
            "'chars:33': N must be a whole number from 1 to 32"
        );
        assert_eq!(
            err("bytes:4"),
            "'bytes:4': 'bytes' is not a shingle unit (words or chars)"
        );
        assert_eq!(err("5"), "'5' is not words:N or chars:N");
        assert_eq!(
            err("thai=chars:3"),
            "'thai' is not a script (spaced, latin or cjk)"
        );
        assert_eq!(
            err("cjk=chars:3,cjk=words:2"),
            "'cjk=chars:3,cjk=words:2' names the cjk script twice"
        );
        assert_eq!(
            err("cjk=chars:3,"),
            "'' is not SCRIPT=SHINGLING (spaced=chars:5, cjk=chars:5)"
        );
    }

    #[test]
    fn out_of_range_configs_are_refused_when_validated() {
        let config = ShingleConfig::uniform(Shingling::Chars(0));
        assert!(matches!(
            config.validate(),
            Err(ConfigError::OutOfRange {
                setting: "shingles.cjk",
                value: 0,
                ..
            })
        ));
        assert!(ShingleConfig::default().validate().is_ok());
    }
}
