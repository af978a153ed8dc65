#!/usr/bin/env bash
# Makes the mostly-CJK corpus of the "Speed on mostly CJK corpora" section of
# benches/README.md: JSON Lines of about 100 MB whose bytes are 72% Chinese and
# Japanese documents (the first 72 MB of cjk-fresh-100M.jsonl, real
# manpages-zh/ja prose from benches/cjk_corpus.py) and 28% Latin-script ones
# (the first 28 MB of latin-fresh-100M.jsonl), interleaved so that every batch
# holds both in that proportion. The source files are made by
# benches/pipeline_data.sh and only read here.
#
#   benches/mixed_corpus.sh [SOURCE_DIR] [OUT]
#     SOURCE_DIR  where the two source files are (default benches/data)
#     OUT         the corpus to write (default benches/data/mixed-cjk72-100M.jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-benches/data}
OUT=${2:-benches/data/mixed-cjk72-100M.jsonl}
mkdir -p "$(dirname "$OUT")"
python3 - "$SRC/cjk-fresh-100M.jsonl" "$SRC/latin-fresh-100M.jsonl" "$OUT" <<'PY'
import os, sys
cjk_path, latin_path, out = sys.argv[1:4]
CJK_BYTES, LATIN_BYTES = 72_000_000, 28_000_000

def take(path, limit):
    lines, total = [], 0
    with open(path, "rb") as f:
        for line in f:
            if total >= limit:
                break
            if not line.endswith(b"\n"):
                line += b"\n"
            lines.append(line)
            total += len(line)
    return lines, total

cjk, cjk_total = take(cjk_path, CJK_BYTES)
latin, latin_total = take(latin_path, LATIN_BYTES)
# Merge by byte position: the next line comes from whichever source is
# further behind its share of the output.
i = j = written_cjk = written_latin = 0
with open(out + ".partial", "wb") as o:
    while i < len(cjk) or j < len(latin):
        if j >= len(latin) or (i < len(cjk) and written_cjk * latin_total <= written_latin * cjk_total):
            o.write(cjk[i]); written_cjk += len(cjk[i]); i += 1
        else:
            o.write(latin[j]); written_latin += len(latin[j]); j += 1
os.replace(out + ".partial", out)
print(f"{out}: {i + j} documents, {written_cjk + written_latin} bytes, "
      f"{written_cjk / (written_cjk + written_latin):.1%} from the CJK source")
PY
