//! Finding inputs and reading their bytes.
//!
//! A path on the command line is a file, a folder, or `-` for standard input.
//! Folders are walked recursively with the [`ignore`] crate: `.gitignore`,
//! `.ignore`, `.git/info/exclude` and the global git excludes are honoured,
//! and hidden files are skipped, unless [`InputOptions`] says otherwise.
//! Walk order is sorted by path, so reports do not depend on the file system.
//!
//! ```no_run
//! use doppel::input::{expand, InputOptions};
//! let (entries, problems) = expand(&["corpus".into()], &InputOptions::default());
//! for entry in entries {
//!     let raw = entry.read().unwrap();
//!     println!("{}: {} bytes", raw.origin, raw.bytes.len());
//! }
//! # let _ = problems;
//! ```

mod links;
mod reader;

pub use reader::{Content, LoadedDoc, PendingRecord};
pub(crate) use reader::{DocReader, Loaded};

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonl::{is_jsonl_path, JsonlOptions};

use crate::document::Origin;

pub mod jsonl;
pub mod parquet;

/// How folders are walked and JSON Lines files read.
#[derive(Clone, Debug, Default)]
pub struct InputOptions {
    /// Walk every file, ignoring `.gitignore` and the other ignore files.
    pub no_ignore: bool,
    /// Walk hidden files and folders too.
    pub hidden: bool,
    /// Fields of JSON Lines files (`.jsonl`, `.ndjson`, also `.gz`/`.zst`).
    pub jsonl: JsonlOptions,
}

/// One input to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Where it is: a file, or standard input.
    pub origin: Origin,
    /// Found in a folder walk rather than named: binary files are then
    /// skipped quietly instead of being errors.
    pub walked: bool,
    /// Read as JSON Lines, one document per line, with these fields; or,
    /// for a Parquet file ([`parquet::is_parquet_path`]), one document per
    /// row, with these columns.
    pub jsonl: Option<Arc<JsonlOptions>>,
}

/// The bytes of one input, as read.
#[derive(Clone, Debug)]
pub struct RawDoc {
    /// Where it was read from.
    pub origin: Origin,
    /// Found in a folder walk (binary files are then skipped quietly).
    pub walked: bool,
    /// The bytes as read, not yet decoded.
    pub bytes: Vec<u8>,
}

/// An input that could not be found or read.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct InputError {
    /// The input it concerns.
    pub origin: Origin,
    /// Why, one line (the operating system's reason, in words).
    pub message: String,
}

impl InputError {
    fn new(origin: Origin, err: impl std::fmt::Display) -> InputError {
        InputError {
            origin,
            message: err.to_string(),
        }
    }
}

/// Expands command-line paths into entries; paths that cannot be followed
/// (missing, a symbolic link loop, a dangling link) and walk errors are
/// returned as problems, in order.
pub fn expand(paths: &[PathBuf], options: &InputOptions) -> (Vec<Entry>, Vec<InputError>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let jsonl = Arc::new(options.jsonl.clone());
    for path in paths {
        if path.as_os_str() == "-" {
            entries.push(Entry {
                origin: Origin::Stdin,
                walked: false,
                jsonl: None,
            });
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, options, &mut entries, &mut problems),
            Ok(_) => entries.push(Entry::file(path.clone(), false, &jsonl)),
            Err(err) => problems.push(InputError::new(
                Origin::Path(path.clone()),
                links::unfollowable(path, &err),
            )),
        }
    }
    (entries, problems)
}

impl Entry {
    fn file(path: PathBuf, walked: bool, jsonl: &Arc<JsonlOptions>) -> Entry {
        Entry {
            jsonl: (is_jsonl_path(&path) || parquet::is_parquet_path(&path))
                .then(|| Arc::clone(jsonl)),
            origin: Origin::Path(path),
            walked,
        }
    }
}

fn walk(
    root: &Path,
    options: &InputOptions,
    entries: &mut Vec<Entry>,
    problems: &mut Vec<InputError>,
) {
    let jsonl = Arc::new(options.jsonl.clone());
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .standard_filters(!options.no_ignore)
        .hidden(!options.hidden)
        .require_git(false)
        .sort_by_file_path(|a, b| a.cmp(b));
    if !options.no_ignore {
        builder.add_custom_ignore_filename(".doppelignore");
    }
    for result in builder.build() {
        match result {
            Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                entries.push(Entry::file(entry.into_path(), true, &jsonl))
            }
            // Links are never followed in a walk, so one that could not be
            // followed (a loop, a dangling link) is as harmless as any other
            // and skipped quietly too; a link named on the command line is
            // followed, and one that cannot be is reported by name.
            Ok(entry) if entry.path_is_symlink() => {}
            Ok(_) => {}
            Err(err) => {
                let path = walk_error_path(&err).unwrap_or_else(|| root.to_path_buf());
                problems.push(InputError::new(Origin::Path(path), io_reason(&err)));
            }
        }
    }
}

fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        _ => None,
    }
}

fn io_reason(err: &ignore::Error) -> String {
    match err.io_error() {
        Some(io) => io_message(io),
        None => err.to_string(),
    }
}

mod special;

pub use special::FIFO_WAIT;

/// Standard input, read once and kept: later passes over the inputs (the
/// verification of candidates, the writing of `clean`) read it again.
fn read_stdin() -> std::io::Result<Vec<u8>> {
    static STDIN: std::sync::OnceLock<Result<Vec<u8>, (std::io::ErrorKind, String)>> =
        std::sync::OnceLock::new();
    let stored = STDIN.get_or_init(|| {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map(|_| bytes)
            .map_err(|e| (e.kind(), e.to_string()))
    });
    match stored {
        Ok(bytes) => Ok(bytes.clone()),
        Err((kind, message)) => Err(std::io::Error::new(*kind, message.clone())),
    }
}

/// An I/O error as a short reason, without the OS error number.
pub fn io_message(err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::NotFound => "no such file or folder".to_owned(),
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_owned(),
                None => text,
            }
        }
    }
}

impl Entry {
    /// Reads the entry's bytes. A FIFO is read once, waiting at most
    /// [`FIFO_WAIT`] for a writer, and its bytes kept for later reads; a
    /// device is refused.
    pub fn read(&self) -> Result<RawDoc, InputError> {
        let bytes = match &self.origin {
            Origin::Path(path) => special::read_any(path),
            Origin::Record { path, .. } => special::read_any(path),
            Origin::Stdin => read_stdin(),
        };
        match bytes {
            Ok(bytes) => Ok(RawDoc {
                origin: self.origin.clone(),
                walked: self.walked,
                bytes,
            }),
            Err(err) if err.kind() == std::io::ErrorKind::IsADirectory => {
                Err(InputError::new(self.origin.clone(), "is a folder"))
            }
            Err(err) => Err(InputError::new(self.origin.clone(), io_message(&err))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_honours_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join(".gitignore"), "skip.txt\n").unwrap();
        for name in ["b.txt", "a.txt", "skip.txt", "sub/c.txt", ".hidden.txt"] {
            std::fs::write(root.join(name), "x").unwrap();
        }
        let names = |options: &InputOptions| -> Vec<String> {
            let (entries, problems) = expand(&[root.to_path_buf()], options);
            assert!(problems.is_empty());
            entries
                .iter()
                .map(|e| {
                    e.origin
                        .file()
                        .unwrap()
                        .strip_prefix(root)
                        .unwrap()
                        .display()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(
            names(&InputOptions::default()),
            ["a.txt", "b.txt", "sub/c.txt"]
        );
        let all = names(&InputOptions {
            no_ignore: true,
            ..InputOptions::default()
        });
        assert!(all.contains(&"skip.txt".to_owned()));
    }

    #[test]
    fn missing_paths_are_problems() {
        let (entries, problems) = expand(&["/no/such/path".into()], &InputOptions::default());
        assert!(entries.is_empty());
        assert_eq!(
            problems[0].to_string(),
            "/no/such/path: no such file or folder"
        );
    }
}
