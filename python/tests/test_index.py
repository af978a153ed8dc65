"""Tests of ``doppel.Index``: made, grown and queried from Python, read
back after reopening, and refused with the right exception (naming the
path or the setting) when missing, not an index, damaged or made with
other settings."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pytest

import doppel

WORDS = (
    "river stone garden window lantern harbor violin meadow copper signal "
    "thunder pocket island saddle mirror orchard ribbon canyon feather marble"
).split()
HAN = "北京上海天地人山水火木金土日月风云雨雪春夏秋冬东南西北中文字学生老师朋友"


def document(seed: int, cjk: bool = False) -> str:
    """A document of a few paragraphs from a fixed generator of sentences."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(3):
        if cjk:
            sentences = ["".join(rng.choice(HAN) for _ in range(16)) + "。" for _ in range(4)]
            paragraphs.append("".join(sentences))
        else:
            sentences = [" ".join(rng.choice(WORDS) for _ in range(10)).capitalize() + "." for _ in range(4)]
            paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def near_copy(text: str) -> str:
    """``text`` with its last sentence changed: a near duplicate."""
    cut = text.rstrip().rstrip(".。").rfind("。" if "。" in text else ".")
    return text[: cut + 1] + (" Something quite new." if "." in text[cut:] else "全新的句子。") + "\n"


STORED = [document(seed, cjk=seed % 3 == 0) for seed in range(12)]


@pytest.fixture
def index(tmp_path: Path) -> doppel.Index:
    made = doppel.Index.create(tmp_path / "idx")
    assert made.add(STORED, ids=[f"doc-{n}" for n in range(len(STORED))]) == len(STORED)
    return made


def test_create_add_and_query(index: doppel.Index) -> None:
    assert (index.documents, index.segments, len(index)) == (len(STORED), 1, len(STORED))
    found = index.query([STORED[4], near_copy(STORED[5]), document(99), near_copy(STORED[6])])
    exact, near, new, near_cjk = found
    assert exact is not None and exact.exact and exact.similarity == 1.0
    assert (exact.id, exact.row, exact.source) == ("doc-4", 4, "<memory>")
    assert near is not None and not near.exact and 0.8 <= near.similarity < 1.0
    assert near.id == "doc-5"
    assert new is None
    assert near_cjk is not None and near_cjk.id == "doc-6" and not near_cjk.exact
    assert repr(exact) == "Match(id='doc-4', exact=True, similarity=1.000)"


def test_a_second_add_is_a_second_segment_numbered_on(index: doppel.Index) -> None:
    more = [document(seed) for seed in range(100, 105)]
    assert index.add(more, source="batch-2") == 5
    assert (index.documents, index.segments) == (len(STORED) + 5, 2)
    match = index.query([more[3]])[0]
    assert match is not None
    assert (match.id, match.row, match.source) == (str(len(STORED) + 3), len(STORED) + 3, "batch-2")
    assert index.add([]) == 0 and index.segments == 2
    assert doppel.Index.open(index.path).leftovers == []


def test_leftovers_of_an_interrupted_add_are_named_then_removed(index: doppel.Index) -> None:
    stray = Path(index.path) / "seg-000002.dseg"
    stray.write_bytes(b"half a segment")
    reopened = doppel.Index.open(index.path)
    assert reopened.leftovers == ["seg-000002.dseg"]
    assert reopened.documents == len(STORED)
    assert reopened.add([document(300)]) == 1
    assert reopened.leftovers == [] and reopened.segments == 2
    assert reopened.query([document(300)])[0] is not None


def test_reopened_index_answers_the_same(index: doppel.Index) -> None:
    reopened = doppel.Index.open(index.path)
    assert reopened.documents == len(STORED)
    assert reopened.settings == doppel.Settings()
    assert reopened.params["threshold"] == 0.65 and reopened.params["granularity"] == "auto"
    assert str(reopened.path) == str(index.path)
    assert repr(reopened) == f"Index({str(index.path)!r}, {len(STORED)} documents, 1 segments)"
    queries = [STORED[0], near_copy(STORED[3]), document(77, cjk=True)]
    first = [(m.id, m.similarity) if m else None for m in index.query(queries)]
    again = [(m.id, m.similarity) if m else None for m in reopened.query(queries)]
    assert first == again and first[0] == ("doc-0", 1.0) and first[2] is None
    reopened.verify()
    assert reopened.leftovers == []


def test_index_keeps_its_settings(tmp_path: Path) -> None:
    settings = doppel.Settings(threshold=0.6, shingle="latin=words:2", granularity="line")
    made = doppel.Index.create(tmp_path / "idx", settings)
    made.add(STORED[:3])
    assert made.settings == settings
    reopened = doppel.Index.open(tmp_path / "idx")
    assert (reopened.settings.threshold, reopened.settings.shingle, reopened.settings.granularity) == (
        0.6,
        "spaced=words:2,cjk=chars:5",
        "line",
    )
    with pytest.raises(ValueError, match="threshold"):
        doppel.Index.open(tmp_path / "idx", doppel.Settings())
    assert doppel.Index.open(tmp_path / "idx", settings).documents == 3


def test_query_over_arrow_and_past_one_chunk(index: doppel.Index) -> None:
    # Over 1,024 texts: looked up in chunks, matches kept in their rows.
    queries = [f"Line number {n} of a filler text that nobody stored." for n in range(1500)]
    queries[3] = STORED[1]
    queries[1200] = STORED[2]
    queries[1499] = near_copy(STORED[8])
    for column in (pa.array(queries), pa.chunked_array([queries[:700], queries[700:]], pa.large_string())):
        found = index.query(column)
        assert len(found) == 1500
        hits = {row: match.id for row, match in enumerate(found) if match is not None}
        assert hits == {3: "doc-1", 1200: "doc-2", 1499: "doc-8"}


def test_missing_folder_is_an_oserror_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as caught:
        doppel.Index.open(missing)
    assert caught.value.filename == str(missing)
    assert str(caught.value) == f"[Errno 2] No such file or directory: {str(missing)!r}"


def test_an_unwritable_place_is_an_oserror_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError) as caught:
        doppel.Index.create(blocker / "idx")
    assert str(blocker) in str(caught.value)


def test_a_folder_that_is_not_an_index_or_not_empty(tmp_path: Path, index: doppel.Index) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="not a doppel index"):
        doppel.Index.open(empty)
    with pytest.raises(FileExistsError, match="not empty"):
        doppel.Index.create(index.path)


def test_a_damaged_index_is_refused_naming_the_file(index: doppel.Index) -> None:
    segment = Path(index.path) / "seg-000001.dseg"
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF
    segment.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="seg-000001.dseg"):
        doppel.Index.open(index.path).verify()
    segment.write_bytes(bytes(data[:40]))
    with pytest.raises(ValueError, match="seg-000001.dseg"):
        doppel.Index.open(index.path)
    (Path(index.path) / "manifest.json").write_text("{ not json")
    with pytest.raises(ValueError, match="manifest.json"):
        doppel.Index.open(index.path)


def test_bad_rows_are_refused_and_nothing_is_added(index: doppel.Index) -> None:
    with pytest.raises(ValueError, match=r"texts\[1\] is None"):
        index.add(["fine", None])
    with pytest.raises(ValueError, match="2 ids for 1 texts"):
        index.add(["fine"], ids=["a", "b"])
    with pytest.raises(TypeError, match=r"ids\[0\] is a float"):
        index.add(["fine"], ids=[1.5])
    with pytest.raises(ValueError, match=r"texts\[0\] is null"):
        index.query(pa.array([None, "x"]))
    assert (index.documents, index.segments) == (len(STORED), 1)
    assert doppel.Index.open(index.path).documents == len(STORED)
