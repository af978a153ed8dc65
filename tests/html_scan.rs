//! `doppel scan --format html`: the page holds what the JSON report holds
//! (the seed page's block and its differing pairs as inline diffs; the
//! figures, documents and clusters of a generated corpus), caps a large
//! run with a note, and keeps hostile document text inert. The browser
//! tests open the page in headless Chromium and read its live DOM.

mod util;

use std::path::{Path, PathBuf};

use serde_json::Value;
use util::{browser, corpus, doppel_in, Run};

fn s(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// Runs `scan` with `args` in `dir`, checked to succeed.
fn scan(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    let run = doppel_in(dir, &all, None);
    assert_eq!(run.code, 0, "doppel {all:?}: {}", run.stderr);
    run
}

/// The HTML page of `scan --format html INPUTS…`, written to `dir/name`.
fn page(dir: &Path, name: &str, inputs: &[&str]) -> (PathBuf, String) {
    let mut args = vec!["--format", "html"];
    args.extend_from_slice(inputs);
    let html = scan(dir, &args).stdout;
    let path = dir.join(name);
    std::fs::write(&path, &html).expect("write the page");
    (path, html)
}

/// The value of the figure `name` (its `data-value`).
fn figure(html: &str, name: &str) -> u64 {
    let key = format!("data-figure=\"{name}\" data-value=\"");
    let at = html
        .find(&key)
        .unwrap_or_else(|| panic!("no figure {name}"))
        + key.len();
    let end = html[at..].find('"').expect("the value closes") + at;
    html[at..end].parse().expect("a number")
}

/// A paragraph of `words` words, seeded so paragraphs differ.
fn paragraph(seed: usize, words: usize) -> String {
    (0..words)
        .map(|n| format!("w{}x{}", (seed * 7919 + n * 104_729) % 1000, n % 13))
        .collect::<Vec<_>>()
        .join(" ")
        + "."
}

/// A small corpus: two exact copies, a near copy, a document repeating a
/// paragraph inside itself, and documents of their own.
fn generated(dir: &Path) -> PathBuf {
    let root = dir.join("docs");
    std::fs::create_dir_all(&root).unwrap();
    let body: Vec<String> = (0..40).map(|n| paragraph(n, 30)).collect();
    let text = body.join("\n\n") + "\n";
    std::fs::write(root.join("a.txt"), &text).unwrap();
    std::fs::write(root.join("b.txt"), &text).unwrap();
    let mut near = body.clone();
    near[5] = paragraph(500, 30);
    std::fs::write(root.join("c.txt"), near.join("\n\n") + "\n").unwrap();
    let repeated = paragraph(900, 40);
    let inside = format!(
        "{}\n\n{repeated}\n\n{}\n\n{repeated}\n\n{}\n",
        paragraph(901, 20),
        paragraph(902, 20),
        paragraph(903, 20)
    );
    std::fs::write(root.join("d.txt"), inside).unwrap();
    for n in 0..4 {
        let own: Vec<String> = (0..10).map(|p| paragraph(1000 + n * 100 + p, 25)).collect();
        std::fs::write(root.join(format!("own{n}.txt")), own.join("\n\n")).unwrap();
    }
    root
}

/// Text that tries every way out of its box.
const HOSTILE: &str = "<script>window.pwned=1</script></style></pre></details>\"'><img src=x onerror=\"window.pwned=2\">\u{202E}txet desrever &amp; done";

/// A document holding [`HOSTILE`] twice (so it is shown as a block's
/// copies) and a 1 MB line twice, and a second document equal to it.
fn hostile(dir: &Path) -> PathBuf {
    let root = dir.join("hostile");
    std::fs::create_dir_all(&root).unwrap();
    let long = "長".repeat(350_000);
    let paragraph = format!("{HOSTILE} in a paragraph long enough to count as a block of text.");
    let text = format!("{paragraph}\n\nbetween\n\n{paragraph}\n\n{long}\n\nagain\n\n{long}\n");
    std::fs::write(root.join("evil.txt"), &text).unwrap();
    std::fs::write(
        root.join("<img src=x onerror=\"window.pwned=3\">.txt"),
        &text,
    )
    .unwrap();
    root
}

#[test]
fn the_seed_page_shows_its_block_and_each_differing_pair_as_inline_changes() {
    let dir = tempfile::tempdir().unwrap();
    let page_file = corpus("scraped_page_zh.txt");
    let (_, html) = page(dir.path(), "seed.html", &[s(&page_file)]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<div class=\"copy\" data-lines=\"20-149\">"));
    assert!(html.contains("<div class=\"copy\" data-lines=\"157-286\">"));
    for (first, other) in [(21, 158), (27, 164), (105, 242), (133, 270), (141, 278)] {
        assert!(
            html.contains(&format!(
                "<div class=\"pair\" data-first=\"{first}\" data-other=\"{other}\">"
            )),
            "pair {first} ↔ {other}"
        );
    }
    // The dateline lost its prefix: the prefix alone is marked.
    assert!(html.contains("<del>更新時(shí)間:</del>2015-7-10"));
    assert!(html.contains("<del>\u{e2f2}瑓R</del><ins>,匯</ins>"));
    assert_eq!(figure(&html, "duplicate_bytes"), 37_514);
    assert_eq!(figure(&html, "documents"), 1);
    // One self-contained file.
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains(" src="));
}

#[test]
fn asked_for_damage_the_page_lists_each_damaged_segment_of_the_json_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("latin.txt"),
        "Un cafÃ© au lait, naÃ¯ve.\n\nA clean line.\n",
    )
    .expect("write");
    let seed = corpus("scraped_page_zh.txt");
    let inputs = ["--find", "blocks,damage", s(&seed), "latin.txt"];
    let (_, html) = page(dir.path(), "damage.html", &inputs);
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(&inputs);
    let json = scan(dir.path(), &args);
    let mut listed = 0;
    for doc in json.documents() {
        let segments = doc["damage"]["segments"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for segment in &segments {
            let lines = &segment["lines"];
            let key = format!("<li data-lines=\"{}-{}\">", lines[0], lines[1]);
            assert!(html.contains(&key), "{key} missing");
        }
        listed += segments.len();
    }
    assert!(
        listed >= 5,
        "the seed page's four damaged paragraphs and the mojibake"
    );
    assert_eq!(html.matches("<li data-lines=").count(), listed);
    assert!(
        html.contains("mojibake · score"),
        "the Latin mojibake is a kind shown"
    );
    // Not asked for: not looked for, not shown.
    let (_, plain) = page(dir.path(), "plain.html", &[s(&seed)]);
    assert!(!plain.contains("encoding damage"));
}

#[test]
fn figures_documents_and_clusters_match_the_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let root = generated(dir.path());
    let json = scan(dir.path(), &["--format", "json", s(&root)]);
    let (_, html) = page(dir.path(), "corpus.html", &[s(&root)]);
    let summary = json.summary();
    for name in [
        "documents",
        "input_bytes",
        "bytes",
        "duplicate_bytes",
        "blocks",
        "clusters",
        "duplicate_documents",
        "repeated_segments",
        "boilerplate",
        "errors",
        "skipped",
    ] {
        assert_eq!(
            Some(figure(&html, name)),
            summary[name].as_u64(),
            "figure {name}"
        );
    }
    assert_eq!(html.matches("<details class=\"doc\"").count(), 8);
    for doc in json.documents() {
        let path = doc["path"].as_str().unwrap();
        let expected = format!(
            "data-path=\"{}\" data-duplicate-bytes=\"{}\"",
            path, doc["duplicate_bytes"]
        );
        assert!(html.contains(&expected), "{expected}");
    }
    let clusters: Vec<Value> = json
        .json()
        .into_iter()
        .filter(|v| v["type"] == "cluster" && (v["kind"] == "exact" || v["kind"] == "near"))
        .collect();
    assert!(!clusters.is_empty(), "the corpus has a duplicate cluster");
    assert_eq!(
        html.matches("class=\"cluster finding\"").count(),
        clusters.len()
    );
    for cluster in &clusters {
        let members = cluster["members"].as_array().unwrap().len();
        assert!(html.contains(&format!(
            "data-kind=\"{}\" data-members=\"{members}\"",
            cluster["kind"].as_str().unwrap()
        )));
    }
}

#[test]
fn past_max_documents_the_rest_are_counted_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let root = generated(dir.path());
    let html = scan(
        dir.path(),
        &["--format", "html", "--max-documents", "3", s(&root)],
    )
    .stdout;
    assert_eq!(html.matches("<details class=\"doc\"").count(), 3);
    assert_eq!(figure(&html, "documents"), 8);
    assert!(html.contains("data-unlisted=\"5\">5 more documents are not listed"));
    // The chart still counts every document.
    let counts: u64 = chart_counts(&html, "chart-shares").iter().sum();
    assert_eq!(counts, 8);
    let all = scan(
        dir.path(),
        &["--format", "html", "--max-documents", "0", s(&root)],
    )
    .stdout;
    assert_eq!(all.matches("<details class=\"doc\"").count(), 8);
    assert!(!all.contains("data-unlisted"));
}

/// The counts drawn in the chart `id`.
fn chart_counts(html: &str, id: &str) -> Vec<u64> {
    let start = html.find(&format!("id=\"{id}\"")).expect("the chart");
    let end = html[start..].find("</figure>").unwrap() + start;
    html[start..end]
        .split("data-count=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[test]
fn hostile_text_is_escaped_and_long_lines_are_cut() {
    let dir = tempfile::tempdir().unwrap();
    let root = hostile(dir.path());
    let (_, html) = page(dir.path(), "hostile.html", &[s(&root)]);
    assert!(!html.contains("<script>window.pwned"));
    assert!(!html.contains("<img"));
    assert!(!html.contains('\u{202E}'));
    assert!(html.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;/style&gt;"));
    assert!(html.contains("<span class=\"ctl\">U+202E</span>txet desrever &amp;amp; done"));
    assert!(html.contains("more characters not shown"));
    // Two documents of 2.1 MB each: the page stays small.
    assert!(html.len() < 200_000, "{} bytes", html.len());
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn in_a_browser_the_seed_page_lists_both_copies_and_the_damaged_pairs_by_character() {
    let dir = tempfile::tempdir().unwrap();
    let (file, _) = page(
        dir.path(),
        "seed.html",
        &[s(&corpus("scraped_page_zh.txt"))],
    );
    let found = browser::probe(
        &file,
        "const block = document.querySelector('.block');
         return {
           copies: Array.from(block.querySelectorAll('.copy')).map(c => c.dataset.lines),
           pairs: Array.from(block.querySelectorAll('.pair')).map(p => ({
             lines: p.dataset.first + '/' + p.dataset.other,
             del: Array.from(p.querySelectorAll('del')).map(e => e.textContent),
             ins: Array.from(p.querySelectorAll('ins')).map(e => e.textContent),
           })),
           scripted: document.documentElement.classList.contains('js'),
         };",
    );
    assert_eq!(
        found["copies"],
        serde_json::json!(["20-149", "157-286"]),
        "{found}"
    );
    assert_eq!(found["scripted"], true);
    let pairs = found["pairs"].as_array().unwrap();
    let lines: Vec<&str> = pairs.iter().map(|p| p["lines"].as_str().unwrap()).collect();
    assert_eq!(lines, ["21/158", "27/164", "105/242", "133/270", "141/278"]);
    // The four damaged paragraphs: a few characters marked, not the line.
    for pair in &pairs[1..] {
        let marked: usize = ["del", "ins"]
            .iter()
            .flat_map(|side| pair[side].as_array().unwrap())
            .map(|t| t.as_str().unwrap().chars().count())
            .sum();
        assert!(!pair["del"].as_array().unwrap().is_empty(), "{pair}");
        assert!(!pair["ins"].as_array().unwrap().is_empty(), "{pair}");
        assert!(marked <= 20, "{pair}");
    }
    assert_eq!(pairs[1]["del"], serde_json::json!(["\u{e2f2}瑓R"]));
    assert_eq!(pairs[1]["ins"], serde_json::json!([",匯"]));
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn in_a_browser_the_counts_shown_equal_the_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let root = generated(dir.path());
    let json = scan(dir.path(), &["--format", "json", s(&root)]);
    let (file, _) = page(dir.path(), "corpus.html", &[s(&root)]);
    let found = browser::probe(
        &file,
        "const figure = name => Number(document.querySelector(`[data-figure=\"${name}\"] b`).textContent.replace(/,/g, ''));
         return {
           documents: document.querySelectorAll('.doc').length,
           documentsFigure: figure('documents'),
           duplicateBytes: figure('duplicate_bytes'),
           clustersFigure: figure('clusters'),
           clusters: document.querySelectorAll('.cluster').length,
           members: document.querySelectorAll('.cluster .member').length,
           perDocument: Array.from(document.querySelectorAll('.doc')).map(d => [d.dataset.path, Number(d.dataset.duplicateBytes)]),
         };",
    );
    let summary = json.summary();
    let clusters: Vec<Value> = json
        .json()
        .into_iter()
        .filter(|v| v["type"] == "cluster" && (v["kind"] == "exact" || v["kind"] == "near"))
        .collect();
    let members: usize = clusters
        .iter()
        .map(|c| c["members"].as_array().unwrap().len())
        .sum();
    assert_eq!(found["documents"], summary["documents"], "{found}");
    assert_eq!(found["documentsFigure"], summary["documents"], "{found}");
    assert_eq!(
        found["duplicateBytes"], summary["duplicate_bytes"],
        "{found}"
    );
    assert_eq!(found["clustersFigure"], summary["clusters"], "{found}");
    assert_eq!(found["clusters"], clusters.len(), "{found}");
    assert_eq!(found["members"], members, "{found}");
    let shown: Vec<(String, u64)> = found["perDocument"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_u64().unwrap()))
        .collect();
    let reported: Vec<(String, u64)> = json
        .documents()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["duplicate_bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(shown, reported);
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn in_a_browser_hostile_text_runs_nothing_and_stays_in_its_box() {
    let dir = tempfile::tempdir().unwrap();
    let root = hostile(dir.path());
    let (file, html) = page(dir.path(), "hostile.html", &[s(&root)]);
    assert!(html.len() < 200_000, "{} bytes", html.len());
    let found = browser::probe(
        &file,
        "const texts = Array.from(document.querySelectorAll('.copy .text')).map(p => p.textContent);
         const stray = Array.from(document.querySelectorAll('.text *')).filter(e => !e.classList.contains('ctl'));
         return {
           pwned: window.pwned === undefined ? null : window.pwned,
           images: document.images.length,
           scripts: document.scripts.length,
           stray: stray.map(e => e.tagName),
           bodyChildren: Array.from(document.body.children).map(e => e.tagName + (e.id ? '#' + e.id : '')).join(' '),
           copies: document.querySelectorAll('.copy').length,
           hostile: texts.filter(t => t.startsWith('<script>window.pwned=1<\\/script><\\/style><\\/pre><\\/details>')).length,
           reversed: texts.some(t => t.includes('U+202Etxet desrever &amp; done')),
           longest: Math.max(...texts.map(t => t.length)),
           scripted: document.documentElement.classList.contains('js'),
         };",
    );
    assert_eq!(found["pwned"], Value::Null, "{found}");
    assert_eq!(found["images"], 0, "{found}");
    // The page's own script and the probe's.
    assert_eq!(found["scripts"], 2, "{found}");
    assert_eq!(found["stray"], serde_json::json!([]), "{found}");
    assert_eq!(found["scripted"], true, "{found}");
    // Each document shows two blocks of two copies.
    assert_eq!(found["copies"], 8, "{found}");
    assert_eq!(found["hostile"], 4, "{found}");
    assert_eq!(found["reversed"], true, "{found}");
    assert!(found["longest"].as_u64().unwrap() <= 2_000, "{found}");
    let body = found["bodyChildren"].as_str().unwrap();
    assert!(body.starts_with("H1 DIV"), "{body}");
    assert!(!body.contains("IMG") && !body.contains("PRE "), "{body}");
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn in_a_browser_the_filter_box_hides_documents_that_do_not_match() {
    let dir = tempfile::tempdir().unwrap();
    let root = generated(dir.path());
    let (file, _) = page(dir.path(), "corpus.html", &[s(&root)]);
    let found = browser::probe(
        &file,
        "const box = document.getElementById('filter');
         const visible = () => Array.from(document.querySelectorAll('.doc'))
           .filter(d => getComputedStyle(d).display !== 'none').map(d => d.dataset.path.split('/').pop());
         const before = visible().length;
         box.value = 'own2';
         box.dispatchEvent(new Event('input'));
         const during = visible();
         const shown = document.getElementById('shown').textContent;
         document.getElementById('next').click();
         const nextWhileFiltered = location.hash;
         box.value = '';
         box.dispatchEvent(new Event('input'));
         document.getElementById('collapse').click();
         const closed = Array.from(document.querySelectorAll('details')).filter(d => d.open).length;
         document.getElementById('expand').click();
         const open = Array.from(document.querySelectorAll('details')).filter(d => !d.open).length;
         return { before, during, shown, after: visible().length, nextWhileFiltered, closed, open,
                  toolbar: getComputedStyle(document.querySelector('.toolbar')).display };",
    );
    assert_eq!(found["before"], 8, "{found}");
    assert_eq!(found["during"], serde_json::json!(["own2.txt"]), "{found}");
    assert_eq!(found["shown"], "1 of 8 documents", "{found}");
    assert_eq!(found["after"], 8, "{found}");
    assert_eq!(found["toolbar"], "flex", "{found}");
    // The next finding is the first cluster (the documents' blocks come
    // later, and only those of documents the filter shows count).
    assert_eq!(found["nextWhileFiltered"], "#cluster-1", "{found}");
    assert_eq!(found["closed"], 0, "{found}");
    assert_eq!(found["open"], 0, "{found}");
}

/// Screenshots the seed page's scan: `scan.png` in `$DOPPEL_SCREENSHOTS`
/// when set, else in a temporary folder.
#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn screenshot_of_the_seed_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = browser::screenshot_folder(dir.path());
    let (file, _) = page(
        dir.path(),
        "seed.html",
        &[s(&corpus("scraped_page_zh.txt"))],
    );
    let png = out.join("scan.png");
    browser::screenshot(&file, &png, 1280, 1600);
}
