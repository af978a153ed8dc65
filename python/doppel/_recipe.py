"""The engine-neutral steps of distributed dedup, on pyarrow tables.

``doppel.ray`` and ``doppel.spark`` move data between these steps (maps
over batches, shuffles by key, one collection on the driver); this module
says what each step computes, so both engines compute the same thing. The
recipe (the reasons it gives the clusters of ``doppel scan --find
documents``) is in the core's ``doppel::signature::resolve``:

1. ``sketch``: per document, its exact hash, the buckets of its band keys
   and its shingle set (a map over batches).
2. Exact groups: the first document (lowest order key) of each exact hash
   is its representative; the others are its twins.
3. ``explode_buckets`` then ``bucket_pairs_of``: the representatives
   grouped by bucket (a shuffle), each bucket's candidate pairs.
4. ``attach_sets`` (twice: by ``a``, then by ``b``): each distinct pair
   with both shingle sets (shuffles), then ``verify``.
5. ``resolve_clusters`` on the driver: twins, verified pairs and the sets of
   the documents in pairs at or above the threshold (the duplicates only);
   it gives the clusters and the removal rule's decisions (those of
   ``doppel clean --keep first``).
6. ``annotate``: the clusters and decisions joined back onto the documents.

Documents are named by an int64 *order key* that orders them as the input
does; it need not be consecutive.
"""

from __future__ import annotations

import re
from typing import Literal, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from doppel import _doppel
from doppel._doppel import Settings

Mode = Literal["filter", "annotate"]

#: The order-key column added when the caller gives none.
ORDER = "__doppel_order"

#: Columns ``annotate`` adds.
CLUSTER = "doppel_cluster"
KEEP = "doppel_keep"
REASON = "doppel_reason"
DUPLICATE_OF = "doppel_duplicate_of"

SHINGLES = pa.list_(pa.int32())
BUCKETS = pa.list_(pa.int64())

#: What ``sketch`` gives: the order key as ``doc``, then the signatures.
SKETCH_SCHEMA = pa.schema(
    [
        pa.field("doc", pa.int64(), nullable=False),
        pa.field("exact", pa.int64(), nullable=False),
        pa.field("buckets", BUCKETS),
        pa.field("shingles", SHINGLES),
    ]
)

#: Rows of the two joins of pairs with sets: a set row has ``other`` null
#: and its document's set; a pair row names the other document of the pair
#: (and, in the second join, carries the first document's set).
KEYED_SCHEMA = pa.schema(
    [
        pa.field("key", pa.int64(), nullable=False),
        pa.field("other", pa.int64()),
        pa.field("shingles", SHINGLES),
    ]
)

PAIR_SCHEMA = pa.schema(
    [pa.field("a", pa.int64(), nullable=False), pa.field("b", pa.int64(), nullable=False)]
)

VERIFIED_SCHEMA = pa.schema(
    [
        pa.field("a", pa.int64(), nullable=False),
        pa.field("b", pa.int64(), nullable=False),
        pa.field("similarity", pa.float64(), nullable=False),
        pa.field("a_set", SHINGLES),
        pa.field("b_set", SHINGLES),
    ]
)

SET_SCHEMA = pa.schema([pa.field("doc", pa.int64(), nullable=False), pa.field("shingles", SHINGLES)])


def settings_or_default(settings: Optional[Settings]) -> Settings:
    """``settings``, checked to be a ``doppel.Settings``, or the defaults."""
    if settings is None:
        return Settings()
    if not isinstance(settings, Settings):
        raise TypeError(f"settings: a {type(settings).__name__}, not a doppel.Settings")
    return settings


def check_mode(mode: str) -> Mode:
    """``mode``, refused unless ``"filter"`` or ``"annotate"``."""
    if mode not in ("filter", "annotate"):
        raise ValueError(f"mode: {mode!r}, not 'filter' or 'annotate'")
    return mode  # type: ignore[return-value]


def check_text_type(text_column: str, arrow_type: pa.DataType) -> None:
    """Refuses a text column that does not hold strings, naming it."""
    if not (
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_string_view(arrow_type)
    ):
        raise TypeError(f"text column {text_column!r} holds {arrow_type}, not strings")


def check_order_type(order_column: str, arrow_type: pa.DataType) -> None:
    """Refuses an order column that is not an integer, naming it."""
    if not pa.types.is_integer(arrow_type) or pa.types.is_uint64(arrow_type):
        raise TypeError(
            f"order column {order_column!r} holds {arrow_type}, not integers that fit int64"
        )


#: How ``sketch``'s refusals read once an engine has wrapped them.
_INPUT_ERROR = re.compile(r"(ValueError|TypeError): ((?:text|order) column '[^\n]*)")


def input_error(err: BaseException) -> Optional[Exception]:
    """The ``ValueError`` or ``TypeError`` that ``sketch`` raised on a worker,
    out of the engine's wrapping of it (Ray's ``RayTaskError``, Spark's
    ``PythonException``, which keep it as a cause or as text), or ``None``
    when ``err`` is not one."""
    found = _INPUT_ERROR.search(str(err))
    if found is None:
        return None
    kind = ValueError if found.group(1) == "ValueError" else TypeError
    return kind(found.group(2).strip())


def _row_name(batch: pa.Table, row: int, order_column: str, id_column: Optional[str]) -> str:
    order = batch.column(order_column)[row].as_py()
    if id_column is not None and id_column in batch.column_names:
        return f"the row with {id_column}={batch.column(id_column)[row].as_py()!r} (order key {order})"
    return f"the row with order key {order}"


def sketch(
    batch: pa.Table,
    text_column: str,
    order_column: str,
    id_column: Optional[str],
    settings: Settings,
) -> pa.Table:
    """Step 1 on one batch: ``doc`` (the order key), ``exact``, ``buckets``
    and ``shingles`` per row (``SKETCH_SCHEMA``). A null text, a null order
    key or a text column that is not strings raises, naming the column and
    the row."""
    texts = batch.column(text_column)
    check_text_type(text_column, texts.type)
    order = batch.column(order_column)
    if texts.null_count:
        row = pc.index(pc.is_null(texts), True).as_py()
        name = _row_name(batch, row, order_column, id_column)
        raise ValueError(f"text column {text_column!r} is null in {name}")
    if order.null_count:
        raise ValueError(f"order column {order_column!r} has a null value")
    signed = _doppel.sketches(texts, settings=settings)
    return pa.table(
        [
            order.cast(pa.int64()),
            signed.column("exact"),
            signed.column("buckets"),
            signed.column("shingles"),
        ],
        schema=SKETCH_SCHEMA,
    )


def mark_representatives(sketches: pa.Table) -> pa.Table:
    """Step 2 on rows holding whole exact groups: adds ``representative``,
    the lowest ``doc`` of the row's exact group."""
    if sketches.num_rows == 0:
        return sketches.append_column("representative", pa.array([], pa.int64()))
    firsts = sketches.group_by("exact", use_threads=False).aggregate([("doc", "min")])
    at = pc.index_in(sketches.column("exact"), value_set=firsts.column("exact"))
    return sketches.append_column("representative", firsts.column("doc_min").take(at))


def explode_buckets(representatives: pa.Table) -> pa.Table:
    """Step 3's map: one ``(bucket, doc)`` row per band key of each
    representative, repeats kept (``bucket_pairs`` counts them)."""
    buckets = representatives.column("buckets").combine_chunks()
    parents = pc.list_parent_indices(buckets)
    return pa.table(
        {
            "bucket": pc.list_flatten(buckets),
            "doc": representatives.column("doc").take(parents),
        }
    )


def bucket_pairs_of(rows: pa.Table) -> pa.Table:
    """Step 3's reduce on rows holding whole buckets: their candidate pairs
    ``(a, b)`` (``PAIR_SCHEMA``), repeats possible across buckets."""
    if rows.num_rows == 0:
        return PAIR_SCHEMA.empty_table()
    members = rows.group_by("bucket", use_threads=False).aggregate([("doc", "list")])
    members = members.column("doc_list")
    members = members.filter(pc.greater(pc.list_value_length(members), 1))
    if len(members) == 0:
        return PAIR_SCHEMA.empty_table()
    pairs = _doppel.bucket_pairs(members.combine_chunks())
    return pa.table([pairs.column("a"), pairs.column("b")], schema=PAIR_SCHEMA)


def set_rows(docs: pa.Array | pa.ChunkedArray, shingles: pa.Array | pa.ChunkedArray) -> pa.Table:
    """Documents' sets as rows of a join (``KEYED_SCHEMA``, ``other`` null)."""
    return pa.table(
        [docs, pa.nulls(len(docs), pa.int64()), shingles], schema=KEYED_SCHEMA
    )


def pair_rows(
    key: pa.Array | pa.ChunkedArray,
    other: pa.Array | pa.ChunkedArray,
    shingles: Optional[pa.Array | pa.ChunkedArray] = None,
) -> pa.Table:
    """Pairs as rows of a join (``KEYED_SCHEMA``), keyed by one document and
    naming the other, with the set carried from the first join, if any."""
    if shingles is None:
        shingles = pa.nulls(len(key), SHINGLES)
    return pa.table([key, other, shingles], schema=KEYED_SCHEMA)


def _distinct_rows(table: pa.Table, columns: list[str]) -> pa.Table:
    """The first row of each distinct value of ``columns`` (int64)."""
    if table.num_rows == 0:
        return table
    keys = np.stack([table.column(c).to_numpy() for c in columns], axis=1)
    _, first = np.unique(keys, axis=0, return_index=True)
    return table.take(pa.array(np.sort(first)))


def attach_sets(rows: pa.Table) -> pa.Table:
    """One join of pairs with sets, on rows holding whole keys
    (``KEYED_SCHEMA``): each distinct pair row with the set of its key, as
    ``key``, ``other``, ``carried`` (the set the row carried in) and
    ``shingles`` (the key's set)."""
    is_set = pc.is_null(rows.column("other"))
    sets = _distinct_rows(rows.filter(is_set), ["key"])
    pairs = _distinct_rows(rows.filter(pc.invert(is_set)), ["key", "other"])
    at = pc.index_in(pairs.column("key"), value_set=sets.column("key"))
    if at.null_count:
        missing = pairs.column("key").filter(pc.is_null(at))[0].as_py()
        raise RuntimeError(f"document {missing} is in a candidate pair but has no shingle set")
    return pa.table(
        {
            "key": pairs.column("key"),
            "other": pairs.column("other"),
            "carried": pairs.column("shingles"),
            "shingles": sets.column("shingles").take(at),
        }
    )


def second_join_rows(joined: pa.Table) -> pa.Table:
    """The output of the join by ``a`` as pair rows keyed by ``b``,
    carrying ``a``'s set."""
    return pair_rows(joined.column("other"), joined.column("key"), joined.column("shingles"))


def verify(joined: pa.Table, threshold: float) -> pa.Table:
    """Step 4: the output of the join by ``b`` (``key`` = b, ``other`` = a,
    ``carried`` = a's set, ``shingles`` = b's set) with each pair's
    similarity (``VERIFIED_SCHEMA``)."""
    a_sets, b_sets = joined.column("carried"), joined.column("shingles")
    if joined.num_rows == 0:
        return VERIFIED_SCHEMA.empty_table()
    similarity = _doppel.verify_pairs(a_sets.combine_chunks(), b_sets.combine_chunks(), threshold)
    return pa.table(
        [joined.column("other"), joined.column("key"), similarity, a_sets, b_sets],
        schema=VERIFIED_SCHEMA,
    )


def close_pairs(verified: pa.Table, threshold: float) -> pa.Table:
    """The verified pairs at or above ``threshold`` (``a``, ``b``,
    ``similarity``): the only ones resolution needs."""
    close = verified.filter(pc.greater_equal(verified.column("similarity"), threshold))
    return close.select(["a", "b", "similarity"])


def sets_at_threshold(verified: pa.Table, threshold: float) -> pa.Table:
    """The sets of the documents of the pairs at or above ``threshold``
    (``SET_SCHEMA``), a document once per batch."""
    close = verified.filter(pc.greater_equal(verified.column("similarity"), threshold))
    both = pa.concat_tables(
        [
            pa.table([close.column("a"), close.column("a_set")], schema=SET_SCHEMA),
            pa.table([close.column("b"), close.column("b_set")], schema=SET_SCHEMA),
        ]
    )
    return _distinct_rows(both, ["doc"])


def distinct_sets(sets: pa.Table) -> pa.Table:
    """``sets`` with each document once."""
    return _distinct_rows(sets, ["doc"])


def resolve_clusters(
    threshold: float, twins: pa.Table, pairs: pa.Table, sets: pa.Table
) -> pa.Table:
    """Step 5, on the driver: one row per document in a cluster or removed,
    ``doc``, ``cluster`` (its cluster's first member, or null), ``keep``,
    ``exact``, ``similarity`` and ``duplicate_of`` (the kept document a
    removed one duplicates)."""
    result = _doppel.resolve(threshold, twins, pairs, sets)
    return pa.Table.from_batches([result]) if isinstance(result, pa.RecordBatch) else result


def kept_twins(members: pa.Table) -> pa.Array:
    """The kept documents that removed ones duplicate (their order keys),
    whose ids ``annotation`` needs."""
    return pc.unique(pc.drop_null(members.column("duplicate_of")))


def annotation(
    members: pa.Table, twin_ids: pa.Table, id_type: pa.DataType
) -> pa.Table:
    """The columns ``annotate`` adds, for the rows of ``members`` only
    (``resolve_clusters``' output), keyed by ``doc``: ``twin_ids`` maps each
    of ``kept_twins`` (``kept``) to its id (``kept_id``)."""
    at = pc.index_in(members.column("duplicate_of"), value_set=twin_ids.column("kept"))
    duplicate_of = twin_ids.column("kept_id").take(at).cast(id_type)
    keep = members.column("keep")
    reason = pc.if_else(
        keep,
        pa.scalar(None, pa.string()),
        pc.if_else(members.column("exact"), "exact-duplicate", "near-duplicate"),
    )
    return pa.table(
        {
            "doc": members.column("doc"),
            CLUSTER: members.column("cluster"),
            KEEP: keep,
            REASON: reason,
            DUPLICATE_OF: duplicate_of,
        }
    )


def annotate(
    batch: pa.Table, order_column: str, annotations: pa.Table, id_type: pa.DataType
) -> pa.Table:
    """``batch`` with the four ``doppel_`` columns: its cluster members'
    from ``annotations``, the others unclustered and kept."""
    at = pc.index_in(batch.column(order_column).cast(pa.int64()), value_set=annotations.column("doc"))
    clustered = pc.is_valid(at)
    keep = pc.if_else(clustered, annotations.column(KEEP).take(at), True)
    out = batch
    for name, column in (
        (CLUSTER, annotations.column(CLUSTER).take(at)),
        (KEEP, keep),
        (REASON, annotations.column(REASON).take(at)),
        (DUPLICATE_OF, annotations.column(DUPLICATE_OF).take(at).cast(id_type)),
    ):
        if name in out.column_names:
            out = out.drop_columns([name])
        out = out.append_column(name, column)
    return out
