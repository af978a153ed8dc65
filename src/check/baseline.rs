//! Baselines: fail only on new duplication.
//!
//! A baseline records every finding's copies by a stable content
//! fingerprint (a hash of the copy's normalized segments, so neither its
//! line numbers nor edits elsewhere in the file disturb it) and how many
//! times that content occurs as a finding copy in each file. One entry per
//! line, sorted by file then fingerprint, so it diffs well in review:
//!
//! ```text
//! # doppel baseline 1: fingerprint, occurrences, file
//! 3f2a9c0d11b4e7a2 1 docs/install.md
//! 3f2a9c0d11b4e7a2 1 docs/quickstart.md
//! ```
//!
//! Checked against a baseline, a copy is new when its file holds more
//! copies of that content than the baseline counts: a block copied once more,
//! into a new place, is new even when its content is already baselined.
//! Entries with fewer copies now than recorded are reported as fixed.
//!
//! [`Baseline::write`] replaces the file atomically: a run killed midway
//! leaves the old baseline (or none), never half of a new one.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use super::finding::Finding;
use super::CheckError;

const HEADER: &str = "# doppel baseline 1: fingerprint, occurrences, file";

/// Occurrence counts by `(file, fingerprint)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    counts: BTreeMap<(String, String), usize>,
}

/// A baseline entry: content `fingerprint` occurs `count` times in `path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The copy's content fingerprint
    /// ([`Location::fingerprint`](super::Location::fingerprint)): 16 hex
    /// digits.
    pub fingerprint: String,
    /// The file the copies are in, as reports name it.
    pub path: String,
    /// Copies of that content the file may hold; for an entry of
    /// [`Baseline::fixed_in`], how many fewer it holds now.
    pub count: usize,
}

impl Baseline {
    /// The baseline of the current findings.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut counts = BTreeMap::new();
        for copy in findings.iter().flat_map(|f| &f.copies) {
            *counts
                .entry((copy.path.clone(), copy.fingerprint.clone()))
                .or_insert(0) += 1;
        }
        Baseline { counts }
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, CheckError> {
        let bad = |message: String| CheckError::Baseline {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(crate::input::io_message(&e)))?;
        Baseline::parse(&text).map_err(bad)
    }

    /// Parses the text of a baseline file.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let mut counts = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let entry = parse_line(line)
                .ok_or_else(|| format!("line {}: expected 'FINGERPRINT COUNT FILE'", n + 1))?;
            *counts.entry((entry.path, entry.fingerprint)).or_insert(0) += entry.count;
        }
        Ok(Baseline { counts })
    }

    /// Writes the baseline to `path` atomically: into a new temporary file
    /// beside it, created with a unique name (never opened through an
    /// existing file or symbolic link), flushed to disk, then renamed over
    /// `path`. An existing symbolic link at `path` is replaced, not followed.
    pub fn write(&self, path: &Path) -> Result<(), CheckError> {
        let fail = |message: String| CheckError::Write {
            path: path.to_path_buf(),
            message: format!("cannot write baseline: {message}"),
        };
        let io_fail = |err: std::io::Error| fail(crate::input::io_message(&err));
        let name = path
            .file_name()
            .ok_or_else(|| fail("not a file name".to_owned()))?;
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let mut prefix = OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(TEMPORARY_SUFFIX);
        #[cfg(unix)]
        {
            // Read and write for all, less the umask, as any new file: the
            // temporary file's default is private to the user.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut file = builder.tempfile_in(folder).map_err(io_fail)?;
        file.write_all(self.render().as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(io_fail)?;
        file.persist(path).map_err(|err| io_fail(err.error))?;
        sync_folder(folder);
        Ok(())
    }

    /// The file's text: a header, then one entry per line, sorted.
    pub fn render(&self) -> String {
        let mut out = String::from(HEADER);
        out.push('\n');
        for ((path, fingerprint), count) in &self.counts {
            out.push_str(&format!("{fingerprint} {count} {path}\n"));
        }
        out
    }

    /// How many copies of `fingerprint` the baseline allows in `path`.
    pub fn count(&self, path: &str, fingerprint: &str) -> usize {
        self.counts
            .get(&(path.to_owned(), fingerprint.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// The files holding content `fingerprint`.
    pub fn files_with<'a>(&'a self, fingerprint: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.counts
            .keys()
            .filter(move |(_, f)| f == fingerprint)
            .map(|(path, _)| path.as_str())
    }

    /// Entries that `current` holds fewer of, with the difference as count.
    pub fn fixed_in(&self, current: &Baseline) -> Vec<Entry> {
        self.counts
            .iter()
            .filter_map(|((path, fingerprint), &count)| {
                let now = current.count(path, fingerprint);
                (count > now).then(|| Entry {
                    fingerprint: fingerprint.clone(),
                    path: path.clone(),
                    count: count - now,
                })
            })
            .collect()
    }

    /// Entries (fingerprint and file pairs) recorded.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

/// The temporary file of [`Baseline::write`] is `.NAME.XXXXXX.doppel-tmp`:
/// hidden, so a folder walk skips what a killed run leaves, and named for
/// what it is.
const TEMPORARY_SUFFIX: &str = ".doppel-tmp";

/// Makes a rename in `folder` durable where the platform allows it; a
/// failure only loses durability, not the file, so it is ignored.
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

fn parse_line(line: &str) -> Option<Entry> {
    let (fingerprint, rest) = line.split_once(' ')?;
    let (count, path) = rest.split_once(' ')?;
    let valid = !fingerprint.is_empty() && fingerprint.chars().all(|c| c.is_ascii_hexdigit());
    (valid && !path.is_empty()).then_some(())?;
    Some(Entry {
        fingerprint: fingerprint.to_owned(),
        path: path.to_owned(),
        count: count.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_sorted_and_parses_back() {
        let text = format!("{HEADER}\nbb 1 a.md\n00aa 2 docs/with space.md\n");
        let baseline = Baseline::parse(&text).unwrap();
        assert_eq!(baseline.count("docs/with space.md", "00aa"), 2);
        let rendered = baseline.render();
        assert_eq!(
            rendered,
            format!("{HEADER}\nbb 1 a.md\n00aa 2 docs/with space.md\n")
        );
        assert_eq!(Baseline::parse(&rendered).unwrap(), baseline);
    }

    #[test]
    fn bad_lines_are_errors() {
        assert!(Baseline::parse("zz 1 a.md\n").is_err());
        assert!(Baseline::parse("aa one a.md\n").is_err());
        assert!(Baseline::parse("aa 1\n").is_err());
    }

    #[test]
    fn write_replaces_the_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.txt");
        std::fs::write(&path, "old\n").unwrap();
        let baseline = Baseline::parse("aa 2 a.md\n").unwrap();
        baseline.write(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), baseline.render());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["baseline.txt"]);
        let missing = dir.path().join("missing").join("baseline.txt");
        let err = baseline.write(&missing).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: cannot write baseline: ", missing.display())),
            "{err}"
        );
    }

    #[test]
    fn fewer_copies_now_are_fixed() {
        let old = Baseline::parse("aa 2 a.md\nbb 1 b.md\n").unwrap();
        let now = Baseline::parse("aa 1 a.md\n").unwrap();
        let fixed = old.fixed_in(&now);
        assert_eq!(fixed.len(), 2);
        assert_eq!((fixed[0].path.as_str(), fixed[0].count), ("a.md", 1));
    }
}
