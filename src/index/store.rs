//! Opening an index to query it ([`Index`]) and to add to it
//! ([`IndexWriter`]): the lock, the leftovers of interrupted adds, and the
//! order of the writes that makes an add all or nothing.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;

use super::format::{Segment, SegmentBuilder, StoredDoc};
use super::manifest::{segment_number, share, sync_folder, Manifest, SegmentEntry, MANIFEST_NAME};
use super::{test_pause, IndexError};
use crate::params::SketchParams;

/// The lock file a writer holds for the length of an add.
pub const LOCK_NAME: &str = ".doppel.lock";

/// An index opened for queries: its manifest and its segments, mapped.
#[derive(Debug)]
pub struct Index {
    dir: PathBuf,
    manifest: Manifest,
    pub(super) segments: Vec<Segment>,
    leftovers: Vec<String>,
    /// Lookups made, to release mapped pages now and then.
    pub(super) lookups: std::sync::atomic::AtomicU64,
}

/// Files in `dir` that are not part of the index `manifest` describes.
fn leftovers(dir: &Path, manifest: Option<&Manifest>) -> Result<Vec<String>, IndexError> {
    let listed = |name: &str| manifest.is_some_and(|m| m.segments.iter().any(|s| s.file == name));
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| IndexError::io(dir, e))? {
        let entry = entry.map_err(|e| IndexError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == LOCK_NAME || (name == MANIFEST_NAME && manifest.is_some()) || listed(&name) {
            continue;
        }
        found.push(name);
    }
    found.sort();
    Ok(found)
}

/// Whether `name` is a file an add writes: a temporary file or a segment.
fn ours(name: &str) -> bool {
    name.starts_with(".tmp-") || segment_number(name).is_some() || name == LOCK_NAME
}

/// Takes the writer's lock on `dir`, waiting a moment for a reader that
/// holds it while it looks for leftovers.
fn lock(dir: &Path) -> Result<File, IndexError> {
    let path = dir.join(LOCK_NAME);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| IndexError::io(&path, e))?;
    for _ in 0..20 {
        if file
            .try_lock_exclusive()
            .map_err(|e| IndexError::io(&path, e))?
        {
            return Ok(file);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Err(IndexError::Busy(dir.to_path_buf()))
}

impl Index {
    /// Opens the index in `dir` and maps its segments. When no writer is
    /// busy with it, files its manifest does not list are noted as
    /// [`leftovers`](Index::leftovers) (and left alone).
    pub fn open(dir: &Path) -> Result<Index, IndexError> {
        // Leftovers are looked for under the lock, with the manifest read
        // under it: a writer committing meanwhile would otherwise make its
        // new segment look like a leftover.
        let lock_path = dir.join(LOCK_NAME);
        let held = File::open(&lock_path)
            .ok()
            .filter(|file| file.try_lock_exclusive().unwrap_or(false));
        let manifest = Manifest::read(dir)?;
        let leftovers = match &held {
            Some(_) => leftovers(dir, Some(&manifest))?,
            None if !lock_path.exists() => leftovers(dir, Some(&manifest))?,
            None => Vec::new(),
        };
        drop(held);
        let segments = open_segments(dir, &manifest)?;
        Ok(Index {
            dir: dir.to_path_buf(),
            manifest,
            segments,
            leftovers,
            lookups: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The settings its sketches were made with.
    pub fn params(&self) -> &SketchParams {
        &self.manifest.params
    }

    /// The manifest the index was opened with.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Documents stored.
    pub fn documents(&self) -> u64 {
        self.manifest.documents()
    }

    /// Bytes of the segment files.
    pub fn bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.bytes() as u64).sum()
    }

    /// Files in the folder that the manifest does not list: leftovers of an
    /// interrupted add, not part of the index.
    pub fn leftovers(&self) -> &[String] {
        &self.leftovers
    }

    /// Refused unless sketches made with `params` can be compared with the
    /// stored ones; the error names every difference.
    pub fn check_params(&self, params: &SketchParams) -> Result<(), IndexError> {
        params.check_compatible(
            &self.manifest.params,
            &format!("index '{}'", self.dir.display()),
        )?;
        Ok(())
    }

    /// Reads every segment whole and checks its shingle sets and places
    /// against their checksums.
    pub fn verify(&self) -> Result<(), IndexError> {
        self.segments.iter().try_for_each(Segment::verify_payload)
    }
}

fn open_segments(dir: &Path, manifest: &Manifest) -> Result<Vec<Segment>, IndexError> {
    manifest
        .segments
        .iter()
        .map(|entry| {
            let path = dir.join(&entry.file);
            // Checked when the manifest was read.
            let checksum = entry.checksum().unwrap_or_default();
            let segment = Segment::open(&path, checksum)?;
            if segment.documents() as u64 != entry.documents {
                return Err(IndexError::Corrupt {
                    path,
                    reason: format!(
                        "holds {} documents where the manifest says {}",
                        segment.documents(),
                        entry.documents
                    ),
                });
            }
            Ok(segment)
        })
        .collect()
}

/// An index opened to add to it; holds the lock until dropped.
#[derive(Debug)]
pub struct IndexWriter {
    dir: PathBuf,
    _lock: File,
    manifest: Manifest,
    removed: Vec<String>,
}

impl IndexWriter {
    /// Makes a new index in `dir`, which must not exist or be empty (the
    /// leftovers of an interrupted create are removed and named). Nothing
    /// is an index until the first [`add`](Self::add) or
    /// [`commit_empty`](Self::commit_empty) writes the manifest.
    pub fn create(dir: &Path, params: SketchParams) -> Result<IndexWriter, IndexError> {
        std::fs::create_dir_all(dir).map_err(|e| IndexError::io(dir, e))?;
        let names = leftovers(dir, None)?;
        let has_lock = dir.join(LOCK_NAME).exists();
        if names.iter().any(|name| !ours(name)) || dir.join(MANIFEST_NAME).exists() {
            return Err(IndexError::NotEmpty(dir.to_path_buf()));
        }
        if !names.is_empty() && !has_lock {
            // Files of ours without a lock file were not left by a create.
            return Err(IndexError::NotEmpty(dir.to_path_buf()));
        }
        let lock = lock(dir)?;
        if dir.join(MANIFEST_NAME).exists() {
            return Err(IndexError::NotEmpty(dir.to_path_buf()));
        }
        let removed = remove(dir, leftovers(dir, None)?)?;
        Ok(IndexWriter {
            dir: dir.to_path_buf(),
            _lock: lock,
            manifest: Manifest::new(params),
            removed,
        })
    }

    /// Opens the index in `dir` to add documents signed with `params`;
    /// refused when they differ from the index's. Leftovers of interrupted
    /// adds are removed (and named by [`removed_leftovers`](Self::removed_leftovers)).
    pub fn open(dir: &Path, params: &SketchParams) -> Result<IndexWriter, IndexError> {
        if !dir.join(MANIFEST_NAME).exists() {
            return Err(IndexError::NotAnIndex(dir.to_path_buf()));
        }
        let lock = lock(dir)?;
        let manifest = Manifest::read(dir)?;
        params.check_compatible(&manifest.params, &format!("index '{}'", dir.display()))?;
        // Adding reads nothing stored: the segments are only checked to be
        // there at their recorded sizes, so an add takes the same time
        // however large the index grows.
        for entry in &manifest.segments {
            let path = dir.join(&entry.file);
            let len = std::fs::metadata(&path)
                .map_err(|e| IndexError::io(&path, e))?
                .len();
            if len != entry.bytes {
                return Err(IndexError::Corrupt {
                    path,
                    reason: format!(
                        "truncated or damaged: {len} bytes where the manifest says {}",
                        entry.bytes
                    ),
                });
            }
        }
        let removed = remove(dir, leftovers(dir, Some(&manifest))?)?;
        Ok(IndexWriter {
            dir: dir.to_path_buf(),
            _lock: lock,
            manifest,
            removed,
        })
    }

    /// Files removed when the index was opened: leftovers of an
    /// interrupted add.
    pub fn removed_leftovers(&self) -> &[String] {
        &self.removed
    }

    /// The manifest as the last commit left it.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Writes the manifest of an index without segments (a create with no
    /// documents).
    pub fn commit_empty(&mut self) -> Result<(), IndexError> {
        self.manifest.commit(&self.dir, test_pause)
    }

    /// A builder for the next segment, its temporary files in the index.
    pub fn segment(&self) -> Result<SegmentBuilder, IndexError> {
        SegmentBuilder::new(&self.dir).map_err(|e| IndexError::io(&self.dir, e))
    }

    /// Stores `docs` as one new segment and commits it.
    pub fn add(&mut self, docs: &[StoredDoc]) -> Result<SegmentEntry, IndexError> {
        let mut builder = self.segment()?;
        for doc in docs {
            builder
                .push(doc)
                .map_err(|e| IndexError::io(&self.dir, e))?;
        }
        self.commit(builder)
    }

    /// Writes the segment `builder` holds and commits it. Nothing stored
    /// is rewritten; until the manifest's rename the index is as it was.
    pub fn commit(&mut self, builder: SegmentBuilder) -> Result<SegmentEntry, IndexError> {
        test_pause("signed");
        let name = self
            .manifest
            .next_segment()
            .ok_or_else(|| IndexError::Corrupt {
                path: self.dir.join(MANIFEST_NAME),
                reason: "its last segment has the largest number a segment can have: no segment can follow it".into(),
            })?;
        let path = self.dir.join(&name);
        let temp = tempfile::Builder::new()
            .prefix(".tmp-segment-")
            .tempfile_in(&self.dir)
            .map_err(|e| IndexError::io(&self.dir, e))?;
        share(temp.as_file(), temp.path())?;
        let written = builder
            .finish(temp.as_file())
            .map_err(|e| IndexError::io(&path, e))?;
        temp.as_file()
            .sync_all()
            .map_err(|e| IndexError::io(temp.path(), e))?;
        test_pause("segment-written");
        temp.persist_noclobber(&path)
            .map_err(|e| IndexError::io(&path, e.error))?;
        sync_folder(&self.dir)?;
        test_pause("segment-renamed");
        let entry = SegmentEntry {
            file: name,
            documents: written.documents,
            bytes: written.bytes,
            checksum: format!("{:016x}", written.checksum),
        };
        let mut next = self.manifest.clone();
        next.segments.push(entry.clone());
        next.commit(&self.dir, test_pause)?;
        self.manifest = next;
        test_pause("committed");
        Ok(entry)
    }
}

/// Removes the `names` from `dir`; returns them.
fn remove(dir: &Path, names: Vec<String>) -> Result<Vec<String>, IndexError> {
    for name in &names {
        let path = dir.join(name);
        let removed = if path.is_dir() {
            // Never ours: an add writes files only.
            return Err(IndexError::Corrupt {
                path,
                reason: "a folder inside the index, which doppel never writes".into(),
            });
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| IndexError::io(&path, e))?;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::format::Place;
    use crate::EngineBuilder;

    fn params() -> SketchParams {
        EngineBuilder::new().build().unwrap().sketch_params()
    }

    fn docs(n: u64) -> Vec<StoredDoc> {
        (0..n)
            .map(|i| StoredDoc {
                exact: i,
                bands: vec![i * 10],
                set: vec![i as u32],
                place: Place {
                    path: format!("f{i}.txt"),
                    line: None,
                    id: None,
                },
            })
            .collect()
    }

    #[test]
    fn adds_make_segments_and_a_second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("idx");
        let mut writer = IndexWriter::create(&index, params()).unwrap();
        writer.add(&docs(3)).unwrap();
        let err = IndexWriter::open(&index, &params()).expect_err("busy");
        assert!(matches!(err, IndexError::Busy(_)), "{err}");
        writer.add(&docs(2)).unwrap();
        drop(writer);
        let opened = Index::open(&index).unwrap();
        assert_eq!(opened.documents(), 5);
        assert_eq!(opened.manifest().segments.len(), 2);
        assert!(opened.leftovers().is_empty());
        opened.verify().unwrap();
        let err = IndexWriter::create(&index, params()).expect_err("not empty");
        assert!(matches!(err, IndexError::NotEmpty(_)), "{err}");
    }

    #[test]
    fn leftovers_are_named_by_readers_and_removed_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("idx");
        IndexWriter::create(&index, params())
            .unwrap()
            .add(&docs(1))
            .unwrap();
        std::fs::write(index.join("seg-000002.dseg"), b"half").unwrap();
        std::fs::write(index.join(".tmp-manifest-x"), b"{").unwrap();
        let opened = Index::open(&index).unwrap();
        assert_eq!(opened.leftovers(), [".tmp-manifest-x", "seg-000002.dseg"]);
        assert_eq!(opened.documents(), 1);
        let mut writer = IndexWriter::open(&index, &params()).unwrap();
        assert_eq!(writer.removed_leftovers().len(), 2);
        let entry = writer.add(&docs(1)).unwrap();
        assert_eq!(entry.file, "seg-000002.dseg");
        drop(writer);
        assert_eq!(Index::open(&index).unwrap().documents(), 2);
    }

    #[test]
    fn other_params_are_refused_naming_the_difference() {
        let dir = tempfile::tempdir().unwrap();
        IndexWriter::create(dir.path(), params())
            .unwrap()
            .commit_empty()
            .unwrap();
        let other = EngineBuilder::new()
            .threshold(0.9)
            .build()
            .unwrap()
            .sketch_params();
        let err = IndexWriter::open(dir.path(), &other)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("threshold: 0.9 here, 0.65 there"), "{err}");
        let index = Index::open(dir.path()).unwrap();
        assert!(index.check_params(&other).is_err());
        assert!(index.check_params(&params()).is_ok());
    }

    #[test]
    fn a_segment_numbered_last_of_all_refuses_an_add_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = IndexWriter::create(dir.path(), params()).unwrap();
        writer.add(&docs(1)).unwrap();
        drop(writer);
        let mut manifest = Manifest::read(dir.path()).unwrap();
        let last = format!("seg-{}.dseg", u64::MAX);
        std::fs::rename(
            dir.path().join(&manifest.segments[0].file),
            dir.path().join(&last),
        )
        .unwrap();
        manifest.segments[0].file = last;
        manifest.commit(dir.path(), |_| {}).unwrap();
        assert_eq!(Index::open(dir.path()).unwrap().documents(), 1);
        let mut writer = IndexWriter::open(dir.path(), &params()).unwrap();
        let err = writer.add(&docs(1)).expect_err("refused").to_string();
        assert!(
            err.contains("manifest.json") && err.contains("no segment can follow it"),
            "{err}"
        );
        drop(writer);
        assert_eq!(Manifest::read(dir.path()).unwrap(), manifest, "unchanged");
    }

    #[test]
    fn create_refuses_a_folder_with_other_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        let err = IndexWriter::create(dir.path(), params()).expect_err("refused");
        assert!(matches!(err, IndexError::NotEmpty(_)));
        assert!(dir.path().join("notes.txt").exists());
    }
}
