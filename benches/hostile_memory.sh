#!/usr/bin/env bash
# Peak memory of `doppel scan` (release build) on hostile input: a 200 MB
# document that is one single line, a 300 MB JSON Lines file, and a single
# line of highly repetitive sentences (the worst case of the search for
# blocks repeated inside one document). Each is scanned three times; the
# median peak RSS (`/usr/bin/time -v`) and wall time are printed.
#
# Inputs are generated into benches/data/ (git-ignored), deterministically.
# Sizes can be changed: LINE_MB=200 JSONL_MB=300 REPEAT_MB=16 RUNS=3.
#
#   benches/hostile_memory.sh
set -euo pipefail

cd "$(dirname "$0")/.."
LINE_MB=${LINE_MB:-200}
JSONL_MB=${JSONL_MB:-300}
REPEAT_MB=${REPEAT_MB:-16}
RUNS=${RUNS:-3}
DATA=benches/data
mkdir -p "$DATA"

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (for peak RSS)" >&2
    apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi

cargo build --release --quiet
DOPPEL=target/release/doppel

# Prose from a made-up vocabulary of 20,000 words, sentence after sentence.
generate() { # KIND MEGABYTES OUT
    python3 - "$@" <<'EOF'
import json, random, sys
kind, megabytes, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
size = megabytes * 1024 * 1024
rng = random.Random(7)
letters = "etaoinshrdlucmfwypvbgkjqxz"
vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10)))
              for _ in range(20000)]
if kind == "repeat":
    vocabulary = vocabulary[:10]

def sentence():
    words = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 25)))
    return words.capitalize() + ". "

with open(out, "w") as f:
    written = 0
    if kind in ("line", "repeat"):
        # One line, no line break anywhere; sentences end with ". ".
        while written < size:
            chunk = "".join(sentence() for _ in range(1000))
            chunk = chunk[: size - written]
            f.write(chunk)
            written += len(chunk)
    else:
        # Records of 2 to 40 sentences; one in ten repeats an earlier one
        # (a duplicate document), so clustering has work to do.
        kept, number = [], 0
        while written < size:
            if kept and rng.random() < 0.1:
                text = rng.choice(kept)
            else:
                text = "".join(sentence() for _ in range(rng.randint(2, 40))).strip()
                if len(kept) < 1000:
                    kept.append(text)
            line = json.dumps({"id": number, "text": text, "url": "https://example.org/%d" % number}) + "\n"
            f.write(line)
            written += len(line)
            number += 1
EOF
}

input() { # KIND MEGABYTES NAME
    local path="$DATA/$3"
    if [ ! -s "$path" ]; then
        echo "generating $path ($2 MB)" >&2
        generate "$1" "$2" "$path"
    fi
    echo "$path"
}

measure() { # LABEL PATH
    local label=$1 path=$2 rss=() secs=()
    for _ in $(seq "$RUNS"); do
        local report
        /usr/bin/time -v -o "$DATA/time.txt" "$DOPPEL" scan --format json "$path" >/dev/null 2>&1 || true
        report=$(cat "$DATA/time.txt")
        rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' <<<"$report")")
        secs+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' <<<"$report")")
    done
    local median_rss median_secs bytes
    median_rss=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
    median_secs=$(printf '%s\n' "${secs[@]}" | sort | sed -n "$(( (RUNS + 1) / 2 ))p")
    bytes=$(stat -c %s "$path")
    printf '| %s | %d MB | %d MB | %s | %s |\n' "$label" $((bytes / 1048576)) \
        $((median_rss / 1024)) "$median_secs" "$(printf '%s ' "${rss[@]}" | awk '{for (i = 1; i <= NF; i++) printf "%d ", $i / 1024}')"
}

LINE=$(input line "$LINE_MB" "hostile_line_${LINE_MB}mb.txt")
JSONL=$(input jsonl "$JSONL_MB" "hostile_${JSONL_MB}mb.jsonl")
REPEAT=$(input repeat "$REPEAT_MB" "hostile_repeat_${REPEAT_MB}mb.txt")

echo "| input | size | median peak RSS | median wall time | peak RSS of each run (MB) |"
echo "|---|---|---|---|---|"
measure "single line of prose" "$LINE"
measure "JSON Lines, 10% duplicate records" "$JSONL"
measure "single line, 10-word vocabulary" "$REPEAT"
