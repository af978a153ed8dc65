#!/usr/bin/env bash
# Corpus deduplication of 500 MB on one machine, four ways, in one sitting:
# the command line (`doppel scan --find documents`), the Python package on
# Ray Data (local) and on PySpark (local[N]), and datatrove's MinHash
# pipeline; each with 1 and 2 workers. The results go into the "Python,
# Ray and Spark" section of benches/README.md.
#
#   benches/engines_run.sh                       # both languages, every tool
#   LANGS=cjk TOOLS="cli ray" WORKERS=2 benches/engines_run.sh
#
# Corpora: the first 500 MB of benches/pipeline_data.sh's 1 GiB corpora
# (mostly Chinese and Japanese man-page prose; Latin-script documents), made
# here once. The Python package is built from this repository into a
# virtual environment of its own (benches/.venv-engines) with Ray, PySpark
# and pyarrow from PyPI; datatrove (with spaCy and jieba, which its
# tokenizers need) goes into another (benches/.venv-datatrove). Neither is
# ever used by the tests.
#
# Each run prints one JSON line: tool, workers, wall seconds, peak memory of
# the whole process tree in MiB, documents and documents removed. One run
# per cell (RUNS to change): a cell takes minutes, and the ratios between
# tools, not the last percent, are what the table is for.
set -euo pipefail
cd "$(dirname "$0")/.."
LANGS=${LANGS:-"cjk latin"}
TOOLS=${TOOLS:-"cli ray spark datatrove"}
WORKERS=${WORKERS:-"1 2"}
RUNS=${RUNS:-1}
DATA=benches/data
ENGINES=${ENGINES:-benches/.venv-engines}
DATATROVE=${DATATROVE:-benches/.venv-datatrove}
export SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON="$PWD/$ENGINES/bin/python"

benches/pipeline_data.sh >/dev/null
for lang in $LANGS; do
    [ -f "$DATA/$lang-500M.jsonl" ] || python3 - "$DATA/$lang-1G.jsonl" "$DATA/$lang-500M.jsonl" <<'EOF'
import sys
taken = 0
with open(sys.argv[1], "rb") as source, open(sys.argv[2], "wb") as out:
    for line in source:
        if taken >= 500_000_000:
            break
        out.write(line)
        taken += len(line)
EOF
done

echo "== machine"
nproc
rustc --version
python3 --version
cargo build --release --locked --bin doppel

if [[ " $TOOLS " == *" ray "* || " $TOOLS " == *" spark "* ]]; then
    [ -x "$ENGINES/bin/python" ] || python3 -m venv "$ENGINES"
    "$ENGINES/bin/pip" install -q maturin pyarrow 'ray[data]>=2.60,<3' 'pyspark>=4,<5' 'pandas<3'
    wheels=$(mktemp -d)
    "$ENGINES/bin/maturin" build --release -m python/Cargo.toml -o "$wheels" -q
    "$ENGINES/bin/pip" install -q --force-reinstall --no-deps "$wheels"/doppel-*.whl
    rm -rf "$wheels"
    "$ENGINES/bin/pip" list 2>/dev/null | grep -iE '^(ray|pyspark|pyarrow) '
fi
if [[ " $TOOLS " == *" datatrove "* ]]; then
    [ -x "$DATATROVE/bin/python" ] || python3 -m venv "$DATATROVE"
    "$DATATROVE/bin/pip" install -q 'datatrove[processing,io]' orjson spacy jieba
    "$DATATROVE/bin/pip" list 2>/dev/null | grep -iE '^datatrove '
fi

cli() { # cli FILE WORKERS
    local out
    out=$(mktemp)
    /usr/bin/time -f '%e %M' -o "$out.time" target/release/doppel scan --find documents \
        --format json -j "$2" "$1" >"$out" || true
    read -r seconds kib <"$out.time"
    python3 - "$out" "$seconds" "$kib" "$2" <<'EOF'
import json, sys
summary = next(json.loads(l) for l in open(sys.argv[1]) if '"type":"summary"' in l.replace(" ", ""))
print(json.dumps({"tool": "cli", "workers": int(sys.argv[4]), "seconds": float(sys.argv[2]),
                  "peak_rss_mib": round(int(sys.argv[3]) / 1024),
                  "documents": summary["documents"], "removed": summary["duplicate_documents"]}))
EOF
    rm -f "$out" "$out.time"
}

for lang in $LANGS; do
    file="$DATA/$lang-500M.jsonl"
    language=eng
    [ "$lang" = cjk ] && language=zh
    echo "== $lang: $file ($(wc -l <"$file") documents)"
    for workers in $WORKERS; do
        for run in $(seq "$RUNS"); do
            for tool in $TOOLS; do
                case $tool in
                cli) cli "$file" "$workers" ;;
                ray | spark) "$ENGINES/bin/python" benches/engines_dedup.py "$tool" "$file" "$workers" 2>/dev/null | tail -1 ;;
                datatrove)
                    work=$(mktemp -d)
                    /usr/bin/time -f '%M' -o "$work.time" "$DATATROVE/bin/python" benches/datatrove_minhash.py \
                        "$file" "$work" "$workers" "$language" 2>/dev/null | tail -1 |
                        python3 -c "import json,sys; r=json.loads(sys.stdin.read()); r['workers']=$workers; print(json.dumps(r))"
                    echo "   (datatrove peak of its largest process: $(($(cat "$work.time") / 1024)) MiB)"
                    rm -rf "$work" "$work.time"
                    ;;
                esac
            done
        done
    done
done
