//! `doppel check`: the CI gate. Flags are merged with `doppel.toml` (flags
//! win) into library settings; the scan runs with a check collector; the
//! verdict is printed and becomes the exit status.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{anyhow, Context as _, Result};
use clap::Args;

use doppel::check::report::{self, Format};
use doppel::check::{
    config, repository_root, Baseline, ChangedLines, Collector, Context, FailOn, FileConfig,
    Policy, Verdict,
};
use doppel::clean::run::Progress;
use doppel::input::{expand, InputOptions};
use doppel::report::JsonPrinter;
use doppel::{
    CorpusReport, EngineBuilder, Granularity, Problem, ScannedDoc, ShingleConfig, Sink, Summary,
};

use super::common::nothing_scanned;
use super::progress::{total_bytes, Bar};

/// Every option is also a `doppel.toml` key (same name, without `--`);
/// flags given here win over the file.
#[derive(Args, Debug, Default)]
pub struct CheckArgs {
    /// Files or folders to check (default: `paths` from doppel.toml, else
    /// the current folder).
    pub paths: Vec<PathBuf>,

    /// Read settings from this file instead of the nearest doppel.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Report format: human, json, sarif, github, gitlab, junit [default: human].
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub format: Option<Format>,

    /// Smallest finding reported, in Unicode letters of its smallest copy
    /// (CJK characters count one each) [default: 50].
    #[arg(long, value_name = "LETTERS")]
    pub min_size: Option<usize>,

    /// Smallest finding reported, in segments of its smallest copy [default: 1].
    #[arg(long, value_name = "N")]
    pub min_segments: Option<usize>,

    /// Jaccard similarity (0–1] of shingle sets from which two segments are
    /// near duplicates [default: 0.65].
    #[arg(long, value_name = "X", value_parser = parse_unit_interval)]
    pub threshold: Option<f64>,

    /// Fail when a file's duplicated letters exceed this fraction of its letters.
    #[arg(long, value_name = "X", value_parser = parse_ratio)]
    pub max_file_ratio: Option<f64>,

    /// Fail when the tree's duplicated letters exceed this fraction of all letters.
    #[arg(long, value_name = "X", value_parser = parse_ratio)]
    pub max_total_ratio: Option<f64>,

    /// Which new findings fail: exact, or near (near and exact) [default: exact].
    #[arg(long, value_name = "KIND", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,

    /// Fail only on findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in this baseline file, and pass.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Report only findings that touch lines changed since this git revision.
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,

    /// Unit of comparison: paragraph, line, sentence or auto [default: auto].
    #[arg(long, value_name = "KIND", value_parser = parse_segment)]
    pub segment: Option<Granularity>,

    /// How text is cut into shingles: chars:N, words:N, or per script
    /// spaced=chars:5,cjk=chars:4 (see `doppel scan --help`) [default: chars:5].
    #[arg(long = "shingle", value_name = "SPEC", value_parser = super::common::parse_shingles)]
    pub shingles: Option<ShingleConfig>,

    /// Decode every input with this encoding (a WHATWG label) instead of
    /// detecting it.
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,

    /// Worker threads, 1 to 256 (default: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = super::common::parse_threads)]
    pub threads: Option<usize>,

    /// Walk every file in folders: ignore .gitignore, .ignore and .doppelignore.
    #[arg(long)]
    pub no_ignore: bool,

    /// Walk hidden files and folders too.
    #[arg(long)]
    pub hidden: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}

fn parse_segment(s: &str) -> Result<Granularity, String> {
    s.parse()
}

fn parse_unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(format!("'{s}' is not a number in (0, 1]")),
    }
}

fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("'{s}' is not a number in [0, 1]")),
    }
}

/// The flags and the file merged: everything the run needs.
struct Settings {
    paths: Vec<PathBuf>,
    format: Format,
    policy: Policy,
    baseline: Option<PathBuf>,
    changed_since: Option<String>,
    segment: Granularity,
    shingles: ShingleConfig,
    encoding: Option<String>,
    threads: Option<usize>,
    input: InputOptions,
}

fn settings(args: &CheckArgs) -> Result<Settings> {
    let file = file_config(args)?;
    let paths = match (&args.paths[..], &file.paths) {
        ([], Some(paths)) => paths.clone(),
        ([], None) => vec![PathBuf::from(".")],
        (paths, _) => paths.to_vec(),
    };
    Ok(Settings {
        paths,
        format: flag_or_key(args.format, &file.format, Format::Human)?,
        policy: policy(args, &file),
        baseline: args.baseline.clone().or(file.baseline),
        changed_since: args.changed_since.clone().or(file.changed_since),
        segment: flag_or_key(args.segment, &file.segment, Granularity::Auto)?,
        shingles: flag_or_key(args.shingles, &file.shingle, ShingleConfig::default())?,
        encoding: args.encoding.clone().or(file.encoding),
        threads: args.threads.or(file.threads),
        input: InputOptions {
            no_ignore: args.no_ignore || file.no_ignore.unwrap_or(false),
            hidden: args.hidden || file.hidden.unwrap_or(false),
            ..InputOptions::default()
        },
    })
}

/// The file named by `--config`, else the nearest doppel.toml, else none.
fn file_config(args: &CheckArgs) -> Result<FileConfig> {
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => config::find(&std::env::current_dir()?),
    };
    Ok(match path {
        Some(path) => config::load(&path)?,
        None => FileConfig::default(),
    })
}

fn policy(args: &CheckArgs, file: &FileConfig) -> Policy {
    let defaults = Policy::default();
    Policy {
        min_letters: args
            .min_size
            .or(file.min_size)
            .unwrap_or(defaults.min_letters),
        min_segments: args
            .min_segments
            .or(file.min_segments)
            .unwrap_or(defaults.min_segments),
        threshold: args
            .threshold
            .or(file.threshold)
            .unwrap_or(defaults.threshold),
        max_file_ratio: args.max_file_ratio.or(file.max_file_ratio),
        max_total_ratio: args.max_total_ratio.or(file.max_total_ratio),
        fail_on: args.fail_on.or(file.fail_on).unwrap_or(defaults.fail_on),
    }
}

/// The flag's value, else the file's (parsed), else the default.
fn flag_or_key<T: std::str::FromStr<Err = String>>(
    flag: Option<T>,
    key: &Option<String>,
    default: T,
) -> Result<T> {
    match (flag, key) {
        (Some(value), _) => Ok(value),
        (None, Some(text)) => text
            .parse()
            .map_err(|e: String| anyhow!("bad configuration: {e}")),
        (None, None) => Ok(default),
    }
}

fn engine(settings: &Settings) -> Result<doppel::Engine> {
    let mut builder = EngineBuilder::new();
    builder
        .granularity(settings.segment)
        .threshold(settings.policy.threshold)
        .shingles(settings.shingles)
        .keep_fingerprints(true)
        .across_documents(settings.format == Format::Json);
    if let Some(label) = &settings.encoding {
        let encoding = doppel::decode::encoding_for_label(label)
            .ok_or_else(|| anyhow!("unknown encoding '{label}' (expected a WHATWG label such as utf-8, gbk, big5, shift_jis)"))?;
        builder.encoding(Some(encoding));
    }
    Ok(builder.build()?)
}

/// Passes everything to the collector, problems also to stderr, and, for
/// the JSON format, everything to scan's JSON printer too.
struct Tee<'a> {
    collector: &'a mut Collector,
    json: Option<&'a mut (dyn Sink + Send)>,
    bar: &'a Bar,
}

impl Sink for Tee<'_> {
    fn begin(&mut self) -> io::Result<()> {
        self.json.as_mut().map_or(Ok(()), |j| j.begin())
    }
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        self.bar.advance(doc.document.input_bytes as u64);
        self.collector.document(doc)?;
        self.json.as_mut().map_or(Ok(()), |j| j.document(doc))
    }
    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.bar.suspend(|| eprintln!("doppel: {problem}"));
        self.json.as_mut().map_or(Ok(()), |j| j.problem(problem))
    }
    fn skipped(&mut self, origin: &doppel::document::Origin, reason: &str) -> io::Result<()> {
        self.json
            .as_mut()
            .map_or(Ok(()), |j| j.skipped(origin, reason))
    }
    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.json.as_mut().map_or(Ok(()), |j| j.corpus(report))
    }
    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.bar.finish();
        self.json.as_mut().map_or(Ok(()), |j| j.finish(summary))
    }
}

pub fn run(args: &CheckArgs) -> Result<i32> {
    let settings = settings(args)?;
    let engine = engine(&settings)?;
    let root = repository_root(&std::env::current_dir()?);
    let baseline = match &settings.baseline {
        Some(path) if args.write_baseline.is_none() => Some(Baseline::read(path)?),
        _ => None,
    };
    let changed = match &settings.changed_since {
        Some(rev) => Some(ChangedLines::since(&root, rev)?),
        None => None,
    };
    let (entries, problems) = expand(&settings.paths, &settings.input);
    let problems = problems.into_iter().map(Problem::from).collect();
    let collector = Collector::new(settings.policy.clone(), &root);
    let (summary, found) = with_threads(settings.threads, || {
        scan(&engine, &entries, problems, collector, settings.format)
    })??;
    // A baseline just written is the one the verdict is judged against:
    // every finding is baselined and none fails.
    let written = match &args.write_baseline {
        Some(path) => {
            let accepted = Baseline::from_findings(&found.findings);
            accepted.write(path)?;
            Some((path, accepted, found.findings.len()))
        }
        None => None,
    };
    let context = Context {
        baseline: written
            .as_ref()
            .map(|(_, accepted, _)| accepted)
            .or(baseline.as_ref()),
        changed: changed.as_ref(),
        errors: summary.errors,
        root: Some(&root),
    };
    let verdict = Verdict::judge(found, &settings.policy, context);
    let mut out = BufWriter::new(io::stdout().lock());
    print(&verdict, settings.format, &mut out)?;
    if let Some((path, accepted, findings)) = &written {
        let line = format!(
            "doppel check: wrote baseline {}: {findings} finding(s), {} entr{}",
            path.display(),
            accepted.len(),
            if accepted.len() == 1 { "y" } else { "ies" }
        );
        // The human report says so on stdout; the other formats keep stdout
        // parseable.
        if settings.format == Format::Human {
            writeln!(out, "{line}")?;
            out.flush()?;
        } else {
            eprintln!("{line}");
        }
    }
    if let Some(why) = nothing_scanned(&summary) {
        eprintln!("doppel: {why}");
        return Ok(2);
    }
    let code = verdict.exit_code();
    Ok(if written.is_some() && code == 1 {
        0
    } else {
        code
    })
}

/// Scans with the collector (and scan's JSON printer for the JSON format),
/// then makes the findings.
fn scan(
    engine: &doppel::Engine,
    entries: &[doppel::input::Entry],
    problems: Vec<Problem>,
    mut collector: Collector,
    format: Format,
) -> io::Result<(Summary, doppel::check::Findings)> {
    let mut printer = JsonPrinter::new(BufWriter::new(io::stdout()));
    let json: Option<&mut (dyn Sink + Send)> = match format {
        Format::Json => Some(&mut printer),
        _ => None,
    };
    // The JSON report streams to stdout: the bar only when it goes elsewhere.
    let bar = if format == Format::Json && io::stdout().is_terminal() {
        Bar::hidden()
    } else {
        Bar::new().after_reading("comparing")
    };
    bar.start("checking", total_bytes(entries));
    let mut tee = Tee {
        collector: &mut collector,
        json,
        bar: &bar,
    };
    let summary = engine.scan(entries, problems, &mut tee)?;
    Ok((summary, collector.finish()))
}

fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T> {
    match threads {
        Some(n) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()?
            .install(f)),
        None => Ok(f()),
    }
}

fn print(verdict: &Verdict, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Human => report::human::write(verdict, out)?,
        Format::Json => report::json::write(verdict, out)?,
        Format::Sarif => report::sarif::write(verdict, out)?,
        Format::Gitlab => report::gitlab::write(verdict, out)?,
        Format::Junit => report::junit::write(verdict, out)?,
        Format::Github => {
            report::github::write(verdict, out)?;
            report::github::append_summary(verdict).context("cannot write GITHUB_STEP_SUMMARY")?;
        }
    }
    Ok(())
}
