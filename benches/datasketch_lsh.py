"""MinHash LSH with datasketch over a JSON Lines corpus, for comparison.

Usage: python datasketch_lsh.py CORPUS.jsonl [MAX_BYTES] [REMOVED_IDS]

Reads the `text` field of each line (stopping after MAX_BYTES of input when
given), shingles it the way doppel does by default (lower case; a unit is a
Han/kana/Hangul character or a word of letters and digits; 5 units per
shingle in text mostly CJK, else 3; a text with fewer units is one shingle),
builds a 128-permutation MinHash per document and queries then inserts it in
a MinHashLSH index at threshold 0.8. Prints bytes, documents, candidate
pairs, seconds and MB/s as one JSON object.

With REMOVED_IDS (MAX_BYTES may be `-` for no limit), it deduplicates the
way datasketch's documentation does: a document whose query finds a kept
document is removed (its `id` written to REMOVED_IDS, one a line) and not
inserted; the others are kept and inserted. benches/neardup_eval.sh grades
this against the labelled corpus's truth.
"""

import json
import re
import sys
import time

from datasketch import MinHash, MinHashLSH

UNIT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def shingles(text):
    units = UNIT.findall(text.lower())
    cjk = sum(1 for u in units if CJK.fullmatch(u))
    k = 5 if cjk > 0 and cjk >= len(units) - cjk else 3
    k = min(k, len(units))
    sep = "" if k == 5 else " "
    return {sep.join(units[i : i + k]).encode() for i in range(len(units) - k + 1)}


def main():
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    removed_path = sys.argv[3] if len(sys.argv) > 3 else None
    removed = []
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    start = time.perf_counter()
    read = docs = pairs = 0
    with open(path, "rb") as lines:
        for line in lines:
            if limit is not None and read >= limit:
                break
            read += len(line)
            record = json.loads(line)
            m = MinHash(num_perm=128)
            found = shingles(record["text"])
            if found:
                m.update_batch(list(found))
            key = f"{docs}"
            found = len(lsh.query(m))
            pairs += found
            if removed_path is None:
                lsh.insert(key, m)
            elif found:
                removed.append(str(record["id"]))
            else:
                lsh.insert(key, m)
            docs += 1
    seconds = time.perf_counter() - start
    if removed_path is not None:
        with open(removed_path, "w", encoding="utf-8") as out:
            out.writelines(f"{i}\n" for i in removed)
    print(
        json.dumps(
            {
                "bytes": read,
                "documents": docs,
                "candidate_pairs": pairs,
                "removed": len(removed) if removed_path is not None else None,
                "seconds": round(seconds, 2),
                "mb_per_s": round(read / 1e6 / seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
