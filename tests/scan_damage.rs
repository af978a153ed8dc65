//! End-to-end tests of damage as a finding of `doppel scan`: the `damage`
//! field of a JSON document line (checked against
//! tests/schemas/scan-report.schema.json), the human report's damage line,
//! and `--find damage`.

mod util;

use serde_json::Value;
use util::{corpus, doppel, doppel_in, root};

/// The lines of the seed page's damaged paragraphs: 27, 105 and 133 in the
/// first copy, 278 in the second, and those both copies carry damaged
/// alike (a `?` for a lost character, private-use characters).
const PAGE_DAMAGED: [u64; 18] = [
    7, 27, 37, 57, 67, 71, 105, 133, 141, 164, 174, 194, 204, 208, 242, 278, 289, 299,
];

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/schemas/scan-report.schema.json"))
        .expect("the schema is readable");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_valid(run: &util::Run) {
    let validator = validator();
    for line in run.json() {
        let errors: Vec<String> = validator
            .iter_errors(&line)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{line}: {errors:#?}");
    }
}

fn damaged_lines(doc: &Value) -> Vec<u64> {
    doc["damage"]["segments"]
        .as_array()
        .map(|segments| {
            segments
                .iter()
                .map(|s| s["lines"][0].as_u64().expect("a line"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn scan_damage_reports_the_seed_pages_damaged_paragraphs() {
    for file in ["scraped_page_zh.txt", "scraped_page_zh.gb18030.txt"] {
        let path = corpus(file);
        let run = doppel(&[
            "scan",
            "--format",
            "json",
            "--find",
            "blocks,damage",
            path.to_str().expect("UTF-8"),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_valid(&run);
        let doc = run.only_document();
        assert_eq!(
            damaged_lines(&doc),
            PAGE_DAMAGED,
            "{file}: {}",
            doc["damage"]
        );
        let segments = doc["damage"]["segments"].as_array().expect("segments");
        let total: u64 = segments
            .iter()
            .map(|s| s["score"].as_u64().expect("score"))
            .sum();
        assert_eq!(doc["damage"]["score"].as_u64(), Some(total));
        // Byte ranges are the paragraphs', and the marks lie inside them.
        let text = std::fs::read_to_string(corpus("scraped_page_zh.txt")).expect("page");
        for segment in segments {
            let range = |key: &str| {
                let r = &segment[key];
                r[0].as_u64().expect("start") as usize..r[1].as_u64().expect("end") as usize
            };
            let (bytes, marked) = (range("bytes"), range("marked"));
            assert!(
                bytes.start <= marked.start && marked.end <= bytes.end,
                "{segment}"
            );
            let first = segment["lines"][0].as_u64().expect("line") as usize;
            let last = segment["lines"][1].as_u64().expect("line") as usize;
            assert_eq!(
                text[..bytes.start].matches('\n').count() + 1,
                first,
                "{segment}"
            );
            assert_eq!(
                text[..bytes.end].matches('\n').count() + 1,
                last,
                "{segment}"
            );
        }
        let kinds = |line: u64| -> Vec<String> {
            let found = segments
                .iter()
                .find(|s| s["lines"][0] == line)
                .expect("found");
            found["kinds"]
                .as_array()
                .expect("kinds")
                .iter()
                .map(|k| k.as_str().expect("a kind").to_owned())
                .collect()
        };
        assert!(
            kinds(105).contains(&"question_in_cjk".to_owned()),
            "{:?}",
            kinds(105)
        );
        assert!(
            kinds(27).contains(&"private_use".to_owned()),
            "{:?}",
            kinds(27)
        );
        assert!(
            kinds(133).contains(&"misaligned".to_owned()),
            "{:?}",
            kinds(133)
        );
        assert_eq!(run.summary()["damaged_documents"], 1);
    }
}

#[test]
fn scan_damage_is_absent_from_clean_documents() {
    for file in [
        "big5_sample.txt",
        "shift_jis_sample.txt",
        "euc_kr_sample.txt",
        "english_edited_block.txt",
        "clean_no_duplicates.txt",
    ] {
        let path = corpus(file);
        let run = doppel(&[
            "scan",
            "--format",
            "json",
            "--find",
            "blocks,damage",
            path.to_str().expect("UTF-8"),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_valid(&run);
        let doc = run.only_document();
        assert!(doc.get("damage").is_none(), "{file}: {}", doc["damage"]);
        assert!(run.summary().get("damaged_documents").is_none());
    }
}

#[test]
fn scan_damage_is_not_looked_for_when_find_leaves_it_out() {
    let path = corpus("scraped_page_zh.txt");
    let path = path.to_str().expect("UTF-8");
    // Not by default: damage is a question of its own.
    let run = doppel(&["scan", "--format", "json", path]);
    assert!(
        run.only_document().get("damage").is_none(),
        "{}",
        run.stdout
    );
    let run = doppel(&["scan", "--format", "json", "--find", "blocks", path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_valid(&run);
    assert!(run.only_document().get("damage").is_none());
    let run = doppel(&["scan", "--format", "json", "--find", "damage", path]);
    assert_eq!(damaged_lines(&run.only_document()), PAGE_DAMAGED);
    assert_eq!(run.only_document()["blocks"], Value::Array(Vec::new()));
}

#[test]
fn scan_damage_human_report_has_a_line_per_damaged_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = std::fs::read(corpus("scraped_page_zh.txt")).expect("page");
    std::fs::write(dir.path().join("damaged.txt"), page).expect("write");
    std::fs::write(
        dir.path().join("clean.txt"),
        "我們的國家和人民。今天天氣很好，我們去公園散步。\n",
    )
    .expect("write");
    let run = doppel_in(dir.path(), &["scan", "--find", "blocks,damage", "."], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let damage: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("damage"))
        .collect();
    assert_eq!(damage.len(), 1, "{}", run.stdout);
    assert!(
        damage[0].starts_with("  damage  score ")
            && damage[0].contains(" 18 segments: 7-16 (question_in_cjk), 27 ("),
        "{}",
        damage[0]
    );
    assert!(run.stdout.contains("clean.txt  UTF-8"), "{}", run.stdout);
    assert!(
        run.stdout.contains(", 1 damaged documents"),
        "{}",
        run.stdout
    );

    // --find damage lists the damaged documents alone.
    let run = doppel_in(dir.path(), &["scan", "--find", "damage", "."], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("damaged.txt  UTF-8"), "{}", run.stdout);
    assert!(!run.stdout.contains("clean.txt"), "{}", run.stdout);
    assert!(!run.stdout.contains("duplicate"), "{}", run.stdout);
    assert!(run.stdout.contains("  damage  score "), "{}", run.stdout);
}
