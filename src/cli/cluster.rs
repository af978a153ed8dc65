//! `doppel cluster`: duplicate documents from signature files alone.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use doppel::document::Origin;
use doppel::report::{HumanPrinter, JsonPrinter};
use doppel::signature::{cluster, signature_files, ClusterOptions, ClusterSink};
use doppel::{CorpusReport, DocumentFacts, Findings, Problem, Sink, Summary};

use super::common::{parse_threads, use_colour, ReportFormat};

#[derive(Args, Debug)]
pub struct ClusterArgs {
    /// Signature files made by `doppel sign`, or folders whose `*.sig.arrow`
    /// files are taken in name order. Documents are numbered in this order,
    /// as a scan of the shards in the same order numbers them.
    #[arg(required = true, value_name = "SIGS")]
    pub sigs: Vec<PathBuf>,

    /// Report format: human (default: clusters and totals) or json (JSON
    /// Lines, the report `scan --find documents --format json` prints).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// Memory for sorting band keys, in bytes (suffixes K, M, G); past it
    /// keys are sorted in runs on disk and merged.
    #[arg(long, value_name = "BYTES", default_value = "256M", value_parser = parse_bytes)]
    pub sort_memory: usize,

    /// Worker threads, 1 to 256 (default: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
}

/// A size in bytes: a whole number, optionally followed by K, M or G.
fn parse_bytes(s: &str) -> Result<usize, String> {
    let (digits, scale) = match s.char_indices().last() {
        Some((at, 'K' | 'k')) => (&s[..at], 1 << 10),
        Some((at, 'M' | 'm')) => (&s[..at], 1 << 20),
        Some((at, 'G' | 'g')) => (&s[..at], 1 << 30),
        _ => (s, 1),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&n| n >= 1)
        .ok_or_else(|| format!("'{s}' is not a size in bytes such as 65536, 64K or 256M"))
}

pub fn run(args: &ClusterArgs) -> Result<i32> {
    let files = signature_files(&args.sigs)?;
    let mut options = ClusterOptions::default();
    options.band_budget = args.sort_memory;
    let work = || -> Result<Summary> {
        let stdout = BufWriter::with_capacity(64 * 1024, io::stdout());
        let report = match args.format {
            ReportFormat::Json => cluster(&files, &options, &mut Json(JsonPrinter::new(stdout)))?,
            ReportFormat::Human => {
                let mut printer = HumanPrinter::new(stdout, use_colour());
                printer.find(Findings::documents_only());
                cluster(&files, &options, &mut Human(printer))?
            }
        };
        Ok(report.summary)
    };
    let summary = match args.threads {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?
            .install(work)?,
        None => work()?,
    };
    Ok(if summary.errors > 0 { 2 } else { 0 })
}

/// The JSON report, line for line a scan's.
struct Json<W: Write>(JsonPrinter<W>);

impl<W: Write> ClusterSink for Json<W> {
    fn begin(&mut self) -> io::Result<()> {
        self.0.begin()
    }
    fn document(&mut self, origin: &Origin, facts: &DocumentFacts) -> io::Result<()> {
        self.0.document_facts(origin, facts)
    }
    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        eprintln!("doppel: {problem}");
        self.0.problem(problem)
    }
    fn skipped(&mut self, origin: &Origin) -> io::Result<()> {
        self.0.skipped(origin, "binary")
    }
    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.0.corpus(report)
    }
    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.0.finish(summary)
    }
}

/// The human report: clusters and totals, no line per document.
struct Human<W: Write>(HumanPrinter<W>);

impl<W: Write> ClusterSink for Human<W> {
    fn begin(&mut self) -> io::Result<()> {
        self.0.begin()
    }
    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        eprintln!("doppel: {problem}");
        self.0.problem(problem)
    }
    fn skipped(&mut self, origin: &Origin) -> io::Result<()> {
        self.0.skipped(origin, "binary")
    }
    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.0.corpus(report)
    }
    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.0.finish(summary)
    }
}
