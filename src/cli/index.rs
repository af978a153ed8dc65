//! `doppel index create|add|info`, and opening an index for `--against`.

use std::path::{Path, PathBuf};

use std::io::Write;

use anyhow::Result;
use clap::{Args, Subcommand};

use doppel::index::{Collect, Index, IndexWriter};
use doppel::input::expand;
use doppel::{Engine, Findings};

use doppel::clean::run::Progress;

use super::common::ReadArgs;
use super::progress::{total_bytes, Bar, Signing};

#[derive(Args, Debug)]
pub struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Subcommand, Debug)]
enum IndexCommand {
    /// Make a new index (INDEX must not exist or be empty) of the inputs.
    Create(AddArgs),
    /// Add the inputs to an index, as one new segment.
    Add(AddArgs),
    /// Show an index: documents, segments, size, settings.
    Info(InfoArgs),
}

#[derive(Args, Debug)]
struct AddArgs {
    /// The index folder.
    index: PathBuf,

    #[command(flatten)]
    read: ReadArgs,
}

#[derive(Args, Debug)]
struct InfoArgs {
    /// The index folder.
    index: PathBuf,

    /// Also read every segment whole and check its checksums.
    #[arg(long)]
    verify: bool,
}

pub fn run(args: &IndexArgs) -> Result<i32> {
    match &args.command {
        IndexCommand::Create(add) => run_add(add, true),
        IndexCommand::Add(add) => run_add(add, false),
        IndexCommand::Info(info) => run_info(info),
    }
}

/// What signing for the index looks for: documents only.
fn documents_only() -> Findings {
    Findings::documents_only()
}

fn run_add(args: &AddArgs, create: bool) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    let engine = args.read.engine()?.find(documents_only()).build()?;
    let params = engine.sketch_params();
    let mut writer = if create {
        IndexWriter::create(&args.index, params)?
    } else {
        IndexWriter::open(&args.index, &params)?
    };
    let removed = writer.removed_leftovers();
    if !removed.is_empty() {
        eprintln!(
            "doppel: {}: removed leftovers of an interrupted run, not part of the index: {}",
            args.index.display(),
            removed.join(", ")
        );
    }
    let (entries, problems) = expand(&args.read.paths, &args.read.input_options());
    let problems = problems.into_iter().map(doppel::Problem::from).collect();
    let mut builder = writer.segment()?;
    let mut collect = Collect::new(&mut builder);
    let bar = Bar::new();
    bar.start("indexing", total_bytes(&entries));
    let mut signing = Signing {
        inner: &mut collect,
        bar: &bar,
        skipped: 0,
    };
    args.read
        .with_threads(|| engine.sign(&entries, problems, &mut signing))??;
    bar.finish();
    let skipped = signing.skipped;
    let mut errors = collect.errors();
    for problem in &collect.problems {
        eprintln!("doppel: {problem}");
    }
    let added = builder.documents();
    if added == 0 && skipped > 0 && errors == 0 {
        let files = if skipped == 1 { "file" } else { "files" };
        eprintln!(
            "doppel: nothing was indexed: no input held a document that could be read ({skipped} binary {files} skipped)"
        );
        errors += 1;
    }
    if added > 0 {
        let entry = writer.commit(builder)?;
        let manifest = writer.manifest();
        writeln!(
            out,
            "{}: added {added} documents as {}; the index holds {} documents in {} segments",
            args.index.display(),
            entry.file,
            manifest.documents(),
            manifest.segments.len()
        )?;
    } else if create {
        writer.commit_empty()?;
        writeln!(out, "{}: created, with no documents", args.index.display())?;
    } else {
        writeln!(out, "{}: no documents to add", args.index.display())?;
    }
    Ok(if errors > 0 { 2 } else { 0 })
}

fn run_info(args: &InfoArgs) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    let index = open(&args.index)?;
    if args.verify {
        index.verify()?;
    }
    let params = index.params();
    writeln!(out, "index      {}", args.index.display())?;
    writeln!(out, "documents  {}", index.documents())?;
    writeln!(out, "segments   {}", index.manifest().segments.len())?;
    writeln!(out, "bytes      {}", index.bytes())?;
    writeln!(out,
        "settings   segment {}, threshold {}, shingles {} CJK / {} spaced, bands {}x{}, sketch format {} (made by doppel {})",
        params.granularity,
        params.threshold,
        params.cjk_shingles,
        params.spaced_shingles,
        params.bands,
        params.rows,
        params.sketch_format,
        params.doppel_version
    )?;
    if args.verify {
        writeln!(out, "verified   every checksum matches")?;
    }
    Ok(0)
}

/// Opens an index to read it, naming any leftovers on stderr.
fn open(path: &Path) -> Result<Index> {
    let index = Index::open(path)?;
    if !index.leftovers().is_empty() {
        eprintln!(
            "doppel: {}: ignoring leftovers of an interrupted run, not part of the index (the next `doppel index add` removes them): {}",
            path.display(),
            index.leftovers().join(", ")
        );
    }
    Ok(index)
}

/// Opens the index of `--against`: refused when `engine` makes sketches
/// that cannot be compared with the stored ones.
pub fn open_against(path: &Path, engine: &Engine) -> Result<Index> {
    let index = open(path)?;
    index.check_params(&engine.sketch_params())?;
    Ok(index)
}
