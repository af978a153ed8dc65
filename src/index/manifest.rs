//! The index manifest, `INDEX/manifest.json`: the index format version,
//! the [`SketchParams`] every segment was made with, and the segments with
//! their document counts and checksums.
//!
//! It is the index's only mutable file and its commit point: a new version
//! is written to a temporary file in INDEX, synced, renamed over the old
//! one, and the folder synced. Segment names read from it are checked to be
//! plain names of the form `seg-NNNNNN.dseg`, so nothing in a manifest can
//! make doppel read or write outside INDEX.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{IndexError, INDEX_FORMAT};
use crate::params::SketchParams;

/// The manifest's file name in INDEX.
pub const MANIFEST_NAME: &str = "manifest.json";

/// The contents of `manifest.json`: what the index holds and how its
/// documents were sketched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`INDEX_FORMAT`] of the code that wrote the index.
    pub format: u32,
    /// The settings every stored sketch was made with; documents added or
    /// looked up are sketched alike or refused.
    pub params: SketchParams,
    /// The committed segments, oldest first.
    pub segments: Vec<SegmentEntry>,
}

/// One segment file as the manifest records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentEntry {
    /// Its file name in INDEX, `seg-NNNNNN.dseg`.
    pub file: String,
    /// Documents it stores.
    pub documents: u64,
    /// Size of the file.
    pub bytes: u64,
    /// The segment's tables checksum, 16 hex digits.
    pub checksum: String,
}

impl SegmentEntry {
    /// The checksum as a number; `None` when it is not 16 hex digits.
    pub fn checksum(&self) -> Option<u64> {
        (self.checksum.len() == 16)
            .then(|| u64::from_str_radix(&self.checksum, 16).ok())
            .flatten()
    }
}

/// The segment file name numbered `number`.
pub fn segment_name(number: u64) -> String {
    format!("seg-{number:06}.dseg")
}

/// The number of a segment file name, when it is one.
pub fn segment_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("seg-")?.strip_suffix(".dseg")?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Manifest {
    /// The manifest of an empty index whose sketches are made with `params`.
    pub fn new(params: SketchParams) -> Manifest {
        Manifest {
            format: INDEX_FORMAT,
            params,
            segments: Vec::new(),
        }
    }

    /// Documents stored in all segments.
    pub fn documents(&self) -> u64 {
        self.segments.iter().map(|s| s.documents).sum()
    }

    /// The name of the next segment; `None` when the last segment's
    /// number is the largest there is (a manifest not written by doppel).
    pub fn next_segment(&self) -> Option<String> {
        let last = self
            .segments
            .iter()
            .filter_map(|s| segment_number(&s.file))
            .max()
            .unwrap_or(0);
        last.checked_add(1).map(segment_name)
    }

    /// Reads and checks `INDEX/manifest.json`.
    pub fn read(index: &Path) -> Result<Manifest, IndexError> {
        let path = index.join(MANIFEST_NAME);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(IndexError::NotAnIndex(index.to_path_buf()))
            }
            Err(err) => return Err(IndexError::io(&path, err)),
        };
        let corrupt = |reason: String| IndexError::Corrupt {
            path: path.clone(),
            reason,
        };
        // The version first, so a later format is named as such rather than
        // as a field this version does not know.
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| corrupt(format!("not a valid manifest ({e})")))?;
        if let Some(format) = value.get("format").and_then(|f| f.as_u64()) {
            if format != u64::from(INDEX_FORMAT) {
                return Err(IndexError::Version {
                    path: path.clone(),
                    found: u32::try_from(format).unwrap_or(u32::MAX),
                    expected: INDEX_FORMAT,
                });
            }
        }
        let manifest: Manifest = serde_json::from_value(value)
            .map_err(|e| corrupt(format!("not a valid manifest ({e})")))?;
        let mut seen = std::collections::HashSet::new();
        for segment in &manifest.segments {
            if segment_number(&segment.file).is_none() {
                return Err(corrupt(format!(
                    "segment name {:?} is not of the form seg-NNNNNN.dseg",
                    segment.file
                )));
            }
            if !seen.insert(&segment.file) {
                return Err(corrupt(format!("segment {} listed twice", segment.file)));
            }
            if segment.checksum().is_none() {
                return Err(corrupt(format!(
                    "segment {} has no valid checksum",
                    segment.file
                )));
            }
        }
        Ok(manifest)
    }

    /// Writes the manifest into `index` atomically: a temporary file,
    /// synced, renamed over the old manifest, then the folder synced.
    /// `pause` is called between the steps (see `test_pause` in the index module).
    pub fn commit(&self, index: &Path, pause: impl Fn(&str)) -> Result<(), IndexError> {
        let mut json = serde_json::to_vec_pretty(self)
            .map_err(|e| IndexError::io(index, std::io::Error::other(e)))?;
        json.push(b'\n');
        let mut temp = tempfile::Builder::new()
            .prefix(".tmp-manifest-")
            .tempfile_in(index)
            .map_err(|e| IndexError::io(index, e))?;
        share(temp.as_file(), temp.path())?;
        temp.write_all(&json)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| IndexError::io(temp.path(), e))?;
        pause("manifest-written");
        let path = index.join(MANIFEST_NAME);
        temp.persist(&path)
            .map_err(|e| IndexError::io(&path, e.error))?;
        sync_folder(index)?;
        Ok(())
    }
}

/// Gives a file of the index the usual permissions (temporary files are
/// made readable by their owner only): an index is shared data.
pub fn share(file: &std::fs::File, path: &Path) -> Result<(), IndexError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| IndexError::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = (file, path);
    Ok(())
}

/// Makes a rename in `folder` durable.
pub fn sync_folder(folder: &Path) -> Result<(), IndexError> {
    #[cfg(unix)]
    std::fs::File::open(folder)
        .and_then(|dir| dir.sync_all())
        .map_err(|e| IndexError::io(folder, e))?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EngineBuilder;

    fn params() -> SketchParams {
        EngineBuilder::new().build().unwrap().sketch_params()
    }

    #[test]
    fn segment_names_are_plain_and_numbered() {
        assert_eq!(segment_name(7), "seg-000007.dseg");
        assert_eq!(segment_number("seg-000007.dseg"), Some(7));
        assert_eq!(segment_number("seg-1234567.dseg"), Some(1234567));
        for bad in [
            "../seg-000001.dseg",
            "seg-00001.dseg",
            "seg-00000a.dseg",
            "/etc/passwd",
            "seg-000001.dseg/x",
        ] {
            assert_eq!(segment_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_manifest_round_trips_and_names_outside_index_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::new(params());
        manifest.segments.push(SegmentEntry {
            file: manifest.next_segment().unwrap(),
            documents: 3,
            bytes: 100,
            checksum: format!("{:016x}", 42u64),
        });
        manifest.commit(dir.path(), |_| {}).unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), manifest);
        assert_eq!(manifest.next_segment().as_deref(), Some("seg-000002.dseg"));
        manifest.segments[0].file = "../../outside.dseg".into();
        manifest.commit(dir.path(), |_| {}).unwrap();
        let err = Manifest::read(dir.path()).expect_err("refused").to_string();
        assert!(
            err.contains("manifest.json") && err.contains("outside.dseg"),
            "{err}"
        );
        std::fs::write(dir.path().join(MANIFEST_NAME), "{\"format\":99}").unwrap();
        let err = Manifest::read(dir.path()).expect_err("refused").to_string();
        assert!(err.contains("format version 99"), "{err}");
        std::fs::write(dir.path().join(MANIFEST_NAME), "{\"format\":1,").unwrap();
        let err = Manifest::read(dir.path()).expect_err("refused").to_string();
        assert!(err.contains("not a valid manifest"), "{err}");
    }
}
