//! Where cleaned (and restored) files go, checked before anything is
//! written, and how they are written: to a temporary name beside the target,
//! then renamed into place, so a run killed at any moment leaves no
//! half-written file under a final name.
//!
//! A file input `dir/name.txt` lands at `OUT/name.txt`; a folder input
//! `path/to/docs` lands at `OUT/docs/…`, mirroring its tree; standard input
//! lands at `OUT/stdin.txt`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::document::Origin;

/// A problem with the output folder or the inputs' output paths.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    #[error("{0}: the output folder must be new or empty")]
    NotEmpty(PathBuf),
    #[error("{out}: the output folder is inside the input folder {input}; choose a folder outside the inputs")]
    InsideInput { out: PathBuf, input: PathBuf },
    #[error("{first} and {second} would both be written to {output}")]
    Collision {
        first: String,
        second: String,
        output: PathBuf,
    },
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
}

fn io_error(path: &Path, err: std::io::Error) -> OutputError {
    OutputError::Io {
        path: path.to_path_buf(),
        message: crate::input::io_message(&err),
    }
}

/// The command-line inputs, to map each document to its place in the output.
#[derive(Clone, Debug)]
pub struct Layout {
    roots: Vec<(PathBuf, bool)>,
}

impl Layout {
    pub fn new(inputs: &[PathBuf]) -> Layout {
        Layout {
            roots: inputs.iter().map(|p| (p.clone(), p.is_dir())).collect(),
        }
    }

    /// The relative output path of a document.
    pub fn relative(&self, origin: &Origin) -> PathBuf {
        let Some(path) = origin.file() else {
            return PathBuf::from("stdin.txt");
        };
        for (root, is_dir) in &self.roots {
            if *is_dir {
                if let Ok(rest) = path.strip_prefix(root) {
                    return folder_name(root).join(rest);
                }
            } else if root == path {
                return PathBuf::from(path.file_name().unwrap_or(path.as_os_str()));
            }
        }
        PathBuf::from(path.file_name().unwrap_or(path.as_os_str()))
    }

    /// Refuses an output folder that is not empty or sits inside an input
    /// folder, and two documents that would land on one output path.
    pub fn check(&self, out: &Path, origins: &[Origin]) -> Result<(), OutputError> {
        if out.exists() {
            let mut entries = std::fs::read_dir(out).map_err(|e| io_error(out, e))?;
            if entries.next().is_some() {
                return Err(OutputError::NotEmpty(out.to_path_buf()));
            }
        }
        let out_abs = absolute(out);
        for (root, is_dir) in &self.roots {
            if *is_dir && out_abs.starts_with(absolute(root)) {
                return Err(OutputError::InsideInput {
                    out: out.to_path_buf(),
                    input: root.clone(),
                });
            }
        }
        let mut seen: HashMap<PathBuf, &Origin> = HashMap::new();
        for origin in origins {
            let relative = self.relative(origin);
            if let Some(first) = seen.insert(relative.clone(), origin) {
                return Err(OutputError::Collision {
                    first: first.to_string(),
                    second: origin.to_string(),
                    output: out.join(relative),
                });
            }
        }
        Ok(())
    }
}

/// The last component of a folder as given (`.` and `..` resolved).
fn folder_name(root: &Path) -> PathBuf {
    let abs = absolute(root);
    abs.file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("root"))
}

/// An absolute, lexically normalized path; the longest existing prefix is
/// canonicalized so symbolic links do not hide an overlap.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => break,
        }
        existing.pop();
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!(".{name}.doppel-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_data()?;
        std::fs::rename(&temp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io_error(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_land_by_name_and_folders_by_folder_name() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        std::fs::create_dir_all(docs.join("sub")).unwrap();
        let layout = Layout::new(&[docs.clone(), dir.path().join("x/a.txt")]);
        assert_eq!(
            layout.relative(&Origin::Path(docs.join("sub/b.txt"))),
            PathBuf::from("docs/sub/b.txt")
        );
        assert_eq!(
            layout.relative(&Origin::Path(dir.path().join("x/a.txt"))),
            PathBuf::from("a.txt")
        );
        assert_eq!(layout.relative(&Origin::Stdin), PathBuf::from("stdin.txt"));
    }

    #[test]
    fn output_inside_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(&[dir.path().to_path_buf()]);
        let err = layout.check(&dir.path().join("out"), &[]).unwrap_err();
        assert!(matches!(err, OutputError::InsideInput { .. }), "{err}");
    }

    #[test]
    fn a_non_empty_output_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x"), "x").unwrap();
        let layout = Layout::new(&[]);
        assert!(matches!(
            layout.check(dir.path(), &[]),
            Err(OutputError::NotEmpty(_))
        ));
    }

    #[test]
    fn two_inputs_on_one_output_path_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a/n.txt"), dir.path().join("b/n.txt"));
        let layout = Layout::new(&[a.clone(), b.clone()]);
        let err = layout
            .check(&dir.path().join("out"), &[Origin::Path(a), Origin::Path(b)])
            .unwrap_err();
        assert!(
            err.to_string().contains("would both be written to"),
            "{err}"
        );
    }

    #[test]
    fn atomic_writes_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("deep/file.txt");
        write_atomic(&target, b"text").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"text");
        assert_eq!(
            std::fs::read_dir(target.parent().unwrap()).unwrap().count(),
            1
        );
    }
}
