//! Script-aware shingles of normalized text.
//!
//! Text is cut into **units**: each Han, kana or Hangul character is a unit,
//! and each word of a spaced script (a run of letters and digits between
//! spaces) is a unit. A shingle is `k` consecutive units. Words are hashed with xxh3, CJK
//! characters by mixing their code point, and a shingle by combining its
//! units' hashes in order.
//!
//! `k` depends on the script that dominates the whole document
//! ([`ShingleConfig::k_for`]), so every segment of a document is cut alike: 5
//! characters for Chinese, Japanese and Korean (about two or three words), 3
//! words for spaced scripts. A text with fewer units than `k` makes one
//! shingle of all its units, so two short texts match only when they are
//! equal, and a text with no units at all makes no shingle (it never shares an
//! empty signature).
//!
//! ```
//! let config = doppel::ShingleConfig::default();
//! let mut shingler = doppel::Shingler::new(config.k_for("the quick brown fox"));
//! let mut out = Vec::new();
//! let units = shingler.shingles("the quick brown fox", &mut out);
//! assert_eq!((units, out.len()), (4, 2));
//! ```

use xxhash_rust::xxh3::xxh3_64;

use crate::script::is_cjk;

/// Shingle lengths, in units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShingleConfig {
    /// Units per shingle in text written mostly in Han, kana or Hangul.
    pub cjk_k: usize,
    /// Words per shingle in text written mostly in spaced scripts.
    pub word_k: usize,
}

impl Default for ShingleConfig {
    fn default() -> ShingleConfig {
        ShingleConfig {
            cjk_k: 5,
            word_k: 3,
        }
    }
}

impl ShingleConfig {
    /// The shingle length for a document: `cjk_k` when CJK characters are at
    /// least as many as words in its first 4 KiB, else `word_k`.
    ///
    /// Counted on bytes, which is all the choice needs: a CJK character is a
    /// three-byte UTF-8 sequence led by `E3`–`ED` (U+3000–U+DFFF: kana, Han,
    /// Hangul) or a four-byte one led by `F0` (the Han extensions); a word
    /// starts where an ASCII letter or digit, or a two-byte (Latin, Greek,
    /// Cyrillic…) character, follows anything else.
    pub fn k_for(&self, text: &str) -> usize {
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
        if cjk >= words && cjk > 0 {
            self.cjk_k
        } else {
            self.word_k
        }
    }
}

const CJK_LEAD: u8 = 1;
const WORDISH: u8 = 2;
const CONTINUATION: u8 = 4;

/// What [`ShingleConfig::k_for`] counts of each byte: a CJK lead byte, a
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

/// A reusable shingler of a fixed `k`: it owns its unit buffer.
#[derive(Debug)]
pub struct Shingler {
    k: usize,
    units: Vec<u64>,
}

const CJK_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

impl Shingler {
    /// A shingler of `k` units per shingle (0 is taken as 1).
    pub fn new(k: usize) -> Shingler {
        Shingler {
            k: k.max(1),
            units: Vec::new(),
        }
    }

    /// Appends the shingle hashes of `normalized` to `out` (in text order,
    /// repeats included) and returns the number of units.
    pub fn shingles(&mut self, normalized: &str, out: &mut Vec<u64>) -> usize {
        self.cut_units(normalized);
        let units = self.units.len();
        if units == 0 {
            return 0;
        }
        let k = self.k.min(units);
        out.reserve(units + 1 - k);
        for window in self.units.windows(k) {
            out.push(hash_window(window));
        }
        units
    }

    /// Fills `self.units` with unit hashes.
    fn cut_units(&mut self, normalized: &str) {
        self.units.clear();
        if normalized.is_ascii() {
            // No CJK character and no multi-byte word: split on the spaces.
            let words = normalized.as_bytes().split(|&b| b == b' ');
            self.units
                .extend(words.filter(|w| !w.is_empty()).map(xxh3_64));
            return;
        }
        let mut word_start = None;
        for (at, c) in normalized.char_indices() {
            if c == ' ' || is_cjk(c) {
                if let Some(start) = word_start.take() {
                    self.units.push(xxh3_64(&normalized.as_bytes()[start..at]));
                }
                if c != ' ' {
                    self.units.push(mix(u64::from(c) ^ CJK_SEED));
                }
            } else if word_start.is_none() {
                word_start = Some(at);
            }
        }
        if let Some(start) = word_start {
            self.units.push(xxh3_64(&normalized.as_bytes()[start..]));
        }
    }
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

    fn shingle(text: &str) -> (usize, Vec<u64>) {
        let mut out = Vec::new();
        let k = ShingleConfig::default().k_for(text);
        let units = Shingler::new(k).shingles(text, &mut out);
        (units, out)
    }

    #[test]
    fn k_follows_the_dominant_script() {
        let config = ShingleConfig::default();
        assert_eq!(config.k_for("新华社北京7月9日电 2015"), 5);
        assert_eq!(config.k_for("The iPhone 发布会 was held"), 3);
        assert_eq!(config.k_for(""), 3);
    }

    /// The choice counted on characters, as the byte loop must count it.
    fn k_by_chars(config: &ShingleConfig, text: &str) -> usize {
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
        if cjk >= words && cjk > 0 {
            config.cjk_k
        } else {
            config.word_k
        }
    }

    const MIXED: &[&str] = &[
        "a", "Z", "7", " ", ".", "é", "я", "中", "の", "한", "𠀀", "。", "—", "€", "\n",
    ];

    proptest::proptest! {
        #[test]
        fn k_counts_bytes_as_characters_would(
            pieces in proptest::collection::vec(proptest::sample::select(MIXED), 0..60)
        ) {
            let text = pieces.concat();
            let config = ShingleConfig::default();
            proptest::prop_assert_eq!(config.k_for(&text), k_by_chars(&config, &text));
        }
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
}
