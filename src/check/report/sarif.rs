//! SARIF 2.1.0: one result per finding at its primary copy, the other
//! copies in `relatedLocations`, the content fingerprint in
//! `partialFingerprints`, paths relative to the repository root.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::rule_id;
use crate::check::{Finding, Location, Verdict};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes a SARIF 2.1.0 log: one result per finding, its other copies as
/// related locations.
pub fn write(verdict: &Verdict, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(verdict))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The whole SARIF log.
pub fn log(verdict: &Verdict) -> Value {
    let results: Vec<Value> = verdict
        .findings
        .iter()
        .zip(verdict.occurrences())
        .map(|(f, occurrence)| result(verdict, f, occurrence))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "doppel",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn rules() -> Value {
    json!([
        {
            "id": "exact-duplicate",
            "shortDescription": {"text": "Text duplicated exactly"},
            "fullDescription": {"text": "The same text (after normalization) occurs in two or more places."},
            "defaultConfiguration": {"level": "error"},
        },
        {
            "id": "near-duplicate",
            "shortDescription": {"text": "Text duplicated with light edits"},
            "fullDescription": {"text": "Near-duplicate text (Jaccard similarity of shingles at or above the threshold) occurs in two or more places."},
            "defaultConfiguration": {"level": "warning"},
        },
    ])
}

fn result(verdict: &Verdict, finding: &Finding, occurrence: usize) -> Value {
    let related: Vec<Value> = finding
        .others()
        .enumerate()
        .map(|(at, copy)| {
            let mut location = location(copy);
            location["id"] = json!(at + 1);
            location["message"] = json!({"text": format!("Copy at {}", copy.label())});
            location
        })
        .collect();
    let mut result = json!({
        "ruleId": rule_id(finding),
        "ruleIndex": if rule_id(finding) == "exact-duplicate" { 0 } else { 1 },
        "level": if finding.fails { "error" } else { "warning" },
        "message": {"text": finding.message()},
        "locations": [location(finding.primary())],
        "relatedLocations": related,
        "partialFingerprints": {
            "doppelContent/v1": finding.primary().fingerprint,
            "doppelFinding/v1": finding.fingerprint(occurrence),
        },
        "properties": {"letters": finding.letters, "segments": finding.segments, "similarity": finding.similarity},
    });
    if verdict.baselined {
        result["baselineState"] = json!(if finding.new { "new" } else { "unchanged" });
    }
    result
}

fn location(copy: &Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&copy.path)},
            "region": {"startLine": copy.lines.first, "endLine": copy.lines.last},
        }
    })
}

/// A relative path as a URI reference: every byte outside the unreserved
/// set and `/` percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("docs/a b%.md"), "docs/a%20b%25.md");
        assert_eq!(uri("文.md"), "%E6%96%87.md");
    }
}
