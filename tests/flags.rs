//! Every flag's value is checked where it is parsed: a bad value is a usage
//! error (exit 2, one line naming the flag), never a panic or a run with a
//! silently different setting. Also: extreme values that are valid run to
//! the end, `diff` inputs that used to panic, and what happens when
//! standard output is closed or its reader goes away.

mod util;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use tempfile::TempDir;
use util::{corpus, doppel, doppel_in, Run};

/// Two small files that differ, for `diff` rows.
struct Pair {
    dir: TempDir,
}

impl Pair {
    fn new(old: &str, new: &str) -> Pair {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("old.txt"), old).expect("write old");
        std::fs::write(dir.path().join("new.txt"), new).expect("write new");
        Pair { dir }
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `doppel diff [args] old.txt new.txt`, run in the pair's folder.
    fn diff(&self, args: &[&str]) -> Run {
        let mut all = vec!["diff"];
        all.extend_from_slice(args);
        all.extend(["old.txt", "new.txt"]);
        doppel_in(self.dir(), &all, None)
    }
}

fn assert_no_panic(run: &Run, what: &str) {
    assert!(
        !run.stderr.contains("panicked") && run.code != 101,
        "{what}: panicked (exit {}):\n{}",
        run.code,
        run.stderr
    );
}

/// A usage error: exit 2, nothing on stdout, and a first line of stderr
/// that names the flag (clap adds a hint after it).
fn assert_usage_error(run: &Run, flag: &str, what: &str) {
    assert_no_panic(run, what);
    assert_eq!(run.code, 2, "{what}: exit status\n{}", run.stderr);
    assert_eq!(run.stdout, "", "{what}: nothing is reported");
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: ") && first.contains(flag),
        "{what}: the first line should name {flag}: {first:?}"
    );
}

// ------------------------------------------------------------ bad values

/// `(flag, bad value)`; each row is given as `--flag=value` so that values
/// starting with `-` are values, not flags.
const SHARED_BAD: &[(&str, &str)] = &[
    ("--threads", "0"),
    ("--threads", "257"),
    ("--threads", "10000"),
    ("--threads", "-1"),
    ("--threads", "1.5"),
    ("--threads", "99999999999999999999999"),
    ("--threshold", "0"),
    ("--threshold", "1.5"),
    ("--threshold", "-0.5"),
    ("--threshold", "NaN"),
    ("--threshold", "inf"),
    ("--threshold", "-inf"),
    ("--threshold", "1e309"),
    ("--min-units", "0"),
    ("--min-units", "-1"),
    ("--min-units", "99999999999999999999999"),
    ("--min-units", "ten"),
    ("--encoding", "no-such-encoding"),
];

const DIFF_BAD: &[(&str, &str)] = &[
    ("--deadline", "1e20"),
    ("--deadline", "1e300"),
    ("--deadline", "inf"),
    ("--deadline", "NaN"),
    ("--deadline", "-1"),
    ("--deadline", "-0.001"),
    ("--deadline", "soon"),
    ("--move-similarity", "NaN"),
    ("--move-similarity", "2"),
    ("--move-similarity", "-0.1"),
    ("--move-similarity", "inf"),
    ("--rename-similarity", "NaN"),
    ("--rename-similarity", "1.01"),
    ("--rename-similarity", "-1"),
    ("--min-move-letters", "0"),
    ("--min-move-letters", "-5"),
    ("--width", "0"),
    ("--width", "19"),
    ("--width", "10001"),
    ("--width", "140000"),
    ("--width", "-80"),
    ("--unified", "-1"),
    ("--unified", "many"),
    ("--encoding", "no-such-encoding"),
];

const CHECK_BAD: &[(&str, &str)] = &[
    ("--threads", "0"),
    ("--threads", "10000"),
    ("--threshold", "NaN"),
    ("--threshold", "0"),
    ("--max-file-ratio", "2"),
    ("--max-file-ratio", "NaN"),
    ("--max-total-ratio", "-0.5"),
    ("--min-size", "-1"),
    ("--min-segments", "-1"),
];

#[test]
fn bad_values_of_scan_flags_are_usage_errors() {
    for (flag, value) in SHARED_BAD {
        let arg = format!("{flag}={value}");
        let corpus = corpus("triple_block.txt");
        let path = corpus.to_str().expect("UTF-8 path");
        let run = doppel(&["scan", &arg, path]);
        assert_usage_error(&run, flag, &format!("scan {arg}"));
    }
}

#[test]
fn bad_values_of_clean_flags_are_usage_errors_and_write_nothing() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("cleaned");
    for (flag, value) in SHARED_BAD {
        let arg = format!("{flag}={value}");
        let corpus = corpus("triple_block.txt");
        let run = doppel(&[
            "clean",
            &arg,
            corpus.to_str().expect("UTF-8 path"),
            "-o",
            target.to_str().expect("UTF-8 path"),
        ]);
        assert_usage_error(&run, flag, &format!("clean {arg}"));
        assert!(!target.exists(), "clean {arg}: nothing is written");
    }
}

#[test]
fn bad_values_of_diff_flags_are_usage_errors() {
    let pair = Pair::new("one\ntwo\n", "one\nthree\n");
    for (flag, value) in DIFF_BAD {
        let arg = format!("{flag}={value}");
        let run = pair.diff(&[&arg]);
        assert_usage_error(&run, flag, &format!("diff {arg}"));
    }
}

#[test]
fn bad_values_of_check_flags_are_usage_errors() {
    let corpus = corpus("triple_block.txt");
    for (flag, value) in CHECK_BAD.iter().chain(&SHARED_BAD[..6]) {
        let arg = format!("{flag}={value}");
        let run = doppel(&["check", &arg, corpus.to_str().expect("UTF-8 path")]);
        assert_usage_error(&run, flag, &format!("check {arg}"));
    }
}

#[test]
fn help_states_the_accepted_ranges() {
    // A fixed width, so that no range is wrapped across two lines.
    let help = |command: &str| {
        let columns = [("COLUMNS", "100")];
        util::doppel_env(&util::root(), &[command, "--help"], None, &columns)
    };
    let scan = help("scan");
    assert_eq!(scan.code, 0);
    for range in ["1 to 256", "in (0, 1]", "at least 1"] {
        assert!(scan.stdout.contains(range), "scan --help: {range}");
    }
    let diff = help("diff");
    for range in ["0 or more", "in [0, 1]", "20 to 10000"] {
        assert!(diff.stdout.contains(range), "diff --help: {range}");
    }
}

// ------------------------------------------------ extreme but valid values

#[test]
fn extreme_valid_diff_values_run_to_the_end() {
    let pair = Pair::new("one\ntwo\n", "one\nthree\n");
    let rows: &[&[&str]] = &[
        &["--deadline", "1e-9"],
        &["--deadline", "0"],
        &["--unified", "18446744073709551615"],
        &["--format", "side-by-side", "--width", "10000"],
        &["--format", "side-by-side", "--width", "20"],
        &["--move-similarity", "0", "--rename-similarity", "1"],
        &["--min-move-letters", "18446744073709551615"],
    ];
    for args in rows {
        let run = pair.diff(args);
        assert_no_panic(&run, &args.join(" "));
        assert_eq!(run.code, 1, "{}: {}", args.join(" "), run.stderr);
        assert!(run.stdout.contains("three"), "{}", args.join(" "));
    }
}

#[test]
fn extreme_valid_scan_values_run_to_the_end() {
    let path = corpus("triple_block.txt");
    let path = path.to_str().expect("UTF-8 path");
    for args in [
        ["--threads", "256"],
        ["--min-units", "18446744073709551615"],
        ["--threshold", "1"],
    ] {
        let run = doppel(&["scan", "--format", "json", args[0], args[1], path]);
        assert_no_panic(&run, &args.join(" "));
        assert_eq!(run.code, 0, "{}: {}", args.join(" "), run.stderr);
        assert_eq!(run.summary()["documents"], 1);
    }
    let huge = doppel(&[
        "scan",
        "--format",
        "json",
        "--min-units=18446744073709551615",
        path,
    ]);
    assert_eq!(huge.only_document()["blocks"], serde_json::json!([]));
}

// ------------------------------------------------------- diff regressions

/// The input that made the word printer slice backwards: one line of a
/// sentence repeated, its start changed and an empty line added after it.
fn repeated_sentence_pair() -> Pair {
    let sentence = "The committee met again on Tuesday to discuss the budget for next year.";
    let line = format!("{}\n", vec![sentence; 20].join(" "));
    Pair::new(
        &format!("Alpha beta. {line}"),
        &format!("Gamma delta epsilon zeta. {line}\n"),
    )
}

#[test]
fn a_line_break_added_after_a_changed_paragraph_diffs_in_every_format() {
    let pair = repeated_sentence_pair();
    for format in ["unified", "color", "word", "side-by-side", "stat", "json"] {
        for by in ["auto", "line", "word", "char"] {
            let run = pair.diff(&["--format", format, "--by", by]);
            let what = format!("--format {format} --by {by}");
            assert_no_panic(&run, &what);
            assert_eq!(run.code, 1, "{what}: {}", run.stderr);
        }
    }
    let word = pair.diff(&["--format", "word"]);
    assert!(
        word.stdout
            .contains("[-Alpha beta. -]{+Gamma delta epsilon zeta. +}The committee"),
        "{}",
        word.stdout
    );
    // The added line break is whitespace alone: written as it is, unmarked,
    // as `git diff --word-diff` writes it.
    assert!(word.stdout.ends_with("next year.\n\n"), "{}", word.stdout);
    assert!(!word.stdout.contains("{+\n+}"), "{}", word.stdout);
}

#[test]
fn inline_changes_of_the_json_diff_are_in_text_order() {
    let pair = repeated_sentence_pair();
    let run = pair.diff(&["--format", "json"]);
    let ops: Vec<serde_json::Value> = run
        .json()
        .into_iter()
        .filter(|v| v["type"] == "op")
        .collect();
    let inline = ops[0]["inline"].as_array().expect("inline changes");
    let starts: Vec<u64> = inline
        .iter()
        .map(|c| c["old"]["bytes"][0].as_u64().unwrap_or(u64::MAX))
        .collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
    let old_len = std::fs::metadata(pair.dir().join("old.txt"))
        .expect("old")
        .len();
    assert_eq!(inline.last().expect("a change")["old"]["bytes"][0], old_len);
}

// ------------------------------------------------------ standard output

/// Runs the binary through `sh` with its standard output redirected as
/// `redirect` says (`>&-` closes it).
fn through_shell(args: &str, redirect: &str) -> Run {
    let binary = env!("CARGO_BIN_EXE_doppel");
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("exec \"$0\" {args} {redirect}"))
        .arg(binary)
        .current_dir(util::root())
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("sh runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_closed_standard_output_is_an_error_not_a_lost_report() {
    let run = through_shell("scan corpus", ">&-");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "doppel: standard output is closed: the report cannot be written\n"
    );
    let diff = through_shell(
        "diff corpus/triple_block.txt corpus/clean_no_duplicates.txt",
        ">&-",
    );
    assert_eq!(diff.code, 2, "{}", diff.stderr);
}

#[test]
fn standard_output_sent_to_dev_null_is_not_closed() {
    let run = through_shell("scan corpus", ">/dev/null");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
}

/// A folder of `n` small documents, each reported on its own JSON line.
fn many_documents(n: usize) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..n {
        let text = format!("Document number {i} says something of its own, at some length.\n");
        std::fs::write(dir.path().join(format!("doc{i:05}.txt")), text).expect("write");
    }
    dir
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    let dir = many_documents(3000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["scan", "--format", "json", "--find", "blocks"])
        .arg(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("doppel runs");
    let stdout = child.stdout.take().expect("stdout pipe");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("first line");
    assert!(first.starts_with("{\"type\":\"begin\""), "{first}");
    // The pipe's read end is closed here, long before the report's end.
    let output = child.wait_with_output().expect("doppel finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "", "a broken pipe is not reported");
}

#[test]
fn a_deadline_the_clock_cannot_reach_is_an_error_naming_it() {
    // 1e19 seconds fits a time budget but not the clock: refused when the
    // options are checked, not run as if there were no deadline (and, as
    // once, not a panic on `Instant::now() + deadline`).
    let pair = Pair::new("one\ntwo\n", "one\nthree\n");
    let run = pair.diff(&["--deadline=1e19"]);
    assert_no_panic(&run, "diff --deadline=1e19");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("deadline: 10000000000000000000 seconds ends past what the clock can count"),
        "{}",
        run.stderr
    );
    assert_eq!(
        pair.diff(&["--deadline=3600"]).code,
        1,
        "a reachable budget runs"
    );
}
