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
