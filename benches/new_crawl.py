#!/usr/bin/env python3
"""Writes a "new crawl" for the `--against` measurements: fresh documents
mixed with exact and edited copies of documents already stored.

    benches/new_crawl.py STORED.jsonl FRESH.jsonl OUT.jsonl SIZE [SHARE] [SEED]

Records are taken from FRESH.jsonl in order; before each, with probability
SHARE (default 0.3), a record drawn at random from STORED.jsonl is written
instead: as it is (a third of the time) or with characters edited at a rate
from 0.2% to 15% (both sides of a 0.8 Jaccard threshold). Ids are renamed
`new-N` so that a stored match is found by its text, never by its id. SIZE
accepts K, M and G suffixes (powers of 1024). Written under a temporary name
and renamed into place.
"""

import json
import os
import random
import sys

from cjk_corpus import RATES, edit, parse_size


def main():
    if len(sys.argv) < 5:
        print("usage: new_crawl.py STORED.jsonl FRESH.jsonl OUT.jsonl SIZE [SHARE] [SEED]", file=sys.stderr)
        sys.exit(2)
    stored_path, fresh_path, out, size = sys.argv[1:5]
    size = parse_size(size)
    share = float(sys.argv[5]) if len(sys.argv) > 5 else 0.3
    rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 7)
    # Offsets of the stored records, so that copies are drawn from the whole
    # file without holding it in memory.
    offsets, at = [], 0
    with open(stored_path, "rb") as f:
        for line in f:
            offsets.append(at)
            at += len(line)
    partial = out + ".partial"
    written = docs = copies = 0
    with open(stored_path, "rb") as stored, open(fresh_path, encoding="utf-8") as fresh, open(
        partial, "w", encoding="utf-8"
    ) as f:
        for line in fresh:
            if written >= size:
                break
            if rng.random() < share:
                stored.seek(rng.choice(offsets))
                record = json.loads(stored.readline())
                if rng.random() >= 1 / 3:
                    record["text"] = edit(record["text"], rng.choice(RATES), rng)
                copies += 1
            else:
                record = json.loads(line)
            record["id"] = f"new-{docs}"
            text = json.dumps(record, ensure_ascii=False) + "\n"
            f.write(text)
            written += len(text.encode("utf-8"))
            docs += 1
    os.replace(partial, out)
    print(f"{out}: {docs} documents ({copies} drawn from {stored_path}), {written} bytes")


if __name__ == "__main__":
    main()
