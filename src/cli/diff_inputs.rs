//! What the positional arguments of `doppel diff` name: two files or
//! folders, or one path of a git diff in the forms git runs an external
//! diff with (`GIT_EXTERNAL_DIFF="doppel diff" git diff`):
//!
//! ```text
//! PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE               changed, added, removed
//! PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE NEW-PATH MSG  renamed or copied
//! PATH                                                                   unmerged
//! ```
//!
//! A side that does not exist (an added file's old side, a removed file's
//! new side) is `/dev/null` with `.` for its hash and mode. `git difftool
//! -x "doppel diff"` passes two files, the ordinary form.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The inputs of one `doppel diff` run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inputs {
    /// Two files or folders (`OLD NEW`); `/dev/null` for a side that does
    /// not exist.
    Pair { old: PathBuf, new: PathBuf },
    /// One path of a git diff, from git's seven or nine arguments.
    Git(GitPath),
    /// A path that git cannot diff because it is unmerged (git's one
    /// argument form): named, not compared.
    Unmerged(String),
}

/// One path of a git diff, as git hands it to an external diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitPath {
    /// The file holding the old version; `None` for an added path.
    pub old: Option<PathBuf>,
    /// The file holding the new version; `None` for a removed path.
    pub new: Option<PathBuf>,
    /// The name to print for the old side: `a/PATH`.
    pub old_label: String,
    /// The name to print for the new side: `b/PATH`, `b/NEW-PATH` for a
    /// rename or copy.
    pub new_label: String,
    /// Whether git found the path renamed (not copied) from another.
    pub renamed: bool,
}

/// Why the positional arguments are not a form `doppel diff` takes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "diff takes two inputs, OLD and NEW (or the 7 or 9 arguments git passes an external diff), not {0}"
)]
pub struct WrongCount(pub usize);

/// Reads the positional arguments. `under_git` says that git started this
/// run (it sets `GIT_DIFF_PATH_TOTAL` for an external diff), which alone
/// makes a single argument git's unmerged-path form.
pub fn inputs(args: &[OsString], under_git: bool) -> Result<Inputs, WrongCount> {
    match args {
        [path] if under_git => Ok(Inputs::Unmerged(path.to_string_lossy().into_owned())),
        [old, new] => Ok(Inputs::Pair {
            old: old.into(),
            new: new.into(),
        }),
        [path, old_file, _, old_mode, new_file, _, new_mode] => Ok(Inputs::Git(git_path(
            path, old_file, old_mode, new_file, new_mode, None,
        ))),
        [path, old_file, _, old_mode, new_file, _, new_mode, new_path, message] => {
            Ok(Inputs::Git(git_path(
                path,
                old_file,
                old_mode,
                new_file,
                new_mode,
                Some((new_path, message)),
            )))
        }
        _ => Err(WrongCount(args.len())),
    }
}

fn git_path(
    path: &OsString,
    old_file: &OsString,
    old_mode: &OsString,
    new_file: &OsString,
    new_mode: &OsString,
    rename: Option<(&OsString, &OsString)>,
) -> GitPath {
    let path = path.to_string_lossy();
    let new_path = rename.map_or(path.clone(), |(p, _)| p.to_string_lossy());
    let renamed = rename.is_some_and(|(_, message)| {
        message
            .to_string_lossy()
            .lines()
            .any(|l| l.starts_with("rename from "))
    });
    GitPath {
        old: side(old_file, old_mode),
        new: side(new_file, new_mode),
        old_label: format!("a/{path}"),
        new_label: format!("b/{new_path}"),
        renamed,
    }
}

/// The file of one side, or `None` where git says the side does not
/// exist (mode `.`, file `/dev/null`).
fn side(file: &OsString, mode: &OsString) -> Option<PathBuf> {
    let absent = mode == "." || is_dev_null(Path::new(file));
    (!absent).then(|| PathBuf::from(file))
}

/// Whether a path is `/dev/null`, which stands for a side that does not
/// exist (as in `diff /dev/null new.txt`).
pub fn is_dev_null(path: &Path) -> bool {
    path == Path::new("/dev/null")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    const HEX: &str = "5626abf0f72e58d7a153368ba57db4c673c0e171";

    #[test]
    fn two_arguments_are_old_and_new() {
        assert_eq!(
            inputs(&args(&["a.txt", "b.txt"]), false),
            Ok(Inputs::Pair {
                old: "a.txt".into(),
                new: "b.txt".into()
            })
        );
        // `git difftool -x` passes two files, also under git.
        assert!(matches!(
            inputs(&args(&["/tmp/x_LOCAL", "b.txt"]), true),
            Ok(Inputs::Pair { .. })
        ));
    }

    #[test]
    fn seven_arguments_are_a_changed_added_or_removed_path() {
        let changed = args(&[
            "src/a.rs",
            "/tmp/blob",
            HEX,
            "100644",
            "src/a.rs",
            HEX,
            "100644",
        ]);
        assert_eq!(
            inputs(&changed, true),
            Ok(Inputs::Git(GitPath {
                old: Some("/tmp/blob".into()),
                new: Some("src/a.rs".into()),
                old_label: "a/src/a.rs".into(),
                new_label: "b/src/a.rs".into(),
                renamed: false,
            }))
        );
        let added = args(&["n", "/dev/null", ".", ".", "n", HEX, "100644"]);
        let Ok(Inputs::Git(added)) = inputs(&added, true) else {
            panic!("an added path")
        };
        assert_eq!((added.old, added.new), (None, Some("n".into())));
        let removed = args(&["d", "/tmp/blob", HEX, "100644", "/dev/null", ".", "."]);
        let Ok(Inputs::Git(removed)) = inputs(&removed, true) else {
            panic!("a removed path")
        };
        assert_eq!((removed.old, removed.new), (Some("/tmp/blob".into()), None));
        assert_eq!(removed.new_label, "b/d");
    }

    #[test]
    fn nine_arguments_are_a_rename_or_a_copy() {
        let mut list = vec!["r", "/tmp/blob", HEX, "100644", "r2", HEX, "100644", "r2"];
        let renamed = [
            list.clone(),
            vec!["similarity index 100%\nrename from r\nrename to r2\n"],
        ]
        .concat();
        let Ok(Inputs::Git(renamed)) = inputs(&args(&renamed), true) else {
            panic!("a renamed path")
        };
        assert!(renamed.renamed);
        assert_eq!(
            (renamed.old_label.as_str(), renamed.new_label.as_str()),
            ("a/r", "b/r2")
        );
        list.push("similarity index 90%\ncopy from r\ncopy to r2\n");
        let Ok(Inputs::Git(copied)) = inputs(&args(&list), true) else {
            panic!("a copied path")
        };
        assert!(!copied.renamed);
        assert_eq!(copied.new_label, "b/r2");
    }

    #[test]
    fn one_argument_is_an_unmerged_path_only_under_git() {
        assert_eq!(
            inputs(&args(&["f"]), true),
            Ok(Inputs::Unmerged("f".into()))
        );
        assert_eq!(inputs(&args(&["f"]), false), Err(WrongCount(1)));
    }

    #[test]
    fn other_counts_are_refused() {
        for n in [0, 3, 4, 5, 6, 8, 10] {
            let list = vec![OsString::from("x"); n];
            assert_eq!(inputs(&list, true), Err(WrongCount(n)), "{n}");
        }
    }
}
