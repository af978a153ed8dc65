//! Inputs that are not regular files: FIFOs and devices.
//!
//! A FIFO (a named pipe, or the `/dev/fd/N` of a shell's `<(command)`) can
//! be read only once, and opening it waits for a writer. doppel waits at most
//! [`FIFO_WAIT`] for one; if none comes, the FIFO is an error, `FIFO with no
//! writer (waited 5s)`, and the run goes on with the other inputs. When a
//! writer comes, everything it writes is read and kept for the rest of the
//! run, as standard input is, so that later passes over the inputs (the
//! verification of candidates, the writing pass of `clean`) read the same
//! bytes again instead of waiting on an empty pipe.
//!
//! Devices and sockets are refused, `not a regular file (a character
//! device)`: `/dev/zero` or `/dev/urandom` would never end.
//!
//! A folder walk yields regular files only, so these come from paths named
//! on the command line.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long a FIFO may wait for its writer to open it.
pub const FIFO_WAIT: Duration = Duration::from_secs(5);

/// What kind of file a path is, for reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// A regular file, a folder, or something that cannot be looked at (the
    /// read then says why).
    Plain,
    /// A FIFO: read once, waiting at most [`FIFO_WAIT`] for a writer.
    Fifo,
    /// A device or socket, named for the refusal.
    Refused(&'static str),
}

/// The kind of `path`, following symbolic links.
pub(crate) fn kind_of(path: &Path) -> FileKind {
    let Ok(metadata) = std::fs::metadata(path) else {
        return FileKind::Plain;
    };
    kind_of_type(metadata.file_type())
}

#[cfg(unix)]
fn kind_of_type(file_type: std::fs::FileType) -> FileKind {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        FileKind::Fifo
    } else if file_type.is_char_device() {
        FileKind::Refused("a character device")
    } else if file_type.is_block_device() {
        FileKind::Refused("a block device")
    } else if file_type.is_socket() {
        FileKind::Refused("a socket")
    } else {
        FileKind::Plain
    }
}

#[cfg(not(unix))]
fn kind_of_type(_: std::fs::FileType) -> FileKind {
    FileKind::Plain
}

/// Reads the whole file at `path`, whatever its kind: a FIFO once per run
/// (later calls get the kept bytes), a device or socket refused.
pub(crate) fn read_any(path: &Path) -> io::Result<Vec<u8>> {
    match kind_of(path) {
        FileKind::Plain => std::fs::read(path),
        FileKind::Fifo => read_fifo_once(path),
        FileKind::Refused(what) => Err(refusal(what)),
    }
}

fn refusal(what: &str) -> io::Error {
    io::Error::other(format!("not a regular file ({what})"))
}

/// A FIFO's outcome, kept for the run.
type Kept = Result<Vec<u8>, (io::ErrorKind, String)>;

/// Reads the FIFO at `path` the first time it is asked for, and gives the
/// same bytes (or the same error) every later time.
fn read_fifo_once(path: &Path) -> io::Result<Vec<u8>> {
    static KEPT: OnceLock<Mutex<HashMap<PathBuf, Arc<OnceLock<Kept>>>>> = OnceLock::new();
    let slot = {
        let mut kept = KEPT
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(kept.entry(path.to_path_buf()).or_default())
    };
    let kept = slot.get_or_init(|| {
        read_fifo(path, FIFO_WAIT).map_err(|err| (err.kind(), super::io_message(&err)))
    });
    match kept {
        Ok(bytes) => Ok(bytes.clone()),
        Err((kind, message)) => Err(io::Error::new(*kind, message.clone())),
    }
}

/// Opens the FIFO at `path`, waiting at most `wait` for a writer, and reads
/// it to its end.
///
/// Opening blocks until a writer opens the other end, so it happens on a
/// helper thread; when the wait runs out the thread is left blocked in
/// `open` (it ends with the process, or reads nothing if a writer comes
/// later).
pub(crate) fn read_fifo(path: &Path, wait: Duration) -> io::Result<Vec<u8>> {
    let (opened, open) = std::sync::mpsc::channel();
    let owned = path.to_path_buf();
    std::thread::Builder::new()
        .name("doppel-fifo-open".into())
        .spawn(move || {
            let _ = opened.send(std::fs::File::open(owned));
        })?;
    let mut file = match open.recv_timeout(wait) {
        Ok(file) => file?,
        Err(_) => {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("FIFO with no writer (waited {wait:?})"),
            ))
        }
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
    }

    #[test]
    fn a_fifo_without_a_writer_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe");
        mkfifo(&path);
        assert_eq!(kind_of(&path), FileKind::Fifo);
        let err = read_fifo(&path, Duration::from_millis(200)).unwrap_err();
        assert_eq!(err.to_string(), "FIFO with no writer (waited 200ms)");
    }

    #[test]
    fn a_fifo_with_a_writer_is_read_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe");
        mkfifo(&path);
        let writer_path = path.clone();
        let writer = std::thread::spawn(move || std::fs::write(writer_path, "through a pipe\n"));
        assert_eq!(read_any(&path).unwrap(), b"through a pipe\n");
        writer.join().unwrap().unwrap();
        // No writer any more: the kept bytes, without waiting.
        let started = std::time::Instant::now();
        assert_eq!(read_any(&path).unwrap(), b"through a pipe\n");
        assert!(started.elapsed() < FIFO_WAIT);
    }

    #[test]
    fn devices_are_refused_and_files_are_plain() {
        assert_eq!(
            kind_of(Path::new("/dev/null")),
            FileKind::Refused("a character device")
        );
        let err = read_any(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file (a character device)");
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(kind_of(dir.path()), FileKind::Plain);
        assert_eq!(kind_of(&dir.path().join("missing")), FileKind::Plain);
    }
}
