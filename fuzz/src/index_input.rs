//! Inputs of the `index` target: an index folder's manifest and one
//! segment file, framed as one byte string, with their checksums made to
//! match so that a mutation gets past them to the checks behind.
//!
//! Framing: a little-endian `u32` manifest length `m` (cut to the bytes
//! left), `m` bytes of `manifest.json`, then the segment file. The segment
//! is written under the name of the manifest's first segment when that is a
//! valid segment name, else `seg-000001.dseg`.
//!
//! Resealing reads the segment's header as `src/index/format.rs` lays it
//! out; when its counts give the segment's length, the tables and payload
//! checksums are written into the header, and the tables checksum and the
//! document count into the manifest's first segment.

use doppel::index::manifest::segment_number;
use serde_json::Value;
use xxhash_rust::xxh3::Xxh3;

const HEADER: usize = 80;
const CHECKED_HEADER: usize = 56;
const MAX_BITS: u32 = 24;

/// A manifest and a segment file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexInput {
    pub manifest: Vec<u8>,
    pub segment: Vec<u8>,
}

impl IndexInput {
    pub fn parse(data: &[u8]) -> IndexInput {
        let (length, rest) = match data {
            [a, b, c, d, rest @ ..] => (u32::from_le_bytes([*a, *b, *c, *d]) as usize, rest),
            _ => (0, data),
        };
        let (manifest, segment) = rest.split_at(length.min(rest.len()));
        IndexInput {
            manifest: manifest.to_vec(),
            segment: segment.to_vec(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = (self.manifest.len() as u32).to_le_bytes().to_vec();
        out.extend_from_slice(&self.manifest);
        out.extend_from_slice(&self.segment);
        out
    }

    /// The segment's file name: the manifest's first segment's, when valid.
    pub fn segment_name(&self) -> String {
        serde_json::from_slice::<Value>(&self.manifest)
            .ok()
            .and_then(|manifest| {
                let name = manifest.get("segments")?.get(0)?.get("file")?.as_str()?;
                segment_number(name).map(|_| name.to_owned())
            })
            .unwrap_or_else(|| "seg-000001.dseg".to_owned())
    }

    /// The input with its checksums made to match (see the module docs);
    /// `None` when the segment's header does not give its length or the
    /// manifest has no first segment to hold them.
    pub fn resealed(&self) -> Option<IndexInput> {
        let layout = Layout::of(&self.segment)?;
        let mut segment = self.segment.clone();
        let mut hasher = Xxh3::new();
        hasher.update(&segment[..CHECKED_HEADER]);
        hasher.update(&segment[HEADER..layout.tables_end]);
        let tables = hasher.digest();
        let payload = xxhash_rust::xxh3::xxh3_64(&segment[layout.tables_end..]);
        segment[56..64].copy_from_slice(&tables.to_le_bytes());
        segment[64..72].copy_from_slice(&payload.to_le_bytes());
        let mut manifest: Value = serde_json::from_slice(&self.manifest).ok()?;
        let first = manifest.get_mut("segments")?.get_mut(0)?.as_object_mut()?;
        first.insert("checksum".into(), Value::from(format!("{tables:016x}")));
        first.insert("documents".into(), Value::from(layout.documents));
        first.insert("bytes".into(), Value::from(segment.len() as u64));
        Some(IndexInput {
            manifest: serde_json::to_vec(&manifest).ok()?,
            segment,
        })
    }
}

/// What the header of a segment says, when it agrees with its length.
struct Layout {
    documents: u64,
    tables_end: usize,
}

impl Layout {
    fn of(segment: &[u8]) -> Option<Layout> {
        let u64_at = |at: usize| {
            Some(u64::from_le_bytes(
                segment.get(at..at + 8)?.try_into().ok()?,
            ))
        };
        let u32_at = |at: usize| {
            Some(u32::from_le_bytes(
                segment.get(at..at + 4)?.try_into().ok()?,
            ))
        };
        if segment.len() < HEADER {
            return None;
        }
        let (documents, bands, hashes, places) =
            (u64_at(16)?, u64_at(24)?, u64_at(32)?, u64_at(40)?);
        let (exact_bits, band_bits) = (u32_at(48)?, u32_at(52)?);
        if exact_bits > MAX_BITS || band_bits > MAX_BITS {
            return None;
        }
        let directories = (1u128 << exact_bits) + (1u128 << band_bits) + 2;
        let tables_end = HEADER as u128
            + 12 * u128::from(documents)
            + 12 * u128::from(bands)
            + 8 * directories
            + 16 * (u128::from(documents) + 1);
        let length = tables_end + 4 * u128::from(hashes) + u128::from(places);
        (length == segment.len() as u128).then_some(Layout {
            documents,
            tables_end: tables_end as usize,
        })
    }
}
