#!/usr/bin/env python3
"""Writes a mostly Chinese and Japanese JSON Lines corpus made of real prose:
the paragraphs of Debian's manpages-zh and manpages-ja.

    benches/cjk_corpus.py MAN_ROOT OUT.jsonl SIZE [SEED]

MAN_ROOT is a folder holding the extracted packages (`dpkg-deb -x`), e.g.
benches/data/man; `benches/pipeline_run.sh` fetches and extracts them. SIZE
is a byte count with an optional K, M or G suffix (powers of 1024).

Only paragraphs whose letters are mostly Han, kana or Hangul are kept. Each
document is a run of 4 to 24 consecutive paragraphs of one man page,
starting at a random paragraph, so documents share paragraphs the way pages
of one site share text, but are seldom near duplicates by chance. Half of
the documents belong to duplicate families: an original followed later by
exact copies and near copies with character edits (deleted, inserted or
swapped characters at rates from 0.2% to 15%, both sides of a 0.8 Jaccard
threshold). Every record has `id`, `text` and `site` (the man section).
The file is written under a temporary name and renamed into place.
"""

import gzip
import json
import os
import random
import re
import sys

RATES = [0.002, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15]
ROFF_FONT = re.compile(r"\\f[BIRP]|\\f\(..|\\-|\\&|\\\(em|\\e")


def paragraphs_of(page):
    """Paragraphs of a roff page, with its macros and font escapes removed."""
    paragraphs, current = [], []
    for line in page.splitlines():
        if line.startswith('.\\"') or line.startswith("'\\\""):
            continue
        if line.startswith("."):
            macro = line.split(None, 1)
            if macro[0] in (".PP", ".P", ".LP", ".SH", ".SS", ".TP", ".IP", ".sp", ".br"):
                if current:
                    paragraphs.append("".join(current))
                    current = []
                if macro[0] in (".SH", ".SS") and len(macro) > 1:
                    paragraphs.append(ROFF_FONT.sub("", macro[1]).strip('"'))
                continue
            if len(macro) > 1 and macro[0] in (".B", ".I", ".BR", ".IR", ".BI", ".RB", ".RI"):
                current.append(ROFF_FONT.sub("", macro[1]).replace('"', "") + " ")
            continue
        text = ROFF_FONT.sub("", line).strip()
        if text:
            current.append(text)
    if current:
        paragraphs.append("".join(current))
    return [p for p in paragraphs if len(p) >= 8 and mostly_cjk(p)]


def mostly_cjk(text):
    """Whether at least 60% of the letters are Han, kana or Hangul: man pages
    quote commands and options in Latin letters, which are left out here so
    that the corpus is mostly Chinese and Japanese prose."""
    letters = [c for c in text if c.isalpha()]
    cjk = sum(1 for c in letters if "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af")
    return letters and cjk >= 0.6 * len(letters)


def load_pages(root):
    pages = []
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if not name.endswith(".gz") or "/man" not in folder:
                continue
            try:
                with gzip.open(os.path.join(folder, name), "rt", encoding="utf-8", errors="replace") as f:
                    paragraphs = paragraphs_of(f.read())
            except (OSError, EOFError):
                continue
            if len(paragraphs) >= 4:
                pages.append((os.path.basename(folder), paragraphs))
    return pages


def edit(text, rate, rng):
    chars = list(text)
    for _ in range(max(1, int(len(chars) * rate))):
        at = rng.randrange(len(chars))
        kind = rng.randrange(3)
        if kind == 0 and len(chars) > 1:
            del chars[at]
        elif kind == 1:
            chars.insert(at, rng.choice(chars))
        else:
            other = rng.randrange(len(chars))
            chars[at], chars[other] = chars[other], chars[at]
    return "".join(chars)


def parse_size(size):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if size[-1].upper() in units:
        return int(size[:-1]) * units[size[-1].upper()]
    return int(size)


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        sys.exit(2)
    root, out, size = sys.argv[1], sys.argv[2], parse_size(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 0xD099E1)
    pages = load_pages(root)
    if not pages:
        sys.exit(f"cjk_corpus: no man pages under {root}")
    partial = out + ".partial"
    written = docs = 0
    pending = []  # (due document number, text) of copies still to write
    with open(partial, "w", encoding="utf-8") as f:
        while written < size:
            if pending and pending[0][0] <= docs:
                site, text = pending.pop(0)[1]
            else:
                site, paragraphs = rng.choice(pages)
                start = rng.randrange(len(paragraphs))
                text = "\n\n".join(paragraphs[start : start + rng.randint(4, 24)])
                if rng.random() < 0.25:
                    for _ in range(rng.randint(1, 4)):
                        copy = text if rng.random() < 0.3 else edit(text, rng.choice(RATES), rng)
                        pending.append((docs + rng.randint(1, 5000), (site, copy)))
                    pending.sort(key=lambda item: item[0])
            line = json.dumps({"id": f"d{docs}", "text": text, "site": site}, ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            docs += 1
    os.replace(partial, out)
    print(f"{out}: {docs} documents, {written} bytes, from {len(pages)} man pages")


if __name__ == "__main__":
    main()
