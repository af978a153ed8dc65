//! Options every subcommand that reads inputs shares, their conversion
//! into library settings, and the value parsers that check each number
//! where it is parsed (a bad value is a usage error, exit 2).

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use encoding_rs::Encoding;

use doppel::input::jsonl::JsonlOptions;
use doppel::input::{InputFormat, InputOptions};
use doppel::{EngineBuilder, Granularity, ShingleConfig, Summary};

/// How inputs are read and compared.
#[derive(Args, Debug, Clone)]
pub struct ReadArgs {
    /// Files, folders (walked recursively) or `-` for standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Decode every input with this encoding (a WHATWG label: utf-8, gbk,
    /// gb18030, big5, shift_jis, euc-kr, utf-16le, windows-1252…) instead of
    /// detecting it.
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding)]
    pub encoding: Option<&'static Encoding>,

    /// Unit of comparison: paragraphs, lines, sentences, or paragraphs with
    /// very long ones cut into sentences (auto).
    #[arg(long, value_enum, default_value_t = SegmentArg::Auto)]
    pub segment: SegmentArg,

    /// Jaccard similarity, in (0, 1], of shingle sets from which two
    /// segments are near duplicates.
    #[arg(long, default_value_t = doppel::DEFAULT_THRESHOLD, value_parser = parse_unit_interval)]
    pub threshold: f64,

    /// How text is cut into shingles, the pieces whose sets are compared:
    /// `chars:N` (N characters of the normalized text, spaces between words
    /// included), `words:N` (N words; in Chinese, Japanese and Korean text N
    /// characters), or per script, `spaced=chars:5,cjk=chars:4` (`spaced`,
    /// also written `latin`: text written with spaces between words; `cjk`:
    /// text mostly in Han, kana or Hangul). N from 1 to 32.
    #[arg(
        long = "shingle",
        value_name = "SPEC",
        default_value = "chars:5",
        value_parser = parse_shingles
    )]
    pub shingles: ShingleConfig,

    /// Smallest block reported, in units of one copy (CJK characters or
    /// words); at least 1.
    #[arg(long, default_value_t = 10, value_name = "UNITS", value_parser = parse_positive)]
    pub min_units: usize,

    /// Worker threads, 1 to 256 (default: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,

    /// Walk every file in folders: ignore .gitignore, .ignore and .doppelignore.
    #[arg(long)]
    pub no_ignore: bool,

    /// Walk hidden files and folders too.
    #[arg(long)]
    pub hidden: bool,

    /// What the inputs are: auto reads .jsonl/.ndjson (also .gz, .zst) as
    /// JSON Lines, .parquet as Parquet, a .json file or standard input as
    /// JSON Lines when its first line is a JSON object (holding the text
    /// field, or followed by another object), and the rest as text; the
    /// others read every input so.
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = parse_input_format)]
    pub input_format: InputFormat,

    /// JSON Lines and Parquet inputs: the field (column) holding each
    /// document's text.
    #[arg(long, default_value = "text", value_name = "FIELD")]
    pub text_field: String,

    /// JSON Lines and Parquet inputs: the field (column) holding each
    /// document's id (else the line or row number).
    #[arg(long, default_value = "id", value_name = "FIELD")]
    pub id_field: String,

    /// JSON Lines and Parquet inputs: a field (column) naming each
    /// document's site (a host name, say); boilerplate is counted per site
    /// (else per file).
    #[arg(long, value_name = "FIELD")]
    pub site_field: Option<String>,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum SegmentArg {
    Paragraph,
    Line,
    Sentence,
    Auto,
}

impl From<SegmentArg> for Granularity {
    fn from(arg: SegmentArg) -> Granularity {
        match arg {
            SegmentArg::Paragraph => Granularity::Paragraph,
            SegmentArg::Line => Granularity::Line,
            SegmentArg::Sentence => Granularity::Sentence,
            SegmentArg::Auto => Granularity::Auto,
        }
    }
}

/// Most worker threads `--threads` accepts, as `doppel.toml`'s `threads`.
pub const MAX_THREADS: usize = doppel::check::config::MAX_THREADS;

/// A number in (0, 1]: a similarity threshold.
pub fn parse_unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(format!("'{s}' is not a number in (0, 1]")),
    }
}

/// A shingling (`chars:5`, `words:3`, `spaced=chars:5,cjk=chars:4`).
pub fn parse_shingles(s: &str) -> Result<ShingleConfig, String> {
    s.parse()
}

/// A number in [0, 1]: a ratio or a least similarity.
pub fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("'{s}' is not a number in [0, 1]")),
    }
}

/// A whole number, 1 or more.
pub fn parse_positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("'{s}' is not a whole number of at least 1")),
    }
}

/// A thread count, 1 to [`MAX_THREADS`].
pub fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{s}' is not a whole number from 1 to {MAX_THREADS}"
        )),
    }
}

/// An input format; Parquet only when this build reads it.
pub fn parse_input_format(s: &str) -> Result<InputFormat, String> {
    match s.parse()? {
        InputFormat::Parquet if !doppel::input::parquet::BUILT_IN => {
            Err(doppel::input::parquet::NOT_BUILT_IN.to_owned())
        }
        format => Ok(format),
    }
}

/// An encoding, by its WHATWG label.
pub fn parse_encoding(label: &str) -> Result<&'static Encoding, String> {
    doppel::decode::encoding_for_label(label).ok_or_else(|| {
        format!("unknown encoding '{label}' (expected a WHATWG label such as utf-8, gbk, big5, shift_jis)")
    })
}

impl ReadArgs {
    pub fn input_options(&self) -> InputOptions {
        InputOptions {
            no_ignore: self.no_ignore,
            hidden: self.hidden,
            jsonl: JsonlOptions {
                text_field: self.text_field.clone(),
                id_field: self.id_field.clone(),
                site_field: self.site_field.clone(),
            },
            format: self.input_format,
        }
    }

    pub fn engine(&self) -> Result<EngineBuilder> {
        let mut builder = EngineBuilder::new();
        builder
            .granularity(self.segment.into())
            .threshold(self.threshold)
            .min_units(self.min_units)
            .shingles(self.shingles)
            .encoding(self.encoding);
        Ok(builder)
    }

    /// Runs `f` on a thread pool of the requested size.
    pub fn with_threads<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T> {
        match self.threads {
            Some(threads) => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()?;
                Ok(pool.install(f))
            }
            None => Ok(f()),
        }
    }
}

/// Output format of a report.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Human,
    Json,
}

/// The note for a run whose inputs hold no document and no trouble.
pub const NO_DOCUMENTS: &str = "the inputs hold no document (folder walks leave out ignored and hidden files: --no-ignore, --hidden)";

/// Why a run that read no document at all while it skipped or failed
/// inputs is not a success: `nothing was scanned: …`. `None` when a
/// document was read, or when there was nothing to read (an empty folder
/// is an empty corpus, not trouble).
pub fn nothing_scanned(summary: &Summary) -> Option<String> {
    if summary.documents > 0 || (summary.skipped == 0 && summary.errors == 0) {
        return None;
    }
    let mut why = Vec::new();
    if summary.skipped > 0 {
        let files = if summary.skipped == 1 {
            "file"
        } else {
            "files"
        };
        why.push(format!("{} binary {files} skipped", summary.skipped));
    }
    if summary.errors > 0 {
        let errors = if summary.errors == 1 {
            "error"
        } else {
            "errors"
        };
        why.push(format!("{} {errors}", summary.errors));
    }
    Some(format!(
        "nothing was scanned: no input held a document that could be read ({})",
        why.join(", ")
    ))
}

/// Colour only on a terminal and never under `NO_COLOR`.
pub fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
