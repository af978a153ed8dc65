//! End-to-end tests of `doppel check` in temporary git repositories, and
//! snapshots of every report format.
//!
//! Snapshots live in `tests/snapshots/check/`; run with
//! `DOPPEL_UPDATE_SNAPSHOTS=1` to rewrite them after an intended change.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// A temporary git repository with its own HOME, so no user configuration
/// leaks in.
struct Repo {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

const INSTALL: &str = "To install the tool, download the archive for your platform, unpack it into a folder on your path, and run the version command to make sure that the shell finds the new binary before any older copy.";
const CONFIGURE: &str = "Every setting can be written in the configuration file at the root of the repository, and every setting can also be given as a flag on the command line, where the flag wins over the file when both are present.";
const REPORTS: &str = "Reports are written to standard output in the format you choose, while errors go to standard error with the path of the file concerned, so that a script can keep the two apart and act on each of them.";
const UNIQUE_A: &str = "This page explains the history of the project and nothing else.";
const UNIQUE_B: &str = "This page lists the people who helped, in alphabetical order.";
const UNIQUE_C: &str = "This page answers questions that come up often on the forum.";

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("temp dir"),
            home: tempfile::tempdir().expect("temp home"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> &Repo {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(path, text).expect("write file");
        self
    }

    fn git(&self, args: &[&str]) -> String {
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
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn check(&self, args: &[&str]) -> Run {
        self.check_env(args, &[])
    }

    fn check_env(&self, args: &[&str], env: &[(&str, &Path)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_doppel"));
        command
            .arg("check")
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .stdin(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().expect("doppel runs");
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
}

/// The paths of a finding's copies, in order.
fn copy_paths(finding: &Value) -> Vec<String> {
    finding["copies"]
        .as_array()
        .map(|copies| {
            copies
                .iter()
                .map(|c| c["path"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
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

/// A repository with `guide.md` and `intro.md` sharing nothing.
fn clean_repo() -> Repo {
    let repo = Repo::new();
    repo.write("docs/guide.md", &page("Guide", &[INSTALL, CONFIGURE]))
        .write("docs/intro.md", &page("Intro", &[UNIQUE_A, REPORTS]));
    repo.commit("start");
    repo
}

#[test]
fn a_clean_tree_passes() {
    let repo = clean_repo();
    let run = repo.check(&["--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings().is_empty());
    assert_eq!(run.verdict()["status"], "pass");
}

#[test]
fn a_copied_paragraph_fails_the_gate() {
    let repo = clean_repo();
    repo.write("docs/faq.md", &page("FAQ", &[UNIQUE_C, INSTALL]));
    let run = repo.check(&["--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(findings[0]["kind"], "exact");
    assert_eq!(copy_paths(&findings[0]), ["docs/faq.md", "docs/guide.md"]);
    assert_eq!(findings[0]["copies"][0]["lines"], serde_json::json!([5, 5]));
    let human = repo.check(&[]);
    assert_eq!(human.code, 1);
    assert!(human.stdout.contains("also at docs/"), "{}", human.stdout);
}

#[test]
fn a_paragraph_repeated_in_a_file_and_copied_out_is_one_finding() {
    let repo = clean_repo();
    repo.write("docs/faq.md", &page("FAQ", &[INSTALL, UNIQUE_C, INSTALL]));
    let run = repo.check(&["--format", "json"]);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(
        copy_paths(&findings[0]),
        ["docs/faq.md", "docs/faq.md", "docs/guide.md"]
    );
}

#[test]
fn a_lightly_edited_copy_fails_only_under_fail_on_near() {
    let repo = clean_repo();
    let edited = CONFIGURE.replace("repository", "project");
    repo.write("docs/setup.md", &page("Setup", &[UNIQUE_B, &edited]));
    let default = repo.check(&["--format", "json"]);
    assert_eq!(
        default.code, 0,
        "near copies only warn by default: {}",
        default.stdout
    );
    let findings = default.findings();
    assert_eq!(findings.len(), 1, "{}", default.stdout);
    assert_eq!(findings[0]["kind"], "near");
    assert_eq!(findings[0]["fails"], false);
    let near = repo.check(&["--format", "json", "--fail-on", "near"]);
    assert_eq!(near.code, 1, "{}", near.stdout);
    assert_eq!(near.findings()[0]["fails"], true);
}

#[test]
fn a_baseline_written_and_then_used_passes() {
    let repo = clean_repo();
    repo.write("docs/faq.md", &page("FAQ", &[UNIQUE_C, INSTALL]));
    let written = repo.check(&["--write-baseline", "doppel-baseline.txt"]);
    assert_eq!(written.code, 0, "{}{}", written.stdout, written.stderr);
    let baseline =
        std::fs::read_to_string(repo.path().join("doppel-baseline.txt")).unwrap_or_default();
    let entries: Vec<&str> = baseline.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries.len(), 2, "{baseline}");
    assert!(
        entries[0].ends_with(" 1 docs/faq.md") && entries[1].ends_with(" 1 docs/guide.md"),
        "{baseline}"
    );
    // Edits elsewhere in a file do not disturb the baseline.
    repo.write(
        "docs/faq.md",
        &page("FAQ", &[UNIQUE_C, "A new paragraph.", INSTALL]),
    );
    let used = repo.check(&["--baseline", "doppel-baseline.txt", "--format", "json"]);
    assert_eq!(used.code, 0, "{}{}", used.stdout, used.stderr);
    assert_eq!(used.findings()[0]["new"], false);
}

#[test]
fn one_more_copy_of_a_baselined_block_fails() {
    let repo = clean_repo();
    repo.write("docs/faq.md", &page("FAQ", &[UNIQUE_C, INSTALL]));
    repo.write("doppel.toml", "baseline = \"doppel-baseline.txt\"\n");
    assert_eq!(
        repo.check(&["--write-baseline", "doppel-baseline.txt"])
            .code,
        0
    );
    repo.write("docs/more.md", &page("More", &[UNIQUE_B, INSTALL]));
    let run = repo.check(&["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let finding = &run.findings()[0];
    assert_eq!(copy_paths(finding).len(), 3);
    let new: Vec<bool> = finding["copies"]
        .as_array()
        .map(|c| c.iter().map(|c| c["new"] == true).collect())
        .unwrap_or_default();
    assert_eq!(new, [false, false, true], "{finding}");
    // Removing the first copies reports them as fixed.
    repo.write("docs/faq.md", &page("FAQ", &[UNIQUE_C]));
    std::fs::remove_file(repo.path().join("docs/more.md")).ok();
    let fixed = repo.check(&["--format", "json"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stdout);
    assert_eq!(fixed.verdict()["fixed"], 2, "{}", fixed.stdout);
}

#[test]
fn changed_since_reports_a_new_copy_and_not_the_old_ones() {
    let repo = clean_repo();
    repo.write(
        "docs/old.md",
        &page(
            "Old",
            &["Notes on a release that nobody remembers.", CONFIGURE],
        ),
    );
    repo.commit("an old copy");
    repo.git(&["tag", "base"]);
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.write("docs/new.md", &page("New", &[UNIQUE_C, REPORTS]));
    repo.commit("a new copy");
    let all = repo.check(&["--format", "json"]);
    assert_eq!(all.findings().len(), 2, "{}", all.stdout);
    let run = repo.check(&["--format", "json", "--changed-since", "base"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(copy_paths(&findings[0]), ["docs/intro.md", "docs/new.md"]);
    let primary = findings[0]["primary"].as_u64().unwrap_or(9) as usize;
    assert_eq!(copy_paths(&findings[0])[primary], "docs/new.md");
    // An untracked copy counts as changed too.
    repo.write("docs/draft.md", &page("Draft", &[INSTALL]));
    let untracked = repo.check(&["--format", "json", "--changed-since", "base"]);
    assert_eq!(untracked.findings().len(), 2, "{}", untracked.stdout);
    let bad = repo.check(&["--changed-since", "no-such-revision"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn suppression_markers_skip_the_text_between_them() {
    let repo = clean_repo();
    let suppressed = format!(
        "# Legal\n\n<!-- doppel:off -->\n\n{INSTALL}\n\n<!-- doppel:on -->\n\n{UNIQUE_B}\n"
    );
    repo.write("docs/legal.md", &suppressed);
    let run = repo.check(&["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.findings().is_empty(), "{}", run.stdout);
    let hash = format!("# Notes\n\n# doppel:off\n{CONFIGURE}\n# doppel:on\n");
    repo.write("notes.txt", &hash);
    assert_eq!(repo.check(&[]).code, 0);
    repo.write("docs/legal.md", &page("Legal", &[INSTALL, UNIQUE_B]));
    assert_eq!(repo.check(&[]).code, 1);
}

#[test]
fn ignore_files_are_honoured() {
    let repo = clean_repo();
    let copy = page("Copy", &[INSTALL]);
    repo.write(".gitignore", "build/\n")
        .write("build/out.md", &copy)
        .write(".git/info/exclude", "scratch.md\n")
        .write("scratch.md", &copy)
        .write(".doppelignore", "vendor/\n")
        .write("vendor/lib.md", &copy);
    let global = repo.home.path().join(".config/git/ignore");
    std::fs::create_dir_all(global.parent().unwrap_or(repo.home.path())).ok();
    std::fs::write(&global, "*.local.md\n").ok();
    repo.write("notes.local.md", &copy);
    let run = repo.check(&["--format", "json"]);
    assert_eq!(run.code, 0, "every copy is ignored: {}", run.stdout);
    let walked = repo.check(&["--format", "json", "--no-ignore"]);
    assert_eq!(walked.code, 1);
    let paths = copy_paths(&walked.findings()[0]);
    for ignored in [
        "build/out.md",
        "scratch.md",
        "vendor/lib.md",
        "notes.local.md",
    ] {
        assert!(paths.iter().any(|p| p == ignored), "{ignored} in {paths:?}");
    }
}

#[test]
fn config_file_sets_the_policy_and_flags_win() {
    let repo = clean_repo();
    let edited = CONFIGURE.replace("repository", "project");
    repo.write("docs/setup.md", &page("Setup", &[UNIQUE_B, &edited]));
    repo.write("doppel.toml", "fail-on = \"near\"\nformat = \"json\"\n");
    let run = repo.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.verdict()["fail_on"], "near");
    let flag = repo.check(&["--fail-on", "exact"]);
    assert_eq!(flag.code, 0, "{}", flag.stdout);
    let big = repo.check(&["--fail-on", "near", "--min-size", "5000"]);
    assert_eq!(big.code, 0, "{}", big.stdout);
}

#[test]
fn trouble_exits_2_and_wins_over_failure() {
    let repo = clean_repo();
    repo.write("docs/faq.md", &page("FAQ", &[UNIQUE_C, INSTALL]));
    let missing = repo.check(&[".", "no-such-folder"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("no-such-folder"),
        "{}",
        missing.stderr
    );
    repo.write("doppel.toml", "min-size = \"big\"\n");
    let bad = repo.check(&[]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("doppel.toml"), "{}", bad.stderr);
    let usage = repo.check(&["--config", "doppel.toml", "--threshold", "7"]);
    assert_eq!(usage.code, 2);
}

#[test]
fn ratios_fail_when_exceeded() {
    let repo = clean_repo();
    repo.write("docs/faq.md", &page("FAQ", &[UNIQUE_C, INSTALL]));
    let run = repo.check(&[
        "--format",
        "json",
        "--max-file-ratio",
        "0.5",
        "--baseline",
        "empty.txt",
    ]);
    assert_eq!(run.code, 2, "a missing baseline is trouble");
    repo.write("all.txt", "# everything baselined\n");
    let base = repo.check(&["--write-baseline", "all.txt"]);
    assert_eq!(base.code, 0);
    let ok = repo.check(&["--baseline", "all.txt"]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    let over = repo.check(&[
        "--format",
        "json",
        "--baseline",
        "all.txt",
        "--max-file-ratio",
        "0.5",
    ]);
    assert_eq!(over.code, 1, "{}", over.stdout);
    assert_eq!(
        over.verdict()["files_over_ratio"],
        serde_json::json!(["docs/faq.md"])
    );
}

#[test]
fn github_output_escapes_and_caps_annotations() {
    let repo = Repo::new();
    repo.write("1 line\r\nbreak.md", &page("One", &[INSTALL]))
        .write("2 a,b:c%.md", &page("Two", &[UNIQUE_A, INSTALL]));
    let run = repo.check(&["--format", "github"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(
        first
            .starts_with("::error file=2 a%2Cb%3Ac%25.md,line=5,endLine=5,title=exact-duplicate::"),
        "{first}"
    );
    assert!(first.ends_with("also at 1 line%0D%0Abreak.md:3"), "{first}");

    let many = Repo::new();
    for n in 0..12 {
        let words: Vec<String> = (0..30).map(|k| format!("word{n}x{k}")).collect();
        let text = words.join(" ");
        many.write(&format!("a{n:02}.md"), &text)
            .write(&format!("b{n:02}.md"), &text);
    }
    let summary = many.path().join("summary.md");
    let capped = many.check_env(
        &["--format", "github"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    let annotations = capped
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .count();
    assert_eq!(annotations, 10, "{}", capped.stdout);
    assert!(
        capped.stdout.contains("2 more annotation(s)"),
        "{}",
        capped.stdout
    );
    let written = std::fs::read_to_string(&summary).unwrap_or_default();
    assert_eq!(written.matches("| `b").count(), 12, "{written}");
    assert!(
        !capped.stdout.to_lowercase().contains("http"),
        "no promotional line"
    );
}

// ---- snapshots ----

fn snapshot_repo() -> Repo {
    let repo = Repo::new();
    let edited = CONFIGURE.replace("repository", "project");
    repo.write("docs/guide.md", &page("Guide", &[INSTALL, CONFIGURE]))
        .write("docs/faq.md", &page("FAQ", &[UNIQUE_C, INSTALL]))
        .write("docs/setup.md", &page("Setup", &[UNIQUE_B, &edited]))
        .write(
            "docs/intro.md",
            &page("Intro", &[REPORTS, UNIQUE_A, REPORTS]),
        );
    repo.commit("start");
    repo
}

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/check")
}

/// Compares `actual` (temp paths replaced by `[ROOT]`) with the stored
/// snapshot, or rewrites it under `DOPPEL_UPDATE_SNAPSHOTS=1`.
fn assert_snapshot(name: &str, actual: &str, root: &Path) {
    let mut normalized = actual.to_owned();
    for form in [root.canonicalize().ok(), Some(root.to_path_buf())]
        .into_iter()
        .flatten()
    {
        normalized = normalized.replace(&form.display().to_string(), "[ROOT]");
    }
    let path = snapshot_dir().join(name);
    if std::env::var_os("DOPPEL_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(snapshot_dir()).expect("snapshot folder");
        std::fs::write(&path, &normalized).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with DOPPEL_UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(normalized, expected, "snapshot {name} differs");
}

#[test]
fn snapshots_of_every_format() {
    let repo = snapshot_repo();
    for (format, file) in [
        ("human", "human.txt"),
        ("json", "json.jsonl"),
        ("sarif", "sarif.json"),
        ("gitlab", "gitlab.json"),
        ("junit", "junit.xml"),
    ] {
        let run = repo.check(&["--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_snapshot(file, &run.stdout, repo.path());
    }
    let summary = repo.home.path().join("summary.md");
    let github = repo.check_env(
        &["--format", "github"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_snapshot("github.txt", &github.stdout, repo.path());
    let written = std::fs::read_to_string(&summary).unwrap_or_default();
    assert_snapshot("github-summary.md", &written, repo.path());
}

#[test]
fn sarif_validates_against_the_schema() {
    let schema_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(schema_path).unwrap_or_default();
    // The vendored schema's `language` pattern has a stray `]` that a
    // Unicode-mode ECMA 262 regex rejects; the published 2.1.0 schema reads
    // `^[a-zA-Z]{2}(-[a-zA-Z]{2})?$`. Apply that fix before compiling.
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: Value = serde_json::from_str(&text).expect("the vendored schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let repo = snapshot_repo();
    let baseline = repo.check(&["--write-baseline", "base.txt"]);
    assert_eq!(baseline.code, 0);
    for args in [
        &["--format", "sarif"][..],
        &["--format", "sarif", "--baseline", "base.txt"],
    ] {
        let run = repo.check(args);
        let log: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let results = log["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(results.len(), 3);
        for result in &results {
            assert!(result["partialFingerprints"]["doppelContent/v1"].is_string());
            let uri =
                result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str();
            assert!(uri.is_some_and(|u| u.starts_with("docs/")), "{result}");
        }
    }
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let repo = snapshot_repo();
    let one = repo.check(&["--format", "json", "-j", "1"]);
    let two = repo.check(&["--format", "json", "-j", "3"]);
    assert_eq!(one.code, 1);
    assert_eq!(one.stdout, two.stdout);
}
