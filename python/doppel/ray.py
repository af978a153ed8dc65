"""Corpus dedup on Ray Data: ``dedup(ds)`` finds the clusters ``doppel scan
--find documents`` finds on the same documents in the same order, and
filters or annotates the dataset with them.

Importing ``doppel`` does not import Ray; importing ``doppel.ray`` does.

How the steps of ``doppel._recipe`` run here:

- *Order.* Documents are numbered in the order of the dataset: unless an
  ``order_column`` is given, the dataset is materialized once with
  ``preserve_order`` on (so its blocks keep their order), and each block
  gets the row numbers it holds, from the running count of the blocks
  before it (``Dataset.zip`` would do it but is deprecated, and would
  compute the dataset twice). The numbered dataset stays in the object
  store (spilled to disk when it does not fit) and is read twice: by the
  signature map and by the final map.
- *Signatures:* ``map_batches`` over Arrow batches of the text column.
- *Exact groups, buckets, the joins of pairs with sets:* a shuffle by a
  partition of the key (the key modulo the number of partitions), then one
  call per partition of a function that works on whole keys
  (``groupby(partition).map_groups``). Grouping by the key itself would
  call Python once per key: a bucket holds one or two documents, so that
  is millions of calls (150 s for 37,000 documents, against 10 s).
- *Resolution* on the driver, over the twins, the verified pairs and the
  sets of documents in pairs at or above the threshold.
- *Result:* ``map_batches`` over the numbered dataset with the cluster
  members' annotations (the duplicates only) in the object store.
"""

from __future__ import annotations

import itertools
from typing import Any, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import ray
import ray.data

from doppel import _recipe
from doppel._doppel import Settings


def dedup(
    ds: ray.data.Dataset,
    *,
    text_column: str = "text",
    id_column: Optional[str] = None,
    settings: Optional[Settings] = None,
    mode: str = "filter",
    order_column: Optional[str] = None,
) -> ray.data.Dataset:
    """Deduplicates the documents of ``ds`` as ``doppel scan --find
    documents`` would, documents taken in the order of ``ds``.

    Args:
        ds: the documents, one per row.
        text_column: the column holding each document's text (strings, no
            nulls).
        id_column: a column naming documents, used in
            ``doppel_duplicate_of`` and in error messages; the order key
            when ``None``.
        settings: how texts are compared (``settings.threshold`` is the
            near-duplicate threshold); the defaults when ``None``.
        mode: ``"filter"`` keeps the documents that ``doppel clean --keep
            first`` keeps (in order, each document goes when one already
            kept is its exact or near duplicate); ``"annotate"`` keeps every
            row and adds ``doppel_cluster`` (the order key of the cluster's
            first member, null outside clusters; a cluster's members are
            all duplicates of each other), ``doppel_keep``,
            ``doppel_reason`` (``"exact-duplicate"``, ``"near-duplicate"``
            or null) and ``doppel_duplicate_of`` (the id of the kept
            document it is most similar to, which may be in another
            cluster).
        order_column: an integer column that orders documents as wanted
            (unique values); when ``None``, rows are numbered in dataset
            order.

    Returns:
        A lazy ``Dataset`` with the columns of ``ds`` (plus the four
        ``doppel_`` columns in ``"annotate"`` mode).

    Raises:
        ValueError: a missing column, a null text (naming the row), a bad
            ``mode``.
        TypeError: a text column that does not hold strings.
    """
    settings = _recipe.settings_or_default(settings)
    mode = _recipe.check_mode(mode)
    names = _column_names(ds)
    for role, column in (("text_column", text_column), ("id_column", id_column), ("order_column", order_column)):
        if column is not None and column not in names:
            raise ValueError(f"{role}: no column {column!r} in the dataset (it has {names})")
    types = _column_types(ds)
    if text_column in types:
        _recipe.check_text_type(text_column, types[text_column])

    if order_column is None:
        numbered, order = _numbered(ds), _recipe.ORDER
    else:
        if order_column in types:
            _recipe.check_order_type(order_column, types[order_column])
        numbered, order = ds, order_column
    threshold = settings.threshold

    keep_columns = [text_column, order] + ([id_column] if id_column else [])
    try:
        sketches = (
            numbered.select_columns(keep_columns)
            .map_batches(
                _recipe.sketch,
                batch_format="pyarrow",
                fn_kwargs={
                    "text_column": text_column,
                    "order_column": order,
                    "id_column": id_column,
                    "settings": settings,
                },
            )
            .materialize()
        )
    except Exception as err:
        refused = _recipe.input_error(err)
        if refused is None:
            raise
        raise refused from err
    # Every shuffle has as many partitions as the signatures have blocks:
    # Ray's default (200) costs a task per partition even on a few rows.
    # Each shuffle's output is materialized before the next: with hash
    # shuffles, several chained in one execution can wait forever on each
    # other's aggregator actors when CPUs are few (seen with 2 CPUs).
    partitions = max(1, sketches.num_blocks())
    signed = (
        _by_key(sketches, "exact", _recipe.mark_representatives, partitions).materialize()
    )
    del sketches  # `signed` holds the same columns and more: free the first copy
    twins = _collect(
        signed.map_batches(_twins, batch_format="pyarrow"),
        pa.schema([("doc", pa.int64()), ("representative", pa.int64())]),
    )
    representatives = signed.map_batches(_representatives, batch_format="pyarrow")

    pairs = (
        _by_key(
            representatives.map_batches(_recipe.explode_buckets, batch_format="pyarrow"),
            "bucket",
            _recipe.bucket_pairs_of,
            partitions,
        ).materialize()
    )
    sets = representatives.map_batches(_set_rows, batch_format="pyarrow")
    by_a = _by_key(
        pairs.map_batches(_first_join_rows, batch_format="pyarrow").union(sets),
        "key",
        _recipe.attach_sets,
        partitions,
    ).materialize()
    verified = (
        _by_key(
            by_a.map_batches(_recipe.second_join_rows, batch_format="pyarrow").union(sets),
            "key",
            _recipe.attach_sets,
            partitions,
        )
        .map_batches(_recipe.verify, batch_format="pyarrow", fn_kwargs={"threshold": threshold})
        .materialize()
    )
    # Only the pairs at or above the threshold go to the driver: the others
    # change no decision (see `doppel::signature::resolve`).
    pair_table = _collect(
        verified.map_batches(
            _recipe.close_pairs, batch_format="pyarrow", fn_kwargs={"threshold": threshold}
        ),
        pa.schema([("a", pa.int64()), ("b", pa.int64()), ("similarity", pa.float64())]),
    )
    close = verified.map_batches(
        _recipe.sets_at_threshold, batch_format="pyarrow", fn_kwargs={"threshold": threshold}
    )
    close_sets = _collect(
        _by_key(close, "doc", _recipe.distinct_sets, partitions),
        _recipe.SET_SCHEMA,
    )
    members = _recipe.resolve_clusters(threshold, twins, pair_table, close_sets)

    twins = _recipe.kept_twins(members)
    if id_column is None:
        id_type = pa.int64()
        twin_ids = pa.table({"kept": twins, "kept_id": twins})
    else:
        id_type = types.get(id_column, pa.string())
        twin_ids = _collect(
            numbered.map_batches(
                _twin_ids,
                batch_format="pyarrow",
                fn_kwargs={"twins": twins, "order_column": order, "id_column": id_column},
            ),
            pa.schema([("kept", pa.int64()), ("kept_id", id_type)]),
        )
    annotations = ray.put(_recipe.annotation(members, twin_ids, id_type))

    result = numbered.map_batches(
        _finish,
        batch_format="pyarrow",
        fn_kwargs={
            "annotations": annotations,
            "order_column": order,
            "id_type": id_type,
            "mode": mode,
            "drop_order": order_column is None,
        },
    )
    return result


#: The partition column of `_by_key`'s shuffles.
_PART = "__doppel_part"


def _by_key(ds: ray.data.Dataset, key: str, fn: Any, partitions: int) -> ray.data.Dataset:
    """``fn`` applied to rows holding whole values of ``key``: the rows
    shuffled by ``key`` modulo ``partitions``, one call per partition."""
    return (
        ds.map_batches(_with_part, batch_format="pyarrow", fn_kwargs={"key": key, "partitions": partitions})
        .groupby(_PART, num_partitions=partitions)
        .map_groups(_without_part, batch_format="pyarrow", fn_kwargs={"fn": fn})
    )


def _with_part(batch: pa.Table, key: str, partitions: int) -> pa.Table:
    keys = batch.column(key).to_numpy()
    return batch.append_column(_PART, pa.array(np.mod(keys, partitions), pa.int64()))


def _without_part(rows: pa.Table, fn: Any) -> pa.Table:
    return fn(rows.drop_columns([_PART]))


def _column_names(ds: ray.data.Dataset) -> list[str]:
    schema = ds.schema()
    if schema is None:
        raise ValueError("the dataset has no schema (is it empty?)")
    return list(schema.names)


def _column_types(ds: ray.data.Dataset) -> dict[str, pa.DataType]:
    """The Arrow type of each column, where Ray knows it as one."""
    schema = ds.schema()
    out: dict[str, pa.DataType] = {}
    for name, kind in zip(schema.names, schema.types):
        if isinstance(kind, pa.DataType):
            out[name] = kind
    return out


def _numbered(ds: ray.data.Dataset) -> ray.data.Dataset:
    """``ds`` computed once in its own order (``preserve_order`` on for this
    execution), each block with the row numbers it holds in
    ``_recipe.ORDER``; the blocks stay in the object store."""
    context = getattr(ds, "context", None) or ray.data.DataContext.get_current()
    before = context.execution_options.preserve_order
    context.execution_options.preserve_order = True
    try:
        blocks = ds.to_arrow_refs()
    finally:
        context.execution_options.preserve_order = before
    counts = ray.get([_row_count.remote(block) for block in blocks])
    starts = itertools.accumulate([0] + counts[:-1])
    return ray.data.from_arrow_refs(
        [_number_rows.remote(block, start) for block, start in zip(blocks, starts)]
    )


@ray.remote
def _row_count(block: pa.Table) -> int:
    return block.num_rows


@ray.remote
def _number_rows(block: pa.Table, start: int) -> pa.Table:
    numbers = pa.array(range(start, start + block.num_rows), pa.int64())
    return block.append_column(_recipe.ORDER, numbers)


def _collect(ds: ray.data.Dataset, schema: pa.Schema) -> pa.Table:
    """The rows of ``ds`` (duplicates only) on the driver, as ``schema``."""
    tables = [t for t in ray.get(ds.to_arrow_refs()) if t.num_rows]
    if not tables:
        return schema.empty_table()
    return pa.concat_tables([t.select(schema.names).cast(schema) for t in tables])


def _twins(signed: pa.Table) -> pa.Table:
    twin = pc.not_equal(signed.column("doc"), signed.column("representative"))
    return signed.filter(twin).select(["doc", "representative"])


def _representatives(signed: pa.Table) -> pa.Table:
    first = pc.equal(signed.column("doc"), signed.column("representative"))
    return signed.filter(first).select(["doc", "buckets", "shingles"])


def _set_rows(representatives: pa.Table) -> pa.Table:
    return _recipe.set_rows(representatives.column("doc"), representatives.column("shingles"))


def _first_join_rows(pairs: pa.Table) -> pa.Table:
    return _recipe.pair_rows(pairs.column("a"), pairs.column("b"))


def _twin_ids(batch: pa.Table, twins: pa.Array, order_column: str, id_column: str) -> pa.Table:
    order = batch.column(order_column).cast(pa.int64())
    found = batch.filter(pc.is_in(order, value_set=twins))
    return pa.table(
        {"kept": found.column(order_column).cast(pa.int64()), "kept_id": found.column(id_column)}
    )


def _finish(
    batch: pa.Table,
    annotations: Any,
    order_column: str,
    id_type: pa.DataType,
    mode: str,
    drop_order: bool,
) -> pa.Table:
    if isinstance(annotations, ray.ObjectRef):
        annotations = ray.get(annotations)
    out = _recipe.annotate(batch, order_column, annotations, id_type)
    if mode == "filter":
        out = out.filter(out.column(_recipe.KEEP)).drop_columns(
            [_recipe.CLUSTER, _recipe.KEEP, _recipe.REASON, _recipe.DUPLICATE_OF]
        )
    if drop_order:
        out = out.drop_columns([order_column])
    return out


__all__ = ["dedup"]
