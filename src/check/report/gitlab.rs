//! GitLab Code Quality: a JSON array of issues, one per finding at its
//! primary copy, each with a fingerprint that stays the same while the
//! content and its file do (lines may move).

use std::io::{self, Write};

use serde_json::{json, Value};

use super::rule_id;
use crate::check::Verdict;

/// Writes the Code Quality report: a JSON array of [`issues`].
pub fn write(verdict: &Verdict, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &issues(verdict))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// One Code Quality issue per finding, each with a stable fingerprint.
pub fn issues(verdict: &Verdict) -> Value {
    let issues: Vec<Value> = verdict
        .findings
        .iter()
        .zip(verdict.occurrences())
        .map(|(finding, occurrence)| {
            let at = finding.primary();
            json!({
                "type": "issue",
                "check_name": rule_id(finding),
                "description": finding.message(),
                "categories": ["Duplication"],
                "severity": if finding.fails { "major" } else { "minor" },
                "fingerprint": finding.fingerprint(occurrence),
                "location": {"path": at.path, "lines": {"begin": at.lines.first, "end": at.lines.last}},
            })
        })
        .collect();
    Value::Array(issues)
}
