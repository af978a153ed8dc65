"""Corpus dedup on PySpark: ``dedup(df)`` finds the clusters ``doppel scan
--find documents`` finds on the same documents in the same order, and
filters or annotates the DataFrame with them.

Importing ``doppel`` does not import PySpark; importing ``doppel.spark``
does.

How the steps of ``doppel._recipe`` run here:

- *Order.* Unless an ``order_column`` is given, documents are numbered by
  ``monotonically_increasing_id()``, which increases in the DataFrame's
  order (partition by partition). It is computed from the partitioning, so
  the input must read back the same way each time it is computed (files,
  a cached or checkpointed DataFrame), which is true of any input that
  does not depend on chance.
- *Signatures:* ``mapInArrow`` over Arrow batches of the text column.
- *Exact groups:* the lowest order key over a window partitioned by the
  exact hash (one shuffle).
- *Buckets:* the representatives' buckets exploded, grouped by bucket
  (``collect_list``, repeats kept), each bucket's pairs made in
  ``mapInArrow``, then ``distinct``.
- *Verification:* the pairs joined twice with the representatives' sets,
  similarities in ``mapInArrow``.
- *Resolution* on the driver over twins, the verified pairs at or above
  the threshold and their documents' sets (a semi-join of the sets with
  those pairs; ``toArrow``): the duplicates alone.
- *Result:* a broadcast left join of the cluster members' annotations.
"""

from __future__ import annotations

from typing import Iterator, Optional

import pyarrow as pa
import pyarrow.compute as pc
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from doppel import _doppel, _recipe
from doppel._doppel import Settings

#: The annotations' key column, named so as not to meet a user's column.
_DOC = "__doppel_doc"


def dedup(
    df: DataFrame,
    *,
    text_column: str = "text",
    id_column: Optional[str] = None,
    settings: Optional[Settings] = None,
    mode: str = "filter",
    order_column: Optional[str] = None,
) -> DataFrame:
    """Deduplicates the documents of ``df`` as ``doppel scan --find
    documents`` would, documents taken in the order of ``df``.

    Args:
        df: the documents, one per row.
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
            (unique values); when ``None``, ``monotonically_increasing_id()``.

    Returns:
        A ``DataFrame`` with the columns of ``df`` (plus the four ``doppel_``
        columns in ``"annotate"`` mode). The work up to the clusters is
        done when ``dedup`` returns; the join back is lazy.

    Raises:
        ValueError: a missing column, a null text (naming the row), a bad
            ``mode``.
        TypeError: a text column that does not hold strings.
    """
    settings = _recipe.settings_or_default(settings)
    mode = _recipe.check_mode(mode)
    for role, column in (
        ("text_column", text_column),
        ("id_column", id_column),
        ("order_column", order_column),
    ):
        if column is not None and column not in df.columns:
            raise ValueError(f"{role}: no column {column!r} in the DataFrame (it has {df.columns})")
    text_type = df.schema[text_column].dataType
    if not isinstance(text_type, T.StringType):
        raise TypeError(f"text column {text_column!r} holds {text_type.simpleString()}, not strings")
    if order_column is None:
        numbered, order = df.withColumn(_recipe.ORDER, F.monotonically_increasing_id()), _recipe.ORDER
    else:
        order_type = df.schema[order_column].dataType
        if not isinstance(order_type, (T.LongType, T.IntegerType, T.ShortType, T.ByteType)):
            raise TypeError(f"order column {order_column!r} holds {order_type.simpleString()}, not integers")
        numbered, order = df, order_column
    spark = df.sparkSession
    threshold = settings.threshold

    kept = [text_column, order] + ([id_column] if id_column else [])
    signed = (
        numbered.select(*kept)
        .mapInArrow(
            _sketcher(text_column, order, id_column, settings),
            "doc long, exact long, buckets array<long>, shingles array<int>",
        )
        .withColumn("representative", F.min("doc").over(Window.partitionBy("exact")))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    verified: Optional[DataFrame] = None
    try:
        twins = _to_arrow(
            signed.filter(F.col("doc") != F.col("representative")).select("doc", "representative")
        )
        representatives = signed.filter(F.col("doc") == F.col("representative"))
        pairs = (
            representatives.select(F.explode("buckets").alias("bucket"), "doc")
            .groupBy("bucket")
            .agg(F.collect_list("doc").alias("members"))
            .filter(F.size("members") > 1)
            .select("members")
            .mapInArrow(_bucket_pairs, "a long, b long")
            .distinct()
        )
        sets = representatives.select("doc", "shingles")
        verified = (
            pairs.join(sets.toDF("a", "a_set"), "a")
            .join(sets.toDF("b", "b_set"), "b")
            .select("a", "b", "a_set", "b_set")
            .mapInArrow(_verifier(threshold), "a long, b long, similarity double")
            # Only the pairs at or above the threshold go on, and to the
            # driver: the others change no decision (see
            # `doppel::signature::resolve`).
            .filter(F.col("similarity") >= threshold)
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        pair_table = _to_arrow(verified)
        # The sets of the documents of those pairs: a semi-join of the
        # representatives' sets with them (sets do not travel with pairs
        # out of the verification map: they are most of its bytes).
        close_docs = verified.select(F.col("a").alias("doc")).unionByName(
            verified.select(F.col("b").alias("doc"))
        )
        close_sets = _to_arrow(sets.join(close_docs, "doc", "left_semi"))
    except Exception as err:
        refused = _recipe.input_error(err)
        if refused is None:
            raise
        raise refused from err
    finally:
        signed.unpersist()
        if verified is not None:
            verified.unpersist()
    members = _recipe.resolve_clusters(threshold, twins, pair_table, close_sets)

    twins = _recipe.kept_twins(members)
    if id_column is None:
        id_spark_type: T.DataType = T.LongType()
        twin_ids = pa.table({"kept": twins, "kept_id": twins})
    else:
        id_spark_type = df.schema[id_column].dataType
        twin_frame = spark.createDataFrame(pa.table({"kept": twins}))
        twin_ids = _to_arrow(
            numbered.join(F.broadcast(twin_frame), numbered[order] == twin_frame["kept"])
            .select(F.col("kept"), F.col(id_column).alias("kept_id"))
        )
    id_type = twin_ids.schema.field("kept_id").type if twin_ids.num_rows else pa.int64()
    annotations = _recipe.annotation(members, twin_ids, id_type).rename_columns(
        [_DOC, _recipe.CLUSTER, _recipe.KEEP, _recipe.REASON, _recipe.DUPLICATE_OF]
    )
    schema = T.StructType(
        [
            T.StructField(_DOC, T.LongType(), False),
            T.StructField(_recipe.CLUSTER, T.LongType(), True),
            T.StructField(_recipe.KEEP, T.BooleanType(), True),
            T.StructField(_recipe.REASON, T.StringType(), True),
            T.StructField(_recipe.DUPLICATE_OF, id_spark_type, True),
        ]
    )
    annotation_frame = _from_arrow(spark, annotations, schema)

    added = [_recipe.CLUSTER, _recipe.KEEP, _recipe.REASON, _recipe.DUPLICATE_OF]
    base = numbered.drop(*[c for c in added if c in numbered.columns])
    joined = base.join(
        F.broadcast(annotation_frame), base[order] == annotation_frame[_DOC], "left"
    ).withColumn(_recipe.KEEP, F.coalesce(F.col(_recipe.KEEP), F.lit(True)))
    joined = joined.drop(_DOC)
    if order_column is None:
        joined = joined.drop(_recipe.ORDER)
    if mode == "filter":
        return joined.filter(F.col(_recipe.KEEP)).drop(*added)
    return joined


def _sketcher(text_column: str, order_column: str, id_column: Optional[str], settings: Settings):
    """The signature map, over Arrow batches (``_recipe.sketch``)."""

    def sketch(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            table = pa.Table.from_batches([batch])
            yield from _recipe.sketch(table, text_column, order_column, id_column, settings).to_batches()

    return sketch


def _bucket_pairs(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Each bucket's candidate pairs (one bucket's members per row)."""
    for batch in batches:
        if batch.num_rows:
            yield from pa.Table.from_batches([_doppel.bucket_pairs(batch.column(0))]).to_batches()


def _verifier(threshold: float):
    """The verification map: each pair with its similarity."""

    def verify(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if not batch.num_rows:
                continue
            similarity = _doppel.verify_pairs(batch.column(2), batch.column(3), threshold)
            yield pa.RecordBatch.from_arrays(
                [batch.column(0), batch.column(1), similarity], names=["a", "b", "similarity"]
            )

    return verify


def _to_arrow(frame: DataFrame) -> pa.Table:
    """A small DataFrame (duplicates only) on the driver, as Arrow
    (``toArrow`` from Spark 4; through pandas before, where these frames
    have no nulls to lose)."""
    if hasattr(frame, "toArrow"):
        return frame.toArrow()
    return pa.Table.from_pandas(frame.toPandas(), preserve_index=False)


def _from_arrow(spark: SparkSession, table: pa.Table, schema: T.StructType) -> DataFrame:
    """A small Arrow table (the cluster members) as a DataFrame: as it is
    from Spark 4, through pandas before (nullable integers as pandas'
    nullable ``Int64``, not floats)."""
    if int(spark.version.split(".")[0]) >= 4:
        return spark.createDataFrame(table, schema=schema)
    import pandas as pd

    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return spark.createDataFrame(frame, schema=schema)


__all__ = ["dedup"]
