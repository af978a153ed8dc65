//! `doppel.toml`: the check's settings kept in the repository.
//!
//! The file is looked up from the current folder upwards (the first
//! `doppel.toml` found wins), or named with `--config FILE`. Every key is
//! also a command-line flag, and a flag given on the command line wins over
//! the file. Relative paths in the file are relative to the file's folder.
//!
//! ```toml
//! paths = ["docs"]
//! min-size = 80
//! threshold = 0.85
//! fail-on = "near"
//! baseline = "doppel-baseline.txt"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::policy::FailOn;
use super::CheckError;

/// Most worker threads a run takes (`threads`, `--threads`): past a few
/// hundred, threads only add start-up and scheduling cost (1,024 threads
/// take 20 s over a 77 KB page on two cores, where 256 take under a second).
pub const MAX_THREADS: usize = 256;

/// The file's name.
pub const FILE_NAME: &str = "doppel.toml";

/// The settings a `doppel.toml` may hold; every key is optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// `paths`: what to check when no path is given on the command line
    /// (default `.`); relative paths are taken from the file's folder.
    pub paths: Option<Vec<PathBuf>>,
    /// `format`: the report format (`human`, `json`, `sarif`, `github`, `gitlab`,
    /// `junit`).
    pub format: Option<String>,
    /// `min-size`: smallest finding reported, in letters of its smallest copy
    /// ([`Policy::min_letters`](super::Policy::min_letters)).
    pub min_size: Option<usize>,
    /// `min-segments`: smallest finding reported, in segments of its smallest
    /// copy.
    pub min_segments: Option<usize>,
    /// `threshold`: Jaccard similarity in `(0, 1]` from which two segments are
    /// near duplicates.
    pub threshold: Option<f64>,
    /// `max-file-ratio`: fail when a file's duplicated letters exceed this
    /// fraction of its letters.
    pub max_file_ratio: Option<f64>,
    /// `max-total-ratio`: fail when the tree's duplicated letters exceed this
    /// fraction of all letters.
    pub max_total_ratio: Option<f64>,
    /// `fail-on`: which new findings fail, `exact` or `near`.
    pub fail_on: Option<FailOn>,
    /// `baseline`: the findings accepted so far; a relative path is taken from
    /// the file's folder.
    pub baseline: Option<PathBuf>,
    /// `changed-since`: report only findings that touch lines changed since
    /// this git revision.
    pub changed_since: Option<String>,
    /// `segment`: the unit of comparison, `paragraph`, `line`, `sentence` or
    /// `auto`.
    pub segment: Option<String>,
    /// `shingle`: how text is cut into shingles (`chars:5`, `words:3`,
    /// `spaced=chars:5,cjk=chars:4`; see
    /// [`ShingleConfig`](crate::ShingleConfig)).
    pub shingle: Option<String>,
    /// `encoding`: decode every input with this WHATWG label instead of
    /// detecting it.
    pub encoding: Option<String>,
    /// `threads`: worker threads, 1 to [`MAX_THREADS`].
    pub threads: Option<usize>,
    /// `no-ignore`: walk every file, ignoring `.gitignore`, `.ignore` and
    /// `.doppelignore`.
    pub no_ignore: Option<bool>,
    /// `hidden`: walk hidden files and folders too.
    pub hidden: Option<bool>,
}

/// The nearest `doppel.toml` in `start` or a folder above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<FileConfig, CheckError> {
    let bad = |message: String| CheckError::Config {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(crate::input::io_message(&e)))?;
    let mut config = parse(&text).map_err(bad)?;
    let base = path.parent().unwrap_or(Path::new(""));
    config.resolve(base);
    Ok(config)
}

/// Parses the text of a configuration file.
pub fn parse(text: &str) -> Result<FileConfig, String> {
    let config: FileConfig = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    config.validate()?;
    Ok(config)
}

impl FileConfig {
    fn validate(&self) -> Result<(), String> {
        let fractions = [
            ("threshold", self.threshold),
            ("max-file-ratio", self.max_file_ratio),
            ("max-total-ratio", self.max_total_ratio),
        ];
        for (key, value) in fractions {
            if let Some(x) = value {
                if !(0.0..=1.0).contains(&x) || (key == "threshold" && x == 0.0) {
                    return Err(format!("{key} = {x} is not a number in (0, 1]"));
                }
            }
        }
        if let Some(threads) = self.threads {
            if !(1..=MAX_THREADS).contains(&threads) {
                return Err(format!(
                    "threads = {threads} is not a whole number from 1 to {MAX_THREADS}"
                ));
            }
        }
        Ok(())
    }

    fn resolve(&mut self, base: &Path) {
        let join = |p: &PathBuf| {
            if p.is_absolute() {
                p.clone()
            } else {
                base.join(p)
            }
        };
        if let Some(paths) = &mut self.paths {
            *paths = paths.iter().map(join).collect();
        }
        self.baseline = self.baseline.as_ref().map(join);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_kebab_case_and_checked() {
        let config = parse("min-size = 80\nfail-on = \"near\"\nthreshold = 0.9\n").unwrap();
        assert_eq!(config.min_size, Some(80));
        assert_eq!(config.fail_on, Some(FailOn::Near));
        assert!(parse("min_size = 80\n").is_err());
        assert!(parse("threshold = 2.0\n").is_err());
        assert!(parse("fail-on = \"sometimes\"\n").is_err());
        assert!(parse("threshold = nan\n").is_err());
        assert!(parse("threads = 0\n").is_err());
        assert!(parse("threads = 10000\n").is_err());
        assert_eq!(parse("threads = 4\n").unwrap().threads, Some(4));
    }

    #[test]
    fn found_upwards_and_paths_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "baseline = \"base.txt\"\n").unwrap();
        let found = find(&sub).unwrap();
        assert_eq!(found, dir.path().join(FILE_NAME));
        let config = load(&found).unwrap();
        assert_eq!(config.baseline, Some(dir.path().join("base.txt")));
    }
}
