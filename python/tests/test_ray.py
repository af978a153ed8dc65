"""``doppel.ray.dedup`` against ``doppel scan --find documents`` on one
generated corpus, on a local Ray with two CPUs."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pytest
from conftest import CliClusters, CliDecisions, check_annotated, clusters_of, expected_decisions
from corpus_gen import Record

import doppel
import doppel.ray

pytestmark = pytest.mark.usefixtures("ray_session")


def dataset(table: pa.Table, blocks: int):
    """``table`` as a Ray dataset of ``blocks`` blocks, in order."""
    import ray.data

    step = -(-table.num_rows // blocks)
    return ray.data.from_arrow([table.slice(at, step) for at in range(0, table.num_rows, step)])


def collect(ds) -> pa.Table:
    """The rows of ``ds`` on the driver, in order."""
    import ray

    return pa.concat_tables(ray.get(ds.to_arrow_refs()))


def test_import_doppel_imports_no_engine() -> None:
    code = "import doppel, sys; print('ray' in sys.modules, 'pyspark' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("shuffle", ["hash_shuffle", "sort_shuffle_pull_based"])
def test_clusters_are_the_cli_clusters(
    corpus_table: pa.Table, corpus: list[Record], cli_clusters: CliClusters, cli_decisions: CliDecisions, shuffle: str
) -> None:
    import ray.data
    from ray.data.context import ShuffleStrategy

    context = ray.data.DataContext.get_current()
    before = context.shuffle_strategy
    context.shuffle_strategy = ShuffleStrategy(shuffle)
    try:
        annotated = collect(doppel.ray.dedup(dataset(corpus_table, 3), id_column="id", mode="annotate"))
    finally:
        context.shuffle_strategy = before
    check_annotated(annotated, corpus, cli_clusters, cli_decisions)
    # Rows are numbered in dataset order: a cluster is named by its first
    # member's row number.
    expected = expected_decisions(corpus, cli_clusters, cli_decisions)
    for row in annotated.select(["id", "doppel_cluster"]).to_pylist():
        assert row["doppel_cluster"] == expected[row["id"]].head_position


def test_blocks_do_not_change_the_result(corpus_table: pa.Table, cli_clusters: CliClusters) -> None:
    results = []
    for blocks in (1, 7):
        annotated = collect(doppel.ray.dedup(dataset(corpus_table, blocks), id_column="id", mode="annotate"))
        results.append(annotated.sort_by("id").drop_columns(["text"]).to_pylist())
    assert results[0] == results[1]
    assert clusters_of(pa.Table.from_pylist(results[0])) == cli_clusters.clusters


def test_filter_keeps_what_clean_keeps(
    corpus_table: pa.Table, corpus: list[Record], cli_clusters: CliClusters, cli_decisions: CliDecisions
) -> None:
    kept = collect(doppel.ray.dedup(dataset(corpus_table, 3), id_column="id"))
    expected = expected_decisions(corpus, cli_clusters, cli_decisions)
    assert kept.column_names == ["id", "text"]
    assert sorted(kept.column("id").to_pylist()) == sorted(i for i, d in expected.items() if d.keep)
    assert kept.num_rows < corpus_table.num_rows


def test_annotate_without_id_names_documents_by_row(corpus_table: pa.Table, corpus: list[Record], cli_clusters: CliClusters, cli_decisions: CliDecisions) -> None:
    annotated = collect(doppel.ray.dedup(dataset(corpus_table, 2), mode="annotate"))
    schema = annotated.schema
    assert schema.field("doppel_cluster").type == pa.int64()
    assert schema.field("doppel_keep").type == pa.bool_()
    assert schema.field("doppel_reason").type == pa.string()
    assert schema.field("doppel_duplicate_of").type == pa.int64()
    assert "__doppel_order" not in annotated.column_names
    expected = expected_decisions(corpus, cli_clusters, cli_decisions)
    for row in annotated.to_pylist():
        want = expected[row["id"]]
        removed = not want.keep
        assert row["doppel_duplicate_of"] == (want.twin_position if removed else None)


def test_order_column_orders_documents(corpus_table: pa.Table, corpus: list[Record], cli_clusters: CliClusters, cli_decisions: CliDecisions) -> None:
    # The rows reversed, with their input position as the order: the
    # clusters and the kept documents are those of the input order.
    numbered = corpus_table.append_column("position", pa.array(range(corpus_table.num_rows), pa.int64()))
    reversed_rows = numbered.take(pa.array(range(numbered.num_rows - 1, -1, -1)))
    annotated = collect(
        doppel.ray.dedup(dataset(reversed_rows, 3), id_column="id", mode="annotate", order_column="position")
    )
    assert "position" in annotated.column_names
    check_annotated(annotated.drop_columns(["position"]), corpus, cli_clusters, cli_decisions)


def test_settings_reach_the_workers(corpus_table: pa.Table, cli_scan, cli_clusters: CliClusters) -> None:
    strict = cli_scan("--threshold", "0.9")
    assert strict.clusters != cli_clusters.clusters
    settings = doppel.Settings(threshold=0.9)
    annotated = collect(doppel.ray.dedup(dataset(corpus_table, 3), id_column="id", settings=settings, mode="annotate"))
    assert clusters_of(annotated) == strict.clusters


def test_null_text_names_the_column_and_row(corpus_table: pa.Table) -> None:
    texts = corpus_table.column("text").to_pylist()
    texts[5] = None
    broken = corpus_table.set_column(1, "text", pa.array(texts, pa.string()))
    with pytest.raises(ValueError, match=r"text column 'text' is null in the row with id='doc-0005' \(order key \d+\)$"):
        doppel.ray.dedup(dataset(broken, 2), id_column="id")


def test_text_that_is_not_strings_names_the_column(corpus_table: pa.Table) -> None:
    numbers = pa.table({"id": corpus_table.column("id"), "body": pa.array(range(corpus_table.num_rows))})
    with pytest.raises(TypeError, match=r"text column 'body' holds int64, not strings"):
        doppel.ray.dedup(dataset(numbers, 2), text_column="body")


def test_missing_column_is_named(corpus_table: pa.Table) -> None:
    with pytest.raises(ValueError, match=r"text_column: no column 'content'"):
        doppel.ray.dedup(dataset(corpus_table, 2), text_column="content")
    with pytest.raises(ValueError, match=r"id_column: no column 'name'"):
        doppel.ray.dedup(dataset(corpus_table, 2), id_column="name")


def test_bad_mode_and_settings_are_refused(corpus_table: pa.Table) -> None:
    with pytest.raises(ValueError, match=r"mode: 'drop'"):
        doppel.ray.dedup(dataset(corpus_table, 2), mode="drop")
    with pytest.raises(TypeError, match=r"settings: a dict"):
        doppel.ray.dedup(dataset(corpus_table, 2), settings={"threshold": 0.5})


def test_corpus_without_duplicates_keeps_everything(corpus_table: pa.Table, cli_clusters: CliClusters) -> None:
    clustered = set().union(*cli_clusters.clusters)
    unique = corpus_table.filter(pa.array([i not in clustered for i in corpus_table.column("id").to_pylist()]))
    annotated = collect(doppel.ray.dedup(dataset(unique, 2), id_column="id", mode="annotate"))
    assert annotated.num_rows == unique.num_rows > 0
    assert annotated.column("doppel_cluster").null_count == unique.num_rows
    assert all(annotated.column("doppel_keep").to_pylist())
