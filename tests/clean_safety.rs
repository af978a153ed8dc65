//! `clean` never writes what it cannot honour: lossy documents, colliding or
//! unrecordable names, inputs that cannot be read twice, a second writer,
//! the leftovers of a killed run; and its manifest does not depend on the
//! machine.

mod util;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use util::{doppel_in, Run};

/// A paragraph of `sentences` distinct sentences, seeded by `seed`.
fn prose(seed: usize, sentences: usize) -> String {
    let words = [
        "river", "stone", "market", "lantern", "orchard", "harbour", "signal", "meadow", "copper",
        "winter", "garden", "bridge", "thunder", "valley", "candle", "forest",
    ];
    (0..sentences)
        .map(|i| {
            let n = seed * 7919 + i * 104_729;
            let sentence: Vec<&str> = (0..9).map(|k| words[(n >> k) % words.len()]).collect();
            format!("Sentence {i} of part {seed}: {}.", sentence.join(" "))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn manifest(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("manifest.jsonl"))
        .expect("a manifest")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

fn documents(out: &Path) -> Vec<Value> {
    manifest(out)
        .into_iter()
        .filter(|line| line["type"] == "document")
        .collect()
}

/// Names of everything under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path.clone());
            }
            let relative = path.strip_prefix(dir).expect("inside").to_owned();
            names.push(relative.to_string_lossy().into_owned());
        }
    }
    names.sort();
    names
}

fn clean(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["clean"];
    all.extend_from_slice(args);
    doppel_in(dir, &all, None)
}

// 1. Documents that would not restore exactly.

#[test]
fn a_lossy_encoding_is_refused_and_the_other_inputs_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let text = prose(1, 400);
    std::fs::write(dir.path().join("page.txt"), &text).unwrap();
    let run = clean(
        dir.path(),
        &["page.txt", "--encoding", "replacement", "-o", "out"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("page.txt: would not restore byte for byte"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--allow-lossy"), "{}", run.stderr);
    assert!(!dir.path().join("out/page.txt").exists());
    assert!(documents(&dir.path().join("out")).is_empty());

    // hz-gb-2312 is a label of the replacement encoding too.
    let run = clean(
        dir.path(),
        &["page.txt", "--encoding", "hz-gb-2312", "-o", "out2"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!dir.path().join("out2/page.txt").exists());
}

#[test]
fn allow_lossy_writes_the_decoded_text_knowingly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("page.txt"), prose(2, 50)).unwrap();
    let run = clean(
        dir.path(),
        &[
            "page.txt",
            "--encoding",
            "replacement",
            "--allow-lossy",
            "-o",
            "out",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs = documents(&dir.path().join("out"));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["lossless"], false);
    assert!(dir.path().join("out/page.txt").exists());
}

#[test]
fn a_lossy_document_is_never_kept_in_place_of_a_good_copy() {
    let dir = tempfile::tempdir().unwrap();
    let text = prose(3, 60);
    // a.txt comes first and would be kept with --keep first; one byte that
    // is not UTF-8 makes its forced decoding lossy.
    let mut lossy = text.clone().into_bytes();
    lossy.extend(b" \xff tail.");
    std::fs::write(dir.path().join("a.txt"), lossy).unwrap();
    std::fs::write(dir.path().join("b.txt"), format!("{text} ? tail.")).unwrap();
    let run = clean(
        dir.path(),
        &[
            "a.txt",
            "b.txt",
            "--encoding",
            "utf-8",
            "--keep",
            "first",
            // The prose is drawn from 16 words, so its sentences share most
            // of their character 5-grams: word shingles keep them distinct.
            "--shingle",
            "words:3",
            "-o",
            "out",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("a.txt: would not restore"),
        "{}",
        run.stderr
    );
    let docs = documents(&dir.path().join("out"));
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0]["path"], "b.txt");
    assert_eq!(docs[0]["doc"], 0);
    assert_eq!(docs[0]["written"], true);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/b.txt")).unwrap(),
        format!("{text} ? tail.")
    );
}

#[test]
fn a_legacy_text_that_does_not_encode_back_is_never_kept_in_place_of_a_good_copy() {
    let dir = tempfile::tempdir().unwrap();
    // A Hong Kong character (0x88 0x40) decodes from Big5 but is not
    // written back by the Big5 encoder.
    let big5 = std::fs::read(util::corpus("big5_sample.txt")).unwrap();
    let at = big5.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut lossy = big5[..at].to_vec();
    lossy.extend(b"\x88\x40");
    lossy.extend(&big5[at..]);
    std::fs::write(dir.path().join("a.txt"), lossy).unwrap();
    let run = clean(dir.path(), &["a.txt", "--allow-lossy", "-o", "decoded"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        documents(&dir.path().join("decoded"))[0]["encoding"],
        "Big5"
    );
    std::fs::copy(dir.path().join("decoded/a.txt"), dir.path().join("b.txt")).unwrap();
    let run = clean(
        dir.path(),
        &["a.txt", "b.txt", "--keep", "first", "-o", "out"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("a.txt: would not restore byte for byte (its text written back as Big5"),
        "{}",
        run.stderr
    );
    let docs = documents(&dir.path().join("out"));
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(
        (docs[0]["path"].as_str(), docs[0]["written"].as_bool()),
        (Some("b.txt"), Some(true))
    );
}

#[test]
fn a_record_that_would_not_be_written_back_exactly_is_refused_and_its_copy_kept_whole() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{} See http://example.com/page.", prose(14, 8));
    let escaped = serde_json::to_string(&text).unwrap().replace('/', "\\/");
    let plain = serde_json::json!({"id": "b", "text": text}).to_string();
    let other = serde_json::json!({"id": "c", "text": prose(15, 8)}).to_string();
    let lines = format!("{{\"id\":\"a\",\"text\":{escaped}}}\n{plain}\n{other}\n");
    std::fs::write(dir.path().join("r.jsonl"), &lines).unwrap();
    let run = clean(dir.path(), &["r.jsonl", "--keep", "first", "-o", "out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("r.jsonl:1: would not restore byte for byte"),
        "{}",
        run.stderr
    );
    let out = dir.path().join("out");
    let docs = documents(&out);
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert_eq!(
        (docs[0]["line"].as_u64(), docs[0]["written"].as_bool()),
        (Some(2), Some(false))
    );
    assert_eq!(
        (docs[1]["line"].as_u64(), docs[1]["doc"].as_u64()),
        (Some(3), Some(1))
    );
    // The removed copy's twin was refused: its whole text is in the manifest.
    let removal = manifest(&out)
        .into_iter()
        .find(|line| line["type"] == "removal")
        .expect("a removal");
    assert_eq!(removal["doc"], 0);
    assert_eq!(removal["text"], text.as_str());
    assert!(removal.get("twin").is_none_or(Value::is_null), "{removal}");
    assert_eq!(
        std::fs::read_to_string(out.join("r.jsonl")).unwrap(),
        format!("{other}\n")
    );
}

// 2. Output names.

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_are_refused_not_merged() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join(OsStr::from_bytes(b"a\xff.txt")), prose(4, 5)).unwrap();
    std::fs::write(input.join(OsStr::from_bytes(b"a\xfe.txt")), prose(5, 5)).unwrap();
    std::fs::write(input.join("good.txt"), prose(6, 5)).unwrap();
    let run = clean(dir.path(), &["in", "-o", "out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("is not valid UTF-8").count(),
        2,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(r"a\xFF.txt"), "{}", run.stderr);
    assert!(run.stderr.contains(r"a\xFE.txt"), "{}", run.stderr);
    let docs = documents(&dir.path().join("out"));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["output"], "in/good.txt");
    assert_eq!(
        tree(&dir.path().join("out")),
        ["in", "in/good.txt", "manifest.jsonl"]
    );
}

#[cfg(unix)]
#[test]
fn a_name_with_a_newline_is_written_and_recorded_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("two\nlines.txt"), prose(7, 5)).unwrap();
    let run = clean(dir.path(), &["in", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs = documents(&dir.path().join("out"));
    assert_eq!(docs[0]["output"], "in/two\nlines.txt");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/in/two\nlines.txt")).unwrap(),
        prose(7, 5)
    );
}

#[test]
fn two_inputs_on_one_output_name_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for parent in ["p", "q"] {
        std::fs::create_dir_all(dir.path().join(parent).join("docs")).unwrap();
        std::fs::write(dir.path().join(parent).join("docs/x.txt"), prose(8, 3)).unwrap();
    }
    let run = clean(dir.path(), &["p/docs", "q/docs", "-o", "out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("would both be written to"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("out").exists());
}

// 3. Locking.

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), prose(9, 5)).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mut lock = File::create(out.join(".doppel.lock")).unwrap();
    write!(lock, "4242").unwrap();
    fs4::fs_std::FileExt::lock_exclusive(&lock).unwrap();
    let run = clean(dir.path(), &["a.txt", "-o", "out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("is being written by another doppel run (pid 4242)"),
        "{}",
        run.stderr
    );
    assert_eq!(tree(&out), [".doppel.lock"]);
    drop(lock);
}

#[test]
fn a_finished_run_leaves_no_lock_and_its_folder_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), prose(10, 5)).unwrap();
    let run = clean(dir.path(), &["a.txt", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(tree(&dir.path().join("out")), ["a.txt", "manifest.jsonl"]);
    let again = clean(dir.path(), &["a.txt", "-o", "out"]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("it holds a finished clean run"),
        "{}",
        again.stderr
    );
}

#[test]
fn concurrent_runs_into_one_folder_never_both_write_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for i in 0..60 {
        std::fs::write(input.join(format!("d{i}.txt")), prose(i % 20, 40)).unwrap();
    }
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_doppel"))
            .args(["clean", "in", "-o", "out"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let codes = [a.status.code(), b.status.code()];
    assert!(codes.contains(&Some(0)), "{codes:?}");
    assert!(codes.contains(&Some(2)), "{codes:?}");
    let refused = if a.status.success() { &b } else { &a };
    let message = String::from_utf8_lossy(&refused.stderr);
    // Refused as busy, or, once the first run is done, as finished (or, in
    // the instant between the lock file's removal and the manifest's
    // rename, as an unfinished run).
    assert!(
        message.contains("being written by another doppel run")
            || message.contains("holds a finished clean run")
            || message.contains("holds the leftovers of an interrupted doppel run"),
        "{message}"
    );
    assert_eq!(documents(&dir.path().join("out")).len(), 60);
}

// 4. Leftovers of a killed run.

fn refusal_with(leftover: &str) -> (Run, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), prose(11, 5)).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("sub")).unwrap();
    std::fs::write(out.join(leftover), "12345").unwrap();
    let run = clean(dir.path(), &["a.txt", "-o", "out"]);
    (run, out, dir)
}

#[test]
fn a_temporary_file_of_a_killed_run_is_named() {
    let (run, _, _dir) = refusal_with("sub/.page.txt.doppel-12345.tmp");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("holds the leftovers of an interrupted doppel run"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(".page.txt.doppel-12345.tmp"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("remove"), "{}", run.stderr);
}

#[test]
fn a_temporary_manifest_of_a_killed_run_is_named() {
    let (run, _, _dir) = refusal_with(".manifest.jsonl.doppel-77.tmp");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(".manifest.jsonl.doppel-77.tmp"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_lock_file_of_a_dead_run_is_named() {
    let (run, out, _dir) = refusal_with(".doppel.lock");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("holds the leftovers of an interrupted doppel run"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(".doppel.lock"), "{}", run.stderr);
    // The refusal leaves the folder as it was.
    assert!(out.join(".doppel.lock").exists());
}

#[test]
fn a_folder_without_a_manifest_is_called_unfinished() {
    let (run, _, _dir) = refusal_with("sub/page.txt");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("holds no manifest.jsonl"),
        "{}",
        run.stderr
    );
}

// 5. Inputs that cannot be read twice.

/// Runs `script` with bash (`$DOPPEL` is the binary), failing if it takes
/// more than 20 seconds.
#[cfg(unix)]
fn clean_within(dir: &Path, script: &str) -> (i32, String) {
    let mut child = Command::new("bash")
        .args(["-c", script])
        .env("DOPPEL", env!("CARGO_BIN_EXE_doppel"))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status.code().unwrap_or(-1), stderr);
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("clean hangs: {script}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_without_a_writer_is_reported_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.txt"), prose(12, 5)).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.path().join("pipe"))
        .status()
        .unwrap();
    assert!(made.success());
    let (code, stderr) = clean_within(dir.path(), "\"$DOPPEL\" clean pipe good.txt -o out");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("pipe: FIFO with no writer"), "{stderr}");
    assert_eq!(
        tree(&dir.path().join("out")),
        ["good.txt", "manifest.jsonl"]
    );
}

#[cfg(unix)]
#[test]
fn process_substitution_is_read_once_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let text = prose(13, 5);
    std::fs::write(dir.path().join("good.txt"), &text).unwrap();
    let (code, stderr) = clean_within(dir.path(), "\"$DOPPEL\" clean <(cat good.txt) -o out");
    assert_eq!(code, 0, "{stderr}");
    let written = tree(&dir.path().join("out"));
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(
        written.contains(&"manifest.jsonl".to_owned()),
        "{written:?}"
    );
    let (code, stderr) = clean_within(dir.path(), "\"$DOPPEL\" restore out -o back");
    assert_eq!(code, 0, "{stderr}");
    let name = written.iter().find(|n| *n != "manifest.jsonl").unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("back").join(name)).unwrap(),
        text
    );
    // Standard input works too.
    let (code, stderr) = clean_within(dir.path(), "cat good.txt | \"$DOPPEL\" clean - -o out2");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        tree(&dir.path().join("out2")),
        ["manifest.jsonl", "stdin.txt"]
    );
}

#[cfg(unix)]
#[test]
fn a_character_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = clean_within(dir.path(), "\"$DOPPEL\" clean /dev/null -o out");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("/dev/null: not a regular file"), "{stderr}");
}

// 8. The manifest depends on the inputs alone.

#[test]
fn manifests_are_identical_run_to_run_and_thread_to_thread() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for i in 0..12 {
        // Near-duplicate documents: the same parts, one sentence changed.
        let base = prose(i % 3, 300);
        let text = base.replacen("Sentence 7 ", &format!("Phrase {i} "), 1);
        std::fs::write(input.join(format!("d{i:02}.txt")), text).unwrap();
    }
    let mut manifests = Vec::new();
    for (out, threads) in [("o1", "1"), ("o2", "4"), ("o3", "1")] {
        let run = clean(dir.path(), &["in", "--threads", threads, "-o", out]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        manifests.push(std::fs::read(dir.path().join(out).join("manifest.jsonl")).unwrap());
    }
    let removed = documents(&dir.path().join("o1"))
        .iter()
        .filter(|d| d["written"] == false)
        .count();
    assert!(removed >= 6, "{removed}");
    assert!(manifests[0] == manifests[1], "--threads 1 and 4 differ");
    assert!(manifests[0] == manifests[2], "two runs differ");
}
