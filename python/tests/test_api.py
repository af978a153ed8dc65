"""Tests of the corpus API: ``Settings``, ``sign``, ``cluster``,
``Deduplicator`` and the engine steps (``sketches``, ``bucket_pairs``,
``verify_pairs``, ``resolve``), on texts made here by a fixed generator.

What they prove: signatures are the same whatever form the texts come in;
clusters do not depend on how the texts are cut into batches or tables;
the engine steps, run by hand in plain Python, give the clusters
``cluster`` gives; bad input is refused naming the row, table or setting;
and the GIL is released while a batch is signed."""

from __future__ import annotations

import json
import math
import pickle
import random
import threading
import time
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc
import pytest

import doppel
from doppel import _doppel as native

WORDS = (
    "river stone garden window lantern harbor violin meadow copper signal "
    "thunder pocket island saddle mirror orchard ribbon canyon feather marble "
    "candle bridge forest valley shadow silver winter summer autumn spring"
).split()
HAN = "北京上海天地人山水火木金土日月风云雨雪春夏秋冬东南西北中文字学生老师朋友"


def document(seed: int, cjk: bool = False) -> str:
    """A document of three paragraphs from a fixed generator of sentences."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(3):
        if cjk:
            paragraphs.append("".join("".join(rng.choice(HAN) for _ in range(16)) + "。" for _ in range(4)))
        else:
            paragraphs.append(
                " ".join(" ".join(rng.choice(WORDS) for _ in range(10)).capitalize() + "." for _ in range(4))
            )
    return "\n\n".join(paragraphs) + "\n"


def edited(text: str, seed: int) -> str:
    """``text`` with one word (or character) replaced: a near duplicate."""
    rng = random.Random(seed)
    if "。" in text:
        at = rng.randrange(len(text) // 2, len(text) - 2)
        while text[at] in "。\n":
            at += 1
        return text[:at] + ("雷" if text[at] != "雷" else "电") + text[at + 1 :]
    words = text.split(" ")
    at = rng.randrange(len(words) // 2, len(words) - 1)
    words[at] = "zeppelin"
    return " ".join(words)


def corpus() -> list[str]:
    """40 texts, English and Chinese, with exact and near duplicates whose
    first copy comes earlier."""
    texts = [document(seed, cjk=seed % 4 == 0) for seed in range(30)]
    texts += [texts[3], texts[8], edited(texts[5], 1), edited(texts[12], 2), texts[3]]
    texts += [edited(texts[16], 3), document(500), texts[20], edited(texts[4], 4), document(501)]
    return texts


TEXTS = corpus()


def member_sets(clusters: list[doppel.Cluster]) -> list[list[int]]:
    """Each cluster as its members' rows."""
    return [[row for row in c.rows if row is not None] for c in clusters]


EXPECTED = sorted([[3, 30, 34], [8, 31], [5, 32], [12, 33], [16, 35], [20, 37], [4, 38]])

# ------------------------------------------------------------- Settings


def test_settings_defaults_repr_and_equality() -> None:
    settings = doppel.Settings()
    assert (
        settings.granularity,
        settings.threshold,
        settings.min_units,
        settings.shingle,
    ) == ("auto", 0.65, 10, "spaced=chars:5,cjk=chars:5")
    assert repr(settings) == (
        'Settings(granularity="auto", threshold=0.65, min_units=10, shingle="spaced=chars:5,cjk=chars:5")'
    )
    assert settings == doppel.Settings()
    assert settings != doppel.Settings(threshold=0.7)
    assert settings != doppel.Settings(granularity="line")
    assert settings != doppel.Settings(shingle="latin=words:3")
    assert settings == doppel.Settings(shingle="cjk=chars:5")
    assert doppel.Settings(**settings.as_dict()) == settings
    params = json.loads(settings.sketch_params())
    assert (params["threshold"], params["granularity"], params["cjk_shingles"], params["spaced_shingles"]) == (
        0.65,
        "auto",
        "chars:5",
        "chars:5",
    )


def test_settings_pickle_round_trip() -> None:
    settings = doppel.Settings(
        granularity="sentence", threshold=0.65, min_units=4, shingle="spaced=words:2,cjk=chars:3"
    )
    again = pickle.loads(pickle.dumps(settings))
    assert again == settings and repr(again) == repr(settings)
    assert again.sketch_params() == settings.sketch_params()


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"granularity": "word"}, "granularity"),
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": math.nan}, "threshold"),
        ({"threshold": -0.2}, "threshold"),
        ({"min_units": 0}, "^min_units: 0 is less than 1"),
        ({"min_units": -1}, "^min_units: -1 is less than 1"),
        ({"shingle": "chars:0"}, "^shingle: 'chars:0': N must be a whole number from 1 to 32"),
        ({"shingle": "words"}, "^shingle: 'words' is not words:N or chars:N"),
        ({"shingle": "thai=chars:3"}, "^shingle: 'thai' is not a script"),
    ],
)
def test_settings_refuse_each_bad_value_naming_it(arguments: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        doppel.Settings(**arguments)  # type: ignore[arg-type]


def test_settings_take_keywords_only() -> None:
    with pytest.raises(TypeError):
        doppel.Settings("auto")  # type: ignore[call-arg]


# ----------------------------------------------------------------- sign

COLUMNS = [
    ("kind", pa.string()),
    ("path", pa.string()),
    ("record_id", pa.string()),
    ("record_line", pa.uint64()),
    ("encoding", pa.string()),
    ("detection", pa.string()),
    ("bom", pa.bool_()),
    ("malformed", pa.uint64()),
    ("input_bytes", pa.uint64()),
    ("bytes", pa.uint64()),
    ("lines", pa.uint64()),
    ("segments", pa.uint64()),
    ("message", pa.string()),
    ("exact", pa.uint64()),
    ("units", pa.uint64()),
    ("bands", pa.list_(pa.uint64())),
    ("shingles", pa.list_(pa.uint32())),
]


def test_sign_gives_the_staged_schema_and_metadata() -> None:
    settings = doppel.Settings(threshold=0.7)
    table = doppel.sign(TEXTS[:5], settings=settings, source="shard-7")
    assert table.num_rows == 5
    assert [(field.name, field.type) for field in table.schema] == COLUMNS
    metadata = table.schema.metadata
    assert metadata[b"doppel.signatures"] == b"1"
    assert json.loads(metadata[b"doppel.sketch_params"]) == json.loads(settings.sketch_params())
    rows = table.to_pylist()
    assert {row["kind"] for row in rows} == {"document"}
    assert [row["path"] for row in rows] == ["shard-7"] * 5
    assert [row["bytes"] for row in rows] == [len(t.encode()) for t in TEXTS[:5]]
    assert all(row["shingles"] == sorted(set(row["shingles"])) for row in rows)
    assert all(row["bands"] for row in rows)


def test_sign_ids_and_row_numbers() -> None:
    texts = TEXTS[:3]
    numbered = doppel.sign(texts, first_row=10).to_pydict()
    assert numbered["record_line"] == [10, 11, 12] and numbered["record_id"] == ["10", "11", "12"]
    assert doppel.sign(texts, ["a", "b", "c"]).column("record_id").to_pylist() == ["a", "b", "c"]
    assert doppel.sign(texts, [7, -1, 2**70]).column("record_id").to_pylist() == ["7", "-1", str(2**70)]
    assert doppel.sign(texts, pa.array([5, 6, 7])).column("record_id").to_pylist() == ["5", "6", "7"]
    assert doppel.sign(texts, None).column("record_id").to_pylist() == ["0", "1", "2"]


def test_sign_reads_every_form_of_texts_the_same() -> None:
    texts = TEXTS[:8]
    expected = doppel.sign(texts).select(["exact", "units", "bands", "shingles"])
    forms = [
        pa.array(texts),
        pa.array(texts, pa.large_string()),
        pa.chunked_array([texts[:3], texts[3:]]),
        pa.chunked_array([texts[:5], texts[5:]], pa.large_string()),
        tuple(texts),
    ]
    for form in forms:
        assert doppel.sign(form).select(["exact", "units", "bands", "shingles"]).equals(expected)
    assert doppel.sign([]).num_rows == 0


def test_sign_refuses_bad_rows_naming_them() -> None:
    with pytest.raises(ValueError, match=r"texts\[2\] is None"):
        doppel.sign(["a", "b", None])
    with pytest.raises(ValueError, match=r"texts\[1\] is null"):
        doppel.sign(pa.array(["a", None, "c"]))
    with pytest.raises(ValueError, match=r"texts\[4\] is null"):
        doppel.sign(pa.chunked_array([["a", "b", "c"], ["d", None]]))
    with pytest.raises(TypeError, match=r"texts\[1\] is a bytes"):
        doppel.sign(["a", b"b"])
    with pytest.raises(TypeError, match="texts: an Arrow array of Int64"):
        doppel.sign(pa.array([1, 2]))
    with pytest.raises(TypeError, match="texts: a int"):
        doppel.sign(5)
    with pytest.raises(TypeError, match="one str"):
        doppel.sign("one text")
    with pytest.raises(ValueError, match="2 ids for 3 texts"):
        doppel.sign(["a", "b", "c"], ["x", "y"])
    with pytest.raises(TypeError, match=r"ids\[1\] is a float"):
        doppel.sign(["a", "b"], ["x", 1.5])


# -------------------------------------------------------------- cluster


def test_cluster_finds_exact_and_near_duplicates() -> None:
    clusters = doppel.cluster([doppel.sign(TEXTS)])
    assert sorted(member_sets(clusters)) == EXPECTED
    by_first = {c.rows[0]: c for c in clusters}
    assert by_first[3].exact and by_first[3].similarity == 1.0 and len(by_first[3]) == 3
    assert not by_first[5].exact and 0.8 <= by_first[5].similarity < 1.0
    assert by_first[3].ids == ["3", "30", "34"] and by_first[3].sources == ["<memory>"] * 3
    assert repr(by_first[8]) == 'Cluster(["8", "31"], exact=True, similarity=1.000)'


def test_cluster_is_the_same_over_tables_cut_anywhere() -> None:
    whole = member_sets(doppel.cluster([doppel.sign(TEXTS)]))
    for cuts in ([20], [1, 2, 3, 31], [10, 25, 36]):
        bounds = [0, *cuts, len(TEXTS)]
        tables = [doppel.sign(TEXTS[a:b], first_row=a) for a, b in zip(bounds, bounds[1:])]
        assert member_sets(doppel.cluster(tables)) == whole


def test_cluster_reads_tables_written_as_arrow_files_by_pyarrow(tmp_path: Path) -> None:
    table = doppel.sign(TEXTS)
    path = tmp_path / "shard.sig.arrow"
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    read = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    assert sorted(member_sets(doppel.cluster([read]))) == EXPECTED
    # The file itself has no checksum footer (pyarrow writes none), so it is
    # refused as a file, naming it.
    with pytest.raises(ValueError, match="shard.sig.arrow"):
        doppel.cluster([path])
    with pytest.raises(OSError, match="missing.sig.arrow"):
        doppel.cluster([tmp_path / "missing.sig.arrow"])


def test_cluster_refuses_a_damaged_table_naming_it() -> None:
    good = doppel.sign(TEXTS[:5])
    no_shingles = good.drop_columns(["shingles"])
    with pytest.raises(ValueError, match="table 1"):
        doppel.cluster([good, no_shingles])
    unsorted = good.set_column(
        good.schema.get_field_index("shingles"),
        good.schema.field("shingles"),
        pa.array([list(reversed(s)) for s in good.column("shingles").to_pylist()], pa.list_(pa.uint32())),
    )
    with pytest.raises(ValueError, match="table 0"):
        doppel.cluster([unsorted])
    no_metadata = good.replace_schema_metadata({})
    with pytest.raises(ValueError, match="table 2"):
        doppel.cluster([good, good, no_metadata])
    with pytest.raises(ValueError, match="table 0: a int"):
        doppel.cluster([3])
    with pytest.raises(ValueError, match="tables: a int"):
        doppel.cluster(3)  # type: ignore[arg-type]


def test_cluster_refuses_tables_made_with_other_settings() -> None:
    first = doppel.sign(TEXTS[:10])
    other = doppel.sign(TEXTS[10:], settings=doppel.Settings(threshold=0.6), first_row=10)
    with pytest.raises(ValueError, match="threshold"):
        doppel.cluster([first, other])


# ---------------------------------------------------------- Deduplicator


def deduplicate(batches: list[list[str]]) -> doppel.Deduplication:
    dedup = doppel.Deduplicator()
    for batch in batches:
        dedup.add(batch)
    return dedup.finish()


def test_deduplicator_decisions_do_not_depend_on_batch_sizes() -> None:
    whole = deduplicate([TEXTS])
    assert sorted(member_sets(whole.clusters)) == EXPECTED
    for size in (1, 3, 7, 16):
        batches = [TEXTS[at : at + size] for at in range(0, len(TEXTS), size)]
        cut = deduplicate(batches)
        assert cut.decisions.equals(whole.decisions)
        assert member_sets(cut.clusters) == member_sets(whole.clusters)


def test_deduplicator_agrees_with_cluster_of_sign() -> None:
    found = deduplicate([TEXTS[:17], TEXTS[17:]])
    assert sorted(member_sets(found.clusters)) == sorted(member_sets(doppel.cluster([doppel.sign(TEXTS)])))


def test_deduplicator_decisions_table() -> None:
    dedup = doppel.Deduplicator(doppel.Settings())
    dedup.add(TEXTS[:20], ids=[f"a{n}" for n in range(20)])
    dedup.add(pa.array(TEXTS[20:]))
    assert dedup.documents == len(TEXTS)
    assert dedup.settings == doppel.Settings()
    assert repr(dedup).startswith(f"Deduplicator({len(TEXTS)} documents, Settings(")
    result = dedup.finish()
    decisions = result.decisions
    assert decisions.schema.names == ["id", "row", "keep", "reason", "duplicate_of", "cluster", "similarity"]
    assert [str(t) for t in decisions.schema.types] == [
        "string",
        "uint64",
        "bool",
        "string",
        "string",
        "uint64",
        "double",
    ]
    rows = decisions.to_pylist()
    assert [row["row"] for row in rows] == list(range(len(TEXTS)))
    assert rows[3]["id"] == "a3" and rows[30]["id"] == "30"
    assert (
        rows[30]["keep"] is False
        and rows[30]["reason"] == "exact-duplicate"
        and rows[30]["duplicate_of"] == "a3"
    )
    assert rows[32]["reason"] == "near-duplicate" and rows[32]["duplicate_of"] == "a5"
    assert rows[3]["keep"] is True and rows[3]["reason"] is None and rows[3]["cluster"] is not None
    assert rows[0]["keep"] is True and rows[0]["cluster"] is None and rows[0]["similarity"] is None
    removed = [row["row"] for row in rows if not row["keep"]]
    assert removed == [30, 31, 32, 33, 34, 35, 37, 38]
    assert result.removed == len(removed)
    assert repr(result) == f"Deduplication({len(TEXTS)} documents, 7 clusters, 8 to remove)"


def test_a_finished_deduplicator_refuses_more() -> None:
    dedup = doppel.Deduplicator()
    dedup.add(TEXTS[:3])
    dedup.finish()
    with pytest.raises(ValueError, match="finished"):
        dedup.add(["more"])
    with pytest.raises(ValueError, match="finished"):
        dedup.finish()
    assert repr(dedup) == "Deduplicator(finished)"


def test_deduplicator_refuses_bad_rows_and_keeps_going() -> None:
    dedup = doppel.Deduplicator()
    with pytest.raises(ValueError, match=r"texts\[1\] is None"):
        dedup.add(["a", None])
    assert dedup.documents == 0
    dedup.add(TEXTS)
    assert sorted(member_sets(dedup.finish().clusters)) == EXPECTED


# ---------------------------------------------------------- engine steps


def clusters_by_engine_steps(texts: list[str], settings: doppel.Settings) -> list[list[int]]:
    """The clusters ``resolve_by_engine_steps`` finds."""
    resolved = resolve_by_engine_steps(texts, settings)
    grouped: dict[int, list[int]] = defaultdict(list)
    for doc, first in zip(resolved["doc"], resolved["cluster"]):
        if first is not None:
            grouped[first].append(doc)
    return sorted(grouped.values())


def resolve_by_engine_steps(texts: list[str], settings: doppel.Settings) -> dict[str, list]:
    """The recipe of ``doppel.signature::resolve``, step by step, in plain
    Python over the native steps' Arrow batches: ``resolve``'s columns."""
    sketched = native.sketches(texts, settings=settings).to_pydict()
    # 1. Exact groups: the first of each is the representative.
    first_of: dict[int, int] = {}
    twins: dict[str, list[int]] = {"doc": [], "representative": []}
    for doc, exact in enumerate(sketched["exact"]):
        if exact in first_of:
            twins["doc"].append(doc)
            twins["representative"].append(first_of[exact])
        else:
            first_of[exact] = doc
    representatives = sorted(first_of.values())
    # 2. Buckets of the representatives, and their pairs (each once).
    buckets: dict[int, list[int]] = defaultdict(list)
    for doc in representatives:
        for bucket in sketched["buckets"][doc]:
            buckets[bucket].append(doc)
    members = pa.array(list(buckets.values()), pa.list_(pa.int64()))
    found = native.bucket_pairs(members).to_pydict()
    pairs = sorted(set(zip(found["a"], found["b"])))
    # 3. Verification.
    sets = sketched["shingles"]
    list_type = pa.list_(pa.int32())
    similarity = native.verify_pairs(
        pa.array([sets[a] for a, _ in pairs], list_type),
        pa.array([sets[b] for _, b in pairs], list_type),
        settings.threshold,
    ).to_pylist()
    # 4. Resolution, with the sets of documents in pairs that reached it.
    near = sorted({doc for (a, b), s in zip(pairs, similarity) if s >= settings.threshold for doc in (a, b)})
    resolved = native.resolve(
        settings.threshold,
        pa.table(
            {
                "doc": pa.array(twins["doc"], pa.int64()),
                "representative": pa.array(twins["representative"], pa.int64()),
            }
        ),
        pa.table(
            {
                "a": pa.array([a for a, _ in pairs], pa.int64()),
                "b": pa.array([b for _, b in pairs], pa.int64()),
                "similarity": pa.array(similarity, pa.float64()),
            }
        ),
        pa.record_batch(
            {"doc": pa.array(near, pa.int64()), "shingles": pa.array([sets[d] for d in near], list_type)}
        ),
    ).to_pydict()
    return resolved


@pytest.mark.parametrize("settings", [doppel.Settings(), doppel.Settings(threshold=0.6, shingle="latin=words:2")])
def test_engine_steps_give_the_clusters_of_cluster(settings: doppel.Settings) -> None:
    by_steps = clusters_by_engine_steps(TEXTS, settings)
    by_cluster = sorted(member_sets(doppel.cluster([doppel.sign(TEXTS, settings=settings)])))
    assert by_steps == by_cluster
    if settings == doppel.Settings():
        assert by_steps == EXPECTED


@pytest.mark.parametrize("settings", [doppel.Settings(), doppel.Settings(threshold=0.6, shingle="words:2")])
def test_engine_steps_decide_as_the_deduplicator(settings: doppel.Settings) -> None:
    resolved = resolve_by_engine_steps(TEXTS, settings)
    assert resolved["doc"] == sorted(resolved["doc"])
    dedup = doppel.Deduplicator(settings)
    dedup.add(TEXTS)
    rows = dedup.finish().decisions.to_pylist()
    removed = {row["row"]: (int(row["duplicate_of"]), row["similarity"]) for row in rows if not row["keep"]}
    by_steps = {
        doc: (twin, similarity)
        for doc, keep, twin, similarity in zip(
            resolved["doc"], resolved["keep"], resolved["duplicate_of"], resolved["similarity"]
        )
        if not keep
    }
    assert by_steps == removed and removed
    # Sound and complete: each removed document's twin is kept, and no two
    # kept documents are in one cluster.
    kept = {row["row"] for row in rows if row["keep"]}
    assert all(twin in kept for twin, _ in removed.values())
    for members in clusters_by_engine_steps(TEXTS, settings):
        assert len(kept.intersection(members)) <= 1


def test_sketches_columns() -> None:
    batch = native.sketches(TEXTS[:4])
    assert batch.schema.names == ["exact", "units", "buckets", "shingles"]
    assert [str(t) for t in batch.schema.types] == [
        "int64",
        "int64",
        "list<item: int64>",
        "list<item: int32>",
    ]
    signed = doppel.sign(TEXTS[:4]).to_pydict()
    unsigned = [[s & 0xFFFFFFFF for s in row] for row in batch.column("shingles").to_pylist()]
    assert unsigned == signed["shingles"]
    assert [e & (2**64 - 1) for e in batch.column("exact").to_pylist()] == signed["exact"]
    assert batch.column("buckets").to_pylist() == [[key >> 32 for key in keys] for keys in signed["bands"]]


def test_verify_pairs_refuses_unsorted_sets_and_bad_thresholds() -> None:
    list_type = pa.list_(pa.int32())
    good = pa.array([[1, 2, 3]], list_type)
    assert native.verify_pairs(good, good, 0.8).to_pylist() == [1.0]
    with pytest.raises(ValueError, match=r"b_sets\[0\]: a shingle set not sorted"):
        native.verify_pairs(good, pa.array([[3, 2, 1]], list_type), 0.8)
    with pytest.raises(ValueError, match="not sorted"):
        native.verify_pairs(pa.array([[1, 1]], list_type), good, 0.8)
    for threshold in (0.0, 1.5, math.nan):
        with pytest.raises(ValueError, match="threshold"):
            native.verify_pairs(good, good, threshold)
    with pytest.raises(ValueError, match="1 sets against 2 sets"):
        native.verify_pairs(good, pa.array([[1], [2]], list_type), 0.8)
    with pytest.raises(TypeError, match="not int32"):
        native.verify_pairs(pa.array([[1]], pa.list_(pa.int64())), good, 0.8)


def test_resolve_refuses_bad_pieces() -> None:
    empty_twins = pa.table({"doc": pa.array([], pa.int64()), "representative": pa.array([], pa.int64())})
    pairs = pa.table({"a": pa.array([0], pa.int64()), "b": pa.array([1], pa.int64()), "similarity": [1.0]})
    sets = pa.table(
        {"doc": pa.array([0, 1], pa.int64()), "shingles": pa.array([[1, 2], [1, 2]], pa.list_(pa.int32()))}
    )
    resolved = native.resolve(0.8, empty_twins, pairs, sets).to_pydict()
    assert resolved["doc"] == [0, 1] and resolved["keep"] == [True, False]
    with pytest.raises(ValueError, match="threshold"):
        native.resolve(0.0, empty_twins, pairs, sets)
    with pytest.raises(ValueError, match='twins: no column "representative"'):
        native.resolve(0.8, pa.table({"doc": pa.array([], pa.int64())}), pairs, sets)
    backwards = pa.table({"doc": pa.array([0], pa.int64()), "representative": pa.array([5], pa.int64())})
    with pytest.raises(ValueError, match="comes after it"):
        native.resolve(0.8, backwards, pairs, sets)
    unsorted = pa.table(
        {"doc": pa.array([0, 1], pa.int64()), "shingles": pa.array([[2, 1], [1, 2]], pa.list_(pa.int32()))}
    )
    with pytest.raises(ValueError, match="not sorted"):
        native.resolve(0.8, empty_twins, pairs, unsorted)


def test_bucket_pairs_pairs_each_bucket() -> None:
    found = native.bucket_pairs(pa.array([[3, 1, 2], [7], [5, 5, 4]], pa.list_(pa.int64()))).to_pydict()
    # A document met twice in a bucket is never paired with itself; its
    # pairs may repeat (dropped before verifying, as across buckets).
    assert sorted(set(zip(found["a"], found["b"]))) == [(1, 2), (1, 3), (2, 3), (4, 5)]
    with pytest.raises(TypeError, match="not int64"):
        native.bucket_pairs(pa.array([[1, 2]], pa.list_(pa.int32())))


# ------------------------------------------------------------------ GIL


def test_sign_releases_the_gil() -> None:
    """A Python thread keeps counting while a large batch is signed."""
    texts = [document(seed) * 20 for seed in range(200)]
    alone = 0.0
    while alone < 0.2 and len(texts) < 200 * 64:
        texts = texts + texts
        start = time.perf_counter()
        doppel.sign(texts)
        alone = time.perf_counter() - start
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        time.sleep(0.01)
        before = ticks
        doppel.sign(texts)
        during = ticks - before
    finally:
        done.set()
        counter.join()
    # Holding the GIL for the whole call would leave the counter at most a
    # tick or two; released, it ticks about once a millisecond.
    assert alone >= 0.2, f"the batch is too small to tell ({alone:.3f} s)"
    assert during >= 10, f"{during} ticks in {alone:.3f} s of signing"


def test_an_exact_twin_inside_a_near_cluster_is_an_exact_duplicate() -> None:
    page = (
        "The river rose overnight after three days of rain, and by morning the lower town "
        "was under water. Volunteers filled sandbags at the school, the bakery handed out "
        "bread, and the ferry kept running until the current grew too strong."
    )
    dedup = doppel.Deduplicator()
    dedup.add([page, "Something else entirely.", page, page.replace("bakery", "baker")])
    result = dedup.finish()
    assert [(c.ids, c.exact) for c in result.clusters] == [(["0", "2", "3"], False)]
    reasons = [(row["keep"], row["reason"], row["duplicate_of"]) for row in result.decisions.to_pylist()]
    assert reasons == [
        (True, None, None),
        (True, None, None),
        (False, "exact-duplicate", "0"),
        (False, "near-duplicate", "0"),
    ]
