//! `clean --repair` and `clean --drop-damaged`: what they change, how the
//! manifest records it, and that `restore` still gives every input back
//! byte for byte.

mod util;

use std::path::{Path, PathBuf};

use doppel::clean::run::{clean, CleanOptions, Silent};
use doppel::clean::Keep;
use doppel::input::{expand, InputOptions};
use doppel::EngineBuilder;
use proptest::prelude::*;
use serde_json::Value;
use util::{doppel, root, Run};

/// UTF-8 bytes read as windows-1252, as a browser reads them.
fn mojibake(text: &str) -> String {
    encoding_rs::WINDOWS_1252
        .decode(text.as_bytes())
        .0
        .into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn write_inputs(dir: &Path, files: &[(&str, String)]) -> PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).expect("input folder");
    for (name, text) in files {
        std::fs::write(input.join(name), text).expect("input written");
    }
    input
}

fn assert_restores(input: &Path, out: &Path, back: &Path) {
    let restored = doppel(&["restore", s(out), "-o", s(back)]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    for entry in std::fs::read_dir(input).expect("input listed").flatten() {
        let name = entry.file_name();
        let original = std::fs::read(entry.path()).expect("input read");
        let rebuilt = std::fs::read(back.join("in").join(&name)).expect("restored file read");
        assert!(original == rebuilt, "{name:?} not restored byte for byte");
    }
}

fn manifest(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("manifest.jsonl"))
        .expect("manifest read")
        .lines()
        .map(|l| serde_json::from_str(l).expect("manifest line is JSON"))
        .collect()
}

fn valid_report(run: &Run) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("tests/schemas/clean-report.schema.json"))
        .expect("schema read");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
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

const CLEAN_PARAGRAPH: &str = "Das Café in der Straße öffnet um 8 Uhr — „pünktlich“, sagt man.";
const DAMAGED_PARAGRAPH: &str = "He said “it’s naïve” and left for Zürich — twice.";

#[test]
fn repair_fixes_mojibake_records_it_and_restores_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mixed = format!(
        "{CLEAN_PARAGRAPH}\n\n{}\n\nA plain line.\n",
        mojibake(DAMAGED_PARAGRAPH)
    );
    let input = write_inputs(
        dir.path(),
        &[
            ("mixed.txt", mixed),
            (
                "clean.txt",
                format!("{CLEAN_PARAGRAPH}\nSÃO PAULO, IRMÃ»\n"),
            ),
        ],
    );
    let out = dir.path().join("out");
    let run = doppel(&[
        "clean",
        s(&input),
        "-o",
        s(&out),
        "--repair",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = valid_report(&run);
    let summary = report.last().expect("a summary line");
    assert_eq!(summary["repairs"], 1, "{summary}");
    assert_eq!(summary["damaged_documents"], 0);
    assert_eq!(report[0]["reason"], "repaired");

    let cleaned = std::fs::read_to_string(out.join("in/mixed.txt")).expect("cleaned file");
    assert_eq!(
        cleaned,
        format!("{CLEAN_PARAGRAPH}\n\n{DAMAGED_PARAGRAPH}\n\nA plain line.\n")
    );
    let untouched = std::fs::read_to_string(out.join("in/clean.txt")).expect("cleaned file");
    assert_eq!(untouched, format!("{CLEAN_PARAGRAPH}\nSÃO PAULO, IRMÃ»\n"));

    let lines = manifest(&out);
    let repairs: Vec<&Value> = lines.iter().filter(|l| l["reason"] == "repaired").collect();
    assert_eq!(repairs.len(), 1);
    assert!(repairs[0]["edits"].is_array(), "{}", repairs[0]);
    assert_eq!(lines.last().expect("summary")["repairs"], 1);
    assert_restores(&input, &out, &dir.path().join("back"));
}

#[test]
fn without_repair_nothing_is_repaired() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let damaged = format!("{}\n", mojibake(DAMAGED_PARAGRAPH));
    let input = write_inputs(dir.path(), &[("a.txt", damaged.clone())]);
    let out = dir.path().join("out");
    let run = doppel(&["clean", s(&input), "-o", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("in/a.txt")).expect("cleaned file"),
        damaged
    );
    assert!(!manifest(&out).iter().any(|l| l["reason"] == "repaired"));
}

#[test]
fn restore_refuses_a_tampered_repair() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = write_inputs(
        dir.path(),
        &[("a.txt", format!("{}\n", mojibake(DAMAGED_PARAGRAPH)))],
    );
    let out = dir.path().join("out");
    assert_eq!(
        doppel(&["clean", s(&input), "-o", s(&out), "--repair"]).code,
        0
    );
    let path = out.join("manifest.jsonl");
    let text = std::fs::read_to_string(&path).expect("manifest read");
    let tampered: String = text
        .lines()
        .map(|line| {
            let mut value: Value = serde_json::from_str(line).expect("JSON line");
            if value["reason"] == "repaired" {
                value["edits"] = serde_json::json!([-1, "X"]);
            }
            format!("{value}\n")
        })
        .collect();
    std::fs::write(&path, tampered).expect("manifest written");
    let back = dir.path().join("back");
    let restored = doppel(&["restore", s(&out), "-o", s(&back)]);
    assert_eq!(restored.code, 2, "{}", restored.stdout);
    assert!(restored.stderr.contains("a.txt"), "{}", restored.stderr);
    assert!(!back.join("in/a.txt").exists());
}

/// Chinese paragraphs with `?` and stray letters where a GBK misalignment
/// left them, long enough to score far above a clean text.
fn damaged_chinese() -> String {
    "候選人?h以上人大代表?縣以上人大代表選舉。\n".repeat(4)
}

const CLEAN_CHINESE: &str =
    "中華人民共和國是工人階級領導的、以工農聯盟為基礎的人民民主專政的社會主義國家。\n";

#[test]
fn drop_damaged_drops_a_damaged_document_without_a_twin_and_restores_it() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = write_inputs(
        dir.path(),
        &[
            ("damaged.txt", damaged_chinese()),
            ("clean.txt", CLEAN_CHINESE.to_owned()),
        ],
    );
    let out = dir.path().join("out");
    let run = doppel(&[
        "clean",
        s(&input),
        "-o",
        s(&out),
        "--drop-damaged",
        "50",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = valid_report(&run);
    let summary = report.last().expect("a summary line");
    assert_eq!(summary["damaged_documents"], 1, "{summary}");
    assert_eq!(summary["removed_documents"], 1);
    let dropped: Vec<&Value> = report.iter().filter(|l| l["reason"] == "damaged").collect();
    assert_eq!(dropped.len(), 1);
    assert!(dropped[0]["path"]
        .as_str()
        .unwrap_or("")
        .ends_with("damaged.txt"));
    assert!(!out.join("in/damaged.txt").exists());
    assert!(out.join("in/clean.txt").exists());
    let line = manifest(&out)
        .into_iter()
        .find(|l| l["reason"] == "damaged")
        .expect("a damaged removal line");
    assert_eq!(line["text"], damaged_chinese());
    assert_restores(&input, &out, &dir.path().join("back"));

    let human = doppel(&["clean", s(&input), "--dry-run", "--drop-damaged", "50"]);
    assert!(
        human.stdout.contains("damaged.txt  damaged"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("1 damaged"), "{}", human.stdout);
}

#[test]
fn drop_damaged_leaves_duplicates_to_dedup_and_clean_texts_alone() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let twin = CLEAN_CHINESE.repeat(4);
    let damaged_twin = twin.replacen("工人", "?h人", 2);
    let input = write_inputs(
        dir.path(),
        &[
            ("a.txt", damaged_twin),
            ("b.txt", twin.clone()),
            ("c.txt", "Plain English, no damage at all?\n".to_owned()),
        ],
    );
    let run = doppel(&[
        "clean",
        s(&input),
        "--dry-run",
        "--drop-damaged",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = valid_report(&run);
    assert_eq!(report.last().expect("summary")["damaged_documents"], 0);
    let removals: Vec<(&str, &str)> = report
        .iter()
        .filter(|l| l["type"] == "removal")
        .map(|l| {
            (
                l["path"].as_str().unwrap_or(""),
                l["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(removals.len(), 1, "{removals:?}");
    assert!(removals[0].0.ends_with("a.txt"), "{removals:?}");
    assert_eq!(removals[0].1, "duplicate-document");
}

#[test]
fn a_bad_score_is_refused() {
    let run = doppel(&["clean", "--dry-run", "--drop-damaged", "lots", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not a damage score"), "{}", run.stderr);
}

fn repair_and_restore(files: &[(String, String)]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("input folder");
    for (name, text) in files {
        std::fs::write(input.join(name), text).expect("input written");
    }
    let out = dir.path().join("out");
    let inputs = vec![input.clone()];
    let (entries, problems) = expand(&inputs, &InputOptions::default());
    prop_assert!(problems.is_empty());
    let options = CleanOptions {
        out: out.clone(),
        keep: Keep::Cleanest,
        documents: true,
        blocks: true,
        segments: true,
        boilerplate: false,
        dry_run: false,
        allow_lossy: false,
        repair: true,
        drop_damaged: None,
    };
    let engine = EngineBuilder::new()
        .find(options.findings())
        .build()
        .expect("valid settings");
    let report = clean(&engine, &inputs, &entries, vec![], &options, &Silent).expect("clean runs");
    prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
    let back = dir.path().join("back");
    let restored = doppel::clean::restore::restore(&out, &back).expect("restore runs");
    prop_assert!(restored.is_complete(), "{:?}", restored.failed);
    for (name, text) in files {
        let rebuilt = std::fs::read(back.join("in").join(name)).expect("restored file");
        prop_assert_eq!(rebuilt, text.as_bytes().to_vec());
    }
    Ok(())
}

fn paragraph() -> impl Strategy<Value = String> {
    let sentence = prop::sample::select(vec![
        "The café’s crème brûlée — “naïve” but good.",
        "Über den Straßen von Köln.",
        "São Paulo e Kraków, à la carte.",
        "中文的句子，没有问题。",
        "A plain English sentence.",
        "Привет, мир!",
    ]);
    (sentence, any::<bool>()).prop_map(|(text, damaged)| {
        if damaged {
            mojibake(text)
        } else {
            text.to_owned()
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Documents mixing clean and damaged paragraphs, some repeated:
    /// `clean --repair` and its manifest rebuild every input byte for byte.
    #[test]
    fn clean_repair_then_restore_gives_the_inputs_back(
        docs in prop::collection::vec(prop::collection::vec(paragraph(), 1..6), 1..4)
    ) {
        let files: Vec<(String, String)> = docs
            .iter()
            .enumerate()
            .map(|(at, paragraphs)| (format!("d{at}.txt"), paragraphs.join("\n\n") + "\n"))
            .collect();
        repair_and_restore(&files)?;
    }
}
