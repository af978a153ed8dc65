//! Large and empty runs: skipped files named with why, a run that read no
//! document is not a success, the human report of a big corpus is capped
//! (`--max-documents`) or a summary (`--format summary`), and no progress
//! bytes ever reach a stderr that is not a terminal.

mod util;

use std::path::Path;

use util::{doppel_in, Run};

/// A JSON Lines corpus of `records` records; every tenth repeats a
/// paragraph inside itself, more often the later it comes, and every
/// seventh is one of ten texts, so that they make ten clusters.
fn corpus(dir: &Path, records: usize) {
    let mut lines = String::new();
    for n in 0..records {
        let mut text = format!(
            "Record {n} tells its own story about subject {n} in plenty of words of its own."
        );
        if n % 7 == 3 {
            let kind = n % 70;
            text = format!("Shared record of kind {kind}, copied word for word into several records of the corpus.");
        }
        if n % 10 == 0 {
            let block =
                "\n\nA repeated paragraph that is long enough to count as a block of text here.";
            text.push_str(&block.repeat(2 + n / 100));
        }
        lines.push_str(&serde_json::json!({"id": format!("r{n}"), "text": text}).to_string());
        lines.push('\n');
    }
    std::fs::write(dir.join("big.jsonl"), lines).unwrap();
}

/// Lines of the human report that describe one document.
fn document_lines(run: &Run) -> usize {
    run.stdout
        .lines()
        .filter(|line| line.starts_with("big.jsonl:") && line.contains("  UTF-8  "))
        .count()
}

fn binary(dir: &Path, name: &str) {
    std::fs::write(dir.join(name), b"GIF89a\x00\x01\x00binary").unwrap();
}

#[test]
fn a_folder_of_binary_files_only_is_not_a_success_and_names_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("images")).unwrap();
    binary(&dir.path().join("images"), "a.gif");
    binary(&dir.path().join("images"), "b.gif");
    let run = doppel_in(dir.path(), &["scan", "images"], None);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "doppel: nothing was scanned: no input held a document that could be read (2 binary files skipped)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("skipped  2 files\n  images/a.gif (binary)\n  images/b.gif (binary)\n"),
        "{}",
        run.stdout
    );
    let json = doppel_in(dir.path(), &["scan", "--format", "json", "images"], None);
    assert_eq!(json.code, 2);
    let skipped: Vec<(String, String)> = json
        .json()
        .iter()
        .filter(|v| v["type"] == "skipped")
        .map(|v| {
            (
                v["path"].as_str().unwrap_or_default().to_owned(),
                v["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            ("images/a.gif".to_owned(), "binary".to_owned()),
            ("images/b.gif".to_owned(), "binary".to_owned())
        ]
    );
    assert_eq!(json.summary()["skipped"], 2);
}

#[test]
fn clean_check_sign_and_index_of_binary_files_only_are_not_a_success() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("images")).unwrap();
    binary(&dir.path().join("images"), "a.gif");
    let nothing = "doppel: nothing was scanned: no input held a document that could be read (1 binary file skipped)";
    for args in [
        &["clean", "images", "-o", "out"][..],
        &["clean", "--dry-run", "images", "-o", "out2"],
        &["clean", "--annotate", "images", "-o", "out3"],
        &["check", "images"],
    ] {
        let run = doppel_in(dir.path(), args, None);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(nothing), "{args:?}: {}", run.stderr);
    }
    let sign = doppel_in(dir.path(), &["sign", "images", "-o", "sigs"], None);
    assert_eq!(sign.code, 2, "{}", sign.stderr);
    assert!(
        sign.stderr
            .contains("doppel: images: nothing was signed: the shard held no document that could be read (1 binary file skipped)"),
        "{}",
        sign.stderr
    );
    let index = doppel_in(dir.path(), &["index", "create", "idx", "images"], None);
    assert_eq!(index.code, 2, "{}", index.stderr);
    assert!(
        index
            .stderr
            .contains("doppel: nothing was indexed: no input held a document that could be read (1 binary file skipped)"),
        "{}",
        index.stderr
    );
    // Beside one document, the same binary file is skipped quietly.
    std::fs::write(
        dir.path().join("images/notes.txt"),
        "A note that is long enough to be a document of its own, in plain words.\n",
    )
    .unwrap();
    for args in [
        &["clean", "images", "-o", "out4"][..],
        &["check", "images"],
        &["sign", "images", "-o", "sigs2"],
        &["index", "create", "idx2", "images"],
    ] {
        let run = doppel_in(dir.path(), args, None);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
    }
}

#[test]
fn skipped_files_beside_documents_are_named_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "A plain text document.\n").unwrap();
    for n in 0..12 {
        binary(dir.path(), &format!("img{n:02}.gif"));
    }
    let run = doppel_in(dir.path(), &["scan", "."], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains("skipped  12 files\n"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("./img09.gif (binary)\n  … and 2 more (see --format json)\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("img10"), "{}", run.stdout);
    assert!(
        run.stdout.contains(", 12 binary files skipped"),
        "{}",
        run.stdout
    );
}

#[cfg(not(feature = "parquet"))]
#[test]
fn a_folder_of_parquet_shards_without_the_feature_is_not_a_success() {
    let dir = tempfile::tempdir().unwrap();
    let shards = dir.path().join("shards");
    std::fs::create_dir(&shards).unwrap();
    for name in [
        "train-00000-of-00002.parquet",
        "train-00001-of-00002.parquet",
    ] {
        std::fs::write(shards.join(name), b"PAR1 not read PAR1").unwrap();
    }
    let run = doppel_in(dir.path(), &["scan", "shards"], None);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "shards/train-00000-of-00002.parquet: Parquet support is not built in; build with --features parquet"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "doppel: nothing was scanned: no input held a document that could be read (2 errors)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_folder_is_an_empty_corpus_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let run = doppel_in(dir.path(), &["scan", "empty"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("doppel: note: the inputs hold no document"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("0 documents"), "{}", run.stdout);
}

#[test]
fn a_big_corpus_is_listed_up_to_a_cap_and_the_rest_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), 450);
    let run = doppel_in(dir.path(), &["scan", "big.jsonl"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(document_lines(&run), 200, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "… and 250 more documents not listed (only the first 200 are; --format json lists every one, --max-documents 0 lists them here)"
        ),
        "{}",
        run.stdout
    );
    // The most duplicated documents are named, wherever they are.
    assert!(
        run.stdout
            .contains("most duplicate bytes  top 5 of 450 documents\n  big.jsonl:401  "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("450 documents, "), "{}", run.stdout);
    let all = doppel_in(
        dir.path(),
        &["scan", "--max-documents", "0", "big.jsonl"],
        None,
    );
    assert_eq!(document_lines(&all), 450);
    assert!(!all.stdout.contains("not listed"), "{}", all.stdout);
}

#[test]
fn the_summary_format_prints_totals_and_tops_only() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), 450);
    // The records differ only in their numbers, which leaves many of them
    // near duplicates by character 5-grams at 0.65: the earlier similarity
    // (3-word shingles, 0.8) keeps the ten clusters this test counts.
    let run = doppel_in(
        dir.path(),
        &[
            "scan",
            "--format",
            "summary",
            "--shingle",
            "words:3",
            "--threshold",
            "0.8",
            "big.jsonl",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(document_lines(&run), 0, "{}", run.stdout);
    assert!(run.stdout.lines().count() < 30, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("450 documents not listed one by one (--format json lists every one)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("top 5 of 450 documents"),
        "{}",
        run.stdout
    );
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("450 documents, "), "{}", run.stdout);
    // Ten clusters: five are listed, the largest first, and the rest counted.
    assert!(
        run.stdout.contains("duplicate documents  10 clusters\n"),
        "{}",
        run.stdout
    );
    let cluster_lines = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("  exact ") || l.starts_with("  near "))
        .count();
    assert_eq!(cluster_lines, 5, "{}", run.stdout);
    assert!(
        run.stdout.contains("  … and 5 more (see --format json)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn no_progress_reaches_a_stderr_that_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), 3000);
    for args in [
        &["scan", "--format", "summary", "big.jsonl"][..],
        &["check", "big.jsonl"],
        &["sign", "big.jsonl", "-o", "sigs"],
        &["index", "create", "idx", "big.jsonl"],
        &["clean", "big.jsonl", "-o", "out"],
    ] {
        let run = doppel_in(dir.path(), args, None);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{args:?}: {:?}", run.stderr);
    }
}

/// On a terminal (a pseudo-terminal made by util-linux `script`), scan
/// draws its bar on stderr, and the report still reaches stdout whole.
#[cfg(target_os = "linux")]
#[test]
fn progress_is_drawn_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), 50);
    let command = format!(
        "'{}' scan --format summary big.jsonl",
        env!("CARGO_BIN_EXE_doppel")
    );
    let ran = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output();
    let Ok(output) = ran else {
        eprintln!("script (util-linux) is not installed: skipped");
        return;
    };
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(screen.contains(" scanning "), "{screen:?}");
    assert!(screen.contains("\r\x1b[2K"), "{screen:?}");
    assert!(screen.contains("50 documents, "), "{screen:?}");
}
