//! A persistent index of stored documents, to deduplicate new data against
//! what is already stored.
//!
//! The index is a folder of immutable segment files ([`format`](mod@format)) and one
//! small manifest ([`manifest`](mod@manifest)) that lists them:
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
    /// A file of the index could not be read, written, renamed or locked.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The folder has no `manifest.json`.
    #[error("{}: not a doppel index (no manifest.json)", .0.display())]
    NotAnIndex(PathBuf),
    /// An index is created only in a new or empty folder.
    #[error("{}: cannot create an index here: the folder is not empty", .0.display())]
    NotEmpty(PathBuf),
    /// Another writer holds the index's lock file.
    #[error("{}: another doppel is writing this index (it holds {}); try again when it is done", .0.display(), .0.join(store::LOCK_NAME).display())]
    Busy(PathBuf),
    /// The manifest was written by another version of the index layout
    /// ([`INDEX_FORMAT`]).
    #[error("{}: made by index format version {found}, this doppel reads version {expected}", path.display())]
    Version {
        /// The manifest.
        path: PathBuf,
        /// The layout version it records.
        found: u32,
        /// The layout version this doppel reads and writes.
        expected: u32,
    },
    /// A manifest or segment file that does not hold what the layout says:
    /// cut short, a checksum that does not match, a table out of order.
    #[error("{}: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Documents sketched with other settings than the index's.
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
