//! Scans the bundled Chinese news page, saved in three encodings, and
//! prints what doppel finds: the article the page repeats inside itself
//! (once per encoding), and the three files as one cluster of exact
//! duplicates, whatever bytes each encoding gave them.
//!
//! Run with `cargo run --example scan`.

use std::io;
use std::path::PathBuf;

use doppel::input::{expand, InputOptions};
use doppel::{CorpusReport, EngineBuilder, Problem, ScannedDoc, Sink, Summary};

/// A sink that prints each document's blocks and the clusters, and keeps
/// what it printed to check it afterwards.
#[derive(Default)]
struct Report {
    blocks_per_document: Vec<usize>,
    clusters: Vec<(bool, Vec<String>)>,
}

impl Sink for Report {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        let document = &doc.document;
        println!(
            "{}  {}  {} bytes  {:.1}% duplicate",
            document.origin,
            document.decoded.encoding.name(),
            document.input_bytes,
            100.0 * doc.duplicate_ratio()
        );
        for block in &doc.blocks {
            let lines: Vec<String> = block
                .copies
                .iter()
                .map(|c| c.span.lines.to_string())
                .collect();
            let first = &block.copies[0].span.bytes;
            let preview: String = document.text()[first.clone()].chars().take(16).collect();
            println!(
                "  block of {} segments, {} copies at lines {}, similarity {:.3}: {preview}…",
                block.segments,
                block.copies.len(),
                lines.join(" and "),
                block.similarity
            );
        }
        self.blocks_per_document.push(doc.blocks.len());
        Ok(())
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        eprintln!("{problem}");
        Ok(())
    }

    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        for cluster in &report.clusters {
            let members: Vec<String> = cluster
                .members
                .iter()
                .map(|&number| report.origins[number as usize].to_string())
                .collect();
            let kind = if cluster.exact { "exact" } else { "near" };
            println!("duplicate documents ({kind}): {}", members.join(", "));
            self.clusters.push((cluster.exact, members));
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        println!(
            "{} documents, {} blocks, {} duplicate bytes, {} duplicate documents",
            summary.documents, summary.blocks, summary.duplicate_bytes, summary.duplicate_documents
        );
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let paths: Vec<PathBuf> = [
        "scraped_page_zh.txt",
        "scraped_page_zh.gb18030.txt",
        "scraped_page_zh.utf16le.txt",
    ]
    .iter()
    .map(|name| corpus.join(name))
    .collect();

    let (entries, input_errors) = expand(&paths, &InputOptions::default());
    let problems: Vec<Problem> = input_errors.into_iter().map(Problem::from).collect();
    let engine = EngineBuilder::new().build()?;
    let mut report = Report::default();
    let summary = engine.scan(&entries, problems, &mut report)?;

    assert_eq!(summary.errors, 0, "every file of the bundled corpus reads");
    assert_eq!(
        report.blocks_per_document,
        [1, 1, 1],
        "one repeated block per page"
    );
    assert_eq!(
        report.clusters.len(),
        1,
        "the three encodings are one cluster"
    );
    let (exact, members) = &report.clusters[0];
    assert!(
        *exact && members.len() == 3,
        "an exact cluster of all three files"
    );
    Ok(())
}
