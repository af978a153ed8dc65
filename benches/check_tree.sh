#!/usr/bin/env bash
# Benchmark of `doppel check` on a generated documentation tree, against
# jscpd on the same tree, in the same run.
#
#   benches/check_tree.sh [FILES]      (default 20000)
#
# 1. generates FILES Markdown files (benches/check_tree/generate.py, fixed
#    seed; one file in ten Chinese; 1,000 planted copies, half exact, half
#    with 1-5 words or characters replaced, their true similarity recorded);
# 2. times `doppel check` (release build) and jscpd (pinned, installed from
#    the npm registry into a temporary folder) with /usr/bin/time -v;
# 3. counts the planted copies each tool reports (evaluate.py).
#
# Set BENCH_DIR to keep the tree somewhere else than a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

FILES="${1:-20000}"
JSCPD_VERSION="5.3.2"
THRESHOLD="0.8"
WORK="${BENCH_DIR:-$(mktemp -d -t doppel-check-bench.XXXXXX)}"
mkdir -p "$WORK"
TREE="$WORK/tree"

echo "== generating $FILES files in $TREE"
rm -rf "$TREE"
python3 benches/check_tree/generate.py "$TREE" "$FILES"
du -sh "$TREE" | sed 's/^/tree size: /'

echo "== building doppel (release)"
cargo build --release --quiet
DOPPEL="$PWD/target/release/doppel"

if [ ! -x "$WORK/jscpd/node_modules/.bin/jscpd" ]; then
  echo "== installing jscpd $JSCPD_VERSION"
  npm install --silent --no-audit --no-fund --prefix "$WORK/jscpd" "jscpd@$JSCPD_VERSION" > /dev/null
fi
JSCPD="$WORK/jscpd/node_modules/.bin/jscpd"

measure() { # name, then the command; prints wall time and peak memory
  local name="$1"; shift
  /usr/bin/time -v "$@" > "$WORK/$name.out" 2> "$WORK/$name.time" || true
  local wall rss cpu
  wall=$(grep 'Elapsed (wall clock)' "$WORK/$name.time" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$WORK/$name.time" | awk '{print $NF}')
  cpu=$(grep -E '(User|System) time' "$WORK/$name.time" | awk '{s += $NF} END {print s}')
  echo "$name: wall $wall, cpu ${cpu}s (user+system), peak memory $((rss / 1024)) MiB"
}

echo "== timing (2 cores; load average $(cut -d' ' -f1 /proc/loadavg))"
(cd "$TREE" && measure doppel "$DOPPEL" check --format sarif --threshold "$THRESHOLD" .)
cp "$WORK/doppel.out" "$WORK/doppel.sarif"
(cd "$TREE" && measure jscpd "$JSCPD" --silent --min-lines 3 --min-tokens 30 \
  --reporters json --output "$WORK/jscpd-report" .)

echo "== planted copies found (similarity threshold $THRESHOLD)"
python3 benches/check_tree/evaluate.py "$WORK/planted.jsonl" doppel "$WORK/doppel.sarif" "$THRESHOLD"
python3 benches/check_tree/evaluate.py "$WORK/planted.jsonl" jscpd "$WORK/jscpd-report/jscpd-report.json" "$THRESHOLD"
echo "results in $WORK"
