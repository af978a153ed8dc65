//! (in progress)
use pyo3::prelude::*;
pub fn register(_module: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
