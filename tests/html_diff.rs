//! `doppel diff --format html`: the page's text (under a plain `cargo test`)
//! and its live DOM in headless Chromium (`tests/browser.sh`): the changes
//! and their counts are those of the JSON report, moved blocks link both
//! ways, a one-character change is one marked character, the views switch,
//! hostile text stays inert, a folder page links every listed file.
//!
//! With `DOPPEL_SCREENSHOTS=DIR`, `screenshots_of_the_pages` writes
//! `DIR/diff.png` and `DIR/diff-folder.png` for a person to look at.

mod util;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use util::{browser, corpus, doppel, Run};

/// The seed page and an edited copy: one character changed in a long
/// Chinese line, a paragraph moved down, a line removed, a line added.
fn seed_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let old = corpus("scraped_page_zh.txt");
    let text = std::fs::read_to_string(&old).expect("the seed page");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    assert!(lines[26].contains("法寶"), "{}", lines[26]);
    lines[26] = lines[26].replacen("法寶", "法宝", 1);
    let moved = lines.remove(70);
    lines.insert(120, moved);
    lines.remove(4);
    lines.insert(10, "新增的一行文字,页面上原来没有。".to_owned());
    let new = dir.join("edited.txt");
    std::fs::write(&new, lines.join("\n") + "\n").expect("write the edited copy");
    (old, new)
}

fn run_pair(format: &str, old: &Path, new: &Path) -> Run {
    let (old, new) = (old.to_str().expect("UTF-8"), new.to_str().expect("UTF-8"));
    doppel(&["diff", "--format", format, old, new])
}

/// The page for `old` → `new`, written to `dir/name.html`.
fn page(dir: &Path, name: &str, old: &Path, new: &Path) -> (PathBuf, String) {
    let run = run_pair("html", old, new);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let file = dir.join(format!("{name}.html"));
    std::fs::write(&file, &run.stdout).expect("write the page");
    (file, run.stdout)
}

/// The number a `data-figure` item of the page shows.
fn figure(html: &str, name: &str) -> u64 {
    let key = format!("data-figure=\"{name}\"><b>");
    let at = html
        .find(&key)
        .unwrap_or_else(|| panic!("no figure {name}"))
        + key.len();
    let value = &html[at..at + html[at..].find("</b>").expect("closed")];
    value
        .trim_end_matches('%')
        .replace(',', "")
        .parse()
        .unwrap_or_else(|e| panic!("figure {name} = {value:?}: {e}"))
}

fn ops(run: &Run) -> Vec<Value> {
    run.json()
        .into_iter()
        .filter(|v| v["type"] == "op")
        .collect()
}

#[test]
fn the_seed_page_pair_has_the_figures_and_changes_of_the_json_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = seed_pair(dir.path());
    let (_, html) = page(dir.path(), "pair", &old, &new);
    let report = run_pair("json", &old, &new);
    assert_eq!(report.code, 1);
    let doc = report.only_document();
    for name in ["insertions", "deletions", "moves"] {
        assert_eq!(Some(figure(&html, name)), doc[name].as_u64(), "{name}");
    }
    let similarity = doc["similarity"].as_f64().expect("similarity");
    assert_eq!(
        figure(&html, "similarity"),
        (similarity * 100.0).round() as u64
    );
    let changes = ops(&report).len();
    assert!(changes >= 4, "{changes}");
    assert_eq!(html.matches("<tbody class=\"chg ").count(), 2 * changes);
    assert_eq!(html.matches(" id=\"d1-s-").count(), changes);
    // The one-character edit, marked as that character on each side.
    assert!(html.contains("<del class=\"strong\">寶</del>"));
    assert!(html.contains("<ins class=\"strong\">宝</ins>"));
    // Both labels, escaped, and nothing fetched from elsewhere.
    assert!(html.contains(&format!("<span class=\"old\">{}</span>", old.display())));
    for outside in ["http://", "https://", " src=", "<link"] {
        assert!(!html.contains(outside), "{outside}");
    }
    let moves = doc["moves"].as_u64().expect("moves");
    assert!(moves >= 1);
    for end in ["from", "to"] {
        assert!(html.contains(&format!("id=\"d1-s-m1-{end}\"")), "{end}");
        assert!(html.contains(&format!("id=\"d1-i-m1-{end}\"")), "{end}");
    }
}

/// The seed page's two copies of its article as two files.
fn the_two_copies(dir: &Path) -> (PathBuf, PathBuf) {
    let page = std::fs::read_to_string(corpus("scraped_page_zh.txt")).expect("the seed page");
    let lines: Vec<&str> = page.split_inclusive('\n').collect();
    let (first, second) = (dir.join("first.txt"), dir.join("second.txt"));
    std::fs::write(&first, lines[19..149].concat()).expect("write");
    std::fs::write(&second, lines[156..286].concat()).expect("write");
    (first, second)
}

#[test]
fn encoding_damage_is_marked_as_damage_with_its_side_as_json_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, second) = the_two_copies(dir.path());
    let (_, html) = page(dir.path(), "copies", &first, &second);
    let json = run_pair("json", &first, &second);
    let mut damaged: Vec<String> = ops(&json)
        .iter()
        .filter_map(|op| op["damage"].as_str().map(str::to_owned))
        .collect();
    damaged.sort();
    // Three paragraphs damaged in the first copy, one in the second.
    assert_eq!(damaged, ["new", "old", "old", "old"], "{}", json.stdout);
    for side in ["old", "new"] {
        let want = damaged.iter().filter(|d| *d == side).count();
        // Once in the side-by-side view, once in the inline one.
        let shown = html.matches(&format!("data-damage=\"{side}\"")).count();
        assert_eq!(shown, 2 * want, "{side}");
    }
    assert_eq!(
        html.matches("encoding damage in the old text, not an edit")
            .count(),
        6
    );
}

#[test]
fn exit_status_is_that_of_the_other_formats() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "same\n").expect("write");
    std::fs::write(&b, "other\n").expect("write");
    let equal = run_pair("html", &a, &a);
    assert_eq!(equal.code, 0);
    assert!(equal.stdout.contains("No differences."), "{}", equal.stdout);
    assert_eq!(run_pair("html", &a, &b).code, 1);
    let missing = run_pair("html", &a, &dir.path().join("missing.txt"));
    assert_eq!(missing.code, 2);
    assert_eq!(missing.stderr.lines().count(), 1, "{}", missing.stderr);
    assert!(missing.stdout.contains("Could not be compared"));
}

/// Text that would run, close the container or reorder the line if it
/// were not escaped.
const HOSTILE: &str = "<script>window.pwned = 1</script></style></td></table>\"'><img src=x \
                       onerror=\"window.pwned = 2\">\u{202E}txet desrever\u{1b}[31mend";

fn hostile_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let old = dir.join("<b>old\"'.txt");
    let new = dir.join("new\u{202E}.txt");
    std::fs::write(&old, format!("first\n{HOSTILE} one\nlast\n")).expect("write");
    std::fs::write(&new, format!("first\n{HOSTILE} two\nlast\n")).expect("write");
    (old, new)
}

#[test]
fn hostile_text_and_names_are_escaped_in_the_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = hostile_pair(dir.path());
    let (_, html) = page(dir.path(), "hostile", &old, &new);
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own");
    for raw in ["<img", "</table>\"", "<b>old", "\u{202E}", "\u{1b}"] {
        assert!(!html.contains(raw), "{raw:?} left raw");
    }
    assert!(html.contains("&lt;script&gt;window.pwned = 1&lt;/script&gt;"));
    assert!(html.contains("<span class=\"ctl\">U+202E</span>"));
}

/// Two folders: one file changed, one added, one removed, one renamed,
/// one unchanged, one with a hostile name.
fn folder_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let (v1, v2) = (dir.join("v1"), dir.join("v2"));
    let write = |path: PathBuf, text: &str| {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    let body: String = (0..30)
        .map(|i| format!("Sentence {i} of a long document that gets renamed.\n"))
        .collect();
    write(v1.join("same.txt"), "unchanged\n");
    write(v1.join("changed.txt"), "北京是中国的首都。\nsecond\n");
    write(v2.join("same.txt"), "unchanged\n");
    write(v2.join("changed.txt"), "北京是中国的首府。\nsecond\n");
    write(v1.join("removed.txt"), "this file goes away entirely\n");
    write(
        v2.join("added <img src=x>.txt"),
        "a new file with new words\n",
    );
    write(v1.join("docs/old-name.txt"), &body);
    write(
        v2.join("guide/new-name.txt"),
        &body.replace("Sentence 4 ", "Sentence four "),
    );
    (v1, v2)
}

#[test]
fn a_folder_page_lists_every_file_and_counts_as_json_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (v1, v2) = folder_pair(dir.path());
    let (_, html) = page(dir.path(), "folder", &v1, &v2);
    let summary = run_pair("json", &v1, &v2).summary();
    for name in [
        "changed",
        "added",
        "removed",
        "renamed",
        "unchanged",
        "insertions",
        "deletions",
        "moves",
    ] {
        assert_eq!(Some(figure(&html, name)), summary[name].as_u64(), "{name}");
    }
    for status in ["changed", "added", "removed", "renamed"] {
        assert_eq!(html.matches(&format!("<tr class=\"{status}\">")).count(), 1);
    }
    assert!(!html.contains("<tr class=\"unchanged\">"));
    // Each listed file links to its section.
    let sections = html.matches("<section class=\"doc\" id=\"d").count();
    assert_eq!(sections, 4);
    for n in 1..=4 {
        assert!(html.contains(&format!("<a href=\"#d{n}\">")), "d{n}");
        assert!(html.contains(&format!("<section class=\"doc\" id=\"d{n}\">")));
    }
    assert!(
        html.contains("old-name.txt \u{2192} "),
        "renamed shown as such"
    );
    assert!(html.contains("added &lt;img src=x&gt;.txt"));
}

#[test]
fn a_huge_pair_is_cut_to_a_page_a_browser_opens_with_complete_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.txt");
    let new = dir.path().join("new.txt");
    // 40,000 added lines, and a 1 MB line with one character changed.
    let long: String = "中文句子".repeat(90_000);
    let mut edited = long.clone();
    edited.replace_range(600_000..600_003, "改");
    let added: String = (0..40_000).map(|i| format!("added line {i}\n")).collect();
    std::fs::write(&old, format!("start\n{long}\nend\n")).expect("write");
    std::fs::write(&new, format!("start\n{edited}\nend\n{added}")).expect("write");
    let (_, html) = page(dir.path(), "huge", &old, &new);
    let doc = run_pair("json", &old, &new).only_document();
    assert_eq!(
        Some(figure(&html, "insertions")),
        doc["insertions"].as_u64()
    );
    assert_eq!(figure(&html, "insertions"), 40_001);
    assert!(html.len() < 8 << 20, "{} bytes", html.len());
    assert!(
        html.contains("The page ends this document here"),
        "a note of the cut"
    );
    assert!(html.contains("bytes not shown"), "a note of the cut line");
    assert!(html.contains("<ins class=\"strong\">改</ins>"));
}

// ------------------------------------------------------------ in Chromium

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn the_dom_holds_every_change_of_the_json_report_and_moves_link_both_ways() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = seed_pair(dir.path());
    let (file, _) = page(dir.path(), "pair", &old, &new);
    let report = run_pair("json", &old, &new);
    let found = browser::probe(
        &file,
        "const links = Array.from(document.querySelectorAll('.side tr.mvlink a'));
         const resolved = links.map(a => {
           const here = a.closest('tbody');
           const there = document.getElementById(a.getAttribute('href').slice(1));
           const back = there && there.querySelector('tr.mvlink a');
           return !!there && there !== here && !!back && back.getAttribute('href') === '#' + here.id;
         });
         const changed = Array.from(document.querySelectorAll('.side ins.strong'))
           .filter(e => e.textContent === '宝');
         const row = changed.length ? changed[0].closest('tr') : null;
         return {
           side: document.querySelectorAll('.view.side tbody.chg').length,
           inline: document.querySelectorAll('.view.inline tbody.chg').length,
           links: links.length,
           resolved: resolved.filter(Boolean).length,
           strongIns: row ? Array.from(row.querySelectorAll('ins.strong')).map(e => e.textContent) : null,
           strongDel: row ? Array.from(row.querySelectorAll('del.strong')).map(e => e.textContent) : null,
         };",
    );
    let changes = ops(&report).len();
    let moves = report.only_document()["moves"].as_u64().expect("moves");
    assert_eq!(found["side"], changes, "{found}");
    assert_eq!(found["inline"], changes, "{found}");
    assert_eq!(found["links"], 2 * moves, "{found}");
    assert_eq!(found["resolved"], found["links"], "{found}");
    assert_eq!(found["strongIns"], json!(["宝"]), "{found}");
    assert_eq!(found["strongDel"], json!(["寶"]), "{found}");
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn the_toolbar_switches_views_jumps_to_changes_and_hides_context() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = seed_pair(dir.path());
    let (file, _) = page(dir.path(), "pair", &old, &new);
    let found = browser::probe(
        &file,
        "const shown = sel => getComputedStyle(document.querySelector(sel)).display !== 'none';
         const click = sel => document.querySelector(sel).click();
         const before = { side: shown('.view.side'), inline: shown('.view.inline') };
         click('button[data-view=inline]');
         const inline = { side: shown('.view.side'), inline: shown('.view.inline'),
           open: document.querySelector('details.inline').open };
         click('button[data-act=next]');
         const jumped = location.hash;
         click('button[data-act=context]');
         const context = shown('.view.inline tbody.ctx');
         click('button[data-view=side]');
         return { before, inline, jumped, context, after: shown('.view.side') };",
    );
    assert_eq!(
        found["before"],
        json!({"side": true, "inline": false}),
        "{found}"
    );
    assert_eq!(
        found["inline"],
        json!({"side": false, "inline": true, "open": true}),
        "{found}"
    );
    let jumped = found["jumped"].as_str().unwrap_or("");
    assert!(jumped.starts_with("#d1-i-"), "{found}");
    assert_eq!(found["context"], false, "{found}");
    assert_eq!(found["after"], true, "{found}");
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn hostile_text_runs_nothing_and_reads_back_verbatim() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = hostile_pair(dir.path());
    let (file, _) = page(dir.path(), "hostile", &old, &new);
    let found = browser::probe(
        &file,
        "const cells = Array.from(document.querySelectorAll('.side td.t.del'));
         const rows = Array.from(document.querySelectorAll('.side tbody.chg tr'));
         return {
           pwned: window.pwned === undefined ? null : window.pwned,
           images: document.images.length,
           scripts: document.scripts.length,
           cells: cells.map(c => c.textContent),
           children: cells.flatMap(c => Array.from(c.children).map(e => e.tagName + '.' + e.className)),
           widths: rows.map(r => r.children.length),
           title: document.title,
         };",
    );
    assert_eq!(found["pwned"], Value::Null, "{found}");
    assert_eq!(found["images"], 0, "{found}");
    assert_eq!(found["scripts"], 2, "the page's and the probe's: {found}");
    let shown = HOSTILE
        .replace('\u{202E}', "U+202E")
        .replace('\u{1b}', "U+001B");
    assert_eq!(found["cells"], json!([format!("{shown} one")]), "{found}");
    assert_eq!(
        found["children"],
        json!(["SPAN.ctl", "SPAN.ctl", "DEL.strong"]),
        "{found}"
    );
    assert_eq!(found["widths"], json!([4]), "{found}");
    assert!(
        found["title"]
            .as_str()
            .unwrap_or("")
            .contains("<b>old\"'.txt"),
        "{found}"
    );
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn a_folder_page_links_every_listed_file_to_its_section() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (v1, v2) = folder_pair(dir.path());
    let (file, _) = page(dir.path(), "folder", &v1, &v2);
    let found = browser::probe(
        &file,
        "const rows = Array.from(document.querySelectorAll('table.files tbody tr'));
         return rows.map(r => {
           const a = r.querySelector('a');
           const target = a && document.getElementById(a.getAttribute('href').slice(1));
           return [r.className, a ? a.textContent : null,
             !!target && target.matches('section.doc') && target.querySelectorAll('tbody.chg').length > 0];
         });",
    );
    let rows = found.as_array().expect("rows");
    let mut statuses: Vec<&str> = rows.iter().filter_map(|r| r[0].as_str()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        ["added", "changed", "removed", "renamed"],
        "{found}"
    );
    assert!(rows.iter().all(|r| r[2] == true), "{found}");
    let names: Vec<&str> = rows.iter().filter_map(|r| r[1].as_str()).collect();
    assert!(names.contains(&"added <img src=x>.txt"), "{found}");
    assert!(
        names
            .iter()
            .any(|n| n.contains("old-name.txt") && n.contains("new-name.txt")),
        "{found}"
    );
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn the_huge_page_opens_and_keeps_its_one_character_mark() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.txt");
    let new = dir.path().join("new.txt");
    let long: String = "中文句子".repeat(90_000);
    let mut edited = long.clone();
    edited.replace_range(600_000..600_003, "改");
    let added: String = (0..40_000).map(|i| format!("added line {i}\n")).collect();
    std::fs::write(&old, format!("start\n{long}\nend\n")).expect("write");
    std::fs::write(&new, format!("start\n{edited}\nend\n{added}")).expect("write");
    let (file, _) = page(dir.path(), "huge", &old, &new);
    let found = browser::probe(
        &file,
        "return {
           marks: Array.from(document.querySelectorAll('.side ins.strong')).map(e => e.textContent),
           rows: document.querySelectorAll('.side tr').length,
           cut: !!document.querySelector('tbody.cut'),
         };",
    );
    assert_eq!(found["marks"], json!(["改"]), "{found}");
    assert!(found["rows"].as_u64().unwrap_or(0) <= 26_000, "{found}");
    assert_eq!(found["cut"], true, "{found}");
}

/// Screenshots of a pair page and a folder page at 1280×1600: into
/// `$DOPPEL_SCREENSHOTS` when set (for a person to look at), else into a
/// temporary folder, checked to be PNG images.
#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn screenshots_of_the_pages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = browser::screenshot_folder(dir.path());
    let (old, new) = seed_pair(dir.path());
    let (pair, _) = page(dir.path(), "pair", &old, &new);
    let (v1, v2) = folder_pair(dir.path());
    let (folder, _) = page(dir.path(), "folder", &v1, &v2);
    for (page, png) in [(pair, "diff.png"), (folder, "diff-folder.png")] {
        let png = out.join(png);
        browser::screenshot(&page, &png, 1280, 1600);
    }
}
