//! The verdict: which findings are reported, which fail, and the exit status.

use std::collections::HashMap;
use std::path::Path;

use super::baseline::{Baseline, Entry};
use super::changed::ChangedLines;
use super::collect::{FileStat, Findings};
use super::finding::Finding;
use super::policy::Policy;

/// The outcome of a check.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The policy judged against.
    pub policy: Policy,
    /// Findings reported (those touching changed lines, with
    /// `--changed-since`), failing ones first, then by place.
    pub findings: Vec<Finding>,
    /// Baseline entries with fewer copies now than recorded, judged only
    /// where every file holding their content was checked or no longer
    /// exists (see [`Context::root`]).
    pub fixed: Vec<Entry>,
    /// Files whose duplicate ratio exceeds `max_file_ratio`.
    pub files_over: Vec<FileStat>,
    /// Duplicated letters of the whole tree over all its letters.
    pub total_ratio: f64,
    /// Files checked; the records of a JSON Lines file count as one file.
    pub files: usize,
    /// Inputs that could not be read or decoded.
    pub errors: usize,
    /// A baseline was used.
    pub baselined: bool,
    /// Why the policy fails; empty when it holds.
    pub reasons: Vec<String>,
}

/// What a verdict is judged against, besides the findings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// Accepted findings: only copies beyond its counts are new, and only new
    /// findings fail. `None`: every finding is new.
    pub baseline: Option<&'a Baseline>,
    /// Lines changed since a git revision: only findings touching them are
    /// reported. `None`: every finding is.
    pub changed: Option<&'a ChangedLines>,
    /// Inputs that could not be read or decoded.
    pub errors: usize,
    /// The folder reported paths are relative to. A file named in the
    /// baseline that was not checked counts as fixed only when it is gone
    /// from under this folder; without it, only checked files can be. A
    /// check of one folder, or of a path that does not exist, fixes nothing
    /// elsewhere.
    pub root: Option<&'a Path>,
}

impl Verdict {
    /// Applies the policy, the baseline and the changed lines to `found`.
    pub fn judge(found: Findings, policy: &Policy, context: Context<'_>) -> Verdict {
        let Findings {
            mut findings,
            files,
        } = found;
        let mut fixed = Vec::new();
        if let Some(baseline) = context.baseline {
            mark_new(&mut findings, baseline);
            fixed = baseline.fixed_in(&Baseline::from_findings(&findings));
            fixed.retain(|entry| {
                baseline
                    .files_with(&entry.fingerprint)
                    .all(|path| in_scope(path, &files, context.root))
            });
        }
        if let Some(changed) = context.changed {
            findings.retain(|f| f.copies.iter().any(|c| changed.touches(&c.path, c.lines)));
        }
        for finding in &mut findings {
            finding.primary = primary(finding, context.changed);
            finding.fails = finding.new && policy.fails_on(finding.kind);
        }
        findings.sort_by_key(|f| !f.fails);
        let mut verdict = Verdict {
            policy: policy.clone(),
            findings,
            fixed,
            files_over: over_ratio(&files, policy.max_file_ratio),
            total_ratio: total_ratio(&files),
            files: files.len(),
            errors: context.errors,
            baselined: context.baseline.is_some(),
            reasons: Vec::new(),
        };
        verdict.reasons = verdict.reasons();
        verdict
    }

    fn reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        let failing = self.failing();
        if failing > 0 {
            let new = if self.baselined { "new " } else { "" };
            let kinds = match self.policy.fail_on {
                super::FailOn::Exact => "exact",
                super::FailOn::Near => "exact or near",
            };
            reasons.push(format!(
                "{failing} {new}{kinds} duplicate(s) (fail-on {})",
                self.policy.fail_on
            ));
        }
        for file in &self.files_over {
            reasons.push(format!(
                "{}: {:.1}% duplicated, above max-file-ratio {}",
                file.path,
                file.ratio() * 100.0,
                self.policy.max_file_ratio.unwrap_or(1.0)
            ));
        }
        if let Some(max) = self.policy.max_total_ratio {
            if self.total_ratio > max {
                reasons.push(format!(
                    "{:.1}% of the tree duplicated, above max-total-ratio {max}",
                    self.total_ratio * 100.0
                ));
            }
        }
        reasons
    }

    /// Findings that fail the policy.
    pub fn failing(&self) -> usize {
        self.findings.iter().filter(|f| f.fails).count()
    }

    /// Whether the policy holds (no reason to fail).
    pub fn passed(&self) -> bool {
        self.reasons.is_empty()
    }

    /// 0 the policy holds, 1 it fails, 2 an input could not be read (which
    /// wins over 1).
    pub fn exit_code(&self) -> i32 {
        if self.errors > 0 {
            2
        } else if self.passed() {
            0
        } else {
            1
        }
    }

    /// For each finding, which occurrence of its primary copy's content in
    /// its file it is (0 for the first): with the content fingerprint, a key
    /// that stays the same when lines move.
    pub fn occurrences(&self) -> Vec<usize> {
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        self.findings
            .iter()
            .map(|f| {
                let p = f.primary();
                let n = seen.entry((&p.path, &p.fingerprint)).or_insert(0);
                *n += 1;
                *n - 1
            })
            .collect()
    }

    /// One line saying whether the policy holds and why not.
    pub fn headline(&self) -> String {
        let findings = self.findings.len();
        let verdict = if self.passed() {
            format!("doppel check: policy holds ({findings} finding(s), none failing)")
        } else {
            format!("doppel check: policy fails: {}", self.reasons.join("; "))
        };
        match self.errors {
            0 => verdict,
            n => format!("{verdict}; {n} input(s) could not be read"),
        }
    }
}

/// Whether the baseline entries of `path` can be judged: its file was
/// checked, or it is gone from under `root`. An entry counts as fixed only
/// when every file the baseline holds its content in can be judged: a check
/// of one file does not see the copies in the others.
fn in_scope(path: &str, files: &[FileStat], root: Option<&Path>) -> bool {
    files.iter().any(|file| file.path == path)
        || root.is_some_and(|root| {
            path != "-"
                && std::fs::symlink_metadata(root.join(path))
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        })
}

/// Marks copies beyond what the baseline allows (per file and content) as
/// new, and findings with a new copy as new.
fn mark_new(findings: &mut [Finding], baseline: &Baseline) {
    let mut used: HashMap<(String, String), usize> = HashMap::new();
    for finding in findings.iter_mut() {
        for copy in &mut finding.copies {
            let n = used
                .entry((copy.path.clone(), copy.fingerprint.clone()))
                .or_insert(0);
            *n += 1;
            copy.new = *n > baseline.count(&copy.path, &copy.fingerprint);
        }
        finding.new = finding.copies.iter().any(|c| c.new);
    }
}

/// The copy to report at: the first changed one, else the first new one
/// (with a baseline), else the last.
fn primary(finding: &Finding, changed: Option<&ChangedLines>) -> usize {
    let last = finding.copies.len() - 1;
    if let Some(changed) = changed {
        if let Some(at) = finding
            .copies
            .iter()
            .position(|c| changed.touches(&c.path, c.lines))
        {
            return at;
        }
    }
    if finding.copies.iter().all(|c| c.new) {
        return last;
    }
    finding.copies.iter().position(|c| c.new).unwrap_or(last)
}

fn over_ratio(files: &[FileStat], max: Option<f64>) -> Vec<FileStat> {
    let Some(max) = max else {
        return Vec::new();
    };
    files.iter().filter(|f| f.ratio() > max).cloned().collect()
}

fn total_ratio(files: &[FileStat]) -> f64 {
    let letters: usize = files.iter().map(|f| f.letters).sum();
    let duplicate: usize = files.iter().map(|f| f.duplicate_letters).sum();
    if letters == 0 {
        0.0
    } else {
        duplicate as f64 / letters as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Kind, Location};
    use crate::document::LineRange;

    fn copy(path: &str, first: usize) -> Location {
        Location {
            path: path.to_owned(),
            lines: LineRange::new(first, first + 2),
            fingerprint: "00ff".to_owned(),
            letters: 100,
            preview: String::new(),
            new: true,
        }
    }

    fn finding(kind: Kind, copies: Vec<Location>) -> Finding {
        Finding {
            kind,
            within: false,
            similarity: 1.0,
            letters: 100,
            segments: 1,
            primary: copies.len() - 1,
            copies,
            new: true,
            fails: false,
        }
    }

    fn found(findings: Vec<Finding>) -> Findings {
        Findings {
            findings,
            files: vec![FileStat {
                path: "a.md".to_owned(),
                letters: 400,
                duplicate_letters: 100,
            }],
        }
    }

    #[test]
    fn only_copies_beyond_the_baseline_are_new() {
        let baseline = Baseline::parse("00ff 1 a.md\n00ff 1 b.md\n").unwrap();
        let three = finding(
            Kind::Exact,
            vec![copy("a.md", 1), copy("b.md", 1), copy("c.md", 1)],
        );
        let context = Context {
            baseline: Some(&baseline),
            ..Context::default()
        };
        let verdict = Verdict::judge(found(vec![three]), &Policy::default(), context);
        let new: Vec<bool> = verdict.findings[0].copies.iter().map(|c| c.new).collect();
        assert_eq!(new, [false, false, true]);
        assert_eq!(verdict.findings[0].primary, 2);
        assert_eq!(verdict.exit_code(), 1);
        let two = finding(Kind::Exact, vec![copy("a.md", 1), copy("b.md", 1)]);
        let passing = Verdict::judge(found(vec![two]), &Policy::default(), context);
        assert_eq!(passing.exit_code(), 0);
        assert!(passing.fixed.is_empty());
    }

    #[test]
    fn near_findings_fail_only_under_fail_on_near_and_errors_win() {
        let near = || {
            found(vec![finding(
                Kind::Near,
                vec![copy("a.md", 1), copy("b.md", 9)],
            )])
        };
        let exact_policy = Policy::default();
        assert_eq!(
            Verdict::judge(near(), &exact_policy, Context::default()).exit_code(),
            0
        );
        let near_policy = Policy {
            fail_on: crate::check::FailOn::Near,
            ..Policy::default()
        };
        assert_eq!(
            Verdict::judge(near(), &near_policy, Context::default()).exit_code(),
            1
        );
        let trouble = Context {
            errors: 1,
            ..Context::default()
        };
        let verdict = Verdict::judge(near(), &near_policy, trouble);
        assert_eq!(verdict.exit_code(), 2);
        assert!(verdict.headline().contains("1 input(s) could not be read"));
    }

    #[test]
    fn ratios_above_their_limits_fail() {
        let policy = Policy {
            max_file_ratio: Some(0.2),
            max_total_ratio: Some(0.3),
            ..Policy::default()
        };
        let verdict = Verdict::judge(found(Vec::new()), &policy, Context::default());
        assert_eq!(verdict.files_over.len(), 1);
        assert_eq!(verdict.reasons.len(), 1, "{:?}", verdict.reasons);
        assert_eq!(verdict.exit_code(), 1);
    }

    #[test]
    fn only_entries_of_checked_or_deleted_files_are_fixed() {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::write(root.path().join("kept.md"), "not checked").expect("write");
        let baseline = Baseline::parse(
            "00aa 1 a.md\n00bb 1 kept.md\n00cc 1 gone.md\n00dd 1 a.md\n00dd 1 kept.md\n",
        )
        .expect("baseline");
        let context = Context {
            baseline: Some(&baseline),
            root: Some(root.path()),
            ..Context::default()
        };
        // a.md was checked and lost its copy; kept.md exists but was not
        // checked; gone.md was deleted. Content shared by a.md and kept.md
        // cannot be judged from a.md alone.
        let verdict = Verdict::judge(found(Vec::new()), &Policy::default(), context);
        let fixed: Vec<(&str, &str)> = verdict
            .fixed
            .iter()
            .map(|e| (e.path.as_str(), e.fingerprint.as_str()))
            .collect();
        assert_eq!(fixed, [("a.md", "00aa"), ("gone.md", "00cc")]);
        let without_root = Context {
            root: None,
            ..context
        };
        let verdict = Verdict::judge(found(Vec::new()), &Policy::default(), without_root);
        let fixed: Vec<(&str, &str)> = verdict
            .fixed
            .iter()
            .map(|e| (e.path.as_str(), e.fingerprint.as_str()))
            .collect();
        assert_eq!(fixed, [("a.md", "00aa")]);
    }
}
