//! The JSON report's check part: after scan's JSON Lines report (printed by
//! [`JsonPrinter`](crate::report::JsonPrinter) during the scan), one
//! `finding` line per finding, one `fixed` line per fixed baseline entry,
//! and a last `verdict` line.
//!
//! ```jsonc
//! {"type":"finding","kind":"exact","within":false,"similarity":1.0,"letters":212,"segments":2,"new":true,"fails":true,
//!  "fingerprint":"…","copies":[{"path":"docs/a.md","lines":[1,3],"fingerprint":"3f2a…","letters":212,"new":true},…]}
//! {"type":"verdict","status":"fail","exit":1,"findings":1,"failing":1,"fixed":0,"errors":0,"total_ratio":0.12,"reasons":["…"]}
//! ```

use std::io::{self, Write};

use serde::Serialize;

use crate::check::{Finding, Location, Verdict};

#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind_of_line: &'static str,
    kind: &'static str,
    within: bool,
    similarity: f64,
    letters: usize,
    segments: usize,
    new: bool,
    fails: bool,
    fingerprint: String,
    primary: usize,
    copies: Vec<CopyJson<'a>>,
}

#[derive(Serialize)]
struct CopyJson<'a> {
    path: &'a str,
    lines: [usize; 2],
    fingerprint: &'a str,
    letters: usize,
    new: bool,
}

#[derive(Serialize)]
struct FixedLine<'a> {
    #[serde(rename = "type")]
    kind_of_line: &'static str,
    path: &'a str,
    fingerprint: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct VerdictLine<'a> {
    #[serde(rename = "type")]
    kind_of_line: &'static str,
    status: &'static str,
    exit: i32,
    fail_on: String,
    findings: usize,
    failing: usize,
    fixed: usize,
    errors: usize,
    files: usize,
    total_ratio: f64,
    files_over_ratio: Vec<&'a str>,
    reasons: &'a [String],
}

fn copy_json(copy: &Location) -> CopyJson<'_> {
    CopyJson {
        path: &copy.path,
        lines: [copy.lines.first, copy.lines.last],
        fingerprint: &copy.fingerprint,
        letters: copy.letters,
        new: copy.new,
    }
}

fn finding_line(finding: &Finding, occurrence: usize) -> FindingLine<'_> {
    FindingLine {
        kind_of_line: "finding",
        kind: finding.kind.as_str(),
        within: finding.within,
        similarity: round4(finding.similarity),
        letters: finding.letters,
        segments: finding.segments,
        new: finding.new,
        fails: finding.fails,
        fingerprint: finding.fingerprint(occurrence),
        primary: finding.primary,
        copies: finding.copies.iter().map(copy_json).collect(),
    }
}

fn line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Writes the check part of the JSON report: `finding`, `fixed` and
/// `verdict` lines.
pub fn write(verdict: &Verdict, out: &mut dyn Write) -> io::Result<()> {
    for (finding, occurrence) in verdict.findings.iter().zip(verdict.occurrences()) {
        line(out, &finding_line(finding, occurrence))?;
    }
    for entry in &verdict.fixed {
        line(
            out,
            &FixedLine {
                kind_of_line: "fixed",
                path: &entry.path,
                fingerprint: &entry.fingerprint,
                count: entry.count,
            },
        )?;
    }
    line(
        out,
        &VerdictLine {
            kind_of_line: "verdict",
            status: if verdict.passed() { "pass" } else { "fail" },
            exit: verdict.exit_code(),
            fail_on: verdict.policy.fail_on.to_string(),
            findings: verdict.findings.len(),
            failing: verdict.failing(),
            fixed: verdict.fixed.len(),
            errors: verdict.errors,
            files: verdict.files,
            total_ratio: round4(verdict.total_ratio),
            files_over_ratio: verdict.files_over.iter().map(|f| f.path.as_str()).collect(),
            reasons: &verdict.reasons,
        },
    )?;
    out.flush()
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
