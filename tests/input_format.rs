//! `--input-format` and JSON Lines recognised by content: records piped on
//! standard input, `.json` files written one object per line (as Hugging
//! Face's `to_json` writes them), and the formats forced by the flag.

mod util;

use std::path::Path;

use serde_json::Value;
use util::{doppel_in, Run};

/// A sentence long enough to be a document of its own.
const TEXT: &str = "The quick brown fox jumps over the lazy dog near the quiet river bank today.";

/// JSON Lines of `ids`, each record holding [`TEXT`] but the last one.
fn records(ids: &[&str]) -> String {
    ids.iter()
        .enumerate()
        .map(|(at, id)| {
            let text = if at + 1 == ids.len() {
                "A different record, about something else entirely, with its own words."
            } else {
                TEXT
            };
            format!("{{\"id\": \"{id}\", \"text\": \"{text}\"}}\n")
        })
        .collect()
}

/// `(path, line, id)` of each document of a JSON report.
fn places(run: &Run) -> Vec<(String, Option<u64>, Option<String>)> {
    run.documents()
        .iter()
        .map(|doc| {
            (
                doc["path"].as_str().unwrap_or_default().to_owned(),
                doc["line"].as_u64(),
                doc["id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn scan(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    doppel_in(dir, &all, stdin)
}

fn cluster_members(run: &Run) -> Vec<Vec<Value>> {
    run.json()
        .into_iter()
        .filter(|v| v["type"] == "cluster")
        .map(|v| v["members"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[test]
fn json_lines_on_standard_input_are_records_by_content_and_by_flag() {
    let dir = tempfile::tempdir().unwrap();
    let input = records(&["a", "b", "c"]);
    for flags in [&["-"][..], &["--input-format", "jsonl", "-"]] {
        let run = scan(dir.path(), flags, Some(input.as_bytes()));
        assert_eq!(run.code, 0, "{flags:?}: {}", run.stderr);
        let expected: Vec<_> = [(1, "a"), (2, "b"), (3, "c")]
            .iter()
            .map(|(line, id)| ("-".to_owned(), Some(*line), Some((*id).to_owned())))
            .collect();
        assert_eq!(places(&run), expected, "{flags:?}");
        let clusters = cluster_members(&run);
        assert_eq!(clusters.len(), 1, "{}", run.stdout);
        let ids: Vec<&str> = clusters[0]
            .iter()
            .filter_map(|m| m["id"].as_str())
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }
    // Forced text: one document, as before.
    let run = scan(
        dir.path(),
        &["--input-format", "text", "-"],
        Some(input.as_bytes()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(places(&run), [("-".to_owned(), None, None)]);
}

#[test]
fn the_flag_reads_as_json_lines_what_content_does_not_say() {
    let dir = tempfile::tempdir().unwrap();
    // A first line that is not JSON: text by content, records by the flag.
    let input = format!("not json\n{}", records(&["x", "y"]));
    let auto = scan(dir.path(), &["-"], Some(input.as_bytes()));
    assert_eq!(auto.code, 0, "{}", auto.stderr);
    assert_eq!(places(&auto), [("-".to_owned(), None, None)]);
    let forced = scan(
        dir.path(),
        &["--input-format", "jsonl", "-"],
        Some(input.as_bytes()),
    );
    assert_eq!(forced.code, 2, "{}", forced.stderr);
    assert!(
        forced.stderr.contains("doppel: -:1: invalid JSON"),
        "{}",
        forced.stderr
    );
    let lines: Vec<_> = places(&forced).into_iter().map(|p| p.1).collect();
    assert_eq!(lines, [Some(2), Some(3)]);
}

#[test]
fn a_json_file_of_one_object_per_line_is_json_lines_and_a_json_document_is_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.json"), records(&["r1", "r2", "r3"])).unwrap();
    std::fs::write(
        dir.path().join("pretty.json"),
        format!("{{\n  \"text\": \"{TEXT}\"\n}}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        "{\"name\": \"a minified settings file\", \"version\": 2}\n",
    )
    .unwrap();
    let run = scan(dir.path(), &["."], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let found = places(&run);
    let at =
        |p: &str, line: Option<u64>, id: Option<&str>| (p.to_owned(), line, id.map(str::to_owned));
    assert_eq!(
        found,
        [
            at("./config.json", None, None),
            at("./data.json", Some(1), Some("r1")),
            at("./data.json", Some(2), Some("r2")),
            at("./data.json", Some(3), Some("r3")),
            at("./pretty.json", None, None),
        ]
    );
    // The flag reads the data file as one text document.
    let text = scan(dir.path(), &["--input-format", "text", "data.json"], None);
    assert_eq!(places(&text), [at("data.json", None, None)]);
}

#[test]
fn records_without_the_default_text_field_are_recognised_by_two_objects() {
    let dir = tempfile::tempdir().unwrap();
    let body: String = ["one", "two"]
        .iter()
        .map(|id| format!("{{\"id\": \"{id}\", \"content\": \"{TEXT}\"}}\n"))
        .collect();
    std::fs::write(dir.path().join("hub.json"), &body).unwrap();
    let run = scan(dir.path(), &["--text-field", "content", "hub.json"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<_> = places(&run).into_iter().map(|p| p.2).collect();
    assert_eq!(ids, [Some("one".to_owned()), Some("two".to_owned())]);
    // Without the field named, each line says what is missing.
    let run = scan(dir.path(), &["hub.json"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("hub.json:1: no field \"text\""),
        "{}",
        run.stderr
    );
}

#[test]
fn a_compressed_json_file_is_looked_at_through_its_compression() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(records(&["g1", "g2"]).as_bytes())
        .unwrap();
    std::fs::write(dir.path().join("data.json.gz"), encoder.finish().unwrap()).unwrap();
    let run = scan(dir.path(), &["data.json.gz"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<_> = places(&run).into_iter().map(|p| p.2).collect();
    assert_eq!(ids, [Some("g1".to_owned()), Some("g2".to_owned())]);
}

#[test]
fn forced_text_reads_a_jsonl_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.jsonl"), records(&["a", "b"])).unwrap();
    let run = scan(dir.path(), &["--input-format", "text", "c.jsonl"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(places(&run), [("c.jsonl".to_owned(), None, None)]);
}

#[test]
fn an_unknown_format_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let run = doppel_in(dir.path(), &["scan", "--input-format", "csv", "."], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("'csv' is not one of auto, text, jsonl, parquet"),
        "{}",
        run.stderr
    );
}

#[cfg(not(feature = "parquet"))]
#[test]
fn forcing_parquet_without_the_feature_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let run = doppel_in(
        dir.path(),
        &["scan", "--input-format", "parquet", "rows.bin"],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("Parquet support is not built in; build with --features parquet"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[cfg(feature = "parquet")]
#[test]
fn a_parquet_table_cannot_come_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let run = scan(
        dir.path(),
        &["--input-format", "parquet", "-"],
        Some(b"PAR1"),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot be read from standard input"),
        "{}",
        run.stderr
    );
}

#[test]
fn clean_refuses_json_lines_from_standard_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = records(&["a", "b", "c"]);
    let run = doppel_in(
        dir.path(),
        &["clean", "-", "-o", "out"],
        Some(input.as_bytes()),
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("standard input is read as JSON Lines, which clean cannot write back"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("out").exists());
    // A dry run writes nothing, so it may read them.
    let dry = doppel_in(
        dir.path(),
        &["clean", "--dry-run", "-"],
        Some(input.as_bytes()),
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains("3 documents"), "{}", dry.stdout);
}

#[test]
fn clean_of_a_json_lines_file_named_json_restores_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let input = records(&["a", "b", "c"]);
    std::fs::write(dir.path().join("data.json"), &input).unwrap();
    let clean = doppel_in(dir.path(), &["clean", "data.json", "-o", "out"], None);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    let cleaned = std::fs::read_to_string(dir.path().join("out/data.json")).unwrap();
    // The second copy of the duplicate record is removed; the lines stay records.
    assert_eq!(cleaned.lines().count(), 2, "{cleaned}");
    assert!(
        cleaned.lines().all(|l| l.starts_with("{\"id\"")),
        "{cleaned}"
    );
    let restore = doppel_in(dir.path(), &["restore", "out", "-o", "back"], None);
    assert_eq!(restore.code, 0, "{}", restore.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("back/data.json")).unwrap(),
        input
    );
}

#[test]
fn sign_and_index_read_standard_input_as_records_too() {
    let dir = tempfile::tempdir().unwrap();
    let input = records(&["a", "b", "c"]);
    let sign = doppel_in(
        dir.path(),
        &["sign", "-", "-o", "sigs"],
        Some(input.as_bytes()),
    );
    assert_eq!(sign.code, 0, "{}", sign.stderr);
    let cluster = doppel_in(dir.path(), &["cluster", "--format", "json", "sigs"], None);
    assert_eq!(cluster.code, 0, "{}", cluster.stderr);
    assert!(
        cluster.stdout.contains("\"id\":\"a\""),
        "{}",
        cluster.stdout
    );
    assert!(
        cluster.stdout.contains("\"id\":\"b\""),
        "{}",
        cluster.stdout
    );
    let index = doppel_in(
        dir.path(),
        &["index", "create", "idx", "-"],
        Some(input.as_bytes()),
    );
    assert_eq!(index.code, 0, "{}", index.stderr);
    assert!(
        index.stdout.contains("added 3 documents"),
        "{}",
        index.stdout
    );
}
