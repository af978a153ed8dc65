//! Options every subcommand that reads inputs shares, and their conversion
//! into library settings.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{anyhow, Result};
use clap::{Args, ValueEnum};

use doppel::input::jsonl::JsonlOptions;
use doppel::input::InputOptions;
use doppel::{EngineBuilder, Granularity};

/// How inputs are read and compared.
#[derive(Args, Debug, Clone)]
pub struct ReadArgs {
    /// Files, folders (walked recursively) or `-` for standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Decode every input with this encoding (a WHATWG label: utf-8, gbk,
    /// gb18030, big5, shift_jis, euc-kr, utf-16le, windows-1252…) instead of
    /// detecting it.
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,

    /// Unit of comparison: paragraphs, lines, sentences, or paragraphs with
    /// very long ones cut into sentences (auto).
    #[arg(long, value_enum, default_value_t = SegmentArg::Auto)]
    pub segment: SegmentArg,

    /// Jaccard similarity (0–1) of shingle sets from which two segments are
    /// near duplicates.
    #[arg(long, default_value_t = 0.8, value_parser = parse_unit_interval)]
    pub threshold: f64,

    /// Smallest block reported, in units of one copy (CJK characters or
    /// words).
    #[arg(long, default_value_t = 10, value_name = "UNITS")]
    pub min_units: usize,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Walk every file in folders: ignore .gitignore, .ignore and .doppelignore.
    #[arg(long)]
    pub no_ignore: bool,

    /// Walk hidden files and folders too.
    #[arg(long)]
    pub hidden: bool,

    /// JSON Lines inputs: the field holding each document's text.
    #[arg(long, default_value = "text", value_name = "FIELD")]
    pub text_field: String,

    /// JSON Lines inputs: the field holding each document's id (else the
    /// line number).
    #[arg(long, default_value = "id", value_name = "FIELD")]
    pub id_field: String,

    /// JSON Lines inputs: a field naming each document's site (a host name,
    /// say); boilerplate is counted per site (else per file).
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

fn parse_unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) && x > 0.0 => Ok(x),
        _ => Err(format!("'{s}' is not a number in (0, 1]")),
    }
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
        }
    }

    pub fn engine(&self) -> Result<EngineBuilder> {
        let mut builder = EngineBuilder::new();
        builder
            .granularity(self.segment.into())
            .threshold(self.threshold)
            .min_units(self.min_units);
        if let Some(label) = &self.encoding {
            let encoding = doppel::decode::encoding_for_label(label)
                .ok_or_else(|| anyhow!("unknown encoding '{label}' (expected a WHATWG label such as utf-8, gbk, big5, shift_jis)"))?;
            builder.encoding(Some(encoding));
        }
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
