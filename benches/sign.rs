//! Signing benchmarks. See `benches/README.md` for the whole-run figures of
//! `doppel sign` and `doppel cluster`.
//!
//! - `sign/page/sign_document`: [`Engine::sign_document`] on the real
//!   scraped page `corpus/scraped_page_zh.txt` (77 KB): segment, normalize,
//!   shingle, MinHash, band keys and the sorted compact shingle set.
//! - `sign/page/scan_documents`: [`Engine::scan_text`] on the same page with
//!   an engine that looks only for duplicate documents, the per-document
//!   work of `scan --find documents`, for comparison.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use doppel::document::Origin;
use doppel::{EngineBuilder, Findings};

fn page(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/scraped_page_zh.txt");
    let text = std::fs::read_to_string(&path).expect("read the page");
    let mut builder = EngineBuilder::new();
    builder.find(Findings::documents_only());
    let engine = builder.build().expect("valid settings");
    let document = engine.scan_text(Origin::Stdin, &text).document;
    let mut group = c.benchmark_group("sign/page");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("sign_document", |b| {
        b.iter(|| engine.sign_document(black_box(document.clone())))
    });
    group.bench_function("scan_documents", |b| {
        b.iter(|| engine.scan_text(Origin::Stdin, black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, page);
criterion_main!(benches);
