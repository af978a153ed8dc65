//! Index folders: opening, querying, verifying and adding to them.
//!
//! The input is an index folder's `manifest.json` and one segment file
//! (framed as `doppel_fuzz::index_input` says), written into a fresh
//! folder. The manifest and the segment header hold the segment's
//! checksums, so each input is tried as it is and, when the segment's
//! header gives its length, with its checksums and document count made to
//! match. Invariants, for each: `Index::open` never panics, and a refusal
//! is an `IndexError` of one line naming a file in the folder; an index
//! that opens answers lookups of a few small texts (through `Against`, as
//! `scan --against` asks) without panicking, a match is a document stored in the segment and a failed
//! lookup names the segment, and `verify` (`index info --verify`) succeeds
//! or names the segment. Adding a document (`index add`) succeeds or is
//! refused naming a file in the folder; after an add, the index opens and
//! finds the added document. Nothing is written outside the folder, and
//! reading writes nothing at all.
#![no_main]

use std::io;
use std::path::Path;
use std::sync::OnceLock;

use doppel::document::Origin;
use doppel::index::format::{Place, Segment};
use doppel::index::manifest::MANIFEST_NAME;
use doppel::index::{
    stored_doc, Against, Collect, Index, IndexError, IndexWriter, ReportStored, StoredMatch,
};
use doppel::{Engine, EngineBuilder, Findings, ScannedDoc, Sink, Summary};
use doppel_fuzz::index_input::IndexInput;
use doppel_fuzz::snapshot;
use libfuzzer_sys::fuzz_target;

/// Texts looked up: some of the generated corpus (stored in the seeds),
/// some near them, some unrelated.
const TEXTS: &[&str] = &[
    "The harbour opened at dawn and the cranes began to move the first containers of the day.",
    "The harbour opened at dawn and the cranes began to move the first containers of the week.",
    "Short one.",
    "今天港口的工人在码头上装卸货物，城市的河流上有一座新的大桥。",
    "",
    "A text that no stored document is anything like, about owls and lighthouses.",
];

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        EngineBuilder::new()
            .min_units(3)
            .find(Findings::documents_only())
            .build()
            .expect("valid settings")
    })
}

fn scanned() -> &'static [ScannedDoc] {
    static SCANNED: OnceLock<Vec<ScannedDoc>> = OnceLock::new();
    SCANNED.get_or_init(|| {
        TEXTS
            .iter()
            .enumerate()
            .map(|(at, text)| engine().scan_text(Origin::Path(format!("q{at}.txt").into()), text))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    if let Some(dir) = std::env::var_os("DOPPEL_FUZZ_DUMP_SEEDS") {
        dump_seeds(Path::new(&dir));
    }
    let input = IndexInput::parse(data);
    check(&input);
    if let Some(sealed) = input.resealed().filter(|sealed| *sealed != input) {
        check(&sealed);
    }
});

fn check(input: &IndexInput) {
    let scratch = doppel_fuzz::scratch();
    let dir = scratch.path().join("index");
    std::fs::create_dir(&dir).expect("the index folder");
    let segment_path = dir.join(input.segment_name());
    std::fs::write(dir.join(MANIFEST_NAME), &input.manifest).expect("the manifest");
    std::fs::write(&segment_path, &input.segment).expect("the segment");
    let written = snapshot(scratch.path());

    let opened = match Index::open(&dir) {
        Ok(index) => {
            query(&index, &segment_path);
            true
        }
        Err(err) => {
            assert_names(&err, &dir);
            false
        }
    };
    assert!(
        snapshot(scratch.path()) == written,
        "reading the index changed its folder"
    );
    add(&dir, opened);
    let outside: Vec<_> = snapshot(scratch.path())
        .into_keys()
        .filter(|path| !path.starts_with("index"))
        .collect();
    assert!(outside.is_empty(), "written outside the index: {outside:?}");
}

/// Lookups, checks of settings, and `verify`.
fn query(index: &Index, segment_path: &Path) {
    let stored = stored_places(index, segment_path);
    let _ = index.check_params(&engine().sketch_params());
    for doc in scanned() {
        match look_up(index, doc) {
            Ok(Some(found)) => assert!(
                stored.contains(&found.stored),
                "a match with a document the segment does not hold: {found:?}"
            ),
            Ok(None) => {}
            Err(err) => {
                let message = err.to_string();
                assert!(!message.contains('\n'), "{message:?}");
                assert!(
                    message.contains(&segment_path.display().to_string()),
                    "a failed lookup that does not name the segment: {message}"
                );
            }
        }
    }
    if let Err(err) = index.verify() {
        assert_names(&err, index.dir());
    }
    let _ = (index.documents(), index.bytes(), index.leftovers());
}

/// Looks `doc` up as `scan --against` does: through an [`Against`] sink.
fn look_up(index: &Index, doc: &ScannedDoc) -> io::Result<Option<StoredMatch>> {
    let mut against = Against::new(index, Quiet);
    against.begin()?;
    against.document(doc)?;
    against.finish(&Summary::default())?;
    let (_, mut found) = against.into_parts();
    assert!(found.len() <= 1, "one document, {} matches", found.len());
    Ok(found.pop().map(|(number, found)| {
        assert_eq!(number, 0, "the match of another document");
        found
    }))
}

/// A report that keeps nothing.
struct Quiet;

impl Sink for Quiet {
    fn document(&mut self, _doc: &ScannedDoc) -> io::Result<()> {
        Ok(())
    }
}

impl ReportStored for Quiet {
    fn stored(&mut self, _origin: &Origin, _found: &StoredMatch) -> io::Result<()> {
        Ok(())
    }
}

/// The places of the documents of the index's segments that can be read.
fn stored_places(index: &Index, segment_path: &Path) -> Vec<Place> {
    let mut places = Vec::new();
    for entry in &index.manifest().segments {
        let path = index.dir().join(&entry.file);
        assert_eq!(
            path, segment_path,
            "the index opened a segment it was not given"
        );
        let segment = Segment::open(&path, entry.checksum().expect("checked by open"))
            .expect("a segment of an open index opens");
        assert_eq!(segment.documents() as u64, entry.documents, "documents");
        for doc in 0..segment.documents() {
            if let Ok(place) = segment.place(doc as u32) {
                places.push(place);
            }
        }
    }
    places
}

/// Adds one document, as `index add` does; then the index must open and
/// find it.
fn add(dir: &Path, opened: bool) {
    let params = engine().sketch_params();
    let mut writer = match IndexWriter::open(dir, &params) {
        Ok(writer) => writer,
        Err(err) => {
            assert_names(&err, dir);
            return;
        }
    };
    let added = &scanned()[0];
    let mut builder = writer.segment().expect("a segment builder");
    builder.push(&stored_doc(added)).expect("a document pushed");
    let entry = match writer.commit(builder) {
        Ok(entry) => entry,
        Err(err) => {
            assert_names(&err, dir);
            return;
        }
    };
    drop(writer);
    if !opened {
        return;
    }
    let index = match Index::open(dir) {
        Ok(index) => index,
        Err(err) => panic!("an index that opened does not open after an add: {err}"),
    };
    // Found exactly, unless an earlier segment holds the same text in a
    // damaged place.
    match look_up(&index, added) {
        Ok(Some(found)) if found.exact => {}
        Err(err) if !err.to_string().contains(&entry.file) => {}
        other => panic!("the added document is not found: {other:?}"),
    }
}

/// A refusal is one line naming a file in `dir` (or `dir` itself).
fn assert_names(err: &IndexError, dir: &Path) {
    let message = err.to_string();
    assert!(
        !message.contains('\n'),
        "a refusal of more than one line: {message:?}"
    );
    assert!(
        message.contains(&dir.display().to_string()),
        "a refusal that names no file of the index: {message}"
    );
}

/// Writes the seed inputs: today's `doppel index create` of the generated
/// corpus (its manifest and its one segment), and of each file alone.
fn dump_seeds(dir: &Path) {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        std::fs::create_dir_all(dir).expect("the seed folder");
        let inputs = doppel_fuzz::scratch();
        for (path, bytes) in doppel_fuzz::corpus::documents() {
            let path = inputs.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("a folder");
            std::fs::write(path, bytes).expect("a corpus file");
        }
        let mut sets = vec![("corpus".to_owned(), inputs.path().join("corpus"))];
        for (path, _) in doppel_fuzz::corpus::documents() {
            sets.push((path.replace('/', "-"), inputs.path().join(path)));
        }
        for (name, path) in sets {
            let scratch = doppel_fuzz::scratch();
            let index = scratch.path().join("index");
            let (entries, problems) =
                doppel::input::expand(&[path], &doppel::input::InputOptions::default());
            let problems = problems.into_iter().map(doppel::Problem::from).collect();
            let mut writer =
                IndexWriter::create(&index, engine().sketch_params()).expect("an index");
            let mut builder = writer.segment().expect("a segment builder");
            let mut collect = Collect::new(&mut builder);
            engine()
                .sign(&entries, problems, &mut collect)
                .expect("signing");
            let entry = writer.commit(builder).expect("a segment");
            drop(writer);
            let read = |name: &str| std::fs::read(index.join(name)).expect("an index file");
            let seed = IndexInput {
                manifest: read(MANIFEST_NAME),
                segment: read(&entry.file),
            };
            std::fs::write(dir.join(name), seed.to_bytes()).expect("a seed");
        }
    });
}
