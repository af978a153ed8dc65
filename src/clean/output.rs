//! Where cleaned (and restored) files go, checked before anything is
//! written, and how they are written: to a temporary name beside the target,
//! then renamed into place, so a run killed at any moment leaves no
//! half-written file under a final name.
//!
//! A file input `dir/name.txt` lands at `OUT/name.txt`; a folder input
//! `path/to/docs` lands at `OUT/docs/…`, mirroring its tree; standard input
//! lands at `OUT/stdin.txt`. Output names are recorded in the manifest as
//! strings, so an input whose output name is not valid UTF-8 is refused
//! ([`Layout::output_name`]).
//!
//! A `clean` run holds an [`OutLock`] on its output folder: the file
//! `OUT/.doppel.lock`, locked by the operating system for the run and
//! removed when the run ends, whether it succeeds or fails. A second run
//! into the same folder meanwhile is refused ([`OutputError::Busy`]). A
//! run killed midway leaves its lock file and temporary files
//! (`.NAME.doppel-PID.tmp`) behind; the next run into that folder names
//! one of them ([`OutputError::Leftovers`]). The manifest is renamed into
//! place last, so a folder without `manifest.jsonl` is an unfinished run.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use fs4::fs_std::FileExt;

use crate::document::Origin;

/// The lock file of a run writing its output folder.
pub const LOCK_NAME: &str = ".doppel.lock";

/// The name of the manifest, renamed into place when a run is complete.
pub const MANIFEST_NAME: &str = "manifest.jsonl";

/// A problem with the output folder or the inputs' output paths.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The output folder holds files of its own.
    #[error("{0}: the output folder must be new or empty")]
    NotEmpty(PathBuf),
    /// The output folder holds a finished run; it is never written over.
    #[error("{0}: the output folder must be new or empty; it holds a finished clean run (manifest.jsonl)")]
    Finished(PathBuf),
    /// The output folder holds files but no manifest: perhaps a run that
    /// stopped.
    #[error("{0}: the output folder must be new or empty; it holds no manifest.jsonl, so if doppel wrote it, that run did not finish: remove the folder and run again")]
    Incomplete(PathBuf),
    /// The output folder holds a temporary file of an interrupted run.
    #[error("{out}: holds the leftovers of an interrupted doppel run ({leftover}); remove {out} and run again")]
    Leftovers {
        /// The output folder.
        out: PathBuf,
        /// The temporary file found in it.
        leftover: PathBuf,
    },
    /// Another run holds the output folder's lock file.
    #[error("{out}: the output folder is being written by another doppel run (pid {pid}); wait for it to end or choose another folder")]
    Busy {
        /// The output folder.
        out: PathBuf,
        /// The process id the lock file names, or `unknown`.
        pid: String,
    },
    /// The output folder lies inside an input folder, so the run would read its
    /// own output.
    #[error("{out}: the output folder is inside the input folder {input}; choose a folder outside the inputs")]
    InsideInput {
        /// The output folder.
        out: PathBuf,
        /// The input folder that holds it.
        input: PathBuf,
    },
    /// Two documents map to one output path.
    #[error("{first} and {second} would both be written to {output}")]
    Collision {
        /// The first document, as messages name it.
        first: String,
        /// The second document, as messages name it.
        second: String,
        /// The output path both map to.
        output: PathBuf,
    },
    /// The output folder or a file in it could not be made, read or written.
    #[error("{path}: {message}")]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// The operating system's reason, in words.
        message: String,
    },
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
    /// The layout of `inputs`, as named on the command line (folders keep
    /// their name and tree under the output folder, files their name).
    pub fn new(inputs: &[PathBuf]) -> Layout {
        Layout {
            roots: inputs.iter().map(|p| (p.clone(), p.is_dir())).collect(),
        }
    }

    /// The output path of a document as the manifest records it; `None`
    /// when it is not valid UTF-8 (a string would not name the file).
    pub fn output_name(&self, origin: &Origin) -> Option<String> {
        self.relative(origin).into_os_string().into_string().ok()
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
        self.check_not_inside(out)?;
        self.check_collisions(out, origins)
    }

    /// Refuses an output folder inside an input folder.
    pub fn check_not_inside(&self, out: &Path) -> Result<(), OutputError> {
        let out_abs = absolute(out);
        for (root, is_dir) in &self.roots {
            if *is_dir && out_abs.starts_with(absolute(root)) {
                return Err(OutputError::InsideInput {
                    out: out.to_path_buf(),
                    input: root.clone(),
                });
            }
        }
        Ok(())
    }

    /// Refuses two documents whose output names, as the manifest records
    /// them, are one string (names that are not UTF-8 are compared as
    /// written lossily, so they collide too: refuse them first).
    pub fn check_collisions(&self, out: &Path, origins: &[Origin]) -> Result<(), OutputError> {
        let mut seen: HashMap<String, &Origin> = HashMap::new();
        for origin in origins {
            let relative = self.relative(origin);
            let name = relative.to_string_lossy().into_owned();
            if let Some(first) = seen.insert(name, origin) {
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

/// Whether a file name is one of the temporary names doppel writes
/// through (`.NAME.doppel-PID.tmp`) or its lock file.
pub fn is_leftover_name(name: &str) -> bool {
    if name == LOCK_NAME {
        return true;
    }
    let Some(stem) = name.strip_suffix(".tmp") else {
        return false;
    };
    match stem.rsplit_once(".doppel-") {
        Some((before, pid)) => {
            before.starts_with('.') && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// The first leftover of an interrupted run found in `dir` (depth first,
/// in name order, without following symbolic links).
fn find_leftover(dir: &Path) -> Option<PathBuf> {
    let mut folders = vec![dir.to_path_buf()];
    let mut visited = 0usize;
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut names: Vec<_> = entries.flatten().collect();
        names.sort_by_key(|e| e.file_name());
        for entry in names {
            visited += 1;
            if visited > 1_000_000 {
                return None;
            }
            if entry.file_name().to_str().is_some_and(is_leftover_name) {
                return Some(entry.path());
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                folders.push(entry.path());
            }
        }
    }
    None
}

/// Why a folder that is not empty cannot be written: a live run's lock
/// is handled by [`OutLock::acquire`]; here, the leftovers of a killed run,
/// a finished run, or a folder without a manifest.
fn refuse_not_empty(out: &Path) -> OutputError {
    if let Some(leftover) = find_leftover(out) {
        return OutputError::Leftovers {
            out: out.to_path_buf(),
            leftover,
        };
    }
    if out.join(MANIFEST_NAME).exists() {
        OutputError::Finished(out.to_path_buf())
    } else {
        OutputError::Incomplete(out.to_path_buf())
    }
}

/// The lock a `clean` run holds on its output folder; dropping it removes
/// the lock file (unless [`OutLock::remove_file`] did), then releases the
/// lock.
#[derive(Debug)]
pub struct OutLock {
    path: PathBuf,
    _file: File,
    /// The lock file is gone already (the lock is held until drop).
    removed: bool,
}

impl OutLock {
    /// Creates `out` if needed and locks it. Refused when another run holds
    /// it, when it holds the leftovers of an interrupted run (a lock file no
    /// live process holds, temporary files), and when it holds anything else.
    pub fn acquire(out: &Path) -> Result<OutLock, OutputError> {
        std::fs::create_dir_all(out).map_err(|e| io_error(out, e))?;
        let path = out.join(LOCK_NAME);
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Self::held_or_left(out, &path));
            }
            Err(err) => return Err(io_error(&path, err)),
        };
        // Another run may hold this new file's lock for a moment while it
        // tells a live run from a dead one (`held_or_left`): wait for it.
        file.lock_exclusive().map_err(|e| io_error(&path, e))?;
        let lock = OutLock {
            path: path.clone(),
            _file: file.try_clone().map_err(|e| io_error(&path, e))?,
            removed: false,
        };
        write!(file, "{}", std::process::id()).map_err(|e| io_error(&path, e))?;
        let only_lock = std::fs::read_dir(out)
            .map_err(|e| io_error(out, e))?
            .flatten()
            .all(|entry| entry.file_name() == LOCK_NAME);
        if !only_lock {
            drop(lock);
            return Err(refuse_not_empty(out));
        }
        Ok(lock)
    }

    /// The refusal for a folder whose lock file already exists: busy when a
    /// live run holds the lock, else a leftover.
    fn held_or_left(out: &Path, path: &Path) -> OutputError {
        // A run writes its pid right after creating and locking the file:
        // an empty file that can be locked is looked at again a moment later.
        for attempt in 0..2 {
            let Ok(mut file) = OpenOptions::new().read(true).write(true).open(path) else {
                return refuse_not_empty(out);
            };
            let mut pid = String::new();
            match file.try_lock_exclusive() {
                Ok(false) => {
                    let _ = file.read_to_string(&mut pid);
                    let pid = pid.trim();
                    return OutputError::Busy {
                        out: out.to_path_buf(),
                        pid: if pid.is_empty() { "unknown" } else { pid }.to_owned(),
                    };
                }
                Err(_) => return refuse_not_empty(out),
                Ok(true) => {
                    let _ = file.read_to_string(&mut pid);
                    if !pid.trim().is_empty() || attempt == 1 {
                        break;
                    }
                }
            }
            drop(file);
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        OutputError::Leftovers {
            out: out.to_path_buf(),
            leftover: path.to_path_buf(),
        }
    }

    /// Removes the lock file, keeping the lock until drop: done just before
    /// the manifest is renamed into place, so a finished folder holds no
    /// lock file, and a run killed in between leaves a temporary manifest.
    pub fn remove_file(&mut self) -> Result<(), OutputError> {
        if !self.removed {
            std::fs::remove_file(&self.path).map_err(|e| io_error(&self.path, e))?;
            self.removed = true;
        }
        Ok(())
    }
}

impl Drop for OutLock {
    fn drop(&mut self) {
        if !self.removed {
            let _ = std::fs::remove_file(&self.path);
        }
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
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
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
    fn leftover_names_are_recognised() {
        for name in [
            ".doppel.lock",
            ".a.txt.doppel-123.tmp",
            ".manifest.jsonl.doppel-9.tmp",
        ] {
            assert!(is_leftover_name(name), "{name}");
        }
        for name in [
            "a.txt.doppel-1.tmp",
            ".a.doppel-.tmp",
            ".a.doppel-1x.tmp",
            "x.tmp",
            "a.txt",
        ] {
            assert!(!is_leftover_name(name), "{name}");
        }
    }

    #[test]
    fn a_held_lock_refuses_a_second_run_and_goes_with_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let lock = OutLock::acquire(&out).unwrap();
        let err = OutLock::acquire(&out).unwrap_err();
        assert!(matches!(err, OutputError::Busy { .. }), "{err}");
        assert!(
            err.to_string()
                .contains(&format!("(pid {})", std::process::id())),
            "{err}"
        );
        drop(lock);
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
        let mut again = OutLock::acquire(&out).unwrap();
        again.remove_file().unwrap();
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
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
