#!/usr/bin/env bash
# Measures how each shingling (words:1..5, chars:2..7) scores copies of real
# texts with 1%, 3%, 5% and 10% of their characters edited, and distinct
# documents of one template: the figures behind the default `--shingle` and
# `--threshold` (benches/README.md, "Choosing the shingling").
#
#   benches/shingle_choice.sh            prints the tables (Markdown)
#
# Fetches into benches/data/ (reused when present): the SPDX licence texts
# (npm package spdx-license-list, `npm pack`), Debian's manpages-zh,
# manpages-ja and fortunes-zh (`apt-get download`). Needs npm, apt-get,
# dpkg-deb, python3 and cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=benches/data
SET="$DATA/shingle-choice"
mkdir -p "$DATA"

if [ ! -f "$DATA/spdx/package/spdx-full.json" ]; then
    echo "== fetch spdx-license-list" >&2
    mkdir -p "$DATA/spdx"
    (cd "$DATA/spdx" && npm pack --silent spdx-license-list >/dev/null && tar xzf spdx-license-list-*.tgz)
fi
if [ ! -d "$DATA/man/usr/share/games/fortunes" ] || [ ! -d "$DATA/man/usr/share/man/zh_CN" ]; then
    echo "== fetch manpages-zh, manpages-ja and fortunes-zh" >&2
    (cd "$DATA" && apt-get download manpages-zh manpages-ja fortunes-zh) >&2
    for deb in "$DATA"/manpages-zh_*.deb "$DATA"/manpages-ja_*.deb "$DATA"/fortunes-zh_*.deb; do
        dpkg-deb -x "$deb" "$DATA/man"
    done
fi
python3 benches/shingle_choice_data.py "$DATA/spdx/package/spdx-full.json" "$DATA/man" "$SET" >&2
cargo build --release --quiet --example shingle_choice
target/release/examples/shingle_choice "$SET/docs.jsonl" "$SET/pairs.jsonl"
