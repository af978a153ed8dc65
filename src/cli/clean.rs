//! `doppel clean` and `doppel restore`.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};

use doppel::clean::annotate::{annotate, AnnotateReport};
use doppel::clean::listing::{Listing, Removed};
use doppel::clean::manifest::Manifest;
use doppel::clean::output::{absolute, write_atomic, MANIFEST_NAME};
use doppel::clean::report_html::{self, RemovalTexts, RunFacts};
use doppel::clean::restore::{restore, RestoreReport};
use doppel::clean::run::{clean_against, CleanOptions, CleanReport};
use doppel::clean::Keep;
use doppel::input::expand;
use doppel::Problem;

use super::common::{nothing_scanned, ReadArgs, ReportFormat};
use super::progress::Bar;

#[derive(Args, Debug)]
pub struct CleanArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// Output folder (new or empty, not inside an input folder).
    #[arg(short, long, value_name = "OUT", required_unless_present = "dry_run")]
    pub out: Option<PathBuf>,

    /// Which copy to keep: the first, the longest, or the least damaged.
    #[arg(long, value_enum, default_value_t = KeepArg::Cleanest)]
    pub keep: KeepArg,

    /// Keep duplicate documents (do not remove whole documents).
    #[arg(long)]
    pub no_documents: bool,

    /// Also remove each document that lies inside a longer document that
    /// is kept (a snippet page, a truncated copy): at least --threshold of
    /// its shingles are the longer one's. Recorded with reason `contained`
    /// and rebuilt by restore from the document kept.
    #[arg(long, conflicts_with = "no_documents")]
    pub contained: bool,

    /// Keep blocks repeated inside a document.
    #[arg(long)]
    pub no_blocks: bool,

    /// Keep segments that occurred in an earlier document.
    #[arg(long)]
    pub no_segments: bool,

    /// Also remove boilerplate lines.
    #[arg(long)]
    pub boilerplate: bool,

    /// Report what would be removed; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Report format: human (a summary; with --dry-run, a line per
    /// removal first) or json (JSON Lines: a line per removal, naming its
    /// file, its record's line and id and the kept text it duplicates,
    /// then a summary line).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// Remove nothing: write each JSON Lines input to OUT with every
    /// record kept and doppel_cluster, doppel_keep, doppel_reason,
    /// doppel_duplicate_of and doppel_duplicate_share added (Parquet
    /// inputs: as columns); plain text files get a line each in
    /// OUT/doppel-annotations.jsonl instead.
    #[arg(long, conflicts_with_all = ["dry_run", "format"])]
    pub annotate: bool,

    /// Also write documents that would not restore byte for byte (their
    /// decoding loses bytes), as decoded UTF-8 text marked lossless: false
    /// in the manifest. Without it they are left out, each named, and the
    /// exit status is 2.
    #[arg(long)]
    pub allow_lossy: bool,

    /// Also write an HTML page of what was removed (with --dry-run: what
    /// would be), by document, with each removal's reason and kept twin,
    /// and the run's figures. Not inside OUT, where restore would take it
    /// for a document.
    #[arg(long, value_name = "FILE", conflicts_with = "annotate")]
    pub report: Option<PathBuf>,

    /// Repair Latin mojibake (UTF-8 read as windows-1252 or latin-1, like
    /// `cafÃ©` or `â€™`) in the text kept, where the repair is strictly
    /// better; each repair is recorded in the manifest, so restore still
    /// gives the input back.
    #[arg(long, conflicts_with = "annotate")]
    pub repair: bool,

    /// Drop each document whose damage score (damage points per 1,000
    /// characters: `?`, U+FFFD or stray letters in CJK text, and the like)
    /// is at least SCORE, unless it is a member of a duplicate cluster
    /// (dedup keeps the cleanest member there). Its text is kept in the
    /// manifest, reason `damaged`.
    #[arg(long, value_name = "SCORE", conflicts_with = "annotate", value_parser = parse_score)]
    pub drop_damaged: Option<f64>,

    /// Also remove the documents that duplicate a document stored in this
    /// index (`doppel index create`); the manifest keeps their text and the
    /// stored document each matches.
    #[arg(long, value_name = "INDEX")]
    pub against: Option<PathBuf>,
}

/// A damage score: a finite number, zero or more.
fn parse_score(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(score) if score.is_finite() && score >= 0.0 => Ok(score),
        _ => Err(format!(
            "{text:?} is not a damage score (a number, 0 or more)"
        )),
    }
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum KeepArg {
    First,
    Longest,
    Cleanest,
}

impl From<KeepArg> for Keep {
    fn from(arg: KeepArg) -> Keep {
        match arg {
            KeepArg::First => Keep::First,
            KeepArg::Longest => Keep::Longest,
            KeepArg::Cleanest => Keep::Cleanest,
        }
    }
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// A folder written by `doppel clean` (with its manifest.jsonl).
    pub cleaned: PathBuf,

    /// Where to rebuild the inputs (new or empty).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Standard input read as records: its records have no file to be
/// written back to.
fn stdin_records(entry: &doppel::input::Entry) -> bool {
    entry.origin.file().is_none() && entry.jsonl.is_some()
}

pub fn run_clean(args: &CleanArgs) -> Result<i32> {
    let (entries, problems) = expand(&args.read.paths, &args.read.input_options());
    if !args.dry_run && entries.iter().any(stdin_records) {
        anyhow::bail!("-: standard input is read as JSON Lines, which clean cannot write back and restore; save it as a .jsonl file and clean that (or use --dry-run, or --input-format text)");
    }
    let problems: Vec<Problem> = problems.into_iter().map(Problem::from).collect();
    check_report_place(args)?;
    let options = CleanOptions {
        out: args.out.clone().unwrap_or_default(),
        keep: args.keep.into(),
        documents: !args.no_documents,
        blocks: !args.no_blocks,
        segments: !args.no_segments,
        boilerplate: args.boilerplate,
        dry_run: args.dry_run,
        allow_lossy: args.allow_lossy,
        repair: args.repair,
        drop_damaged: args.drop_damaged,
    };
    let mut find = options.findings();
    find.contained = args.contained;
    // Looking documents up in an index needs their sketches.
    find.documents |= args.against.is_some();
    let engine = args.read.engine()?.find(find).build()?;
    let index = (args.against.as_deref())
        .map(|path| super::index::open_against(path, &engine))
        .transpose()?;
    let bar = Bar::new();
    if args.annotate {
        let report = args.read.with_threads(|| {
            annotate(
                &engine,
                &args.read.paths,
                &entries,
                problems,
                &options,
                &bar,
                index.as_ref(),
            )
        })??;
        for problem in &report.problems {
            eprintln!("doppel: {problem}");
        }
        print_annotate_report(&report, &options)?;
        if let Some(why) = nothing_scanned(&report.scan) {
            eprintln!("doppel: {why}");
            return Ok(2);
        }
        return Ok(if report.problems.is_empty() { 0 } else { 2 });
    }
    let report = args.read.with_threads(|| {
        clean_against(
            &engine,
            &args.read.paths,
            &entries,
            problems,
            &options,
            &bar,
            index.as_ref(),
        )
    })??;
    for problem in &report.problems {
        eprintln!("doppel: {problem}");
    }
    print_report(&report, args, &options)?;
    if let Some(path) = &args.report {
        let removals = removals(&report, &options)?;
        let texts = args.read.with_threads(|| {
            RemovalTexts::read(&engine, &entries, &report_html::listed(&removals))
        })??;
        let page = report_html::page(
            &report,
            &removals,
            Some(&texts),
            &RunFacts {
                dry_run: options.dry_run,
                out: options.out.display().to_string(),
            },
        );
        write_atomic(path, page.as_bytes())?;
    }
    if let Some(why) = nothing_scanned(&report.scan) {
        eprintln!("doppel: {why}");
        return Ok(2);
    }
    Ok(if report.problems.is_empty() { 0 } else { 2 })
}

/// Refuses a report that a real run would write inside its output folder,
/// where `restore` would take it for a cleaned document, and one that
/// would replace an input.
fn check_report_place(args: &CleanArgs) -> Result<()> {
    let Some(report) = &args.report else {
        return Ok(());
    };
    let place = absolute(report);
    if args.read.paths.iter().any(|input| absolute(input) == place) {
        anyhow::bail!(
            "{}: the report would replace this input; write it elsewhere",
            report.display()
        );
    }
    if let (Some(out), false) = (&args.out, args.dry_run) {
        if place.starts_with(absolute(out)) {
            anyhow::bail!(
                "{}: the report would be inside the output folder {}, where restore would take it for a document; write it elsewhere",
                report.display(),
                out.display()
            );
        }
    }
    Ok(())
}

fn print_report(report: &CleanReport, args: &CleanArgs, options: &CleanOptions) -> Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format {
        ReportFormat::Human => {
            if options.dry_run {
                for removed in Listing::of_lines(&report.lines) {
                    writeln!(out, "{}", removed.human())?;
                }
            }
            writeln!(out, "{}", human_summary(report, options))?;
        }
        ReportFormat::Json => {
            for removed in removals(report, options)? {
                serde_json::to_writer(&mut out, &RemovalJson::new(&removed))?;
                writeln!(out)?;
            }
            serde_json::to_writer(&mut out, &SummaryJson::new(report, options))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn print_annotate_report(report: &AnnotateReport, options: &CleanOptions) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let files = match report.files {
        1 => "1 file".to_owned(),
        n => format!("{n} files"),
    };
    let texts = match &report.annotations {
        Some(path) => format!(", text files' annotations in {}", path.display()),
        None => String::new(),
    };
    writeln!(
        out,
        "{} documents annotated, none removed: {} marked doppel_keep: false, {} more partly duplicated; {files} written to {}{texts}",
        report.documents,
        report.removed,
        report.partly_duplicated,
        options.out.display()
    )?;
    out.flush()
}

/// Every removal named: a dry run's from its lines, a finished run's from
/// the manifest it wrote.
fn removals(report: &CleanReport, options: &CleanOptions) -> Result<Vec<Removed>> {
    if options.dry_run {
        return Ok(Listing::of_lines(&report.lines));
    }
    let path = options.out.join(MANIFEST_NAME);
    let file = std::fs::File::open(&path)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), doppel::input::io_message(&e)))?;
    let manifest = Manifest::read(io::BufReader::new(file))
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let listing = Listing::new(&manifest.documents);
    Ok(manifest
        .removals
        .iter()
        .flatten()
        .map(|removal| listing.removed(removal))
        .collect())
}

/// One removal of `clean --format json`.
#[derive(serde::Serialize)]
struct RemovalJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    removed: &'a Removed,
}

impl<'a> RemovalJson<'a> {
    fn new(removed: &'a Removed) -> RemovalJson<'a> {
        RemovalJson {
            kind: "removal",
            removed,
        }
    }
}

/// The last line of `clean --format json`.
#[derive(serde::Serialize)]
struct SummaryJson {
    #[serde(rename = "type")]
    kind: &'static str,
    dry_run: bool,
    documents: usize,
    removed_documents: usize,
    removals: usize,
    removed_bytes: usize,
    /// Removals that repair mojibake (`--repair`).
    repairs: usize,
    /// Documents dropped as damaged (`--drop-damaged`).
    damaged_documents: usize,
    /// Documents removed because they duplicate one stored in an index.
    stored: usize,
    /// The manifest written; null for a dry run.
    manifest: Option<String>,
}

impl SummaryJson {
    fn new(report: &CleanReport, options: &CleanOptions) -> SummaryJson {
        let summary = &report.manifest;
        SummaryJson {
            kind: "summary",
            dry_run: options.dry_run,
            documents: summary.documents,
            removed_documents: summary.removed_documents,
            removals: summary.removals,
            removed_bytes: summary.removed_bytes,
            repairs: summary.repairs,
            damaged_documents: summary.damaged_documents,
            stored: report.stored,
            manifest: (!options.dry_run)
                .then(|| options.out.join(MANIFEST_NAME).display().to_string()),
        }
    }
}

fn human_summary(report: &CleanReport, options: &CleanOptions) -> String {
    let verb = if options.dry_run {
        "would remove"
    } else {
        "removed"
    };
    let summary = &report.manifest;
    let mut whole = String::new();
    if report.stored > 0 {
        whole.push_str(&format!(", {} already stored", report.stored));
    }
    if summary.damaged_documents > 0 {
        whole.push_str(&format!(", {} damaged", summary.damaged_documents));
    }
    let places = |n: usize| {
        if n == 1 {
            "1 place".to_owned()
        } else {
            format!("{n} places")
        }
    };
    let repairs = match summary.repairs {
        0 => String::new(),
        n if options.dry_run => format!("; would repair mojibake in {}", places(n)),
        n => format!("; repaired mojibake in {}", places(n)),
    };
    format!(
        "{} documents, {verb} {} bytes in {} removals ({} whole documents{whole}){repairs}{}",
        summary.documents,
        summary.removed_bytes,
        summary.removals,
        summary.removed_documents,
        if options.dry_run {
            String::new()
        } else {
            format!("; manifest: {}", options.out.join(MANIFEST_NAME).display())
        }
    )
}

/// Restores, then reports: every document that failed and every one not
/// restored byte for byte on stderr, one line each; the summary on stdout.
pub fn run_restore(args: &RestoreArgs) -> Result<i32> {
    let report = restore(&args.cleaned, &args.out)?;
    for failure in &report.failed {
        eprintln!("doppel: {}: {}", failure.document, failure.reason);
    }
    for path in &report.as_text {
        eprintln!("doppel: {path}: restored as decoded UTF-8 text, checked against the manifest (the input did not decode without loss)");
    }
    for path in &report.lines_differ {
        eprintln!("doppel: {path}: the record's text is restored exactly but its line is not byte for byte (the input escaped its text differently)");
    }
    for file in &report.jsonl_files {
        let path = args.out.join(&file.output);
        if !file.written {
            eprintln!(
                "doppel: {}: not written: the file could not be rebuilt as it was (see above)",
                path.display()
            );
        }
    }
    print_restore_summary(args, &report)?;
    Ok(if report.is_complete() { 0 } else { 2 })
}

fn print_restore_summary(args: &RestoreArgs, report: &RestoreReport) -> io::Result<()> {
    let mut details = vec![format!("{} byte for byte", report.exact)];
    if !report.as_text.is_empty() {
        details.push(format!("{} as decoded text", report.as_text.len()));
    }
    if !report.lines_differ.is_empty() {
        details.push(format!(
            "{} records with their text exact but not their line",
            report.lines_differ.len()
        ));
    }
    if !report.failed.is_empty() {
        details.push(format!("{} failed", report.failed.len()));
    }
    let files = report.jsonl_files.iter().filter(|f| f.written).count();
    let jsonl = match files {
        0 => String::new(),
        1 => "; 1 JSON Lines file rebuilt from its records, each line ended by \\n".to_owned(),
        n => format!("; {n} JSON Lines files rebuilt from their records, each line ended by \\n"),
    };
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "restored {} of {} documents into {} ({}){jsonl}",
        report.restored,
        report.documents,
        args.out.display(),
        details.join(", ")
    )?;
    out.flush()
}
