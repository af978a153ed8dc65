//! The steps a distributed engine (Ray, Spark) runs to find the clusters a
//! scan would find, each on Arrow batches (see `doppel::signature::resolve`
//! for the recipe and why it gives the same answer):
//!
//! - `sketches` (map): each text's exact hash, buckets and shingle set;
//! - `bucket_pairs` (after a shuffle by bucket): each bucket's candidate
//!   pairs;
//! - `verify_pairs` (after joining pairs with their sets): similarities;
//! - `resolve` (one place, duplicates only): the clusters, and which
//!   documents go.
//!
//! Engines have no unsigned 64-bit integers (Spark) or pickle them (Ray),
//! so 64-bit values cross as `int64` with the same bits and 32-bit
//! shingles as `int32`; documents are named by any `int64` that orders them
//! as the input does.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, ListBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{make_array, Array, ArrayRef, ListArray, PrimitiveArray, RecordBatch};
use arrow_pyarrow::{FromPyArrow, IntoPyArrow};
use arrow_schema::{DataType, Field, Schema};
use doppel::document::{Document, Origin};
use doppel::signature::{
    bucket_of, bucket_pairs as pair_bucket, pair_similarity, removals, resolve as join,
    ResolvedRemoval,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use rayon::prelude::*;

use crate::settings::Settings;
use crate::texts::Texts;

/// A document name as an engine gives it, in an order-keeping `u64`.
fn to_order(name: i64) -> u64 {
    (name as u64) ^ (1 << 63)
}

fn from_order(order: u64) -> i64 {
    (order ^ (1 << 63)) as i64
}

/// The map step: for each text, its ``exact`` hash (int64), its ``units``,
/// its ``buckets`` (list<int64>: the buckets of its band keys, as
/// ``doppel.signature`` cuts them) and its ``shingles`` (list<int32>: the
/// bits of its sorted 32-bit shingle set), as a ``pyarrow.RecordBatch``.
#[pyfunction]
#[pyo3(signature = (texts, *, settings=None))]
pub fn sketches<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    settings: Option<Settings>,
) -> PyResult<Bound<'py, PyAny>> {
    let settings = Settings::or_default(settings)?;
    let texts = Texts::from_python(texts, "texts")?;
    let batch = py.detach(|| {
        let engine = settings.engine();
        let rows = texts.rows();
        let signed: Vec<_> = rows
            .par_iter()
            .map(|text| {
                engine.sign_document(Document::from_text(Origin::Stdin, (*text).to_owned()))
            })
            .collect();
        let mut exact = Int64Builder::with_capacity(signed.len());
        let mut units = Int64Builder::with_capacity(signed.len());
        let mut buckets = ListBuilder::new(Int64Builder::new());
        let mut shingles = ListBuilder::new(Int32Builder::new());
        for doc in &signed {
            exact.append_value(doc.exact as i64);
            units.append_value(doc.units.min(i64::MAX as u64) as i64);
            for &key in &doc.bands {
                buckets.values().append_value(bucket_of(key) as i64);
            }
            buckets.append(true);
            for &shingle in &doc.shingles {
                shingles.values().append_value(shingle as i32);
            }
            shingles.append(true);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(exact.finish()),
            Arc::new(units.finish()),
            Arc::new(buckets.finish()),
            Arc::new(shingles.finish()),
        ];
        RecordBatch::try_new(sketch_schema(), columns)
    });
    batch.map_err(value_error)?.into_pyarrow(py)
}

fn sketch_schema() -> Arc<Schema> {
    let list = |item: DataType| DataType::List(Arc::new(Field::new("item", item, true)));
    Arc::new(Schema::new(vec![
        Field::new("exact", DataType::Int64, false),
        Field::new("units", DataType::Int64, false),
        Field::new("buckets", list(DataType::Int64), false),
        Field::new("shingles", list(DataType::Int32), false),
    ]))
}

fn value_error(err: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(err.to_string())
}

/// An Arrow array from Python (an `Array`, or a `ChunkedArray` combined).
fn arrow_array(value: &Bound<'_, PyAny>, what: &str) -> PyResult<ArrayRef> {
    let value = if value.hasattr("combine_chunks")? && !value.hasattr("__arrow_c_array__")? {
        value.call_method0("combine_chunks")?
    } else {
        value.clone()
    };
    let data = arrow_data::ArrayData::from_pyarrow_bound(&value)
        .map_err(|err| PyTypeError::new_err(format!("{what}: not an Arrow array ({err})")))?;
    Ok(make_array(data))
}

fn int64s<'a>(array: &'a ArrayRef, what: &str) -> PyResult<&'a PrimitiveArray<Int64Type>> {
    let numbers = array
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| PyTypeError::new_err(format!("{what}: {}, not int64", array.data_type())))?;
    if numbers.null_count() > 0 {
        return Err(PyValueError::new_err(format!("{what}: a null value")));
    }
    Ok(numbers)
}

fn lists<'a>(array: &'a ArrayRef, what: &str) -> PyResult<&'a ListArray> {
    let list = array.as_list_opt::<i32>().ok_or_else(|| {
        PyTypeError::new_err(format!("{what}: {}, not a list", array.data_type()))
    })?;
    if list.null_count() > 0 || list.values().null_count() > 0 {
        return Err(PyValueError::new_err(format!(
            "{what}: a null list or value"
        )));
    }
    Ok(list)
}

/// One row of a list column of int32 shingles, as the sorted `u32` set it
/// stands for; refused unless sorted without repeats.
fn shingle_set(list: &ListArray, row: usize, what: &str) -> PyResult<Vec<u32>> {
    let values = list.value(row);
    let values = values.as_primitive_opt::<Int32Type>().ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{what}: lists of {}, not int32",
            values.data_type()
        ))
    })?;
    let set: Vec<u32> = values.values().iter().map(|&v| v as u32).collect();
    if !set.is_sorted_by(|a, b| a < b) {
        return Err(PyValueError::new_err(format!(
            "{what}[{row}]: a shingle set not sorted (as unsigned 32-bit values) or with repeats"
        )));
    }
    Ok(set)
}

/// The pairs step: ``members`` is a list<int64> array, one bucket's
/// documents per row (with repeats, in any order); gives each bucket's
/// candidate pairs as a ``pyarrow.RecordBatch`` of ``a`` and ``b``
/// (int64, ``a`` before ``b``). A pair may come from several buckets: drop
/// the repeats before verifying.
#[pyfunction]
pub fn bucket_pairs<'py>(
    py: Python<'py>,
    members: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let array = arrow_array(members, "members")?;
    let list = lists(&array, "members")?;
    let mut buckets = Vec::with_capacity(list.len());
    for row in 0..list.len() {
        let values = list.value(row);
        let values = values.as_primitive_opt::<Int64Type>().ok_or_else(|| {
            PyTypeError::new_err(format!(
                "members: lists of {}, not int64",
                values.data_type()
            ))
        })?;
        buckets.push(
            values
                .values()
                .iter()
                .map(|&v| to_order(v))
                .collect::<Vec<u64>>(),
        );
    }
    let batch = py.detach(|| {
        let pairs: Vec<(u64, u64)> = buckets
            .par_iter_mut()
            .flat_map_iter(|bucket| {
                let mut out = Vec::new();
                pair_bucket(bucket, &mut out);
                out
            })
            .collect();
        let a: PrimitiveArray<Int64Type> = pairs.iter().map(|p| from_order(p.0)).collect();
        let b: PrimitiveArray<Int64Type> = pairs.iter().map(|p| from_order(p.1)).collect();
        RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("a", DataType::Int64, false),
                Field::new("b", DataType::Int64, false),
            ])),
            vec![Arc::new(a), Arc::new(b)],
        )
    });
    batch.map_err(value_error)?.into_pyarrow(py)
}

/// The verification step: the similarity of each pair of shingle sets
/// (two list<int32> arrays of one length, as ``sketches`` gives them), as a
/// float64 ``pyarrow.Array``: exact when it reaches ``threshold``, else a
/// bound below it (all clustering needs).
#[pyfunction]
pub fn verify_pairs<'py>(
    py: Python<'py>,
    a_sets: &Bound<'py, PyAny>,
    b_sets: &Bound<'py, PyAny>,
    threshold: f64,
) -> PyResult<Bound<'py, PyAny>> {
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(PyValueError::new_err(format!(
            "threshold {threshold} is not in (0, 1]"
        )));
    }
    let (a, b) = (
        arrow_array(a_sets, "a_sets")?,
        arrow_array(b_sets, "b_sets")?,
    );
    let (a, b) = (lists(&a, "a_sets")?, lists(&b, "b_sets")?);
    if a.len() != b.len() {
        return Err(PyValueError::new_err(format!(
            "{} sets against {} sets",
            a.len(),
            b.len()
        )));
    }
    let mut pairs = Vec::with_capacity(a.len());
    for row in 0..a.len() {
        pairs.push((
            shingle_set(a, row, "a_sets")?,
            shingle_set(b, row, "b_sets")?,
        ));
    }
    let sims: PrimitiveArray<Float64Type> = py.detach(|| {
        let sims: Vec<f64> = pairs
            .par_iter()
            .map(|(a, b)| pair_similarity(a, b, threshold))
            .collect();
        sims.into_iter().collect()
    });
    sims.into_data().into_pyarrow(py)
}

/// The resolution step, in one place: ``twins`` (``doc``,
/// ``representative``: every member of an exact group but its first, with
/// the first), ``pairs`` (``a``, ``b``, ``similarity``: verified candidate
/// pairs, each once) and ``sets`` (``doc``, ``shingles``: at least the sets
/// of the documents in pairs at or above ``threshold``), each a
/// ``pyarrow.Table`` or ``RecordBatch``. Gives one row per document that
/// is in a cluster or removed, in input order: ``doc``, ``cluster`` (the
/// first member of its cluster, or null), ``keep`` (false when the removal
/// rule every driver shares removes it, keeping the first in input order),
/// ``exact`` (removed, with the same normalized text as the document it
/// duplicates), ``similarity`` (a removed document's verified similarity
/// to it, else null) and ``duplicate_of`` (that kept document, else null).
/// No two kept documents are duplicates; a cluster's members are all
/// duplicates of each other, and ``duplicate_of`` may be in another
/// cluster.
#[pyfunction]
pub fn resolve<'py>(
    py: Python<'py>,
    threshold: f64,
    twins: &Bound<'py, PyAny>,
    pairs: &Bound<'py, PyAny>,
    sets: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let column = |table: &Bound<'py, PyAny>, name: &str, what: &str| -> PyResult<ArrayRef> {
        let value = table
            .call_method1("column", (name,))
            .map_err(|_| PyValueError::new_err(format!("{what}: no column {name:?}")))?;
        arrow_array(&value, &format!("{what}.{name}"))
    };
    let twin_docs = column(twins, "doc", "twins")?;
    let twin_reps = column(twins, "representative", "twins")?;
    let (twin_docs, twin_reps) = (
        int64s(&twin_docs, "twins.doc")?,
        int64s(&twin_reps, "twins.representative")?,
    );
    let twin_list: Vec<(u64, u64)> = twin_docs
        .values()
        .iter()
        .zip(twin_reps.values().iter())
        .map(|(&doc, &rep)| (to_order(doc), to_order(rep)))
        .collect();
    let (pa, pb, ps) = (
        column(pairs, "a", "pairs")?,
        column(pairs, "b", "pairs")?,
        column(pairs, "similarity", "pairs")?,
    );
    let (pa, pb) = (int64s(&pa, "pairs.a")?, int64s(&pb, "pairs.b")?);
    let ps = ps.as_primitive_opt::<Float64Type>().ok_or_else(|| {
        PyTypeError::new_err(format!("pairs.similarity: {}, not float64", ps.data_type()))
    })?;
    let pair_list: Vec<(u64, u64, f64)> = (0..pa.len())
        .map(|row| {
            (
                to_order(pa.value(row)),
                to_order(pb.value(row)),
                ps.value(row),
            )
        })
        .collect();
    let set_docs = column(sets, "doc", "sets")?;
    let set_docs = int64s(&set_docs, "sets.doc")?;
    let set_lists = column(sets, "shingles", "sets")?;
    let set_lists = lists(&set_lists, "sets.shingles")?;
    let mut held = HashMap::with_capacity(set_docs.len());
    for row in 0..set_docs.len() {
        held.insert(
            to_order(set_docs.value(row)),
            shingle_set(set_lists, row, "sets.shingles")?,
        );
    }
    let (clusters, removed) = py
        .detach(|| {
            let removed = removals(threshold, &twin_list, &pair_list)?;
            Ok::<_, doppel::signature::ResolveError>((
                join(threshold, &twin_list, &pair_list, held)?,
                removed,
            ))
        })
        .map_err(value_error)?;
    // Every document in a cluster or removed, in input order.
    let mut rows: BTreeMap<u64, (Option<u64>, Option<ResolvedRemoval>)> = BTreeMap::new();
    for cluster in &clusters {
        for &member in &cluster.members {
            rows.entry(member).or_default().0 = Some(cluster.members[0]);
        }
    }
    for removal in removed {
        rows.entry(removal.doc).or_default().1 = Some(removal);
    }
    let mut doc = Int64Builder::new();
    let mut first = Int64Builder::new();
    let mut keep = BooleanBuilder::new();
    let mut exact = BooleanBuilder::new();
    let mut similarity = Float64Builder::new();
    let mut duplicate_of = Int64Builder::new();
    for (&name, (cluster, removal)) in &rows {
        doc.append_value(from_order(name));
        first.append_option(cluster.map(from_order));
        keep.append_value(removal.is_none());
        exact.append_value(removal.is_some_and(|r| r.exact));
        similarity.append_option(removal.map(|r| r.similarity));
        duplicate_of.append_option(removal.map(|r| from_order(r.twin)));
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("doc", DataType::Int64, false),
        Field::new("cluster", DataType::Int64, true),
        Field::new("keep", DataType::Boolean, false),
        Field::new("exact", DataType::Boolean, false),
        Field::new("similarity", DataType::Float64, true),
        Field::new("duplicate_of", DataType::Int64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(doc.finish()),
        Arc::new(first.finish()),
        Arc::new(keep.finish()),
        Arc::new(exact.finish()),
        Arc::new(similarity.finish()),
        Arc::new(duplicate_of.finish()),
    ];
    RecordBatch::try_new(schema, columns)
        .map_err(value_error)?
        .into_pyarrow(py)
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(sketches, module)?)?;
    module.add_function(wrap_pyfunction!(bucket_pairs, module)?)?;
    module.add_function(wrap_pyfunction!(verify_pairs, module)?)?;
    module.add_function(wrap_pyfunction!(resolve, module)?)?;
    Ok(())
}
