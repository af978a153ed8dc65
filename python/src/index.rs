//! `doppel.Index`: the persistent index of stored documents from Python
//! (see `doppel::index`): made with `Index.create`, opened with
//! `Index.open`, grown by `add` (one new segment per call, as
//! `doppel index add`), and asked by `query` which stored document each new
//! text duplicates (as `doppel scan --against` finds it).
//!
//! Errors: `OSError` (with the path) for a folder that cannot be read or
//! written, `ValueError` for a folder that is not an index, a damaged
//! index, or one made with other settings.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use doppel::document::Origin;
use doppel::index::{Against, Collect, Index as Stored, IndexError, IndexWriter, ReportStored};
use doppel::index::{Place, StoredMatch};
use doppel::{Engine, Findings, ScannedDoc, SignSink, Sink, Summary};
use pyo3::exceptions::{PyFileExistsError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;

use crate::corpus::sign_records;
use crate::settings::Settings;
use crate::text::py_repr;
use crate::texts::{ids, Texts};

/// The stored document a new text duplicates.
#[pyclass(module = "doppel", frozen, get_all)]
pub struct Match {
    /// The normalized texts are equal.
    exact: bool,
    /// Jaccard similarity of the two shingle sets (1.0 when exact).
    similarity: f64,
    /// The stored document's id (``None`` for a file stored by the
    /// command line).
    id: Option<String>,
    /// The stored document's row, from 0, as ``add`` numbered it (for a
    /// JSON Lines record stored by the command line, its line less one);
    /// ``None`` for a file.
    row: Option<u64>,
    /// Where the stored document came from: ``add``'s ``source``, or a
    /// file's path.
    source: String,
}

#[pymethods]
impl Match {
    fn __repr__(&self, py: Python<'_>) -> String {
        let place = match (&self.id, self.row) {
            (Some(id), _) => format!("id={}", py_repr(py, id)),
            (None, Some(row)) => format!("row={row}"),
            (None, None) => format!("source={}", py_repr(py, &self.source)),
        };
        format!(
            "Match({place}, exact={}, similarity={:.3})",
            if self.exact { "True" } else { "False" },
            self.similarity
        )
    }
}

impl Match {
    fn of(found: StoredMatch) -> Match {
        let Place { path, line, id } = found.stored;
        Match {
            exact: found.exact,
            similarity: found.similarity,
            id,
            row: line.map(|line| line.saturating_sub(1)),
            source: path,
        }
    }
}

/// A persistent index of documents, to find which new texts duplicate
/// stored ones: a folder of immutable segment files and a manifest, as
/// ``doppel index`` makes them (the command line and Python read each
/// other's indexes).
///
/// Make one with ``Index.create(path)``, open one with
/// ``Index.open(path)``. ``add`` stores a batch as one new segment (all or
/// nothing); ``query`` gives, per text, the stored document it duplicates.
/// Both work in parallel with the GIL released.
#[pyclass(module = "doppel")]
pub struct Index {
    stored: Stored,
    settings: Settings,
}

/// Documents scanned and looked up at a time by `query`, so that a large
/// batch does not hold every scanned text at once.
const QUERY_CHUNK: usize = 1024;

#[pymethods]
impl Index {
    /// Makes a new index in ``path`` (a folder that does not exist or is
    /// empty) for texts compared with ``settings`` (the defaults when not
    /// given), and opens it. ``FileExistsError`` when the folder holds
    /// anything, another ``OSError`` when it cannot be made.
    #[staticmethod]
    #[pyo3(signature = (path, settings=None))]
    fn create(py: Python<'_>, path: PathBuf, settings: Option<Settings>) -> PyResult<Index> {
        let settings = Settings::or_default(settings)?;
        let params = signing_engine(&settings)?.sketch_params();
        let stored = py
            .detach(|| {
                let mut writer = IndexWriter::create(&path, params)?;
                writer.commit_empty()?;
                drop(writer);
                Stored::open(&path)
            })
            .map_err(index_error)?;
        Ok(Index { stored, settings })
    }

    /// Opens the index in ``path``. With ``settings``, refused
    /// (``ValueError`` naming every difference) unless the index was made
    /// with settings that sign texts the same way. ``OSError`` when the
    /// folder is missing or unreadable, ``ValueError`` when it is not an
    /// index or is damaged.
    #[staticmethod]
    #[pyo3(signature = (path, settings=None))]
    fn open(py: Python<'_>, path: PathBuf, settings: Option<Settings>) -> PyResult<Index> {
        std::fs::metadata(&path).map_err(|err| os_error(&path, &err))?;
        let stored = py.detach(|| Stored::open(&path)).map_err(index_error)?;
        let settings = match settings {
            Some(settings) => settings,
            None => settings_of(py, &stored)?,
        };
        stored
            .check_params(&signing_engine(&settings)?.sketch_params())
            .map_err(index_error)?;
        Ok(Index { stored, settings })
    }

    /// Stores a batch of texts (a pyarrow array or a sequence of ``str``)
    /// as one new segment, committed at once: ``ids`` (``str`` or
    /// ``int``) name them, else their rows, numbered on from the
    /// documents already stored; ``source`` is the place matches name.
    /// Gives the number of documents added.
    #[pyo3(signature = (texts, ids=None, *, source="<memory>"))]
    fn add(
        &mut self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        ids: Option<&Bound<'_, PyAny>>,
        source: &str,
    ) -> PyResult<usize> {
        let texts = Texts::from_python(texts, "texts")?;
        let first_row = usize::try_from(self.stored.documents()).unwrap_or(usize::MAX);
        let names = self::ids(ids, texts.len(), first_row)?;
        let engine = signing_engine(&self.settings)?;
        let dir = self.stored.dir().to_path_buf();
        let source: Arc<Path> = Arc::from(Path::new(source));
        let (added, stored) = py
            .detach(|| {
                // The index records 1-based lines (0 is a whole file): row
                // `r` is stored as line `r + 1`.
                let signed = sign_records(&engine, &texts.rows(), names, &source, first_row + 1);
                let mut writer = IndexWriter::open(&dir, &engine.sketch_params())?;
                let mut builder = writer.segment()?;
                let mut collect = Collect::new(&mut builder);
                for doc in signed {
                    collect.document(doc).map_err(|err| IndexError::Io {
                        path: dir.clone(),
                        source: err,
                    })?;
                }
                let added = builder.documents();
                if added > 0 {
                    writer.commit(builder)?;
                }
                drop(writer);
                Ok::<_, IndexError>((added, Stored::open(&dir)?))
            })
            .map_err(index_error)?;
        self.stored = stored;
        Ok(added)
    }

    /// For each text (a pyarrow array or a sequence of ``str``), the
    /// stored document it duplicates, or ``None``: an exact duplicate
    /// first, else the first near duplicate verified at the index's
    /// threshold, as ``doppel scan --against`` finds it.
    fn query(&self, py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<Vec<Option<Match>>> {
        let texts = Texts::from_python(texts, "texts")?;
        let engine = signing_engine(&self.settings)?;
        let stored = &self.stored;
        let found = py
            .detach(|| {
                let rows = texts.rows();
                let mut found: Vec<Option<StoredMatch>> = vec![None; rows.len()];
                for (chunk, first) in rows.chunks(QUERY_CHUNK).zip((0..).step_by(QUERY_CHUNK)) {
                    let scanned: Vec<ScannedDoc> = chunk
                        .par_iter()
                        .map(|text| engine.scan_text(Origin::Stdin, text))
                        .collect();
                    let mut against = Against::new(stored, Unreported);
                    for doc in &scanned {
                        against.document(doc)?;
                    }
                    against.finish(&Summary::default())?;
                    for (number, matched) in against.into_parts().1 {
                        found[first + number as usize] = Some(matched);
                    }
                }
                Ok::<_, io::Error>(found)
            })
            .map_err(|err| {
                PyValueError::new_err(format!("{}: {err}", self.stored.dir().display()))
            })?;
        Ok(found.into_iter().map(|m| m.map(Match::of)).collect())
    }

    /// Reads every segment whole and checks it against its checksum;
    /// ``ValueError`` naming the damaged file.
    fn verify(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.stored.verify()).map_err(index_error)
    }

    /// Documents stored.
    #[getter]
    fn documents(&self) -> u64 {
        self.stored.documents()
    }

    /// Segment files: one per ``add`` that stored documents.
    #[getter]
    fn segments(&self) -> usize {
        self.stored.manifest().segments.len()
    }

    /// The index folder.
    #[getter]
    fn path(&self) -> PathBuf {
        self.stored.dir().to_path_buf()
    }

    /// The settings texts are signed and compared with (``min_units``,
    /// which the index does not record, is the default unless given to
    /// ``open``).
    #[getter]
    fn settings(&self) -> Settings {
        self.settings.clone()
    }

    /// The parameters recorded in the index (its manifest's), as a dict.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let json = serde_json::to_string(self.stored.params())
            .map_err(|err| PyValueError::new_err(err.to_string()))?;
        py.import("json")?.call_method1("loads", (json,))
    }

    /// Files in the folder that the index does not list: leftovers of an
    /// interrupted add, removed by the next ``add``.
    #[getter]
    fn leftovers(&self) -> Vec<String> {
        self.stored.leftovers().to_vec()
    }

    fn __len__(&self) -> usize {
        usize::try_from(self.stored.documents()).unwrap_or(usize::MAX)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Index({}, {} documents, {} segments)",
            py_repr(py, &self.stored.dir().display().to_string()),
            self.stored.documents(),
            self.stored.manifest().segments.len()
        )
    }
}

/// The engine that signs texts for the index: documents only, as
/// `doppel index` signs them.
fn signing_engine(settings: &Settings) -> PyResult<Engine> {
    settings.engine_finding(Findings::documents_only())
}

/// The settings an index records, as `Settings` (checked as any).
fn settings_of(py: Python<'_>, stored: &Stored) -> PyResult<Settings> {
    let params = stored.params();
    let kwargs = PyDict::new(py);
    kwargs.set_item("granularity", &params.granularity)?;
    kwargs.set_item("threshold", params.threshold)?;
    kwargs.set_item(
        "shingle",
        format!(
            "spaced={},cjk={}",
            params.spaced_shingles, params.cjk_shingles
        ),
    )?;
    py.get_type::<Settings>()
        .call((), Some(&kwargs))
        .and_then(|made| made.extract::<Settings>().map_err(PyErr::from))
        .map_err(|err| {
            PyValueError::new_err(format!(
                "{}: settings this doppel cannot use ({err})",
                stored.dir().display()
            ))
        })
}

/// Takes what `Against` reports and keeps nothing: the matches are read
/// from `Against` itself.
struct Unreported;

impl Sink for Unreported {
    fn document(&mut self, _doc: &ScannedDoc) -> io::Result<()> {
        Ok(())
    }
}

impl ReportStored for Unreported {
    fn stored(&mut self, _origin: &Origin, _found: &StoredMatch) -> io::Result<()> {
        Ok(())
    }
}

/// An I/O error on `path` as Python's `OSError` (the subclass its errno
/// calls for), with the path as its `filename`.
fn os_error(path: &Path, err: &io::Error) -> PyErr {
    let name = path.display().to_string();
    match err.raw_os_error() {
        Some(code) => {
            // Python adds the number itself: "[Errno 2] No such file…".
            let message = err.to_string();
            let message = message
                .strip_suffix(&format!(" (os error {code})"))
                .unwrap_or(&message)
                .to_owned();
            PyOSError::new_err((code, message, name))
        }
        None => PyOSError::new_err(format!("{name}: {err}")),
    }
}

fn index_error(err: IndexError) -> PyErr {
    match err {
        IndexError::Io { path, source } => os_error(&path, &source),
        IndexError::NotEmpty(_) => PyFileExistsError::new_err(err.to_string()),
        IndexError::Busy(_) => PyOSError::new_err(err.to_string()),
        IndexError::NotAnIndex(_)
        | IndexError::Version { .. }
        | IndexError::Corrupt { .. }
        | IndexError::Incompatible(_) => PyValueError::new_err(err.to_string()),
    }
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Index>()?;
    module.add_class::<Match>()?;
    Ok(())
}
