//! Times [`Engine::scan`] end to end on a generated JSON Lines corpus: read,
//! decode, segment, fingerprint, blocks inside documents, sketches, LSH
//! candidates, verification (on the shingle sets spilled to a temporary file),
//! clusters, repeated segments and boilerplate, into a sink that discards
//! the results (`scan_64M`); and the same with only duplicate documents
//! looked for (`documents_64M`, what `scan --find documents` does).
//!
//! The corpus (`tests/common/labelled.rs`, 64 MiB, seed as in the tests) is
//! generated into `benches/data/` outside the timed loop, once, and reused.
//! Whole-run figures on gigabyte corpora come from `benches/corpus_run.sh`.

#[path = "../tests/common/labelled.rs"]
mod labelled;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use doppel::input::jsonl::JsonlOptions;
use doppel::input::{expand, InputOptions};
use doppel::{CorpusReport, EngineBuilder, Findings, ScannedDoc, Sink};

const CORPUS_BYTES: u64 = 64 << 20;

/// Counts clusters and drops everything else.
#[derive(Default)]
struct Count {
    documents: usize,
    clusters: usize,
}

impl Sink for Count {
    fn document(&mut self, _doc: &ScannedDoc) -> std::io::Result<()> {
        self.documents += 1;
        Ok(())
    }

    fn corpus(&mut self, report: CorpusReport) -> std::io::Result<()> {
        self.clusters = report.clusters.len();
        Ok(())
    }
}

/// The corpus file, generated when it is not there yet.
fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data");
    let path = dir.join("corpus-bench-64M.jsonl");
    if !path.exists() {
        std::fs::create_dir_all(&dir).expect("benches/data");
        let partial = path.with_extension("jsonl.partial");
        let mut out = BufWriter::new(File::create(&partial).expect("create the corpus"));
        labelled::write_jsonl_bytes(&labelled::Config::default(), CORPUS_BYTES, &mut out)
            .expect("write the corpus");
        out.flush().expect("write the corpus");
        drop(out);
        std::fs::rename(&partial, &path).expect("rename the corpus");
    }
    path
}

fn scan(c: &mut Criterion) {
    let path = corpus();
    let bytes = std::fs::metadata(&path).expect("the corpus").len();
    let options = InputOptions {
        jsonl: JsonlOptions {
            site_field: Some("site".to_owned()),
            ..JsonlOptions::default()
        },
        ..InputOptions::default()
    };
    let (entries, problems) = expand(&[path], &options);
    assert!(problems.is_empty());
    let engine = EngineBuilder::new().build().expect("default settings");
    let mut only_documents = Findings::none();
    only_documents.documents = true;
    let documents_only = EngineBuilder::new()
        .find(only_documents)
        .build()
        .expect("valid settings");

    let mut group = c.benchmark_group("corpus");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Bytes(bytes));
    for (name, engine) in [("scan_64M", &engine), ("documents_64M", &documents_only)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut sink = Count::default();
                engine
                    .scan(&entries, Vec::new(), &mut sink)
                    .expect("the scan runs");
                assert!(sink.clusters > 0 && sink.documents > 0);
                sink.clusters
            })
        });
    }
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
