//! `doppel.Settings`: what the engine compares and how, checked when made,
//! picklable so that Ray and Spark can ship it to their workers.

use doppel::{ConfigError, Engine, EngineBuilder, Findings, Granularity, ShingleConfig};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// The command line's `--threshold` default.
const DEFAULT_THRESHOLD: f64 = doppel::DEFAULT_THRESHOLD;
/// The command line's `--shingle` default.
const DEFAULT_SHINGLE: &str = "chars:5";

/// How doppel segments, shingles and compares texts.
///
/// Every argument is keyword-only and checked here: a value out of range
/// raises ``ValueError`` naming it. The defaults are the command line's,
/// so signatures made here cluster with ``doppel sign``'s.
///
/// Args:
///     granularity: the unit of comparison: ``"auto"`` (paragraphs, or
///         lines for text without blank lines), ``"paragraph"``, ``"line"``
///         or ``"sentence"``.
///     threshold: Jaccard similarity of shingle sets from which two
///         documents (or segments) are near duplicates, in (0, 1].
///     min_units: smallest block reported inside a document, in units (CJK
///         characters or words), at least 1.
///     shingle: how text is cut into shingles, as the command line's
///         ``--shingle``: ``"chars:N"`` (N characters, spaces between words
///         included), ``"words:N"`` (N words, or N Han, kana or Hangul
///         characters), or per script ``"spaced=chars:5,cjk=chars:4"``;
///         N from 1 to 32.
#[pyclass(module = "doppel", eq, from_py_object)]
#[derive(Clone, Debug)]
pub struct Settings {
    #[pyo3(get)]
    granularity: String,
    #[pyo3(get)]
    threshold: f64,
    #[pyo3(get)]
    min_units: usize,
    /// The shingling, written in full (``spaced=…,cjk=…``).
    #[pyo3(get)]
    shingle: String,
    /// The engine these settings make, built once when they are made.
    engine: Engine,
}

impl PartialEq for Settings {
    /// Equal when made with equal arguments (the engine follows from them).
    fn eq(&self, other: &Settings) -> bool {
        (
            &self.granularity,
            self.threshold,
            self.min_units,
            &self.shingle,
        ) == (
            &other.granularity,
            other.threshold,
            other.min_units,
            &other.shingle,
        )
    }
}

impl Settings {
    fn make(
        granularity: &str,
        threshold: f64,
        min_units: i64,
        shingle: &str,
    ) -> PyResult<Settings> {
        let count = |name: &str, value: i64| {
            usize::try_from(value)
                .map_err(|_| PyValueError::new_err(format!("{name}: {value} is less than 1")))
        };
        let min_units = count("min_units", min_units)?;
        let shingles: ShingleConfig = shingle
            .parse()
            .map_err(|err: String| PyValueError::new_err(format!("shingle: {err}")))?;
        let parsed: Granularity = granularity
            .parse()
            .map_err(|err: String| PyValueError::new_err(format!("granularity: {err}")))?;
        let engine = EngineBuilder::new()
            .granularity(parsed)
            .threshold(threshold)
            .min_units(min_units)
            .shingles(shingles)
            .build()
            .map_err(config_error)?;
        Ok(Settings {
            granularity: granularity.to_owned(),
            threshold,
            min_units,
            shingle: shingles.to_string(),
            engine,
        })
    }

    /// How Python shows these settings.
    pub fn repr(&self) -> String {
        format!(
            "Settings(granularity={:?}, threshold={}, min_units={}, shingle={:?})",
            self.granularity,
            float_repr(self.threshold),
            self.min_units,
            self.shingle
        )
    }

    /// The engine for everything but corpus scans.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// An engine that looks for `find` in a corpus.
    pub fn engine_finding(&self, find: Findings) -> PyResult<Engine> {
        let shingles: ShingleConfig = self.shingle.parse().map_err(PyValueError::new_err)?;
        EngineBuilder::new()
            .granularity(self.granularity.parse().map_err(PyValueError::new_err)?)
            .threshold(self.threshold)
            .min_units(self.min_units)
            .shingles(shingles)
            .find(find)
            .build()
            .map_err(config_error)
    }

    /// The settings `settings` names, or the defaults.
    pub fn or_default(settings: Option<Settings>) -> PyResult<Settings> {
        match settings {
            Some(settings) => Ok(settings),
            None => Settings::make("auto", DEFAULT_THRESHOLD, 10, DEFAULT_SHINGLE),
        }
    }
}

/// A setting the core refused, named as the Python argument is.
fn config_error(err: ConfigError) -> PyErr {
    let message = err.to_string();
    let message = match message.split_once(": ") {
        Some(("shingles.cjk" | "shingles.spaced", _)) => format!("shingle: {message}"),
        _ => message,
    };
    PyValueError::new_err(message)
}

#[pymethods]
impl Settings {
    #[new]
    #[pyo3(signature = (*, granularity = "auto", threshold = DEFAULT_THRESHOLD, min_units = 10, shingle = DEFAULT_SHINGLE))]
    fn new(granularity: &str, threshold: f64, min_units: i64, shingle: &str) -> PyResult<Settings> {
        Settings::make(granularity, threshold, min_units, shingle)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }

    /// The settings as keyword arguments: ``Settings(**s.as_dict())`` is ``s``.
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("granularity", &self.granularity)?;
        dict.set_item("threshold", self.threshold)?;
        dict.set_item("min_units", self.min_units)?;
        dict.set_item("shingle", &self.shingle)?;
        Ok(dict)
    }

    /// The parameters signatures made with these settings carry, as JSON
    /// (the ``doppel.sketch_params`` metadata of a signature table).
    fn sketch_params(&self) -> String {
        serde_json::to_string(&self.engine.sketch_params()).unwrap_or_default()
    }

    /// Pickled as the keyword arguments that make it again, so a worker
    /// checks them as the driver did.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.borrow();
        let rebuild = py
            .import("doppel._doppel")?
            .getattr("_settings_from_dict")?;
        Ok((rebuild, PyTuple::new(py, [this.as_dict(py)?])?))
    }
}

/// `Settings(**kwargs)` for unpickling (keyword-only arguments cannot be
/// given by `__reduce__` directly).
#[pyfunction]
fn _settings_from_dict(kwargs: &Bound<'_, PyDict>) -> PyResult<Settings> {
    let get = |key: &str| kwargs.get_item(key);
    let granularity: String = match get("granularity")? {
        Some(value) => value.extract()?,
        None => "auto".to_owned(),
    };
    let number = |key: &str, default: i64| -> PyResult<i64> {
        match get(key)? {
            Some(value) => value.extract(),
            None => Ok(default),
        }
    };
    let threshold: f64 = match get("threshold")? {
        Some(value) => value.extract()?,
        None => DEFAULT_THRESHOLD,
    };
    let shingle: String = match get("shingle")? {
        Some(value) => value.extract()?,
        None => DEFAULT_SHINGLE.to_owned(),
    };
    Settings::make(&granularity, threshold, number("min_units", 10)?, &shingle)
}

/// A float as Python writes it (`0.8`, `1.0`).
fn float_repr(value: f64) -> String {
    if value.fract() == 0.0 && value.is_finite() {
        format!("{value:.1}")
    } else {
        format!("{value}")
    }
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Settings>()?;
    module.add_function(wrap_pyfunction!(_settings_from_dict, module)?)?;
    Ok(())
}
