#!/usr/bin/env bash
# Whole-run measurements of doppel on generated JSON Lines corpora; the
# results go into the "corpus" section of benches/README.md.
#
#   benches/corpus_run.sh        # 1 GiB and 2 GiB corpora
#   SIZES="512M 1G" RUNS=1 CLEAN_RUNS=1 DS_BYTES=50000000 benches/corpus_run.sh
#
# For each size: generates benches/data/corpus-SIZE.jsonl (reused when
# present) with benches/labelled_corpus.rs, then times with /usr/bin/time -v
#   - doppel scan --format json --find documents (near-duplicate clustering
#     alone: decode to clusters), RUNS times (3),
#   - doppel scan --format json (everything: blocks, documents, segments,
#     boilerplate; report to /dev/null), RUNS times (3), and
#   - doppel clean -o OUT (OUT removed after each run), CLEAN_RUNS times (1),
# reporting the median wall time (MB/s, MB = 10^6 bytes), CPU time (user +
# system: steadier than wall time on a shared machine) and peak RSS (also per
# million documents). Then times datasketch MinHash LSH (128
# permutations, threshold 0.8; installed into a venv under benches/data/) on
# the first DS_BYTES of the first corpus, and doppel scan on the same slice.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1G 2G"}
RUNS=${RUNS:-3}
CLEAN_RUNS=${CLEAN_RUNS:-1}
DS_BYTES=${DS_BYTES:-256000000}
DATASKETCH=${DATASKETCH:-datasketch==2.0.0}
DATA=benches/data
BIN=target/release/doppel
mkdir -p "$DATA"

echo "== machine"
nproc
df -h "$DATA" | tail -1
rustc --version

echo "== build (portable: no target-cpu flags)"
cargo build --release --bin doppel --example labelled_corpus
GEN=target/release/examples/labelled_corpus

source benches/timing.sh

# measure NAME RUNS BYTES DOCS CMD...: timed runs, then one summary line.
measure() {
    local name=$1 runs=$2 bytes=$3 docs=$4
    shift 4
    local walls=() rsss=() cpus=()
    for _ in $(seq "$runs"); do
        rm -rf "$DATA/clean-out"
        read -r wall rss cpu < <(timed "$@")
        echo "   run: ${wall} s wall, ${cpu} s CPU, ${rss} KiB peak RSS, load $(cut -d' ' -f1 /proc/loadavg)"
        walls+=("$wall")
        rsss+=("$rss")
        cpus+=("$cpu")
    done
    rm -rf "$DATA/clean-out"
    local wall rss cpu
    wall=$(printf '%s\n' "${walls[@]}" | median)
    rss=$(printf '%s\n' "${rsss[@]}" | median)
    cpu=$(printf '%s\n' "${cpus[@]}" | median)
    awk -v n="$name" -v b="$bytes" -v d="$docs" -v w="$wall" -v r="$rss" -v c="$cpu" -v runs="$runs" 'BEGIN {
        printf "%-12s median of %d: %7.2f s wall %6.1f MB/s | %7.2f s CPU %6.1f MB/CPU-s | peak RSS %6.1f MiB, %6.1f MiB per million documents\n",
            n, runs, w, b / 1e6 / w, c, b / 1e6 / c, r / 1024, r / 1024 / (d / 1e6) }'
}

first=""
for size in $SIZES; do
    corpus="$DATA/corpus-$size.jsonl"
    if [ ! -f "$corpus" ]; then
        echo "== generate $corpus"
        "$GEN" "$corpus" "$size" >/dev/null
    fi
    bytes=$(stat -L -c %s "$corpus")
    docs=$(wc -l <"$corpus")
    echo "== $corpus: $bytes bytes, $docs documents"
    measure "documents $size" "$RUNS" "$bytes" "$docs" "$BIN" scan --format json --site-field site --find documents "$corpus"
    measure "scan $size" "$RUNS" "$bytes" "$docs" "$BIN" scan --format json --site-field site "$corpus"
    measure "clean $size" "$CLEAN_RUNS" "$bytes" "$docs" "$BIN" clean --site-field site "$corpus" -o "$DATA/clean-out"
    [ -n "$first" ] || first=$corpus
done

echo "== datasketch ($DATASKETCH) on the first $DS_BYTES bytes of $first"
if [ ! -x "$DATA/venv/bin/python" ]; then
    python3 -m venv "$DATA/venv"
    "$DATA/venv/bin/pip" install --quiet "$DATASKETCH"
fi
"$DATA/venv/bin/pip" show datasketch | grep -E '^(Name|Version)'
slice="$DATA/slice.jsonl"
head -c "$DS_BYTES" "$first" | sed '$d' >"$slice"
slice_bytes=$(stat -c %s "$slice")
slice_docs=$(wc -l <"$slice")
echo "slice: $slice_bytes bytes, $slice_docs documents"
/usr/bin/time -f "datasketch wall %e s, CPU %U + %S s, peak RSS %M KiB" \
    "$DATA/venv/bin/python" benches/datasketch_lsh.py "$slice"
measure "docs slice" "$RUNS" "$slice_bytes" "$slice_docs" "$BIN" scan --format json --site-field site --find documents "$slice"
measure "scan slice" "$RUNS" "$slice_bytes" "$slice_docs" "$BIN" scan --format json --site-field site "$slice"
