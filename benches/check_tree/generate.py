#!/usr/bin/env python3
"""Deterministic documentation tree for the `doppel check` benchmark.

Writes FILES Markdown files under OUT (English-like and, one in ten, Chinese-
like text made from a fixed seed), then plants copies: a paragraph, or two
consecutive ones, copied from one file into another, verbatim or with a few
words (characters, in CJK files) replaced. Every planted copy is recorded in
OUT/../planted.jsonl with where the source and the copy sit (1-based line
ranges) and its true similarity: the Jaccard similarity of the two texts'
shingle sets, cut as doppel cuts them (3 words, or 5 CJK characters, of
lower-cased text without punctuation).

usage: generate.py OUT [FILES] [SEED]
"""

import json
import os
import random
import sys

FILES = 20_000
PLANTED = 1_000
CJK_SHARE = 10
WRAP = 78


def vocabulary(rng, size=6000):
    syllables = ["ka", "lo", "mi", "ne", "sur", "tal", "ven", "dor", "pli", "qua", "rex", "sol",
                 "tim", "ul", "var", "wes", "xen", "yor", "zan", "bri", "cho", "fen", "gar", "hul"]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))))
    return sorted(words)


HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]


class Paragraph:
    def __init__(self, units, cjk):
        self.units = units  # words, or CJK characters
        self.cjk = cjk

    def text(self):
        if self.cjk:
            out = []
            for at, unit in enumerate(self.units):
                out.append(unit)
                if at % 17 == 16:
                    out.append("，")
            return "".join(out) + "。"
        sentence = " ".join(self.units)
        return sentence[0].upper() + sentence[1:] + "."

    def lines(self):
        text = self.text()
        if self.cjk:
            return [text[i:i + 40] for i in range(0, len(text), 40)]
        lines, line = [], ""
        for word in text.split(" "):
            if line and len(line) + 1 + len(word) > WRAP:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        return lines


def shingles(paragraphs):
    units = [u for p in paragraphs for u in p.units]
    k = 5 if paragraphs[0].cjk else 3
    if len(units) < k:
        return {tuple(units)}
    return {tuple(units[i:i + k]) for i in range(len(units) - k + 1)}


def jaccard(a, b):
    return len(a & b) / len(a | b)


def make_file(rng, words, cjk):
    paragraphs = []
    for _ in range(rng.randint(3, 6)):
        if cjk:
            units = [rng.choice(HAN) for _ in range(rng.randint(80, 200))]
        else:
            units = [rng.choice(words) for _ in range(rng.randint(35, 90))]
        paragraphs.append(Paragraph(units, cjk))
    return paragraphs


def edit(rng, paragraph, words, changes):
    units = list(paragraph.units)
    for _ in range(changes):
        at = rng.randrange(len(units))
        units[at] = rng.choice(HAN) if paragraph.cjk else rng.choice(words)
    return Paragraph(units, paragraph.cjk)


def plant(rng, files, words):
    """Copies paragraphs between files of the same script; returns records."""
    originals = [list(ps) for _, ps in files]
    records = []
    for n in range(PLANTED):
        src = rng.randrange(len(files))
        cjk = files[src][0].startswith("zh/")
        dst = rng.randrange(len(files))
        while dst == src or files[dst][0].startswith("zh/") != cjk:
            dst = rng.randrange(len(files))
        count = 2 if n % 5 == 0 and len(originals[src]) > 1 else 1
        first = rng.randrange(len(originals[src]) - count + 1)
        source = originals[src][first:first + count]
        exact = n % 2 == 0
        changes = 0 if exact else rng.randint(1, 5)
        copy = [edit(rng, p, words, changes) if changes else Paragraph(list(p.units), p.cjk) for p in source]
        files[dst][1].insert(rng.randrange(len(files[dst][1]) + 1), copy)
        records.append({"source": source, "copy": copy, "src": src, "dst": dst,
                        "edits": changes, "similarity": round(jaccard(shingles(source), shingles(copy)), 4)})
    return records


def write_tree(out, files):
    """Writes every file; returns {id(paragraph): (path, first, last)}."""
    where = {}
    for path, items in files:
        lines = [f"# {os.path.basename(path)[:-3]}"]
        for item in items:
            group = item if isinstance(item, list) else [item]
            for paragraph in group:
                lines.append("")
                first = len(lines) + 1
                lines.extend(paragraph.lines())
                where[id(paragraph)] = (path, first, len(lines))
        full = os.path.join(out, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    return where


def span(where, paragraphs):
    path, first, _ = where[id(paragraphs[0])]
    return {"path": path, "lines": [first, where[id(paragraphs[-1])][2]]}


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else FILES
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    words = vocabulary(rng)
    files = []
    for n in range(count):
        cjk = n % CJK_SHARE == 0
        section = f"{'zh' if cjk else 'en'}/section{n % 97:02d}"
        files.append((f"{section}/page{n:05d}.md", make_file(rng, words, cjk)))
    records = plant(rng, files, words)
    where = write_tree(out, files)
    manifest = os.path.join(os.path.dirname(os.path.abspath(out)), "planted.jsonl")
    with open(manifest, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps({"source": span(where, r["source"]), "copy": span(where, r["copy"]),
                                "edits": r["edits"], "similarity": r["similarity"],
                                "cjk": r["source"][0].cjk}) + "\n")
    print(f"{count} files, {len(records)} planted copies -> {manifest}")


if __name__ == "__main__":
    main()
