//! `doppel diff OLD NEW`: arguments, turned into library settings, then the
//! run over two files or two folders, or over one path of a git diff (as
//! git's external diff, see [`diff_inputs`](super::diff_inputs)), through
//! the pager on a terminal.

use std::ffi::OsString;
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
use doppel::{decode_vec, DecodeError, Decoded};
use encoding_rs::Encoding;

use super::common::{parse_encoding, parse_positive, parse_ratio};
use super::diff_inputs::{inputs, is_dev_null, GitPath, Inputs};
use super::pager::{self, Pager};

/// Compare two versions of a document, or two folders (two releases).
///
/// Exit status: 0 no differences, 1 differences, 2 trouble.
///
/// As git's diff: `GIT_EXTERNAL_DIFF="doppel diff" git diff` (or
/// `git config diff.external "doppel diff"`, with `--ext-diff` for
/// `git log -p` and `git show`) prints each changed path in doppel's
/// format, labelled `a/PATH` and `b/PATH`, exit status 0 unless there is
/// trouble, as git requires.
/// `git difftool -x "doppel diff"` compares each path the same way.
///
/// On a terminal the output goes through a pager: `$DOPPEL_PAGER`, else
/// `$PAGER`, else `less -R` (with `LESS=FRX` when `LESS` is unset); set
/// either to `cat` or to nothing, or pass `--no-pager`, to turn it off.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "doppel diff [OPTIONS] <OLD> <NEW>",
    after_help = "\
As git's diff:  GIT_EXTERNAL_DIFF=\"doppel diff\" git diff   or   git difftool -x \"doppel diff\"
On a terminal the output goes through $DOPPEL_PAGER, else $PAGER, else `less -R`.
Exit status: 0 no differences, 1 differences (0 under git), 2 trouble."
)]
pub struct DiffArgs {
    /// The old and the new version: each a file, a folder, `-` for standard
    /// input, or `/dev/null` for a side that does not exist. (Also the 7 or
    /// 9 arguments git passes an external diff.)
    #[arg(value_name = "OLD> <NEW", required = true, num_args = 1..=9)]
    pub inputs: Vec<OsString>,
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
    /// Output format [default: color on a terminal or in git's pager,
    /// unified otherwise]. `html` writes one self-contained page (side by
    /// side and inline views, changed words or characters marked, moved
    /// blocks linked, a list of files for folders; capped to what a browser
    /// opens, with every count complete): `--format html OLD NEW > diff.html`.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// When to use colour (`auto`: on a terminal or in git's pager; never
    /// under NO_COLOR).
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
    /// Do not send the output through a pager on a terminal.
    #[arg(long)]
    pub no_pager: bool,
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
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Documents of two folders compared at a time.
const BATCH: usize = 64;

/// Where the output goes and how it is shown.
struct Screen {
    /// Read by a person: on a terminal, or in git's pager.
    for_person: bool,
    /// Columns, when known.
    columns: Option<usize>,
    /// Through a pager of doppel's own.
    pager: Option<Pager>,
}

impl Screen {
    fn new(args: &DiffArgs, under_git: bool) -> Screen {
        let terminal = io::stdout().is_terminal();
        let git_pager = pager::git_pager_in_use();
        let columns = if terminal {
            terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
        } else if git_pager {
            // git's pager has the terminal; git says how wide it is.
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse().ok())
        } else {
            None
        };
        let page = pager::wanted(terminal, args.no_pager, under_git || git_pager);
        Screen {
            for_person: terminal || git_pager,
            columns,
            pager: if page { Pager::start() } else { None },
        }
    }
}

/// Runs `doppel diff`; returns the exit status.
pub fn run(args: &DiffArgs) -> anyhow::Result<i32> {
    let under_git = std::env::var_os("GIT_DIFF_PATH_TOTAL").is_some();
    let inputs = inputs(&args.inputs, under_git)?;
    let mut options = options(args)?;
    let git = matches!(inputs, Inputs::Git(_) | Inputs::Unmerged(_));
    let screen = Screen::new(args, git);
    // A unified diff shows whole lines: what changed inside them is not sought.
    let unified = args
        .format
        .map_or(!screen.for_person, |f| f == FormatArg::Unified);
    options.inline_changes(!(unified || args.brief));
    let mut printer = printer(args, screen.for_person, screen.columns);
    let stdout = io::stdout();
    let mut out: Box<dyn Write> = match screen.pager {
        Some(pager) => Box::new(io::BufWriter::new(pager)),
        None => Box::new(io::BufWriter::new(stdout.lock())),
    };
    let code = match inputs {
        Inputs::Pair { old, new } => pair(args, old, new, &options, &mut printer, &mut out)?,
        Inputs::Git(path) => {
            let code = files(args, &path.into(), &options, &mut printer, &mut out)?;
            // git stops at an external diff that exits non-zero: a
            // difference is what it asked for, not trouble.
            if code == 1 {
                0
            } else {
                code
            }
        }
        Inputs::Unmerged(path) => unmerged(args, &path, &options, &mut printer, &mut out)?,
    };
    out.flush()?;
    Ok(code)
}

/// `OLD NEW`: two folders, or two files.
fn pair(
    args: &DiffArgs,
    old: PathBuf,
    new: PathBuf,
    options: &DiffOptions,
    printer: &mut Printer,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    match (is_dir(&old), is_dir(&new)) {
        (true, true) => folders(args, &old, &new, options, printer, out),
        (false, false) => files(args, &FilePair::given(old, new), options, printer, out),
        (true, false) | (false, true) => bail!(
            "cannot compare a folder with a file: {} and {}",
            old.display(),
            new.display()
        ),
    }
}

/// git's note for a path it cannot diff, `* Unmerged path PATH` (a JSON
/// `error` object in JSON).
fn unmerged(
    args: &DiffArgs,
    path: &str,
    options: &DiffOptions,
    printer: &mut Printer,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if args.format == Some(FormatArg::Json) {
        let begin = Begin {
            old: path,
            new: path,
            options,
        };
        printer.begin(out, &begin)?;
        printer.error(out, path, "unmerged path")?;
        printer.finish(out)?;
    } else {
        writeln!(out, "* Unmerged path {path}")?;
    }
    Ok(0)
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

fn printer(args: &DiffArgs, terminal: bool, columns: Option<usize>) -> Printer {
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
        Some(FormatArg::Html) => Format::Html,
        None if terminal => Format::Color,
        None => Format::Unified,
    };
    let width = args.width.or(columns).unwrap_or(120);
    let mut printer = Printer::new(format);
    printer.context(args.context).color(color).width(width);
    printer
}

fn is_dir(path: &Path) -> bool {
    path != Path::new("-") && path.is_dir()
}

/// Two files to compare, and how to name them.
struct FilePair {
    /// `None` for a side that does not exist (`/dev/null`).
    old: Option<PathBuf>,
    new: Option<PathBuf>,
    old_label: String,
    new_label: String,
    /// git found the path renamed.
    renamed: bool,
    /// One path of a git diff: a binary file is noted as git notes it.
    git: bool,
}

impl From<GitPath> for FilePair {
    fn from(path: GitPath) -> FilePair {
        FilePair {
            old: path.old,
            new: path.new,
            old_label: path.old_label,
            new_label: path.new_label,
            renamed: path.renamed,
            git: true,
        }
    }
}

impl FilePair {
    /// Two paths given on the command line, named as given.
    fn given(old: PathBuf, new: PathBuf) -> FilePair {
        FilePair {
            old_label: old.display().to_string(),
            new_label: new.display().to_string(),
            old: (!is_dev_null(&old)).then_some(old),
            new: (!is_dev_null(&new)).then_some(new),
            renamed: false,
            git: false,
        }
    }
}

/// Why an input cannot be compared.
struct Unreadable {
    reason: String,
    /// It holds bytes that are not text.
    binary: bool,
}

impl From<String> for Unreadable {
    fn from(reason: String) -> Unreadable {
        Unreadable {
            reason,
            binary: false,
        }
    }
}

/// One side read: its text and size, or an empty text for a side that
/// does not exist.
fn read_side(
    path: Option<&Path>,
    encoding: Option<&'static Encoding>,
) -> Result<Option<(Decoded, usize)>, Unreadable> {
    path.map(|p| read(p, encoding)).transpose()
}

/// Reads and decodes one input through the input layer (as `scan` reads
/// it), or says why it cannot be compared.
fn read(
    path: &Path,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<(Decoded, usize), Unreadable> {
    let (entries, problems) = expand(&[path.to_path_buf()], &InputOptions::default());
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem.message.into());
    }
    let entry = entries
        .into_iter()
        .next()
        .ok_or_else(|| "no such file or folder".to_owned())?;
    let raw = entry.read().map_err(|e| e.message)?;
    let size = raw.bytes.len();
    let decoded = decode_vec(raw.bytes, encoding).map_err(|e| Unreadable {
        binary: matches!(e, DecodeError::Binary { .. }),
        reason: e.to_string(),
    })?;
    Ok((decoded, size))
}

fn files(
    args: &DiffArgs,
    pair: &FilePair,
    options: &DiffOptions,
    printer: &mut Printer,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let encoding = args.encoding;
    let (old_path, new_path) = (pair.old.as_deref(), pair.new.as_deref());
    let (old, new) = if [old_path, new_path].contains(&Some(Path::new("-"))) {
        (read_side(old_path, encoding), read_side(new_path, encoding))
    } else {
        rayon::join(
            || read_side(old_path, encoding),
            || read_side(new_path, encoding),
        )
    };
    let (old_name, new_name) = (&pair.old_label, &pair.new_label);
    let begin = Begin {
        old: old_name,
        new: new_name,
        options,
    };
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => return unreadable(args, pair, &begin, [old.err(), new.err()], printer, out),
    };
    let comparison = Comparison::new(text_of(&old), text_of(&new), options);
    if args.brief {
        if !comparison.is_equal() || old.is_none() != new.is_none() {
            writeln!(out, "Files {old_name} and {new_name} differ")?;
            return Ok(1);
        }
        return Ok(0);
    }
    let header = DocHeader {
        old: side_of(old_name, &old),
        new: side_of(new_name, &new),
        status: match (&old, &new) {
            (None, Some(_)) => DocStatus::Added,
            (Some(_), None) => DocStatus::Removed,
            _ if pair.renamed => DocStatus::Renamed,
            _ if comparison.is_equal() => DocStatus::Unchanged,
            _ => DocStatus::Changed,
        },
    };
    let differ = !comparison.is_equal() || header.status != DocStatus::Unchanged;
    printer.begin(out, &begin)?;
    printer.document(out, &header, &comparison)?;
    printer.finish(out)?;
    Ok(i32::from(differ))
}

/// Reports the sides that cannot be compared: a binary path of a git diff
/// as git notes it (exit status 1), anything else as an error (2).
fn unreadable(
    args: &DiffArgs,
    pair: &FilePair,
    begin: &Begin<'_>,
    errors: [Option<Unreadable>; 2],
    printer: &mut Printer,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let binary = errors.iter().flatten().all(|e| e.binary);
    if pair.git && binary && args.format != Some(FormatArg::Json) {
        if !args.brief {
            let name = |label: &str, path: &Option<PathBuf>| match path {
                Some(_) => label.to_owned(),
                None => "/dev/null".to_owned(),
            };
            let old = name(&pair.old_label, &pair.old);
            let new = name(&pair.new_label, &pair.new);
            writeln!(out, "Binary files {old} and {new} differ")?;
        }
        return Ok(1);
    }
    if !args.brief {
        printer.begin(out, begin)?;
    }
    let names = [&pair.old_label, &pair.new_label];
    for (name, error) in names.into_iter().zip(errors) {
        if let Some(Unreadable { reason, .. }) = error {
            eprintln!("doppel: {name}: {reason}");
            if !args.brief {
                printer.error(out, name, &reason)?;
            }
        }
    }
    if !args.brief {
        printer.finish(out)?;
    }
    Ok(2)
}

/// The text of a side read, empty for a side that does not exist.
fn text_of(side: &Option<(Decoded, usize)>) -> &str {
    side.as_ref()
        .map_or("", |(decoded, _)| decoded.text.as_str())
}

/// How a side read is described, `None` for a side that does not exist.
fn side_of<'a>(path: &'a str, side: &'a Option<(Decoded, usize)>) -> Option<DocSide<'a>> {
    side.as_ref().map(|(decoded, size)| DocSide {
        path,
        encoding: decoded.encoding.name(),
        input_bytes: *size,
    })
}

fn folders(
    args: &DiffArgs,
    old: &Path,
    new: &Path,
    options: &DiffOptions,
    printer: &mut Printer,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let report = compare_folders(old, new, options, args.encoding);
    let (old_root, new_root) = (old.display().to_string(), new.display().to_string());
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
