//! The policy a tree must hold: which duplicates count, and which fail.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// Which findings fail the check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Only exact copies fail; near copies are reported as warnings.
    #[default]
    Exact,
    /// Exact and near copies fail.
    Near,
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<FailOn, String> {
        match s {
            "exact" => Ok(FailOn::Exact),
            "near" => Ok(FailOn::Near),
            other => Err(format!(
                "unknown fail-on '{other}' (expected exact or near)"
            )),
        }
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailOn::Exact => "exact",
            FailOn::Near => "near",
        })
    }
}

/// Whether a finding's copies are equal or only similar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Normalized text equal in every copy.
    Exact,
    /// Segments similar above the threshold.
    Near,
}

impl Kind {
    /// Its name in reports: `exact` or `near`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Exact => "exact",
            Kind::Near => "near",
        }
    }
}

/// Settings of the check. Defaults: 50 letters, 1 segment, threshold
/// [`DEFAULT_THRESHOLD`](crate::DEFAULT_THRESHOLD),
/// no ratio limits, fail on exact copies.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Smallest finding reported, in Unicode letters of its smallest copy
    /// (each CJK character is a letter, so CJK text counts fairly).
    pub min_letters: usize,
    /// Smallest finding reported, in segments of its smallest copy.
    pub min_segments: usize,
    /// Jaccard similarity from which two segments are near duplicates.
    pub threshold: f64,
    /// Fails when a file's duplicated letters exceed this fraction of its
    /// letters.
    pub max_file_ratio: Option<f64>,
    /// Fails when the tree's duplicated letters exceed this fraction of all
    /// letters.
    pub max_total_ratio: Option<f64>,
    /// Which new findings fail: exact copies only, or near ones too.
    pub fail_on: FailOn,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            min_letters: 50,
            min_segments: 1,
            threshold: crate::DEFAULT_THRESHOLD,
            max_file_ratio: None,
            max_total_ratio: None,
            fail_on: FailOn::Exact,
        }
    }
}

impl Policy {
    /// Whether a finding of this size is reported at all.
    pub fn big_enough(&self, letters: usize, segments: usize) -> bool {
        letters >= self.min_letters && segments >= self.min_segments
    }

    /// Whether a new finding of this kind fails the check.
    pub fn fails_on(&self, kind: Kind) -> bool {
        match self.fail_on {
            FailOn::Exact => kind == Kind::Exact,
            FailOn::Near => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_near_includes_exact() {
        let mut policy = Policy::default();
        assert!(policy.fails_on(Kind::Exact) && !policy.fails_on(Kind::Near));
        policy.fail_on = "near".parse().unwrap();
        assert!(policy.fails_on(Kind::Exact) && policy.fails_on(Kind::Near));
        assert!("sometimes".parse::<FailOn>().is_err());
    }

    #[test]
    fn size_needs_letters_and_segments() {
        let policy = Policy {
            min_segments: 2,
            ..Policy::default()
        };
        assert!(!policy.big_enough(49, 3));
        assert!(!policy.big_enough(500, 1));
        assert!(policy.big_enough(50, 2));
    }
}
