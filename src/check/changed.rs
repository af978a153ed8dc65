//! `--changed-since REV`: the lines changed since a git revision.
//!
//! The whole tree is still scanned (a paragraph copied from an unchanged
//! file must be caught), but only findings with a copy on a changed line
//! are reported. Changed lines are those `git diff` shows as added between
//! the merge base of `REV` and `HEAD` and the working tree (so a branch is
//! compared with where it left `REV`, as a pull request is), plus every line
//! of untracked files that are not ignored. Renames count as new files.
//!
//! Paths are read as git writes them: names with unusual bytes are C-quoted
//! in diff headers ([`unquote_c_style`]), and NUL-terminated, unquoted, in the
//! list of untracked files; either way the name's bytes are kept exactly.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::collect::report_form;
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
        if rev.starts_with('-') {
            // git would read it as an option.
            return Err(CheckError::Git(format!("'{rev}' is not a git revision")));
        }
        let base = text(git(root, &["merge-base", rev, "HEAD"])?);
        let base = base.trim();
        // Quoting every unusual byte keeps the headers ASCII, so the diff's
        // text can be read lossily without touching a name.
        let diff = git(
            root,
            &[
                "-c",
                "core.quotePath=true",
                "diff",
                "-U0",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--no-renames",
                "--src-prefix=a/",
                "--dst-prefix=b/",
                base,
                "--",
            ],
        )?;
        let mut changed = ChangedLines::from_diff(&text(diff));
        let untracked = git(root, &["ls-files", "--others", "--exclude-standard", "-z"])?;
        changed.whole.extend(
            untracked
                .split(|&b| b == 0)
                .filter(|name| !name.is_empty())
                .map(|name| report_form(&path_from_bytes(name.to_vec()))),
        );
        Ok(changed)
    }

    /// The added lines of a unified diff made with `-U0`, its new side
    /// prefixed `b/`.
    pub fn from_diff(diff: &str) -> ChangedLines {
        let mut files: HashMap<String, Vec<LineRange>> = HashMap::new();
        let mut current: Option<String> = None;
        // Lines of the current hunk still to come: they are text, even when
        // an added line reads `+++ …` or `@@ …`.
        let mut in_hunk = 0usize;
        for line in diff.lines() {
            if in_hunk > 0 {
                if line.starts_with(['+', '-', ' ']) {
                    in_hunk -= 1;
                }
            } else if let Some(header) = line.strip_prefix("+++ ") {
                current = new_side_path(header).map(|path| report_form(&path));
            } else if let Some(hunk) = Hunk::parse(line) {
                in_hunk = hunk.old_lines.saturating_add(hunk.new_lines);
                if let (Some(path), Some(range)) = (&current, hunk.added()) {
                    files.entry(path.clone()).or_default().push(range);
                }
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

/// A hunk header `@@ -a,b +c,d @@`: where its new lines start and how many
/// lines each side has.
struct Hunk {
    old_lines: usize,
    new_start: usize,
    new_lines: usize,
}

impl Hunk {
    fn parse(line: &str) -> Option<Hunk> {
        let rest = line.strip_prefix("@@ -")?;
        let mut sides = rest.split_whitespace();
        let (_, old_lines) = side(sides.next()?)?;
        let (new_start, new_lines) = side(sides.next()?.strip_prefix('+')?)?;
        Some(Hunk {
            old_lines,
            new_start,
            new_lines,
        })
    }

    /// The added line range, if the hunk adds any.
    fn added(&self) -> Option<LineRange> {
        (self.new_lines > 0 && self.new_start > 0).then(|| {
            LineRange::new(
                self.new_start,
                self.new_start.saturating_add(self.new_lines - 1),
            )
        })
    }
}

/// `start,count` or `start` (a count of 1) of one side of a hunk header.
fn side(text: &str) -> Option<(usize, usize)> {
    match text.split_once(',') {
        Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
        None => Some((text.parse().ok()?, 1)),
    }
}

/// The path of a `+++ ` header's new side, without its `b/` prefix; `None`
/// for `/dev/null` (a deleted file) or a header git would not write.
fn new_side_path(header: &str) -> Option<PathBuf> {
    let name = if header.starts_with('"') {
        unquote_c_style(header)?.0
    } else {
        // Git ends a header whose name holds a space with a tab; a name
        // holding a tab is always quoted.
        header
            .strip_suffix('\t')
            .unwrap_or(header)
            .as_bytes()
            .to_vec()
    };
    let name = name.strip_prefix(b"b/")?;
    Some(path_from_bytes(name.to_vec()))
}

/// Reads a string C-quoted as git quotes paths (`quote_c_style`): between
/// double quotes, `\a \b \t \n \v \f \r \" \\` and three octal digits
/// for any byte. Returns the bytes and the text after the closing quote;
/// `None` when `quoted` is not such a string.
pub fn unquote_c_style(quoted: &str) -> Option<(Vec<u8>, &str)> {
    let mut bytes = quoted.strip_prefix('"')?.bytes().enumerate();
    let mut out = Vec::new();
    while let Some((_, byte)) = bytes.next() {
        match byte {
            b'"' => {
                let end = quoted.len() - bytes.len();
                return Some((out, &quoted[end..]));
            }
            b'\\' => {
                let (_, escape) = bytes.next()?;
                out.push(match escape {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'"' | b'\\' => escape,
                    b'0'..=b'3' => {
                        let mut value = escape - b'0';
                        for _ in 0..2 {
                            let (_, digit) = bytes.next()?;
                            if !(b'0'..=b'7').contains(&digit) {
                                return None;
                            }
                            value = value * 8 + (digit - b'0');
                        }
                        value
                    }
                    _ => return None,
                });
            }
            _ => out.push(byte),
        }
    }
    None
}

/// A file name's bytes as a path, exactly where the platform allows.
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(std::ffi::OsString::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Git's output as text; names in it are quoted (ASCII) or read apart.
fn text(output: Vec<u8>) -> String {
    String::from_utf8(output).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, CheckError> {
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
    Ok(output.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_of_each_file() {
        let diff = "diff --git a/a.md b/a.md\n--- a/a.md\n+++ b/a.md\n@@ -3,0 +4,2 @@\n+x\n+y\n@@ -9 +11 @@\n-z\n+w\n@@ -20,3 +22,0 @@\n-a\n-b\n-c\n\
                    diff --git a/gone.md b/gone.md\n--- a/gone.md\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-p\n-q\n";
        let changed = ChangedLines::from_diff(diff);
        assert!(changed.touches("a.md", LineRange::new(5, 8)));
        assert!(changed.touches("a.md", LineRange::new(11, 11)));
        assert!(!changed.touches("a.md", LineRange::new(6, 10)));
        assert!(!changed.touches("a.md", LineRange::new(22, 30)));
        assert!(!changed.touches("gone.md", LineRange::new(1, 2)));
    }

    fn unquoted(quoted: &str) -> Option<Vec<u8>> {
        unquote_c_style(quoted).map(|(bytes, _)| bytes)
    }

    #[test]
    fn every_c_style_escape_is_unquoted() {
        let cases: [(&str, &[u8]); 11] = [
            (r#""bell\a""#, b"bell\x07"),
            (r#""back\b""#, b"back\x08"),
            (r#""tab\there""#, b"tab\there"),
            (r#""new\nline""#, b"new\nline"),
            (r#""vertical\v""#, b"vertical\x0b"),
            (r#""feed\f""#, b"feed\x0c"),
            (r#""return\r""#, b"return\r"),
            (r#""a \"b\".md""#, b"a \"b\".md"),
            (r#""back\\slash""#, b"back\\slash"),
            (r#""caf\303\251.md""#, "café.md".as_bytes()),
            (r#""\377\000\101""#, b"\xff\x00A"),
        ];
        for (quoted, bytes) in cases {
            assert_eq!(unquoted(quoted).as_deref(), Some(bytes), "{quoted}");
        }
    }

    #[test]
    fn a_double_backslash_before_t_is_a_backslash_then_t() {
        assert_eq!(unquoted(r#""a\\tb""#).as_deref(), Some(&b"a\\tb"[..]));
    }

    #[test]
    fn malformed_quoting_is_refused() {
        for quoted in [
            "plain.md",
            r#""unterminated"#,
            r#""bad \x escape""#,
            r#""octal \4000 overflows""#,
            r#""short octal \30""#,
            r#""octal \38 digit""#,
            r#""ends in \"#,
        ] {
            assert_eq!(unquoted(quoted), None, "{quoted}");
        }
    }

    #[test]
    fn the_text_after_the_closing_quote_is_returned() {
        assert_eq!(
            unquote_c_style("\"b/a b.md\"\t"),
            Some((b"b/a b.md".to_vec(), "\t"))
        );
    }

    #[test]
    fn headers_with_spaces_tabs_and_octal_names_give_their_paths() {
        let diff = "+++ \"b/tab\\there.md\"\n@@ -0,0 +1 @@\n+x\n\
                    +++ b/with space.md\t\n@@ -0,0 +2 @@\n+x\n\
                    +++ \"b/caf\\303\\251.md\"\n@@ -0,0 +3 @@\n+x\n";
        let changed = ChangedLines::from_diff(diff);
        assert!(changed.touches("tab\there.md", LineRange::new(1, 1)));
        assert!(changed.touches("with space.md", LineRange::new(2, 2)));
        assert!(changed.touches("café.md", LineRange::new(3, 3)));
        assert_eq!(changed.files.len(), 3, "{changed:?}");
    }

    #[test]
    fn a_revision_that_reads_as_an_option_is_refused() {
        let err = ChangedLines::since(Path::new("."), "--output=x").unwrap_err();
        assert_eq!(err.to_string(), "'--output=x' is not a git revision");
    }

    #[test]
    fn absurd_hunk_counts_do_not_overflow() {
        let huge = usize::MAX;
        let diff = format!("+++ b/a.md\n@@ -1,{huge} +{huge},{huge} @@\n+x\n");
        let changed = ChangedLines::from_diff(&diff);
        assert!(changed.touches("a.md", LineRange::new(huge, huge)));
    }

    #[test]
    fn added_lines_that_look_like_headers_are_text() {
        let diff = "+++ b/a.md\n@@ -1,0 +2,3 @@\n+++ b/other.md\n+@@ -1 +9,9 @@\n+x\n@@ -7 +10 @@\n-y\n+z\n";
        let changed = ChangedLines::from_diff(diff);
        assert!(changed.touches("a.md", LineRange::new(2, 4)));
        assert!(changed.touches("a.md", LineRange::new(10, 10)));
        assert!(!changed.touches("a.md", LineRange::new(5, 9)));
        assert!(!changed.touches("other.md", LineRange::new(1, 20)));
    }
}
