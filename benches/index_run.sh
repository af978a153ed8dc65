#!/usr/bin/env bash
# Whole-run measurements of the persistent index: `index create`, the time
# to add a shard at two index sizes, and `scan --against` against scanning
# the new data alone (all with --find documents, report to /dev/null).
#
#   STORED=a.jsonl STORED2=b.jsonl SHARD=shard.jsonl NEW=new.jsonl benches/index_run.sh
#
# STORED and STORED2: two corpora of about 1 GiB (the index grows from one
# to both); SHARD: a 100 MB shard to add; NEW: 100 MB of new data to query.
# Generate them with `target/release/examples/labelled_corpus` (see
# corpus_run.sh) or use any JSON Lines files.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BIN=${BIN:-target/release/doppel}
W=${WORK:-benches/data/index-work}
: "${STORED:?}" "${STORED2:?}" "${SHARD:?}" "${NEW:?}"
rm -rf "$W"; mkdir -p "$W"
timed() {
    local log; log=$(mktemp)
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; return 1; }
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
        /Maximum resident set size/ { rss = $2 } /User time|System time/ { cpu += $2 }
        END { printf "wall %.2f s  cpu %.2f s  rss %d MiB\n", wall, cpu, rss/1024 }' "$log"
    rm -f "$log"
}
echo "== load: $(uptime)"
echo "== create from $STORED"; timed "$BIN" index create "$W/idx" "$STORED"
"$BIN" index info "$W/idx"
for i in $(seq "$RUNS"); do echo "== add shard at size 1 ($i)"; timed "$BIN" index add "$W/idx" "$SHARD"; done
for i in $(seq "$RUNS"); do
    echo "== scan NEW alone ($i)"; timed "$BIN" scan --find documents --format json "$NEW"
    echo "== scan --against NEW ($i)"; timed "$BIN" scan --against "$W/idx" --find documents --format json "$NEW"
done
"$BIN" scan --against "$W/idx" --find documents --format json "$NEW" | tail -1
echo "== add $STORED2"; timed "$BIN" index add "$W/idx" "$STORED2"
"$BIN" index info "$W/idx"
for i in $(seq "$RUNS"); do echo "== add shard at size 2 ($i)"; timed "$BIN" index add "$W/idx" "$SHARD"; done
for i in $(seq "$RUNS"); do
    echo "== scan NEW alone ($i)"; timed "$BIN" scan --find documents --format json "$NEW"
    echo "== scan --against NEW, size 2 ($i)"; timed "$BIN" scan --against "$W/idx" --find documents --format json "$NEW"
done
echo "== load: $(uptime)"
du -sb "$W/idx"
