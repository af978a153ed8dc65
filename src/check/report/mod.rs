//! Printers of a [`Verdict`](super::Verdict), one per format.
//!
//! | format | for | what |
//! |---|---|---|
//! | [`human`] | a terminal | one line per finding, then the verdict |
//! | [`json`] | programs | JSON Lines: scan's report, then `finding` lines and a `verdict` object |
//! | [`sarif`] | code scanning | SARIF 2.1.0, one result per finding, other copies as related locations |
//! | [`github`] | GitHub Actions | `::error` (failing) and `::warning` (new, passing) workflow commands, capped, plus a step summary |
//! | [`gitlab`] | GitLab merge requests | Code Quality JSON with stable fingerprints |
//! | [`junit`] | any CI test view | JUnit XML, one test case per finding |
//!
//! No printer writes anything but the findings and the verdict.

use std::str::FromStr;

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

/// A report format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// One line per finding, then the verdict: for a terminal.
    #[default]
    Human,
    /// JSON Lines: scan's report, then `finding`, `fixed` and `verdict` lines.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands and a step summary.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML, one test case per finding.
    Junit,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            "gitlab" => Ok(Format::Gitlab),
            "junit" => Ok(Format::Junit),
            other => Err(format!(
                "unknown format '{other}' (expected human, json, sarif, github, gitlab or junit)"
            )),
        }
    }
}

/// The rule id of a finding: which kind of duplicate it is.
pub fn rule_id(finding: &super::Finding) -> &'static str {
    match finding.kind {
        super::Kind::Exact => "exact-duplicate",
        super::Kind::Near => "near-duplicate",
    }
}
