//! End-to-end tests of `doppel check` as CI runs it: GitHub annotation
//! levels, `--write-baseline`, paths that do not exist, and how paths are
//! printed; and the repository's CI recipes (workflows, pre-commit hooks,
//! changelog) checked against what exists.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const INSTALL: &str = "To install the tool, download the archive for your platform, unpack it into a folder on your path, and run the version command to make sure that the shell finds the new binary before any older copy.";
const CONFIGURE: &str = "Every setting can be written in the configuration file at the root of the repository, and every setting can also be given as a flag on the command line, where the flag wins over the file when both are present.";
const REPORTS: &str = "Reports are written to standard output in the format you choose, while errors go to standard error with the path of the file concerned, so that a script can keep the two apart and act on each of them.";
const UNIQUE_A: &str = "This page explains the history of the project and nothing else.";
const UNIQUE_B: &str = "This page lists the people who helped, in alphabetical order.";
const UNIQUE_C: &str = "This page answers questions that come up often on the forum.";
const UNIQUE_D: &str = "This page describes the release process, step by step.";
const UNIQUE_E: &str = "This page shows the output of every command on a sample corpus.";

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

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("temp dir"),
            home: tempfile::tempdir().expect("temp home"),
        };
        std::fs::create_dir(repo.path().join(".git")).expect("a .git folder marks the root");
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

    fn check(&self, args: &[&str]) -> Run {
        self.check_in(self.path(), args)
    }

    fn check_in(&self, dir: &Path, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_doppel"))
            .arg("check")
            .args(args)
            .current_dir(dir)
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .output()
            .expect("doppel runs");
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

    fn verdict(&self) -> Value {
        self.json()
            .into_iter()
            .find(|v| v["type"] == "verdict")
            .unwrap_or_else(|| panic!("no verdict in {}", self.stdout))
    }

    /// Every path a JSON report names in its findings' copies.
    fn copy_paths(&self) -> Vec<String> {
        self.json()
            .iter()
            .filter(|v| v["type"] == "finding")
            .flat_map(|f| f["copies"].as_array().cloned().unwrap_or_default())
            .map(|c| c["path"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    fn lines_starting(&self, prefix: &str) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with(prefix))
            .collect()
    }
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

/// `docs/guide.md` and `docs/faq.md` share INSTALL: one exact finding.
fn one_copy() -> Repo {
    let repo = Repo::new();
    repo.write("docs/guide.md", &page("Guide", &[INSTALL, UNIQUE_A]))
        .write("docs/faq.md", &page("FAQ", &[UNIQUE_C, INSTALL]));
    repo
}

// ---- GitHub annotation levels ----

#[test]
fn github_annotates_failing_as_error_passing_as_warning_and_baselined_not_at_all() {
    let repo = one_copy();
    let written = repo.check(&["--write-baseline", "base.txt"]);
    assert_eq!(written.code, 0, "{}{}", written.stdout, written.stderr);
    // A new exact copy (fails) and a lightly edited copy (near: passes
    // under the default fail-on exact).
    let edited = CONFIGURE.replace("repository", "project");
    repo.write("docs/setup.md", &page("Setup", &[UNIQUE_B, CONFIGURE]))
        .write("docs/config.md", &page("Config", &[UNIQUE_D, &edited]))
        .write("docs/reports.md", &page("Reports", &[REPORTS]))
        .write("docs/output.md", &page("Output", &[UNIQUE_E, REPORTS]));
    let run = repo.check(&["--format", "github", "--baseline", "base.txt"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);

    let errors = run.lines_starting("::error ");
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    assert!(
        errors[0].starts_with("::error file=docs/reports.md,line=3,endLine=3,title=exact-duplicate::Exact copy of 159 letters, also at docs/output.md:5"),
        "{}",
        errors[0]
    );
    let warnings = run.lines_starting("::warning ");
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    assert!(
        warnings[0].contains("title=near-duplicate::Near copy"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].starts_with("::warning file=docs/setup.md,line=5,endLine=5,"),
        "{}",
        warnings[0]
    );
    // The baselined copy between guide.md and faq.md is not annotated at
    // any level.
    assert!(
        !run.stdout
            .lines()
            .any(|l| l.starts_with("::") && l.contains("faq.md")),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.lines().filter(|l| l.starts_with("::")).count(),
        2,
        "{}",
        run.stdout
    );
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("doppel check: policy fails"), "{last}");

    // Under fail-on near the near copy fails too: two errors, no warning.
    let near = repo.check(&[
        "--format",
        "github",
        "--baseline",
        "base.txt",
        "--fail-on",
        "near",
    ]);
    assert_eq!(near.lines_starting("::error ").len(), 2, "{}", near.stdout);
    assert!(
        near.lines_starting("::warning ").is_empty(),
        "{}",
        near.stdout
    );
}

#[test]
fn github_step_summary_lists_baselined_findings_that_are_not_annotated() {
    let repo = one_copy();
    assert_eq!(repo.check(&["--write-baseline", "base.txt"]).code, 0);
    let summary = repo.home.path().join("summary.md");
    let output = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["check", "--format", "github", "--baseline", "base.txt"])
        .current_dir(repo.path())
        .env("HOME", repo.home.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .stdin(Stdio::null())
        .output()
        .expect("doppel runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("::"), "{stdout}");
    let written = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(
        written.contains("| `docs/guide.md:3` | exact |") && written.contains("| baselined |"),
        "{written}"
    );
}

#[test]
fn github_annotates_a_file_above_its_ratio_as_an_error() {
    let repo = one_copy();
    let run = repo.check(&[
        "--format",
        "github",
        "--max-file-ratio",
        "0.5",
        "--max-total-ratio",
        "0.4",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let ratio: Vec<&str> = run
        .lines_starting("::error ")
        .into_iter()
        .filter(|l| l.contains("ratio::"))
        .collect();
    assert_eq!(ratio.len(), 3, "{}", run.stdout);
    assert!(
        ratio[0].starts_with("::error file=docs/") && ratio[0].contains(",title=max-file-ratio::"),
        "{}",
        ratio[0]
    );
    assert!(
        ratio[2].starts_with("::error title=max-total-ratio::"),
        "{}",
        ratio[2]
    );
}

// ---- --write-baseline ----

#[test]
fn write_baseline_says_what_it_wrote_and_never_fails() {
    let repo = one_copy();
    let run = repo.check(&["--write-baseline", "doppel-baseline.txt"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("FAILS"), "{}", run.stdout);
    assert!(run.stdout.contains("  baselined  "), "{}", run.stdout);
    let last = run.stdout.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        "doppel check: wrote baseline doppel-baseline.txt: 1 finding(s), 2 entries"
    );
    assert!(run
        .stdout
        .contains("doppel check: policy holds (1 finding(s), none failing)"));
    let written =
        std::fs::read_to_string(repo.path().join("doppel-baseline.txt")).unwrap_or_default();
    assert_eq!(written.lines().filter(|l| !l.starts_with('#')).count(), 2);

    // Machine formats stay parseable: the note goes to stderr.
    let json = repo.check(&["--write-baseline", "again.txt", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_eq!(json.verdict()["status"], "pass");
    assert_eq!(json.verdict()["failing"], 0);
    assert_eq!(
        json.stderr.trim(),
        "doppel check: wrote baseline again.txt: 1 finding(s), 2 entries"
    );
    let github = repo.check(&["--write-baseline", "again.txt", "--format", "github"]);
    assert_eq!(github.code, 0);
    assert!(!github.stdout.contains("::error"), "{}", github.stdout);
}

// ---- paths that do not exist ----

#[test]
fn a_missing_path_with_a_baseline_is_an_error_and_fixes_nothing() {
    let repo = one_copy();
    assert_eq!(repo.check(&["--write-baseline", "base.txt"]).code, 0);
    let run = repo.check(&["--baseline", "base.txt", "nosuch"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("doppel: nosuch: no such file or folder"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("fixed"), "{}", run.stdout);
    let json = repo.check(&["--baseline", "base.txt", "--format", "json", "nosuch"]);
    assert_eq!(json.code, 2);
    assert_eq!(json.verdict()["fixed"], 0, "{}", json.stdout);
    assert_eq!(json.verdict()["errors"], 1, "{}", json.stdout);

    // Checking one of the two files does not see the other copy: nothing
    // is fixed either.
    let one = repo.check(&[
        "--baseline",
        "base.txt",
        "--format",
        "json",
        "docs/guide.md",
    ]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(one.verdict()["fixed"], 0, "{}", one.stdout);

    // Deleting a copy's file does fix its entries.
    std::fs::remove_file(repo.path().join("docs/faq.md")).expect("remove");
    let gone = repo.check(&["--baseline", "base.txt", "--format", "json"]);
    assert_eq!(gone.code, 0, "{}", gone.stderr);
    assert_eq!(gone.verdict()["fixed"], 2, "{}", gone.stdout);
}

// ---- how paths are printed ----

/// `path` as the tests expect the report to name a file outside the root:
/// as given, `/`-separated.
fn as_named(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[test]
fn paths_inside_the_root_are_relative_to_it_however_they_are_named() {
    let repo = one_copy();
    let absolute = repo.path().join("docs");
    let absolute = absolute.to_str().expect("a UTF-8 temp path");
    let dotted = repo.check(&["--format", "json", "./docs/./"]);
    let named = repo.check(&["--format", "json", absolute]);
    let from_below = repo.check_in(&repo.path().join("docs"), &["--format", "json", "."]);
    for run in [&dotted, &named, &from_below] {
        assert_eq!(run.code, 1, "{}", run.stderr);
        let mut paths = run.copy_paths();
        paths.sort();
        assert_eq!(paths, ["docs/faq.md", "docs/guide.md"], "{}", run.stdout);
    }
    // The human report names them the same way, with no `./` or `//`.
    let human = repo.check(&[absolute]);
    assert!(human.stdout.starts_with("docs/"), "{}", human.stdout);
    assert!(
        !human.stdout.contains("//") && !human.stdout.contains("./"),
        "{}",
        human.stdout
    );

    // So a baseline written from below the root, naming the folder by its
    // absolute path, is the same file as one written at the root.
    assert_eq!(repo.check(&["--write-baseline", "root.txt"]).code, 0);
    let below = repo.path().join("docs");
    let target = repo.path().join("below.txt");
    let target = target.to_str().expect("a UTF-8 temp path");
    assert_eq!(
        repo.check_in(&below, &["--write-baseline", target, absolute])
            .code,
        0
    );
    let read = |name: &str| std::fs::read_to_string(repo.path().join(name)).unwrap_or_default();
    assert_eq!(read("root.txt"), read("below.txt"));
}

#[test]
fn paths_outside_the_root_are_printed_as_named_with_one_slash() {
    let repo = Repo::new();
    let outside = tempfile::tempdir().expect("temp dir");
    let other: PathBuf = outside.path().join("pages");
    std::fs::create_dir(&other).expect("create folder");
    std::fs::write(other.join("a.md"), page("A", &[INSTALL, UNIQUE_A])).expect("write");
    std::fs::write(other.join("b.md"), page("B", &[UNIQUE_B, INSTALL])).expect("write");
    let named = other.to_str().expect("a UTF-8 temp path");
    let run = repo.check(&["--format", "json", named]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut paths = run.copy_paths();
    paths.sort();
    assert_eq!(
        paths,
        [as_named(&other.join("a.md")), as_named(&other.join("b.md"))]
    );
    let human = repo.check(&[named]);
    let first = human.stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("{}:", as_named(&other.join("b.md")))),
        "{first}"
    );
    assert!(!human.stdout.contains("//"), "{}", human.stdout);
}

// ---- the CI recipes: workflows, hooks, packaging and release notes ----

/// The repository's files the recipes are made of.
const RECIPES: &[&str] = &[
    ".github/workflows/release.yml",
    ".github/workflows/ci.yml",
    ".pre-commit-hooks.yaml",
    "docs/recipes/github-actions.yml",
    "docs/recipes/pre-commit-config.yaml",
    "docs/recipes/gitlab-ci.yml",
];

fn source(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read_source(path: &str) -> String {
    std::fs::read_to_string(source(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Cargo.toml's `[package]` table.
fn package() -> toml::Table {
    let manifest: toml::Table = read_source("Cargo.toml")
        .parse()
        .expect("Cargo.toml is TOML");
    manifest["package"]
        .as_table()
        .cloned()
        .expect("a [package] table")
}

fn crate_version() -> String {
    package()["version"].as_str().expect("a version").to_owned()
}

/// The value of `KEY: value` on its own line in `text` (first occurrence),
/// without quotes.
fn yaml_scalar(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix(key)?.strip_prefix(':')?;
        let value = rest.split(" #").next().unwrap_or_default().trim();
        Some(value.trim_matches('"').to_owned())
    })
}

/// The release targets a text names (`x86_64-unknown-linux-musl`, …).
fn targets(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|word| {
            ["-unknown-linux-", "-apple-darwin", "-pc-windows-"]
                .iter()
                .any(|os| word.contains(os))
        })
        .map(str::to_owned)
        .collect()
}

/// Each file as JSON through PyYAML, or None when python3 or PyYAML is
/// missing (the structural checks are then skipped, the textual ones run).
fn parsed_yaml() -> Option<Vec<Value>> {
    let script = "import json, sys, yaml\nprint(json.dumps([yaml.safe_load(open(p, encoding='utf-8')) for p in sys.argv[1:]]))";
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(RECIPES.iter().map(|path| source(path)))
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        assert!(
            stderr.contains("No module named 'yaml'"),
            "a recipe is not valid YAML: {stderr}"
        );
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

#[test]
fn recipes_are_valid_yaml_with_the_expected_shape() {
    let Some(files) = parsed_yaml() else {
        eprintln!("skipped: python3 with PyYAML is not installed (pip install pyyaml)");
        return;
    };
    let [release, ci, hooks, actions, precommit, gitlab] = &files[..] else {
        panic!("one document per recipe: {files:?}");
    };
    // YAML 1.1 reads the key `on` as true.
    let on = |workflow: &Value| workflow.get("on").or(workflow.get("true")).cloned();
    assert_eq!(
        on(release).map(|o| o["push"]["tags"].clone()),
        Some(serde_json::json!(["v*"]))
    );
    let matrix = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let built: std::collections::BTreeSet<String> = matrix
        .iter()
        .map(|m| m["target"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        built,
        targets(&read_source("docs/recipes/github-actions.yml"))
    );
    let ci_runs: Vec<&str> = ci["jobs"]["ci"]["steps"]
        .as_array()
        .map(|steps| steps.iter().filter_map(|s| s["run"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ci_runs, [".ci/run"]);
    assert!(on(actions).is_some_and(|o| o.get("pull_request").is_some()));
    assert_eq!(
        actions["env"]["DOPPEL_VERSION"],
        format!("v{}", crate_version())
    );

    let hooks = hooks.as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = hooks.iter().filter_map(|h| h["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "doppel-check",
            "doppel-check-changed",
            "doppel-check-system",
            "doppel-check-changed-system"
        ]
    );
    for hook in &hooks {
        assert!(
            hook["entry"]
                .as_str()
                .is_some_and(|e| e.starts_with("doppel check")),
            "{hook}"
        );
        assert_eq!(hook["pass_filenames"], false, "{hook}");
        let language = hook["language"].as_str().unwrap_or_default();
        let system = hook["id"].as_str().unwrap_or_default().ends_with("-system");
        assert_eq!(language, if system { "system" } else { "rust" }, "{hook}");
    }
    let local = &precommit["repos"][0];
    assert_eq!(local["repo"], "local");
    let system = hooks
        .iter()
        .find(|h| h["id"] == "doppel-check-system")
        .cloned()
        .unwrap_or_default();
    for key in ["entry", "language", "pass_filenames", "always_run"] {
        assert_eq!(local["hooks"][0][key], system[key], "{key}");
    }
    let job = &gitlab["doppel"];
    assert_eq!(
        job["artifacts"]["reports"]["codequality"], "gl-code-quality-report.json",
        "{job}"
    );
    let script = job["script"].to_string();
    assert!(script.contains("doppel check --format gitlab"), "{script}");
    assert!(script.contains("doppel check --format junit"), "{script}");
}

#[test]
fn recipes_name_only_files_commands_and_flags_that_exist() {
    let help = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["check", "--help"])
        .output()
        .expect("doppel runs");
    let help = String::from_utf8_lossy(&help.stdout);
    for path in RECIPES {
        let text = read_source(path);
        assert!(!text.contains("OWNER/doppel"), "{path}: a placeholder");
        // Scripts of this repository the recipe runs.
        for word in text.split(|c: char| c.is_whitespace() || c == '"') {
            if word.starts_with(".ci/") || word.starts_with(".github/scripts/") {
                let script = source(word);
                assert!(script.is_file(), "{path} runs {word}, which does not exist");
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = script
                        .metadata()
                        .map(|m| m.permissions().mode())
                        .unwrap_or(0);
                    assert!(mode & 0o111 != 0, "{word} is not executable");
                }
            }
        }
        // Every flag given to `doppel check` is one it takes.
        for line in text.lines().filter(|l| l.contains("doppel check")) {
            let command = line.split("doppel check").nth(1).unwrap_or_default();
            for flag in command.split_whitespace().filter(|w| w.starts_with("--")) {
                let flag = flag.trim_end_matches(['"', '\'']);
                assert!(
                    help.contains(&format!("{flag} ")),
                    "{path}: doppel check has no {flag}"
                );
            }
        }
    }
    // The release's version is the crate's, in every recipe that pins one.
    let tag = format!("v{}", crate_version());
    let actions = read_source("docs/recipes/github-actions.yml");
    let gitlab = read_source("docs/recipes/gitlab-ci.yml");
    assert_eq!(yaml_scalar(&actions, "DOPPEL_VERSION"), Some(tag.clone()));
    assert_eq!(yaml_scalar(&gitlab, "DOPPEL_VERSION"), Some(tag.clone()));
    assert_eq!(
        yaml_scalar(&gitlab, "DOPPEL_REPOSITORY"),
        yaml_scalar(&actions, "DOPPEL_REPOSITORY")
    );
    assert!(read_source(".pre-commit-hooks.yaml").contains(&format!("rev: {tag}")));
    // The repository the recipe downloads from is Cargo.toml's, when it
    // names one; otherwise the recipe says to set it.
    let named = yaml_scalar(&actions, "DOPPEL_REPOSITORY").unwrap_or_default();
    match package().get("repository").and_then(|r| r.as_str()) {
        Some(url) => assert_eq!(
            format!("https://github.com/{named}"),
            url.trim_end_matches('/')
        ),
        None => {
            assert_eq!(named, "");
            assert!(actions.contains("::error::set DOPPEL_REPOSITORY"));
        }
    }
}

#[test]
fn the_changelog_gives_the_notes_of_the_crate_version_and_no_other() {
    let script = source(".github/scripts/changelog-section.sh");
    let run = |version: &str, file: &Path| {
        Command::new("bash")
            .arg(&script)
            .arg(version)
            .arg(file)
            .output()
            .expect("bash runs")
    };
    let changelog = source("CHANGELOG.md");
    let notes = run(&format!("v{}", crate_version()), &changelog);
    assert!(notes.status.success(), "{notes:?}");
    let notes = String::from_utf8_lossy(&notes.stdout);
    assert!(notes.contains("### Added"), "{notes}");
    assert!(!notes.contains("## ["), "one section only: {notes}");

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("CHANGELOG.md");
    std::fs::write(
        &file,
        "# Changelog\n\n## [Unreleased]\n\n- next\n\n## [1.2.0] - 2026-01-02\n\n### Fixed\n\n- this\n\n## [1.1.0]\n\n- older\n\n[1.2.0]: https://example.com\n",
    )
    .expect("write");
    let one = run("v1.2.0", &file);
    assert!(one.status.success());
    assert_eq!(
        String::from_utf8_lossy(&one.stdout),
        "### Fixed\n\n- this\n"
    );
    let missing = run("1.3.0", &file);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no section for 1.3.0"),
        "{missing:?}"
    );
}

#[cfg(unix)]
#[test]
fn the_release_archive_holds_the_binary_docs_and_what_the_binary_can_make() {
    let out = tempfile::tempdir().expect("temp dir");
    let bin = env!("CARGO_BIN_EXE_doppel");
    // A small stand-in for the binary, so the test does not compress a
    // debug build: it runs the real one.
    let stand_in = out.path().join("doppel");
    std::fs::write(&stand_in, format!("#!/bin/sh\nexec '{bin}' \"$@\"\n")).expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stand_in, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let dist = out.path().join("dist");
    let packaged = Command::new("bash")
        .arg(source(".github/scripts/package.sh"))
        .arg(&stand_in)
        .args(["v0.0.0-test", "x86_64-unknown-linux-musl"])
        .arg(&dist)
        .output()
        .expect("bash runs");
    assert!(packaged.status.success(), "{packaged:?}");
    let name = "doppel-v0.0.0-test-x86_64-unknown-linux-musl";
    let archive = dist.join(format!("{name}.tar.gz"));
    assert_eq!(
        String::from_utf8_lossy(&packaged.stdout).trim(),
        archive.to_string_lossy()
    );
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(&archive)
        .output()
        .expect("tar runs");
    let listing = String::from_utf8_lossy(&listing.stdout);
    let files: Vec<&str> = listing.lines().collect();
    for expected in ["doppel", "README.md", "CHANGELOG.md"] {
        assert!(
            files.contains(&format!("{name}/{expected}").as_str()),
            "{expected} missing from {files:?}"
        );
    }
    for licence in ["LICENSE", "LICENSE-MIT", "LICENSE-APACHE"] {
        assert_eq!(
            files.contains(&format!("{name}/{licence}").as_str()),
            source(licence).is_file(),
            "{licence}"
        );
    }
    // Completions and manual pages exactly when the binary makes them.
    let has = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    assert_eq!(
        files.contains(&format!("{name}/completions/doppel.bash").as_str()),
        has(&["completions", "bash"]),
        "{files:?}"
    );
    assert_eq!(
        files.iter().any(|f| f.starts_with(&format!("{name}/man/"))),
        has(&["man", "--help"]),
        "{files:?}"
    );
    // The checksum file names the archive and `sha256sum -c` accepts it.
    let sums = std::fs::read_to_string(dist.join(format!("{name}.tar.gz.sha256")))
        .expect("a checksum file");
    assert!(
        sums.trim_end().ends_with(&format!("  {name}.tar.gz")),
        "{sums}"
    );
    if let Ok(checked) = Command::new("sha256sum")
        .args(["-c", &format!("{name}.tar.gz.sha256")])
        .current_dir(&dist)
        .output()
    {
        assert!(checked.status.success(), "{checked:?}");
    }
}
