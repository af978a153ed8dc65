//! The segment file: one `index add`'s documents in a little-endian binary
//! layout, written once and read through a memory map.
//!
//! ```text
//! offset  bytes  field
//!      0      8  magic "DOPPSEG\0"
//!      8      4  segment format version (u32, SEGMENT_FORMAT)
//!     12      4  header length (u32, 64)
//!     16      8  documents D (u64)
//!     24      8  band entries B (u64)
//!     32      8  shingle hashes S (u64), all sets together
//!     40      8  place bytes P (u64)
//!     48      4  exact directory bits E (u32, at most 24)
//!     52      4  band directory bits F (u32, at most 24)
//!     56      8  tables checksum: xxh3-64 of bytes 0..56, then the tables
//!     64      8  payload checksum: xxh3-64 of the shingle sets, then the places
//!     72      8  zero (reserved)
//!     80  12·D   exact table: (u64 exact hash, u32 doc), sorted
//!         12·B   band table: (u64 band key, u32 doc), sorted
//!   8·(2^E+1)   exact directory: u64 entry index of the first key whose
//!                top E bits are ≥ i, for i in 0..=2^E
//!   8·(2^F+1)   band directory: the same for the band table
//!      8·(D+1)   set offsets: u64, in hashes, into the shingle sets
//!      8·(D+1)   place offsets: u64, in bytes, into the places
//!          4·S   shingle sets: u32 each, every set sorted, no repeats
//!            P   places: per document u64 line (0: a whole file), u32 id
//!                length, the id, then the path to the end of the entry
//! ```
//!
//! Keys are hashes, spread evenly, so the directory of a table cuts it into
//! buckets of about 32 entries: a lookup reads one directory entry and
//! binary-searches one bucket, a page or two of the mapped file.
//!
//! Documents are numbered 0..D in input order. Only the first document of
//! each exact hash in a segment has band keys and a shingle set (its twins
//! match exactly). The file's length must be exactly what the counts say:
//! a truncated file is refused. Opening checks the header and the tables
//! (what binary searches trust), reading them through a buffer rather than
//! the map so they do not stay in the process's memory; every read of a
//! set or place is bounds checked, and [`Segment::verify_payload`] checks
//! the rest.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use memmap2::Mmap;
use xxhash_rust::xxh3::Xxh3;

use super::IndexError;

/// The first bytes of every segment file.
pub const MAGIC: &[u8; 8] = b"DOPPSEG\0";
/// Version of the segment layout above.
pub const SEGMENT_FORMAT: u32 = 1;
const HEADER: usize = 80;
/// Bytes of the header the tables checksum covers.
const CHECKED_HEADER: usize = 56;
/// Most bits of a directory: 2^24 buckets.
const MAX_BITS: u32 = 24;
/// Entries per directory bucket aimed at.
const BUCKET: usize = 32;
const ENTRY: usize = 12;

/// Where a stored document came from: its file, and for a JSON Lines
/// record its line and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file, as reports name it (bytes that are not UTF-8 escaped).
    pub path: String,
    /// 1-based line of a JSON Lines record; `None` for a whole file.
    pub line: Option<u64>,
    /// The record's id; `None` for a whole file.
    pub id: Option<String>,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// What the index keeps of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDoc {
    /// Hash of its segments' normalized hashes: equal for exact duplicates.
    pub exact: u64,
    /// LSH band keys of its MinHash signature; empty when it has no units.
    pub bands: Vec<u64>,
    /// Compact shingle hashes, sorted, no repeats.
    pub set: Vec<u32>,
    /// Where it came from.
    pub place: Place,
}

/// What the manifest records of a written segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    /// Documents in the segment.
    pub documents: u64,
    /// Size of the segment file.
    pub bytes: u64,
    /// xxh3 of the header and the tables: what [`Segment::open`] checks.
    pub checksum: u64,
}

/// Builds one segment a document at a time: the tables in memory (about
/// 12 bytes per document and per band key), the shingle sets and places
/// streamed to unnamed temporary files, so the shard's texts and sets are
/// never held whole. [`finish`](Self::finish) writes the segment file.
#[derive(Debug)]
pub struct SegmentBuilder {
    exact: Vec<(u64, u32)>,
    bands: Vec<(u64, u32)>,
    seen: std::collections::HashSet<u64>,
    set_offsets: Vec<u64>,
    place_offsets: Vec<u64>,
    sets: BufWriter<File>,
    places: BufWriter<File>,
    entry: Vec<u8>,
}

impl SegmentBuilder {
    /// A builder whose temporary files are made in `dir` (unnamed: nothing
    /// is left behind whatever happens).
    pub fn new(dir: &Path) -> io::Result<SegmentBuilder> {
        Ok(SegmentBuilder {
            exact: Vec::new(),
            bands: Vec::new(),
            seen: std::collections::HashSet::new(),
            set_offsets: vec![0],
            place_offsets: vec![0],
            sets: BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?),
            places: BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?),
            entry: Vec::new(),
        })
    }

    /// Documents added so far.
    pub fn documents(&self) -> usize {
        self.exact.len()
    }

    /// Adds the next document.
    pub fn push(&mut self, stored: &StoredDoc) -> io::Result<()> {
        let doc = u32::try_from(self.exact.len())
            .map_err(|_| io::Error::other("more than 2^32 documents in one add"))?;
        self.exact.push((stored.exact, doc));
        let mut hashes = self.set_offsets[self.set_offsets.len() - 1];
        if self.seen.insert(stored.exact) {
            self.bands
                .extend(stored.bands.iter().map(|&key| (key, doc)));
            self.entry.clear();
            self.entry
                .extend(stored.set.iter().flat_map(|h| h.to_le_bytes()));
            self.sets.write_all(&self.entry)?;
            hashes += stored.set.len() as u64;
        }
        self.set_offsets.push(hashes);
        self.entry.clear();
        self.entry
            .extend_from_slice(&stored.place.line.unwrap_or(0).to_le_bytes());
        let id = stored.place.id.as_deref().unwrap_or("");
        self.entry
            .extend_from_slice(&(id.len() as u32).to_le_bytes());
        self.entry.extend_from_slice(id.as_bytes());
        self.entry.extend_from_slice(stored.place.path.as_bytes());
        self.places.write_all(&self.entry)?;
        let end = self.place_offsets[self.place_offsets.len() - 1] + self.entry.len() as u64;
        self.place_offsets.push(end);
        Ok(())
    }

    /// Writes the segment to `out`, from its start.
    pub fn finish(mut self, out: &File) -> io::Result<Written> {
        let mut out = out;
        use std::io::{Seek, SeekFrom};
        self.exact.sort_unstable();
        self.bands.sort_unstable();
        let (exact_bits, band_bits) = (
            directory_bits(self.exact.len()),
            directory_bits(self.bands.len()),
        );
        let documents = self.exact.len() as u64;
        let set_bytes = self.set_offsets[self.set_offsets.len() - 1] * 4;
        let place_bytes = self.place_offsets[self.place_offsets.len() - 1];
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&SEGMENT_FORMAT.to_le_bytes());
        header.extend_from_slice(&(HEADER as u32).to_le_bytes());
        for n in [
            documents,
            self.bands.len() as u64,
            set_bytes / 4,
            place_bytes,
        ] {
            header.extend_from_slice(&n.to_le_bytes());
        }
        header.extend_from_slice(&exact_bits.to_le_bytes());
        header.extend_from_slice(&band_bits.to_le_bytes());
        // The header goes last, once its checksums are known.
        out.seek(SeekFrom::Start(HEADER as u64))?;
        let mut writer = Hashing::new(BufWriter::with_capacity(1 << 20, out));
        writer.hasher.update(&header);
        for (key, doc) in self.exact.iter().chain(&self.bands) {
            writer.write_all(&key.to_le_bytes())?;
            writer.write_all(&doc.to_le_bytes())?;
        }
        let directories = directory(&self.exact, exact_bits)
            .into_iter()
            .chain(directory(&self.bands, band_bits));
        for offset in directories
            .chain(self.set_offsets.iter().copied())
            .chain(self.place_offsets.iter().copied())
        {
            writer.write_all(&offset.to_le_bytes())?;
        }
        let checksum = writer.hasher.digest();
        writer.hasher = Xxh3::new();
        for payload in [self.sets, self.places] {
            let mut file = payload.into_inner().map_err(|e| e.into_error())?;
            file.seek(SeekFrom::Start(0))?;
            io::copy(&mut file, &mut writer)?;
        }
        let Hashing { mut inner, hasher } = writer;
        let payload = hasher.digest();
        inner.flush()?;
        drop(inner);
        header.extend_from_slice(&checksum.to_le_bytes());
        header.extend_from_slice(&payload.to_le_bytes());
        header.extend_from_slice(&0u64.to_le_bytes());
        out.seek(SeekFrom::Start(0))?;
        out.write_all(&header)?;
        let bytes = out.seek(SeekFrom::End(0))?;
        Ok(Written {
            documents,
            bytes,
            checksum,
        })
    }
}

/// A writer that hashes what goes through it.
struct Hashing<W> {
    inner: W,
    hasher: Xxh3,
}

impl<W: Write> Hashing<W> {
    fn new(inner: W) -> Hashing<W> {
        Hashing {
            inner,
            hasher: Xxh3::new(),
        }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Bits of the directory of a table of `entries` keys: buckets of about
/// [`BUCKET`] entries.
fn directory_bits(entries: usize) -> u32 {
    let buckets = entries.div_ceil(BUCKET).max(1);
    buckets.next_power_of_two().trailing_zeros().min(MAX_BITS)
}

/// The bucket of `key` in a directory of `bits` bits: its top bits.
fn bucket(key: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (key >> (64 - bits)) as usize
    }
}

/// For each bucket `i` in `0..=2^bits`, the index of the first entry of
/// sorted `table` in a bucket `>= i`.
fn directory(table: &[(u64, u32)], bits: u32) -> Vec<u64> {
    let buckets = 1usize << bits;
    let mut out = Vec::with_capacity(buckets + 1);
    let mut at = 0;
    for i in 0..=buckets {
        while at < table.len() && bucket(table[at].0, bits) < i {
            at += 1;
        }
        out.push(at as u64);
    }
    out
}

/// The tables checksum of the segment file `file`, read through a buffer.
fn tables_checksum(file: &File, tables_end: usize) -> io::Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file;
    let mut hasher = Xxh3::new();
    let mut buffer = vec![0u8; 1 << 20];
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut buffer[..HEADER])?;
    hasher.update(&buffer[..CHECKED_HEADER]);
    let mut left = tables_end - HEADER;
    while left > 0 {
        let chunk = left.min(buffer.len());
        file.read_exact(&mut buffer[..chunk])?;
        hasher.update(&buffer[..chunk]);
        left -= chunk;
    }
    Ok(hasher.digest())
}

fn payload_checksum(sets: &[u8], places: &[u8]) -> u64 {
    let mut hasher = Xxh3::new();
    hasher.update(sets);
    hasher.update(places);
    hasher.digest()
}

/// Where a sorted table and its directory sit in the file.
#[derive(Debug)]
struct Table {
    entries: Range<usize>,
    directory: usize,
    bits: u32,
}

/// A segment file, mapped read-only.
#[derive(Debug)]
pub struct Segment {
    path: PathBuf,
    /// The file, for the shingle sets and places, read with positioned
    /// reads rather than through the map: they are most of the file, and
    /// pages read through a map count as the process's memory.
    file: File,
    map: Mmap,
    documents: usize,
    exact: Table,
    bands: Table,
    set_offsets: usize,
    place_offsets: usize,
    sets: Range<usize>,
    places: Range<usize>,
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

impl Segment {
    /// Maps the segment at `path` and checks its header, length and tables
    /// against the `checksum` the manifest recorded.
    pub fn open(path: &Path, checksum: u64) -> Result<Segment, IndexError> {
        let corrupt = |reason: String| IndexError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        let file = File::open(path).map_err(|e| IndexError::io(path, e))?;
        // SAFETY: segment files are never written after they are renamed
        // into place (adding makes new files; nothing rewrites one), and the
        // map is read-only; every read below is bounds checked.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| IndexError::io(path, e))?;
        if map.len() < HEADER {
            return Err(corrupt(format!(
                "truncated: {} bytes, shorter than a segment header",
                map.len()
            )));
        }
        if &map[..8] != MAGIC {
            return Err(corrupt("not a doppel index segment (bad magic)".into()));
        }
        let version = u32_at(&map, 8);
        if version != SEGMENT_FORMAT {
            return Err(IndexError::Version {
                path: path.to_path_buf(),
                found: version,
                expected: SEGMENT_FORMAT,
            });
        }
        let counts: Vec<u64> = (0..4).map(|i| u64_at(&map, 16 + 8 * i)).collect();
        let (documents, bands, hashes, place_bytes) = (counts[0], counts[1], counts[2], counts[3]);
        let (exact_bits, band_bits) = (u32_at(&map, 48), u32_at(&map, 52));
        if exact_bits > MAX_BITS || band_bits > MAX_BITS {
            return Err(corrupt("damaged header: directory too large".into()));
        }
        let directory_entries = (1usize << exact_bits) + (1usize << band_bits) + 2;
        let expected = (HEADER as u128)
            + 12 * u128::from(documents)
            + 12 * u128::from(bands)
            + 8 * directory_entries as u128
            + 16 * (u128::from(documents) + 1)
            + 4 * u128::from(hashes)
            + u128::from(place_bytes);
        if expected != map.len() as u128 {
            return Err(corrupt(format!(
                "truncated or damaged: {} bytes where its header says {expected}",
                map.len()
            )));
        }
        // Every count fits: together they are the file's length.
        let documents = documents as usize;
        let exact = HEADER..HEADER + ENTRY * documents;
        let bands = exact.end..exact.end + ENTRY * bands as usize;
        let exact_directory = bands.end;
        let band_directory = exact_directory + 8 * ((1 << exact_bits) + 1);
        let set_offsets = band_directory + 8 * ((1 << band_bits) + 1);
        let place_offsets = set_offsets + 8 * (documents + 1);
        let sets = place_offsets + 8 * (documents + 1)
            ..place_offsets + 8 * (documents + 1) + 4 * hashes as usize;
        let places = sets.end..map.len();
        let found = tables_checksum(&file, sets.start).map_err(|e| IndexError::io(path, e))?;
        if found != u64_at(&map, 56) {
            return Err(corrupt("checksum mismatch in its header or tables".into()));
        }
        if found != checksum {
            return Err(corrupt(format!(
                "checksum {found:016x} differs from the manifest's {checksum:016x}"
            )));
        }
        // Lookups land anywhere in the tables: no read-ahead.
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Random);
        Ok(Segment {
            path: path.to_path_buf(),
            file,
            map,
            documents,
            exact: Table {
                entries: exact,
                directory: exact_directory,
                bits: exact_bits,
            },
            bands: Table {
                entries: bands,
                directory: band_directory,
                bits: band_bits,
            },
            set_offsets,
            place_offsets,
            sets,
            places,
        })
    }

    /// Documents stored in the segment.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Size of the segment file.
    pub fn bytes(&self) -> usize {
        self.map.len()
    }

    /// Where the segment file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Documents of `table` whose key is `key`, in order: the key's
    /// bucket read from the directory, then binary-searched.
    fn lookup(&self, table: &Table, key: u64) -> impl Iterator<Item = u32> + '_ {
        let entries = &self.map[table.entries.clone()];
        let len = entries.len() / ENTRY;
        let at = table.directory + 8 * bucket(key, table.bits);
        // A damaged directory gives a wrong bucket, never a read past the
        // table: both ends are clamped.
        let high = (u64_at(&self.map, at + 8).min(len as u64)) as usize;
        let low = (u64_at(&self.map, at).min(high as u64)) as usize;
        let key_at = |i: usize| u64_at(entries, i * ENTRY);
        let (mut low, mut high) = (low, high);
        while low < high {
            let mid = low + (high - low) / 2;
            if key_at(mid) < key {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        (low..len)
            .take_while(move |&i| key_at(i) == key)
            .map(move |i| u32_at(entries, i * ENTRY + 8))
    }

    /// Documents whose exact hash is `hash`, first first.
    pub fn exact_docs(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        self.lookup(&self.exact, hash)
    }

    /// Documents that have the band key `key`, first first.
    pub fn band_docs(&self, key: u64) -> impl Iterator<Item = u32> + '_ {
        self.lookup(&self.bands, key)
    }

    /// The byte range `offsets[doc]..offsets[doc + 1]` of a payload, checked.
    fn span(
        &self,
        table: usize,
        doc: u32,
        unit: usize,
        within: &Range<usize>,
    ) -> io::Result<Range<usize>> {
        let doc = doc as usize;
        if doc >= self.documents {
            return Err(self.damaged("a document number past the end"));
        }
        let start = u64_at(&self.map, table + 8 * doc);
        let end = u64_at(&self.map, table + 8 * (doc + 1));
        let size = (within.end - within.start) as u64;
        if start > end || end.saturating_mul(unit as u64) > size {
            return Err(self.damaged("offsets out of order or past the end"));
        }
        Ok(within.start + start as usize * unit..within.start + end as usize * unit)
    }

    /// Bytes `span` of the file, read at their place.
    fn read(&self, span: Range<usize>) -> io::Result<Vec<u8>> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            let mut bytes = vec![0u8; span.len()];
            self.file.read_exact_at(&mut bytes, span.start as u64)?;
            Ok(bytes)
        }
        #[cfg(not(unix))]
        Ok(self.map[span].to_vec())
    }

    /// Lets the operating system take back the pages of the map read so
    /// far: they are read again from the file when next needed, so a long
    /// run of lookups holds a bounded part of the tables in memory.
    pub fn release_pages(&self) {
        // SAFETY: the map is a read-only, shared map of a file that is
        // never written after it is renamed into place; dropping its pages
        // only makes the next read fault them in again from the file, with
        // the same bytes. No reference into the map outlives a lookup.
        #[cfg(unix)]
        unsafe {
            let _ = self
                .map
                .unchecked_advise(memmap2::UncheckedAdvice::DontNeed);
        }
    }

    fn damaged(&self, what: &str) -> io::Error {
        io::Error::other(format!(
            "{}: damaged index segment: {what}",
            self.path.display()
        ))
    }

    /// The size of the document's shingle set, read from the offsets table
    /// alone: enough to rule out a candidate whose size alone keeps its
    /// Jaccard similarity below the threshold, without reading its set.
    pub fn set_len(&self, doc: u32) -> io::Result<usize> {
        let span = self.span(self.set_offsets, doc, 4, &self.sets)?;
        Ok(span.len() / 4)
    }

    /// The document's shingle set (empty for an exact twin), read from the
    /// file.
    pub fn set(&self, doc: u32) -> io::Result<Vec<u32>> {
        let span = self.span(self.set_offsets, doc, 4, &self.sets)?;
        Ok(self
            .read(span)?
            .chunks_exact(4)
            .map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
            .collect())
    }

    /// Where the document came from.
    pub fn place(&self, doc: u32) -> io::Result<Place> {
        let span = self.span(self.place_offsets, doc, 1, &self.places)?;
        let entry = &self.read(span)?;
        if entry.len() < 12 {
            return Err(self.damaged("a place entry too short"));
        }
        let line = u64_at(entry, 0);
        let id_len = u32_at(entry, 8) as usize;
        let rest = &entry[12..];
        if id_len > rest.len() {
            return Err(self.damaged("an id past its entry"));
        }
        let text = |bytes: &[u8]| {
            std::str::from_utf8(bytes)
                .map(str::to_owned)
                .map_err(|_| self.damaged("a place that is not UTF-8"))
        };
        let id = text(&rest[..id_len])?;
        let path = text(&rest[id_len..])?;
        Ok(Place {
            path,
            line: (line > 0).then_some(line),
            id: (line > 0).then_some(id),
        })
    }

    /// Checks the shingle sets and places against the payload checksum.
    pub fn verify_payload(&self) -> Result<(), IndexError> {
        if payload_checksum(&self.map[self.sets.clone()], &self.map[self.places.clone()])
            != u64_at(&self.map, 64)
        {
            return Err(IndexError::Corrupt {
                path: self.path.clone(),
                reason: "checksum mismatch in its shingle sets or places".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(exact: u64, bands: &[u64], set: &[u32], line: Option<u64>) -> StoredDoc {
        StoredDoc {
            exact,
            bands: bands.to_vec(),
            set: set.to_vec(),
            place: Place {
                path: "shard/文書.jsonl".into(),
                line,
                id: line.map(|l| format!("id-{l}")),
            },
        }
    }

    fn written(docs: &[StoredDoc]) -> (tempfile::TempDir, PathBuf, Written) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg-000001.dseg");
        let mut builder = SegmentBuilder::new(dir.path()).unwrap();
        for doc in docs {
            builder.push(doc).unwrap();
        }
        assert_eq!(builder.documents(), docs.len());
        let file = File::create(&path).unwrap();
        let written = builder.finish(&file).unwrap();
        assert_eq!(written.bytes, std::fs::metadata(&path).unwrap().len());
        (dir, path, written)
    }

    #[test]
    fn a_segment_reads_back_what_was_written() {
        let docs = [
            doc(7, &[100, 200], &[1, 2, 3], Some(4)),
            doc(5, &[200, 300], &[2, 3, 9], None),
            doc(7, &[100, 200], &[1, 2, 3], Some(9)),
        ];
        let (_dir, path, written) = written(&docs);
        let segment = Segment::open(&path, written.checksum).unwrap();
        assert_eq!(segment.documents(), 3);
        assert_eq!(segment.exact_docs(7).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(segment.exact_docs(6).count(), 0);
        assert_eq!(segment.band_docs(200).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(
            segment.band_docs(100).collect::<Vec<_>>(),
            [0],
            "twins add no bands"
        );
        assert_eq!(segment.set(1).unwrap(), [2, 3, 9]);
        assert!(segment.set(2).unwrap().is_empty());
        assert_eq!(segment.place(0).unwrap(), docs[0].place);
        assert_eq!(segment.place(1).unwrap().to_string(), "shard/文書.jsonl");
        assert_eq!(segment.place(2).unwrap().to_string(), "shard/文書.jsonl:9");
        assert!(segment.set(3).is_err());
        segment.verify_payload().unwrap();
    }

    #[test]
    fn directories_find_every_key_of_a_large_segment() {
        let key = |i: u64| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes());
        let docs: Vec<StoredDoc> = (0..3000)
            .map(|i| doc(key(i), &[key(i + 1_000_000), key(i % 7)], &[i as u32], None))
            .collect();
        assert_eq!(directory_bits(0), 0);
        assert_eq!(directory_bits(32), 0);
        assert_eq!(directory_bits(33), 1);
        assert_eq!(directory_bits(3000), 7);
        let (_dir, path, written) = written(&docs);
        let segment = Segment::open(&path, written.checksum).unwrap();
        for i in 0..3000u64 {
            assert_eq!(segment.exact_docs(key(i)).collect::<Vec<_>>(), [i as u32]);
            assert_eq!(
                segment.band_docs(key(i + 1_000_000)).collect::<Vec<_>>(),
                [i as u32]
            );
        }
        assert_eq!(segment.band_docs(key(3)).count(), 3000 / 7 + 1);
        assert_eq!(segment.exact_docs(key(5000)).count(), 0);
        assert_eq!(segment.exact_docs(0).count(), 0);
        assert_eq!(segment.exact_docs(u64::MAX).count(), 0);
    }

    #[test]
    fn truncated_or_damaged_segments_are_refused_by_name() {
        let docs = [doc(1, &[10], &[1, 2], Some(1)), doc(2, &[20], &[3], None)];
        let (_dir, path, written) = written(&docs);
        let bytes = std::fs::read(&path).unwrap();
        let refused = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            Segment::open(&path, written.checksum)
                .expect_err("refused")
                .to_string()
        };
        let message = refused(&bytes[..bytes.len() - 1]);
        assert!(
            message.contains("seg-000001.dseg") && message.contains("truncated"),
            "{message}"
        );
        assert!(refused(&bytes[..10]).contains("truncated"));
        let mut damaged = bytes.clone();
        damaged[HEADER + 3] ^= 1;
        assert!(refused(&damaged).contains("checksum mismatch"));
        let mut version = bytes.clone();
        version[8] = 9;
        assert!(refused(&version).contains("format version 9"));
        std::fs::write(&path, &bytes).unwrap();
        let other = Segment::open(&path, written.checksum ^ 1).expect_err("refused");
        assert!(
            other.to_string().contains("differs from the manifest"),
            "{other}"
        );
        let mut payload = bytes;
        let last = payload.len() - 1;
        payload[last] ^= 1;
        std::fs::write(&path, &payload).unwrap();
        let segment = Segment::open(&path, written.checksum).expect("tables intact");
        assert!(segment.verify_payload().is_err());
    }
}
