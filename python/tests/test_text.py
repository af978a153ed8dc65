"""Tests of ``doppel.decode``, ``doppel.diff`` and ``doppel.find_blocks``:
what they find, that every offset is a Python string index (CJK
included), and that bad input is refused naming what is wrong."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

import pyarrow as pa
import pytest

import doppel

WORDS = (
    "river stone garden window lantern harbor violin meadow copper signal "
    "thunder pocket island saddle mirror orchard ribbon canyon feather marble"
).split()
HAN = "北京上海天地人山水火木金土日月风云雨雪春夏秋冬东南西北中文字学生老师朋友"


def sentences(seed: int, count: int, cjk: bool = False) -> list[str]:
    """``count`` sentences from a fixed generator: English words, or Han
    characters when ``cjk``."""
    rng = random.Random(seed)
    if cjk:
        return ["".join(rng.choice(HAN) for _ in range(rng.randint(12, 20))) + "。" for _ in range(count)]
    return [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14))).capitalize() + "."
        for _ in range(count)
    ]


def rebuild(old: str, new: str, ops: Sequence[tuple[str, int, int, int, int]]) -> str:
    """The new text from the old one and the ops, by Python slicing."""
    out = []
    for tag, a, b, c, d in ops:
        if tag == "equal":
            assert old[a:b] == new[c:d]
            out.append(old[a:b])
        elif tag != "delete":
            out.append(new[c:d])
    return "".join(out)


def assert_ops_cover(old: str, new: str, ops: Sequence[tuple[str, int, int, int, int]]) -> None:
    """The ops run over both texts in order, without gaps."""
    at_old = at_new = 0
    for tag, a, b, c, d in ops:
        assert tag in ("equal", "delete", "insert", "replace")
        assert (a, c) == (at_old, at_new)
        assert a <= b and c <= d
        if tag == "delete":
            assert c == d and a < b
        if tag == "insert":
            assert a == b and c < d
        at_old, at_new = b, d
    assert (at_old, at_new) == (len(old), len(new))


# ---------------------------------------------------------------- decode


def test_decode_valid_utf8() -> None:
    text = "Grüße, 世界"
    decoded = doppel.decode(text.encode())
    assert (decoded.text, decoded.encoding, decoded.detection) == (text, "UTF-8", "valid-utf8")
    assert not decoded.bom and decoded.malformed == 0


def test_decode_guesses_a_legacy_encoding() -> None:
    decoded = doppel.decode(b"caf\xe9 cr\xe8me br\xfbl\xe9e, tr\xe8s bien")
    assert decoded.text == "café crème brûlée, très bien"
    assert (decoded.encoding, decoded.detection) == ("windows-1252", "guessed")


def test_decode_guesses_gbk_chinese() -> None:
    text = "".join(sentences(3, 20, cjk=True))
    decoded = doppel.decode(text.encode("gbk"))
    assert decoded.text == text
    assert decoded.encoding == "GBK"
    assert decoded.detection == "guessed"


def test_decode_reads_and_removes_byte_order_marks() -> None:
    decoded = doppel.decode(b"\xef\xbb\xbfhello")
    assert (decoded.text, decoded.encoding, decoded.detection, decoded.bom) == ("hello", "UTF-8", "bom", True)
    decoded = doppel.decode("北京 hello".encode("utf-16"))  # with a BOM
    assert decoded.text == "北京 hello"
    assert decoded.encoding in ("UTF-16LE", "UTF-16BE") and decoded.bom


def test_decode_tells_utf16_without_a_mark_by_its_nuls() -> None:
    decoded = doppel.decode("plain ascii text in utf-16".encode("utf-16-le"))
    assert decoded.text == "plain ascii text in utf-16"
    assert (decoded.encoding, decoded.detection, decoded.bom) == ("UTF-16LE", "utf16-pattern", False)


def test_decode_forced_encoding_and_malformed_count() -> None:
    decoded = doppel.decode("日本語のテキスト".encode("shift_jis"), "shift_jis")
    assert (decoded.text, decoded.encoding, decoded.detection) == ("日本語のテキスト", "Shift_JIS", "forced")
    decoded = doppel.decode(b"abc \xff def ghi jkl mno pqr stu", encoding="utf-8")
    assert decoded.text == "abc \ufffd def ghi jkl mno pqr stu"
    assert decoded.malformed == 1


def test_decode_accepts_bytearray_and_shows_a_repr() -> None:
    decoded = doppel.decode(bytearray(b"caf\xe9 au lait"))
    assert decoded.text == "café au lait"
    assert repr(decoded).startswith(
        "Decoded(encoding='windows-1252', detection='guessed', bom=False, malformed=0"
    )
    assert str(decoded) == "café au lait"


def test_decode_refuses_bad_input_naming_it() -> None:
    with pytest.raises(ValueError, match="no-such-encoding"):
        doppel.decode(b"abc", "no-such-encoding")
    with pytest.raises(ValueError, match="binary"):
        doppel.decode(b"\x7fELF\x00\x01\x02\x03 not text")
    with pytest.raises(TypeError, match="data: a str"):
        doppel.decode("already text")  # type: ignore[arg-type]


# ------------------------------------------------------------------ diff


def test_diff_words_inside_a_changed_line() -> None:
    old = "The quick brown fox jumps.\nNothing else changes here.\n"
    new = "The quick red fox jumps.\nNothing else changes here.\n"
    result = doppel.diff(old, new, by="word")
    assert not result.is_equal and bool(result)
    changed = [op for op in result.ops if op[0] != "equal"]
    assert len(changed) == 1
    tag, a, b, c, d = changed[0]
    assert (tag, old[a:b], new[c:d]) == ("replace", "brown", "red")
    assert_ops_cover(old, new, result.ops)
    assert result.apply() == new
    assert rebuild(old, new, result.ops) == new
    assert 0.0 < result.similarity < 1.0


def test_diff_offsets_are_characters_in_cjk_text() -> None:
    old = "北京是中国的首都。\nThe quick brown fox.\n"
    new = "北京是中国的首府。\nThe quick red fox.\n"
    result = doppel.diff(old, new)
    pieces = [(old[a:b], new[c:d]) for tag, a, b, c, d in result.ops if tag != "equal"]
    assert pieces == [("都", "府"), ("brown", "red")]
    assert_ops_cover(old, new, result.ops)
    assert rebuild(old, new, result.ops) == new


def test_diff_by_line_and_by_char() -> None:
    old = "alpha beta\ngamma\n"
    new = "alpha beta\ngamme\n"
    by_line = doppel.diff(old, new, by="line")
    assert by_line.ops == [("equal", 0, 11, 0, 11), ("replace", 11, 17, 11, 17)]
    by_char = doppel.diff(old, new, by="char")
    assert [op for op in by_char.ops if op[0] != "equal"] == [("replace", 15, 16, 15, 16)]


def test_diff_of_equal_texts() -> None:
    text = "\n".join(sentences(1, 5)) + "\n"
    result = doppel.diff(text, text)
    assert result.is_equal and not result
    assert result.ops == [("equal", 0, len(text), 0, len(text))]
    assert result.text == "" and result.moves == [] and result.similarity == 1.0
    assert doppel.diff("", "").ops == []


def test_diff_ignore_options() -> None:
    assert doppel.diff("Hello World\n", "hello world\n", ignore_case=True).is_equal
    assert doppel.diff("a  b\n", "a b\n", ignore_whitespace=True).is_equal
    assert not doppel.diff("Hello World\n", "hello world\n").is_equal


def test_diff_reports_moved_blocks() -> None:
    lines = sentences(7, 6)
    old = "\n".join(lines) + "\n"
    moved = lines[1:5] + lines[:1] + lines[5:]
    new = "\n".join(moved) + "\n"
    result = doppel.diff(old, new)
    assert len(result.moves) == 1
    move = result.moves[0]
    assert old[move.old[0] : move.old[1]] == new[move.new[0] : move.new[1]]
    assert move.similarity == 1.0
    assert result.apply() == new
    assert "Move(old=" in repr(move)
    assert doppel.diff(old, new, moves=False).moves == []


def test_diff_rebuilds_new_from_old_on_generated_edits() -> None:
    rng = random.Random(11)
    for round_ in range(40):
        cjk = round_ % 2 == 1
        base = sentences(round_, 12, cjk=cjk)
        edited = list(base)
        for _ in range(4):
            at = rng.randrange(len(edited))
            action = rng.choice(["drop", "add", "edit"])
            if action == "drop":
                del edited[at]
            elif action == "add":
                edited.insert(at, sentences(1000 + round_, 1, cjk=cjk)[0])
            else:
                text = edited[at]
                cut = rng.randrange(len(text))
                edited[at] = text[:cut] + rng.choice("xyz北") + text[cut + 1 :]
        old, new = "\n".join(base) + "\n", "\n".join(edited) + "\n"
        for by in ("auto", "line", "word", "char"):
            result = doppel.diff(old, new, by=by, deadline=None)
            assert_ops_cover(old, new, result.ops)
            assert rebuild(old, new, result.ops) == new
            assert result.apply() == new


def test_diff_past_its_deadline_is_approximate_and_still_correct() -> None:
    old = "\n".join(sentences(50, 400)) + "\n"
    new = old.replace("river", "brook")
    result = doppel.diff(old, new, deadline=1e-9)
    assert result.approximate and "approximate" in repr(result)
    assert_ops_cover(old, new, result.ops)
    assert result.apply() == new
    assert not doppel.diff(old, new, deadline=None).approximate


def test_diff_formats() -> None:
    old = "北京是中国的首都。\nThe quick brown fox.\n"
    new = "北京是中国的首府。\nThe quick red fox.\n"
    unified = doppel.diff(old, new, old_name="a.txt", new_name="b.txt")
    assert unified.format == "unified"
    assert "--- a.txt" in unified.text and "+++ b.txt" in unified.text
    assert "-The quick brown fox.\n" in unified.text and "+The quick red fox.\n" in unified.text
    assert "\x1b[" not in unified.text
    word = doppel.diff(old, new, format="word")
    assert "首[-都-]{+府+}" in word.text and "[-brown-]{+red+}" in word.text
    side = doppel.diff(old, new, format="side-by-side", width=60)
    assert all(len(line) <= 60 for line in side.text.splitlines())
    stat = doppel.diff(old, new, format="stat")
    assert "1 file" in stat.text or "changed" in stat.text
    records = [json.loads(line) for line in doppel.diff(old, new, format="json").text.splitlines()]
    assert records[0]["type"] == "begin" and records[-1]["type"] == "summary"
    assert any(record["type"] == "document" for record in records)
    long_old = "\n".join(sentences(5, 12)) + "\n"
    long_new = long_old.replace(".\n", "!\n", 6).replace("!\n", ".\n", 5)
    hunk = [
        line for line in doppel.diff(long_old, long_new, context=0).text.splitlines() if line[:1] in " -+@"
    ]
    assert len([line for line in hunk if line.startswith(" ")]) == 0
    hunk = [line for line in doppel.diff(long_old, long_new, context=2).text.splitlines() if line[:1] == " "]
    assert len(hunk) == 4


def test_diff_refuses_bad_choices_listing_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match=r"by: 'words' is not one of 'auto', 'line', 'word', 'char'"):
        doppel.diff("a", "b", by="words")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"format: 'color' is not one of 'unified', 'word', 'side-by-side'"):
        doppel.diff("a", "b", format="color")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="algorithm: 'fast'"):
        doppel.diff("a", "b", algorithm="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="deadline"):
        doppel.diff("a", "b", deadline=-1.0)
    with pytest.raises(ValueError, match="width: 5 is not from 20 to 10000"):
        doppel.diff("a", "b", width=5)
    with pytest.raises(ValueError, match="width: -1"):
        doppel.diff("a", "b", width=-1)
    with pytest.raises(ValueError, match="context: -1 is not 0 or more"):
        doppel.diff("a", "b", context=-1)
    with pytest.raises(TypeError):
        doppel.diff(b"a", "b")  # type: ignore[arg-type]


def test_diff_repr() -> None:
    result = doppel.diff("a\nb\n", "a\nc\n")
    assert repr(result) == f"Diff(1 changes, 0 moves, similarity={result.similarity:.3f})"


# ----------------------------------------------------------- find_blocks


def repeated(cjk: bool) -> tuple[str, str]:
    """A text whose second paragraph comes back as its fourth, and that
    paragraph."""
    first, again, other, last = ("".join(sentences(seed, 3, cjk=cjk)) for seed in (20, 21, 22, 23))
    return "\n\n".join([first, again, other, again, last]) + "\n", again


@pytest.mark.parametrize("cjk", [False, True])
def test_find_blocks_gives_character_offsets(cjk: bool) -> None:
    text, again = repeated(cjk)
    # The generated sentences share a small vocabulary, so two different
    # paragraphs are 0.66 alike by character 5-grams: at 0.8 only the repeat
    # is a block.
    (blocks,) = doppel.find_blocks([text], settings=doppel.Settings(threshold=0.8))
    assert len(blocks) == 1
    block = blocks[0]
    assert len(block) == 2 and block.exact and block.similarity == 1.0
    assert [text[start:end].strip() for start, end in block.copies] == [again, again]
    encoded = text.encode()
    assert [encoded[start:end].decode().strip() for start, end in block.byte_copies] == [again, again]
    assert block.lines == [(3, 3), (7, 7)]
    assert block.segments == 1 and block.differing == []
    assert repr(block).startswith("Block(copies=[(")


def test_find_blocks_reports_near_copies_and_where_they_differ() -> None:
    first, second, third = sentences(31, 3)
    repeated_paragraph = " ".join([first, second, third])
    edited_paragraph = " ".join([first, second, "Zeppelin " + third.split(" ", 1)[1]])
    others = [" ".join(sentences(seed, 3)) for seed in (40, 41, 42)]
    text = "\n\n".join(
        [others[0], repeated_paragraph, others[1], repeated_paragraph, others[2], edited_paragraph]
    )
    settings = doppel.Settings(granularity="sentence", min_units=8)
    (block,) = doppel.find_blocks([text], settings=settings)[0]
    assert not block.exact and 0.0 < block.similarity < 1.0
    assert [text[a:b].strip() for a, b in block.copies] == [
        repeated_paragraph,
        repeated_paragraph,
        edited_paragraph,
    ]
    # The third copy departs from the first in its last sentence only.
    ((copy, in_first, in_other, similarity),) = block.differing
    assert copy == 2 and 0.0 < similarity < 1.0
    assert in_first is not None and in_other is not None
    assert text[in_first[0] : in_first[1]] == third
    assert text[in_other[0] : in_other[1]] == "Zeppelin " + third.split(" ", 1)[1]


def test_find_blocks_over_a_batch_keeps_the_order() -> None:
    english, _ = repeated(False)
    chinese, _ = repeated(True)
    plain = "\n\n".join(sentences(40, 6)) + "\n"
    texts = [english, plain, chinese, plain]
    from_list = doppel.find_blocks(texts)
    assert [len(blocks) for blocks in from_list] == [1, 0, 1, 0]
    for column in (
        pa.array(texts),
        pa.array(texts, pa.large_string()),
        pa.chunked_array([texts[:1], texts[1:]]),
    ):
        found = doppel.find_blocks(column)
        assert [[b.copies for b in blocks] for blocks in found] == [
            [b.copies for b in blocks] for blocks in from_list
        ]


def test_find_blocks_follows_settings() -> None:
    text, _ = repeated(False)
    assert doppel.find_blocks([text], settings=doppel.Settings(min_units=1000)) == [[]]


def test_find_blocks_refuses_bad_rows_naming_them() -> None:
    with pytest.raises(ValueError, match=r"texts\[1\] is None"):
        doppel.find_blocks(["fine", None])
    with pytest.raises(ValueError, match=r"texts\[2\] is null"):
        doppel.find_blocks(pa.array(["a", "b", None]))
    with pytest.raises(TypeError, match=r"texts\[0\] is a int"):
        doppel.find_blocks([3])
    with pytest.raises(TypeError, match="one str"):
        doppel.find_blocks("a single text")
