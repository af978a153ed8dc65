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
mkdir -p "$out"
DOPPEL_SCREENSHOTS=$(cd "$out" && pwd) tests/browser.sh
ls -l "$out"/*.png
