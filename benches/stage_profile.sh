#!/usr/bin/env bash
# Per-stage CPU profile of a scan: `perf record` (DWARF call graphs) of one
# run, then each stage's inclusive share of the samples, times the run's CPU
# seconds (user + system, from /usr/bin/time in a second run).
#
#   benches/stage_profile.sh BINARY CORPUS [SCAN ARGS...]
#   e.g. benches/stage_profile.sh target/release/doppel benches/data/mixed-cjk72-100M.jsonl --find documents
#
# Needs perf and a build with debug information (the release profile has it).
set -euo pipefail
BIN=$1 CORPUS=$2
shift 2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/time -f "%U %S %e %M" -o "$WORK/time" "$BIN" scan --format json "$@" "$CORPUS" >/dev/null
perf record -q -F 499 --call-graph dwarf,16384 -o "$WORK/perf.data" \
    "$BIN" scan --format json "$@" "$CORPUS" >/dev/null 2>"$WORK/perf.err"
perf report -i "$WORK/perf.data" --children --stdio -g none --percent-limit 0 2>/dev/null \
    >"$WORK/report"
python3 - "$WORK/report" "$WORK/time" <<'PY'
import re, sys
report, timing = sys.argv[1], sys.argv[2]
user, system, wall, rss = open(timing).read().split()
cpu = float(user) + float(system)
# stage: symbols whose inclusive samples it counts (summed over inlined and
# out-of-line copies)
STAGES = [
    ("read and split the input (JSON Lines lines)", ["<doppel::input::reader::DocReader as core::iter::traits::iterator::Iterator>::next"]),
    ("parse records (UTF-8 check, JSON)", ["doppel::input::reader::PendingRecord::parse"]),
    ("segment", ["doppel::segment::Segmenter::segment_indexed"]),
    ("choose shingle length (k_for)", ["doppel::shingle::ShingleConfig::k_for"]),
    ("normalize", ["doppel::normalize::Normalizer::normalize"]),
    ("shingle", ["doppel::shingle::Shingler::shingles"]),
    ("MinHash slots and signatures", ["doppel::sketch::SlotMins::add", "doppel::sketch::SlotMins::signature", "doppel::sketch::SlotMins::merge"]),
    ("fingerprint (normalize + shingle + MinHash + hashes)", ["doppel::fingerprint::Fingerprinter::fingerprint"]),
    ("in-document blocks", ["doppel::detect::within::find_blocks"]),
    ("document sketch and LSH band keys", ["doppel::pipeline::Engine::sketch"]),
    ("boilerplate line hashes", ["doppel::detect::boilerplate::line_hashes"]),
    ("corpus index, serial (incl. spill)", ["doppel::pipeline::corpus::CorpusState::add"]),
    ("  of which the spill of shingle sets", ["doppel::detect::sets::SetSpill::push"]),
    ("verify candidates: read sets back", ["doppel::detect::sets::SetStore::load"]),
    ("verify candidates: Jaccard", ["doppel::detect::sets::jaccard_if_reachable"]),
    ("finish the corpus findings (serial part)", ["doppel::pipeline::corpus::CorpusState::finish"]),
    ("JSON report", ["<doppel::report::json::JsonPrinter<W> as doppel::pipeline::sink::Sink>::document", "<doppel::report::json::JsonPrinter<W> as doppel::pipeline::sink::Sink>::corpus"]),
]
line = re.compile(r"^\s+([\d.]+)%\s+([\d.]+)%\s+\S+\s+\S+\s+\[.\]\s+(.*?)(?: \(inlined\))?$")
children = {}
for text in open(report, encoding="utf-8", errors="replace"):
    m = line.match(text)
    if m:
        children[m.group(3)] = children.get(m.group(3), 0.0) + float(m.group(1))
print(f"run: {float(wall):.2f} s wall, {cpu:.2f} s CPU (user + system), peak RSS {int(rss) // 1024} MiB")
print("| stage | share of CPU samples | CPU s |")
print("|---|---|---|")
for name, symbols in STAGES:
    share = sum(children.get(s, 0.0) for s in symbols)
    print(f"| {name} | {share:.1f}% | {share * cpu / 100:.2f} |")
PY
