#!/usr/bin/env python3
"""Writes the documents and template pairs that `examples/shingle_choice`
measures shinglings on: real licence texts and man pages.

    benches/shingle_choice_data.py SPDX_FULL_JSON MAN_ROOT OUT_DIR

SPDX_FULL_JSON is `spdx-full.json` of the npm package `spdx-license-list`;
MAN_ROOT holds Debian's manpages-zh, manpages-ja and fortunes-zh extracted
with `dpkg-deb -x` (`benches/shingle_choice.sh` fetches both). Writes, under
OUT_DIR:

- docs.jsonl: `{"id", "group", "text"}`; group `latin` for licence texts of
  at least 600 characters, `cjk` for man pages (Chinese and Japanese, their
  Han/kana paragraphs, see benches/cjk_corpus.py) and Chinese fortunes of at
  least 200 characters. A fixed sample, the same on every run.
- pairs.jsonl: `{"group", "name", "a", "b"}`: distinct documents of one
  template: licences of one family, and one man page in two translations
  (zh_CN and zh_TW; zh_CN and ja).
"""

import gzip
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cjk_corpus import paragraphs_of  # noqa: E402

LICENCE_PAIRS = [
    ("CC-BY-NC-2.0", "CC-BY-NC-ND-2.0"),
    ("CC-BY-SA-3.0", "CC-BY-NC-SA-3.0"),
    ("CC-BY-3.0", "CC-BY-4.0"),
    ("BSD-2-Clause", "BSD-3-Clause"),
    ("BSD-3-Clause", "BSD-4-Clause"),
    ("BSD-3-Clause", "BSD-3-Clause-Clear"),
    ("MIT", "ISC"),
    ("MIT", "X11"),
    ("0BSD", "ISC"),
    ("GPL-2.0-only", "GPL-3.0-only"),
    ("GPL-3.0-only", "AGPL-3.0-only"),
    ("LGPL-2.1-only", "LGPL-3.0-only"),
    ("GFDL-1.2-only", "GFDL-1.3-only"),
    ("MPL-1.1", "MPL-2.0"),
    ("Apache-1.1", "Apache-2.0"),
]
SAMPLE = 150


def page(path):
    try:
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            paragraphs = paragraphs_of(f.read())
    except (OSError, EOFError):
        return None
    text = "\n\n".join(paragraphs[:40])
    return text if len(paragraphs) >= 4 and len(text) >= 400 else None


def pages_of(root, lang):
    out = {}
    base = os.path.join(root, "usr/share/man", lang)
    for folder, _, files in sorted(os.walk(base)):
        for name in sorted(files):
            if name.endswith(".gz"):
                text = page(os.path.join(folder, name))
                if text:
                    out[os.path.basename(folder) + "/" + name[:-3]] = text
    return out


def fortunes(root):
    out = []
    base = os.path.join(root, "usr/share/games/fortunes")
    for name in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        if name.endswith(".u8"):
            with open(os.path.join(base, name), encoding="utf-8", errors="replace") as f:
                out += [t.strip() for t in f.read().split("\n%\n") if len(t.strip()) >= 200]
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[3].strip())
    spdx, root, out_dir = sys.argv[1:]
    rng = random.Random(0xD099E1)
    with open(spdx, encoding="utf-8") as f:
        licences = {k: v["licenseText"] for k, v in json.load(f).items() if v.get("licenseText")}
    zh_cn, zh_tw, ja = (pages_of(root, lang) for lang in ("zh_CN", "zh_TW", "ja"))
    docs = []
    long_licences = sorted(k for k, t in licences.items() if len(t) >= 600)
    for key in rng.sample(long_licences, min(SAMPLE, len(long_licences))):
        docs.append({"id": key, "group": "latin", "text": licences[key]})
    cjk = [(f"zh_CN/{k}", t) for k, t in zh_cn.items()] + [(f"ja/{k}", t) for k, t in ja.items()]
    for key, text in rng.sample(cjk, min(SAMPLE - 30, len(cjk))):
        docs.append({"id": key, "group": "cjk", "text": text})
    found = fortunes(root)
    for n, text in enumerate(rng.sample(found, min(30, len(found)))):
        docs.append({"id": f"fortune/{n}", "group": "cjk", "text": text})
    pairs = [
        {"group": "latin", "name": f"{a} / {b}", "a": licences[a], "b": licences[b]}
        for a, b in LICENCE_PAIRS
        if a in licences and b in licences
    ]
    for name in sorted(set(zh_cn) & set(zh_tw))[:40]:
        pairs.append({"group": "cjk", "name": f"{name} zh_CN / zh_TW", "a": zh_cn[name], "b": zh_tw[name]})
    for name in sorted(set(zh_cn) & set(ja))[:40]:
        pairs.append({"group": "cjk", "name": f"{name} zh_CN / ja", "a": zh_cn[name], "b": ja[name]})
    os.makedirs(out_dir, exist_ok=True)
    for file, rows in (("docs.jsonl", docs), ("pairs.jsonl", pairs)):
        with open(os.path.join(out_dir, file), "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{out_dir}: {len(docs)} documents, {len(pairs)} pairs")


if __name__ == "__main__":
    main()
