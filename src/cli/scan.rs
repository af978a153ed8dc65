//! `doppel scan`: report duplicated text.

use std::io::{self, BufWriter};

use anyhow::Result;
use clap::Args;

use doppel::input::expand;
use doppel::report::{HumanPrinter, JsonPrinter};
use doppel::{CorpusReport, Problem, ScannedDoc, Sink, Summary};

use super::common::{use_colour, ReadArgs, ReportFormat};

#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// Report format: human (default) or json (JSON Lines).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// Also find passages copied across documents with light edits (near
    /// duplicates; exact repeats are always reported). Memory grows with the
    /// segments of the corpus, not only with its documents.
    #[arg(long)]
    pub near_segments: bool,

    /// Show, for every segment where a block's copies differ, the characters
    /// that differ (`[-old-]{+new+}`; in JSON, a `changes` list).
    #[arg(long)]
    pub show_diffs: bool,
}

/// Sends every problem to stderr as `doppel: PATH: reason` and passes all
/// results on to the printer.
struct Stderr<S> {
    inner: S,
}

impl<S: Sink> Sink for Stderr<S> {
    fn begin(&mut self) -> io::Result<()> {
        self.inner.begin()
    }
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        self.inner.document(doc)
    }
    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        eprintln!("doppel: {problem}");
        self.inner.problem(problem)
    }
    fn corpus(&mut self, report: &CorpusReport) -> io::Result<()> {
        self.inner.corpus(report)
    }
    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.inner.finish(summary)
    }
}

pub fn run(args: &ScanArgs) -> Result<i32> {
    let engine = args
        .read
        .engine()?
        .near_segments(args.near_segments)
        .build();
    let (entries, problems) = expand(&args.read.paths, &args.read.input_options());
    let problems = problems.into_iter().map(Problem::from).collect();
    let summary = args.read.with_threads(|| {
        let stdout = BufWriter::with_capacity(64 * 1024, io::stdout());
        match args.format {
            ReportFormat::Json => {
                let mut printer = JsonPrinter::new(stdout);
                printer.show_diffs(args.show_diffs);
                engine.scan(&entries, problems, &mut Stderr { inner: printer })
            }
            ReportFormat::Human => {
                let mut printer = HumanPrinter::new(stdout, use_colour());
                printer.show_diffs(args.show_diffs);
                engine.scan(&entries, problems, &mut Stderr { inner: printer })
            }
        }
    })??;
    Ok(if summary.errors > 0 { 2 } else { 0 })
}
