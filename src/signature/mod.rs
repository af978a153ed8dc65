//! Signature files: the documents of one input shard, signed, so that
//! duplicate documents across a corpus can be found without its texts.
//!
//! `doppel sign` writes one file per shard ([`SignatureWriter`], fed by
//! [`Engine::sign`](crate::Engine::sign)); `doppel cluster` reads any number
//! of them ([`SignatureFile`]) and finds the clusters a scan of the same
//! inputs in the same order would find ([`cluster()`]), byte for byte the same
//! JSON report. Signing is the map, clustering the reduce.
//!
//! # The format
//!
//! An [Arrow IPC file] (the "Feather v2" file format; uncompressed, so it
//! can be memory-mapped and read without copying), one row per outcome of
//! the shard in input order. Its schema carries two metadata keys:
//!
//! - `doppel.signatures`: the format version, `"1"`. A reader refuses any
//!   other version.
//! - `doppel.sketch_params`: the [`SketchParams`] the sketches were made
//!   with, as JSON (sketch format, granularity, shingle lengths, threshold,
//!   MinHash slots, bands × rows). Files made with other parameters are
//!   refused together, with a message naming each difference.
//!
//! Its footer carries one custom metadata key, `doppel.checksum`: the
//! xxh3-64 (16 hex digits) of every byte of the file before the
//! end-of-stream marker (`0xFFFFFFFF 0x00000000`) that precedes the footer.
//! A file whose bytes do not match it, or without it, is refused as
//! damaged: a flipped band key or shingle in a well-formed file would
//! otherwise give other clusters without a word.
//!
//! The columns, in this order:
//!
//! | column | type | meaning |
//! | --- | --- | --- |
//! | `kind` | utf8 | `document`; `error` (an input that could not be read or decoded, in its place); `input_error` (a path that could not be found or walked, reported before all documents, as a scan does); `skipped` (a binary file met in a folder walk) |
//! | `path` | utf8, null for standard input | the file, as reports name it (bytes that are not UTF-8 written `\xFF`) |
//! | `record_id` | utf8, nullable | a JSON Lines record's id (its line number when it has none; empty for a line that could not be parsed) |
//! | `record_line` | uint64, nullable | a JSON Lines record's 1-based line |
//! | `encoding` | utf8, nullable | documents: the encoding they were decoded with |
//! | `detection` | utf8, nullable | documents: how it was chosen |
//! | `bom` | bool, nullable | documents: began with a byte-order mark |
//! | `malformed` | uint64, nullable | documents: byte sequences that could not be decoded |
//! | `input_bytes` | uint64, nullable | documents: size as read |
//! | `bytes` | uint64, nullable | documents: size of the decoded UTF-8 text |
//! | `lines` | uint64, nullable | documents: lines |
//! | `segments` | uint64, nullable | documents: segments |
//! | `message` | utf8, nullable | errors: the reason |
//! | `exact` | uint64, nullable | documents: hash of the normalized segment sequence (equal for exact duplicates) |
//! | `units` | uint64, nullable | documents: CJK characters or words |
//! | `bands` | `list<uint64>`, nullable | documents: LSH band keys of the MinHash signature (empty without units) |
//! | `shingles` | `list<uint32>`, nullable | documents: shingle hashes cut to their high 32 bits, sorted, without repeats |
//!
//! Reading one from Python:
//!
//! ```python
//! import pyarrow as pa, pyarrow.compute as pc
//! table = pa.ipc.open_file(pa.memory_map("sigs/part-00001.jsonl.sig.arrow")).read_all()
//! docs = table.filter(pc.equal(table["kind"], "document"))
//! ```
//!
//! [Arrow IPC file]: https://arrow.apache.org/docs/format/Columnar.html#ipc-file-format
//! [`SketchParams`]: crate::SketchParams

mod bands;
mod cluster;
mod name;
mod read;
mod resolve;
mod schema;
mod write;

pub use cluster::{
    check_compatible, cluster, cluster_files, open_all, ClusterError, ClusterOptions,
    ClusterReport, ClusterSink,
};
pub use name::{signature_name, SignatureNames};
pub use read::{signature_files, SignatureFile};
#[doc(hidden)]
pub use read::{Row, RowRead};
pub use resolve::{
    bucket_of, bucket_pairs, pair_similarity, removals, resolve, ResolveError, Resolved,
    ResolvedRemoval,
};
pub use schema::{CHECKSUM_KEY, FORMAT_KEY, FORMAT_VERSION, PARAMS_KEY};
pub use write::{SignatureBatches, SignatureWriter};

use std::path::{Path, PathBuf};

/// Ending of signature file names; `doppel cluster` takes the files of a
/// folder that end with it.
pub const EXTENSION: &str = ".sig.arrow";

/// A signature file that cannot be written, read or used, and why: one
/// line naming the file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", crate::document::escaped_path(path))]
pub struct SignatureError {
    /// The signature file.
    pub path: PathBuf,
    /// What is wrong, one line.
    pub reason: String,
}

impl SignatureError {
    pub(crate) fn new(path: &Path, reason: impl std::fmt::Display) -> SignatureError {
        SignatureError {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

/// A signed document for the tests of this module: `a.txt`, `size` bytes,
/// exact hash 7, units as many as its shingles.
#[cfg(test)]
pub(crate) fn test_document(
    size: usize,
    bands: Vec<u64>,
    shingles: Vec<u32>,
) -> crate::pipeline::SignedDoc {
    crate::pipeline::SignedDoc {
        origin: crate::document::Origin::Path("a.txt".into()),
        facts: crate::pipeline::DocumentFacts {
            encoding: "UTF-8",
            detection: "valid-utf8",
            bom: false,
            malformed: 0,
            input_bytes: size,
            bytes: size,
            lines: 1,
            segments: 1,
        },
        exact: 7,
        units: shingles.len() as u64,
        bands,
        shingles,
    }
}
