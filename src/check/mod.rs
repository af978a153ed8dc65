//! `check`: a CI gate for duplicate content.
//!
//! A check scans a tree with the same pipeline as scan, finds content that
//! occurs in two or more places — passages copied between files
//! ([`Passage`](crate::Passage)) and blocks repeated
//! inside a file ([`Block`](crate::Block)), exact or
//! near — and judges them against a [`Policy`].
//!
//! Main types:
//!
//! - [`Policy`]: what is reported (`min_letters`, `min_segments`), what is
//!   near (`threshold`), what fails (`fail_on`, ratio limits).
//! - [`Collector`]: the [`Sink`](crate::Sink) that gathers what the check
//!   needs from each document and makes the [`Findings`].
//! - [`Baseline`]: the findings accepted so far, by content fingerprint and
//!   count per file, so only new duplication fails.
//! - [`ChangedLines`]: lines changed since a git revision, to report only
//!   findings that touch them.
//! - [`Verdict`]: findings reported, which fail, fixed baseline entries, exit
//!   status; [`report`] prints it in every format.
//! - [`FileConfig`]: the `doppel.toml` file.
//!
//! Text between `doppel:off` and `doppel:on` markers is skipped
//! ([`suppress`]).
//!
//! ```
//! use doppel::check::{Collector, Context, Policy, Verdict};
//! use doppel::document::Origin;
//! use doppel::{EngineBuilder, Sink};
//! let engine = EngineBuilder::new().keep_fingerprints(true).build().unwrap();
//! let policy = Policy::default();
//! let root = std::env::temp_dir();
//! let mut collector = Collector::new(policy.clone(), &root);
//! let shared = "Copy-pasted paragraphs are easy to make and hard to keep in step when one of them changes.";
//! for (name, text) in [("a.md", format!("# A\n\n{shared}\n")), ("b.md", format!("# B\n\n{shared}\n"))] {
//!     let doc = engine.scan_text(Origin::Path(root.join(name)), &text);
//!     collector.document(&doc).unwrap();
//! }
//! let verdict = Verdict::judge(collector.finish(), &policy, Context::default());
//! assert_eq!(verdict.findings.len(), 1);
//! assert_eq!(verdict.exit_code(), 1);
//! ```

use std::path::PathBuf;

pub mod baseline;
pub mod changed;
mod collect;
pub mod config;
mod finding;
mod policy;
pub mod report;
pub mod suppress;
mod verdict;

pub use baseline::Baseline;
pub use changed::ChangedLines;
pub use collect::{display_path, repository_root, Collector, FileStat, Findings};
pub use config::FileConfig;
pub use finding::{Finding, Location};
pub use policy::{FailOn, Kind, Policy};
pub use verdict::{Context, Verdict};

/// Why a check could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A `doppel.toml` that cannot be read, is not TOML, or holds an
    /// unknown key or a value out of range.
    #[error("{}: bad configuration: {message}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A baseline file that cannot be read or is not a baseline.
    #[error("{}: bad baseline: {message}", path.display())]
    Baseline {
        /// The baseline file.
        path: PathBuf,
        /// What is wrong with it, naming the line.
        message: String,
    },
    /// `--changed-since` could not ask git: no git, not a repository, not
    /// a revision.
    #[error("{0}")]
    Git(String),
    /// A baseline could not be written.
    #[error("{}: {message}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The operating system's reason, in words.
        message: String,
    },
}
