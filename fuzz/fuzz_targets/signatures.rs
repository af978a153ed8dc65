//! Signature files: opening them and clustering from them.
//!
//! The input is a signature file (`doppel sign`'s Arrow IPC file). Its
//! footer's checksum would refuse almost every mutation, so each input is
//! tried as it is and, when its footer can be read, with the checksum
//! rewritten to match (`doppel_fuzz::signature_input`). Invariants, for each:
//! opening never panics, and a refusal is a `SignatureError` whose message
//! is one line starting with the file's name. A file that opens reads every
//! row without a refusal (rows were checked when it opened), its band key
//! and shingle accessors answer for every row, and each document's shingle
//! set is sorted without repeats. `cluster` over the file, then over two
//! copies of it (the path that checks files against each other), fails
//! exactly when opening failed, naming the file; when it succeeds it counts
//! every row of every copy, its clusters number documents it reported, and
//! with two copies every document of the second is a duplicate.
#![no_main]

use std::io;
use std::path::{Path, PathBuf};

use doppel::document::Origin;
use doppel::signature::{
    cluster, ClusterError, ClusterOptions, ClusterSink, Row, SignatureFile, SignatureWriter,
};
use doppel::{CorpusReport, DocumentFacts, Problem, Summary};
use doppel_fuzz::signature_input::reseal;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(dir) = std::env::var_os("DOPPEL_FUZZ_DUMP_SEEDS") {
        dump_seeds(Path::new(&dir));
    }
    check(data);
    if let Some(sealed) = reseal(data).filter(|sealed| sealed != data) {
        check(&sealed);
    }
});

/// What a file's rows hold, counted by kind.
#[derive(Debug, Default, PartialEq, Eq)]
struct Rows {
    documents: usize,
    errors: usize,
    input_errors: usize,
    skipped: usize,
}

fn check(bytes: &[u8]) {
    let folder = doppel_fuzz::scratch();
    let first = folder.path().join("a.sig.arrow");
    let second = folder.path().join("b.sig.arrow");
    std::fs::write(&first, bytes).expect("a signature file");
    std::fs::write(&second, bytes).expect("a signature file");

    let rows = match SignatureFile::open(&first) {
        Ok(file) => Some(read_rows(&file)),
        Err(err) => {
            assert_eq!(err.path, first, "the refusal names another file: {err}");
            assert_names(&err.to_string(), &[&first]);
            None
        }
    };
    let one = run_cluster(&[first.clone()]);
    let two = run_cluster(&[first.clone(), second.clone()]);
    let Some(rows) = rows else {
        assert!(one.is_none(), "cluster used a file that does not open");
        assert!(two.is_none(), "cluster used two files that do not open");
        return;
    };
    let Some(one) = one else { return };
    assert_eq!(one.summary.documents, rows.documents, "documents clustered");
    assert_eq!(
        one.summary.errors,
        rows.errors + rows.input_errors,
        "errors"
    );
    assert_eq!(one.summary.skipped, rows.skipped, "skipped files");
    assert_eq!(one.documents, rows.documents, "documents reported");
    let Some(two) = two else { return };
    assert_eq!(
        two.summary.documents,
        2 * rows.documents,
        "documents of two copies"
    );
    assert_eq!(two.summary.errors, 2 * (rows.errors + rows.input_errors));
    assert!(
        two.summary.duplicate_documents >= rows.documents,
        "two copies of {} documents, {} duplicates",
        rows.documents,
        two.summary.duplicate_documents
    );
}

/// Reads every row as the reader gives it.
fn read_rows(file: &SignatureFile) -> Rows {
    let mut rows = Rows::default();
    let mut count = 0;
    for read in file.read_rows() {
        count += 1;
        let row = match read.row {
            Ok(row) => row,
            Err(reason) => panic!("row {count} of an opened file refused: {reason}"),
        };
        match row {
            Row::Document { .. } => {
                rows.documents += 1;
                assert_eq!(read.shingle_count, read.shingles.len(), "row {count}");
                assert!(
                    read.shingles.windows(2).all(|pair| pair[0] < pair[1]),
                    "row {count}: a shingle set not sorted or with repeats"
                );
            }
            Row::Error { .. } => rows.errors += 1,
            Row::InputError { .. } => rows.input_errors += 1,
            Row::Skipped { .. } => rows.skipped += 1,
        }
    }
    assert_eq!(count, file.rows(), "rows read");
    rows
}

/// What a cluster run reported.
#[derive(Debug, Default)]
struct Reported {
    begun: bool,
    documents: usize,
    origins: usize,
    summary: Summary,
}

impl ClusterSink for Reported {
    fn begin(&mut self) -> io::Result<()> {
        assert!(!self.begun, "begun twice");
        self.begun = true;
        Ok(())
    }

    fn document(&mut self, _origin: &Origin, _facts: &DocumentFacts) -> io::Result<()> {
        assert!(self.begun, "a document before the start");
        self.documents += 1;
        Ok(())
    }

    fn problem(&mut self, _problem: &Problem) -> io::Result<()> {
        assert!(self.begun, "a problem before the start");
        Ok(())
    }

    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.origins = report.origins.len();
        for found in &report.clusters {
            assert!(found.members.len() >= 2, "a cluster of one: {found:?}");
            assert!(
                found.members.iter().all(|&m| (m as usize) < self.origins),
                "a cluster member without an origin: {found:?}"
            );
            assert!(found.members.is_sorted(), "members out of order: {found:?}");
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.summary = summary.clone();
        Ok(())
    }
}

/// Clusters `paths`; `None` when the run was refused, which must name one
/// of them.
fn run_cluster(paths: &[PathBuf]) -> Option<Reported> {
    let mut sink = Reported::default();
    match cluster(paths, &ClusterOptions::default(), &mut sink) {
        Ok(report) => {
            assert_eq!(report.summary, sink.summary, "summary");
            Some(sink)
        }
        Err(ClusterError::Signature(err)) => {
            assert!(paths.contains(&err.path), "refusal of another file: {err}");
            assert_names(
                &err.to_string(),
                &paths.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
            );
            assert!(!sink.begun, "a refused run reported something");
            None
        }
        Err(ClusterError::Io(err)) => {
            panic!("cluster failed writing to memory or a temporary file: {err}")
        }
    }
}

/// A refusal is one line starting with one of `paths`.
fn assert_names(message: &str, paths: &[&Path]) {
    assert!(
        !message.contains('\n'),
        "a refusal of more than one line: {message:?}"
    );
    assert!(
        paths
            .iter()
            .any(|path| message.starts_with(&format!("{}: ", path.display()))),
        "a refusal that does not start with the file's name: {message:?}"
    );
}

/// Writes the seed inputs: today's `doppel sign` of the generated corpus,
/// whole and file by file, with a missing path (an input error row), a
/// binary file (a skipped row) and an unreadable JSON Lines line (an error
/// row).
fn dump_seeds(dir: &Path) {
    static DONE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        std::fs::create_dir_all(dir).expect("the seed folder");
        let inputs = doppel_fuzz::scratch();
        let corpus = inputs.path().join("corpus");
        for (path, bytes) in doppel_fuzz::corpus::documents() {
            let path = inputs.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("a folder");
            std::fs::write(path, bytes).expect("a corpus file");
        }
        std::fs::write(corpus.join("binary.bin"), b"\x00\x01\x02\x00binary\x00").expect("a file");
        std::fs::write(
            corpus.join("bad.jsonl"),
            "{\"text\":\"fine\"}\n{\"text\":\n",
        )
        .expect("a file");
        let mut sets: Vec<(String, Vec<PathBuf>)> = vec![(
            "corpus".into(),
            vec![corpus.clone(), inputs.path().join("missing")],
        )];
        for (path, _) in doppel_fuzz::corpus::documents() {
            let name = path.replace('/', "-");
            sets.push((name, vec![inputs.path().join(path)]));
        }
        sets.push(("bad-jsonl".into(), vec![corpus.join("bad.jsonl")]));
        for (name, paths) in sets {
            let (entries, problems) =
                doppel::input::expand(&paths, &doppel::input::InputOptions::default());
            let problems = problems.into_iter().map(Problem::from).collect();
            let engine = doppel_fuzz::corpus::engine();
            let target = dir.join(format!("{name}.sig.arrow"));
            let mut writer =
                SignatureWriter::create(&target, &engine.sketch_params()).expect("a writer");
            engine
                .sign(&entries, problems, &mut writer)
                .expect("signing");
            writer.finish().expect("a signature file");
        }
    });
}
