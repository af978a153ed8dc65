//! What the fuzz targets that write files share: a sandbox folder that a
//! confined run never leaves, snapshots of folder trees, a small corpus
//! generated and cleaned once per process, and the input formats of the
//! targets that take more than one file or a file under a checksum; and
//! the granularities the text targets choose among ([`GRANULARITIES`]).
//!
//! The sandbox is `TOP/p/p/…/p/root` ([`PADDING`] levels of `p`), with the
//! cleaned folder at `root/out` and the restore destination at `root/dir`.
//! A manifest path that climbs out of `root` with `..` lands in the padding,
//! and an absolute one is moved under `TOP`, so nothing a fuzz input says can
//! reach the rest of the machine; anything found in `TOP` besides the
//! padding, `out` and `dir` afterwards was written outside the destination.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub mod corpus;
pub mod index_input;
pub mod members;
pub mod restore_input;
pub mod signature_input;

/// Makes the calling thread rayon's only worker, once per process.
///
/// A target runs one small input at a time: handing each parallel step to
/// a pool thread costs more than the step, and that thread spins between
/// inputs on a core the fuzzer could use. (`run.sh` sets
/// `RAYON_NUM_THREADS=1` for the targets that do not call this.)
pub fn one_thread() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build_global()
            .expect("the global thread pool is not built yet");
    });
}

/// A plain temporary folder, in memory (`/dev/shm`) where there is one,
/// removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let builder = {
        let mut builder = tempfile::Builder::new();
        builder.prefix("doppel-fuzz-");
        builder
    };
    if shm.is_dir() {
        builder.tempdir_in(shm)
    } else {
        builder.tempdir()
    }
    .expect("a temporary folder")
}

/// Levels of padding between `TOP` and `root`.
pub const PADDING: usize = 24;
/// Most `..` components a manifest path or symlink may keep; fewer than
/// [`PADDING`], so climbing never leaves `TOP`.
pub const MAX_PARENTS: usize = PADDING - 4;

/// A confined folder for one run, removed when dropped.
pub struct Sandbox {
    temp: tempfile::TempDir,
    root: PathBuf,
}

impl Sandbox {
    /// A new sandbox in memory (`/dev/shm`) where there is one.
    pub fn new() -> Sandbox {
        let shm = Path::new("/dev/shm");
        let temp = if shm.is_dir() {
            tempfile::Builder::new()
                .prefix("doppel-fuzz-")
                .tempdir_in(shm)
        } else {
            tempfile::Builder::new().prefix("doppel-fuzz-").tempdir()
        }
        .expect("a temporary folder");
        let mut root = temp.path().to_path_buf();
        for _ in 0..PADDING {
            root.push("p");
        }
        root.push("root");
        std::fs::create_dir_all(&root).expect("the sandbox folders");
        Sandbox { temp, root }
    }

    pub fn top(&self) -> &Path {
        self.temp.path()
    }

    /// The folder holding `out` and `dir`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every path under `TOP` that is neither the padding, `root`, nor
    /// inside one of `allowed` (children of `root`).
    pub fn strays(&self, allowed: &[&str]) -> Vec<PathBuf> {
        let mut strays = Vec::new();
        let mut at = self.top().to_path_buf();
        loop {
            let expected = if at == self.root {
                None
            } else {
                Some(next_level(&at, &self.root))
            };
            let entries = std::fs::read_dir(&at).expect("reading the sandbox");
            for entry in entries {
                let entry = entry.expect("reading the sandbox");
                let name = entry.file_name();
                let ok = match &expected {
                    Some(next) => name == next.as_os_str(),
                    None => allowed.iter().any(|a| name == *a),
                };
                if !ok {
                    strays.push(entry.path());
                }
            }
            match expected {
                Some(next) => at.push(next),
                None => return strays,
            }
        }
    }

    /// Where an absolute path from a fuzz input is moved: under `TOP`.
    pub fn confine_absolute(&self, path: &str) -> String {
        format!("{}{}", self.top().display(), path)
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

/// The name of the folder after `at` on the way down to `root`.
fn next_level(at: &Path, root: &Path) -> PathBuf {
    let rest = root.strip_prefix(at).expect("root is below at");
    PathBuf::from(rest.components().next().expect("a level").as_os_str())
}

/// A file tree: relative path → a file's bytes, a symlink's target, or a
/// folder.
pub type Tree = BTreeMap<PathBuf, Node>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    File(Vec<u8>),
    Link(PathBuf),
    Dir,
}

/// Everything under `root`, symlinks not followed.
pub fn snapshot(root: &Path) -> Tree {
    let mut tree = Tree::new();
    walk(root, Path::new(""), &mut tree);
    tree
}

fn walk(root: &Path, rel: &Path, tree: &mut Tree) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for entry in entries.flatten() {
        let rel = rel.join(entry.file_name());
        let path = root.join(&rel);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap_or_default();
            tree.insert(rel, Node::Link(target));
        } else if meta.is_dir() {
            tree.insert(rel.clone(), Node::Dir);
            walk(root, &rel, tree);
        } else {
            let bytes = std::fs::read(&path).unwrap_or_default();
            tree.insert(rel, Node::File(bytes));
        }
    }
}

/// Writes `tree` under `root` (which exists). Fails on what the file system
/// refuses (a name too long, a file where a folder should be).
pub fn write_tree(root: &Path, tree: &Tree) -> std::io::Result<()> {
    for (rel, node) in tree {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        match node {
            Node::File(bytes) => std::fs::write(&path, bytes)?,
            Node::Dir => std::fs::create_dir_all(&path)?,
            Node::Link(target) => std::os::unix::fs::symlink(target, &path)?,
        }
    }
    Ok(())
}

/// Whether `path` is relative, has no `..`, and names something.
pub fn is_plain_relative(path: &Path) -> bool {
    path.components().next().is_some()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// `path` with at most [`MAX_PARENTS`] `..` components (later ones dropped).
pub fn limit_parents(path: &str) -> String {
    let mut parents = 0;
    let kept: Vec<&str> = path
        .split('/')
        .filter(|part| {
            if *part == ".." {
                parents += 1;
                parents <= MAX_PARENTS
            } else {
                true
            }
        })
        .collect();
    kept.join("/")
}

/// The granularities the text targets (`scan_text`, `damage`) choose
/// among with their first byte.
pub const GRANULARITIES: [doppel::Granularity; 4] = [
    doppel::Granularity::Auto,
    doppel::Granularity::Paragraph,
    doppel::Granularity::Line,
    doppel::Granularity::Sentence,
];
