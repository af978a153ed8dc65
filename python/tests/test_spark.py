"""``doppel.spark.dedup`` against ``doppel scan --find documents`` on one
generated corpus, on a local Spark (``local[2]``)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from conftest import CliClusters, CliDecisions, check_annotated, clusters_of, expected_decisions
from corpus_gen import Record

import doppel
import doppel.spark


def frame(spark, table: pa.Table, partitions: int, schema: str = "id string, text string"):
    """``table`` as a DataFrame of ``partitions`` partitions, in order."""
    rows = [tuple(row.values()) for row in table.to_pylist()]
    return spark.createDataFrame(spark.sparkContext.parallelize(rows, partitions), schema)


def test_clusters_are_the_cli_clusters(spark, corpus_table: pa.Table, corpus: list[Record], cli_clusters: CliClusters, cli_decisions: CliDecisions) -> None:
    annotated = doppel.spark.dedup(frame(spark, corpus_table, 3), id_column="id", mode="annotate").toArrow()
    check_annotated(annotated, corpus, cli_clusters, cli_decisions)


def test_partitions_do_not_change_the_result(spark, corpus_table: pa.Table, cli_clusters: CliClusters) -> None:
    results = []
    for partitions, shuffle in ((1, "1"), (6, "7")):
        spark.conf.set("spark.sql.shuffle.partitions", shuffle)
        try:
            annotated = doppel.spark.dedup(frame(spark, corpus_table, partitions), id_column="id", mode="annotate")
            table = annotated.toArrow().sort_by("id").drop_columns(["text", "doppel_cluster"])
        finally:
            spark.conf.set("spark.sql.shuffle.partitions", "4")
        results.append(table.to_pylist())
    # The order keys (``doppel_cluster``) depend on the partitioning; the
    # decisions do not.
    assert results[0] == results[1]
    assert sum(1 for row in results[0] if not row["doppel_keep"]) > 0


def test_filter_keeps_what_clean_keeps(
    spark, corpus_table: pa.Table, corpus: list[Record], cli_clusters: CliClusters, cli_decisions: CliDecisions
) -> None:
    kept = doppel.spark.dedup(frame(spark, corpus_table, 3), id_column="id").toArrow()
    expected = expected_decisions(corpus, cli_clusters, cli_decisions)
    assert kept.column_names == ["id", "text"]
    assert sorted(kept.column("id").to_pylist()) == sorted(i for i, d in expected.items() if d.keep)
    assert kept.num_rows < corpus_table.num_rows


def test_annotate_without_id_names_documents_by_order_key(
    spark, corpus_table: pa.Table, corpus: list[Record], cli_clusters: CliClusters, cli_decisions: CliDecisions
) -> None:
    annotated = doppel.spark.dedup(frame(spark, corpus_table, 2), mode="annotate")
    fields = {field.name: field.dataType.simpleString() for field in annotated.schema.fields}
    assert fields == {
        "id": "string",
        "text": "string",
        "doppel_cluster": "bigint",
        "doppel_keep": "boolean",
        "doppel_reason": "string",
        "doppel_duplicate_of": "bigint",
    }
    table = annotated.toArrow()
    assert clusters_of(table) == cli_clusters.clusters
    expected = expected_decisions(corpus, cli_clusters, cli_decisions)
    # Order keys come from the partitioning: each kept twin is named by
    # one key, the same for every document removed in its favour.
    key_of: dict[str, int] = {}
    for row in table.to_pylist():
        want = expected[row["id"]]
        assert row["doppel_keep"] == want.keep, row["id"]
        if want.keep:
            assert row["doppel_duplicate_of"] is None
        else:
            assert want.duplicate_of is not None and row["doppel_duplicate_of"] is not None
            assert key_of.setdefault(want.duplicate_of, row["doppel_duplicate_of"]) == row["doppel_duplicate_of"]
    assert len(set(key_of.values())) == len(key_of)


def test_order_column_orders_documents(spark, corpus_table: pa.Table, corpus: list[Record], cli_clusters: CliClusters, cli_decisions: CliDecisions) -> None:
    numbered = corpus_table.append_column("position", pa.array(range(corpus_table.num_rows), pa.int64()))
    reversed_rows = numbered.take(pa.array(range(numbered.num_rows - 1, -1, -1)))
    df = frame(spark, reversed_rows, 3, "id string, text string, position long")
    annotated = doppel.spark.dedup(df, id_column="id", mode="annotate", order_column="position").toArrow()
    check_annotated(annotated.drop_columns(["position"]), corpus, cli_clusters, cli_decisions)
    expected = expected_decisions(corpus, cli_clusters, cli_decisions)
    for row in annotated.to_pylist():
        assert row["doppel_cluster"] == expected[row["id"]].head_position


def test_settings_reach_the_workers(spark, corpus_table: pa.Table, cli_scan, cli_clusters: CliClusters) -> None:
    strict = cli_scan("--threshold", "0.9")
    assert strict.clusters != cli_clusters.clusters
    settings = doppel.Settings(threshold=0.9)
    annotated = doppel.spark.dedup(frame(spark, corpus_table, 3), id_column="id", settings=settings, mode="annotate")
    assert clusters_of(annotated.toArrow()) == strict.clusters


def test_null_text_names_the_column_and_row(spark, corpus_table: pa.Table) -> None:
    texts = corpus_table.column("text").to_pylist()
    texts[5] = None
    broken = corpus_table.set_column(1, "text", pa.array(texts, pa.string()))
    with pytest.raises(ValueError, match=r"text column 'text' is null in the row with id='doc-0005' \(order key \d+\)$"):
        doppel.spark.dedup(frame(spark, broken, 2), id_column="id")


def test_text_that_is_not_strings_names_the_column(spark, corpus_table: pa.Table) -> None:
    numbers = pa.table({"id": corpus_table.column("id"), "body": pa.array(range(corpus_table.num_rows))})
    with pytest.raises(TypeError, match=r"text column 'body' holds bigint, not strings"):
        doppel.spark.dedup(frame(spark, numbers, 2, "id string, body long"), text_column="body")


def test_missing_column_is_named(spark, corpus_table: pa.Table) -> None:
    df = frame(spark, corpus_table, 2)
    with pytest.raises(ValueError, match=r"text_column: no column 'content'"):
        doppel.spark.dedup(df, text_column="content")
    with pytest.raises(ValueError, match=r"id_column: no column 'name'"):
        doppel.spark.dedup(df, id_column="name")


def test_bad_mode_and_settings_are_refused(spark, corpus_table: pa.Table) -> None:
    df = frame(spark, corpus_table, 2)
    with pytest.raises(ValueError, match=r"mode: 'drop'"):
        doppel.spark.dedup(df, mode="drop")
    with pytest.raises(TypeError, match=r"settings: a dict"):
        doppel.spark.dedup(df, settings={"threshold": 0.5})


def test_corpus_without_duplicates_keeps_everything(spark, corpus_table: pa.Table, cli_clusters: CliClusters) -> None:
    clustered = set().union(*cli_clusters.clusters)
    unique = corpus_table.filter(pa.array([i not in clustered for i in corpus_table.column("id").to_pylist()]))
    annotated = doppel.spark.dedup(frame(spark, unique, 2), id_column="id", mode="annotate").toArrow()
    assert annotated.num_rows == unique.num_rows > 0
    assert annotated.column("doppel_cluster").null_count == unique.num_rows
    assert all(annotated.column("doppel_keep").to_pylist())
