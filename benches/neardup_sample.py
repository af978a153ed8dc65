#!/usr/bin/env python3
"""Writes corpus/neardup/sample.jsonl, the small real-text sample of
tests/neardup_eval.rs, from the packages benches/neardup_eval.sh fetches.

    benches/neardup_sample.py ROOT OUT.jsonl [SEED]

ROOT is benches/data/neardup/root. Documents are read the way
benches/neardup_corpus.py reads them; a seeded choice of Chinese and
Japanese man and help pages and Chinese fortunes (each cut to its first
paragraphs, at most about 500 characters), the short SPDX licences of the
BSD, MIT and ISC families whole, and a few English man-page pieces. Each line
is `{"source": …, "text": …}`, where source names the package and the page
or licence.
"""

import json
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neardup_corpus as nc  # noqa: E402

PLAN = [("man/zh_CN", 8), ("man/zh_TW", 5), ("man/ja", 8), ("help/zh_CN", 3), ("help/ja", 3), ("fortune/zh", 5), ("man/en", 5)]
LICENCES = ["BSD-2-Clause", "BSD-3-Clause", "BSD-3-Clause-Clear", 
            "BSD-4-Clause", "MIT", "MIT-0", "X11", "ISC", "0BSD", "Zlib"]
PACKAGE = {"man/zh_CN": "manpages-zh", "man/zh_TW": "manpages-zh", "man/ja": "manpages-ja", "help/zh_CN": "libreoffice-help-zh-cn",
           "help/ja": "libreoffice-help-ja", "fortune/zh": "fortunes-zh", "man/en": "manpages", "spdx": "spdx-license-list"}


def head(paragraphs, limit=500):
    out = []
    for p in paragraphs:
        if out and sum(len(q) for q in out) + len(p) > limit:
            break
        out.append(p[:limit])
    return out


def main():
    root, out = sys.argv[1], sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 12)
    pool = {
        "man/zh_CN": nc.man_documents(root, ["zh_CN"], "man/zh_CN", True),
        "man/zh_TW": nc.man_documents(root, ["zh_TW"], "man/zh_TW", True),
        "man/ja": nc.man_documents(root, ["ja"], "man/ja", True),
        "help/zh_CN": nc.help_documents(root, "zh-CN", "help/zh_CN"),
        "help/ja": nc.help_documents(root, "ja", "help/ja"),
        "fortune/zh": nc.fortune_documents(root, ["chinese", "tang300", "song100"], "fortune/zh", "\n", rng),
        "man/en": nc.man_documents(root, ["man1", "man5", "man7"], "man/en", False),
    }
    rows, seen = [], set()
    for origin, count in PLAN:
        docs = [d for d in pool[origin] if d[0].endswith("#0") or origin == "fortune/zh"]
        rng.shuffle(docs)
        taken = 0
        for name, _, paragraphs in docs:
            text = "\n\n".join(head(paragraphs))
            key = " ".join(text.lower().split())
            if len(text) < 300 or key in seen:
                continue
            seen.add(key)
            rows.append({"source": f"{PACKAGE[origin]}: {name.split('#')[0]}", "text": text})
            taken += 1
            if taken == count:
                break
    licences = {name: paragraphs for name, _, paragraphs in ((n.split("/", 1)[1], o, p) for n, o, p in nc.spdx_documents(root))}
    for name in LICENCES:
        rows.append({"source": f"{PACKAGE['spdx']}: {name}", "text": "\n\n".join(licences[name])})
    with open(out + ".partial", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(out + ".partial", out)
    print(f"{out}: {len(rows)} documents, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
