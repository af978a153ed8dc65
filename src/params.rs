//! What makes two document sketches comparable: [`SketchParams`].
//!
//! A document's exact hash, its LSH band keys and its compact shingle set
//! mean something only next to sketches made the same way: the same
//! segmentation, shinglings, band shape and similarity threshold, and
//! the same normalization and hashing code. Everything that leaves sketches
//! on disk (signature files, the index) records these parameters and
//! compares them before it mixes sketches, so sketches made differently are
//! refused with a message naming what differs, never clustered together.
//!
//! ```
//! use doppel::EngineBuilder;
//! let a = EngineBuilder::new().build()?.sketch_params();
//! let b = EngineBuilder::new().threshold(0.9).build()?.sketch_params();
//! assert!(a.differences(&a).is_empty());
//! assert_eq!(a.differences(&b)[0], "threshold: 0.65 here, 0.9 there");
//! # Ok::<(), doppel::ConfigError>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::segment::Granularity;
use crate::shingle::{ShingleConfig, Shingling};
use crate::sketch::{Lsh, SLOTS};

/// Version of the sketch computation itself: normalization, segmentation
/// rules, shingling, hashing, MinHash slots and band keys. Raised whenever a
/// change to that code would give a stored text another exact hash, other
/// band keys or another shingle set; sketches of two versions never mix.
pub const SKETCH_FORMAT: u32 = 2;

/// The parameters a document sketch was made with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "StoredParams")]
#[non_exhaustive]
pub struct SketchParams {
    /// [`SKETCH_FORMAT`] of the code that made the sketches.
    pub sketch_format: u32,
    /// The doppel version that made them (informative: compatibility is
    /// decided by `sketch_format` and the settings below).
    pub doppel_version: String,
    /// Segment kind: `paragraph`, `line`, `sentence` or `auto`.
    pub granularity: String,
    /// Shingling of text written mostly in Han, kana or Hangul, as
    /// written on the command line ([`Shingling`]: `chars:5`, `words:5`).
    pub cjk_shingles: String,
    /// Shingling of other text (spaced scripts): `chars:5`, `words:3`…
    pub spaced_shingles: String,
    /// Jaccard similarity from which documents are near duplicates.
    pub threshold: f64,
    /// MinHash slots per signature.
    pub slots: usize,
    /// LSH bands: two sketches are candidates when one band of theirs is
    /// equal.
    pub bands: usize,
    /// MinHash slots per LSH band.
    pub rows: usize,
}

impl SketchParams {
    pub(crate) fn new(
        granularity: Granularity,
        shingles: ShingleConfig,
        threshold: f64,
        lsh: Lsh,
    ) -> SketchParams {
        SketchParams {
            sketch_format: SKETCH_FORMAT,
            doppel_version: env!("CARGO_PKG_VERSION").to_owned(),
            granularity: granularity_name(granularity).to_owned(),
            cjk_shingles: shingles.cjk.to_string(),
            spaced_shingles: shingles.spaced.to_string(),
            threshold,
            slots: SLOTS,
            bands: lsh.bands,
            rows: lsh.rows,
        }
    }

    /// What differs between these parameters (`here`) and `other`
    /// (`there`), one `name: value here, value there` each; empty when
    /// sketches made with them can be mixed.
    pub fn differences(&self, other: &SketchParams) -> Vec<String> {
        let mut out = Vec::new();
        let mut compare = |name: &str, here: String, there: String| {
            if here != there {
                out.push(format!("{name}: {here} here, {there} there"));
            }
        };
        compare(
            "sketch format",
            self.sketch_format.to_string(),
            other.sketch_format.to_string(),
        );
        compare(
            "granularity",
            self.granularity.clone(),
            other.granularity.clone(),
        );
        compare(
            "CJK shingles",
            self.cjk_shingles.clone(),
            other.cjk_shingles.clone(),
        );
        compare(
            "spaced shingles",
            self.spaced_shingles.clone(),
            other.spaced_shingles.clone(),
        );
        compare(
            "threshold",
            self.threshold.to_string(),
            other.threshold.to_string(),
        );
        compare("slots", self.slots.to_string(), other.slots.to_string());
        compare(
            "bands",
            format!("{}x{}", self.bands, self.rows),
            format!("{}x{}", other.bands, other.rows),
        );
        out
    }

    /// `Ok` when sketches made with `other` can be mixed with these; else
    /// an error naming `what` (a file, an index) and every difference, with
    /// the doppel versions that made each side.
    pub fn check_compatible(&self, other: &SketchParams, what: &str) -> Result<(), Incompatible> {
        let differences = self.differences(other);
        if differences.is_empty() {
            return Ok(());
        }
        Err(Incompatible {
            what: what.to_owned(),
            differences,
            here_version: self.doppel_version.clone(),
            there_version: other.doppel_version.clone(),
        })
    }
}

/// [`SketchParams`] as files hold them: files made before shingling was
/// selectable name the word-unit lengths `cjk_k` and `word_k` instead of
/// the shinglings, and read as `words:K` so that they are compared (and
/// refused by a differing engine) rather than rejected as unreadable.
#[derive(Deserialize)]
struct StoredParams {
    sketch_format: u32,
    doppel_version: String,
    granularity: String,
    cjk_shingles: Option<String>,
    spaced_shingles: Option<String>,
    cjk_k: Option<usize>,
    word_k: Option<usize>,
    threshold: f64,
    slots: usize,
    bands: usize,
    rows: usize,
}

impl From<StoredParams> for SketchParams {
    fn from(stored: StoredParams) -> SketchParams {
        let shingling = |named: Option<String>, k: Option<usize>| {
            named
                .or_else(|| k.map(|k| Shingling::Words(k).to_string()))
                .unwrap_or_else(|| "unrecorded".to_owned())
        };
        SketchParams {
            sketch_format: stored.sketch_format,
            doppel_version: stored.doppel_version,
            granularity: stored.granularity,
            cjk_shingles: shingling(stored.cjk_shingles, stored.cjk_k),
            spaced_shingles: shingling(stored.spaced_shingles, stored.word_k),
            threshold: stored.threshold,
            slots: stored.slots,
            bands: stored.bands,
            rows: stored.rows,
        }
    }
}

/// Sketches that cannot be mixed, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "{what} was made with other settings ({}; doppel {there_version} made it, this is doppel {here_version})",
    differences.join(", ")
)]
pub struct Incompatible {
    /// What was refused, as the message names it (a signature file, an
    /// index).
    pub what: String,
    /// Each setting that differs, as `name: here, there`
    /// ([`SketchParams::differences`]).
    pub differences: Vec<String>,
    /// The doppel version of this side (the engine's).
    pub here_version: String,
    /// The doppel version that made the other side's sketches.
    pub there_version: String,
}

fn granularity_name(granularity: Granularity) -> &'static str {
    match granularity {
        Granularity::Paragraph => "paragraph",
        Granularity::Line => "line",
        Granularity::Sentence => "sentence",
        Granularity::Auto => "auto",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(threshold: f64) -> SketchParams {
        SketchParams::new(
            Granularity::Auto,
            ShingleConfig::default(),
            threshold,
            Lsh::for_threshold(threshold),
        )
    }

    #[test]
    fn the_same_settings_are_compatible_and_others_are_named() {
        let a = params(0.8);
        assert_eq!(a.check_compatible(&a.clone(), "x"), Ok(()));
        let mut b = params(0.5);
        b.sketch_format += 1;
        b.doppel_version = "9.9.9".into();
        let err = a.check_compatible(&b, "index 'idx'").expect_err("differs");
        let message = err.to_string();
        assert!(message.starts_with("index 'idx' was made with other settings (sketch format: 2 here, 3 there, threshold: 0.8 here, 0.5 there, bands:"), "{message}");
        let tail = format!(
            "doppel 9.9.9 made it, this is doppel {})",
            env!("CARGO_PKG_VERSION")
        );
        assert!(message.ends_with(&tail), "{message}");
    }

    #[test]
    fn other_shinglings_are_named() {
        let a = params(0.8);
        let b = SketchParams::new(
            Granularity::Auto,
            ShingleConfig::uniform(Shingling::Words(3)),
            0.8,
            Lsh::for_threshold(0.8),
        );
        assert_eq!(
            a.differences(&b),
            [
                "CJK shingles: chars:5 here, words:3 there",
                "spaced shingles: chars:5 here, words:3 there"
            ]
        );
    }

    #[test]
    fn params_of_earlier_files_read_as_word_shinglings() {
        let json = r#"{"sketch_format":1,"doppel_version":"0.9.0","granularity":"auto","cjk_k":5,"word_k":3,"threshold":0.8,"slots":128,"bands":16,"rows":8}"#;
        let old: SketchParams = serde_json::from_str(json).expect("read");
        assert_eq!(
            (old.cjk_shingles.as_str(), old.spaced_shingles.as_str()),
            ("words:5", "words:3")
        );
    }

    #[test]
    fn params_survive_json() {
        let a = params(0.7);
        let json = serde_json::to_string(&a).expect("serialised");
        let back: SketchParams = serde_json::from_str(&json).expect("read back");
        assert_eq!(a, back);
    }
}
