//! JUnit XML: one test case per finding (failing findings have a
//! `<failure>`), plus one for each failing ratio limit; a tree without
//! findings is one passing test case.

use std::io::{self, Write};

use super::rule_id;
use crate::check::{Finding, Verdict};

/// Writes a JUnit XML test suite: one test case per finding (failing when
/// the finding fails), and one per ratio limit exceeded.
pub fn write(verdict: &Verdict, out: &mut dyn Write) -> io::Result<()> {
    let mut cases: Vec<String> = verdict.findings.iter().map(case).collect();
    let ratio_reasons = verdict.reasons.iter().filter(|r| r.contains("ratio"));
    cases.extend(ratio_reasons.map(|reason| {
        format!(
            "    <testcase classname=\"doppel\" name=\"duplicate ratio\">\n      <failure type=\"ratio\" message=\"{}\"/>\n    </testcase>\n",
            escape(reason)
        )
    }));
    if cases.is_empty() {
        cases.push(
            "    <testcase classname=\"doppel\" name=\"no duplicate content\"/>\n".to_owned(),
        );
    }
    let failures = cases.iter().filter(|c| c.contains("<failure")).count();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"doppel check\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\">",
        cases.len(),
        verdict.errors
    )?;
    writeln!(
        out,
        "  <testsuite name=\"doppel check\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\">",
        cases.len(),
        verdict.errors
    )?;
    for case in cases {
        out.write_all(case.as_bytes())?;
    }
    writeln!(out, "  </testsuite>\n</testsuites>")?;
    out.flush()
}

fn case(finding: &Finding) -> String {
    let at = finding.primary();
    let head = format!(
        "    <testcase classname=\"{}\" name=\"{} at lines {}\"",
        escape(&at.path),
        rule_id(finding),
        at.lines
    );
    if !finding.fails {
        return format!("{head}/>\n");
    }
    format!(
        "{head}>\n      <failure type=\"{}\" message=\"{}\"/>\n    </testcase>\n",
        rule_id(finding),
        escape(&finding.message())
    )
}

/// Escapes text for an XML attribute, dropping characters XML 1.0 forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_escaped() {
        assert_eq!(
            escape("a<b & \"c\"\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot;&#10;"
        );
    }
}
