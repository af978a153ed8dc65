//! End-to-end tests of `doppel diff` under git, in a scratch repository
//! each test makes: as `GIT_EXTERNAL_DIFF` (changed, added, removed,
//! renamed, binary and unmerged paths), as `git difftool -x`, and the word
//! format beside `git diff --word-diff`. Then the pager: run on a terminal
//! only, never under git, off with `--no-pager`.
//!
//! Each test that needs git (or `script`, for a terminal) says so and
//! passes without checking anything when it is not installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The binary, quoted for the shell that git runs an external diff with.
fn doppel_for_shell() -> String {
    format!("'{}'", env!("CARGO_BIN_EXE_doppel").replace('\'', r"'\''"))
}

/// Whether `program` runs here; prints a note when it does not.
fn installed(program: &str, version_flag: &str) -> bool {
    let found = Command::new(program)
        .arg(version_flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("{program} is not installed: skipping this test");
    }
    found
}

/// A scratch git repository, isolated from the user's configuration.
struct Repo {
    dir: TempDir,
}

impl Repo {
    fn new() -> Option<Repo> {
        if !installed("git", "--version") {
            return None;
        }
        let repo = Repo {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        repo.git_ok(&["init", "-q"]);
        Some(repo)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    /// `git ARGS` in the repository with `env`, no user configuration,
    /// no pager of git's.
    fn git_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new("git");
        command
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "core.autocrlf=false", "-c", "diff.renames=true"])
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_PAGER", "cat")
            .env_remove("GIT_EXTERNAL_DIFF")
            .env_remove("GIT_DIFF_PATH_TOTAL")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().expect("run git")
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let out = self.git_env(args, &[]);
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// `git diff ARGS` with doppel as the external diff, given `flags`.
    fn external_diff(&self, flags: &str, args: &[&str]) -> Output {
        let program = format!("{} diff {flags}", doppel_for_shell());
        self.git_env(
            &[&["diff"][..], args].concat(),
            &[("GIT_EXTERNAL_DIFF", &program)],
        )
    }
}

/// A repository with one commit, then a changed, an added, a removed and
/// a renamed (and edited) file staged.
fn repo_with_every_kind_of_change() -> Option<Repo> {
    let repo = Repo::new()?;
    let long: String = (1..=12)
        .map(|i| format!("line {i} of a file that will be renamed\n"))
        .collect();
    repo.write("changed.txt", "one\ntwo\nthree\n");
    repo.write("removed.txt", "going away\n");
    repo.write("old-name.txt", &long);
    repo.git_ok(&["add", "."]);
    repo.git_ok(&["commit", "-q", "-m", "first"]);
    repo.write("changed.txt", "one\n2\nthree\n");
    repo.write("added.txt", "a new file\n");
    std::fs::remove_file(repo.path().join("removed.txt")).expect("rm");
    std::fs::remove_file(repo.path().join("old-name.txt")).expect("rm");
    repo.write("new-name.txt", long.replace("line 5 ", "line five "));
    repo.git_ok(&["add", "-A"]);
    Some(repo)
}

#[test]
fn as_gits_external_diff_every_kind_of_change_is_shown_under_its_path() {
    let Some(repo) = repo_with_every_kind_of_change() else {
        return;
    };
    let out = repo.external_diff("--format unified", &["--cached"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let diff = text(&out.stdout);
    for expected in [
        "--- a/changed.txt\n+++ b/changed.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n",
        "--- /dev/null\n+++ b/added.txt\n@@ -0,0 +1 @@\n+a new file\n",
        "--- a/removed.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-going away\n",
        "# renamed a/old-name.txt => b/new-name.txt (",
        "-line 5 of a file that will be renamed\n+line five of a file that will be renamed\n",
    ] {
        assert!(diff.contains(expected), "{expected:?} not in\n{diff}");
    }
    // No temporary file name of git's leaks into the output.
    assert!(
        !diff.contains("/tmp/") && !diff.contains("git-blob"),
        "{diff}"
    );
}

#[test]
fn the_unified_output_under_git_is_a_patch_git_applies() {
    let Some(repo) = repo_with_every_kind_of_change() else {
        return;
    };
    // Renames aside (a unified diff cannot say them), the patch rebuilds
    // the staged files from the commit.
    let out = repo.external_diff(
        "--format unified",
        &["--cached", "--", "changed.txt", "added.txt", "removed.txt"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let patch = repo.write("../doppel.patch", &out.stdout);
    let staged = repo.git_ok(&["write-tree"]);
    repo.git_ok(&["reset", "-q", "--hard"]);
    assert!(!repo.path().join("added.txt").exists());
    let patch = patch.display().to_string();
    repo.git_ok(&["apply", "--index", &patch]);
    // Stage the rename by hand, then the trees must agree.
    repo.git_ok(&["checkout", staged.trim(), "--", "new-name.txt"]);
    repo.git_ok(&["rm", "-q", "old-name.txt"]);
    assert_eq!(repo.git_ok(&["write-tree"]), staged);
}

#[test]
fn under_git_differences_exit_0_and_a_pipe_gets_plain_unified_output() {
    let Some(repo) = repo_with_every_kind_of_change() else {
        return;
    };
    let out = repo.external_diff("", &["--cached", "--", "changed.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let diff = text(&out.stdout);
    assert!(diff.starts_with("--- a/changed.txt\n"), "{diff}");
    assert!(!diff.contains('\x1b'), "no colour in a pipe: {diff:?}");
}

#[test]
fn the_word_format_under_git_prints_what_git_word_diff_prints_for_a_rewrapped_paragraph() {
    let Some(repo) = Repo::new() else {
        return;
    };
    repo.write(
        "para.txt",
        "Side effects of the change were small, and the review found\n\
         nothing that the tests had not already caught before the release\n\
         went out.\n",
    );
    repo.git_ok(&["add", "."]);
    repo.git_ok(&["commit", "-q", "-m", "first"]);
    repo.write(
        "para.txt",
        "Side effects of the change were small,\n\
         and the review found nothing that the tests\n\
         had not already caught before the release went out.\n",
    );
    let body = |diff: &str| -> String {
        let at = diff.find("\n@@ ").expect("a hunk");
        diff[at + 1..].to_owned()
    };
    let ours = repo.external_diff("--format word", &[]);
    assert_eq!(ours.status.code(), Some(0), "{}", text(&ours.stderr));
    let git = repo.git_ok(&["diff", "--word-diff"]);
    assert_eq!(body(&text(&ours.stdout)), body(&git));
    for marker in ["[-", "{+"] {
        assert!(
            !text(&ours.stdout).contains(marker),
            "{}",
            text(&ours.stdout)
        );
    }
}

#[test]
fn under_git_a_binary_file_is_noted_as_git_notes_it() {
    let Some(repo) = Repo::new() else {
        return;
    };
    repo.write("blob.bin", b"\x00\x01\x02 binary");
    repo.git_ok(&["add", "."]);
    repo.git_ok(&["commit", "-q", "-m", "first"]);
    repo.write("blob.bin", b"\x00\x01\x03 binary");
    repo.write("new.bin", b"\x00 new");
    repo.git_ok(&["add", "."]);
    let out = repo.external_diff("", &["--cached"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "Binary files a/blob.bin and b/blob.bin differ\n\
         Binary files /dev/null and b/new.bin differ\n"
    );
}

#[test]
fn under_git_an_unmerged_path_is_named_not_compared() {
    let Some(repo) = Repo::new() else {
        return;
    };
    repo.write("f.txt", "base\n");
    repo.git_ok(&["add", "."]);
    repo.git_ok(&["commit", "-q", "-m", "base"]);
    repo.git_ok(&["checkout", "-q", "-b", "side"]);
    repo.write("f.txt", "side\n");
    repo.git_ok(&["commit", "-q", "-am", "side"]);
    repo.git_ok(&["checkout", "-q", "-"]);
    repo.write("f.txt", "main\n");
    repo.git_ok(&["commit", "-q", "-am", "main"]);
    let merge = repo.git_env(&["merge", "-q", "side"], &[]);
    assert!(!merge.status.success(), "a conflict");
    // git hands an unmerged path to the external diff as one argument.
    let out = repo.external_diff("", &["--cached"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "* Unmerged path f.txt\n");
}

#[test]
fn git_difftool_runs_it_on_each_path() {
    let Some(repo) = repo_with_every_kind_of_change() else {
        return;
    };
    let tool = format!("{} diff --format unified", doppel_for_shell());
    let out = repo.git_env(
        &[
            "difftool",
            "-y",
            "-x",
            &tool,
            "--cached",
            "--",
            "changed.txt",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let diff = text(&out.stdout);
    assert!(
        diff.contains("@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"),
        "{diff}"
    );
}

#[test]
fn seven_arguments_work_without_git_too() {
    // The form alone, as a script might call it: an added file.
    let dir = tempfile::tempdir().expect("temp dir");
    let new = dir.path().join("n.txt");
    std::fs::write(&new, "hello\n").expect("write");
    let new = new.display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args([
            "diff",
            "--format",
            "unified",
            "n.txt",
            "/dev/null",
            ".",
            ".",
        ])
        .args([&new, "0123456789abcdef0123456789abcdef01234567", "100644"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+hello\n"
    );
}

#[test]
fn dev_null_is_a_side_that_does_not_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("f.txt");
    std::fs::write(&file, "one\n").expect("write");
    let run = |old: &Path, new: &Path| {
        Command::new(env!("CARGO_BIN_EXE_doppel"))
            .args(["diff", "--format", "unified"])
            .arg(old)
            .arg(new)
            .output()
            .expect("run")
    };
    let added = run(Path::new("/dev/null"), &file);
    assert_eq!(added.status.code(), Some(1), "{}", text(&added.stderr));
    assert!(text(&added.stdout).ends_with("@@ -0,0 +1 @@\n+one\n"));
    let removed = run(&file, Path::new("/dev/null"));
    assert_eq!(removed.status.code(), Some(1), "{}", text(&removed.stderr));
    assert!(text(&removed.stdout).ends_with("@@ -1 +0,0 @@\n-one\n"));
}

#[test]
fn other_argument_counts_are_a_usage_error() {
    for args in [
        &["a"][..],
        &["a", "b", "c"],
        &["1", "2", "3", "4", "5", "6", "7", "8"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_doppel"))
            .arg("diff")
            .args(args)
            .env_remove("GIT_DIFF_PATH_TOTAL")
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("two inputs, OLD and NEW"), "{err}");
        assert!(err.contains(&format!("not {}", args.len())), "{err}");
    }
}

// ---------------------------------------------------------------- pager

/// A pager script that records that it ran and what it read.
struct FakePager {
    dir: TempDir,
}

impl FakePager {
    fn new() -> FakePager {
        let dir = tempfile::tempdir().expect("temp dir");
        let script = dir.path().join("pager.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"LESS=$LESS\" > '{ran}'\ncat > '{read}'\n",
                ran = dir.path().join("ran").display(),
                read = dir.path().join("read").display()
            ),
        )
        .expect("write");
        FakePager { dir }
    }

    fn command(&self) -> String {
        format!("sh '{}'", self.dir.path().join("pager.sh").display())
    }

    /// What the pager saw of `LESS`, if it ran.
    fn ran(&self) -> Option<String> {
        std::fs::read_to_string(self.dir.path().join("ran")).ok()
    }

    fn read(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("read")).unwrap_or_default()
    }
}

/// Two files that differ.
fn pair(dir: &Path) -> (String, String) {
    let old = dir.join("old.txt");
    let new = dir.join("new.txt");
    std::fs::write(&old, "alpha\nbeta\n").expect("write");
    std::fs::write(&new, "alpha\ngamma\n").expect("write");
    (old.display().to_string(), new.display().to_string())
}

#[test]
fn no_pager_runs_when_the_output_is_not_a_terminal() {
    let pager = FakePager::new();
    let (old, new) = pair(pager.dir.path());
    for var in ["PAGER", "DOPPEL_PAGER"] {
        let out = Command::new(env!("CARGO_BIN_EXE_doppel"))
            .args(["diff", &old, &new])
            .env(var, pager.command())
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("-beta\n+gamma\n"));
        assert_eq!(pager.ran(), None, "{var}: the pager ran");
    }
}

/// Runs `doppel diff ARGS` on a pseudo-terminal (with util-linux
/// `script`), with `env`; `None` when `script` is not there.
fn on_a_terminal(args: &[&str], env: &[(&str, &str)]) -> Option<Output> {
    if !installed("script", "--version") {
        return None;
    }
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let line = format!("{} diff {}", doppel_for_shell(), quoted.join(" "));
    let mut command = Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::null())
        .env_remove("GIT_PAGER_IN_USE")
        .env_remove("DOPPEL_PAGER")
        .env_remove("PAGER")
        .env_remove("LESS");
    for (key, value) in env {
        command.env(key, value);
    }
    Some(command.output().expect("run script"))
}

#[test]
fn on_a_terminal_the_output_goes_through_the_pager_with_less_options() {
    let pager = FakePager::new();
    let (old, new) = pair(pager.dir.path());
    let Some(out) = on_a_terminal(&[&old, &new], &[("PAGER", &pager.command())]) else {
        return;
    };
    assert_eq!(
        pager.ran().as_deref(),
        Some("LESS=FRX\n"),
        "{}",
        text(&out.stdout)
    );
    // The pager read the diff, in colour (it is for a terminal).
    let read = pager.read();
    assert!(read.contains("gamma") && read.contains("\x1b["), "{read:?}");
    assert!(
        !text(&out.stdout).contains("gamma"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn doppel_pager_wins_over_pager_and_less_keeps_its_options() {
    let pager = FakePager::new();
    let (old, new) = pair(pager.dir.path());
    let env = [
        ("PAGER", "false"),
        ("DOPPEL_PAGER", &pager.command()),
        ("LESS", "S"),
    ];
    if on_a_terminal(&[&old, &new], &env).is_none() {
        return;
    }
    assert_eq!(pager.ran().as_deref(), Some("LESS=S\n"));
}

#[test]
fn no_pager_flag_an_empty_pager_and_git_each_turn_paging_off() {
    let pager = FakePager::new();
    let (old, new) = pair(pager.dir.path());
    let command = pager.command();
    for (args, env) in [
        (
            vec!["--no-pager", &old, &new],
            vec![("PAGER", command.as_str())],
        ),
        (
            vec![&old, &new],
            vec![("PAGER", command.as_str()), ("DOPPEL_PAGER", "")],
        ),
        (vec![&old, &new], vec![("PAGER", "cat")]),
        // git's pager already has the output.
        (
            vec![&old, &new],
            vec![("PAGER", command.as_str()), ("GIT_PAGER_IN_USE", "true")],
        ),
        // git's external diff form.
        (
            vec!["f", &old, ".", "100644", &new, ".", "100644"],
            vec![("PAGER", command.as_str())],
        ),
    ] {
        let Some(out) = on_a_terminal(&args, &env) else {
            return;
        };
        assert_eq!(pager.ran(), None, "{args:?} {env:?}");
        assert!(text(&out.stdout).contains("gamma"), "{args:?} {env:?}");
    }
}

#[test]
fn in_gits_pager_the_output_is_coloured_to_gits_width() {
    // git starts its pager, then runs the external diff with its output
    // going to the pager: doppel colours it and takes git's COLUMNS.
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = pair(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["diff", "--format", "side-by-side", &old, &new])
        .env("GIT_PAGER_IN_USE", "true")
        .env("COLUMNS", "50")
        .env_remove("NO_COLOR")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout);
    assert!(shown.contains("\x1b["), "{shown:?}");
    let plain = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args([
            "diff",
            "--format",
            "side-by-side",
            "--color",
            "never",
            &old,
            &new,
        ])
        .env("GIT_PAGER_IN_USE", "true")
        .env("COLUMNS", "50")
        .output()
        .expect("run");
    for row in text(&plain.stdout).lines().filter(|l| l.contains("gamma")) {
        assert_eq!(row.chars().count(), 50, "{row:?}");
    }
}

#[test]
fn a_pager_that_quits_early_ends_the_run_quietly() {
    // As when the reader presses `q` in `less` before the end: the rest of
    // the output has nowhere to go, and that is not trouble.
    let dir = tempfile::tempdir().expect("temp dir");
    let old: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
    let new: String = (0..20_000).map(|i| format!("line {}\n", i * 3)).collect();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    std::fs::write(&a, old).expect("write");
    std::fs::write(&b, new).expect("write");
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let Some(out) = on_a_terminal(&[&a, &b], &[("PAGER", "head -c 10 >/dev/null")]) else {
        return;
    };
    let shown = text(&out.stdout);
    assert!(
        !shown.contains("doppel:") && !shown.contains("panicked"),
        "{shown}"
    );
    assert_eq!(out.status.code(), Some(0), "{shown}");
}
