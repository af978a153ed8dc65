#!/usr/bin/env bash
# Makes the corpora of the staged-signature and index measurements
# (benches/pipeline_run.sh), in benches/data/, reusing any already there:
#
#   cjk-1G.jsonl, cjk-1Gb.jsonl   mostly Chinese and Japanese prose: the
#                                 paragraphs of Debian's manpages-zh and
#                                 manpages-ja (benches/cjk_corpus.py), two seeds
#   cjk-new-100M.jsonl            a new crawl: fresh documents, and exact and
#                                 edited copies of cjk-1G's (benches/new_crawl.py)
#   latin-1G.jsonl, latin-1Gb.jsonl, latin-new-100M.jsonl
#                                 the same from the Latin-script documents of
#                                 the labelled corpus (benches/labelled_corpus.rs)
#
# Needs apt-get (Debian's packages) for the man pages, python3 and cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=benches/data
mkdir -p "$DATA"

if [ ! -d "$DATA/man/usr/share/man" ]; then
    echo "== fetch manpages-zh and manpages-ja"
    (cd "$DATA" && apt-get download manpages-zh manpages-ja)
    for deb in "$DATA"/manpages-zh_*.deb "$DATA"/manpages-ja_*.deb; do
        dpkg-deb -x "$deb" "$DATA/man"
    done
fi

cjk() { # cjk NAME SIZE SEED
    [ -f "$DATA/$1" ] || python3 benches/cjk_corpus.py "$DATA/man" "$DATA/$1" "$2" "$3"
}
cjk cjk-1G.jsonl 1G 1
cjk cjk-1Gb.jsonl 1G 2
cjk cjk-fresh-100M.jsonl 100M 3
[ -f "$DATA/cjk-new-100M.jsonl" ] ||
    python3 benches/new_crawl.py "$DATA/cjk-1G.jsonl" "$DATA/cjk-fresh-100M.jsonl" "$DATA/cjk-new-100M.jsonl" 100M

# The labelled corpus is half Chinese, half Latin-script documents; keep the
# Latin half (documents with no Han character).
latin() { # latin NAME MIB - SEED
    [ -f "$DATA/$1" ] && return
    cargo build --release --example labelled_corpus
    target/release/examples/labelled_corpus "$DATA/mixed-$1" "$(( $2 * 2 + 64 ))M" "$4" >/dev/null
    python3 - "$DATA/mixed-$1" "$DATA/$1" "$(( $2 << 20 ))" <<'PY'
import json, os, re, sys
han = re.compile("[\u3040-\u9fff]")
src, out, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
written = 0
with open(src, encoding="utf-8") as f, open(out + ".partial", "w", encoding="utf-8") as o:
    for line in f:
        if written >= limit:
            break
        if not han.search(json.loads(line)["text"]):
            o.write(line)
            written += len(line.encode("utf-8"))
os.replace(out + ".partial", out)
PY
    rm -f "$DATA/mixed-$1"
}
latin latin-1G.jsonl 1024 x 1
latin latin-1Gb.jsonl 1024 x 2
latin latin-fresh-100M.jsonl 100 x 3
[ -f "$DATA/latin-new-100M.jsonl" ] ||
    python3 benches/new_crawl.py "$DATA/latin-1G.jsonl" "$DATA/latin-fresh-100M.jsonl" "$DATA/latin-new-100M.jsonl" 100M
ls -l "$DATA"/*.jsonl
