//! End-to-end tests of Parquet inputs: `scan` reads a row as a document,
//! `clean` writes the table back as Parquet, `restore` rebuilds its rows.
//! Tables are made here with the arrow writer.

#![cfg(feature = "parquet")]

mod util;

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use proptest::prelude::*;
use serde_json::Value;
use util::{doppel, Run};

/// One row of a test table.
#[derive(Clone, Debug)]
struct Row {
    id: String,
    text: Option<String>,
    number: Option<i64>,
    score: Option<f64>,
    flag: bool,
    note: Option<String>,
    tags: Option<Vec<String>>,
}

fn row(id: &str, text: &str) -> Row {
    let n = id.bytes().map(u64::from).sum::<u64>();
    Row {
        id: id.to_owned(),
        text: Some(text.to_owned()),
        number: (n % 3 != 0).then_some(n as i64 * 1_000_003),
        score: (n % 4 != 1).then_some(n as f64 / 7.0),
        flag: n % 2 == 0,
        note: (n % 5 != 2).then(|| format!("note {id} — 注記")),
        tags: (n % 3 != 1).then(|| vec![format!("t{}", n % 10), "共通".to_owned()]),
    }
}

fn schema() -> SchemaRef {
    let text = Field::new("text", DataType::Utf8, true).with_metadata(
        [("comment".to_owned(), "the document".to_owned())]
            .into_iter()
            .collect(),
    );
    let tags = Field::new(
        "tags",
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        true,
    );
    Arc::new(
        Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            text,
            Field::new("number", DataType::Int64, true),
            Field::new("score", DataType::Float64, true),
            Field::new("flag", DataType::Boolean, false),
            Field::new("note", DataType::Utf8, true),
            tags,
        ])
        .with_metadata(
            [("source".to_owned(), "made by the test".to_owned())]
                .into_iter()
                .collect(),
        ),
    )
}

fn batch(rows: &[Row]) -> RecordBatch {
    let mut tags = ListBuilder::new(StringBuilder::new());
    for row in rows {
        match &row.tags {
            Some(values) => {
                for value in values {
                    tags.values().append_value(value);
                }
                tags.append(true);
            }
            None => tags.append(false),
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.id))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.text.clone()))),
        Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.number))),
        Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.score))),
        Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.flag)))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.note.clone()))),
        Arc::new(tags.finish()),
    ];
    RecordBatch::try_new(schema(), columns).expect("columns fit the schema")
}

/// Writes `rows` as a Parquet file in row groups of `group_rows` rows, with
/// file key/value metadata.
fn write_table(path: &Path, rows: &[Row], group_rows: usize) {
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group_rows))
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            "writer".to_owned(),
            "tests/parquet.rs".to_owned(),
        )]))
        .build();
    let file = File::create(path).expect("create table");
    let mut writer = ArrowWriter::try_new(file, schema(), Some(props)).expect("writer");
    // Written in small batches so row groups split where the test says.
    for chunk in rows.chunks(group_rows.max(1)) {
        writer.write(&batch(chunk)).expect("write rows");
    }
    writer.close().expect("close table");
}

/// A table read back: its schema, its key/value metadata (less the arrow
/// schema), its rows in one batch, and its row group count.
struct Table {
    schema: SchemaRef,
    metadata: Vec<(String, Option<String>)>,
    rows: RecordBatch,
    groups: usize,
}

fn read_table(path: &Path) -> Table {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file");
    let schema = builder.schema().clone();
    let metadata = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kvs| {
            kvs.iter()
                .filter(|kv| kv.key != "ARROW:schema")
                .map(|kv| (kv.key.clone(), kv.value.clone()))
                .collect()
        })
        .unwrap_or_default();
    let groups = builder.metadata().num_row_groups();
    let batches: Vec<RecordBatch> = builder
        .build()
        .expect("reader")
        .collect::<Result<_, _>>()
        .expect("rows");
    let rows = arrow_select::concat::concat_batches(&schema, &batches).expect("concat");
    Table {
        schema,
        metadata,
        rows,
        groups,
    }
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The (line, id) of each member of each cluster of a JSON report.
fn clusters(run: &Run) -> Vec<Vec<(u64, String)>> {
    json_lines(&run.stdout)
        .iter()
        .filter(|v| v["type"] == "cluster")
        .map(|c| {
            c["members"]
                .as_array()
                .map(|members| {
                    members
                        .iter()
                        .map(|m| {
                            (
                                m["line"].as_u64().unwrap_or(0),
                                m["id"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

const LATIN: &str = "The harbour master counted forty ships at dawn, each flying a different \
     flag, while the fishermen mended their nets on the old stone pier and argued about the \
     price of herring, the weather, and the new lighthouse keeper who never spoke to anyone.";
const CJK: &str = "東京の天気は晴れです。今日は散歩に行きましょう。公園には桜が咲いていて、\
     とても美しい景色が広がっています。子供たちは池のそばで遊び、老人たちはベンチで将棋を指して\
     いました。夕方になると、空は赤く染まり、鳥たちが巣に帰っていきました。";

const OWN: &str = "Gulls circled over the market square all afternoon. The baker sold out of \
     rye loaves by noon, the cobbler closed early to visit his sister in the valley, and two \
     students painted the fountain blue for a bet nobody remembers winning. In the evening the \
     town band rehearsed a march that had not been played since the old mayor retired, and the \
     children counted the wrong notes aloud from the steps of the library until it grew dark.";

/// Rows with an exact Latin duplicate and a near CJK duplicate.
fn corpus_rows() -> Vec<Row> {
    let near = CJK.replace("将棋", "囲碁");
    vec![
        row("r1", LATIN),
        row(
            "r2",
            "A short note about baking bread with rye flour and caraway seeds.",
        ),
        row("r3", CJK),
        row("r4", LATIN),
        row("r5", &near),
        row(
            "r6",
            "Completely different: a list of train times from Lyon to Grenoble.",
        ),
        row("r7", &format!("{LATIN}\n\n{OWN}")),
    ]
}

#[test]
fn scan_finds_exact_and_near_duplicate_rows_by_row_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("corpus.parquet");
    write_table(&table, &corpus_rows(), 3);
    let run = doppel(&["scan", "--format", "json", s(&table)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let documents: Vec<(u64, String)> = json_lines(&run.stdout)
        .iter()
        .filter(|v| v["type"] == "document")
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(u64, String)> = (1..=7).map(|n| (n, format!("r{n}"))).collect();
    assert_eq!(documents, expected);
    let found = clusters(&run);
    let pair = |a: u64, b: u64| vec![(a, format!("r{a}")), (b, format!("r{b}"))];
    assert!(found.contains(&pair(1, 4)), "{found:?}");
    assert!(found.contains(&pair(3, 5)), "{found:?}");
    let unrelated = |(line, _): &(u64, String)| *line == 2 || *line == 6;
    assert!(!found.iter().flatten().any(unrelated), "{found:?}");
    let human = doppel(&["scan", s(&table)]);
    assert!(
        human.stdout.contains(&format!("{}:4", table.display())),
        "{}",
        human.stdout
    );
}

#[test]
fn an_integer_id_column_and_a_missing_one_name_rows() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.parquet");
    write_table(&table, &corpus_rows(), 10);
    // `number` is an integer column, null in some rows: those get the row.
    let run = doppel(&[
        "scan",
        "--format",
        "json",
        "--id-field",
        "number",
        s(&table),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<String> = json_lines(&run.stdout)
        .iter()
        .filter(|v| v["type"] == "document")
        .map(|d| d["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let rows = corpus_rows();
    let expected: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(at, r)| r.number.map_or((at + 1).to_string(), |n| n.to_string()))
        .collect();
    assert_eq!(ids, expected);
    let run = doppel(&[
        "scan",
        "--format",
        "json",
        "--id-field",
        "absent",
        s(&table),
    ]);
    let ids: Vec<String> = json_lines(&run.stdout)
        .iter()
        .filter(|v| v["type"] == "document")
        .map(|d| d["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6", "7"]);
}

#[test]
fn a_null_text_is_an_error_for_its_row_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.parquet");
    let mut rows = corpus_rows();
    rows[1].text = None;
    write_table(&table, &rows, 3);
    let run = doppel(&["scan", "--format", "json", s(&table)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("{}:2: its text is null", table.display())),
        "{}",
        run.stderr
    );
    let documents = json_lines(&run.stdout)
        .iter()
        .filter(|v| v["type"] == "document")
        .count();
    assert_eq!(documents, 6);
    assert!(clusters(&run).len() >= 2, "{}", run.stdout);
}

#[test]
fn a_corrupt_table_and_a_wrong_text_column_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("broken.parquet");
    std::fs::write(&corrupt, b"PAR1 this is not a table at all PAR1").unwrap();
    let good = dir.path().join("good.parquet");
    write_table(&good, &corpus_rows(), 3);
    let run = doppel(&["scan", s(&corrupt), s(&good)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("broken.parquet"))
        .unwrap_or_default();
    assert!(
        line.contains("not a readable Parquet file"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("good.parquet:7"), "{}", run.stdout);

    let run = doppel(&["scan", "--text-field", "score", s(&good)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("column \"score\" holds Float64, not strings"),
        "{}",
        run.stderr
    );
    let run = doppel(&["scan", "--text-field", "body", s(&good)]);
    assert!(
        run.stderr.contains("no column named \"body\""),
        "{}",
        run.stderr
    );
}

/// Asserts that the table at `restored` has the rows, schema and metadata
/// of the table at `input`.
fn assert_same_table(input: &Path, restored: &Path) {
    let (a, b) = (read_table(input), read_table(restored));
    assert_eq!(a.schema, b.schema, "schema, with its metadata");
    assert_eq!(a.metadata, b.metadata, "key/value metadata");
    assert_eq!(a.rows, b.rows, "every value of every row");
}

/// Cleans `input` into OUT and restores it into BACK; returns both runs.
fn clean_and_restore(dir: &Path, input: &Path) -> (Run, Run) {
    clean_and_restore_keeping(dir, input, "first")
}

fn clean_and_restore_keeping(dir: &Path, input: &Path, keep: &str) -> (Run, Run) {
    let (out, back) = (dir.join("out"), dir.join("back"));
    let cleaned = doppel(&["clean", "--keep", keep, s(input), "-o", s(&out)]);
    let restored = doppel(&["restore", s(&out), "-o", s(&back)]);
    (cleaned, restored)
}

#[test]
fn clean_writes_a_table_and_restore_rebuilds_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let table = input.join("corpus.parquet");
    let rows = corpus_rows();
    // Row groups of 2: duplicates sit across group boundaries.
    write_table(&table, &rows, 2);
    assert!(read_table(&table).groups >= 4);
    let (cleaned, restored) = clean_and_restore(dir.path(), &input);
    assert_eq!(cleaned.code, 0, "{}", cleaned.stderr);
    assert_eq!(restored.code, 0, "{}\n{}", restored.stdout, restored.stderr);

    let out = dir.path().join("out/in");
    let written = read_table(&out.join("corpus.parquet"));
    let original = read_table(&table);
    assert_eq!(written.schema, original.schema);
    assert_eq!(written.metadata, original.metadata);
    let ids = |t: &Table| -> Vec<String> {
        let column = t
            .rows
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        column
            .iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect()
    };
    // r4 is r1's copy and r5 r3's near copy: both go, in order.
    assert_eq!(ids(&written), ["r1", "r2", "r3", "r6", "r7"]);
    let texts = written
        .rows
        .column(1)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    // r7 keeps only its own paragraph: the first was r1's.
    assert!(
        !texts.value(4).contains("harbour master"),
        "{}",
        texts.value(4)
    );
    assert!(texts.value(4).contains("Gulls circled"));
    // Every other column of a kept row is the input's.
    let kept = [0usize, 1, 2, 5, 6];
    for column in [2, 3, 4, 5, 6] {
        for (at, &input_row) in kept.iter().enumerate() {
            assert_eq!(
                written.rows.column(column).slice(at, 1).to_data(),
                original.rows.column(column).slice(input_row, 1).to_data(),
                "column {column}, row {input_row}"
            );
        }
    }
    let manifest =
        json_lines(&std::fs::read_to_string(dir.path().join("out/manifest.jsonl")).unwrap());
    let table_line = manifest
        .iter()
        .find(|l| l["type"] == "table")
        .expect("a table line");
    assert_eq!(table_line["rows"], 7);
    assert_eq!(table_line["removed_rows"], 2);
    let removed = dir
        .path()
        .join("out")
        .join(table_line["removed"].as_str().unwrap());
    assert_eq!(read_table(&removed).rows.num_rows(), 2);

    assert_same_table(&table, &dir.path().join("back/in/corpus.parquet"));
}

#[test]
fn rows_that_are_no_document_pass_through_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let table = input.join("t.parquet");
    let mut rows = corpus_rows();
    rows[1].text = None;
    rows[5].text = None;
    write_table(&table, &rows, 3);
    let (cleaned, restored) = clean_and_restore(dir.path(), &input);
    // The null rows are reported, and the run goes on.
    assert_eq!(cleaned.code, 2, "{}", cleaned.stderr);
    assert!(
        cleaned.stderr.contains("t.parquet:2: its text is null"),
        "{}",
        cleaned.stderr
    );
    assert_eq!(restored.code, 0, "{}\n{}", restored.stdout, restored.stderr);
    assert_eq!(
        read_table(&dir.path().join("out/in/t.parquet"))
            .rows
            .num_rows(),
        5
    );
    assert_same_table(&table, &dir.path().join("back/in/t.parquet"));
}

#[test]
fn a_table_changed_after_clean_is_not_restored_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    write_table(&input.join("t.parquet"), &corpus_rows(), 3);
    std::fs::write(input.join("plain.txt"), "a text file beside the table\n").unwrap();
    let out = dir.path().join("out");
    assert_eq!(doppel(&["clean", s(&input), "-o", s(&out)]).code, 0);
    // The removed rows rewritten with other values: same rows, other bytes.
    let removed = out.join(".doppel-removed/in/t.parquet");
    let mut gone = read_table(&removed).rows;
    let mut columns = gone.columns().to_vec();
    columns[2] = Arc::new(Int64Array::from(vec![Some(1); gone.num_rows()]));
    gone = RecordBatch::try_new(gone.schema(), columns).unwrap();
    let file = File::create(&removed).unwrap();
    let mut writer = ArrowWriter::try_new(file, gone.schema(), None).unwrap();
    writer.write(&gone).unwrap();
    writer.close().unwrap();
    let back = dir.path().join("back");
    let run = doppel(&["restore", s(&out), "-o", s(&back)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains(".doppel-removed/in/t.parquet was changed after clean"),
        "{all}"
    );
    assert!(!back.join("in/t.parquet").exists());
    assert!(
        back.join("in/plain.txt").exists(),
        "the other files are restored"
    );
}

#[test]
fn rows_and_text_files_that_share_text_restore_together() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    // a.txt comes first: the table's copy of its text goes, and the table's
    // r7 loses its first paragraph to it; z.txt repeats a row.
    std::fs::write(input.join("a.txt"), format!("{LATIN}\n")).unwrap();
    let table = input.join("m.parquet");
    write_table(&table, &corpus_rows(), 2);
    std::fs::write(input.join("z.txt"), format!("{CJK}\n\n{OWN}\n")).unwrap();
    for keep in ["first", "longest"] {
        let here = dir.path().join(keep);
        let (cleaned, restored) = clean_and_restore_keeping(&here, &input, keep);
        assert_eq!(cleaned.code, 0, "{keep}: {}", cleaned.stderr);
        assert_eq!(
            restored.code, 0,
            "{keep}: {}{}",
            restored.stdout, restored.stderr
        );
        assert_same_table(&table, &here.join("back/in/m.parquet"));
        for name in ["a.txt", "z.txt"] {
            assert_eq!(
                std::fs::read(input.join(name)).unwrap(),
                std::fs::read(here.join("back/in").join(name)).unwrap(),
                "{keep}: {name}"
            );
        }
    }
    let cleaned = read_table(&dir.path().join("first/out/in/m.parquet"));
    assert_eq!(
        cleaned.rows.num_rows(),
        4,
        "r1, r4 (a.txt's copies) and r5 go"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Whatever the rows (duplicates, nulls, small row groups), clean and
    /// restore give the input's rows back.
    #[test]
    fn clean_then_restore_gives_the_rows_back(
        picks in prop::collection::vec((0usize..6, any::<bool>()), 1..24),
        group_rows in 1usize..6,
        keep in prop::sample::select(vec!["first", "longest"]),
    ) {
        let texts = [
            LATIN.to_owned(),
            CJK.to_owned(),
            format!("{LATIN}\n\n{CJK}"),
            CJK.replace("将棋", "囲碁"),
            "short".to_owned(),
            "Another line entirely, about mountains and rivers and a long road.".to_owned(),
        ];
        let rows: Vec<Row> = picks
            .iter()
            .enumerate()
            .map(|(at, &(text, null))| {
                let mut r = row(&format!("p{at}"), &texts[text]);
                if null && at % 3 == 0 {
                    r.text = None;
                }
                r
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap();
        let table = input.join("p.parquet");
        write_table(&table, &rows, group_rows);
        let (cleaned, restored) = clean_and_restore_keeping(dir.path(), &input, keep);
        prop_assert!(cleaned.code == 0 || cleaned.code == 2, "{}", cleaned.stderr);
        if rows.iter().all(|r| r.text.is_none()) {
            // No row is a document: like an unreadable file, left out.
            prop_assert_eq!(cleaned.code, 2);
            return Ok(());
        }
        prop_assert_eq!(restored.code, 0, "{}\n{}", restored.stdout, restored.stderr);
        let (a, b) = (read_table(&table), read_table(&dir.path().join("back/in/p.parquet")));
        prop_assert_eq!(a.schema, b.schema);
        prop_assert_eq!(a.metadata, b.metadata);
        prop_assert_eq!(a.rows, b.rows);
    }
}
