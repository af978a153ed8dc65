//! `doppel diff OLD NEW`: arguments, turned into library settings, then the
//! run over two files or two folders.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::bail;
use clap::ValueEnum;

use doppel::diff::render::Begin;
use doppel::diff::{
    compare_folders, Algorithm, Comparison, DiffOptions, DocHeader, DocSide, DocStatus, FolderDoc,
    Format, Granularity, Printer,
};
use doppel::input::{expand, InputOptions};
use doppel::{decode_vec, Decoded};
use encoding_rs::Encoding;

use super::common::{parse_encoding, parse_positive, parse_ratio};

/// Compare two versions of a document, or two folders (two releases).
///
/// Exit status: 0 no differences, 1 differences, 2 trouble.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: a file, a folder, or `-` for standard input.
    pub old: PathBuf,
    /// The new version: a file, a folder, or `-` for standard input.
    pub new: PathBuf,
    /// Unit of the changes shown inside changed lines.
    #[arg(long, value_enum, default_value_t = ByArg::Auto)]
    pub by: ByArg,
    /// Line-matching algorithm.
    #[arg(long, value_enum, default_value_t = AlgorithmArg::Myers)]
    pub algorithm: AlgorithmArg,
    /// Ignore differences in whitespace.
    #[arg(short = 'w', long)]
    pub ignore_whitespace: bool,
    /// Ignore differences in letter case.
    #[arg(short = 'i', long)]
    pub ignore_case: bool,
    /// Compare normalized forms (NFKC, case fold, whitespace and punctuation
    /// folding); print the originals.
    #[arg(long)]
    pub normalize: bool,
    /// Output format [default: color on a terminal, unified otherwise].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// When to use colour (never under NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Only say whether the inputs differ.
    #[arg(short = 'q', long = "brief")]
    pub brief: bool,
    /// Lines of context around changes (any number; 0 for none).
    #[arg(short = 'U', long = "unified", value_name = "N", default_value_t = 3)]
    pub context: usize,
    /// Decode inputs with this encoding (a WHATWG label) instead of detecting it.
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding)]
    pub encoding: Option<&'static Encoding>,
    /// Time budget per document in seconds, 0 or more (0: none); past it
    /// the diff is coarser, still correct, and marked approximate.
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = parse_deadline)]
    pub deadline: Deadline,
    /// Do not look for moved blocks.
    #[arg(long)]
    pub no_moves: bool,
    /// Least similarity of an edited moved block, in [0, 1].
    #[arg(long, value_name = "RATIO", default_value_t = 0.6, value_parser = parse_ratio)]
    pub move_similarity: f64,
    /// Least size of a moved block, in Unicode letters and digits; at least 1.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = parse_positive)]
    pub min_move_letters: usize,
    /// Least similarity of a removed and an added document to be a rename,
    /// in [0, 1].
    #[arg(long, value_name = "RATIO", default_value_t = 0.5, value_parser = parse_ratio)]
    pub rename_similarity: f64,
    /// Width of side-by-side output, 20 to 10000 columns [default: the
    /// terminal's, or 120].
    #[arg(long, value_name = "COLUMNS", value_parser = parse_width)]
    pub width: Option<usize>,
}

/// Narrowest and widest `--width`.
const WIDTHS: std::ops::RangeInclusive<usize> = 20..=10_000;

fn parse_width(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if WIDTHS.contains(&n) => Ok(n),
        _ => Err(format!(
            "'{s}' is not a whole number from {} to {}",
            WIDTHS.start(),
            WIDTHS.end()
        )),
    }
}

/// A time budget per document; `None` for none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline(pub Option<Duration>);

/// A time budget in seconds: finite, 0 or more (0 for none), and within
/// what a `Duration` holds.
fn parse_deadline(s: &str) -> Result<Deadline, String> {
    let bad = || format!("'{s}' is not a number of seconds, 0 or more");
    let seconds: f64 = s.parse().map_err(|_| bad())?;
    if seconds == 0.0 {
        return Ok(Deadline(None));
    }
    if seconds.is_nan() || seconds < 0.0 {
        return Err(bad());
    }
    if seconds.is_infinite() {
        return Err(format!("'{s}' is not a finite number of seconds"));
    }
    Duration::try_from_secs_f64(seconds)
        .map(|d| Deadline(Some(d)))
        .map_err(|_| format!("'{s}' seconds is more than a time budget can hold"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Auto,
    Line,
    Word,
    Char,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AlgorithmArg {
    Myers,
    Patience,
    Histogram,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Unified,
    Color,
    Word,
    SideBySide,
    Stat,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Documents of two folders compared at a time.
const BATCH: usize = 64;

/// Runs `doppel diff`; returns the exit status.
pub fn run(args: &DiffArgs) -> anyhow::Result<i32> {
    let options = options(args)?;
    let encoding = args.encoding;
    let stdout = io::stdout();
    let terminal = stdout.is_terminal();
    let mut printer = printer(args, terminal);
    let mut out = io::BufWriter::new(stdout.lock());
    let code = match (is_dir(&args.old), is_dir(&args.new)) {
        (true, true) => folders(args, &options, encoding, &mut printer, &mut out)?,
        (false, false) => files(args, &options, encoding, &mut printer, &mut out)?,
        (true, false) | (false, true) => {
            bail!(
                "cannot compare a folder with a file: {} and {}",
                args.old.display(),
                args.new.display()
            )
        }
    };
    out.flush()?;
    Ok(code)
}

/// The library settings the arguments ask for.
fn options(args: &DiffArgs) -> anyhow::Result<DiffOptions> {
    let mut options = DiffOptions::new();
    options
        .granularity(match args.by {
            ByArg::Auto => Granularity::Auto,
            ByArg::Line => Granularity::Line,
            ByArg::Word => Granularity::Word,
            ByArg::Char => Granularity::Char,
        })
        .algorithm(match args.algorithm {
            AlgorithmArg::Myers => Algorithm::Myers,
            AlgorithmArg::Patience => Algorithm::Patience,
            AlgorithmArg::Histogram => Algorithm::Histogram,
        })
        .ignore_whitespace(args.ignore_whitespace)
        .ignore_case(args.ignore_case)
        .normalize(args.normalize)
        .deadline(args.deadline.0)
        .detect_moves(!args.no_moves)
        .move_similarity(args.move_similarity)
        .min_move_letters(args.min_move_letters)
        .rename_similarity(args.rename_similarity);
    options.validate()?;
    Ok(options)
}

fn printer(args: &DiffArgs, terminal: bool) -> Printer {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = !no_color
        && match args.color {
            ColorArg::Auto => terminal,
            ColorArg::Always => true,
            ColorArg::Never => false,
        };
    let format = match args.format {
        Some(FormatArg::Unified) => Format::Unified,
        Some(FormatArg::Color) => Format::Color,
        Some(FormatArg::Word) => Format::Word,
        Some(FormatArg::SideBySide) => Format::SideBySide,
        Some(FormatArg::Stat) => Format::Stat,
        Some(FormatArg::Json) => Format::Json,
        None if terminal => Format::Color,
        None => Format::Unified,
    };
    let width = args.width.unwrap_or_else(|| {
        terminal_size::terminal_size()
            .filter(|_| terminal)
            .map_or(120, |(w, _)| usize::from(w.0))
    });
    let mut printer = Printer::new(format);
    printer.context(args.context).color(color).width(width);
    printer
}

fn is_dir(path: &Path) -> bool {
    path != Path::new("-") && path.is_dir()
}

/// Reads and decodes one input through the input layer (as `scan` reads
/// it), or says why it cannot be compared.
fn read(
    path: &Path,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<(Decoded, usize), String> {
    let (entries, problems) = expand(&[path.to_path_buf()], &InputOptions::default());
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem.message);
    }
    let entry = entries.into_iter().next().ok_or("no such file or folder")?;
    let raw = entry.read().map_err(|e| e.message)?;
    let size = raw.bytes.len();
    let decoded = decode_vec(raw.bytes, encoding).map_err(|e| e.to_string())?;
    Ok((decoded, size))
}

fn files(
    args: &DiffArgs,
    options: &DiffOptions,
    encoding: Option<&'static encoding_rs::Encoding>,
    printer: &mut Printer,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let (old, new) = if args.old == Path::new("-") || args.new == Path::new("-") {
        (read(&args.old, encoding), read(&args.new, encoding))
    } else {
        rayon::join(|| read(&args.old, encoding), || read(&args.new, encoding))
    };
    let (old_name, new_name) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let begin = Begin {
        old: &old_name,
        new: &new_name,
        options,
    };
    let ((old, old_size), (new, new_size)) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            if !args.brief {
                printer.begin(out, &begin)?;
            }
            for (name, result) in [(&old_name, old.err()), (&new_name, new.err())] {
                if let Some(reason) = result {
                    eprintln!("doppel: {name}: {reason}");
                    if !args.brief {
                        printer.error(out, name, &reason)?;
                    }
                }
            }
            if !args.brief {
                printer.finish(out)?;
            }
            return Ok(2);
        }
    };
    let comparison = Comparison::new(&old.text, &new.text, options);
    if args.brief {
        if !comparison.is_equal() {
            writeln!(out, "Files {old_name} and {new_name} differ")?;
        }
        return Ok(i32::from(!comparison.is_equal()));
    }
    let header = DocHeader {
        old: Some(DocSide {
            path: &old_name,
            encoding: old.encoding.name(),
            input_bytes: old_size,
        }),
        new: Some(DocSide {
            path: &new_name,
            encoding: new.encoding.name(),
            input_bytes: new_size,
        }),
        status: if comparison.is_equal() {
            DocStatus::Unchanged
        } else {
            DocStatus::Changed
        },
    };
    printer.begin(out, &begin)?;
    printer.document(out, &header, &comparison)?;
    printer.finish(out)?;
    Ok(i32::from(!comparison.is_equal()))
}

fn folders(
    args: &DiffArgs,
    options: &DiffOptions,
    encoding: Option<&'static encoding_rs::Encoding>,
    printer: &mut Printer,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let report = compare_folders(&args.old, &args.new, options, encoding);
    let (old_root, new_root) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let begin = Begin {
        old: &old_root,
        new: &new_root,
        options,
    };
    if !args.brief {
        printer.begin(out, &begin)?;
    }
    for error in &report.errors {
        eprintln!("doppel: {error}");
        if !args.brief {
            let (path, message) = split_error(error);
            printer.error(out, &path, &message)?;
        }
    }
    printer.skipped(report.skipped_binary);
    let join = |root: &str, relative: &Path| Path::new(root).join(relative).display().to_string();
    let paths = |entry: &doppel::diff::FolderEntry| {
        let old = entry.old.map(|i| &report.old[i]);
        let new = entry.new.map(|j| &report.new[j]);
        let old_path = old.map(|d| join(&old_root, &d.relative));
        let new_path = new.map(|d| join(&new_root, &d.relative));
        (old, new, old_path, new_path)
    };
    if args.brief {
        for entry in &report.entries {
            let (_, _, old_path, new_path) = paths(entry);
            let (old_path, new_path) = (old_path.as_deref(), new_path.as_deref());
            brief_line(out, entry.status, old_path, new_path, entry.similarity)?;
        }
    } else {
        // Compared a batch at a time in parallel, printed in order.
        for start in (0..report.entries.len()).step_by(BATCH) {
            let end = (start + BATCH).min(report.entries.len());
            let comparisons = report.compare(start..end, options);
            for (entry, comparison) in report.entries[start..end].iter().zip(&comparisons) {
                let (old, new, old_path, new_path) = paths(entry);
                let header = DocHeader {
                    old: doc_side(old, old_path.as_deref()),
                    new: doc_side(new, new_path.as_deref()),
                    status: entry.status,
                };
                printer.document(out, &header, comparison)?;
            }
        }
    }
    if !args.brief {
        printer.finish(out)?;
    }
    Ok(if !report.errors.is_empty() {
        2
    } else {
        i32::from(!report.is_equal())
    })
}

fn doc_side<'a>(doc: Option<&'a FolderDoc>, path: Option<&'a str>) -> Option<DocSide<'a>> {
    doc.zip(path).map(|(d, path)| DocSide {
        path,
        encoding: d.decoded.encoding.name(),
        input_bytes: d.input_bytes,
    })
}

fn brief_line(
    out: &mut dyn Write,
    status: DocStatus,
    old: Option<&str>,
    new: Option<&str>,
    similarity: f64,
) -> io::Result<()> {
    let (old, new) = (old.unwrap_or(""), new.unwrap_or(""));
    match status {
        DocStatus::Unchanged => Ok(()),
        DocStatus::Changed => writeln!(out, "Files {old} and {new} differ"),
        DocStatus::Added => writeln!(out, "Added: {new}"),
        DocStatus::Removed => writeln!(out, "Removed: {old}"),
        DocStatus::Renamed => {
            let percent = (similarity * 100.0).round();
            writeln!(out, "Renamed: {old} => {new} ({percent}% similar)")
        }
    }
}

/// The path and the reason of a folder error, for the JSON `error` object.
fn split_error(error: &doppel::diff::FolderError) -> (String, String) {
    use doppel::diff::FolderError;
    match error {
        FolderError::Read { path, message } => (path.display().to_string(), message.clone()),
        FolderError::Decode { path, source } => (path.display().to_string(), source.to_string()),
        other => (String::new(), other.to_string()),
    }
}
