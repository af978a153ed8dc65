//! `doppel sign`: one signature file per input shard, for `doppel cluster`.

use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use doppel::clean::run::Progress;
use doppel::document::Origin;
use doppel::input::{expand, Entry};
use doppel::signature::{SignatureNames, SignatureWriter};
use doppel::{Engine, Findings, Problem, SignSink, SignedDoc};

use super::common::ReadArgs;
use super::progress::Bar;

#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// Folder to write the signature files to (made if missing): one
    /// `NAME.sig.arrow` per input path, named after it.
    #[arg(short = 'o', long = "output", value_name = "SIGS")]
    pub output: PathBuf,
}

/// One input path as given, expanded.
struct Shard<'a> {
    path: &'a Path,
    entries: Vec<Entry>,
    problems: Vec<Problem>,
}

pub fn run(args: &SignArgs) -> Result<i32> {
    let engine = args
        .read
        .engine()?
        .find(Findings::documents_only())
        .build()?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("cannot make the folder {}", args.output.display()))?;
    let options = args.read.input_options();
    let shards: Vec<Shard> = args
        .read
        .paths
        .iter()
        .map(|path| {
            let (entries, problems) = expand(std::slice::from_ref(path), &options);
            Shard {
                path,
                entries,
                problems: problems.into_iter().map(Problem::from).collect(),
            }
        })
        .collect();
    let bar = Bar::new();
    let total: u64 = shards
        .iter()
        .flat_map(|shard| &shard.entries)
        .filter_map(|entry| entry.origin.file())
        .filter_map(|path| std::fs::metadata(path).ok())
        .map(|meta| meta.len())
        .sum();
    bar.start("signing", total);
    let errors = args
        .read
        .with_threads(|| sign_all(&engine, &shards, &args.output, &bar))??;
    bar.finish();
    Ok(if errors > 0 { 2 } else { 0 })
}

/// Signs each shard into its file; returns the errors met.
fn sign_all(engine: &Engine, shards: &[Shard], output: &Path, bar: &Bar) -> Result<usize> {
    let params = engine.sketch_params();
    let mut names = SignatureNames::new();
    let mut errors = 0;
    for shard in shards {
        let missing = shard.path.as_os_str() != "-" && std::fs::metadata(shard.path).is_err();
        if missing {
            // Not a shard: nothing to sign, and no file.
            for problem in &shard.problems {
                eprintln!("doppel: {problem}");
                errors += 1;
            }
            continue;
        }
        let target = output.join(names.next(shard.path));
        let writer = match SignatureWriter::create(&target, &params) {
            Ok(writer) => writer,
            Err(err) => {
                eprintln!("doppel: {err}");
                errors += 1;
                continue;
            }
        };
        let mut sink = Reported { writer, bar };
        if let Err(err) = engine.sign(&shard.entries, shard.problems.clone(), &mut sink) {
            if err.kind() == io::ErrorKind::BrokenPipe {
                return Err(err.into());
            }
            eprintln!(
                "doppel: {}: {}",
                doppel::document::escaped_path(&target),
                doppel::input::io_message(&err)
            );
            errors += 1;
            continue;
        }
        errors += sink.writer.errors;
        if sink.writer.documents == 0 && sink.writer.skipped > 0 && sink.writer.errors == 0 {
            let files = if sink.writer.skipped == 1 {
                "file"
            } else {
                "files"
            };
            eprintln!(
                "doppel: {}: nothing was signed: the shard held no document that could be read ({} binary {files} skipped)",
                doppel::document::escaped_path(shard.path),
                sink.writer.skipped
            );
            errors += 1;
        }
        if let Err(err) = sink.writer.finish() {
            eprintln!("doppel: {err}");
            errors += 1;
        }
    }
    Ok(errors)
}

/// Writes to the signature file, tells stderr about each problem as a scan
/// does, and moves the progress bar.
struct Reported<'a> {
    writer: SignatureWriter,
    bar: &'a Bar,
}

impl SignSink for Reported<'_> {
    fn input_problem(&mut self, problem: &Problem) -> io::Result<()> {
        eprintln!("doppel: {problem}");
        self.writer.input_problem(problem)
    }

    fn document(&mut self, doc: SignedDoc) -> io::Result<()> {
        self.bar.advance(doc.facts.input_bytes as u64);
        self.writer.document(doc)
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        eprintln!("doppel: {problem}");
        self.writer.problem(problem)
    }

    fn skipped(&mut self, origin: &Origin) -> io::Result<()> {
        self.writer.skipped(origin)
    }
}
