#!/usr/bin/env bash
# Whole-run measurements of the staged workflow (`sign`, `cluster`) and of
# the index (`index create/add`, `scan --against`), on mostly Chinese and
# Japanese prose and on Latin-script text; the results go into the
# "Pipelines" section of benches/README.md.
#
#   benches/pipeline_run.sh                  # both languages, 3 runs each
#   LANGS=cjk RUNS=1 benches/pipeline_run.sh
#   PARTS=staged benches/pipeline_run.sh     # only scan, sign and cluster
#   PARTS=index benches/pipeline_run.sh      # only the index measurements
#
# The corpora come from benches/pipeline_data.sh (run first, reused). For
# each language:
#   - scan --find documents over the 1 GiB corpus, split into 8 shards, vs
#     sign of the same shards (one signature file each), then cluster of the
#     8 signature files; the cluster report must equal the scan report;
#   - index create over the 1 GiB corpus; index add of the 100 MB new crawl
#     to it (1 GiB stored), and to an index of 2 GiB (both corpora), each on
#     a fresh copy; index size per million documents;
#   - scan --find documents of the 100 MB new crawl alone vs scan
#     --find documents --against the 1 GiB index: speed ratio, peak memory.
# Wall times are medians of RUNS (3); MB = 10^6 bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
LANGS=${LANGS:-"cjk latin"}
RUNS=${RUNS:-3}
PARTS=${PARTS:-"staged index"}
DATA=benches/data
BIN=target/release/doppel
WORK=$DATA/pipeline
benches/pipeline_data.sh >/dev/null

echo "== machine"
nproc
rustc --version
echo "== build (portable: no target-cpu flags)"
cargo build --release --bin doppel

source benches/timing.sh

# measure NAME BYTES SETUP CMD...: RUNS timed runs of CMD, each after
# running SETUP (a shell snippet, untimed); prints one line and sets
# $WALL and $RSS to the medians.
measure() {
    local name=$1 bytes=$2 setup=$3
    shift 3
    local walls=() rsss=() cpus=()
    for _ in $(seq "$RUNS"); do
        eval "$setup"
        read -r wall rss cpu < <(timed "$@")
        walls+=("$wall") rsss+=("$rss") cpus+=("$cpu")
    done
    WALL=$(printf '%s\n' "${walls[@]}" | median)
    RSS=$(printf '%s\n' "${rsss[@]}" | median)
    local cpu
    cpu=$(printf '%s\n' "${cpus[@]}" | median)
    awk -v n="$name" -v b="$bytes" -v w="$WALL" -v r="$RSS" -v c="$cpu" -v runs="$RUNS" -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
        printf "%-34s median of %d: %7.2f s wall %7.1f MB/s | %7.2f s CPU | peak RSS %7.1f MiB | load %s\n",
            n, runs, w, b / 1e6 / w, c, r / 1024, l }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

for lang in $LANGS; do
    corpus=$DATA/$lang-1G.jsonl
    second=$DATA/$lang-1Gb.jsonl
    new=$DATA/$lang-new-100M.jsonl
    bytes=$(stat -c %s "$corpus")
    new_bytes=$(stat -c %s "$new")
    docs=$(wc -l <"$corpus")
    echo "== $lang: $corpus ($bytes bytes, $docs documents), new crawl $new ($new_bytes bytes)"
    rm -rf "$WORK" && mkdir -p "$WORK/shards"
    split -n l/8 -d --additional-suffix=.jsonl "$corpus" "$WORK/shards/part"

    if [[ " $PARTS " == *" staged "* ]]; then
        measure "$lang scan --find documents (8 shards)" "$bytes" : \
            "$BIN" scan --find documents --format json "$WORK"/shards/part*.jsonl
        scan_wall=$WALL
        measure "$lang sign (8 shards)" "$bytes" 'rm -rf "$WORK/sigs"' \
            "$BIN" sign "$WORK"/shards/part*.jsonl -o "$WORK/sigs"
        sign_wall=$WALL
        measure "$lang cluster (8 signature files)" "$bytes" : "$BIN" cluster "$WORK/sigs"
        cluster_wall=$WALL
        "$BIN" scan --find documents --format json "$WORK"/shards/part*.jsonl >"$WORK/scan.json"
        "$BIN" cluster --format json "$WORK/sigs" >"$WORK/cluster.json"
        if cmp -s "$WORK/scan.json" "$WORK/cluster.json"; then same=identical; else same=DIFFERENT; fi
        echo "   sign ÷ scan: $(ratio "$sign_wall" "$scan_wall"); cluster ÷ sign: $(ratio "$cluster_wall" "$sign_wall"); cluster report vs scan report: $same"

    fi

    if [[ " $PARTS " == *" index "* ]]; then
        RUNS=1 measure "$lang index create (1 GiB, one run)" "$bytes" 'rm -rf "$WORK/index"' \
            "$BIN" index create "$WORK/index" "$corpus"
        index_docs=$docs
        index_bytes=$(du -sb "$WORK/index" | cut -f1)
        awk -v s="$index_bytes" -v d="$index_docs" 'BEGIN { printf "   index: %d bytes for %d documents = %.1f MiB per million documents\n", s, d, s / 1048576 / (d / 1e6) }'
        measure "$lang scan --find documents new alone" "$new_bytes" : \
            "$BIN" scan --find documents --format json "$new"
        alone_wall=$WALL alone_rss=$RSS
        measure "$lang scan --against 1 GiB index" "$new_bytes" : \
            "$BIN" scan --find documents --format json --against "$WORK/index" "$new"
        echo "   speed against the index ÷ alone: $(ratio "$alone_wall" "$WALL"); peak RSS $(( RSS / 1024 )) MiB vs $(( alone_rss / 1024 )) MiB alone"
        "$BIN" scan --find documents --format json --against "$WORK/index" "$new" |
            grep -c '"type":"stored"' | sed 's/^/   new documents matching a stored one: /'

        mv "$WORK/index" "$WORK/index-1G"
        measure "$lang index add 100 MB to 1 GiB" "$new_bytes" 'rm -rf "$WORK/index" && cp -r "$WORK/index-1G" "$WORK/index" && sync' \
            "$BIN" index add "$WORK/index" "$new"
        add1=$WALL
        "$BIN" index add "$WORK/index-1G" "$second" >/dev/null
        measure "$lang index add 100 MB to 2 GiB" "$new_bytes" 'rm -rf "$WORK/index" && cp -r "$WORK/index-1G" "$WORK/index" && sync' \
            "$BIN" index add "$WORK/index" "$new"
        add2=$WALL
        echo "   add at 2 GiB ÷ add at 1 GiB: $(ratio "$add2" "$add1")"
    fi
    rm -rf "$WORK"
done
