"""Shared fixtures of the engine tests: the generated corpus, the clusters
the command line finds in it and the decisions its ``clean`` makes, and one
Ray and one Spark session per test module (local, two CPUs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pyarrow as pa
import pytest

from corpus_gen import Record, generate, write_jsonl


@dataclass(frozen=True)
class CliClusters:
    """The document clusters of ``doppel scan --find documents``: each
    cluster as the set of its members' ids, with its kind."""

    kinds: dict[frozenset[str], str]

    @property
    def clusters(self) -> set[frozenset[str]]:
        return set(self.kinds)


def clusters_of(table: pa.Table, id_column: str = "id") -> set[frozenset[str]]:
    """The clusters of an annotated table, as sets of ids."""
    members: dict[int, set[str]] = {}
    for row in table.select([id_column, "doppel_cluster"]).to_pylist():
        if row["doppel_cluster"] is not None:
            members.setdefault(row["doppel_cluster"], set()).add(row[id_column])
    return {frozenset(ids) for ids in members.values()}


@pytest.fixture(scope="session")
def doppel_bin() -> Path:
    """The command line, from ``DOPPEL_BIN``; its absence fails the test."""
    value = os.environ.get("DOPPEL_BIN")
    if not value:
        pytest.fail("DOPPEL_BIN is not set: build the CLI (cargo build --release) and export DOPPEL_BIN=target/release/doppel")
    path = Path(value)
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"DOPPEL_BIN={value}: no executable there (build it with cargo build --release)")
    return path


@pytest.fixture(scope="session")
def corpus() -> list[Record]:
    """The generated corpus, in input order."""
    return generate()


@pytest.fixture(scope="session")
def corpus_file(corpus: list[Record], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus as JSON Lines (``id``, ``text``)."""
    return write_jsonl(corpus, tmp_path_factory.mktemp("corpus") / "corpus.jsonl")


@pytest.fixture(scope="session")
def corpus_table(corpus: list[Record]) -> pa.Table:
    """The corpus as an Arrow table (``id``, ``text``), in input order."""
    return pa.table({"id": [r.id for r in corpus], "text": [r.text for r in corpus]})


@pytest.fixture(scope="session")
def cli_scan(doppel_bin: Path, corpus_file: Path) -> Callable[..., CliClusters]:
    """Runs ``doppel scan --find documents --format json`` on the corpus
    (extra arguments appended) and reads its clusters."""
    cache: dict[tuple[str, ...], CliClusters] = {}

    def scan(*args: str) -> CliClusters:
        if args not in cache:
            command = [str(doppel_bin), "scan", "--find", "documents", "--format", "json", *args, str(corpus_file)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{command} exited {done.returncode}: {done.stderr}"
            kinds: dict[frozenset[str], str] = {}
            for line in done.stdout.splitlines():
                report = json.loads(line)
                if report["type"] == "cluster":
                    kinds[frozenset(m["id"] for m in report["members"])] = report["kind"]
            cache[args] = CliClusters(kinds)
        return cache[args]

    return scan


@dataclass(frozen=True)
class CliDecisions:
    """What ``doppel clean --annotate --keep first`` decides, per id:
    ``(keep, reason, duplicate_of)``."""

    by_id: dict[str, tuple[bool, str | None, str | None]]


@pytest.fixture(scope="session")
def cli_decisions(doppel_bin: Path, corpus_file: Path, tmp_path_factory: pytest.TempPathFactory) -> CliDecisions:
    """The command line's keep/remove decisions on the corpus (documents
    only, keeping the first): what every engine must decide."""
    out = tmp_path_factory.mktemp("annotated") / "out"
    command = [
        str(doppel_bin), "clean", "--annotate", "--keep", "first", "--no-blocks", "--no-segments",
        "-o", str(out), str(corpus_file),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command} exited {done.returncode}: {done.stderr}"
    by_id = {}
    for line in (out / corpus_file.name).read_text().splitlines():
        row = json.loads(line)
        by_id[row["id"]] = (row["doppel_keep"], row["doppel_reason"], row["doppel_duplicate_of"])
    assert any(not keep for keep, _, _ in by_id.values()), "the corpus should have duplicates"
    return CliDecisions(by_id)


@pytest.fixture(scope="session")
def cli_clusters(cli_scan: Callable[..., CliClusters]) -> CliClusters:
    """The CLI's clusters at the default settings, checked non-trivial: the
    corpus has exact and near clusters."""
    found = cli_scan()
    assert "exact" in found.kinds.values(), "the corpus should give exact clusters"
    assert "near" in found.kinds.values(), "the corpus should give near clusters"
    return found


def twins_in_near_clusters(corpus: list[Record], cli: CliClusters) -> int:
    """Members of near clusters whose text is their first member's: the
    case where a document's reason is not its cluster's kind."""
    position = {record.id: at for at, record in enumerate(corpus)}
    text = {record.id: record.text for record in corpus}
    count = 0
    for members, kind in cli.kinds.items():
        head = min(members, key=position.__getitem__)
        if kind == "near":
            count += sum(1 for m in members if m != head and text[m] == text[head])
    return count


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    """A local Ray with two CPUs, for one test module."""
    import ray
    import ray.data

    from ray.data.context import ShuffleStrategy

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    # Sort-based shuffles: on a few hundred rows, Ray's default hash
    # shuffle spends seconds starting its aggregator actors for each
    # groupby. Tests that name a strategy set their own.
    context.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def spark() -> Iterator["pyspark.sql.SparkSession"]:  # noqa: F821
    """A local Spark (``local[2]``, no UI, four shuffle partitions) whose
    Python workers run this interpreter, for one test module."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("doppel-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.pyspark.python", sys.executable)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@dataclass(frozen=True)
class Decision:
    """What dedup should decide for one document: the command line's
    decision, the position of its cluster's first member (None outside
    clusters) and of the kept document it duplicates (None when kept)."""

    keep: bool
    reason: str | None
    duplicate_of: str | None
    head_position: int | None
    twin_position: int | None


def expected_decisions(corpus: list[Record], cli: CliClusters, decided: CliDecisions) -> dict[str, Decision]:
    """Per id: the command line's decision (``clean --keep first``), with
    the position of the first member of its cluster (as ``scan`` clusters)
    and of its kept twin."""
    position = {record.id: at for at, record in enumerate(corpus)}
    head: dict[str, int] = {}
    for members in cli.kinds:
        first = min(position[m] for m in members)
        for member in members:
            head[member] = first
    out = {}
    for record in corpus:
        keep, reason, duplicate_of = decided.by_id[record.id]
        twin = position[duplicate_of] if duplicate_of is not None else None
        out[record.id] = Decision(keep, reason, duplicate_of, head.get(record.id), twin)
    return out


def check_annotated(table: pa.Table, corpus: list[Record], cli: CliClusters, decided: CliDecisions) -> None:
    """Asserts an annotated table (with ``id``) holds every document once,
    clustered as the CLI clusters them, with the CLI's decisions, and that
    no two kept documents are in one cluster."""
    assert sorted(table.column("id").to_pylist()) == sorted(r.id for r in corpus)
    assert clusters_of(table) == cli.clusters
    expected = expected_decisions(corpus, cli, decided)
    assert twins_in_near_clusters(corpus, cli) > 0, "the corpus should put exact twins in near clusters"
    kept_in: dict[int, str] = {}
    for row in table.to_pylist():
        want = expected[row["id"]]
        got = (row["doppel_keep"], row["doppel_reason"], row["doppel_duplicate_of"])
        assert got == (want.keep, want.reason, want.duplicate_of), row["id"]
        if row["doppel_cluster"] is None:
            assert want.head_position is None, row["id"]
        elif row["doppel_keep"]:
            assert kept_in.setdefault(row["doppel_cluster"], row["id"]) == row["id"], "two kept in one cluster"
