//! Two folders as two releases of a corpus: documents are paired by their
//! path relative to each folder; the documents left over on each side are
//! then paired by similarity (renamed or moved files, as git's rename
//! detection does), best pairs first, when they reach the rename threshold.
//! What remains is added or removed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::decode::{decode_vec, DecodeError, Decoded};
use crate::input::{expand, InputError, InputOptions};

use rayon::prelude::*;

use super::comparison::Comparison;
use super::key::Keyer;
use super::lines::lines;
use super::options::DiffOptions;
use super::similarity::UnitBag;

/// A document that could not be read as text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FolderError {
    /// A file or folder that could not be walked or read.
    #[error("{}: {message}", path.display())]
    Read {
        /// The file or folder, as the walk found it.
        path: PathBuf,
        /// Why it could not be read.
        message: String,
    },
    /// A file that was read but is binary or not decodable text.
    #[error("{}: {source}", path.display())]
    Decode {
        /// The file, as the walk found it.
        path: PathBuf,
        /// Why it could not be decoded.
        source: DecodeError,
    },
}

/// One decoded document of a folder.
#[derive(Clone, Debug)]
pub struct FolderDoc {
    /// Path relative to the folder.
    pub relative: PathBuf,
    /// Size as read.
    pub input_bytes: usize,
    /// Its text decoded to UTF-8, and the encoding it was read as.
    pub decoded: Decoded,
}

/// What happened to a document between the two folders.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DocStatus {
    /// Under the same path, with texts the options count as equal (every
    /// line equal once what they ignore is set aside).
    Unchanged,
    /// Under the same path, with texts that differ.
    Changed,
    /// Only in the new folder.
    Added,
    /// Only in the old folder.
    Removed,
    /// Paired by similarity under another path (maybe also edited).
    Renamed,
}

impl DocStatus {
    /// Its name in reports: `unchanged`, `changed`, `added`, `removed` or
    /// `renamed`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Unchanged => "unchanged",
            DocStatus::Changed => "changed",
            DocStatus::Added => "added",
            DocStatus::Removed => "removed",
            DocStatus::Renamed => "renamed",
        }
    }
}

/// A document of either folder, or a pair: indices into
/// [`FolderReport::old`] and [`FolderReport::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct FolderEntry {
    /// The old document; `None` when added.
    pub old: Option<usize>,
    /// The new document; `None` when removed.
    pub new: Option<usize>,
    /// What happened to it.
    pub status: DocStatus,
    /// Similarity of the pair (0 for added and removed documents).
    pub similarity: f64,
}

/// The documents of two folders, paired.
#[derive(Debug, Default)]
pub struct FolderReport {
    /// The old folder's documents, in path order.
    pub old: Vec<FolderDoc>,
    /// The new folder's documents, in path order.
    pub new: Vec<FolderDoc>,
    /// In order of path (the new path for added documents).
    pub entries: Vec<FolderEntry>,
    /// Documents that could not be read or decoded.
    pub errors: Vec<FolderError>,
    /// Binary files skipped in the walk.
    pub skipped_binary: usize,
}

impl FolderReport {
    /// The texts of an entry (empty for a missing side).
    pub fn texts(&self, entry: &FolderEntry) -> (&str, &str) {
        let old = entry.old.map_or("", |i| self.old[i].decoded.text.as_str());
        let new = entry.new.map_or("", |j| self.new[j].decoded.text.as_str());
        (old, new)
    }

    /// Compares the documents of `entries` (indices into
    /// [`FolderReport::entries`]), in parallel, returned in order.
    pub fn compare(
        &self,
        entries: std::ops::Range<usize>,
        options: &DiffOptions,
    ) -> Vec<Comparison<'_>> {
        self.entries[entries]
            .par_iter()
            .map(|entry| {
                let (old, new) = self.texts(entry);
                Comparison::new(old, new, options)
            })
            .collect()
    }

    /// Whether every document is unchanged and nothing went wrong.
    pub fn is_equal(&self) -> bool {
        self.entries
            .iter()
            .all(|e| e.status == DocStatus::Unchanged)
    }
}

/// Reads and pairs the documents of two folders.
pub fn compare_folders(
    old_root: &Path,
    new_root: &Path,
    options: &DiffOptions,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> FolderReport {
    let mut report = FolderReport::default();
    report.old = load(old_root, encoding, &mut report);
    report.new = load(new_root, encoding, &mut report);
    report.entries = pair(&report.old, &report.new, options);
    report
}

/// Reads the files of one folder through the input layer, so a folder is
/// walked as `scan` walks it (ignore files, hidden files, sorted order).
fn load(
    root: &Path,
    encoding: Option<&'static encoding_rs::Encoding>,
    report: &mut FolderReport,
) -> Vec<FolderDoc> {
    let (entries, problems) = expand(&[root.to_path_buf()], &InputOptions::default());
    for problem in problems {
        report.errors.push(read_error(problem));
    }
    let mut docs = Vec::new();
    for entry in entries {
        let raw = match entry.read() {
            Ok(raw) => raw,
            Err(err) => {
                report.errors.push(read_error(err));
                continue;
            }
        };
        let path = raw.origin.file().map(Path::to_path_buf).unwrap_or_default();
        let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let input_bytes = raw.bytes.len();
        match decode_vec(raw.bytes, encoding) {
            Ok(decoded) => docs.push(FolderDoc {
                relative,
                input_bytes,
                decoded,
            }),
            Err(DecodeError::Binary { .. }) => report.skipped_binary += 1,
            Err(source) => report.errors.push(FolderError::Decode { path, source }),
        }
    }
    docs
}

fn read_error(err: InputError) -> FolderError {
    FolderError::Read {
        path: err.origin.file().map(Path::to_path_buf).unwrap_or_default(),
        message: err.message,
    }
}

/// Pairs documents by path, then the rest by similarity.
pub(crate) fn pair(
    old: &[FolderDoc],
    new: &[FolderDoc],
    options: &DiffOptions,
) -> Vec<FolderEntry> {
    let mut keyer = Keyer::new(options);
    let by_path: HashMap<&Path, usize> = new
        .iter()
        .enumerate()
        .map(|(i, d)| (d.relative.as_path(), i))
        .collect();
    let mut entries = Vec::new();
    let mut new_paired = vec![false; new.len()];
    let mut removed = Vec::new();
    for (i, doc) in old.iter().enumerate() {
        match by_path.get(doc.relative.as_path()) {
            Some(&j) => {
                new_paired[j] = true;
                let (a, b) = (&doc.decoded.text, &new[j].decoded.text);
                let status = if same(a, b, &mut keyer) {
                    DocStatus::Unchanged
                } else {
                    DocStatus::Changed
                };
                let similarity = UnitBag::of(a, &mut keyer).similarity(&UnitBag::of(b, &mut keyer));
                entries.push(FolderEntry {
                    old: Some(i),
                    new: Some(j),
                    status,
                    similarity,
                });
            }
            None => removed.push(i),
        }
    }
    let added: Vec<usize> = (0..new.len()).filter(|&j| !new_paired[j]).collect();
    entries.extend(renames(old, new, &removed, &added, options, &mut keyer));
    let path_of = |e: &FolderEntry| match (e.new, e.old) {
        (Some(j), _) => new[j].relative.clone(),
        (None, Some(i)) => old[i].relative.clone(),
        (None, None) => PathBuf::new(),
    };
    entries.sort_by_key(|e| path_of(e));
    entries
}

/// Whether two texts are equal under the comparison options.
fn same(a: &str, b: &str, keyer: &mut Keyer) -> bool {
    if keyer.is_exact() {
        return a == b;
    }
    let (la, lb) = (lines(a), lines(b));
    la.len() == lb.len()
        && la
            .into_iter()
            .zip(lb)
            .all(|(x, y)| keyer.key(&a[x]) == keyer.key(&b[y]))
}

/// Up to this many removed × added pairs are all compared; past it, only
/// pairs whose sketches share a key.
const ALL_PAIRS: usize = 20_000;

/// For each removed document, the added documents worth comparing with it:
/// all of them for small folders; otherwise those sharing one of the
/// smallest unit keys of each bag (a bottom-k sketch), which pairs with a
/// similarity of 0.5 or more share with near certainty.
fn candidates(old_bags: &[UnitBag], new_bags: &[UnitBag]) -> Vec<Vec<usize>> {
    if old_bags.len() * new_bags.len() <= ALL_PAIRS {
        return vec![(0..new_bags.len()).collect(); old_bags.len()];
    }
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    for (a, bag) in new_bags.iter().enumerate() {
        for key in bag.sketch() {
            index.entry(key).or_default().push(a);
        }
    }
    old_bags
        .par_iter()
        .map(|bag| {
            let mut found: Vec<usize> = bag
                .sketch()
                .into_iter()
                .filter_map(|key| index.get(&key))
                .flatten()
                .copied()
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        })
        .collect()
}

/// Pairs removed and added documents by similarity; the rest stay removed
/// and added.
fn renames(
    old: &[FolderDoc],
    new: &[FolderDoc],
    removed: &[usize],
    added: &[usize],
    options: &DiffOptions,
    keyer: &mut Keyer,
) -> Vec<FolderEntry> {
    let bags = |docs: &[FolderDoc], which: &[usize]| -> Vec<UnitBag> {
        which
            .par_iter()
            .map_init(
                || keyer.clone(),
                |k, &i| UnitBag::of(&docs[i].decoded.text, k),
            )
            .collect()
    };
    let old_bags = bags(old, removed);
    let new_bags = bags(new, added);
    let least = options.rename_similarity;
    let candidates = candidates(&old_bags, &new_bags);
    let mut found: Vec<(f64, usize, usize)> = old_bags
        .par_iter()
        .zip(candidates)
        .enumerate()
        .flat_map_iter(|(r, (a_bag, those))| {
            let new_bags = &new_bags;
            those.into_iter().filter_map(move |a| {
                let b_bag = &new_bags[a];
                if a_bag.similarity_bound(b_bag) < least || a_bag.total() + b_bag.total() == 0 {
                    return None;
                }
                let similarity = a_bag.similarity(b_bag);
                (similarity >= least).then_some((similarity, r, a))
            })
        })
        .collect();
    found.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut old_done = vec![false; removed.len()];
    let mut new_done = vec![false; added.len()];
    let mut entries = Vec::new();
    for (similarity, r, a) in found {
        if old_done[r] || new_done[a] {
            continue;
        }
        (old_done[r], new_done[a]) = (true, true);
        entries.push(FolderEntry {
            old: Some(removed[r]),
            new: Some(added[a]),
            status: DocStatus::Renamed,
            similarity,
        });
    }
    let lone = |old: Option<usize>, new: Option<usize>, status| FolderEntry {
        old,
        new,
        status,
        similarity: 0.0,
    };
    for (&i, _) in removed.iter().zip(&old_done).filter(|(_, done)| !**done) {
        entries.push(lone(Some(i), None, DocStatus::Removed));
    }
    for (&j, _) in added.iter().zip(&new_done).filter(|(_, done)| !**done) {
        entries.push(lone(None, Some(j), DocStatus::Added));
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, text: &str) -> FolderDoc {
        FolderDoc {
            relative: PathBuf::from(path),
            input_bytes: text.len(),
            decoded: crate::decode::decode(text.as_bytes(), None).unwrap(),
        }
    }

    #[test]
    fn pairs_by_path_then_by_similarity() {
        let body: String = (0..40)
            .map(|i| format!("line number {i} of the text\n"))
            .collect();
        let edited = body.replace("line number 7 ", "line number seven ");
        let old = vec![
            doc("a.txt", "same\n"),
            doc("b.txt", "old b\n"),
            doc("gone.txt", "nothing like the others\n"),
            doc("old/name.txt", &body),
        ];
        let new = vec![
            doc("a.txt", "same\n"),
            doc("b.txt", "new b\n"),
            doc("fresh.txt", "brand new\n"),
            doc("new/name.txt", &edited),
        ];
        let entries = pair(&old, &new, &DiffOptions::new());
        let status: Vec<(Option<usize>, Option<usize>, DocStatus)> =
            entries.iter().map(|e| (e.old, e.new, e.status)).collect();
        assert_eq!(
            status,
            vec![
                (Some(0), Some(0), DocStatus::Unchanged),
                (Some(1), Some(1), DocStatus::Changed),
                (None, Some(2), DocStatus::Added),
                (Some(2), None, DocStatus::Removed),
                (Some(3), Some(3), DocStatus::Renamed),
            ]
        );
        assert!(entries[4].similarity > 0.9 && entries[4].similarity < 1.0);
    }

    #[test]
    fn many_renames_are_found_through_sketches() {
        let n = 160;
        assert!(n * n > ALL_PAIRS);
        let body = |i: usize| -> String {
            (0..30)
                .map(|k| format!("document {i} has line {k} with its own words\n"))
                .collect()
        };
        let old: Vec<FolderDoc> = (0..n)
            .map(|i| doc(&format!("old/{i}.txt"), &body(i)))
            .collect();
        let new: Vec<FolderDoc> = (0..n)
            .map(|i| {
                let text = body(i).replace("line 3 ", "line three ");
                doc(&format!("new/{i}.txt"), &text)
            })
            .collect();
        let entries = pair(&old, &new, &DiffOptions::new());
        assert_eq!(entries.len(), n);
        for e in &entries {
            assert_eq!(e.status, DocStatus::Renamed);
            assert_eq!(e.old, e.new);
        }
    }
}
