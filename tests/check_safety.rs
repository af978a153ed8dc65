//! End-to-end tests of `doppel check` against hostile trees and tampering:
//! planted symbolic links, killed runs, exact copies that hide repeats,
//! JSON Lines records, unusual file names for `--changed-since`, and
//! symbolic link loops.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

const INSTALL: &str = "To install the tool, download the archive for your platform, unpack it into a folder on your path, and run the version command to make sure that the shell finds the new binary before any older copy.";
const CONFIGURE: &str = "Every setting can be written in the configuration file at the root of the repository, and every setting can also be given as a flag on the command line, where the flag wins over the file when both are present.";
const REPORTS: &str = "Reports are written to standard output in the format you choose, while errors go to standard error with the path of the file concerned, so that a script can keep the two apart and act on each of them.";
const UNIQUE_A: &str = "This page explains the history of the project and nothing else, from its first release to the present day.";
const UNIQUE_B: &str = "This page lists the people who helped, in alphabetical order, with a word of thanks for each of them.";

const BASELINE_HEADER: &str = "# doppel baseline 1: fingerprint, occurrences, file";

/// A temporary tree with its own HOME, so no user configuration leaks in.
struct Tree {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Tree {
    fn new() -> Tree {
        Tree {
            dir: tempfile::tempdir().expect("temp dir"),
            home: tempfile::tempdir().expect("temp home"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> &Tree {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(path, text).expect("write file");
        self
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap_or_default()
    }

    /// Names in the tree's top folder, sorted.
    fn names(&self) -> Vec<String> {
        names_in(self.path())
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_doppel"));
        command
            .arg("check")
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn check(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().expect("doppel runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
            .collect()
    }

    fn findings(&self) -> Vec<Value> {
        self.json()
            .into_iter()
            .filter(|v| v["type"] == "finding")
            .collect()
    }

    fn verdict(&self) -> Value {
        self.json()
            .into_iter()
            .find(|v| v["type"] == "verdict")
            .unwrap_or_else(|| panic!("no verdict in {}", self.stdout))
    }

    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn page(title: &str, paragraphs: &[&str]) -> String {
    let mut text = format!("# {title}\n");
    for paragraph in paragraphs {
        text.push('\n');
        text.push_str(paragraph);
        text.push('\n');
    }
    text
}

/// A tree of two pages sharing a paragraph: one finding, so a non-empty
/// baseline.
fn copied_tree() -> Tree {
    let tree = Tree::new();
    tree.write("a.md", &page("A", &[UNIQUE_A, INSTALL]))
        .write("b.md", &page("B", &[UNIQUE_B, INSTALL]));
    tree
}

// --- `--write-baseline` writes atomically, never through a planted link ---

#[cfg(unix)]
#[test]
fn a_link_planted_at_the_old_temporary_name_is_not_written_through() {
    let tree = copied_tree();
    let outside = tempfile::tempdir().expect("temp dir");
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").expect("write victim");
    let planted = tree.path().join("baseline.txt.doppel-tmp");
    std::os::unix::fs::symlink(&victim, &planted).expect("plant link");

    let run = tree.check(&["--write-baseline", "baseline.txt", "a.md", "b.md"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap_or_default(),
        "precious\n",
        "the planted link was written through"
    );
    let written = std::fs::symlink_metadata(tree.path().join("baseline.txt")).expect("baseline");
    assert!(
        written.file_type().is_file(),
        "the baseline is a plain file"
    );
    let baseline = tree.read("baseline.txt");
    assert!(baseline.starts_with(BASELINE_HEADER), "{baseline}");
    assert_eq!(baseline.lines().count(), 3, "{baseline}");
    assert_eq!(std::fs::read_link(&planted).ok(), Some(victim.clone()));
    assert_eq!(
        tree.names(),
        ["a.md", "b.md", "baseline.txt", "baseline.txt.doppel-tmp"]
    );
}

#[cfg(unix)]
#[test]
fn a_link_at_the_baseline_itself_is_replaced_not_followed() {
    let tree = copied_tree();
    let outside = tempfile::tempdir().expect("temp dir");
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").expect("write victim");
    std::os::unix::fs::symlink(&victim, tree.path().join("baseline.txt")).expect("plant link");

    let run = tree.check(&["--write-baseline", "baseline.txt", "a.md", "b.md"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap_or_default(),
        "precious\n"
    );
    assert!(tree.read("baseline.txt").starts_with(BASELINE_HEADER));
}

#[test]
fn no_temporary_file_remains_after_a_run_or_a_failed_write() {
    let tree = copied_tree();
    std::fs::create_dir(tree.path().join("taken")).expect("create folder");
    let run = tree.check(&["--write-baseline", "baseline.txt", "a.md", "b.md"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(tree.names(), ["a.md", "b.md", "baseline.txt", "taken"]);

    // A folder where the baseline should go: the rename fails.
    let onto_folder = tree.check(&["--write-baseline", "taken", "a.md", "b.md"]);
    assert_eq!(onto_folder.code, 2, "{}", onto_folder.all());
    assert!(
        onto_folder.stderr.contains("taken: cannot write baseline"),
        "{}",
        onto_folder.stderr
    );
    assert_eq!(tree.names(), ["a.md", "b.md", "baseline.txt", "taken"]);
    assert!(names_in(&tree.path().join("taken")).is_empty());

    // A folder that does not exist: nothing can be created.
    let missing = tree.check(&["--write-baseline", "missing/baseline.txt", "a.md", "b.md"]);
    assert_eq!(missing.code, 2, "{}", missing.all());
    assert!(
        missing
            .stderr
            .contains("missing/baseline.txt: cannot write baseline"),
        "{}",
        missing.stderr
    );
    assert_eq!(tree.names(), ["a.md", "b.md", "baseline.txt", "taken"]);
}

/// Pages that share paragraphs in many ways, so the baseline has many lines
/// and the run takes long enough to be killed at different moments.
fn many_copies_tree(pages: usize) -> Tree {
    let tree = Tree::new();
    let shared = [INSTALL, CONFIGURE, REPORTS];
    for n in 0..pages {
        let own = format!(
            "Page {n} has a paragraph of its own about item number {n}, which no other page of this tree repeats."
        );
        let text = page(
            &format!("Page {n}"),
            &[&own, shared[n % 3], shared[(n + 1) % 3]],
        );
        tree.write(&format!("docs/page{n:03}.md"), &text);
    }
    tree
}

#[cfg(unix)]
#[test]
fn a_killed_baseline_write_never_leaves_half_a_baseline() {
    let tree = many_copies_tree(120);
    let started = std::time::Instant::now();
    let reference = tree.check(&["--write-baseline", "reference.txt", "docs"]);
    let took = started.elapsed();
    assert_eq!(reference.code, 0, "{}", reference.all());
    let expected = tree.read("reference.txt");
    assert!(expected.lines().count() > 100, "{expected}");

    let mut completed = 0;
    for step in 0..16u32 {
        let _ = std::fs::remove_file(tree.path().join("baseline.txt"));
        let mut child = tree
            .command(&["--write-baseline", "baseline.txt", "docs"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("doppel runs");
        std::thread::sleep(took * step / 12);
        let _ = child.kill();
        let _ = child.wait();
        match std::fs::read_to_string(tree.path().join("baseline.txt")) {
            Ok(text) => {
                assert_eq!(text, expected, "a killed run left a different baseline");
                completed += 1;
            }
            Err(err) => assert_eq!(err.kind(), std::io::ErrorKind::NotFound),
        }
    }
    assert!(
        completed < 16,
        "every run completed before its kill: no kill landed mid-run"
    );
    // What a killed run may leave is only a temporary file under its own
    // name, never the final name.
    for name in tree.names() {
        assert!(
            ["baseline.txt", "docs", "reference.txt"].contains(&name.as_str())
                || (name.starts_with(".baseline.txt.") && name.ends_with(".doppel-tmp")),
            "unexpected leftover {name}"
        );
    }
}

// --- an exact copy of a file is exact, and its repeats are still found ---

/// A page that repeats a paragraph, with a short heading (too short to be
/// compared on its own) between the copies.
fn page_with_a_repeat() -> String {
    format!("# Settings\n\n{UNIQUE_A}\n\n{CONFIGURE}\n\n## Notes\n\n{UNIQUE_B}\n\n{CONFIGURE}\n")
}

fn fingerprints(finding: &Value) -> Vec<String> {
    finding["copies"]
        .as_array()
        .map(|copies| {
            copies
                .iter()
                .map(|c| c["fingerprint"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_exact_copy_of_a_file_with_a_heading_inside_is_exact() {
    let tree = Tree::new();
    let text = page("Guide", &[UNIQUE_A, INSTALL, "## Notes", UNIQUE_B]);
    tree.write("a.md", &text).write("b.md", &text);
    let run = tree.check(&["--format", "json", "a.md", "b.md"]);
    assert_eq!(
        run.code,
        1,
        "an exact copy fails the default policy: {}",
        run.all()
    );
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(findings[0]["kind"], "exact");
    assert_eq!(findings[0]["similarity"], 1.0);
    assert_eq!(findings[0]["fails"], true);
}

#[test]
fn an_exact_copy_of_a_file_does_not_hide_the_repeat_inside_it() {
    let tree = Tree::new();
    tree.write("a.md", &page_with_a_repeat())
        .write("b.md", &page_with_a_repeat());
    let run = tree.check(&["--format", "json", "a.md", "b.md"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let findings = run.findings();
    let described: Vec<(String, bool, bool, Vec<u64>)> = findings
        .iter()
        .map(|f| {
            let first_lines = f["copies"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .map(|c| c["lines"][0].as_u64().unwrap_or(0))
                        .collect()
                })
                .unwrap_or_default();
            (
                f["kind"].as_str().unwrap_or_default().to_owned(),
                f["within"] == true,
                f["fails"] == true,
                first_lines,
            )
        })
        .collect();
    assert_eq!(
        described,
        [
            ("exact".to_owned(), false, true, vec![3, 3]),
            ("exact".to_owned(), true, true, vec![5, 11]),
            ("exact".to_owned(), true, true, vec![5, 11]),
        ],
        "the copied file, then the repeat inside each copy: {}",
        run.stdout
    );
    assert_eq!(run.verdict()["failing"], 3);

    // Each fails on its own: accept the copy of the file in a baseline and
    // the repeats still fail; accept the repeats and the copy still fails.
    let written = tree.check(&["--write-baseline", "all.txt", "a.md", "b.md"]);
    assert_eq!(written.code, 0, "{}", written.all());
    let all = tree.read("all.txt");
    let copied_file = fingerprints(&findings[0]);
    let only = |keep: &dyn Fn(&str) -> bool| -> String {
        all.lines()
            .filter(|line| line.starts_with('#') || keep(line))
            .map(|line| format!("{line}\n"))
            .collect()
    };
    let is_file_copy = |line: &str| copied_file.iter().any(|f| line.starts_with(f.as_str()));
    tree.write("file-copy.txt", &only(&is_file_copy));
    tree.write("repeats.txt", &only(&|line| !is_file_copy(line)));

    let repeats_fail = tree.check(&[
        "--format",
        "json",
        "--baseline",
        "file-copy.txt",
        "a.md",
        "b.md",
    ]);
    assert_eq!(repeats_fail.code, 1, "{}", repeats_fail.all());
    let failing: Vec<bool> = repeats_fail
        .findings()
        .iter()
        .filter(|f| f["fails"] == true)
        .map(|f| f["within"] == true)
        .collect();
    assert_eq!(failing, [true, true], "{}", repeats_fail.stdout);

    let copy_fails = tree.check(&[
        "--format",
        "json",
        "--baseline",
        "repeats.txt",
        "a.md",
        "b.md",
    ]);
    assert_eq!(copy_fails.code, 1, "{}", copy_fails.all());
    let failing: Vec<bool> = copy_fails
        .findings()
        .iter()
        .filter(|f| f["fails"] == true)
        .map(|f| f["within"] == true)
        .collect();
    assert_eq!(failing, [false], "{}", copy_fails.stdout);
}

// --- JSON Lines records are named by file and line, counted as one file ---

#[test]
fn json_lines_records_are_named_by_line_and_counted_as_one_file() {
    let tree = Tree::new();
    let record = |id: &str, text: &str| format!("{{\"id\":\"{id}\",\"text\":\"{text}\"}}\n");
    let records = [
        record("r1", UNIQUE_A),
        record("r2", REPORTS),
        record("r3", UNIQUE_B),
        record("r4", REPORTS),
    ]
    .concat();
    tree.write("data.jsonl", &records)
        .write("page.md", &page("Page", &[INSTALL]));
    let run = tree.check(&["--format", "json", "data.jsonl", "page.md"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    let copies: Vec<(String, Value)> = findings[0]["copies"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| {
                    (
                        c["path"].as_str().unwrap_or_default().to_owned(),
                        c["lines"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        copies,
        [
            ("data.jsonl".to_owned(), serde_json::json!([2, 2])),
            ("data.jsonl".to_owned(), serde_json::json!([4, 4])),
        ]
    );
    let verdict = run.verdict();
    assert_eq!(verdict["files"], 2, "{verdict}");
    let ratio = verdict["total_ratio"].as_f64().unwrap_or(1.0);
    assert!(ratio > 0.2 && ratio < 0.6, "two records of four: {verdict}");

    let human = tree.check(&["data.jsonl", "page.md"]);
    assert!(
        human.stdout.contains("data.jsonl:4 ") && human.stdout.contains("also at data.jsonl:2"),
        "{}",
        human.stdout
    );
}

// --- `--changed-since` reads the names git quotes ---

const TABS: &str = "Tabs and spaces were argued over for decades, and the only lasting answer was a formatter that settles every question before anyone can open a review thread about it.";
const ACCENTS: &str = "An accented letter may be stored as one code point or as a base letter with a combining mark, and both forms must compare equal for a search to find what the reader typed.";
const SPACES: &str = "Names with spaces break shell scripts that forget their quotes, which is why careful tools print such names in a form that can be pasted back into a command line unchanged.";
const LATIN1: &str = "Old archives still hold names written in a single-byte code page, which no longer decode as text today, and a careful tool keeps their bytes rather than guessing at them.";
const NEWLINES: &str = "A newline inside a file name is legal on most systems, and every tool that prints one name per line must decide how to show it without splitting the name in two.";

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

impl Tree {
    fn git(&self, args: &[&str]) {
        let output = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }
}

fn primary_path(finding: &Value) -> String {
    let primary = finding["primary"].as_u64().unwrap_or(0) as usize;
    finding["copies"][primary]["path"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(unix)]
#[test]
fn changed_since_finds_copies_in_files_with_quoted_names() {
    use std::os::unix::ffi::OsStrExt;
    if !git_available() {
        eprintln!("git is not installed: skipped");
        return;
    }
    let tree = Tree::new();
    tree.git(&["init", "-q", "-b", "main"]);
    tree.write("old.md", &page("Old", &[UNIQUE_A, REPORTS]))
        .write("older.md", &page("Older", &[UNIQUE_B, REPORTS]))
        .write("style.md", &page("Style", &[TABS]))
        .write("text.md", &page("Text", &[ACCENTS]))
        .write("shell.md", &page("Shell", &[SPACES]))
        .write("names.md", &page("Names", &[NEWLINES]))
        .write("archive.md", &page("Archive", &[LATIN1]));
    tree.commit("start");
    tree.git(&["tag", "base"]);
    // Committed, so only the diff names them (untracked files are listed
    // apart, unquoted).
    tree.write("tab\there.md", &page("Tab", &[TABS]))
        .write("café.md", &page("Café", &[ACCENTS]))
        .write("with space.md", &page("Space", &[SPACES]))
        .write("new\nline.md", &page("Newline", &[NEWLINES]));
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(tree.path().join(latin1), page("Latin-1", &[LATIN1])).expect("write file");
    tree.commit("copies in files with unusual names");

    let run = tree.check(&["--format", "json", "--changed-since", "base"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let mut reported: Vec<String> = run.findings().iter().map(primary_path).collect();
    reported.sort();
    assert_eq!(
        reported,
        [
            "café.md",
            "caf\u{fffd}.md",
            "new\nline.md",
            "tab\there.md",
            "with space.md"
        ],
        "each new copy, and not the old one: {}",
        run.stdout
    );
}

// --- symbolic links that cannot be followed are named for what they are ---

/// Paths of the findings' copies, each finding's copies joined by `+`.
fn finding_paths(run: &Run) -> Vec<String> {
    run.findings()
        .iter()
        .map(|f| {
            f["copies"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .map(|c| c["path"].as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("+")
                })
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn a_link_loop_named_on_the_command_line_is_reported_and_the_rest_checked() {
    use std::os::unix::fs::symlink;
    let tree = copied_tree();
    symlink("loop", tree.path().join("loop")).expect("plant link");
    symlink("nowhere.md", tree.path().join("dangling.md")).expect("plant link");
    let run = tree.check(&["--format", "json", "a.md", "loop", "dangling.md", "b.md"]);
    assert_eq!(run.code, 2, "{}", run.all());
    let errors: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        errors,
        [
            "doppel: loop: symbolic link loop",
            "doppel: dangling.md: dangling symbolic link → nowhere.md"
        ]
    );
    assert_eq!(finding_paths(&run), ["a.md+b.md"], "{}", run.stdout);
    assert_eq!(run.verdict()["errors"], 2);
}

#[cfg(unix)]
#[test]
fn links_in_a_walk_are_skipped_quietly_even_when_they_loop_or_dangle() {
    use std::os::unix::fs::symlink;
    let tree = Tree::new();
    tree.write("docs/a.md", &page("A", &[UNIQUE_A, INSTALL]))
        .write("docs/b.md", &page("B", &[UNIQUE_B, INSTALL]));
    let docs = tree.path().join("docs");
    symlink("loop2", docs.join("loop1")).expect("plant link");
    symlink("loop1", docs.join("loop2")).expect("plant link");
    symlink("gone.md", docs.join("dangling.md")).expect("plant link");
    // A walk follows no link, so none of these is read or reported.
    symlink("a.md", docs.join("link.md")).expect("plant link");
    let run = tree.check(&["--format", "json", "docs"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(run.stderr, "", "{}", run.all());
    assert_eq!(
        finding_paths(&run),
        ["docs/a.md+docs/b.md"],
        "{}",
        run.stdout
    );
}

#[test]
fn changed_since_finds_a_record_appended_to_a_json_lines_file() {
    if !git_available() {
        eprintln!("git is not installed: skipped");
        return;
    }
    let tree = Tree::new();
    tree.git(&["init", "-q", "-b", "main"]);
    let record = |text: &str| format!("{{\"text\":\"{text}\"}}\n");
    let old = [record(UNIQUE_A), record(REPORTS), record(UNIQUE_B)].concat();
    tree.write("data.jsonl", &old);
    tree.commit("start");
    tree.git(&["tag", "base"]);
    tree.write("data.jsonl", &format!("{old}{}", record(REPORTS)));
    tree.commit("a copied record");
    let run = tree.check(&["--format", "json", "--changed-since", "base"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    let primary = findings[0]["primary"].as_u64().unwrap_or(0) as usize;
    assert_eq!(findings[0]["copies"][primary]["path"], "data.jsonl");
    assert_eq!(
        findings[0]["copies"][primary]["lines"],
        serde_json::json!([4, 4])
    );
}
