//! GitHub Actions: workflow commands that annotate the pull request, and a
//! Markdown summary of every finding appended to `$GITHUB_STEP_SUMMARY`.
//!
//! ```text
//! ::warning file=docs/b.md,line=3,endLine=5,title=exact-duplicate::Exact copy of 212 letters, also at docs/a.md:1-3
//! ```
//!
//! GitHub shows at most 10 warning annotations per step (and 50 per job);
//! the rest are dropped silently, so doppel prints [`MAX_ANNOTATIONS`]
//! (failing findings first) and then one plain line saying how many more
//! there are. The cap is GitHub's documented behaviour, discussed in
//! <https://github.com/orgs/community/discussions/26680> and
//! <https://github.com/orgs/community/discussions/68471> ("10 warning / 10
//! error limit"), and noted in <https://github.com/zizmorcore/zizmor/pull/634>
//! ("10 per step, or 50 per job").

use std::io::{self, Write};

use super::rule_id;
use crate::check::{Finding, Verdict};

/// Warning annotations GitHub shows per step.
pub const MAX_ANNOTATIONS: usize = 10;

pub fn write(verdict: &Verdict, out: &mut dyn Write) -> io::Result<()> {
    for finding in verdict.findings.iter().take(MAX_ANNOTATIONS) {
        writeln!(out, "{}", annotation(finding))?;
    }
    let more = verdict.findings.len().saturating_sub(MAX_ANNOTATIONS);
    if more > 0 {
        writeln!(
            out,
            "doppel: {more} more finding(s) not annotated (GitHub shows at most {MAX_ANNOTATIONS} warnings per step)"
        )?;
    }
    writeln!(out, "{}", verdict.headline())?;
    out.flush()
}

/// One `::warning` workflow command.
pub fn annotation(finding: &Finding) -> String {
    let at = finding.primary();
    format!(
        "::warning file={},line={},endLine={},title={}::{}",
        property(&at.path),
        at.lines.first,
        at.lines.last,
        property(rule_id(finding)),
        data(&finding.message())
    )
}

/// Escapes a workflow command's message: `%`, CR and LF.
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: as [`data`], plus `:` and
/// `,`.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The step summary: a Markdown table of every finding.
pub fn summary(verdict: &Verdict) -> String {
    let mut out = String::from("## doppel check\n\n");
    out.push_str(&format!("{}\n\n", markdown_cell(&verdict.headline())));
    if verdict.findings.is_empty() {
        out.push_str("No duplicate content found.\n");
        return out;
    }
    out.push_str("| where | kind | letters | also at | fails |\n|---|---|---|---|---|\n");
    for finding in &verdict.findings {
        let others: Vec<String> = finding
            .others()
            .map(|c| format!("`{}`", markdown_cell(&c.label())))
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            markdown_cell(&finding.primary().label()),
            finding.kind.as_str(),
            finding.letters,
            others.join("<br>"),
            if finding.fails { "yes" } else { "no" }
        ));
    }
    out
}

fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Appends the summary to the file named by `GITHUB_STEP_SUMMARY`, if set.
pub fn append_summary(verdict: &Verdict) -> io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(summary(verdict).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(data("100%\r\nok: a,b"), "100%25%0D%0Aok: a,b");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
