//! Cleaning: turning findings into keep/drop decisions, writing the cleaned
//! corpus, the manifest of every removal, and restoring the originals.
//!
//! - [`plan`]: per document, the sorted, disjoint removals and the cleaned
//!   text they give.
//! - [`seams`]: widening a removal so no doubled blank line or dangling space
//!   is left.
//! - [`edits`]: compact edit scripts against a kept twin, so the manifest
//!   stays small.
//! - [`run`]: the three passes of `clean` (scan, write, twins) and what they
//!   decide; `writer` puts cleaned files and manifest lines in place;
//!   `twins` keeps the texts of kept twins in a temporary file between the
//!   write and twin passes.
//! - [`manifest`]: the manifest's lines, and reading them back checked;
//!   [`restore`]: rebuilding the inputs from them, verified against their
//!   hashes; [`confine`]: keeping restore's reads and writes inside its two
//!   folders.
//! - `parquet`: Parquet inputs written back as Parquet, and rebuilt by
//!   restore (the `parquet` feature); `parquet_rows` ties them to the
//!   writer and restore in builds with or without it.
//! - [`listing`]: each removal named by its file, its record's line and
//!   id, and the kept text it duplicates, for `--dry-run` and
//!   `--format json`; [`report_html`]: the page of `--report FILE.html`
//!   that shows them.
//! - [`annotate`]: the annotate-only run, which keeps every record and
//!   writes the inputs back with `doppel_` fields saying what `clean`
//!   would do.
//! - [`output`]: where outputs go, the checks before anything is written,
//!   and atomic writes; [`encode`]: text back to its original bytes.

pub mod annotate;
#[cfg(feature = "parquet")]
mod annotate_table;
pub mod confine;
pub mod edits;
pub mod encode;
pub mod listing;
pub mod manifest;
pub mod output;
#[cfg(feature = "parquet")]
pub mod parquet;
mod parquet_rows;
pub mod plan;
pub mod report_html;
pub mod restore;
pub mod run;
pub mod seams;
mod twins;
mod writer;

pub use plan::{Keep, Plan, Reason, Removal, Twin};
