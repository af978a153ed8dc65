//! Corpus work from Python: `sign` (texts to a signature table, the staged
//! format of `doppel sign`), `cluster` (signature tables or files to
//! clusters, as `doppel cluster`), and `Deduplicator` (batches of texts in,
//! clusters and keep/remove decisions out).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table};
use arrow_schema::{DataType, Field, Schema};
use doppel::document::{Document, Origin};
use doppel::signature::{
    cluster_files, ClusterOptions, ClusterSink, SignatureBatches, SignatureFile,
};
use doppel::{CorpusReport, CorpusScan, Engine, Findings, SignSink, SignedDoc};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;
use rayon::prelude::*;

use crate::settings::Settings;
use crate::texts::{ids, type_name, Texts};

/// Signs a batch of texts: one row per text, in the staged format of
/// ``doppel sign`` (see the ``doppel.signature`` documentation), as a
/// ``pyarrow.Table`` whose schema metadata carries the settings.
///
/// Each row is a ``document`` whose ``path`` is ``source``, whose
/// ``record_line`` is its row number (from ``first_row``, 0 by default) and whose
/// ``record_id`` is its id (its row number when ``ids`` is not given), so
/// that clusters name the texts. Texts are signed in parallel, with the GIL
/// released.
#[pyfunction]
#[pyo3(signature = (texts, ids=None, *, settings=None, source="<memory>", first_row=0))]
pub fn sign<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    ids: Option<&Bound<'py, PyAny>>,
    settings: Option<Settings>,
    source: &str,
    first_row: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let settings = Settings::or_default(settings)?;
    let texts = Texts::from_python(texts, "texts")?;
    let names = self::ids(ids, texts.len(), first_row)?;
    let path: Arc<Path> = Arc::from(Path::new(source));
    let (schema, batches) = py
        .detach(|| {
            let engine = settings.engine();
            let signed = sign_records(engine, &texts.rows(), names, &path, first_row);
            let mut table = SignatureBatches::new(&engine.sketch_params());
            for doc in signed {
                table.document(doc)?;
            }
            let schema = Arc::clone(table.schema());
            Ok::<_, io::Error>((schema, table.finish()?))
        })
        .map_err(|err| PyRuntimeError::new_err(err.to_string()))?;
    Table::try_new(batches, schema)
        .map_err(|err| PyRuntimeError::new_err(err.to_string()))?
        .into_pyarrow(py)
}

/// Signs texts in parallel, in order, each as a record of `source` at line
/// `first_line` plus its row, named by its id: what `sign` and
/// `Index.add` store.
pub fn sign_records(
    engine: &Engine,
    rows: &[&str],
    ids: Vec<String>,
    source: &Arc<Path>,
    first_line: usize,
) -> Vec<SignedDoc> {
    rows.par_iter()
        .zip(ids.into_par_iter())
        .enumerate()
        .map(|(at, (text, id))| {
            let origin = Origin::Record {
                path: Arc::clone(source),
                line: first_line + at,
                id,
            };
            engine.sign_document(Document::from_text(origin, (*text).to_owned()))
        })
        .collect()
}

/// A group of duplicate documents.
#[pyclass(module = "doppel", frozen, get_all, skip_from_py_object)]
#[derive(Clone, Debug)]
pub struct Cluster {
    /// Each member's id (a record's id, or ``None`` for a file).
    pub ids: Vec<Option<String>>,
    /// Each member's row number (``None`` for a file), as ``sign`` gave it.
    pub rows: Vec<Option<usize>>,
    /// Each member's source: ``sign``'s ``source``, or a file's path.
    pub sources: Vec<Option<String>>,
    /// Every member has the same normalized text.
    pub exact: bool,
    /// Lowest verified similarity between two members (1.0 when exact).
    pub similarity: f64,
}

#[pymethods]
impl Cluster {
    fn __len__(&self) -> usize {
        self.ids.len()
    }

    fn __repr__(&self) -> String {
        let names: Vec<String> = self
            .ids
            .iter()
            .zip(&self.sources)
            .map(|(id, source)| match (id, source) {
                (Some(id), _) => format!("{id:?}"),
                (None, Some(source)) => format!("{source:?}"),
                (None, None) => "<stdin>".to_owned(),
            })
            .collect();
        format!(
            "Cluster([{}], exact={}, similarity={:.3})",
            names.join(", "),
            if self.exact { "True" } else { "False" },
            self.similarity
        )
    }
}

impl Cluster {
    fn of(origins: &[&Origin], exact: bool, similarity: f64) -> Cluster {
        let mut cluster = Cluster {
            ids: Vec::new(),
            rows: Vec::new(),
            sources: Vec::new(),
            exact,
            similarity,
        };
        for origin in origins {
            let (id, row, source) = match origin {
                Origin::Record { path, line, id } => {
                    (Some(id.clone()), Some(*line), Some(origin_path(path)))
                }
                Origin::Path(path) => (None, None, Some(origin_path(path))),
                _ => (None, None, None),
            };
            cluster.ids.push(id);
            cluster.rows.push(row);
            cluster.sources.push(source);
        }
        cluster
    }
}

fn origin_path(path: &Path) -> String {
    doppel::document::escaped_path(path)
}

/// Keeps the clusters a cluster run reports.
#[derive(Default)]
struct Clusters(Vec<Cluster>);

impl ClusterSink for Clusters {
    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        for cluster in &report.clusters {
            let origins: Vec<&Origin> = cluster
                .members
                .iter()
                .filter_map(|&member| report.origins.get(member as usize))
                .collect();
            self.0
                .push(Cluster::of(&origins, cluster.exact, cluster.similarity));
        }
        Ok(())
    }
}

/// Clusters the documents of signature tables (``sign``'s, or read from
/// ``doppel sign``'s files with pyarrow) and signature files (paths), in
/// the order given, as ``doppel cluster`` does: the same clusters a scan of
/// their texts in that order would find. Every table is checked first
/// (format version, settings, columns, each row); a table that fails
/// raises ``ValueError`` naming it (``table 2``), a file ``OSError`` or
/// ``ValueError`` naming its path.
#[pyfunction]
pub fn cluster(py: Python<'_>, tables: &Bound<'_, PyAny>) -> PyResult<Vec<Cluster>> {
    let mut files = Vec::new();
    let items = tables.try_iter().map_err(|_| {
        PyValueError::new_err(format!(
            "tables: a {}, not a list of signature tables or paths",
            type_name(tables)
        ))
    })?;
    for (at, item) in items.enumerate() {
        let item = item?;
        files.push(signature_file(&item, at)?);
    }
    py.detach(|| {
        let mut found = Clusters::default();
        cluster_files(files, &ClusterOptions::default(), &mut found)?;
        Ok::<_, doppel::signature::ClusterError>(found.0)
    })
    .map_err(|err| match err {
        doppel::signature::ClusterError::Signature(err) => PyValueError::new_err(err.to_string()),
        doppel::signature::ClusterError::Io(err) => PyOSError::new_err(err.to_string()),
    })
}

/// One item of `cluster`'s list: a path to open, or a table to check.
fn signature_file(item: &Bound<'_, PyAny>, at: usize) -> PyResult<SignatureFile> {
    if item.is_instance_of::<PyString>() || item.hasattr("__fspath__")? {
        let path: PathBuf = item.extract()?;
        return SignatureFile::open(&path).map_err(|err| {
            if path.exists() {
                PyValueError::new_err(err.to_string())
            } else {
                PyOSError::new_err(err.to_string())
            }
        });
    }
    let name = PathBuf::from(format!("table {at}"));
    let table = Table::from_pyarrow_bound(item).map_err(|err| {
        PyValueError::new_err(format!(
            "table {at}: a {}, not a signature table ({err})",
            type_name(item)
        ))
    })?;
    let (batches, schema) = table.into_inner();
    SignatureFile::from_batches(&name, &schema, &batches)
        .map_err(|err| PyValueError::new_err(err.to_string()))
}

/// Finds duplicate documents among texts given in batches, and decides
/// which to keep by the rule ``doppel clean --keep first`` follows: texts
/// in the order they came, each removed when a text already kept is a
/// duplicate of it.
///
/// ``add`` scans a batch at once (in parallel, the GIL released) and
/// ``finish`` verifies the candidates and gives a ``Deduplication``. The
/// clusters are those ``doppel scan --find documents`` finds for the same
/// texts in the same order, whatever the batch sizes.
#[pyclass(module = "doppel")]
pub struct Deduplicator {
    scan: Option<CorpusScan>,
    settings: Settings,
}

#[pymethods]
impl Deduplicator {
    #[new]
    #[pyo3(signature = (settings=None))]
    fn new(settings: Option<Settings>) -> PyResult<Deduplicator> {
        let settings = Settings::or_default(settings)?;
        let engine = settings.engine_finding(Findings::documents_only())?;
        Ok(Deduplicator {
            scan: Some(engine.corpus_scan()),
            settings,
        })
    }

    /// Adds a batch of texts (a pyarrow array or a sequence of ``str``),
    /// with their ids (``str`` or ``int``; row numbers from 0 when not
    /// given).
    #[pyo3(signature = (texts, ids=None))]
    fn add(
        &mut self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        ids: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let scan = self.scan.as_mut().ok_or_else(finished)?;
        let texts = Texts::from_python(texts, "texts")?;
        let names = self::ids(ids, texts.len(), scan.documents())?;
        py.detach(|| {
            let rows = texts.rows();
            scan.add_batch(names.into_iter().zip(rows))
        })
        .map_err(|err| PyValueError::new_err(err.to_string()))?;
        Ok(())
    }

    /// Documents added so far.
    #[getter]
    fn documents(&self) -> usize {
        self.scan.as_ref().map_or(0, CorpusScan::documents)
    }

    /// The settings it compares with.
    #[getter]
    fn settings(&self) -> Settings {
        self.settings.clone()
    }

    /// Verifies the candidates and gives the clusters and a decision per
    /// document. The deduplicator takes no more texts after this.
    fn finish(&mut self, py: Python<'_>) -> PyResult<Deduplication> {
        let scan = self.scan.take().ok_or_else(finished)?;
        let findings = py
            .detach(|| scan.finish())
            .map_err(|err| PyOSError::new_err(err.to_string()))?;
        let mut clusters = Vec::with_capacity(findings.clusters.len());
        let count = findings.ids.len();
        let mut cluster_of: Vec<Option<usize>> = vec![None; count];
        for (at, cluster) in findings.clusters.iter().enumerate() {
            for &member in &cluster.members {
                if let Some(slot) = cluster_of.get_mut(member as usize) {
                    *slot = Some(at);
                }
            }
            let origins: Vec<Origin> = cluster
                .members
                .iter()
                .map(|&member| Origin::Record {
                    path: Arc::from(Path::new("<memory>")),
                    line: member as usize,
                    id: findings.id(member).unwrap_or_default().to_owned(),
                })
                .collect();
            let refs: Vec<&Origin> = origins.iter().collect();
            clusters.push(Cluster::of(&refs, cluster.exact, cluster.similarity));
        }
        // The removal rule every driver shares, keeping the first.
        let removals = findings.duplicates.in_input_order();
        let mut id = StringBuilder::new();
        let mut row = UInt64Builder::new();
        let mut keep = BooleanBuilder::new();
        let mut reason = StringBuilder::new();
        let mut duplicate_of = StringBuilder::new();
        let mut cluster = UInt64Builder::new();
        let mut similarity = Float64Builder::new();
        for (number, name) in findings.ids.iter().enumerate() {
            id.append_value(name);
            row.append_value(number as u64);
            cluster.append_option(cluster_of[number].map(|at| at as u64));
            match removals.of(number as u32) {
                Some(removed) => {
                    keep.append_value(false);
                    reason.append_value(if removed.exact {
                        "exact-duplicate"
                    } else {
                        "near-duplicate"
                    });
                    duplicate_of.append_option(findings.id(removed.twin));
                    similarity.append_value(removed.similarity);
                }
                None => {
                    keep.append_value(true);
                    reason.append_null();
                    duplicate_of.append_null();
                    similarity.append_null();
                }
            }
        }
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("row", DataType::UInt64, false),
            Field::new("keep", DataType::Boolean, false),
            Field::new("reason", DataType::Utf8, true),
            Field::new("duplicate_of", DataType::Utf8, true),
            Field::new("cluster", DataType::UInt64, true),
            Field::new("similarity", DataType::Float64, true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(id.finish()),
            Arc::new(row.finish()),
            Arc::new(keep.finish()),
            Arc::new(reason.finish()),
            Arc::new(duplicate_of.finish()),
            Arc::new(cluster.finish()),
            Arc::new(similarity.finish()),
        ];
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns)
            .map_err(|err| PyRuntimeError::new_err(err.to_string()))?;
        let decisions = Table::try_new(vec![batch], schema)
            .map_err(|err| PyRuntimeError::new_err(err.to_string()))?
            .into_pyarrow(py)?
            .unbind();
        Ok(Deduplication {
            clusters,
            decisions,
            removed: removals.removed.len(),
        })
    }

    fn __repr__(&self) -> String {
        match &self.scan {
            Some(scan) => format!(
                "Deduplicator({} documents, {})",
                scan.documents(),
                self.settings.repr()
            ),
            None => "Deduplicator(finished)".to_owned(),
        }
    }
}

fn finished() -> PyErr {
    PyValueError::new_err("this Deduplicator has finished; make a new one")
}

/// What a `Deduplicator` decided.
#[pyclass(module = "doppel", frozen, get_all)]
pub struct Deduplication {
    /// The clusters, in the order of their first members; each
    /// ``Cluster.rows`` gives the members' rows (from 0, across batches).
    pub clusters: Vec<Cluster>,
    /// One row per document, in order: ``id``, ``row``, ``keep``,
    /// ``reason`` (``exact-duplicate``: the same normalized text as the
    /// kept document; ``near-duplicate``; or null for a kept one),
    /// ``duplicate_of`` (the id of the kept document it duplicates: the
    /// kept document it is most similar to), ``cluster`` (index into
    /// ``clusters``, or null) and ``similarity`` (a removed document's
    /// verified similarity to ``duplicate_of``, null for a kept one), as a
    /// ``pyarrow.Table``.
    ///
    /// No two kept documents are duplicates, and every removed one names a
    /// kept one it duplicates, whatever the clusters' shape: a cluster's
    /// members are all duplicates of each other, and a removed document's
    /// ``duplicate_of`` may be in another cluster.
    pub decisions: Py<PyAny>,
    /// How many documents are removed (rows of ``decisions`` not kept).
    pub removed: usize,
}

#[pymethods]
impl Deduplication {
    fn __repr__(&self, py: Python<'_>) -> String {
        let rows = self
            .decisions
            .bind(py)
            .getattr("num_rows")
            .and_then(|n| n.extract::<usize>())
            .unwrap_or(0);
        format!(
            "Deduplication({rows} documents, {} clusters, {} to remove)",
            self.clusters.len(),
            self.removed
        )
    }
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(sign, module)?)?;
    module.add_function(wrap_pyfunction!(cluster, module)?)?;
    module.add_class::<Cluster>()?;
    module.add_class::<Deduplicator>()?;
    module.add_class::<Deduplication>()?;
    Ok(())
}
