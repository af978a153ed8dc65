//! Why a path that is a symbolic link cannot be followed: a loop, or a link
//! whose target does not exist, told apart from other I/O errors so that
//! the report names the cause instead of "no such file or folder".

use std::io;
use std::path::Path;

use super::io_message;

/// The OS error for "too many levels of symbolic links": a link loop, or a
/// chain of links longer than the OS follows.
#[cfg(any(target_os = "linux", target_os = "android"))]
const LINK_LOOP: Option<i32> = Some(40);
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
const LINK_LOOP: Option<i32> = Some(62);
/// `ERROR_CANT_RESOLVE_FILENAME`.
#[cfg(windows)]
const LINK_LOOP: Option<i32> = Some(1921);
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly",
    windows
)))]
const LINK_LOOP: Option<i32> = None;

/// Why `path` cannot be followed, given `err`, the error of following it
/// (from [`std::fs::metadata`]): `symbolic link loop`, `dangling symbolic
/// link → TARGET`, else the I/O reason.
pub(crate) fn unfollowable(path: &Path, err: &io::Error) -> String {
    if LINK_LOOP.is_some() && err.raw_os_error() == LINK_LOOP {
        return "symbolic link loop".to_owned();
    }
    if err.kind() == io::ErrorKind::NotFound {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if let (true, Ok(target)) = (is_link, std::fs::read_link(path)) {
            return format!("dangling symbolic link → {}", target.display());
        }
    }
    io_message(err)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn reason(path: &Path) -> String {
        let err = std::fs::metadata(path).expect_err("the link cannot be followed");
        unfollowable(path, &err)
    }

    #[test]
    fn a_link_to_itself_and_a_cycle_of_two_are_loops() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("self");
        symlink("self", &own).unwrap();
        assert_eq!(reason(&own), "symbolic link loop");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        symlink("b", &a).unwrap();
        symlink("./b/../a", &b).unwrap();
        assert_eq!(reason(&b), "symbolic link loop");
        assert_eq!(reason(&a), "symbolic link loop");
        symlink(&b, dir.path().join("into-the-loop")).unwrap();
        assert_eq!(
            reason(&dir.path().join("into-the-loop")),
            "symbolic link loop"
        );
        // A loop in a folder on the way is one too.
        assert_eq!(reason(&own.join("file.txt")), "symbolic link loop");
    }

    #[test]
    fn a_dangling_link_names_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        symlink("nowhere/file.txt", &link).unwrap();
        assert_eq!(reason(&link), "dangling symbolic link → nowhere/file.txt");
    }

    #[test]
    fn a_path_that_is_not_a_link_keeps_its_io_reason() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            reason(&dir.path().join("missing")),
            "no such file or folder"
        );
    }
}
