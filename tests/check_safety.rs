//! End-to-end tests of `doppel check` against hostile trees and tampering:
//! planted symbolic links, killed runs, exact copies that hide repeats,
//! JSON Lines records, unusual file names for `--changed-since`, and
//! symbolic link loops.

use std::path::{Path, PathBuf};
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
    assert!(written.file_type().is_file(), "the baseline is a plain file");
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
        let text = page(&format!("Page {n}"), &[&own, shared[n % 3], shared[(n + 1) % 3]]);
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

#[allow(dead_code)]
fn unused(_: PathBuf) {}
