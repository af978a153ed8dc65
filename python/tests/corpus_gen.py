"""The test corpus: a few hundred documents in English, Chinese and
Japanese, with exact copies, near copies edited at a few percent, and
unrelated documents, written as JSON Lines (``id``, ``text``).

Everything is made from a seeded generator, so a corpus is the same on
every machine; nothing is read from disk or the network.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

_ENGLISH_WORDS = (
    "river stone market winter garden letter bridge harbour lantern orchard "
    "window mountain village teacher engine signal meadow kitchen journey "
    "forest silver candle island ladder mirror pocket rocket saddle thunder "
    "valley whisper yellow zebra anchor basket copper desert feather glacier "
    "hammer insect jacket kettle lemon marble needle ocean pepper quarter "
    "ribbon shadow tunnel umbrella velvet wagon almond blossom cactus dragon "
    "ember falcon goblet hazel ivory jasmine kernel lizard meteor nectar "
    "oyster parrot quiver raven sapphire timber urchin violet walnut"
).split()

# Common Han characters and kana: the documents need not read well, only
# be written in the script the engine shingles by character.
_HAN = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明"
)
_KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコサシスセソタチツテト"


@dataclass(frozen=True)
class Record:
    """One JSON Lines record: what the CLI and the engines read."""

    id: str
    text: str


def _english(rng: random.Random, paragraphs: int) -> str:
    out = []
    for _ in range(paragraphs):
        words = [rng.choice(_ENGLISH_WORDS) for _ in range(rng.randint(40, 70))]
        out.append(" ".join(words).capitalize() + ".")
    return "\n\n".join(out)


def _cjk(rng: random.Random, alphabet: str, paragraphs: int) -> str:
    out = []
    for _ in range(paragraphs):
        chars = [rng.choice(alphabet) for _ in range(rng.randint(60, 110))]
        out.append("".join(chars) + "。")
    return "\n\n".join(out)


def _edit(rng: random.Random, text: str, rate: float, alphabet: str | None) -> str:
    """A near copy: about ``rate`` of the words (or characters) replaced."""
    if alphabet is None:
        paragraphs = text.split("\n\n")
        edited = []
        for paragraph in paragraphs:
            words = paragraph.split(" ")
            for at in range(len(words)):
                if rng.random() < rate:
                    words[at] = rng.choice(_ENGLISH_WORDS)
            edited.append(" ".join(words))
        return "\n\n".join(edited)
    chars = list(text)
    for at, char in enumerate(chars):
        if char not in "\n。" and rng.random() < rate:
            chars[at] = rng.choice(alphabet)
    return "".join(chars)


def generate(seed: int = 7, originals: int = 150) -> list[Record]:
    """The corpus: ``originals`` unrelated documents (a third each English,
    Chinese and Japanese), then exact copies of some, near copies (1–4 %
    edited) of others, and copies of copies, shuffled into one order."""
    rng = random.Random(seed)
    docs: list[tuple[str, str | None]] = []
    for number in range(originals):
        kind = number % 3
        paragraphs = rng.randint(2, 4)
        if kind == 0:
            docs.append((_english(rng, paragraphs), None))
        elif kind == 1:
            docs.append((_cjk(rng, _HAN, paragraphs), _HAN))
        else:
            docs.append((_cjk(rng, _KANA + _HAN[:40], paragraphs), _KANA))
    derived: list[str] = []
    for text, alphabet in rng.sample(docs, originals // 4):
        derived.append(text)  # an exact copy
        if rng.random() < 0.3:
            derived.append(text)  # and another
    for text, alphabet in rng.sample(docs, originals // 3):
        near = _edit(rng, text, rng.uniform(0.01, 0.04), alphabet)
        derived.append(near)
        if rng.random() < 0.4:
            derived.append(near)  # an exact copy of a near copy
        if rng.random() < 0.3:
            derived.append(_edit(rng, near, 0.02, alphabet))  # a copy of a copy
    texts = [text for text, _ in docs] + derived
    rng.shuffle(texts)
    return [Record(id=f"doc-{number:04d}", text=text) for number, text in enumerate(texts)]


def write_jsonl(records: list[Record], path: Path) -> Path:
    """Writes ``records`` as JSON Lines (``id``, ``text``) to ``path``."""
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps({"id": record.id, "text": record.text}, ensure_ascii=False))
            out.write("\n")
    return path


if __name__ == "__main__":
    import sys

    write_jsonl(generate(), Path(sys.argv[1] if len(sys.argv) > 1 else "corpus.jsonl"))
