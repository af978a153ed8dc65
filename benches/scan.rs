//! Scan benchmarks. See `benches/README.md` for how to run them and the
//! figures measured.
//!
//! - `page/scan_text`: [`Engine::scan_text`] on the real scraped page
//!   `corpus/scraped_page_zh.txt` (77 KB, UTF-8), read once before timing.
//!   Times segment + normalize + shingle + sketch + in-document detection of
//!   already decoded text, plus one copy of the text into the document.
//! - `page/decode_and_scan`: the same page from its raw bytes (also read
//!   once): [`Engine::scan_loaded`] on a copy of the loaded bytes (encoding
//!   detection, decoding, then the scan).
//! - `page/normalize_paragraphs`: [`Normalizer::normalize`] alone on each
//!   paragraph of the same page: the per-character stage that was most of
//!   the time on Chinese and Japanese text (see "Speed on mostly CJK
//!   corpora" in `benches/README.md`).
//! - `corpus/100MiB` and `corpus/200MiB`: the whole pipeline through
//!   [`Engine::scan`] over generated folders of web-like pages (see
//!   `webgen`): walk + read + decode + segment + fingerprint + detect, on
//!   every core, into a sink that only counts. 100 MiB is part 1; 200 MiB is
//!   parts 1 and 2, made alike from different seeds. The parts are written to
//!   `benches/data/` before timing and reused when already there.

use std::hint::black_box;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use doppel::document::Origin;
use doppel::input::{expand, Content, InputOptions, LoadedDoc};
use doppel::{Engine, EngineBuilder, Normalizer, ScannedDoc, Sink, Summary};

mod webgen;

/// Bytes of one generated part.
const PART_BYTES: u64 = 100 << 20;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn page(c: &mut Criterion) {
    let path = manifest_dir().join("corpus/scraped_page_zh.txt");
    let bytes = std::fs::read(&path).expect("read the page");
    let text = String::from_utf8(bytes.clone()).expect("the page is UTF-8");
    let raw = LoadedDoc {
        entry: 0,
        origin: Origin::Path(path),
        walked: false,
        group: String::new(),
        content: Content::Bytes(bytes),
    };
    let engine = EngineBuilder::new().build().expect("default settings");
    let mut group = c.benchmark_group("page");
    group.throughput(Throughput::Bytes(raw.input_bytes() as u64));
    group.bench_function("scan_text", |b| {
        b.iter(|| engine.scan_text(Origin::Stdin, black_box(&text)))
    });
    group.bench_function("decode_and_scan", |b| {
        b.iter(|| engine.scan_loaded(black_box(raw.clone())).expect("decodes"))
    });
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    let mut normalizer = Normalizer::new();
    group.bench_function("normalize_paragraphs", |b| {
        b.iter(|| {
            paragraphs
                .iter()
                .map(|paragraph| normalizer.normalize(black_box(paragraph)).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

/// Counts what it is given and keeps nothing.
#[derive(Default)]
struct Count {
    documents: usize,
    blocks: usize,
}

impl Sink for Count {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        self.documents += 1;
        self.blocks += doc.blocks.len();
        Ok(())
    }
}

/// Walks `roots` and scans everything found: the timed unit of `corpus/*`.
fn scan_folders(engine: &Engine, roots: &[PathBuf]) -> (Count, Summary) {
    let (entries, problems) = expand(roots, &InputOptions::default());
    assert!(problems.is_empty(), "walk problems: {}", problems.len());
    let mut sink = Count::default();
    let summary = engine.scan(&entries, Vec::new(), &mut sink).expect("scan");
    (sink, summary)
}

fn corpus(c: &mut Criterion) {
    let data = manifest_dir().join("benches/data");
    let parts: Vec<webgen::Part> = (1..=2)
        .map(|n| webgen::ensure(&data, n, PART_BYTES).expect("generate the corpus"))
        .collect();
    let engine = EngineBuilder::new().build().expect("default settings");
    let mut group = c.benchmark_group("corpus");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for count in 1..=parts.len() {
        let parts = &parts[..count];
        let roots: Vec<PathBuf> = parts.iter().map(|p| p.root.clone()).collect();
        let bytes: u64 = parts.iter().map(|p| p.bytes).sum();
        check_once(&engine, &roots, parts);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(format!("{}MiB", bytes >> 20), |b| {
            b.iter(|| scan_folders(&engine, &roots))
        });
    }
    group.finish();
}

/// Makes sure the walk finds every generated file (nothing ignored or
/// skipped) and says what the corpus holds.
fn check_once(engine: &Engine, roots: &[PathBuf], parts: &[webgen::Part]) {
    let files: usize = parts.iter().map(|p| p.files).sum();
    let (count, summary) = scan_folders(engine, roots);
    assert_eq!(count.documents, files, "every generated file is scanned");
    eprintln!(
        "corpus: {} files, {} bytes, {} blocks, {} duplicate bytes",
        files, summary.input_bytes, count.blocks, summary.duplicate_bytes
    );
}

criterion_group!(benches, page, corpus);
criterion_main!(benches);
