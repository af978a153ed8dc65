//! End-to-end tests of `doppel completions SHELL` and `doppel man`: the
//! scripts and pages name every subcommand and its flags, the bash script
//! is valid bash, and the manual renders with `man`.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Every subcommand a user can type.
const SUBCOMMANDS: [&str; 10] = [
    "scan",
    "clean",
    "restore",
    "diff",
    "check",
    "sign",
    "cluster",
    "index",
    "completions",
    "man",
];

fn doppel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run doppel")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// The script for `shell`, checked to be a successful run.
fn script(shell: &str) -> String {
    let out = doppel(&["completions", shell]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// Whether `program` runs here; prints a note when it does not.
fn installed(program: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        eprintln!("{program} is not installed: skipping its check");
    }
    found
}

#[test]
fn bash_zsh_and_fish_scripts_name_every_subcommand_and_their_flags() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = script(shell);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: no `{sub}` in\n{script}");
        }
        // Flags of several subcommands, long and short.
        for flag in ["threshold", "format", "unified", "output-dir", "dry-run"] {
            assert!(script.contains(flag), "{shell}: no `{flag}`");
        }
    }
    // The shells' own spellings of a flag and its values.
    assert!(script("bash").contains("--threshold"));
    assert!(script("zsh").contains("'--threshold=["));
    assert!(script("fish").contains("-l threshold"));
    assert!(script("fish").contains("side-by-side"));
}

#[test]
fn the_bash_script_is_valid_bash_and_completes_subcommands() {
    if !installed("bash") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("doppel.bash");
    std::fs::write(&path, script("bash")).expect("write");
    let check = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash -n");
    assert!(check.status.success(), "{}", text(&check.stderr));

    // Loaded into bash, the completion function offers the subcommands
    // for `doppel d<TAB>` and the flags for `doppel diff --for<TAB>`.
    let complete = |words: &str, current: usize| -> String {
        let program = format!(
            "source {path}\n\
             COMP_WORDS=({words}); COMP_CWORD={current}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}\n\
             _doppel doppel \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path = path.display()
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(program)
            .output()
            .expect("bash");
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let subs = complete("doppel d", 1);
    assert_eq!(subs.lines().collect::<Vec<_>>(), ["diff"], "{subs}");
    let flags = complete("doppel diff --for", 2);
    assert_eq!(flags.lines().collect::<Vec<_>>(), ["--format"], "{flags}");
}

#[test]
fn zsh_and_fish_accept_their_scripts_where_installed() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (shell, check) in [("zsh", "-n"), ("fish", "--no-execute")] {
        if !installed(shell) {
            continue;
        }
        let path = dir.path().join(shell);
        std::fs::write(&path, script(shell)).expect("write");
        let out = Command::new(shell)
            .arg(check)
            .arg(&path)
            .output()
            .expect("run shell");
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = doppel(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("tcsh"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn the_manual_has_a_page_per_command_with_its_flags() {
    let out = doppel(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let roff = text(&out.stdout);
    assert!(roff.starts_with(".ie \\n(.g .ds Aq"), "{}", &roff[..80]);
    assert!(roff.contains("\n.TH doppel 1 "), "{roff}");
    for sub in SUBCOMMANDS {
        assert!(
            roff.contains(&format!("\n.TH doppel-{sub} 1 ")),
            "no page for {sub}"
        );
        // The top page lists it among the subcommands.
        assert!(roff.contains(&format!("doppel\\-{sub}(1)")), "{sub}");
    }
    for nested in ["index-create", "index-add", "index-info"] {
        assert!(
            roff.contains(&format!("\n.TH doppel-{nested} 1 ")),
            "{nested}"
        );
    }
    assert!(roff.contains("\\-\\-threshold"), "the flags are documented");
}

#[test]
fn one_commands_page_renders_with_man() {
    let out = doppel(&["man", "diff"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let roff = text(&out.stdout);
    assert_eq!(roff.matches("\n.TH ").count(), 1, "one page: {roff}");
    assert!(roff.contains(".TH doppel-diff 1 "), "{roff}");
    assert!(roff.contains("\\-\\-format"), "{roff}");
    if !installed("man") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("doppel-diff.1");
    std::fs::write(&page, &roff).expect("write");
    let shown = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man -l");
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    assert!(shown.stderr.is_empty(), "{}", text(&shown.stderr));
    let shown = text(&shown.stdout);
    for heading in ["NAME", "SYNOPSIS", "OPTIONS"] {
        assert!(shown.contains(heading), "{shown}");
    }
    assert!(shown.contains("--format"), "{shown}");
}

#[test]
fn the_pages_can_be_written_as_files_for_installing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let into = dir.path().join("man1");
    let out = doppel(&["man", "index", "--output-dir", &into.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let mut names: Vec<String> = std::fs::read_dir(&into)
        .expect("the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "doppel-index-add.1",
            "doppel-index-create.1",
            "doppel-index-info.1",
            "doppel-index.1"
        ]
    );
    let page = std::fs::read_to_string(into.join("doppel-index-add.1")).expect("page");
    assert!(page.contains(".TH doppel-index-add 1 "), "{page}");
    readable_by_all(&into.join("doppel-index.1"));
}

#[cfg(unix)]
fn readable_by_all(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644, "{mode:o}");
}

#[cfg(not(unix))]
fn readable_by_all(_path: &Path) {}

#[test]
fn a_page_for_no_such_command_is_an_error_naming_the_commands() {
    let out = doppel(&["man", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("`nosuch`") && err.contains("diff, check"),
        "{err}"
    );
}
