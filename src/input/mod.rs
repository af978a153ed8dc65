//! Finding inputs and reading their bytes.
//!
//! A path on the command line is a file, a folder, or `-` for standard input.
//! Folders are walked recursively with the [`ignore`] crate: `.gitignore`,
//! `.ignore`, `.git/info/exclude` and the global git excludes are honoured,
//! and hidden files are skipped, unless [`InputOptions`] says otherwise.
//! Walk order is sorted by path, so reports do not depend on the file system.
//!
//! Each entry is read as text, JSON Lines or Parquet ([`InputFormat`]):
//! by default as its name says (`.jsonl`, `.ndjson`, `.parquet`…), and a
//! `.json` file or standard input as JSON Lines when its content says so
//! (`sniff`); [`InputOptions::format`] can force one format for every
//! entry.
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
mod sniff;

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
    /// What every input is; by default, as its name or content says.
    pub format: InputFormat,
}

/// What an input is read as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// As the file name says (`.jsonl`, `.ndjson` and `.parquet`, any case,
    /// JSON Lines also `.gz`/`.zst`), a `.json` file and standard input as
    /// JSON Lines when their content is (the first non-blank line a JSON
    /// object holding the text field, or the first two such objects), and
    /// anything else as text.
    #[default]
    Auto,
    /// Every input is one text document.
    Text,
    /// Every input is JSON Lines, one document per line (compressed as its
    /// name says).
    Jsonl,
    /// Every file is a Parquet table, one document per row; standard input
    /// cannot be.
    Parquet,
}

impl std::str::FromStr for InputFormat {
    type Err = String;

    /// `auto`, `text`, `jsonl` or `parquet`, as `--input-format` spells them.
    fn from_str(name: &str) -> Result<InputFormat, String> {
        match name {
            "auto" => Ok(InputFormat::Auto),
            "text" => Ok(InputFormat::Text),
            "jsonl" => Ok(InputFormat::Jsonl),
            "parquet" => Ok(InputFormat::Parquet),
            _ => Err(format!("'{name}' is not one of auto, text, jsonl, parquet")),
        }
    }
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
    /// for a Parquet file, one document per row, with these columns.
    /// `None` for text.
    pub jsonl: Option<Arc<JsonlOptions>>,
    /// How the entry is read: [`InputFormat::Text`], [`InputFormat::Jsonl`]
    /// or [`InputFormat::Parquet`], never [`InputFormat::Auto`].
    pub format: InputFormat,
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
            match stdin_format(options) {
                Ok(format) => {
                    entries.push(Entry::with_format(Origin::Stdin, false, format, &jsonl))
                }
                Err(message) => problems.push(InputError::new(Origin::Stdin, message)),
            }
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, options, &mut entries, &mut problems),
            Ok(_) => entries.push(Entry::file(path.clone(), false, options, &jsonl)),
            Err(err) => problems.push(InputError::new(
                Origin::Path(path.clone()),
                links::unfollowable(path, &err),
            )),
        }
    }
    (entries, problems)
}

impl Entry {
    /// A file, read as `options.format` says, or as its name or content
    /// says.
    fn file(
        path: PathBuf,
        walked: bool,
        options: &InputOptions,
        jsonl: &Arc<JsonlOptions>,
    ) -> Entry {
        let format = match options.format {
            InputFormat::Auto => file_format(&path, &options.jsonl),
            forced => forced,
        };
        Entry::with_format(Origin::Path(path), walked, format, jsonl)
    }

    fn with_format(
        origin: Origin,
        walked: bool,
        format: InputFormat,
        jsonl: &Arc<JsonlOptions>,
    ) -> Entry {
        Entry {
            jsonl: (format != InputFormat::Text).then(|| Arc::clone(jsonl)),
            origin,
            walked,
            format,
        }
    }

    /// Whether the entry is read as a Parquet table.
    pub fn is_parquet(&self) -> bool {
        self.format == InputFormat::Parquet
    }
}

/// What a file is by its name, or for a `.json` file by its content.
fn file_format(path: &Path, jsonl: &JsonlOptions) -> InputFormat {
    if parquet::is_parquet_path(path) {
        InputFormat::Parquet
    } else if is_jsonl_path(path)
        || (sniff::is_json_path(path) && sniff::file_is_jsonl(path, &jsonl.text_field))
    {
        InputFormat::Jsonl
    } else {
        InputFormat::Text
    }
}

/// What standard input is read as: with `auto`, JSON Lines when its
/// content is (it is read whole to look), else text.
fn stdin_format(options: &InputOptions) -> Result<InputFormat, &'static str> {
    match options.format {
        InputFormat::Auto => Ok(match stdin_bytes() {
            Ok(bytes) if sniff::is_jsonl(bytes, &options.jsonl.text_field) => InputFormat::Jsonl,
            // Text, or unreadable: the read says why.
            _ => InputFormat::Text,
        }),
        InputFormat::Parquet => {
            Err("a Parquet table cannot be read from standard input; name the file")
        }
        forced => Ok(forced),
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
                entries.push(Entry::file(entry.into_path(), true, options, &jsonl))
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
    stdin_bytes().map(<[u8]>::to_vec)
}

/// Standard input's bytes, read whole the first time they are asked for.
fn stdin_bytes() -> std::io::Result<&'static [u8]> {
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
        Ok(bytes) => Ok(bytes.as_slice()),
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
