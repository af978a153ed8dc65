//! doppel finds, removes and shows duplicated text: blocks a document
//! repeats inside itself, exact and near-duplicate documents across a
//! corpus, repeated segments and boilerplate lines, in any language and
//! encoding. It is the library under the `doppel` command (`scan`, `clean`,
//! `restore`, `diff`, `check`, `sign`, `cluster`, `index`): every option of
//! the command exists here first as a setting.
//!
//! # A first scan
//!
//! Documents given as `(id, text)` pairs, one at a time or in batches; each
//! gives its blocks at once, and the corpus-wide findings come at the end.
//! A block is reported when each copy holds at least
//! [`min_units`](EngineBuilder::min_units) units (10 by default: words of
//! spaced scripts, characters of Chinese, Japanese and Korean), so a text
//! shorter than that finds nothing.
//!
//! ```
//! let notice = "Subscribe to our newsletter for weekly news about releases, events and offers.";
//! let text_a = format!("{notice}\n\nThe article itself: what happened, where, and why it matters.\n\n{notice}\n");
//! let text_b = text_a.replace("why it matters", "why it matters to you");
//!
//! let engine = doppel::EngineBuilder::new().build()?; // a ConfigError names a setting out of range
//! let mut scan = engine.corpus_scan();
//! let results = scan.add_batch([("a", text_a.as_str()), ("b", text_b.as_str())])?;
//! for result in &results {
//!     for block in &result.blocks {
//!         // copies[i].bytes slices a Rust &str, .chars a Python str
//!         let copy = &block.copies[1];
//!         println!("{}: lines {} repeat lines {}", result.id, copy.lines, block.copies[0].lines);
//!     }
//! }
//! let block = &results[0].blocks[0];
//! assert_eq!(&text_a[block.copies[1].bytes.clone()], notice);
//!
//! let findings = scan.finish()?;
//! for cluster in &findings.clusters {
//!     println!("{:?} similarity {:.2}", findings.cluster_ids(cluster), cluster.similarity);
//! }
//! assert_eq!(findings.cluster_ids(&findings.clusters[0]), ["a", "b"]);
//! assert!(!findings.clusters[0].exact);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How text flows
//!
//! Each stage is a module that knows nothing of those after it; an
//! [`Engine`] runs them over [rayon] and gives the same results whatever the
//! number of threads.
//!
//! 1. **Read** ([`input`]): paths expanded into entries (folder walks honour
//!    `.gitignore`), standard input, JSON Lines records, Parquet rows.
//! 2. **Decode** ([`decode`](mod@decode)): bytes to UTF-8, the encoding
//!    found from a byte-order mark, the bytes themselves or a guess; a
//!    [`Document`](document::Document) owns its text once, and everything
//!    after holds byte ranges into it.
//! 3. **Segment** ([`Segmenter`], [`Granularity`]): the text cut into
//!    paragraphs, lines or sentences, each a [`Span`](document::Span) of
//!    bytes and lines.
//! 4. **Normalize** ([`Normalizer`]): a segment's comparison form (NFKC,
//!    lower case, punctuation and spaces folded), never shown to anyone.
//! 5. **Shingle** ([`Shingler`], [`ShingleConfig`], [`Shingling`]): the
//!    normalized text cut into pieces (characters, or words and CJK
//!    characters, as chosen per script) and overlapping runs of `k` pieces.
//! 6. **Hash** ([`Fingerprinter`], [`Fingerprint`]): each segment's raw and
//!    normalized hashes and its shingle hashes.
//! 7. **MinHash and LSH**: each document (and, when blocks or near
//!    passages are looked for, each segment) gets a MinHash signature, cut
//!    into bands whose keys make near duplicates meet as candidates;
//!    [`SketchParams`] names the settings a sketch was made with.
//! 8. **Detect**: blocks inside a document ([`Block`]), duplicate documents
//!    ([`Cluster`], every candidate verified by the Jaccard similarity of
//!    its shingle sets), segments seen in an earlier document
//!    ([`RepeatedSegment`]), boilerplate lines ([`Boilerplate`]) and
//!    passages copied between documents ([`Passage`]).
//! 9. **Report** ([`report`]): printers are [`Sink`]s; the human and JSON
//!    Lines printers of `doppel scan` live there.
//!
//! # One entry per job
//!
//! | job | entry | gives |
//! | --- | --- | --- |
//! | corpus from memory | [`Engine::corpus_scan`] → [`CorpusScan`] | [`ScannedText`] per document, [`CorpusFindings`] at the end |
//! | corpus from files | [`Engine::scan`] over [`input::expand`]ed paths | [`ScannedDoc`]s and a [`CorpusReport`], pushed into a [`Sink`] |
//! | blocks inside one text | [`Engine::find_blocks`] | [`FoundBlock`]s |
//! | diff two texts | [`diff::Comparison`] with [`diff::DiffOptions`], printed by a [`diff::Printer`] | ops, inline changes, moves; unified, word, side-by-side, JSON… |
//! | diff two folders | [`diff::compare_folders`] | a [`diff::FolderReport`] of paired documents |
//! | clean a corpus | [`clean::run::clean`] with [`clean::run::CleanOptions`] | cleaned files and a manifest that restores them ([`clean::restore`]) |
//! | gate a tree in CI | [`check::Collector`] then [`check::Verdict`] | findings judged against a [`check::Policy`], printed by [`check::report`] |
//! | sign shards, cluster later | [`Engine::sign`] into a [`signature::SignatureWriter`]; [`signature::cluster`] | signature files (Arrow IPC) and the clusters a scan would find |
//! | deduplicate against stored data | [`index::IndexWriter`], [`index::Index::lookup`], [`index::Against`] | a persistent index of document sketches |
//!
//! Every engine is made by [`EngineBuilder::build`], which checks the
//! settings ([`ConfigError`]) whatever order the setters were called in.
//! Files, standard input and JSON Lines are only sources: the file scan
//! and the in-memory scan share one core, so the same texts give the same
//! findings, whatever the batch sizes and the number of threads. Results
//! of the in-memory scan give every span as bytes (to slice a `&str`) and
//! as characters (to slice a Python `str`): [`TextSpan`].
//!
//! Errors are typed ([`ConfigError`], [`DecodeError`],
//! [`clean::run::CleanError`], [`check::CheckError`], [`index::IndexError`]…)
//! and name the file and the reason in one line; an input that cannot be
//! read is a [`Problem`] of the run, not the end of it.
//!
//! The `examples/` folder of the repository has one runnable program per
//! job (`cargo run --example scan`, `clean`, `diff`, `check`).
//!
//! # Examples
//!
//! A corpus in memory: duplicate documents by id.
//!
//! ```
//! let engine = doppel::EngineBuilder::new().build()?;
//! let mut scan = engine.corpus_scan();
//! let page = "A page that a crawler found twice, under two addresses, word for word the same.";
//! scan.add("https://a.example/1", page)?;
//! let batch = scan.add_batch([("https://b.example/", "Another page."), ("https://c.example/1", page)])?;
//! assert_eq!(batch[1].number, 2);
//! let findings = scan.finish()?;
//! assert_eq!(
//!     findings.cluster_ids(&findings.clusters[0]),
//!     ["https://a.example/1", "https://c.example/1"]
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A corpus in files, results pushed into a sink in input order.
//!
//! ```
//! use doppel::input::{expand, InputOptions};
//! use doppel::{CorpusReport, ScannedDoc, Sink};
//!
//! #[derive(Default)]
//! struct Clusters(usize);
//! impl Sink for Clusters {
//!     fn document(&mut self, _doc: &ScannedDoc) -> std::io::Result<()> { Ok(()) }
//!     fn corpus(&mut self, report: CorpusReport) -> std::io::Result<()> {
//!         self.0 = report.clusters.len();
//!         Ok(())
//!     }
//! }
//!
//! let dir = tempfile::tempdir()?;
//! let page = "The same page, saved under two names, is one document twice over.";
//! std::fs::write(dir.path().join("a.txt"), page)?;
//! std::fs::write(dir.path().join("b.txt"), page)?;
//! let (entries, problems) = expand(&[dir.path().to_path_buf()], &InputOptions::default());
//! assert!(problems.is_empty());
//! let engine = doppel::EngineBuilder::new().build()?;
//! let mut sink = Clusters::default();
//! let summary = engine.scan(&entries, Vec::new(), &mut sink)?;
//! assert_eq!((summary.documents, sink.0), (2, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Blocks repeated inside one text, with byte and character offsets.
//!
//! ```
//! let engine = doppel::EngineBuilder::new().min_units(5).build()?;
//! let text = "第一段的内容在这里出现两次，请注意。\n\n中间。\n\n第一段的内容在这里出现两次，请注意。\n";
//! let blocks = engine.find_blocks(text);
//! assert_eq!(blocks.len(), 1);
//! let copy = &blocks[0].copies[1];
//! let by_chars: String = text.chars().skip(copy.chars.start).take(copy.chars.len()).collect();
//! assert_eq!(by_chars, &text[copy.bytes.clone()]);
//! # Ok::<(), doppel::ConfigError>(())
//! ```
//!
//! Two versions of a text compared.
//!
//! ```
//! use doppel::diff::{Comparison, DiffOptions};
//! let comparison = Comparison::new("The quick brown fox.\n", "The quick red fox.\n", &DiffOptions::new());
//! assert!(!comparison.is_equal());
//! assert_eq!(comparison.apply(), "The quick red fox.\n");
//! ```
//!
//! A corpus cleaned into a new folder (and restorable from its manifest).
//!
//! ```
//! use doppel::clean::run::{clean, CleanOptions, Silent};
//! use doppel::clean::Keep;
//! use doppel::input::{expand, InputOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let input = dir.path().join("in");
//! std::fs::create_dir(&input)?;
//! let page = "The same page, saved under two names, is one document twice over.";
//! std::fs::write(input.join("a.txt"), page)?;
//! std::fs::write(input.join("b.txt"), page)?;
//! let options = CleanOptions {
//!     out: dir.path().join("out"),
//!     keep: Keep::First,
//!     documents: true,
//!     blocks: true,
//!     segments: false,
//!     boilerplate: false,
//!     dry_run: false,
//!     allow_lossy: false,
//!     repair: false,
//!     drop_damaged: None,
//! };
//! let engine = doppel::EngineBuilder::new().find(options.findings()).build()?;
//! let inputs = [input.clone()];
//! let (entries, _) = expand(&inputs, &InputOptions::default());
//! let report = clean(&engine, &inputs, &entries, Vec::new(), &options, &Silent)?;
//! assert!(report.problems.is_empty());
//! assert_eq!((report.manifest.documents, report.manifest.removed_documents), (2, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A check, the CI gate: see the example in [`check`].
//!
//! # Features
//!
//! - `cli` (on by default) builds the `doppel` command and its dependencies
//!   (clap, indicatif, terminal_size, jemalloc). A library-only user turns
//!   it off: `doppel = { version = "0.1", default-features = false }`.
//! - `parquet` (off by default: it adds minutes to a cold build) reads
//!   Parquet files as one document per row, and lets `clean` and `restore`
//!   write them back. Without it, a Parquet input is an error that says so.
//!
//! [rayon]: https://docs.rs/rayon
#![warn(missing_docs)]

pub mod check;
pub mod clean;
mod config;
pub mod decode;
mod detect;
pub mod diff;
pub mod document;
mod fingerprint;
pub mod html;
pub mod index;
pub mod input;
mod normalize;
mod params;
mod pipeline;
pub mod quality;
pub mod report;
pub mod script;
mod segment;
mod shingle;
pub mod signature;
mod sketch;

pub use config::{ConfigError, DEFAULT_THRESHOLD};
pub use decode::{decode, decode_vec, DecodeError, Decoded};
pub use detect::across::{Cluster, RepeatedSegment};
pub use detect::boilerplate::{Boilerplate, BoilerplateConfig};
pub use detect::containment::Contained;
pub use detect::passages::{Passage, PassageCopy};
pub use detect::removal;
pub use detect::within::{Block, BlockCopy, Differing};
pub use diff::{Comparison, DiffOptions};
pub use fingerprint::{jaccard, Fingerprint, Fingerprinter};
pub use normalize::Normalizer;
pub use params::{Incompatible, SketchParams, SKETCH_FORMAT};
pub use pipeline::{
    CharIndex, CorpusFindings, CorpusReport, CorpusScan, DocumentFacts, Engine, EngineBuilder,
    Findings, FoundBlock, FoundDiffering, FoundPassage, FoundPassageCopy, FoundRepeat, Problem,
    ScannedDoc, ScannedText, SignSink, SignedDoc, Sink, Summary, TextSpan, TooManyDocuments,
};
pub use quality::{Damage, Preference, Variant};
pub use segment::{Granularity, Segmenter};
pub use shingle::{ShingleConfig, Shingler, Shingling};
