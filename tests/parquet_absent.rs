//! Without the `parquet` feature a Parquet input is one clear error naming
//! the file, and the other inputs are read.

#![cfg(not(feature = "parquet"))]

mod util;

use util::doppel;

#[test]
fn a_parquet_input_says_the_feature_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("rows.parquet");
    std::fs::write(&table, b"PAR1 not really a table PAR1").unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "a plain text document\n").unwrap();
    let run = doppel(&["scan", table.to_str().unwrap(), text.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let expected = format!(
        "{}: Parquet support is not built in; build with --features parquet",
        table.display()
    );
    assert!(
        run.stderr.lines().any(|line| line.ends_with(&expected)),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("notes.txt"), "{}", run.stdout);
}

#[test]
fn restoring_a_table_says_the_feature_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("t.parquet"), b"PAR1").unwrap();
    // The row fails before any hash is compared.
    let hash = "2d06800538d394c2";
    let lines = [
        r#"{"type":"begin","schema":2,"version":"0.1.0"}"#.to_owned(),
        format!(
            r#"{{"type":"document","doc":0,"path":"t.parquet","output":"t.parquet","written":true,"encoding":"UTF-8","bom":false,"lossless":true,"input_bytes":0,"input_xxh3":"{hash}","bytes":0,"text_xxh3":"{hash}","output_bytes":0,"output_xxh3":"{hash}","line":1,"text_field":"text"}}"#
        ),
        r#"{"type":"table","output":"t.parquet","text_field":"text","rows":1,"output_bytes":4,"output_xxh3":"0","removed":".doppel-removed/t.parquet","removed_rows":0,"removed_bytes":4,"removed_xxh3":"0","rows_xxh3":"0"}"#.to_owned(),
        r#"{"type":"summary","documents":1,"removed_documents":0,"removals":0,"removed_bytes":0}"#.to_owned(),
    ];
    std::fs::write(out.join("manifest.jsonl"), lines.join("\n") + "\n").unwrap();
    let back = dir.path().join("back");
    let run = doppel(&[
        "restore",
        out.to_str().unwrap(),
        "-o",
        back.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "t.parquet:1: Parquet support is not built in; build with --features parquet"
        ),
        "{}",
        run.stderr
    );
    assert!(!back.join("t.parquet").exists());
}
