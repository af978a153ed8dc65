//! Batches of texts coming in from Python: a pyarrow `Array` or
//! `ChunkedArray` of strings (read in place, without copying), or any
//! sequence of `str`.
//!
//! Every row is checked before any work starts: a null, or a value that is
//! not a string, raises an exception naming the row, so no batch is half
//! done.

use arrow_array::cast::AsArray;
use arrow_array::{make_array, Array, ArrayRef};
use arrow_pyarrow::FromPyArrow;
use arrow_schema::DataType;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The texts of one call, by row.
pub enum Texts {
    /// Arrow string arrays, in order (the chunks of a chunked array).
    Arrow(Vec<ArrayRef>),
    /// Strings copied out of a Python sequence.
    Owned(Vec<String>),
}

impl Texts {
    /// Reads `value` as texts; `what` names the argument in messages.
    pub fn from_python(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Texts> {
        if let Some(chunks) = arrow_chunks(value)? {
            let mut arrays = Vec::with_capacity(chunks.len());
            for chunk in chunks {
                let data = arrow_data::ArrayData::from_pyarrow_bound(&chunk)?;
                let array = make_array(data);
                match array.data_type() {
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {}
                    other => {
                        return Err(PyTypeError::new_err(format!(
                            "{what}: an Arrow array of {other}, not of strings"
                        )))
                    }
                }
                arrays.push(array);
            }
            let texts = Texts::Arrow(arrays);
            texts.check_nulls(what)?;
            return Ok(texts);
        }
        if value.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(format!(
                "{what}: one str, not a batch of texts (wrap it in a list)"
            )));
        }
        let mut owned = Vec::new();
        for (row, item) in value
            .try_iter()
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "{what}: a {}, not a pyarrow array or a sequence of str",
                    type_name(value)
                ))
            })?
            .enumerate()
        {
            let item = item?;
            if item.is_none() {
                return Err(PyValueError::new_err(format!(
                    "{what}[{row}] is None, not a str"
                )));
            }
            let Ok(text) = item.cast::<PyString>() else {
                return Err(PyTypeError::new_err(format!(
                    "{what}[{row}] is a {}, not a str",
                    type_name(&item)
                )));
            };
            let text = text.to_cow().map_err(|_| {
                PyValueError::new_err(format!(
                    "{what}[{row}] is not valid Unicode (a lone surrogate)"
                ))
            })?;
            owned.push(text.into_owned());
        }
        Ok(Texts::Owned(owned))
    }

    /// Rows in all.
    pub fn len(&self) -> usize {
        match self {
            Texts::Arrow(arrays) => arrays.iter().map(|a| a.len()).sum(),
            Texts::Owned(texts) => texts.len(),
        }
    }

    /// Every row, in order (nulls were refused when read).
    pub fn rows(&self) -> Vec<&str> {
        match self {
            Texts::Owned(texts) => texts.iter().map(String::as_str).collect(),
            Texts::Arrow(arrays) => {
                let mut rows = Vec::with_capacity(self.len());
                for array in arrays {
                    match array.data_type() {
                        DataType::Utf8 => rows.extend(array.as_string::<i32>().iter().flatten()),
                        DataType::LargeUtf8 => {
                            rows.extend(array.as_string::<i64>().iter().flatten())
                        }
                        _ => rows.extend(array.as_string_view().iter().flatten()),
                    }
                }
                rows
            }
        }
    }

    fn check_nulls(&self, what: &str) -> PyResult<()> {
        if let Texts::Arrow(arrays) = self {
            let mut before = 0;
            for array in arrays {
                if let Some(nulls) = array.logical_nulls() {
                    if let Some(row) = (0..array.len()).find(|&row| nulls.is_null(row)) {
                        return Err(PyValueError::new_err(format!(
                            "{what}[{}] is null, not a string",
                            before + row
                        )));
                    }
                }
                before += array.len();
            }
        }
        Ok(())
    }
}

/// The chunks of a pyarrow `ChunkedArray`, or the array itself as one
/// chunk; `None` for anything that is not Arrow data.
fn arrow_chunks<'py>(value: &Bound<'py, PyAny>) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    if value.hasattr("__arrow_c_array__")? {
        return Ok(Some(vec![value.clone()]));
    }
    if value.hasattr("chunks")? && value.hasattr("__arrow_c_stream__")? {
        let chunks = value.getattr("chunks")?;
        return Ok(Some(chunks.try_iter()?.collect::<PyResult<Vec<_>>>()?));
    }
    Ok(None)
}

/// The name of a value's type, for messages.
pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "value".to_owned())
}

/// Optional ids, one per text: strings or integers (any sequence or Arrow
/// array), or the row numbers when none are given.
pub fn ids(
    value: Option<&Bound<'_, PyAny>>,
    count: usize,
    first_row: usize,
) -> PyResult<Vec<String>> {
    let Some(value) = value.filter(|value| !value.is_none()) else {
        return Ok((0..count)
            .map(|row| (first_row + row).to_string())
            .collect());
    };
    let value = match arrow_chunks(value)? {
        // Arrow ids of any type: as Python values.
        Some(_) => value.call_method0("to_pylist")?,
        None => value.clone(),
    };
    let mut ids = Vec::new();
    let items = value.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "ids: a {}, not a sequence of str or int",
            type_name(&value)
        ))
    })?;
    for (row, item) in items.enumerate() {
        let item = item?;
        if let Ok(text) = item.cast::<PyString>() {
            ids.push(text.to_cow()?.into_owned());
        } else if let Ok(number) = item.extract::<i128>() {
            ids.push(number.to_string());
        } else {
            return Err(PyTypeError::new_err(format!(
                "ids[{row}] is a {}, not a str or int",
                type_name(&item)
            )));
        }
    }
    if ids.len() != count {
        return Err(PyValueError::new_err(format!(
            "{} ids for {count} texts",
            ids.len()
        )));
    }
    Ok(ids)
}
