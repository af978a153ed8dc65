#!/usr/bin/env python3
"""Writes the labelled near-duplicate corpus of benches/neardup_eval.sh: real
Chinese, Japanese and English documents, and planted copies of some of them
whose kind and rate are known.

    benches/neardup_corpus.py ROOT OUT.jsonl LABELS.jsonl [SIZE] [SEED]

ROOT holds the extracted Debian packages (`dpkg-deb -x`) and the npm package
`spdx-license-list` (`npm pack`, unpacked under ROOT/package). SIZE (bytes,
with an optional K, M or G suffix, powers of 1024; default 100M) caps the
output; SEED (default 12) makes it reproducible: the same inputs and seed give
the same bytes.

Real documents (kind `original`), each a disjoint stretch of one source, so
that no two of them are copies by construction (similar ones are, like the
licence families, real):

| origin | package | what a document is |
|---|---|---|
| `man/zh_CN`, `man/zh_TW`, `man/ja` | manpages-zh, manpages-ja, manpages-ja-dev | a man page's paragraphs (roff macros stripped), cut into pieces of about 2,000 characters (a short tail joins the piece before it); pages whose letters are mostly Latin are left out |
| `fortune/zh` | fortunes-zh | 1 to 12 consecutive cookies of chinese, tang300, song100 |
| `help/zh_CN`, `help/zh_TW`, `help/ja` | libreoffice-help-zh-cn, -zh-tw, -ja | a help page's paragraphs, cut likewise; untranslated (mostly Latin) pages left out |
| `spdx` | spdx-license-list (npm) | one licence's full text |
| `man/en` | manpages, manpages-dev | an English man page's paragraphs, cut likewise |
| `fortune/en` | fortunes-min | 1 to 12 consecutive cookies |

Planted copies, each of an original chosen at random, no original the source
of two (labels give `source`, `kind`, `rate`):

| kind | rate | the copy |
|---|---|---|
| `exact` | 0 | the same text |
| `edit` | 0.01 … 0.40 | that share of its characters edited: each edit substitutes, inserts or deletes one character at a random place |
| `reorder` | share of paragraphs moved | its paragraphs shuffled |
| `reencode` | share of characters changed | passed through its script's legacy encoding (GBK, Big5, Shift_JIS, windows-1252) and back, characters it lacks becoming `?` |
| `fold` | share of characters changed | NFKC-folded (full-width forms to ASCII, compatibility characters to their base) |
| `damage` | share of characters changed | 1 to 4 paragraphs through a GBK, Big5 or Shift_JIS byte misalignment (one byte inside a double-byte character dropped or doubled, decoded with U+FFFD or `?`), as in corpus/scraped_page_zh.txt |
| `truncate` | share kept | its first 40–90% |
| `snippet` | share kept | a stretch of 5–30% from its middle |

Documents are shuffled, then numbered `d000000`, `d000001`, …; each output
line is `{"id": …, "text": …}`; LABELS has a line per document: `id`,
`kind`, `origin`, and for copies `source` (the original's id) and `rate`.
Both files are written under temporary names and renamed into place.
"""

import codecs
import gzip
import json
import os
import random
import re
import sys
import unicodedata

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cjk_corpus import paragraphs_of  # noqa: E402

EDIT_RATES = [0.01, 0.03, 0.05, 0.10, 0.20, 0.40]
LEGACY = {
    "man/zh_CN": "gbk",
    "help/zh_CN": "gbk",
    "fortune/zh": "gbk",
    "man/zh_TW": "big5",
    "help/zh_TW": "big5",
    "man/ja": "shift_jis",
    "help/ja": "shift_jis",
}
CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PIECE = 2000
CJK_SHARE = 0.62


def cjk_letters_share(text):
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if CJK.match(c)) / max(1, len(letters))


def all_paragraphs(page):
    """Every paragraph of a roff page, mostly-Latin ones included (they are
    real text of the page): cjk_corpus's parser with its CJK filter off."""
    import cjk_corpus

    keep = cjk_corpus.mostly_cjk
    cjk_corpus.mostly_cjk = lambda text: True
    try:
        return paragraphs_of(page)
    finally:
        cjk_corpus.mostly_cjk = keep


def pieces(paragraphs):
    """Consecutive paragraphs, cut into pieces of at most PIECE characters."""
    out, current, size = [], [], 0
    for p in paragraphs:
        if current and size + len(p) > PIECE:
            out.append(current)
            current, size = [], 0
        current.append(p)
        size += len(p) + 2
    if current:
        # A short tail (a colophon, a SEE ALSO list) joins the piece before
        # it rather than standing alone as a document many pages share.
        if out and size < PIECE // 2:
            out[-1].extend(current)
        else:
            out.append(current)
    return out


def man_documents(root, folders, origin, cjk):
    docs = []
    for folder in folders:
        top = os.path.join(root, "usr/share/man", folder)
        for base, dirs, files in os.walk(top):
            dirs.sort()
            if folder == "" and os.path.relpath(base, top).split(os.sep)[0] not in {f"man{n}" for n in range(1, 10)}:
                continue
            for name in sorted(files):
                if not name.endswith(".gz"):
                    continue
                try:
                    with gzip.open(os.path.join(base, name), "rt", encoding="utf-8", errors="strict") as f:
                        page = f.read()
                except (OSError, EOFError, UnicodeDecodeError):
                    continue
                if page.startswith(".so "):
                    continue
                paragraphs = all_paragraphs(page)
                text = "\n\n".join(paragraphs)
                if len(text) < 200:
                    continue
                if cjk and cjk_letters_share(text) < 0.5:
                    continue
                for at, piece in enumerate(pieces(paragraphs)):
                    if sum(len(p) for p in piece) >= 100:
                        docs.append((f"{origin}/{name}#{at}", origin, piece))
    return docs


HTML_BLOCK = re.compile(r"<(p|h[1-6]|li|td)[^>]*>(.*?)</\1>", re.S)


def help_documents(root, lang, origin):
    """LibreOffice's help pages in one language: the paragraphs of each
    page's display area (header, index and debug footer left out), pages
    whose letters are mostly Latin (untranslated) skipped."""
    import html

    docs = []
    top = os.path.join(root, "usr/share/libreoffice/help", lang)
    for base, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".html"):
                continue
            try:
                with open(os.path.join(base, name), encoding="utf-8") as f:
                    page = f.read()
            except (OSError, UnicodeDecodeError):
                continue
            start, end = page.find('id="DisplayArea"'), page.find('<div id="SearchFrame"')
            if start < 0 or end < start:
                continue
            paragraphs = []
            for m in HTML_BLOCK.finditer(page[start:end]):
                text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).split())
                if text:
                    paragraphs.append(text)
            text = "\n\n".join(paragraphs)
            if len(text) < 200 or cjk_letters_share(text) < 0.5:
                continue
            rel = os.path.relpath(os.path.join(base, name), top)
            for at, piece in enumerate(pieces(paragraphs)):
                docs.append((f"{origin}/{rel}#{at}", origin, piece))
    return docs


def fortune_documents(root, names, origin, joiner, rng):
    docs = []
    for name in names:
        path = os.path.join(root, "usr/share/games/fortunes", name)
        try:
            with open(path, encoding="utf-8") as f:
                text = ANSI.sub("", f.read())
        except (OSError, UnicodeDecodeError):
            continue
        cookies = []
        for cookie in text.split("\n%\n"):
            lines = [line.strip() for line in cookie.splitlines() if line.strip()]
            if lines:
                cookies.append(joiner.join(lines))
        at = 0
        while at < len(cookies):
            take = rng.randint(1, 12)
            group = cookies[at : at + take]
            if sum(len(c) for c in group) >= 60:
                docs.append((f"{origin}/{name}#{at}", origin, group))
            at += take
    return docs


def spdx_documents(root):
    path = os.path.join(root, "package", "spdx-full.json")
    with open(path, encoding="utf-8") as f:
        licences = json.load(f)
    docs = []
    for key in sorted(licences):
        text = licences[key].get("licenseText") or ""
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
        if sum(len(p) for p in paragraphs) >= 100:
            docs.append((f"spdx/{key}", "spdx", paragraphs))
    return docs


def edit(text, rate, rng):
    chars = list(text)
    alphabet = [c for c in chars if not c.isspace()] or ["x"]
    for _ in range(max(1, round(len(chars) * rate))):
        op = rng.randrange(3)
        if op == 0 and len(chars) > 1:
            del chars[rng.randrange(len(chars))]
        elif op == 1:
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(alphabet))
        else:
            at = rng.randrange(len(chars))
            chars[at] = rng.choice(alphabet)
    return "".join(chars)


def changed_share(a, b):
    """Share of characters that differ, position by position (a rough rate
    for labels of copies whose length is kept or nearly kept)."""
    n = max(len(a), len(b), 1)
    return (sum(1 for x, y in zip(a, b) if x != y) + abs(len(a) - len(b))) / n


def misalign(paragraph, encoding, rng):
    """A paragraph through a byte misalignment: encoded, one byte inside a
    double-byte character dropped or doubled, decoded with U+FFFD or `?`."""
    data = bytearray(paragraph.encode(encoding, errors="replace"))
    doubles = [i for i in range(len(data) - 1) if data[i] >= 0x81]
    if not doubles:
        return paragraph
    at = rng.choice(doubles) + 1
    if rng.random() < 0.5:
        del data[at]
    else:
        data.insert(at, data[at])
    habit = rng.choice(["replace", "question"])
    text = bytes(data).decode(encoding, errors="replace")
    return text.replace("\ufffd", "?") if habit == "question" else text


def plant(kind, rate, paragraphs, origin, rng):
    """The copy of a document (its paragraphs) and its label's rate, or None
    when the kind does not apply to it."""
    text = "\n\n".join(paragraphs)
    if kind == "exact":
        return text, 0.0
    if kind == "edit":
        return edit(text, rate, rng), rate
    if kind == "reorder":
        if len(paragraphs) < 3:
            return None
        order = list(range(len(paragraphs)))
        while order == sorted(order):
            rng.shuffle(order)
        moved = sum(1 for i, j in enumerate(order) if i != j) / len(order)
        return "\n\n".join(paragraphs[i] for i in order), round(moved, 3)
    if kind == "reencode":
        encoding = LEGACY.get(origin, "cp1252")
        copy = text.encode(encoding, errors="replace").decode(encoding)
        return (copy, round(changed_share(text, copy), 4)) if copy != text else None
    if kind == "fold":
        copy = unicodedata.normalize("NFKC", text)
        return (copy, round(changed_share(text, copy), 4)) if copy != text else None
    if kind == "damage":
        encoding = LEGACY.get(origin)
        if encoding is None:
            return None
        hit = list(paragraphs)
        places = [i for i, p in enumerate(hit) if CJK.search(p)]
        if not places:
            return None
        for i in rng.sample(places, min(len(places), rng.randint(1, 4))):
            hit[i] = misalign(hit[i], encoding, rng)
        copy = "\n\n".join(hit)
        return (copy, round(changed_share(text, copy), 4)) if copy != text else None
    if kind == "truncate":
        keep = rng.uniform(0.4, 0.9)
        return text[: max(1, int(len(text) * keep))], round(keep, 3)
    if kind == "snippet":
        keep = rng.uniform(0.05, 0.3)
        length = max(20, int(len(text) * keep))
        if length >= len(text):
            return None
        start = rng.randrange(len(text) - length)
        return text[start : start + length], round(length / len(text), 3)
    raise ValueError(kind)


def parse_size(size):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if size[-1].upper() in units:
        return int(size[:-1]) * units[size[-1].upper()]
    return int(size)


def is_cjk_origin(origin):
    return origin in LEGACY


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        sys.exit(2)
    root, out, labels_out = sys.argv[1:4]
    size = parse_size(sys.argv[4]) if len(sys.argv) > 4 else 100 << 20
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 12)

    originals = []
    originals += man_documents(root, ["zh_CN"], "man/zh_CN", True)
    originals += man_documents(root, ["zh_TW"], "man/zh_TW", True)
    originals += man_documents(root, ["ja"], "man/ja", True)
    originals += fortune_documents(root, ["chinese", "tang300", "song100"], "fortune/zh", "\n", rng)
    originals += help_documents(root, "zh-CN", "help/zh_CN")
    originals += help_documents(root, "zh-TW", "help/zh_TW")
    originals += help_documents(root, "ja", "help/ja")
    originals += spdx_documents(root)
    originals += man_documents(root, [""], "man/en", False)
    originals += fortune_documents(root, ["fortunes", "literature", "riddles"], "fortune/en", "\n", rng)
    if not originals:
        sys.exit(f"neardup_corpus: no documents under {root}")
    # Packages install one page under several names (rpc.3 as clnt_create.3,
    # …) and fortunes-zh repeats cookies across its files: keep the first
    # document of each text, so that unplanted copies are only the real
    # near duplicates (licence families, pages of one program).
    seen, unique = set(), []
    for doc in originals:
        key = " ".join("\n\n".join(doc[2]).lower().split())
        if key not in seen:
            seen.add(key)
            unique.append(doc)
    originals = unique
    # At least CJK_SHARE of the originals' bytes Chinese and Japanese: drop
    # English man pages and fortunes (never licences) at random until so.
    weight = [len("\n\n".join(p).encode()) for _, _, p in originals]
    cjk = sum(w for w, (_, o, _) in zip(weight, originals) if is_cjk_origin(o))
    total = sum(weight)
    droppable = [i for i, (_, o, _) in enumerate(originals) if o.startswith(("man/en", "fortune/en"))]
    rng.shuffle(droppable)
    gone = set()
    for i in droppable:
        if cjk >= CJK_SHARE * total:
            break
        gone.add(i)
        total -= weight[i]
    originals = [d for i, d in enumerate(originals) if i not in gone]

    # Copies: a fixed plan per kind, scaled to the originals' count.
    scale = max(1, len(originals) // 100)
    plan = [("exact", 0.0, 2 * scale)]
    plan += [("edit", rate, 3 * scale) for rate in EDIT_RATES]
    plan += [
        ("reorder", None, 2 * scale),
        ("reencode", None, 2 * scale),
        ("fold", None, 2 * scale),
        ("damage", None, 2 * scale),
        ("truncate", None, 2 * scale),
        ("snippet", None, 2 * scale),
    ]
    records = [(text_id, origin, "\n\n".join(p), None) for text_id, origin, p in originals]
    # Each original is the source of one copy at most, so that a copy is
    # found only through its own pair (not because its source went as a
    # duplicate of another copy).
    copies = []
    unused = list(range(len(originals)))
    rng.shuffle(unused)
    for kind, rate, count in plan:
        made = tries = 0
        while made < count and tries < 50 * count and unused:
            tries += 1
            source = unused.pop()
            _, origin, paragraphs = originals[source]
            planted = plant(kind, rate, paragraphs, origin, rng)
            if planted is None:
                unused.insert(0, source)
                continue
            copies.append((f"{kind}:{source}", origin, planted[0], (source, kind, planted[1])))
            made += 1

    # Cap the size: drop originals (not copies, nor the sources of copies).
    sources = {label[0] for *_, label in copies}
    total = sum(len(json.dumps({"id": "d000000", "text": r[2]}, ensure_ascii=False).encode()) + 1 for r in records + copies)
    order = list(range(len(records)))
    rng.shuffle(order)
    dropped = set()
    for i in order:
        if total <= size:
            break
        if i in sources:
            continue
        dropped.add(i)
        total -= len(json.dumps({"id": "d000000", "text": records[i][2]}, ensure_ascii=False).encode()) + 1

    everything = [("original", i, r) for i, r in enumerate(records) if i not in dropped] + [("copy", None, c) for c in copies]
    rng.shuffle(everything)
    id_of_original = {}
    for n, (what, i, _) in enumerate(everything):
        if what == "original":
            id_of_original[i] = f"d{n:06d}"

    written = cjk_bytes = cjk_doc_bytes = 0
    with open(out + ".partial", "w", encoding="utf-8") as o, open(labels_out + ".partial", "w", encoding="utf-8") as lab:
        for n, (what, i, (name, origin, text, label)) in enumerate(everything):
            doc_id = f"d{n:06d}"
            line = json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n"
            o.write(line)
            size_of = len(line.encode("utf-8"))
            written += size_of
            cjk_bytes += 3 * len(CJK.findall(text))
            if is_cjk_origin(origin):
                cjk_doc_bytes += size_of
            entry = {"id": doc_id, "kind": "original", "origin": name}
            if label is not None:
                source, kind, rate = label
                entry = {"id": doc_id, "kind": kind, "rate": rate, "source": id_of_original[source], "origin": origin}
            lab.write(json.dumps(entry, ensure_ascii=False) + "\n")
    os.replace(out + ".partial", out)
    os.replace(labels_out + ".partial", labels_out)
    print(
        json.dumps(
            {
                "documents": len(everything),
                "originals": len(everything) - len(copies),
                "copies": len(copies),
                "bytes": written,
                "cjk_character_bytes_share": round(cjk_bytes / written, 3),
                "cjk_document_bytes_share": round(cjk_doc_bytes / written, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
