#!/usr/bin/env bash
# Runs the tests that open doppel's HTML pages in headless Chromium (they are
# #[ignore]d under a plain `cargo test`, which needs no browser). Installs
# Debian's `chromium` package first when no browser is found and apt-get is
# there (as root, or through sudo). Set DOPPEL_CHROMIUM to use another
# Chromium or Chrome binary.
set -euo pipefail
cd "$(dirname "$0")/.."

have_browser() {
    [ -n "${DOPPEL_CHROMIUM:-}" ] || command -v chromium > /dev/null ||
        command -v chromium-browser > /dev/null || command -v google-chrome > /dev/null
}

if ! have_browser; then
    if ! command -v apt-get > /dev/null; then
        echo "tests/browser.sh: no Chromium found and no apt-get to install it; set DOPPEL_CHROMIUM" >&2
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium > /dev/null
fi

browser_tests=()
for file in tests/html_*.rs; do
    browser_tests+=(--test "$(basename "$file" .rs)")
done
cargo test --locked "${browser_tests[@]}" -- --include-ignored
