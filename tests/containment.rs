//! `scan --find contained`: a truncated copy and a snippet of a longer page
//! are reported with their container; short unrelated or tiny documents are
//! not; the JSON report validates against its schema; the report is the
//! same for any thread count; the in-memory scan finds the same pairs as
//! the file scan.
//!
//! Texts are the real prose of `corpus/damage/` (see its README).

mod util;

use std::path::Path;

use serde_json::Value;
use util::{corpus, doppel};

fn sample(name: &str) -> String {
    std::fs::read_to_string(corpus("damage").join(name)).expect("the sample is readable")
}

/// The first `share` of `text`, cut at a character boundary.
fn first_share(text: &str, share: f64) -> &str {
    let mut end = (text.len() as f64 * share) as usize;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The test corpus, named so that folder walks list it in this order.
fn texts() -> Vec<(&'static str, String)> {
    let english = sample("en.txt");
    let japanese = sample("ja.txt");
    let lines: Vec<&str> = japanese.lines().collect();
    // A paragraph from the middle of the Japanese page: a snippet page.
    let snippet = lines[lines.len() / 2..lines.len() / 2 + 4].join("\n");
    // A few lines of a text found nowhere else.
    let korean = sample("ko.txt");
    let unrelated: Vec<&str> = korean.lines().take(4).collect();
    // One line of the English page: contained, but too short to report.
    let tiny = english.lines().next().expect("a line").to_owned();
    vec![
        ("a_page.txt", english.clone()),
        ("b_truncated.txt", first_share(&english, 0.3).to_owned()),
        ("c_ja_page.txt", japanese.clone()),
        ("d_snippet.txt", format!("{snippet}\n")),
        ("e_unrelated.txt", format!("{}\n", unrelated.join("\n"))),
        ("f_tiny.txt", format!("{tiny}\n")),
    ]
}

fn write_corpus(dir: &Path) {
    for (name, text) in texts() {
        std::fs::write(dir.join(name), text).expect("writable");
    }
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(util::root().join("tests/schemas/scan-report.schema.json"))
        .expect("the schema is readable");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn file_name(member: &Value) -> String {
    let path = member["path"].as_str().expect("a path");
    Path::new(path)
        .file_name()
        .and_then(|name| name.to_str())
        .expect("a file name")
        .to_owned()
}

/// `(document, container)` file names of the report's contained lines.
fn contained_pairs(report: &[Value]) -> Vec<(String, String)> {
    report
        .iter()
        .filter(|line| line["type"] == "contained")
        .map(|line| (file_name(&line["document"]), file_name(&line["container"])))
        .collect()
}

#[test]
fn a_truncated_copy_and_a_snippet_page_are_reported_with_their_container() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_corpus(dir.path());
    let folder = dir.path().to_str().expect("a UTF-8 path");
    let run = doppel(&["scan", "--find", "contained", "--format", "json", folder]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(
        contained_pairs(&report),
        [
            ("b_truncated.txt".to_owned(), "a_page.txt".to_owned()),
            ("d_snippet.txt".to_owned(), "c_ja_page.txt".to_owned()),
        ]
    );
    for line in report.iter().filter(|line| line["type"] == "contained") {
        let containment = line["containment"].as_f64().expect("a number");
        assert!((0.8..=1.0).contains(&containment), "{line}");
    }
    assert_eq!(run.summary()["contained"], 2);
    let validator = validator();
    for line in &report {
        let errors: Vec<String> = validator.iter_errors(line).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{line} does not validate: {errors:?}");
    }
}

#[test]
fn the_report_is_the_same_for_one_thread_and_two() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_corpus(dir.path());
    let folder = dir.path().to_str().expect("a UTF-8 path");
    let run = |threads: &str| {
        let run = doppel(&[
            "scan",
            "--find",
            "contained",
            "--format",
            "json",
            "-j",
            threads,
            folder,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let one = run("1");
    assert!(one.contains("\"type\":\"contained\""), "{one}");
    assert_eq!(one, run("2"));
}

#[test]
fn containment_is_looked_for_only_when_asked() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_corpus(dir.path());
    let folder = dir.path().to_str().expect("a UTF-8 path");
    let run = doppel(&["scan", "--format", "json", folder]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(contained_pairs(&run.json()), []);
    assert!(run.summary().get("contained").is_none());
}

#[test]
fn the_human_report_names_each_contained_document_and_its_container() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_corpus(dir.path());
    let folder = dir.path().to_str().expect("a UTF-8 path");
    let run = doppel(&["scan", "--find", "contained", folder]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("documents contained in longer ones  2"),
        "{}",
        run.stdout
    );
    let line = run
        .stdout
        .lines()
        .find(|line| line.contains("d_snippet.txt") && line.contains("  in  "))
        .unwrap_or_else(|| panic!("no line for the snippet in {}", run.stdout));
    assert!(line.ends_with("c_ja_page.txt"), "{line}");
    assert!(
        run.stdout.contains("2 contained documents"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_copy_in_a_near_cluster_is_not_reported_again_as_contained() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let english = sample("en.txt");
    // All but the last line: a near duplicate of the page, and contained.
    let lines: Vec<&str> = english.lines().collect();
    let nearly = lines[..lines.len() - 1].join("\n");
    std::fs::write(dir.path().join("a_page.txt"), &english).expect("writable");
    std::fs::write(dir.path().join("b_nearly.txt"), format!("{nearly}\n")).expect("writable");
    let folder = dir.path().to_str().expect("a UTF-8 path");
    let run = doppel(&["scan", "--find", "contained", "--format", "json", folder]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert!(
        report
            .iter()
            .any(|line| line["type"] == "cluster" && line["kind"] == "near"),
        "{}",
        run.stdout
    );
    assert_eq!(contained_pairs(&report), []);
}

#[test]
fn the_in_memory_scan_finds_what_the_file_scan_finds_in_any_batches() {
    let mut find = doppel::Findings::none();
    find.contained = true;
    let engine = doppel::EngineBuilder::new()
        .find(find)
        .build()
        .expect("valid settings");
    let texts = texts();
    let found = |batch: usize| {
        let mut scan = engine.corpus_scan();
        for chunk in texts.chunks(batch) {
            scan.add_batch(chunk.iter().map(|(name, text)| (*name, text.as_str())))
                .expect("few documents");
        }
        let findings = scan.finish().expect("the scan finishes");
        findings
            .contained
            .iter()
            .map(|c| {
                let id = |doc| findings.id(doc).expect("a known document").to_owned();
                (id(c.doc), id(c.container))
            })
            .collect::<Vec<_>>()
    };
    let whole = found(texts.len());
    assert_eq!(found(1), whole);
    assert_eq!(found(4), whole);
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_corpus(dir.path());
    let folder = dir.path().to_str().expect("a UTF-8 path");
    let run = doppel(&["scan", "--find", "contained", "--format", "json", folder]);
    assert_eq!(contained_pairs(&run.json()), whole);
}

/// Every file under `dir`, by its path inside it, with its bytes.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("readable");
                found.push((path.strip_prefix(dir).expect("inside").to_path_buf(), bytes));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn clean_removes_contained_documents_in_favour_of_their_container_and_restore_gives_them_back() {
    let work = tempfile::tempdir().expect("a temporary folder");
    let input = work.path().join("in");
    std::fs::create_dir(&input).expect("writable");
    write_corpus(&input);
    // JSON Lines records: a snippet record of a page record.
    let chinese = sample("zh_hant.txt");
    let lines: Vec<&str> = chinese.lines().collect();
    let records = [
        serde_json::json!({"id": "page", "text": chinese}),
        serde_json::json!({"id": "other", "text": sample("zh_hans.txt")}),
        serde_json::json!({"id": "snippet", "text": lines[3..7].join("\n")}),
    ];
    let jsonl: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(input.join("h_records.jsonl"), jsonl).expect("writable");
    let out = work.path().join("out");
    let input_arg = input.to_str().expect("a UTF-8 path");
    let out_arg = out.to_str().expect("a UTF-8 path");
    let run = doppel(&[
        "clean",
        "--contained",
        "--format",
        "json",
        "-o",
        out_arg,
        input_arg,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let text = std::fs::read_to_string(util::root().join("tests/schemas/clean-report.schema.json"))
        .expect("the schema is readable");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for line in &report {
        let errors: Vec<String> = validator.iter_errors(line).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{line} does not validate: {errors:?}");
    }
    let mut removed: Vec<(String, String, String)> = report
        .iter()
        .filter(|line| line["reason"] == "contained")
        .map(|line| {
            let name = |v: &Value| {
                let file = file_name(v);
                match v["id"].as_str() {
                    Some(id) => format!("{file}#{id}"),
                    None => file,
                }
            };
            (name(line), name(&line["duplicate_of"]), String::new())
        })
        .collect();
    removed.sort();
    let expected = |a: &str, b: &str| (a.to_owned(), b.to_owned(), String::new());
    assert_eq!(
        removed,
        [
            expected("b_truncated.txt", "a_page.txt"),
            expected("d_snippet.txt", "c_ja_page.txt"),
            expected("h_records.jsonl#snippet", "h_records.jsonl#page"),
        ]
    );
    let written: Vec<String> = files(&out)
        .into_iter()
        .map(|(path, _)| path.to_string_lossy().replace('\\', "/"))
        .collect();
    assert!(written.contains(&"in/a_page.txt".to_owned()), "{written:?}");
    assert!(
        !written.contains(&"in/b_truncated.txt".to_owned()),
        "{written:?}"
    );
    let restored = work.path().join("restored");
    let run = doppel(&["restore", out_arg, "-o", restored.to_str().expect("UTF-8")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(files(&restored.join("in")), files(&input));
}

#[test]
fn the_scan_page_lists_each_contained_document_with_its_container() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_corpus(dir.path());
    let folder = dir.path().to_str().expect("a UTF-8 path");
    let run = doppel(&["scan", "--find", "contained", "--format", "html", folder]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let start = run
        .stdout
        .find("<h2 id=\"contained\">")
        .unwrap_or_else(|| panic!("no contained section in {}", run.stdout));
    let section = &run.stdout[start..];
    let section = &section[..section.find("</table>").expect("the table ends")];
    let rows: Vec<&str> = section.split("<tr class=\"finding\">").skip(1).collect();
    assert_eq!(rows.len(), 2, "{section}");
    assert!(
        rows[0].contains("b_truncated.txt") && rows[0].contains("a_page.txt"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains("d_snippet.txt") && rows[1].contains("c_ja_page.txt"),
        "{}",
        rows[1]
    );
}
