#!/usr/bin/env bash
# Writes a screenshot of each HTML page doppel makes, for a person to look
# at: the scan page of the bundled corpus page, the clean page of a small
# generated corpus, and the diff pages of a file pair and a folder pair.
# The pages are rendered and photographed by the browser tests
# (tests/html_*.rs, headless Chromium; tests/browser.sh installs it) when
# DOPPEL_SCREENSHOTS names a folder. Default folder: docs/screenshots.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/screenshots}
# Chinese, Japanese and Korean text needs a font that has it (Debian's
# chromium brings none); WenQuanYi Zen Hei is 7 MB.
if ! fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk'; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends fonts-wqy-zenhei > /dev/null
fi
mkdir -p "$out"
DOPPEL_SCREENSHOTS=$(cd "$out" && pwd) tests/browser.sh
ls -l "$out"/*.png
