//! The page shell every HTML report shares, opened in headless Chromium:
//! text from a document is shown, never run, whatever it holds.

mod util;

use doppel::html::{escape, Page};
use util::browser;

const HOSTILE: &str = "<script>window.pwned = 1</script></style></pre>\"'><img src=x onerror=\"window.pwned = 2\">\u{202E}txet desrever";

#[test]
fn escaped_text_is_shown_as_written_and_runs_nothing() {
    let mut page = Page::new(HOSTILE);
    page.body().push_str(&format!(
        "<pre id=\"box\">{}</pre><p id=\"after\">after</p>",
        escape(HOSTILE)
    ));
    let html = page.finish();
    assert!(!html.contains("<script>window.pwned"));
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn hostile_text_stays_inert_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.html");
    let mut page = Page::new(HOSTILE);
    page.body().push_str(&format!(
        "<pre id=\"box\">{}</pre><p id=\"after\">after</p>",
        escape(HOSTILE)
    ));
    std::fs::write(&file, page.finish()).unwrap();
    let found = browser::probe(
        &file,
        "const box = document.getElementById('box');
         return {
           pwned: window.pwned === undefined ? null : window.pwned,
           images: document.images.length,
           boxChildren: Array.from(box.children).map(e => e.className),
           afterIsSibling: document.getElementById('after').previousElementSibling === box,
           scripted: document.documentElement.classList.contains('js'),
           title: document.title,
           text: box.textContent,
         };",
    );
    assert_eq!(found["pwned"], serde_json::Value::Null, "{found}");
    assert_eq!(found["images"], 0, "{found}");
    assert_eq!(found["boxChildren"], serde_json::json!(["ctl"]), "{found}");
    assert_eq!(found["afterIsSibling"], true, "{found}");
    assert_eq!(
        found["scripted"], true,
        "the page's own script runs: {found}"
    );
    assert_eq!(
        found["title"],
        HOSTILE.replace('\u{202E}', "U+202E"),
        "{found}"
    );
    let shown = found["text"].as_str().unwrap();
    assert!(
        shown.starts_with("<script>window.pwned = 1</script></style></pre>"),
        "{shown}"
    );
    assert!(shown.contains("U+202Etxet desrever"), "{shown}");
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn next_finding_reaches_findings_inside_closed_details() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.html");
    let gap = "<div style=\"height:2000px\"></div>";
    let mut page = Page::new("findings");
    page.body().push_str(&format!(
        "{gap}<p class=\"f\" id=\"f1\">one</p>{gap}\
         <details id=\"d\"><summary>closed</summary><p class=\"f\" id=\"f2\">two</p></details>\
         {gap}<p class=\"f\" id=\"f3\">three</p>{gap}"
    ));
    std::fs::write(&file, page.finish()).unwrap();
    let found = browser::probe(
        &file,
        "const steps = [];
         for (let i = 0; i < 4; i++) { doppel.next('.f'); steps.push(location.hash); }
         return { steps, open: document.getElementById('d').open };",
    );
    assert_eq!(
        found,
        serde_json::json!({ "steps": ["#f1", "#f2", "#f3", "#f1"], "open": true })
    );
}
