//! `doppel scan`: report duplicated text.

use std::io::{self, BufWriter};

use anyhow::Result;
use clap::{Args, ValueEnum};

use doppel::clean::run::Progress;
use doppel::document::Origin;
use doppel::index::{Against, Index, ReportStored};
use doppel::input::{expand, Entry};
use doppel::report::{HtmlPrinter, HumanPrinter, JsonPrinter};
use doppel::{CorpusReport, Engine, Findings, Problem, ScannedDoc, Sink, Summary};

use super::common::{nothing_scanned, use_colour, ReadArgs, NO_DOCUMENTS};
use super::progress::{total_bytes, Bar};

#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// Report format: human (default), summary (human, the totals and the
    /// top documents and findings only), json (JSON Lines, everything) or
    /// html (one self-contained page: figures, charts, blocks with their
    /// diffs, clusters side by side).
    #[arg(long, value_enum, default_value_t = ScanFormat::Human)]
    pub format: ScanFormat,

    /// Human and HTML formats: list at most N documents one by one; past them
    /// documents are counted, and the report names those with the most
    /// duplicate bytes. 0 lists every document.
    #[arg(long, value_name = "N", default_value_t = doppel::report::DEFAULT_MAX_DOCUMENTS)]
    pub max_documents: usize,

    /// What to look for, comma-separated (default: all but damage). Leaving
    /// kinds out saves their work: `--find documents` only clusters
    /// duplicate documents, the fastest way through a large corpus;
    /// `--find blocks,documents,segments,boilerplate,damage` adds damage;
    /// `contained` adds short documents lying inside longer ones (from
    /// `--threshold`, as containment: the share of the short one's
    /// shingles the long one holds), and looks for documents with it.
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

/// The report formats of `scan`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanFormat {
    /// Each document and its blocks, then the corpus-wide findings.
    Human,
    /// The totals, the documents with the most duplicate bytes, and the
    /// first few corpus-wide findings of each kind.
    Summary,
    /// JSON Lines: every document and finding.
    Json,
    /// One self-contained HTML page (no network, readable without
    /// scripts): figures, charts, each document's blocks with their
    /// differences marked, clusters side by side.
    Html,
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
    /// Segments damaged by a wrong decoding: replacement characters, `?` or
    /// stray letters inside CJK text, misaligned double-byte text,
    /// private-use or out-of-tier characters.
    Damage,
    /// Short documents lying wholly or almost wholly inside longer ones
    /// (a snippet page, a truncated copy), with their container.
    Contained,
}

/// The findings asked for: all but damage when none is named.
fn findings(asked: &[Finding]) -> Findings {
    if asked.is_empty() {
        return Findings::default();
    }
    let mut findings = Findings::none();
    findings.blocks = asked.contains(&Finding::Blocks);
    findings.documents = asked.contains(&Finding::Documents);
    findings.segments = asked.contains(&Finding::Segments);
    findings.boilerplate = asked.contains(&Finding::Boilerplate);
    findings.damage = asked.contains(&Finding::Damage);
    findings.contained = asked.contains(&Finding::Contained);
    findings
}

/// Sends every problem to stderr as `doppel: PATH: reason` (around the
/// progress bar), moves the bar, and passes all results on to the printer.
struct Stderr<'a, S> {
    inner: S,
    bar: &'a Bar,
}

impl<S: Sink> Sink for Stderr<'_, S> {
    fn begin(&mut self) -> io::Result<()> {
        self.inner.begin()
    }
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        self.bar.advance(doc.document.input_bytes as u64);
        self.inner.document(doc)
    }
    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.bar.suspend(|| eprintln!("doppel: {problem}"));
        self.inner.problem(problem)
    }
    fn skipped(&mut self, origin: &Origin, reason: &str) -> io::Result<()> {
        self.inner.skipped(origin, reason)
    }
    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.bar.finish();
        self.inner.corpus(report)
    }
    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.bar.finish();
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
    let bar = Bar::new().after_reading("comparing");
    bar.start("scanning", total_bytes(&entries));
    let summary = args.read.with_threads(|| {
        let stdout = BufWriter::with_capacity(64 * 1024, bar.above(io::stdout()));
        let scan = Scan {
            engine: &engine,
            entries: &entries,
            index: index.as_ref(),
            bar: &bar,
        };
        match args.format {
            ScanFormat::Json => {
                let mut printer = JsonPrinter::new(stdout);
                printer.show_diffs(args.show_diffs);
                scan.run_into(problems, printer)
            }
            ScanFormat::Html => {
                let mut printer = HtmlPrinter::new(stdout);
                printer
                    .find(find)
                    .max_documents((args.max_documents > 0).then_some(args.max_documents));
                scan.run_into(problems, printer)
            }
            ScanFormat::Human | ScanFormat::Summary => {
                let mut printer = HumanPrinter::new(stdout, use_colour());
                printer
                    .show_diffs(args.show_diffs)
                    .find(find)
                    .max_documents((args.max_documents > 0).then_some(args.max_documents))
                    .summary_only(args.format == ScanFormat::Summary);
                scan.run_into(problems, printer)
            }
        }
    })??;
    if let Some(why) = nothing_scanned(&summary) {
        eprintln!("doppel: {why}");
        return Ok(2);
    }
    if summary.documents == 0 {
        eprintln!("doppel: note: {NO_DOCUMENTS}");
    }
    Ok(if summary.errors > 0 { 2 } else { 0 })
}

/// What a scan runs with, but for its printer.
struct Scan<'a> {
    engine: &'a Engine,
    entries: &'a [Entry],
    index: Option<&'a Index>,
    bar: &'a Bar,
}

impl Scan<'_> {
    /// Scans into `printer`, through an index lookup when `--against`
    /// names one.
    fn run_into<P: ReportStored + Send>(
        self,
        problems: Vec<Problem>,
        printer: P,
    ) -> io::Result<Summary> {
        match self.index {
            Some(index) => self.engine.scan(
                self.entries,
                problems,
                &mut Stderr {
                    inner: Against::new(index, printer),
                    bar: self.bar,
                },
            ),
            None => self.engine.scan(
                self.entries,
                problems,
                &mut Stderr {
                    inner: printer,
                    bar: self.bar,
                },
            ),
        }
    }
}
