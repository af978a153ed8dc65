//! Comparison keys: the hash of a piece of text in the form the options
//! compare (exact bytes, or with whitespace, case or more folded away).
//! The original text is never changed; only its key is.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use xxhash_rust::xxh3::xxh3_64;

use super::options::DiffOptions;

/// A map keyed by comparison keys, which are already well-mixed hashes: the
/// key itself is its hash.
pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// Passes a `u64` key through as its own hash.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// Hashes pieces of text into comparison keys, reusing one scratch buffer.
#[derive(Clone)]
pub(crate) struct Keyer {
    ignore_whitespace: bool,
    ignore_case: bool,
    normalize: bool,
    scratch: String,
}

impl Keyer {
    pub(crate) fn new(options: &DiffOptions) -> Keyer {
        Keyer {
            ignore_whitespace: options.ignore_whitespace,
            ignore_case: options.ignore_case,
            normalize: options.normalize,
            scratch: String::new(),
        }
    }

    pub(crate) fn is_exact(&self) -> bool {
        !(self.ignore_whitespace || self.ignore_case || self.normalize)
    }

    /// The key of `text`.
    pub(crate) fn key(&mut self, text: &str) -> u64 {
        if self.is_exact() {
            return xxh3_64(text.as_bytes());
        }
        self.fold(text);
        xxh3_64(self.scratch.as_bytes())
    }

    /// Whether `text` vanishes entirely in the compared form.
    pub(crate) fn is_blank(&self, text: &str) -> bool {
        (self.ignore_whitespace || self.normalize) && text.chars().all(char::is_whitespace)
    }

    fn fold(&mut self, text: &str) {
        self.scratch.clear();
        if !self.normalize {
            for c in text.chars() {
                if self.ignore_whitespace && c.is_whitespace() {
                    continue;
                }
                if self.ignore_case {
                    self.scratch.extend(c.to_lowercase());
                } else {
                    self.scratch.push(c);
                }
            }
        } else if text.is_ascii() {
            // NFKC leaves ASCII as it is.
            self.normalized(text.chars().map(|c| c.to_ascii_lowercase()));
        } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
            // Already in NFKC (most CJK text): the same characters.
            self.normalized(text.chars().flat_map(char::to_lowercase));
        } else {
            self.normalized(text.nfkc().flat_map(char::to_lowercase));
        }
    }

    /// Folds whitespace and punctuation of NFKC, case-folded characters.
    fn normalized(&mut self, chars: impl Iterator<Item = char>) {
        let mut pending_space = false;
        let mut last: Option<char> = None;
        for c in chars {
            if c.is_whitespace() {
                pending_space = !self.ignore_whitespace;
                continue;
            }
            let c = fold_punctuation(c);
            if pending_space && last.is_some_and(separates) && separates(c) {
                self.scratch.push(' ');
            }
            pending_space = false;
            last = Some(c);
            self.scratch.push(c);
        }
    }
}

/// Whether a space next to `c` can separate words: only between letters or
/// digits of spaced scripts (a space beside punctuation or CJK is folded
/// away).
fn separates(c: char) -> bool {
    c.is_alphanumeric() && !super::tokens::is_cjk(c)
}

/// Maps CJK and typographic punctuation to its ASCII counterpart (NFKC has
/// already folded the full-width ASCII forms).
fn fold_punctuation(c: char) -> char {
    match c {
        '。' | '｡' => '.',
        '、' | '，' => ',',
        '「' | '」' | '『' | '』' | '“' | '”' | '„' | '«' | '»' | '〝' | '〞' => '"',
        '‘' | '’' | '‚' | '‹' | '›' => '\'',
        '‐' | '‑' | '‒' | '–' | '—' | '―' | 'ー' => '-',
        '〈' | '《' | '【' | '〔' => '(',
        '〉' | '》' | '】' | '〕' => ')',
        '・' | '·' => '.',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyer(f: impl FnOnce(&mut DiffOptions)) -> Keyer {
        let mut options = DiffOptions::new();
        f(&mut options);
        Keyer::new(&options)
    }

    #[test]
    fn exact_keys_tell_every_byte() {
        let mut k = keyer(|_| {});
        assert_ne!(k.key("a b\n"), k.key("a  b\n"));
        assert_ne!(k.key("a\n"), k.key("a\r\n"));
    }

    #[test]
    fn whitespace_and_case_can_be_ignored() {
        let mut k = keyer(|o| {
            o.ignore_whitespace(true);
        });
        assert_eq!(k.key("a b\n"), k.key("ab"));
        let mut k = keyer(|o| {
            o.ignore_case(true);
        });
        assert_eq!(k.key("Straße"), k.key("straße"));
        assert_ne!(k.key("a b"), k.key("a  b"));
    }

    #[test]
    fn normalized_keys_fold_width_case_space_and_punctuation() {
        let mut k = keyer(|o| {
            o.normalize(true);
        });
        assert_eq!(k.key("ＡＢＣ，  def。\n"), k.key("abc, def."));
        assert_eq!(k.key("「引用」"), k.key("\"引用\""));
        assert_eq!(k.key("「引用」，好。"), k.key("\"引用\", 好."));
        assert_ne!(k.key("ab"), k.key("a b"));
    }

    #[test]
    fn text_that_passes_the_quick_check_is_its_own_normalization() {
        // The premise of the fast path in `fold`: such text is left as it is.
        let texts = [
            "中共中央关于加强、改进。",
            "한국어 텍스트",
            "plain ASCII",
            "Straße",
        ];
        for text in texts {
            assert_eq!(is_nfkc_quick(text.chars()), IsNormalized::Yes, "{text}");
            assert!(text.nfkc().eq(text.chars()), "{text}");
        }
        for text in ["Ｆｕｌｌ ｗｉｄｔｈ", "e\u{301}", "ﬁ Ǆ", "加强，改进"] {
            assert_ne!(is_nfkc_quick(text.chars()), IsNormalized::Yes, "{text}");
        }
    }
}
