//! End-to-end tests of `doppel clean --annotate`: every record kept, the
//! `doppel_` fields right, inputs untouched, refusals named.

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

/// The input's lines: 1 kept, 2 unique, 3 an exact copy of 1, a line that
/// is no document (no text field), 5 a record with a block repeated
/// inside, 6 a near copy of 1; a blank line between 2 and 3.
fn input_lines() -> Vec<String> {
    let inner = format!(
        "Intro line here.\n\n{PARAGRAPH}\n\nMiddle part of this record.\n\n{PARAGRAPH}\n\nOutro.\n"
    );
    let near = ARTICLE.replace("Monday", "Tuesday");
    vec![
        serde_json::json!({"id": "xyz", "text": ARTICLE, "meta": {"n": 1}}).to_string(),
        format!(r#"{{ "text" : {}, "id":"q1" }}"#, serde_json::json!(OTHER)),
        serde_json::json!({"id": "abc", "text": ARTICLE}).to_string(),
        r#"{"id":"empty","note":"no text here"}"#.to_owned(),
        serde_json::json!({"id": "b2", "text": inner}).to_string(),
        serde_json::json!({"id": "edited", "text": near}).to_string(),
    ]
}

struct Annotated {
    _dir: tempfile::TempDir,
    input: PathBuf,
    out: PathBuf,
    run: Run,
}

/// Annotates `files` (name, contents), each in one folder, into `out`.
fn annotate(files: &[(&str, String)], extra: &[&str]) -> Annotated {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("input folder");
    for (name, contents) in files {
        std::fs::write(input.join(name), contents).expect("write input");
    }
    let out = dir.path().join("out");
    let mut args = vec!["clean", "--annotate", s(&input), "-o", s(&out)];
    args.extend_from_slice(extra);
    let run = doppel(&args);
    Annotated {
        _dir: dir,
        input,
        out,
        run,
    }
}

/// The input file: [`input_lines`], with a blank line after the second.
fn jsonl_input() -> String {
    let lines = input_lines();
    format!("{}\n{}\n\n{}\n", lines[0], lines[1], lines[2..].join("\n"))
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/schemas/annotation.schema.json"))
        .unwrap_or_default();
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_valid(value: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{value}: {errors:#?}");
}

/// `line` without the fields annotate added at its end.
fn without_fields(line: &str) -> String {
    match line.find(",\"doppel_cluster\":") {
        Some(at) => format!("{}}}", &line[..at]),
        None => line.to_owned(),
    }
}

#[test]
fn every_record_is_kept_and_the_duplicates_are_marked() {
    let input = jsonl_input();
    let done = annotate(&[("data.jsonl", input.clone())], &[]);
    // The line with no text field is a problem of the scan, as for clean.
    assert_eq!(done.run.code, 2, "{}", done.run.stderr);
    assert!(
        done.run.stderr.contains("data.jsonl:5"),
        "{}",
        done.run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(done.input.join("data.jsonl")).ok(),
        Some(input),
        "the input is untouched"
    );
    let written = std::fs::read_to_string(done.out.join("in/data.jsonl")).unwrap_or_default();
    let lines: Vec<&str> = written.lines().collect();
    let originals = input_lines();
    assert_eq!(
        lines.len(),
        originals.len(),
        "every non-blank line, in order"
    );
    for (line, original) in lines.iter().zip(&originals) {
        assert_eq!(&without_fields(line), original, "its own bytes unchanged");
    }
    assert_eq!(
        lines[3], originals[3],
        "a line that is no document as it was"
    );

    let records: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    for at in [0, 1, 2, 4, 5] {
        assert_valid(&records[at]);
    }
    let (kept, unique, exact, inner, near) = (
        &records[0],
        &records[1],
        &records[2],
        &records[4],
        &records[5],
    );
    assert_eq!(kept["meta"]["n"], 1, "the record's own fields are kept");
    assert_eq!(kept["doppel_keep"], true);
    assert_eq!(kept["doppel_reason"], Value::Null);
    assert_eq!(kept["doppel_duplicate_of"], Value::Null);
    assert_eq!(kept["doppel_duplicate_share"], 0.0);
    assert!(kept["doppel_cluster"].is_u64());
    assert_eq!(exact["doppel_keep"], false);
    assert_eq!(exact["doppel_reason"], "exact-duplicate");
    assert_eq!(exact["doppel_duplicate_of"], "xyz");
    assert_eq!(exact["doppel_duplicate_share"], 1.0);
    assert_eq!(exact["doppel_cluster"], kept["doppel_cluster"]);
    assert_eq!(near["doppel_keep"], false);
    assert_eq!(near["doppel_reason"], "near-duplicate");
    assert_eq!(near["doppel_duplicate_of"], "xyz");
    assert_eq!(near["doppel_cluster"], kept["doppel_cluster"]);
    assert_eq!(unique["doppel_cluster"], Value::Null);
    assert_eq!(unique["doppel_keep"], true);
    assert_eq!(unique["doppel_duplicate_share"], 0.0);
    assert_eq!(inner["doppel_keep"], true);
    let share = inner["doppel_duplicate_share"].as_f64().unwrap_or(0.0);
    assert!(share > 0.3 && share < 0.6, "one of two copies: {share}");
    assert!(
        !done.out.join("manifest.jsonl").exists(),
        "nothing removed, no manifest"
    );
    assert!(
        done.run
            .stdout
            .contains("5 documents annotated, none removed: 2 marked doppel_keep: false"),
        "{}",
        done.run.stdout
    );
}

#[test]
fn annotate_marks_what_a_dry_run_would_remove() {
    let input = jsonl_input();
    let done = annotate(&[("data.jsonl", input)], &[]);
    let dry = doppel(&["clean", "--dry-run", "--format", "json", s(&done.input)]);
    let removed: Vec<String> = dry
        .json()
        .iter()
        .filter(|v| v["reason"] == "duplicate-document")
        .map(|v| v["id"].as_str().unwrap_or("").to_owned())
        .collect();
    let written = std::fs::read_to_string(done.out.join("in/data.jsonl")).unwrap_or_default();
    let marked: Vec<String> = written
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["doppel_keep"] == false)
        .map(|v| v["id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(marked, removed);
    assert_eq!(marked, ["abc", "edited"]);
}

#[test]
fn a_record_that_already_has_an_annotation_field_refuses_its_file_only() {
    let lines = input_lines();
    let annotated = format!(
        "{}\n{}\n",
        lines[0], r#"{"id":"old","text":"an older record","doppel_keep":true}"#
    );
    let done = annotate(
        &[
            ("a.jsonl", annotated),
            ("b.jsonl", format!("{}\n", lines[2])),
        ],
        &[],
    );
    assert_eq!(done.run.code, 2);
    assert!(
        done.run.stderr.contains("a.jsonl")
            && done
                .run
                .stderr
                .contains("line 2 already has a field doppel_keep"),
        "{}",
        done.run.stderr
    );
    assert!(
        !done.out.join("in/a.jsonl").exists(),
        "the refused file is not written"
    );
    let b = std::fs::read_to_string(done.out.join("in/b.jsonl")).unwrap_or_default();
    assert!(b.contains("\"doppel_keep\":false"), "{b}");
    let left: Vec<_> = std::fs::read_dir(done.out.join("in"))
        .expect("out/in")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, ["b.jsonl"], "no temporary file left");
}

#[test]
fn text_files_get_a_line_each_in_the_annotations_file_and_are_not_copied() {
    let done = annotate(
        &[
            ("a.txt", format!("{ARTICLE}\n")),
            ("b.txt", format!("{ARTICLE}\n")),
            ("c.txt", format!("{OTHER}\n")),
        ],
        &[],
    );
    assert_eq!(done.run.code, 0, "{}", done.run.stderr);
    let text =
        std::fs::read_to_string(done.out.join("doppel-annotations.jsonl")).unwrap_or_default();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert_valid(line);
    }
    let a = s(&done.input.join("a.txt")).to_owned();
    assert_eq!(lines[0]["path"], a.as_str());
    assert_eq!(lines[0]["doppel_keep"], true);
    assert_eq!(lines[1]["doppel_keep"], false);
    assert_eq!(lines[1]["doppel_reason"], "exact-duplicate");
    assert_eq!(lines[1]["doppel_duplicate_of"], a.as_str());
    assert_eq!(lines[2]["doppel_cluster"], Value::Null);
    let written: Vec<_> = std::fs::read_dir(&done.out)
        .expect("out")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(written, ["doppel-annotations.jsonl"]);
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_inputs_are_refused_by_name_without_the_feature_and_the_others_annotated() {
    let lines = input_lines();
    let done = annotate(
        &[
            ("rows.parquet", "PAR1 not really".to_owned()),
            ("data.jsonl", format!("{}\n{}\n", lines[0], lines[2])),
        ],
        &[],
    );
    assert_eq!(done.run.code, 2);
    assert!(
        done.run
            .stderr
            .contains("rows.parquet: Parquet support is not built in"),
        "{}",
        done.run.stderr
    );
    assert!(done.out.join("in/data.jsonl").exists());
    assert!(!done.out.join("in/rows.parquet").exists());
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_rows_are_all_kept_with_the_five_columns_added() {
    use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ArrowWriter;
    use std::sync::Arc;

    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("input folder");
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, true),
        Field::new("n", DataType::Int64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["a", "b", "c", "d"])),
        Arc::new(StringArray::from(vec![
            Some(ARTICLE),
            Some(OTHER),
            None,
            Some(ARTICLE),
        ])),
        Arc::new(Int64Array::from(vec![1, 2, 3, 4])),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("batch");
    let file = std::fs::File::create(input.join("t.parquet")).expect("table");
    let mut writer = ArrowWriter::try_new(file, schema, None).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");

    let out = dir.path().join("out");
    let run = doppel(&["clean", "--annotate", s(&input), "-o", s(&out)]);
    assert_eq!(run.code, 2, "the null text is a problem, as for clean");
    assert!(run.stderr.contains("t.parquet:3"), "{}", run.stderr);
    let file = std::fs::File::open(out.join("in/t.parquet")).expect("annotated table");
    let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("Parquet")
        .build()
        .expect("reader")
        .map(|b| b.expect("batch"))
        .collect();
    let batch = &batches[0];
    assert_eq!(batch.num_rows(), 4, "every row kept");
    let column = |name: &str| batch.column_by_name(name).expect(name).clone();
    let n = column("n");
    let n = n.as_any().downcast_ref::<Int64Array>().expect("n");
    assert_eq!(n.values().to_vec(), [1, 2, 3, 4]);
    let keep = column("doppel_keep");
    let keep = keep.as_any().downcast_ref::<BooleanArray>().expect("keep");
    assert_eq!(
        (0..4)
            .map(|i| (!keep.is_null(i)).then(|| keep.value(i)))
            .collect::<Vec<_>>(),
        [Some(true), Some(true), None, Some(false)]
    );
    let of = column("doppel_duplicate_of");
    let of = of.as_any().downcast_ref::<StringArray>().expect("of");
    assert!(of.is_null(0) && of.is_null(1));
    assert_eq!(of.value(3), "a");
    let reason = column("doppel_reason");
    let reason = reason
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("reason");
    assert_eq!(reason.value(3), "exact-duplicate");
}

#[test]
fn the_output_folder_is_checked_and_dry_run_or_json_do_not_combine() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("a.txt");
    std::fs::write(&input, ARTICLE).expect("input");
    let busy = dir.path().join("busy");
    std::fs::create_dir(&busy).expect("busy");
    std::fs::write(busy.join("x"), "x").expect("x");
    let refused = doppel(&["clean", "--annotate", s(&input), "-o", s(&busy)]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("must be new or empty"),
        "{}",
        refused.stderr
    );
    for flag in ["--dry-run", "--format=json"] {
        let run = doppel(&["clean", "--annotate", flag, s(&input), "-o", "o"]);
        assert_eq!(run.code, 2, "{flag}");
        assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    }
}

#[test]
fn an_input_named_like_the_annotations_file_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let named = dir.path().join("doppel-annotations.jsonl");
    std::fs::write(&named, format!("{}\n", input_lines()[0])).expect("input");
    let text = dir.path().join("a.txt");
    std::fs::write(&text, ARTICLE).expect("input");
    let out = dir.path().join("out");
    let run = doppel(&["clean", "--annotate", s(&named), s(&text), "-o", s(&out)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("would both be written to"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}
