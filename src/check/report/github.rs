//! GitHub Actions: workflow commands that annotate the pull request, and a
//! Markdown summary of every finding appended to `$GITHUB_STEP_SUMMARY`.
//!
//! ```text
//! ::error file=docs/b.md,line=3,endLine=5,title=exact-duplicate::Exact copy of 212 letters, also at docs/a.md:1-3
//! ::warning file=docs/c.md,line=8,endLine=8,title=near-duplicate::Near copy (similarity 0.85) of 164 letters, also at docs/a.md:7
//! ```
//!
//! A finding that fails the policy is an `error`; a new one that passes (a
//! near copy under `fail-on exact`) a `warning`; a baselined one is not
//! annotated (the step summary still lists it). A file above
//! `max-file-ratio` is an `error` on the file, a tree above
//! `max-total-ratio` an `error` without one.
//!
//! GitHub shows at most 10 error and 10 warning annotations per step (and
//! 50 per job); the rest are dropped silently, so doppel prints
//! [`MAX_ANNOTATIONS`] of each level and then one plain line saying how many
//! more there are. The cap is GitHub's documented behaviour, discussed in
//! <https://github.com/orgs/community/discussions/26680> and
//! <https://github.com/orgs/community/discussions/68471> ("10 warning / 10
//! error limit"), and noted in <https://github.com/zizmorcore/zizmor/pull/634>
//! ("10 per step, or 50 per job").

use std::io::{self, Write};

use super::rule_id;
use crate::check::{Finding, Verdict};

/// Annotations of each level GitHub shows per step.
pub const MAX_ANNOTATIONS: usize = 10;

/// The level of a workflow command annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Fails the policy.
    Error,
    /// New, but passes the policy.
    Warning,
}

impl Level {
    /// The workflow command: `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// How a finding is annotated: [`Level::Error`] when it fails,
/// [`Level::Warning`] when it is new and passes, not at all when the
/// baseline covers it.
pub fn level(finding: &Finding) -> Option<Level> {
    if finding.fails {
        Some(Level::Error)
    } else if finding.new {
        Some(Level::Warning)
    } else {
        None
    }
}

/// Writes the annotations (at most [`MAX_ANNOTATIONS`] of each level), a
/// line counting those left out, and the verdict line.
pub fn write(verdict: &Verdict, out: &mut dyn Write) -> io::Result<()> {
    let mut shown = [0usize; 2];
    let mut left_out = 0;
    let mut emit = |level: Level, command: String, out: &mut dyn Write| -> io::Result<()> {
        let count = &mut shown[level as usize];
        if *count < MAX_ANNOTATIONS {
            *count += 1;
            writeln!(out, "{command}")
        } else {
            left_out += 1;
            Ok(())
        }
    };
    for finding in &verdict.findings {
        if let Some(level) = level(finding) {
            emit(level, annotation(finding, level), out)?;
        }
    }
    for command in ratio_errors(verdict) {
        emit(Level::Error, command, out)?;
    }
    if left_out > 0 {
        writeln!(
            out,
            "doppel: {left_out} more annotation(s) left out (GitHub shows at most {MAX_ANNOTATIONS} errors and {MAX_ANNOTATIONS} warnings per step)"
        )?;
    }
    writeln!(out, "{}", verdict.headline())?;
    out.flush()
}

/// One workflow command at `level` for a finding, at its primary copy.
pub fn annotation(finding: &Finding, level: Level) -> String {
    let at = finding.primary();
    format!(
        "::{} file={},line={},endLine={},title={}::{}",
        level.as_str(),
        property(&at.path),
        at.lines.first,
        at.lines.last,
        property(rule_id(finding)),
        data(&finding.message())
    )
}

/// `::error` commands for the ratio limits exceeded: one per file above
/// `max-file-ratio`, one for the tree above `max-total-ratio`.
fn ratio_errors(verdict: &Verdict) -> Vec<String> {
    let policy = &verdict.policy;
    let mut commands: Vec<String> = verdict
        .files_over
        .iter()
        .map(|file| {
            format!(
                "::error file={},title=max-file-ratio::{}",
                property(&file.path),
                data(&format!(
                    "{:.1}% of the file's letters are duplicated, above max-file-ratio {}",
                    file.ratio() * 100.0,
                    policy.max_file_ratio.unwrap_or(1.0)
                ))
            )
        })
        .collect();
    if let Some(max) = policy
        .max_total_ratio
        .filter(|&max| verdict.total_ratio > max)
    {
        commands.push(format!(
            "::error title=max-total-ratio::{}",
            data(&format!(
                "{:.1}% of the tree's letters are duplicated, above max-total-ratio {max}",
                verdict.total_ratio * 100.0
            ))
        ));
    }
    commands
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
    out.push_str("| where | kind | letters | also at | status |\n|---|---|---|---|---|\n");
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
            match level(finding) {
                Some(Level::Error) => "fails",
                Some(Level::Warning) => "passes",
                None => "baselined",
            }
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
