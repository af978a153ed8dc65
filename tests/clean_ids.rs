//! End-to-end tests of how `clean` names what it removes: every removal by
//! its file, its record's line in the file and its id, and the kept twin,
//! in `--dry-run`, `--format json` and the manifest; and `restore` of
//! manifests with and without those fields.

mod util;

use std::path::{Path, PathBuf};

use serde_json::Value;
use util::{doppel, root, Run};

fn s(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

const ARTICLE: &str = "The harbour authority opened the new ferry terminal on Monday morning after three years of work. Passengers can now board from a covered hall with heated seats and a small cafe near the gates. The old terminal will be turned into a museum of the river trade next spring, the council said. Officials expect twice as many travellers by the end of the decade, and new routes to the northern islands are planned.";

const OTHER: &str = "A completely different record about mountain weather stations and how they measure snowfall across the northern ranges during the long winter months.";

const PARAGRAPH: &str = "This paragraph repeats inside one record so that a block copy can be found by the engine when it looks inside documents for repeated text.";

/// Five records: 1 kept, 2 other, 3 an exact copy of 1, 4 a record with a
/// block repeated inside it (text lines 7), 5 a near copy of 1. With
/// `ids`, each has an id field.
fn records(ids: bool) -> String {
    let inner = format!(
        "Intro line here.\n\n{PARAGRAPH}\n\nMiddle part of this record.\n\n{PARAGRAPH}\n\nOutro.\n"
    );
    let near = ARTICLE.replace("Monday", "Tuesday");
    let texts = [ARTICLE, OTHER, ARTICLE, &inner, &near];
    let names = ["xyz", "q1", "abc", "b2", "edited"];
    texts
        .iter()
        .zip(names)
        .map(|(text, id)| {
            let record = if ids {
                serde_json::json!({ "id": id, "text": text })
            } else {
                serde_json::json!({ "text": text })
            };
            format!("{record}\n")
        })
        .collect()
}

/// A temporary folder holding `name` with `contents`.
fn input(name: &str, contents: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write input");
    (dir, path)
}

fn lines_of(run: &Run) -> Vec<&str> {
    run.stdout.lines().collect()
}

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/schemas").join(name)).unwrap_or_default();
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// Every line of a `clean --format json` run, checked against the schema.
fn valid_report(run: &Run) -> Vec<Value> {
    let validator = validator("clean-report.schema.json");
    let values = run.json();
    for value in &values {
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{value}: {errors:#?}");
    }
    values
}

#[test]
fn dry_run_names_records_by_line_and_id_and_their_kept_twin() {
    let (_dir, path) = input("big.jsonl", &records(true));
    let dry = doppel(&["clean", "--dry-run", s(&path)]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let name = s(&path);
    assert_eq!(
        lines_of(&dry)[..3],
        [
            format!("{name}:3 id=abc  duplicate-document of {name}:1 id=xyz"),
            format!("{name}:4 id=b2  block-copy (text lines 7-7)"),
            format!("{name}:5 id=edited  duplicate-document of {name}:1 id=xyz (similarity 0.96)"),
        ]
    );
    assert!(dry.stdout.contains("would remove"), "{}", dry.stdout);
}

#[test]
fn records_without_ids_are_named_by_their_line() {
    let (_dir, path) = input("noids.jsonl", &records(false));
    let dry = doppel(&["clean", "--dry-run", s(&path)]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let name = s(&path);
    assert_eq!(
        lines_of(&dry)[..2],
        [
            format!("{name}:3  duplicate-document of {name}:1"),
            format!("{name}:4  block-copy (text lines 7-7)"),
        ]
    );
    let json = valid_report(&doppel(&[
        "clean",
        "--dry-run",
        "--format",
        "json",
        s(&path),
    ]));
    assert_eq!(json[0]["line"], 3);
    assert_eq!(
        json[0]["id"], "3",
        "the id of a record without one is its line"
    );
    assert_eq!(json[0]["duplicate_of"]["line"], 1);
}

#[test]
fn dry_run_json_lists_each_removal_with_file_line_id_reason_twin_and_similarity() {
    let (dir, path) = input("big.jsonl", &records(true));
    let out = dir.path().join("out");
    let run = doppel(&[
        "clean",
        "--dry-run",
        "--format",
        "json",
        s(&path),
        "-o",
        s(&out),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!out.exists(), "a dry run writes nothing");
    let json = valid_report(&run);
    assert_eq!(json.len(), 4, "{}", run.stdout);
    let exact = &json[0];
    assert_eq!(exact["type"], "removal");
    assert_eq!(exact["path"], s(&path));
    assert_eq!(
        (exact["line"].as_u64(), exact["id"].as_str()),
        (Some(3), Some("abc"))
    );
    assert_eq!(exact["reason"], "duplicate-document");
    assert_eq!(
        exact["duplicate_of"],
        serde_json::json!({"path": s(&path), "line": 1, "id": "xyz"})
    );
    assert_eq!(exact["similarity"], 1.0);
    assert_eq!(exact["removed_bytes"].as_u64(), Some(ARTICLE.len() as u64));
    let block = &json[1];
    assert_eq!(
        (block["line"].as_u64(), block["id"].as_str()),
        (Some(4), Some("b2"))
    );
    assert_eq!(block["reason"], "block-copy");
    assert_eq!(block["lines"], serde_json::json!([7, 7]));
    assert_eq!(
        block["duplicate_of"]["id"], "b2",
        "the kept copy is in the same record"
    );
    assert!(block["duplicate_of"]["bytes"].is_array());
    assert!(block.get("similarity").is_none());
    let near = &json[2];
    assert_eq!(near["id"], "edited");
    let similarity = near["similarity"].as_f64().unwrap_or(0.0);
    assert!((0.8..1.0).contains(&similarity), "{similarity}");
    let summary = &json[3];
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["removals"], 3);
    assert_eq!(summary["removed_documents"], 2);
    assert_eq!(summary["manifest"], Value::Null);
}

#[test]
fn text_files_are_named_by_their_lines_and_their_kept_twin_by_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("docs");
    std::fs::create_dir(&folder).expect("folder");
    std::fs::write(folder.join("a.txt"), format!("{ARTICLE}\n")).expect("a");
    std::fs::write(folder.join("b.txt"), format!("{ARTICLE}\n")).expect("b");
    let dry = doppel(&["clean", "--dry-run", s(&folder)]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let (a, b) = (folder.join("a.txt"), folder.join("b.txt"));
    assert_eq!(
        lines_of(&dry)[0],
        format!("{}  duplicate-document of {}", s(&b), s(&a))
    );
    let json = valid_report(&doppel(&[
        "clean",
        "--dry-run",
        "--format",
        "json",
        s(&folder),
    ]));
    assert_eq!(json[0]["path"], s(&b));
    assert_eq!(json[0]["line"], 1);
    assert!(json[0].get("id").is_none(), "a text file has no id");
    assert_eq!(json[0]["duplicate_of"], serde_json::json!({"path": s(&a)}));
}

fn manifest(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("manifest.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect()
}

#[test]
fn the_manifest_names_records_and_the_real_run_reports_what_the_dry_run_said() {
    let (dir, path) = input("big.jsonl", &records(true));
    let (out, back) = (dir.path().join("out"), dir.path().join("back"));
    let dry = doppel(&["clean", "--dry-run", "--format", "json", s(&path)]);
    let run = doppel(&["clean", "--format", "json", s(&path), "-o", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (dry, real) = (valid_report(&dry), valid_report(&run));
    assert_eq!(dry[..3], real[..3], "the same removals, named alike");
    assert_eq!(real[3]["dry_run"], false);
    assert!(real[3]["manifest"]
        .as_str()
        .is_some_and(|m| m.ends_with("manifest.jsonl")));

    let lines = manifest(&out);
    let documents: Vec<&Value> = lines.iter().filter(|l| l["type"] == "document").collect();
    let ids: Vec<(u64, &str)> = documents
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["id"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [(1, "xyz"), (2, "q1"), (3, "abc"), (4, "b2"), (5, "edited")]
    );
    let removals: Vec<&Value> = lines.iter().filter(|l| l["type"] == "removal").collect();
    let named: Vec<(&str, &str)> = removals
        .iter()
        .map(|r| {
            (
                r["reason"].as_str().unwrap_or(""),
                r["record"]["id"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("block-copy", "b2"),
            ("duplicate-document", "abc"),
            ("duplicate-document", "edited")
        ]
    );
    assert_eq!(removals[1]["record"]["line"], 3);
    assert_eq!(removals[1]["similarity"], 1.0);

    let restored = doppel(&["restore", s(&out), "-o", s(&back)]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert_eq!(
        std::fs::read(back.join("big.jsonl")).ok(),
        std::fs::read(&path).ok(),
        "restored byte for byte"
    );
}

#[test]
fn a_manifest_written_before_ids_still_restores_byte_for_byte() {
    let (dir, path) = input("big.jsonl", &records(true));
    let (out, back) = (dir.path().join("out"), dir.path().join("back"));
    let run = doppel(&["clean", s(&path), "-o", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let old: Vec<String> = manifest(&out)
        .into_iter()
        .map(|mut line| {
            if let Some(object) = line.as_object_mut() {
                for field in ["id", "record", "similarity"] {
                    object.remove(field);
                }
            }
            line.to_string()
        })
        .collect();
    assert!(old
        .iter()
        .all(|l| !l.contains("\"record\"") && !l.contains("\"similarity\"")));
    std::fs::write(out.join("manifest.jsonl"), old.join("\n") + "\n").expect("old manifest");
    let restored = doppel(&["restore", s(&out), "-o", s(&back)]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert_eq!(
        std::fs::read(back.join("big.jsonl")).ok(),
        std::fs::read(&path).ok()
    );
}

#[test]
fn ids_that_look_like_paths_are_only_data() {
    let hostile = records(true)
        .replace("\"abc\"", "\"../../escaped\"")
        .replace("\"xyz\"", "\"/tmp/absolute\"");
    let (dir, path) = input("big.jsonl", &hostile);
    let (out, back) = (dir.path().join("out"), dir.path().join("back"));
    let run = doppel(&["clean", s(&path), "-o", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = manifest(&out);
    assert!(lines.iter().any(|l| l["id"] == "../../escaped"));
    let restored = doppel(&["restore", s(&out), "-o", s(&back)]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert_eq!(
        std::fs::read(back.join("big.jsonl")).ok(),
        std::fs::read(&path).ok()
    );
    let written: Vec<_> = std::fs::read_dir(&back)
        .expect("back")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(written, ["big.jsonl"], "restore wrote nothing an id names");
    assert!(!dir.path().join("escaped").exists());
    let dry = doppel(&["clean", "--dry-run", s(&path)]);
    assert!(
        dry.stdout
            .contains("id=../../escaped  duplicate-document of"),
        "{}",
        dry.stdout
    );
}
