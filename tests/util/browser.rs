//! Open a page doppel wrote in headless Chromium and read back what a probe
//! script found in its live DOM.
//!
//! The tests that use this are `#[ignore]`d under a plain `cargo test` (they
//! need a browser); `tests/browser.sh` installs Debian's `chromium` when it
//! is missing and runs them. The browser is `$DOPPEL_CHROMIUM`, else the
//! first of `chromium`, `chromium-browser`, `google-chrome` on `PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The browser binary; panics with what to do when there is none.
pub fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("DOPPEL_CHROMIUM") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!("no Chromium found: run tests/browser.sh (it installs Debian's chromium) or set DOPPEL_CHROMIUM");
}

/// Loads `page` (a file) with `probe` appended as a script, waits for the
/// page's load event, runs `probe` (the body of a function returning a
/// JSON-serialisable value) and returns its value.
///
/// The probe runs after the page's own scripts, in the same document, so it
/// sees the DOM a reader would: what the page's script built, and whether
/// anything from the documents' text ran (a page that runs injected code
/// shows it in the globals or elements the probe looks for).
pub fn probe(page: &Path, probe: &str) -> Value {
    let html = std::fs::read_to_string(page)
        .unwrap_or_else(|e| panic!("cannot read page {}: {e}", page.display()));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let probed = dir.path().join("probed.html");
    let script = format!(
        "\n<script>window.addEventListener('load', () => {{ let result; \
         try {{ result = (function () {{ {probe} }})(); }} catch (e) {{ result = {{ probeError: String(e) }}; }} \
         const out = document.createElement('pre'); out.id = 'doppel-probe-result'; \
         out.textContent = JSON.stringify(result === undefined ? null : result); \
         document.documentElement.appendChild(out); }});</script>\n"
    );
    std::fs::write(&probed, format!("{html}{script}")).expect("write the probed page");
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", probed.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&output.stdout);
    let start_tag = "<pre id=\"doppel-probe-result\">";
    let start = dom.rfind(start_tag).unwrap_or_else(|| {
        panic!(
            "the probe left no result; chromium said: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    }) + start_tag.len();
    let end = dom[start..]
        .find("</pre>")
        .expect("the probe's result closes")
        + start;
    let text = unescape(&dom[start..end]);
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("the probe's result is not JSON ({e}): {text}"));
    if let Some(error) = value.get("probeError") {
        panic!("the probe failed: {error}");
    }
    value
}

/// The folder screenshots go to: `$DOPPEL_SCREENSHOTS` when set (for a
/// person to look at, `benches/screenshots.sh`), else `fallback` (a
/// temporary folder: the picture is still taken and checked).
pub fn screenshot_folder(fallback: &Path) -> PathBuf {
    let out =
        std::env::var_os("DOPPEL_SCREENSHOTS").map_or_else(|| fallback.to_owned(), PathBuf::from);
    std::fs::create_dir_all(&out).expect("the screenshot folder");
    out
}

/// Writes a screenshot of `page` to `png` at the given width and height,
/// and checks that it is a PNG image of more than a blank page's bytes.
pub fn screenshot(page: &Path, png: &Path, width: u32, height: u32) {
    let status = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .status()
        .expect("run chromium");
    assert!(
        status.success(),
        "chromium could not screenshot {}",
        page.display()
    );
}

/// The text of a serialised text node: character references undone.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}
