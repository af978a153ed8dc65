//! Whether standard output was open when the process started.
//!
//! A run started with standard output closed (`doppel scan >&-`) cannot
//! deliver its report, and must say so. By the time `main` runs, the
//! standard library has already replaced a closed descriptor 0, 1 or 2
//! with `/dev/null` (so that no file opened later is given it), and writes
//! then succeed into nothing. The descriptor is therefore checked earlier,
//! by a start-up function that the loader runs before the standard
//! library's own (an ELF `.init_array` entry), and the answer is kept for
//! `main`.
//!
//! On platforms without such an entry, standard output is taken to be open.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set when descriptor 1 was closed at start-up.
static CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Whether standard output was closed when the process started.
pub fn was_closed() -> bool {
    CLOSED_AT_START.load(Ordering::Relaxed)
}

/// Runs before the standard library's start-up code: the loader calls each
/// `.init_array` entry of the executable before `main`.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_os = "illumos",
    target_os = "solaris"
))]
#[used]
#[link_section = ".init_array"]
static CHECK_AT_START: extern "C" fn() = check_at_start;

#[cfg(unix)]
#[allow(dead_code)] // Unused where no start-up entry is registered.
extern "C" fn check_at_start() {
    use std::os::fd::AsFd;
    /// `EBADF`, "bad file descriptor", on Linux and the BSDs.
    const EBADF: i32 = 9;
    // Duplicating descriptor 1 fails with EBADF exactly when it is closed;
    // the duplicate is closed again at once.
    if let Err(err) = std::io::stdout().as_fd().try_clone_to_owned() {
        if err.raw_os_error() == Some(EBADF) {
            CLOSED_AT_START.store(true, Ordering::Relaxed);
        }
    }
}
