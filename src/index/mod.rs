//! A persistent index of stored documents, to deduplicate new data against
//! what is already stored.
//!
//! The index is a folder of immutable segment files ([`format`]) and one
//! small manifest ([`manifest`]) that lists them:
//!
//! ```text
//! INDEX/
//!   manifest.json        format version, SketchParams, segments + checksums
//!   seg-000001.dseg      the documents of the first add
//!   seg-000002.dseg      the documents of the second add
//!   .doppel.lock         held by the one writer
//! ```
//!
//! [`IndexWriter::add`] writes a new segment next to the others and commits
//! it by renaming a new manifest over the old one: adding never rewrites
//! what is stored, its time does not grow with the index, and a crash
//! leaves the index as it was before or after the add. Files the manifest
//! does not list are leftovers of an interrupted add; they are named, and
//! removed by the next writer. [`Index`] maps the segments read-only and
//! answers [`Index::lookup`] by binary searches in the mapped tables, so a
//! query holds no more of the index in memory than the pages it touches.
//!
//! Why files rather than an embedded store: the index is written once per
//! add and read by lookups of sorted keys; immutable sorted files give that
//! with one rename as the only commit, no compaction or write-ahead log, a
//! layout documented to the byte (readable from other languages), and
//! exactly one copy of each byte on disk.

mod collect;
pub mod format;
pub mod manifest;
mod query;
mod store;

pub use collect::{stored_doc, Collect};
pub use format::{Place, SegmentBuilder, StoredDoc};
pub use query::{Against, ReportStored, StoredMatch};
pub use store::{Index, IndexWriter};

use std::path::{Path, PathBuf};

use crate::params::Incompatible;

/// Version of the index layout (manifest and segment files together).
pub const INDEX_FORMAT: u32 = 1;

/// Why an index cannot be opened, created or written.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a doppel index (no manifest.json)", .0.display())]
    NotAnIndex(PathBuf),
    #[error("{}: cannot create an index here: the folder is not empty", .0.display())]
    NotEmpty(PathBuf),
    #[error("{}: another doppel is writing this index (it holds {}); try again when it is done", .0.display(), .0.join(store::LOCK_NAME).display())]
    Busy(PathBuf),
    #[error("{}: made by index format version {found}, this doppel reads version {expected}", path.display())]
    Version {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("{}: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error(transparent)]
    Incompatible(#[from] Incompatible),
}

impl IndexError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> IndexError {
        IndexError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Test-only: when the environment variable `DOPPEL_TEST_PAUSE_ADD` names
/// `step`, says so on stderr and waits a minute, so a test can kill the
/// process at that exact point of an add. Not a user setting.
pub(crate) fn test_pause(step: &str) {
    if std::env::var_os("DOPPEL_TEST_PAUSE_ADD").is_some_and(|v| v == step) {
        eprintln!("doppel: test pause at {step}");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}
