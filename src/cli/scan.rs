//! `doppel scan`: report duplicated text.

use std::io::{self, BufWriter};

use anyhow::Result;
use clap::{Args, ValueEnum};

use doppel::index::{Against, Index, ReportStored};
use doppel::input::{expand, Entry};
use doppel::report::{HumanPrinter, JsonPrinter};
use doppel::{CorpusReport, Engine, Findings, Problem, ScannedDoc, Sink, Summary};

use super::common::{use_colour, ReadArgs, ReportFormat};

#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// Report format: human (default) or json (JSON Lines).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// What to look for, comma-separated (default: all). Leaving kinds out
    /// saves their work: `--find documents` only clusters duplicate
    /// documents, the fastest way through a large corpus.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KINDS")]
    pub find: Vec<Finding>,

    /// Also find passages copied across documents with light edits (near
    /// duplicates; exact repeats are always reported). Memory grows with the
    /// segments of the corpus, not only with its documents.
    #[arg(long)]
    pub near_segments: bool,

    /// Show, for every segment where a block's copies differ, the characters
    /// that differ (`[-old-]{+new+}`; in JSON, a `changes` list).
    #[arg(long)]
    pub show_diffs: bool,

    /// Also report the documents that duplicate a document stored in this
    /// index (`doppel index create`), exact or near, with the stored one.
    #[arg(long, value_name = "INDEX")]
    pub against: Option<std::path::PathBuf>,
}

/// A kind of finding `--find` can ask for.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// Blocks a document repeats inside itself.
    Blocks,
    /// Exact and near-duplicate documents.
    Documents,
    /// Segments that already occurred in an earlier document.
    Segments,
    /// Lines shared by many documents of one folder or site.
    Boilerplate,
}

/// The findings asked for: all of them when none is named.
fn findings(asked: &[Finding]) -> Findings {
    if asked.is_empty() {
        return Findings::default();
    }
    let mut findings = Findings::none();
    findings.blocks = asked.contains(&Finding::Blocks);
    findings.documents = asked.contains(&Finding::Documents);
    findings.segments = asked.contains(&Finding::Segments);
    findings.boilerplate = asked.contains(&Finding::Boilerplate);
    findings
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
    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.inner.corpus(report)
    }
    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.inner.finish(summary)
    }
}

pub fn run(args: &ScanArgs) -> Result<i32> {
    let mut find = findings(&args.find);
    // Looking documents up in an index needs their sketches.
    find.documents |= args.against.is_some();
    let engine = args
        .read
        .engine()?
        .near_segments(args.near_segments)
        .find(find)
        .build()?;
    let index = (args.against.as_deref())
        .map(|path| super::index::open_against(path, &engine))
        .transpose()?;
    let (entries, problems) = expand(&args.read.paths, &args.read.input_options());
    let problems = problems.into_iter().map(Problem::from).collect();
    let summary = args.read.with_threads(|| {
        let stdout = BufWriter::with_capacity(64 * 1024, io::stdout());
        match args.format {
            ReportFormat::Json => {
                let mut printer = JsonPrinter::new(stdout);
                printer.show_diffs(args.show_diffs);
                scan_into(&engine, &entries, problems, index.as_ref(), printer)
            }
            ReportFormat::Human => {
                let mut printer = HumanPrinter::new(stdout, use_colour());
                printer.show_diffs(args.show_diffs).find(find);
                scan_into(&engine, &entries, problems, index.as_ref(), printer)
            }
        }
    })??;
    Ok(if summary.errors > 0 { 2 } else { 0 })
}

/// Scans into `printer`, through an index lookup when `--against` names one.
fn scan_into<P: ReportStored + Send>(
    engine: &Engine,
    entries: &[Entry],
    problems: Vec<Problem>,
    index: Option<&Index>,
    printer: P,
) -> io::Result<Summary> {
    match index {
        Some(index) => engine.scan(
            entries,
            problems,
            &mut Stderr {
                inner: Against::new(index, printer),
            },
        ),
        None => engine.scan(entries, problems, &mut Stderr { inner: printer }),
    }
}
