//! One segment's comparable form: hashes of its raw and normalized text, its
//! shingle set and its MinHash signature.
//!
//! Made by a reusable [`Fingerprinter`] that owns the normalizer's and the
//! shingler's buffers. Normalized text and the shingle list are dropped as
//! soon as they are hashed; only hashes travel on.
//!
//! ```
//! use doppel::Fingerprinter;
//! let mut fingerprinter = Fingerprinter::new(3);
//! let a = fingerprinter.fingerprint("Hello,  World!");
//! let b = fingerprinter.fingerprint("hello world");
//! assert_eq!(a.exact, b.exact);
//! assert_ne!(a.raw, b.raw);
//! ```

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::normalize::Normalizer;
use crate::shingle::{each_char_window_batch, Shingler, Shingling};
use crate::sketch::{Signature, SlotMins};

/// A segment's hashes and sketch.
#[derive(Clone, Debug)]
pub struct Fingerprint {
    /// Hash of the text exactly as written.
    pub raw: u64,
    /// Hash of the normalized text (of the raw text when normalization leaves
    /// nothing, so punctuation-only segments match only themselves).
    pub exact: u64,
    /// Number of units (CJK characters and words, whatever the shingling).
    pub units: usize,
    /// Shingle hashes in text order, repeats included; [`Fingerprint::set`]
    /// gives the set whose Jaccard similarity verifies a near-duplicate
    /// candidate (sorted only when a comparison needs it).
    pub shingles: Vec<u64>,
    /// MinHash signature; `None` when the text has no units.
    pub signature: Option<Signature>,
}

impl Fingerprint {
    /// The distinct shingle hashes, sorted.
    pub fn set(&self) -> Vec<u64> {
        let mut set = self.shingles.clone();
        set.sort_unstable();
        set.dedup();
        set
    }

    /// Exact Jaccard similarity of the two shingle sets.
    pub fn jaccard(&self, other: &Fingerprint) -> f64 {
        jaccard(&self.set(), &other.set())
    }
}

/// Jaccard similarity of two sorted, duplicate-free lists.
pub fn jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let common = shared(a, b);
    common as f64 / (a.len() + b.len() - common) as f64
}

/// How many elements two sorted lists share (each match consumed once, so
/// on multisets it counts shared occurrences).
pub(crate) fn shared<T: Ord>(a: &[T], b: &[T]) -> usize {
    // Branch-free steps: which side moves is data, not control flow, so
    // the unpredictable comparisons of two hash lists cost no mispredictions.
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        let (x, y) = (&a[i], &b[j]);
        common += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    common
}

/// Makes fingerprints, reusing its buffers, and gathers the MinHash slots
/// of everything it fingerprinted: the document's signature.
#[derive(Debug)]
pub struct Fingerprinter {
    normalizer: Normalizer,
    /// Folds whole documents for [`Fingerprinter::whole_text_shingles`].
    folder: Normalizer,
    shingler: Shingler,
    document: SlotMins,
    sign_segments: bool,
    sign_document: bool,
    shingle_segments: bool,
}

/// Segments with fewer shingles than this get no signature: a near
/// duplicate of so short a text is the text itself, found by its hash.
const MIN_SKETCHED: usize = 3;

const RAW_SEED: u64 = 0x00D0_99E1;

impl Fingerprinter {
    /// A fingerprinter cutting shingles of `k` words (or CJK characters):
    /// `Fingerprinter::with(Shingling::Words(k))`.
    pub fn new(k: usize) -> Fingerprinter {
        Fingerprinter::with(Shingling::Words(k))
    }

    /// A fingerprinter cutting shingles as `shingling` does (see
    /// [`ShingleConfig::for_text`](crate::ShingleConfig::for_text)).
    pub fn with(shingling: Shingling) -> Fingerprinter {
        Fingerprinter {
            normalizer: Normalizer::new(),
            folder: Normalizer::keeping_punctuation(),
            shingler: Shingler::with(shingling),
            document: SlotMins::default(),
            sign_segments: true,
            sign_document: true,
            shingle_segments: true,
        }
    }

    /// Whether fingerprints carry their shingles (the default). Without
    /// them a fingerprint has its hashes and units only, and neither it nor
    /// the document gets a signature: what a caller comparing whole
    /// documents on [`whole_text_shingles`](Self::whole_text_shingles),
    /// and segments only by hash, needs.
    pub fn shingle_segments(mut self, on: bool) -> Fingerprinter {
        self.shingle_segments = on;
        self
    }

    /// Whether [`document_signature`](Self::document_signature) gathers
    /// the MinHash slots of the segments fingerprinted (the default). A
    /// caller that signs the document from
    /// [`whole_text_shingles`](Self::whole_text_shingles) turns it off and
    /// saves the work (unless segments are signed, which gathers them
    /// anyway).
    pub fn sign_document(mut self, on: bool) -> Fingerprinter {
        self.sign_document = on;
        self
    }

    /// The shingles a whole document is compared on, when its shingling
    /// is [`Shingling::Chars`]: every window of `k` characters of the text
    /// folded by [`Normalizer::keeping_punctuation`], across line and
    /// paragraph ends, appended to `out`; `true`. Under
    /// [`Shingling::Words`] nothing is appended and it gives `false`: a
    /// document is then compared on the union of its segments' shingles.
    ///
    /// The similarity of two documents under `chars:5` is thus the Jaccard
    /// similarity of the character 5-gram sets of their NFKC, lower-cased,
    /// white-space-folded texts.
    pub fn whole_text_shingles(&mut self, text: &str, out: &mut Vec<u64>) -> bool {
        self.each_whole_text_batch(text, |batch| out.extend_from_slice(batch))
    }

    /// [`whole_text_shingles`](Self::whole_text_shingles), given to
    /// `each_batch` a batch at a time in text order instead of gathered: a
    /// long document is shingled without holding its shingles.
    pub fn each_whole_text_batch(&mut self, text: &str, each_batch: impl FnMut(&[u64])) -> bool {
        let Shingling::Chars(k) = self.shingler.shingling() else {
            return false;
        };
        each_char_window_batch(self.folder.normalize(text), k, each_batch);
        true
    }

    /// Whether each fingerprint gets its own signature (the default). Without
    /// them, only the document's signature is made: what finding duplicate
    /// documents needs, for less work per segment.
    pub fn sign_segments(mut self, on: bool) -> Fingerprinter {
        self.sign_segments = on;
        self
    }

    /// The signature of everything fingerprinted so far (the union of the
    /// shingle sets); `None` when nothing had a unit.
    pub fn document_signature(&self) -> Option<Signature> {
        self.document.signature()
    }

    /// Appends the shingle hashes of `text` to `out` (in text order, repeats
    /// included) and returns its units: the shingles of
    /// [`fingerprint`](Self::fingerprint) without its hashes and signature.
    pub fn shingles(&mut self, text: &str, out: &mut Vec<u64>) -> usize {
        let normalized = self.normalizer.normalize(text);
        self.shingler.shingles(normalized, out)
    }

    /// Hashes, shingles and (unless [`sign_segments`](Self::sign_segments)
    /// is off) signs `text`, and adds its MinHash slots to the document's
    /// signature.
    pub fn fingerprint(&mut self, text: &str) -> Fingerprint {
        let raw = xxh3_64_with_seed(text.as_bytes(), RAW_SEED);
        let normalized = self.normalizer.normalize(text);
        let exact = if normalized.is_empty() {
            raw
        } else {
            xxh3_64(normalized.as_bytes())
        };
        let mut shingles = Vec::new();
        if !self.shingle_segments {
            return Fingerprint {
                raw,
                exact,
                units: self.shingler.units(normalized),
                shingles,
                signature: None,
            };
        }
        let units = self.shingler.shingles(normalized, &mut shingles);
        let signature = if self.sign_segments {
            let mut mins = SlotMins::default();
            mins.add(&shingles);
            self.document.merge(&mins);
            (shingles.len() >= MIN_SKETCHED)
                .then(|| mins.signature())
                .flatten()
        } else {
            if self.sign_document {
                self.document.add(&shingles);
            }
            None
        };
        Fingerprint {
            raw,
            exact,
            units,
            shingles,
            signature,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glossed_and_plain_text_are_exact_twins() {
        let mut f = Fingerprinter::new(5);
        let a = f.fingerprint("掃一掃加入微信公眾號(hào)");
        let b = f.fingerprint("掃一掃加入微信公眾號");
        assert_eq!(a.exact, b.exact);
        assert_eq!(a.jaccard(&b), 1.0);
    }

    #[test]
    fn punctuation_only_segments_match_only_themselves() {
        let mut f = Fingerprinter::new(5);
        let a = f.fingerprint("***");
        let b = f.fingerprint("---");
        assert_ne!(a.exact, b.exact);
        assert!(a.signature.is_none());
    }

    /// The Jaccard similarity of the character `k`-gram sets of two texts
    /// folded plainly: the documented meaning of document similarity.
    fn plain_similarity(a: &str, b: &str, k: usize) -> f64 {
        let grams = |text: &str| -> std::collections::HashSet<String> {
            let chars: Vec<char> = crate::normalize::tests::fold_plainly(text)
                .chars()
                .collect();
            chars
                .windows(k.min(chars.len()).max(1))
                .map(|window| window.iter().collect())
                .collect()
        };
        let (a, b) = (grams(a), grams(b));
        a.intersection(&b).count() as f64 / a.union(&b).count() as f64
    }

    fn whole_text_set(text: &str) -> Vec<u64> {
        let mut shingles = Vec::new();
        assert!(Fingerprinter::with(Shingling::Chars(5)).whole_text_shingles(text, &mut shingles));
        shingles.sort_unstable();
        shingles.dedup();
        shingles
    }

    proptest::proptest! {
        #[test]
        fn document_similarity_is_that_of_the_folded_texts_character_grams(
            a in "[aAbB .,!\n\t中文字，。ｶカ]{5,60}",
            b in "[aAbB .,!\n\t中文字，。ｶカ]{5,60}",
        ) {
            let plain = plain_similarity(&a, &b, 5);
            let ours = jaccard(&whole_text_set(&a), &whole_text_set(&b));
            proptest::prop_assert!((plain - ours).abs() < 1e-12, "{plain} {ours}");
        }
    }

    #[test]
    fn word_shingling_leaves_documents_to_their_segments() {
        let mut f = Fingerprinter::new(3);
        let mut out = Vec::new();
        assert!(!f.whole_text_shingles("one two three four", &mut out));
        assert!(out.is_empty());
    }

    #[test]
    fn unshingled_segments_keep_their_hashes_and_units() {
        let mut full = Fingerprinter::with(Shingling::Chars(5));
        let mut bare = Fingerprinter::with(Shingling::Chars(5)).shingle_segments(false);
        for text in ["Hello, World! Again.", "中文字 and words", "", "--"] {
            let (a, b) = (full.fingerprint(text), bare.fingerprint(text));
            assert_eq!((a.raw, a.exact, a.units), (b.raw, b.exact, b.units));
            assert!(b.shingles.is_empty() && b.signature.is_none());
        }
        assert_eq!(bare.document_signature(), None);
    }

    #[test]
    fn the_document_signature_is_that_of_the_union() {
        let mut f = Fingerprinter::new(3);
        let texts = ["one two three four five six", "seven eight nine ten eleven"];
        let mut all = Vec::new();
        for text in texts {
            all.extend(f.fingerprint(text).shingles);
        }
        assert_eq!(f.document_signature(), Signature::from_hashes(&all));
    }

    #[test]
    fn unsigned_segments_give_the_same_document_signature() {
        let texts = [
            "one two three four five six",
            "seven eight nine ten eleven",
            "x",
        ];
        let mut signed = Fingerprinter::new(3);
        let mut unsigned = Fingerprinter::new(3).sign_segments(false);
        for text in texts {
            let (a, b) = (signed.fingerprint(text), unsigned.fingerprint(text));
            assert_eq!(
                (a.exact, a.units, &a.shingles),
                (b.exact, b.units, &b.shingles)
            );
            assert!(b.signature.is_none());
        }
        assert!(signed.document_signature().is_some());
        assert_eq!(signed.document_signature(), unsigned.document_signature());
    }

    #[test]
    fn shingles_are_the_fingerprint_shingles() {
        let mut f = Fingerprinter::new(3);
        let text = "One two, three four; one two three.";
        let mut shingles = Vec::new();
        let units = f.shingles(text, &mut shingles);
        shingles.sort_unstable();
        shingles.dedup();
        let print = f.fingerprint(text);
        assert_eq!((units, shingles), (print.units, print.set()));
    }

    #[test]
    fn jaccard_counts_shared_hashes() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard::<u64>(&[], &[]), 1.0);
        assert_eq!(jaccard(&[1u64], &[]), 0.0);
    }
}
