//! The `doppel` Python package's native module, `doppel._doppel`.
//!
//! Each submodule owns one part of the Python API and registers it here:
//!
//! | module | gives |
//! | --- | --- |
//! | [`settings`] | `Settings`, picklable |
//! | [`texts`] | batches of texts in: a pyarrow array, chunked array or list of `str` |
//! | [`corpus`] | `sign`, `cluster`, `Deduplicator` |
//! | [`engines`] | the map and reduce steps Ray and Spark run (`sketches`, `bucket_pairs`, `verify_pairs`, `resolve`) |
//! | [`text`] | `decode`, `diff`, `find_blocks` |
//! | [`index`] | `Index` |
//!
//! Rust works with the GIL released; no panic crosses the boundary (PyO3
//! turns one into `PanicException`, and the code returns errors instead).

mod corpus;
mod engines;
mod index;
mod settings;
mod text;
mod texts;

use pyo3::prelude::*;

#[pymodule]
fn _doppel(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    settings::register(module)?;
    corpus::register(module)?;
    engines::register(module)?;
    text::register(module)?;
    index::register(module)?;
    Ok(())
}
