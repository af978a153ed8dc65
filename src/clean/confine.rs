//! Keeping `restore` inside its two folders: paths taken from a manifest
//! are checked before use, cleaned files are read without following a
//! symbolic link, and restored files are only ever created new.
//!
//! A manifest may come from anywhere, so every path in it is untrusted:
//!
//! - [`relative_path`] accepts only a plain relative path: not empty, no
//!   root or drive prefix, no `.` or `..` component;
//! - [`open_inside`] opens a file under a root folder, refusing a symbolic
//!   link at any component below the root (and checking that the file
//!   opened is the one inspected);
//! - [`Destination`] creates folders under the destination one component
//!   at a time, refusing a component that is a symbolic link or not a
//!   folder, and places each file by writing a temporary file created new
//!   beside it; at the end every temporary file is synced (in parallel,
//!   not one at a time) and linked to its final name, which fails rather
//!   than replace anything already there.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

/// Why a path from a manifest is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// An empty path.
    #[error("the path is empty")]
    Empty,
    /// An absolute path, or one with a drive or root prefix.
    #[error("the path {0:?} is absolute; manifest paths must be relative")]
    Absolute(String),
    /// A path with a `..` component, which could climb out of the folder.
    #[error("the path {0:?} has a `..` component")]
    Parent(String),
    /// A path with a `.` component: never written by doppel.
    #[error("the path {0:?} has a `.` component")]
    Current(String),
    /// A path with a NUL character, which no file name holds.
    #[error("the path {0:?} holds a NUL character")]
    Nul(String),
}

/// `text` as a relative path that stays below whatever folder it is joined
/// to.
pub fn relative_path(text: &str) -> Result<PathBuf, PathError> {
    if text.is_empty() {
        return Err(PathError::Empty);
    }
    if text.contains('\0') {
        return Err(PathError::Nul(text.to_owned()));
    }
    let path = Path::new(text);
    for component in path.components() {
        match component {
            Component::Normal(_) => {}
            Component::Prefix(_) | Component::RootDir => {
                return Err(PathError::Absolute(text.to_owned()))
            }
            Component::ParentDir => return Err(PathError::Parent(text.to_owned())),
            Component::CurDir => return Err(PathError::Current(text.to_owned())),
        }
    }
    if path.is_absolute() || path.has_root() {
        return Err(PathError::Absolute(text.to_owned()));
    }
    Ok(path.to_path_buf())
}

fn symlink_refused(path: &Path) -> io::Error {
    io::Error::other(format!(
        "{} is a symbolic link; restore does not follow links",
        path.display()
    ))
}

/// Opens `root/relative` for reading when no component below `root` is a
/// symbolic link and the last one is a regular file.
pub fn open_inside(root: &Path, relative: &Path) -> io::Result<File> {
    let mut path = root.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        path.push(component);
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            return Err(symlink_refused(&path));
        }
        let last = components.peek().is_none();
        if last && !meta.is_file() {
            return Err(io::Error::other(format!(
                "{} is not a regular file",
                path.display()
            )));
        }
        if !last && !meta.is_dir() {
            return Err(io::Error::other(format!(
                "{} is not a folder",
                path.display()
            )));
        }
        if last {
            let file = File::open(&path)?;
            same_file(&meta, &file.metadata()?, &path)?;
            return Ok(file);
        }
    }
    Err(io::Error::other(format!(
        "{}: no file named",
        root.display()
    )))
}

/// Refuses a file swapped between its inspection and its opening.
#[cfg(unix)]
fn same_file(seen: &std::fs::Metadata, opened: &std::fs::Metadata, path: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    if (seen.dev(), seen.ino()) == (opened.dev(), opened.ino()) {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{} was replaced while it was being opened",
            path.display()
        )))
    }
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, opened: &std::fs::Metadata, path: &Path) -> io::Result<()> {
    if opened.is_file() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )))
    }
}

/// The temporary names restore writes under: `.NAME.doppel-PID-N.tmp`.
pub fn is_temporary_name(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') && name.contains(".doppel-") && name.ends_with(".tmp")
}

/// The folder restored files are placed in; it was new or empty when the
/// restore began.
///
/// [`Destination::place`] writes a file under a temporary name;
/// [`Destination::finish`] then syncs each temporary file and gives it its
/// final name (many files at once), and syncs the folders. A run killed before
/// the end leaves only temporary files, never a final name.
#[derive(Debug)]
pub struct Destination {
    root: PathBuf,
    /// Numbers temporary names, so threads never pick the same one.
    counter: AtomicU64,
    /// Files written and waiting for their final name: (temporary, final).
    pending: Mutex<Vec<(PathBuf, PathBuf)>>,
    /// Folders made, to sync at the end.
    folders: Mutex<Vec<PathBuf>>,
}

/// A file that could not be given its final name.
#[derive(Debug)]
pub struct Unplaced {
    /// The final path, relative to the destination.
    pub relative: PathBuf,
    /// Why the rename failed.
    pub error: io::Error,
}

impl Destination {
    /// Takes `root` (created if absent) as the destination; refuses a
    /// folder that holds anything but empty folders, naming the leftovers
    /// of an interrupted restore when it holds any.
    pub fn new(root: &Path) -> io::Result<Destination> {
        let mut folders = vec![root.to_path_buf()];
        match std::fs::symlink_metadata(root) {
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) if meta.file_type().is_symlink() && root.is_dir() => {}
            Ok(_) => return Err(io::Error::other("not a folder")),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                std::fs::create_dir_all(root)?;
                // Its own entry is made durable too.
                let parent = root.parent().filter(|p| !p.as_os_str().is_empty());
                folders.push(parent.unwrap_or(Path::new(".")).to_path_buf());
            }
            Err(err) => return Err(err),
        }
        if holds_a_file(root)? {
            return Err(not_empty(root));
        }
        Ok(Destination {
            root: root.to_path_buf(),
            counter: AtomicU64::new(0),
            pending: Mutex::new(Vec::new()),
            folders: Mutex::new(folders),
        })
    }

    /// The destination folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the folders above `relative`, inside the destination only;
    /// returns the folder the file goes in.
    fn parent_of(&self, relative: &Path) -> io::Result<PathBuf> {
        let mut folder = self.root.clone();
        let Some(parent) = relative.parent() else {
            return Ok(folder);
        };
        for component in parent.components() {
            folder.push(component);
            match std::fs::create_dir(&folder) {
                Ok(()) => lock(&self.folders).push(folder.clone()),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    let meta = std::fs::symlink_metadata(&folder)?;
                    if meta.file_type().is_symlink() {
                        return Err(symlink_refused(&folder));
                    }
                    if !meta.is_dir() {
                        return Err(io::Error::other(format!(
                            "{} is not a folder",
                            folder.display()
                        )));
                    }
                }
                Err(err) => return Err(err),
            }
        }
        Ok(folder)
    }

    /// A new temporary file in the folder of `relative`, created with
    /// `create_new` (so never through a link), and its path. The caller
    /// removes it.
    pub fn temporary(&self, relative: &Path) -> io::Result<(File, PathBuf)> {
        let folder = self.parent_of(relative)?;
        let mut name = OsString::from(".");
        name.push(relative.file_name().unwrap_or_default());
        let number = self.counter.fetch_add(1, Ordering::Relaxed);
        name.push(format!(".doppel-{}-{number}.tmp", std::process::id()));
        let path = folder.join(name);
        let file = OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&path)?;
        Ok((file, path))
    }

    /// Writes the file `relative` through `write`, under a temporary name
    /// until [`Destination::finish`]. Nothing is left behind on error.
    pub fn place(
        &self,
        relative: &Path,
        write: impl FnOnce(File) -> io::Result<()>,
    ) -> io::Result<()> {
        let (file, temp) = self.temporary(relative)?;
        match write(file) {
            Ok(()) => {
                lock(&self.pending).push((temp, relative.to_path_buf()));
                Ok(())
            }
            Err(err) => {
                let _ = std::fs::remove_file(&temp);
                Err(err)
            }
        }
    }

    /// Syncs every file written, gives each its final name (never
    /// replacing anything), and syncs the folders. Returns the files that
    /// could not be placed; their temporary files are removed.
    pub fn finish(&self) -> io::Result<Vec<Unplaced>> {
        let mut pending = std::mem::take(&mut *lock(&self.pending));
        pending.sort_by(|a, b| a.1.cmp(&b.1));
        // A name written twice goes to its first file, whatever the threads.
        let (first, again): (Vec<_>, Vec<_>) = pending
            .iter()
            .enumerate()
            .partition(|(at, (_, relative))| *at == 0 || pending[at - 1].1 != *relative);
        let folders = std::mem::take(&mut *lock(&self.folders));
        // No more threads than syncs to wait on: a restore of one file
        // should not start thirty-two.
        let syncs = first.len().max(folders.len());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(SYNC_THREADS.min(syncs).max(1))
            .build()
            .map_err(io::Error::other)?;
        let place = |(temp, relative): &(PathBuf, PathBuf)| {
            let placed = File::open(temp)
                .and_then(|file| file.sync_data())
                .and_then(|()| self.publish(temp, relative));
            placed.err().map(|error| {
                let _ = std::fs::remove_file(temp);
                Unplaced {
                    relative: relative.clone(),
                    error,
                }
            })
        };
        let mut unplaced: Vec<Unplaced> = pool.install(|| {
            first
                .par_iter()
                .filter_map(|(_, pending)| place(pending))
                .collect()
        });
        unplaced.extend(again.iter().filter_map(|(_, pending)| place(pending)));
        // The folders last: their entries now name complete, durable files.
        pool.install(|| {
            folders
                .par_iter()
                .try_for_each(|folder| sync_folder(folder))
        })?;
        Ok(unplaced)
    }

    /// Gives the complete temporary file `temp` its final name `relative`,
    /// failing if that name is taken, and removes the temporary name.
    fn publish(&self, temp: &Path, relative: &Path) -> io::Result<()> {
        let target = self.root.join(relative);
        let taken = || {
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                "something else already has this name; restore does not replace it",
            )
        };
        match std::fs::hard_link(temp, &target) {
            Ok(()) => std::fs::remove_file(temp),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Err(taken()),
            // No hard links on this file system: rename, after checking
            // that nothing is there.
            Err(_) => {
                if std::fs::symlink_metadata(&target).is_ok() {
                    return Err(taken());
                }
                std::fs::rename(temp, &target)
            }
        }
    }
}

/// A destination dropped before [`Destination::finish`] (a restore that
/// stopped on an error) removes the temporary files it wrote.
impl Drop for Destination {
    fn drop(&mut self) {
        for (temp, _) in lock(&self.pending).drain(..) {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Syncs wait on the disk, not the processor: many in flight let the file
/// system commit them together.
const SYNC_THREADS: usize = 32;

/// Makes a folder's entries durable (where folders can be opened and
/// synced; a file system that cannot sync a folder is not an error).
#[cfg(unix)]
fn sync_folder(folder: &Path) -> io::Result<()> {
    match File::open(folder).and_then(|file| file.sync_all()) {
        Err(err) if err.kind() == io::ErrorKind::InvalidInput => Ok(()),
        other => other,
    }
}

#[cfg(not(unix))]
fn sync_folder(_: &Path) -> io::Result<()> {
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether anything but folders is under `folder` (never looking through a
/// link): a tree of empty folders, such as a restore killed before its
/// first file leaves, counts as empty.
fn holds_a_file(folder: &Path) -> io::Result<bool> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() || holds_a_file(&entry.path())? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The refusal of a destination that is not empty: names a leftover of an
/// interrupted restore when there is one, and says how to recover.
fn not_empty(root: &Path) -> io::Error {
    match find_temporary(root, 4) {
        Some(leftover) => io::Error::other(format!(
            "the folder holds the leftovers of an interrupted restore (such as {}); remove {} and run again",
            leftover.display(),
            root.display()
        )),
        None => io::Error::other("the folder to restore into must be new or empty"),
    }
}

/// A temporary file of a restore under `folder`, looking `depth` levels
/// down at most and never through a link.
fn find_temporary(folder: &Path, depth: usize) -> Option<PathBuf> {
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(folder).ok()?.flatten() {
        let path = entry.path();
        let kind = entry.file_type().ok()?;
        if kind.is_file() && is_temporary_name(&entry.file_name()) {
            return Some(path);
        }
        if kind.is_dir() && depth > 0 {
            folders.push(path);
        }
    }
    folders
        .iter()
        .find_map(|folder| find_temporary(folder, depth - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_accepted() {
        assert_eq!(
            relative_path("docs/a.txt").unwrap(),
            PathBuf::from("docs/a.txt")
        );
        assert_eq!(relative_path(""), Err(PathError::Empty));
        assert!(matches!(
            relative_path("../../escaped.txt"),
            Err(PathError::Parent(_))
        ));
        assert!(matches!(
            relative_path("docs/../../x"),
            Err(PathError::Parent(_))
        ));
        assert!(matches!(
            relative_path("/etc/passwd"),
            Err(PathError::Absolute(_))
        ));
        assert!(matches!(relative_path("./a"), Err(PathError::Current(_))));
        assert!(matches!(relative_path("a\0b"), Err(PathError::Nul(_))));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_below_the_root_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        std::fs::write(root.join("real/a.txt"), "a").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("linked")).unwrap();
        assert!(open_inside(&root, Path::new("real/a.txt")).is_ok());
        for relative in ["link.txt", "linked/a.txt"] {
            let err = open_inside(&root, Path::new(relative)).unwrap_err();
            assert!(err.to_string().contains("symbolic link"), "{err}");
        }
    }

    #[test]
    fn a_placed_file_never_replaces_one_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let dest = Destination::new(&dir.path().join("dest")).unwrap();
        let write = |text: &'static str| {
            move |mut file: File| io::Write::write_all(&mut file, text.as_bytes())
        };
        dest.place(Path::new("sub/a.txt"), write("first")).unwrap();
        dest.place(Path::new("sub/a.txt"), write("second")).unwrap();
        let sub = dir.path().join("dest/sub");
        // Nothing has a final name before the end.
        assert!(std::fs::read_dir(&sub)
            .unwrap()
            .all(|e| is_temporary_name(&e.unwrap().file_name())));
        let unplaced = dest.finish().unwrap();
        assert_eq!(unplaced.len(), 1);
        assert_eq!(unplaced[0].error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(sub.join("a.txt")).unwrap(), "first");
        // The temporary files are gone.
        assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 1);
    }

    #[test]
    fn a_destination_with_leftovers_is_refused_with_how_to_recover() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("dest");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/.a.txt.doppel-12-0.tmp"), "half").unwrap();
        let err = Destination::new(&root).unwrap_err().to_string();
        assert!(err.contains(".a.txt.doppel-12-0.tmp"), "{err}");
        assert!(err.contains("remove"), "{err}");
        std::fs::remove_file(root.join("sub/.a.txt.doppel-12-0.tmp")).unwrap();
        assert!(Destination::new(&root).is_ok(), "empty folders are empty");
        std::fs::write(root.join("x"), "x").unwrap();
        let err = Destination::new(&root).unwrap_err().to_string();
        assert!(err.contains("must be new or empty"), "{err}");
    }
}
