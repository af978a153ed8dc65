#!/usr/bin/env bash
# The labelled damage evaluation at scale: fetches Debian's manpages-zh,
# manpages-ja, fortunes-zh, debian-faq-ko and fortunes-min (apt-get
# download), writes their paragraphs to benches/data/damage/
# (benches/damage_data.py), and prints precision and recall of
# doppel::quality::findings on documents with planted GBK, Big5, Shift_JIS
# and EUC-KR damage (benches/damage_eval.rs).
#
#   benches/damage_eval.sh [DOCS_PER_LANGUAGE] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=benches/data/damage
mkdir -p "$DATA/deb"
if [ ! -f "$DATA/zh_hans.txt" ]; then
    (cd "$DATA/deb" && apt-get download manpages-zh manpages-ja fortunes-zh debian-faq-ko fortunes-min)
    for deb in "$DATA"/deb/*.deb; do
        dpkg-deb -x "$deb" "$DATA/root"
    done
    python3 benches/damage_data.py "$DATA/root" "$DATA"
fi
cargo run --quiet --release --example damage_eval -- "$DATA" "${1:-2000}" "${2:-1}"
