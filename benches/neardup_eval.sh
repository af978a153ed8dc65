#!/usr/bin/env bash
# The labelled near-duplicate evaluation on real text: doppel beside
# datasketch and datatrove, in one sitting, graded against exact truth.
#
#   benches/neardup_eval.sh                          # target/release/doppel, built here
#   DOPPEL=/path/to/doppel benches/neardup_eval.sh   # any doppel binary
#   DOPPEL_ARGS="--no-blocks --no-segments --threshold 0.7" TOOLS=doppel benches/neardup_eval.sh
#
# Everything is fetched here, into benches/data/neardup/ (reused when
# present): Debian's manpages-zh, manpages-ja, manpages-ja-dev, fortunes-zh,
# libreoffice-help-{zh-cn,zh-tw,ja} (Chinese and Japanese prose), manpages,
# manpages-dev and fortunes-min (English), with `apt-get download` and
# `dpkg-deb -x`; and the npm package spdx-license-list (`npm pack`: the full
# texts of every SPDX licence, real near-duplicate families). Then:
#
# 1. benches/neardup_corpus.py writes the labelled corpus (real documents and
#    planted copies: character edits at 1–40%, reorderings, legacy-encoding
#    round trips, NFKC folds, GBK/Big5/Shift_JIS byte misalignment,
#    truncations and snippets) and its labels; SIZE and SEED are passed on.
# 2. The `neardup_truth` example finds every pair whose Jaccard similarity of
#    character 5-gram sets (lower-cased, whitespace-folded texts) is at least
#    FLOOR (0.5), exactly.
# 3. doppel (`clean DOPPEL_ARGS -o OUT`, RUNS times), datasketch 2.0 MinHash
#    LSH (128 permutations, threshold 0.8) and datatrove 0.10's MinHash
#    pipeline (2 tasks) run PEER_RUNS times each, under /usr/bin/time.
# 4. benches/neardup_grade.py grades each (removed documents, true pairs
#    left behind, precision of removals, recall of planted copies by kind and
#    rate, median wall and CPU seconds, peak RSS) and prints two Markdown
#    tables; benches/data/neardup/results.json has everything.
#
# The peers go into a virtual environment of their own,
# benches/.venv-neardup (VENV to use another), never used by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-benches/data/neardup}
VENV=${VENV:-benches/.venv-neardup}
TOOLS=${TOOLS:-"doppel datasketch datatrove"}
RUNS=${RUNS:-3}
PEER_RUNS=${PEER_RUNS:-1}
SIZE=${SIZE:-100M}
SEED=${SEED:-12}
FLOOR=${FLOOR:-0.5}
DOPPEL_ARGS=${DOPPEL_ARGS:-"--no-blocks --no-segments"}
SPDX=${SPDX:-spdx-license-list@6.12.0}
PACKAGES="manpages-zh manpages-ja manpages-ja-dev fortunes-zh libreoffice-help-zh-cn libreoffice-help-zh-tw
libreoffice-help-ja manpages manpages-dev fortunes-min"
mkdir -p "$DATA/debs" "$DATA/root"

echo "== fetch"
if [ ! -f "$DATA/root/.complete" ]; then
    for package in $PACKAGES; do
        ls "$DATA/debs/${package}"_*.deb >/dev/null 2>&1 || (cd "$DATA/debs" && apt-get download "$package")
    done
    for deb in "$DATA"/debs/*.deb; do
        dpkg-deb -x "$deb" "$DATA/root"
    done
    (cd "$DATA/debs" && npm pack --silent "$SPDX" >/dev/null)
    tar -xzf "$DATA"/debs/spdx-license-list-*.tgz -C "$DATA/root"
    touch "$DATA/root/.complete"
fi
ls "$DATA/debs"

if [[ " $TOOLS " == *" datasketch "* || " $TOOLS " == *" datatrove "* ]]; then
    echo "== peers"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -c 'import datasketch, datatrove' 2>/dev/null ||
        "$VENV/bin/pip" install -q 'datasketch==2.0.0' 'datatrove[processing,io]==0.10.1' orjson spacy jieba
    "$VENV/bin/pip" list 2>/dev/null | grep -iE '^(datasketch|datatrove) '
fi

echo "== build"
if [ -z "${DOPPEL:-}" ]; then
    cargo build --release --locked --bin doppel
    DOPPEL=target/release/doppel
fi
cargo build --release --locked --example neardup_truth
"$DOPPEL" --version

CORPUS=$DATA/corpus-$SIZE-$SEED.jsonl
LABELS=$DATA/labels-$SIZE-$SEED.jsonl
PAIRS=$DATA/pairs-$SIZE-$SEED-$FLOOR.tsv
echo "== corpus"
[ -f "$CORPUS" ] && [ -f "$LABELS" ] || python3 benches/neardup_corpus.py "$DATA/root" "$CORPUS" "$LABELS" "$SIZE" "$SEED"
echo "== truth"
[ -f "$PAIRS" ] && [ "$PAIRS" -nt "$CORPUS" ] || target/release/examples/neardup_truth "$CORPUS" "$PAIRS" "$FLOOR"

echo "== machine"
nproc
uptime

# The threshold doppel runs with: --threshold in DOPPEL_ARGS, else its default.
threshold=$(python3 - "$DOPPEL_ARGS" <<'PY'
import shlex, sys
args = shlex.split(sys.argv[1])
for at, arg in enumerate(args):
    if arg == "--threshold":
        print(args[at + 1]); break
    if arg.startswith("--threshold="):
        print(arg.split("=", 1)[1]); break
PY
)
if [ -z "$threshold" ]; then
    threshold=$("$DOPPEL" clean --help | python3 -c '
import re, sys
help = sys.stdin.read()
m = re.search(r"--threshold.*?\[default: ([0-9.]+)\]", help, re.S)
print(m.group(1) if m else "0.8")')
fi

if python3 -c "import sys; sys.exit(not float('$threshold') < float('$FLOOR'))"; then
    echo "neardup_eval: doppel's threshold $threshold is below FLOOR $FLOOR; set FLOOR=$threshold or lower" >&2
    exit 2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
runs=()
timed() { # timed OUT_PREFIX COMMAND… : appends "wall cpu kib" to OUT_PREFIX.times
    /usr/bin/time -f '%e %U %S %M' -o "$1.time" "${@:2}" >"$1.log" 2>&1 || {
        echo "failed: ${*:2}" >&2
        tail -5 "$1.log" >&2
        return 1
    }
    read -r wall user sys kib <"$1.time"
    echo "$wall $(python3 -c "print(round($user + $sys, 2))") $kib" >>"$1.times"
}
run_json() { # run_json TOOL SETUP THRESHOLD TIMES KEY PATH [no-cpu]
    python3 - "$@" <<'PY'
import json, sys
tool, setup, threshold, times, key, path = sys.argv[1:7]
rows = [line.split() for line in open(times)]
run = {"tool": tool, "setup": setup, "threshold": float(threshold),
       "seconds": [float(r[0]) for r in rows], "peak_rss_kib": max(int(r[2]) for r in rows), key: path}
if len(sys.argv) < 8:
    run["cpu_seconds"] = [float(r[1]) for r in rows]
print(json.dumps(run))
PY
}

if [[ " $TOOLS " == *" doppel "* ]]; then
    echo "== doppel clean $DOPPEL_ARGS (threshold $threshold), $RUNS runs"
    for n in $(seq "$RUNS"); do
        rm -rf "$WORK/doppel-out"
        # shellcheck disable=SC2086
        timed "$WORK/doppel" "$DOPPEL" clean $DOPPEL_ARGS -o "$WORK/doppel-out" "$CORPUS"
        tail -1 "$WORK/doppel.log"
    done
    cp "$WORK/doppel-out/manifest.jsonl" "$DATA/doppel-manifest.jsonl"
    runs+=("$(run_json doppel "$("$DOPPEL" --version): clean $DOPPEL_ARGS (threshold $threshold)" "$threshold" "$WORK/doppel.times" manifest "$DATA/doppel-manifest.jsonl")")
fi
if [[ " $TOOLS " == *" datasketch "* ]]; then
    echo "== datasketch, $PEER_RUNS runs"
    for n in $(seq "$PEER_RUNS"); do
        timed "$WORK/datasketch" "$VENV/bin/python" benches/datasketch_lsh.py "$CORPUS" - "$DATA/datasketch-removed.txt"
        tail -1 "$WORK/datasketch.log"
    done
    runs+=("$(run_json datasketch "datasketch 2.0.0 MinHashLSH, 128 permutations, threshold 0.8 (benches/datasketch_lsh.py)" 0.8 "$WORK/datasketch.times" removed "$DATA/datasketch-removed.txt")")
fi
if [[ " $TOOLS " == *" datatrove "* ]]; then
    echo "== datatrove, $PEER_RUNS runs"
    for n in $(seq "$PEER_RUNS"); do
        rm -rf "$WORK/datatrove-work"
        timed "$WORK/datatrove" "$VENV/bin/python" benches/datatrove_minhash.py "$CORPUS" "$WORK/datatrove-work" 2 eng \
            "$DATA/datatrove-removed.txt"
        tail -1 "$WORK/datatrove.log"
    done
    # datatrove's default: 5-word shingles, 14 buckets of 8 hashes (a
    # threshold of about 0.72); precision is graded at 0.8 like the others.
    # Its CPU time is left out: /usr/bin/time does not see its pool workers.
    runs+=("$(run_json datatrove "datatrove 0.10.1 MinHash pipeline, its defaults, 2 tasks (benches/datatrove_minhash.py)" 0.8 \
        "$WORK/datatrove.times" removed "$DATA/datatrove-removed.txt" no-cpu)")
fi

printf '%s\n' "${runs[@]}" | python3 -c 'import json, sys; print(json.dumps([json.loads(l) for l in sys.stdin]))' >"$DATA/runs.json"
echo "== results"
python3 benches/neardup_grade.py "$LABELS" "$PAIRS" "$DATA/runs.json" "$DATA/results.json" | tee "$DATA/results.md"
