//! Cleans a small generated corpus into a new folder, prints what the
//! manifest records, then restores the inputs from the cleaned folder and
//! checks they are the original bytes.
//!
//! Run with `cargo run --example clean`.

use std::fs;
use std::path::Path;

use doppel::clean::manifest::Manifest;
use doppel::clean::output::MANIFEST_NAME;
use doppel::clean::restore::restore;
use doppel::clean::run::{clean, CleanOptions, Silent};
use doppel::clean::Keep;
use doppel::input::{expand, InputOptions};
use doppel::{EngineBuilder, Problem};

/// The corpus: a page that repeats its newsletter notice, the same page
/// saved a second time, and a page of its own.
fn write_corpus(dir: &Path) -> std::io::Result<()> {
    let notice = "Subscribe to our newsletter for weekly news about releases, events and offers from the team.";
    let page = format!(
        "Release notes\n\n{notice}\n\nVersion 2 reads Parquet files and cleans JSON Lines records in place.\n\n{notice}\n"
    );
    fs::create_dir_all(dir)?;
    fs::write(dir.join("release.txt"), &page)?;
    fs::write(dir.join("release-copy.txt"), &page)?;
    fs::write(
        dir.join("about.txt"),
        "About us\n\nA small team that writes tools for people who keep large text corpora tidy.\n",
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = tempfile::tempdir()?;
    let input = work.path().join("pages");
    write_corpus(&input)?;

    let options = CleanOptions {
        out: work.path().join("cleaned"),
        keep: Keep::First,
        documents: true,
        blocks: true,
        segments: false,
        boilerplate: false,
        dry_run: false,
        allow_lossy: false,
        repair: false,
        drop_damaged: None,
    };
    let engine = EngineBuilder::new().find(options.findings()).build()?;
    let inputs = [input.clone()];
    let (entries, input_errors) = expand(&inputs, &InputOptions::default());
    let problems: Vec<Problem> = input_errors.into_iter().map(Problem::from).collect();
    let report = clean(&engine, &inputs, &entries, problems, &options, &Silent)?;
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    let manifest = Manifest::read(std::io::BufReader::new(fs::File::open(
        options.out.join(MANIFEST_NAME),
    )?))?;
    for removals in &manifest.removals {
        for removal in removals {
            let doc = &manifest.documents[removal.doc as usize];
            let name = Path::new(&doc.path)
                .strip_prefix(work.path())
                .unwrap_or(Path::new(&doc.path));
            let [first, last] = removal.lines;
            let lines = if first == last {
                format!("line {first}")
            } else {
                format!("lines {first}-{last}")
            };
            println!(
                "removed from {}: {lines}, {} bytes ({})",
                name.display(),
                removal.bytes[1] - removal.bytes[0],
                serde_json::to_string(&removal.reason)?.trim_matches('"'),
            );
        }
    }
    let summary = &report.manifest;
    println!(
        "{} documents, {} removed whole, {} removals, {} bytes removed",
        summary.documents, summary.removed_documents, summary.removals, summary.removed_bytes
    );
    assert_eq!(summary.documents, 3);
    assert_eq!(
        summary.removed_documents, 1,
        "the second copy of the page goes"
    );
    assert_eq!(
        summary.removals, 2,
        "that copy, and the repeated notice of the first"
    );
    let kept = manifest.documents.iter().filter(|d| d.written).count();
    assert_eq!(kept, 2);

    let restored = work.path().join("restored");
    let restore_report = restore(&options.out, &restored)?;
    assert!(restore_report.is_complete(), "{:?}", restore_report.failed);
    for name in ["release.txt", "release-copy.txt", "about.txt"] {
        let original = fs::read(input.join(name))?;
        let back = fs::read(restored.join("pages").join(name))?;
        assert_eq!(original, back, "{name} restored byte for byte");
    }
    println!(
        "restored {} of {} documents byte for byte",
        restore_report.exact, restore_report.documents
    );
    Ok(())
}
