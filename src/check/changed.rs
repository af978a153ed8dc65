//! `--changed-since REV`: the lines changed since a git revision.
//!
//! The whole tree is still scanned (a paragraph copied from an unchanged
//! file must be caught), but only findings with a copy on a changed line
//! are reported. Changed lines are those `git diff` shows as added between
//! the merge base of `REV` and `HEAD` and the working tree (so a branch is
//! compared with where it left `REV`, as a pull request is), plus every line
//! of untracked files that are not ignored. Renames count as new files.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use super::suppress::overlaps;
use super::CheckError;
use crate::document::LineRange;

/// Lines added since a revision, by path relative to the repository root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangedLines {
    files: HashMap<String, Vec<LineRange>>,
    whole: HashSet<String>,
}

impl ChangedLines {
    /// Asks `git` in `root` for the lines changed since `rev`.
    pub fn since(root: &Path, rev: &str) -> Result<ChangedLines, CheckError> {
        let base = git(root, &["merge-base", rev, "HEAD"])?;
        let base = base.trim();
        let diff = git(
            root,
            &[
                "-c",
                "core.quotePath=false",
                "diff",
                "-U0",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--no-renames",
                base,
                "--",
            ],
        )?;
        let mut changed = ChangedLines::from_diff(&diff);
        let untracked = git(root, &["ls-files", "--others", "--exclude-standard", "-z"])?;
        changed.whole.extend(
            untracked
                .split('\0')
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
        );
        Ok(changed)
    }

    /// The added lines of a unified diff made with `-U0`.
    pub fn from_diff(diff: &str) -> ChangedLines {
        let mut files: HashMap<String, Vec<LineRange>> = HashMap::new();
        let mut current: Option<String> = None;
        for line in diff.lines() {
            if let Some(path) = line.strip_prefix("+++ ") {
                current = path.strip_prefix("b/").map(unquote);
            } else if let (Some(path), Some(range)) = (&current, hunk_added(line)) {
                files.entry(path.clone()).or_default().push(range);
            }
        }
        ChangedLines {
            files,
            whole: HashSet::new(),
        }
    }

    /// Whether `lines` of `path` touch a changed line.
    pub fn touches(&self, path: &str, lines: LineRange) -> bool {
        self.whole.contains(path)
            || self
                .files
                .get(path)
                .is_some_and(|ranges| overlaps(ranges, lines))
    }
}

/// The added line range of a hunk header `@@ -a,b +c,d @@`, if it adds any.
fn hunk_added(line: &str) -> Option<LineRange> {
    let rest = line.strip_prefix("@@ -")?;
    let plus = rest.split_whitespace().nth(1)?.strip_prefix('+')?;
    let (start, count) = match plus.split_once(',') {
        Some((start, count)) => (start.parse::<usize>().ok()?, count.parse::<usize>().ok()?),
        None => (plus.parse::<usize>().ok()?, 1),
    };
    (count > 0 && start > 0).then(|| LineRange::new(start, start + count - 1))
}

/// A path as git prints it, without the quotes git adds around unusual names.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_owned();
    };
    inner
        .replace("\\\"", "\"")
        .replace("\\\\", "\\")
        .replace("\\t", "\t")
}

fn git(root: &Path, args: &[&str]) -> Result<String, CheckError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| {
            CheckError::Git(format!("cannot run git: {}", crate::input::io_message(&e)))
        })?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(CheckError::Git(format!(
            "git {}: {message}",
            args.join(" ")
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_of_each_file() {
        let diff = "diff --git a/a.md b/a.md\n--- a/a.md\n+++ b/a.md\n@@ -3,0 +4,2 @@\n+x\n+y\n@@ -9 +11 @@\n-z\n+w\n@@ -20,3 +22,0 @@\n\
                    diff --git a/gone.md b/gone.md\n--- a/gone.md\n+++ /dev/null\n@@ -1,2 +0,0 @@\n";
        let changed = ChangedLines::from_diff(diff);
        assert!(changed.touches("a.md", LineRange::new(5, 8)));
        assert!(changed.touches("a.md", LineRange::new(11, 11)));
        assert!(!changed.touches("a.md", LineRange::new(6, 10)));
        assert!(!changed.touches("a.md", LineRange::new(22, 30)));
        assert!(!changed.touches("gone.md", LineRange::new(1, 2)));
    }

    #[test]
    fn quoted_paths_are_unquoted() {
        assert_eq!(unquote("\"a \\\"b\\\".md\""), "a \"b\".md");
        assert_eq!(unquote("plain.md"), "plain.md");
    }
}
