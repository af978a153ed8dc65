//! `doppel clean --report FILE.html`: the page lists the removals `clean
//! --format json` lists, by document, with their reasons, kept twins and
//! texts, and the run's figures; it is written with and without
//! `--dry-run`, never inside OUT; hostile text in it is inert.

mod util;

use std::path::{Path, PathBuf};

use serde_json::Value;
use util::{browser, corpus, doppel_in, Run};

fn s(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

fn clean(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["clean"];
    all.extend_from_slice(args);
    doppel_in(dir, &all, None)
}

fn figure(html: &str, name: &str) -> u64 {
    let key = format!("data-figure=\"{name}\" data-value=\"");
    let at = html
        .find(&key)
        .unwrap_or_else(|| panic!("no figure {name}"))
        + key.len();
    let end = html[at..].find('"').expect("the value closes") + at;
    html[at..end].parse().expect("a number")
}

/// Text that tries every way out of its box.
const HOSTILE: &str = "<script>window.pwned=1</script></style></td></table>\"'><img src=x onerror=\"window.pwned=2\">\u{202E}txet desrever";

/// Documents with exact and near copies, a block repeated inside one, and
/// a document holding [`HOSTILE`] twice.
fn generated(dir: &Path) -> PathBuf {
    let root = dir.join("docs");
    std::fs::create_dir_all(&root).unwrap();
    let paragraphs: Vec<String> = (0..12)
        .map(|p| {
            (0..25)
                .map(|w| format!("w{}x{}", (p * 7919 + w * 104_729) % 1000, w % 11))
                .collect::<Vec<_>>()
                .join(" ")
                + "."
        })
        .collect();
    let text = paragraphs.join("\n\n") + "\n";
    std::fs::write(root.join("a.txt"), &text).unwrap();
    std::fs::write(root.join("b.txt"), &text).unwrap();
    std::fs::write(root.join("c.txt"), text.replacen("w", "v", 3)).unwrap();
    let hostile = format!("{HOSTILE} in a paragraph long enough to count as a block.");
    std::fs::write(
        root.join("d.txt"),
        format!("{hostile}\n\nbetween the copies\n\n{hostile}\n"),
    )
    .unwrap();
    std::fs::write(root.join("e.txt"), "A document of its own, kept whole.\n").unwrap();
    root
}

/// The removal lines and the summary of a `--format json` run.
fn removals(run: &Run) -> (Vec<Value>, Value) {
    let lines = run.json();
    let removals = lines
        .iter()
        .filter(|v| v["type"] == "removal")
        .cloned()
        .collect();
    (removals, run.summary())
}

/// The removals a page lists: `path|reason|first-last|bytes`, in order.
fn listed(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("<details class=\"doc\"").skip(1) {
        let at = part.find("data-path=\"").unwrap() + "data-path=\"".len();
        let path = &part[at..at + part[at..].find('"').unwrap()];
        for row in part.split("<tr class=\"removal finding\"").skip(1) {
            let attr = |name: &str| {
                let key = format!("{name}=\"");
                let at = row.find(&key).unwrap() + key.len();
                row[at..at + row[at..].find('"').unwrap()].to_owned()
            };
            out.push(format!(
                "{path}|{}|{}|{}",
                attr("data-reason"),
                attr("data-lines"),
                attr("data-bytes")
            ));
        }
    }
    out
}

fn expected(removals: &[Value]) -> Vec<String> {
    removals
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}-{}|{}",
                r["path"].as_str().unwrap(),
                r["reason"].as_str().unwrap(),
                r["lines"][0],
                r["lines"][1],
                r["removed_bytes"]
            )
        })
        .collect()
}

#[test]
fn a_dry_run_report_lists_the_seed_page_s_removals_as_json_does() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let page = corpus("scraped_page_zh.txt");
    let run = clean(
        dir.path(),
        &[
            "--dry-run",
            "--format",
            "json",
            "--report",
            s(&report),
            s(&page),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&report).expect("the report is written");
    let (removals, summary) = removals(&run);
    assert_eq!(listed(&html), expected(&removals));
    assert!(listed(&html)
        .iter()
        .any(|r| r.ends_with("|block-copy|157-286|37521")));
    assert_eq!(
        Some(figure(&html, "removals")),
        summary["removals"].as_u64()
    );
    assert_eq!(
        Some(figure(&html, "removed_bytes")),
        summary["removed_bytes"].as_u64()
    );
    assert_eq!(figure(&html, "documents"), 1);
    assert!(html.contains("A dry run: nothing was written."));
    // The removed copy is shown, cut, beside the kept one.
    assert!(html.contains("<div class=\"side removed\">"));
    assert!(html.contains("<div class=\"side kept\">"));
    assert!(html.contains("more characters not shown"));
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn a_real_run_writes_its_report_and_still_restores() {
    let dir = tempfile::tempdir().unwrap();
    let root = generated(dir.path());
    let (out, back) = (dir.path().join("out"), dir.path().join("back"));
    let report = dir.path().join("reports/clean.html");
    let run = clean(
        dir.path(),
        &[
            "--format",
            "json",
            "-o",
            s(&out),
            "--report",
            s(&report),
            s(&root),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&report).expect("the report is written");
    let (removals, summary) = removals(&run);
    assert!(removals.iter().any(|r| r["reason"] == "duplicate-document"));
    assert_eq!(listed(&html), expected(&removals));
    assert_eq!(
        Some(figure(&html, "removed_documents")),
        summary["removed_documents"].as_u64()
    );
    assert_eq!(figure(&html, "documents"), 5);
    assert!(html.contains("Cleaned into <code>"));
    // The near copy is compared with the kept document, character by
    // character.
    assert!(html.contains("<del>w</del><ins>v</ins>0x0 <del>w</del><ins>v</ins>729x1"));
    // No temporary file is left beside it.
    let beside: Vec<_> = std::fs::read_dir(report.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, [std::ffi::OsString::from("clean.html")]);
    let restored = doppel_in(dir.path(), &["restore", s(&out), "-o", s(&back)], None);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    for name in ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"] {
        assert_eq!(
            std::fs::read(back.join("docs").join(name)).unwrap(),
            std::fs::read(root.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn a_report_inside_the_output_folder_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = generated(dir.path());
    let out = dir.path().join("out");
    let report = out.join("sub/report.html");
    let run = clean(
        dir.path(),
        &["-o", s(&out), "--report", s(&report), s(&root)],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("report.html: the report would be inside the output folder"),
        "{}",
        run.stderr
    );
    assert!(!out.exists(), "nothing written");
    // Nor may a report replace an input.
    let input = root.join("e.txt");
    let before = std::fs::read(&input).unwrap();
    let run = clean(
        dir.path(),
        &["--dry-run", "--report", s(&input), s(&root), s(&input)],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("e.txt: the report would replace this input"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // A dry run writes nothing into OUT, so it may name a report there.
    let dry = clean(
        dir.path(),
        &[
            "--dry-run",
            "-o",
            s(&out),
            "--report",
            s(&dir.path().join("dry.html")),
            s(&root),
        ],
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
}

#[test]
fn hostile_text_in_the_report_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let root = generated(dir.path());
    let report = dir.path().join("report.html");
    let run = clean(dir.path(), &["--dry-run", "--report", s(&report), s(&root)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(!html.contains("<script>window.pwned"));
    assert!(!html.contains("<img"));
    assert!(!html.contains('\u{202E}'));
    assert!(html.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;/style&gt;&lt;/td&gt;"));
}

#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn in_a_browser_the_removals_shown_equal_the_json_report_and_nothing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let root = generated(dir.path());
    let report = dir.path().join("report.html");
    let run = clean(
        dir.path(),
        &[
            "--dry-run",
            "--format",
            "json",
            "--report",
            s(&report),
            s(&root),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let found = browser::probe(
        &report,
        "const figure = name => Number(document.querySelector(`[data-figure=\"${name}\"] b`).textContent.replace(/,/g, ''));
         const rows = Array.from(document.querySelectorAll('tr.removal')).map(r =>
           [r.closest('.doc').dataset.path, r.dataset.reason, r.dataset.lines, Number(r.dataset.bytes)].join('|'));
         const texts = Array.from(document.querySelectorAll('.side .text')).map(p => p.textContent);
         return {
           rows,
           removals: figure('removals'),
           removedBytes: figure('removed_bytes'),
           removedDocuments: figure('removed_documents'),
           pwned: window.pwned === undefined ? null : window.pwned,
           images: document.images.length,
           scripts: document.scripts.length,
           stray: Array.from(document.querySelectorAll('.text *')).filter(e => !e.classList.contains('ctl') && !['DEL', 'INS'].includes(e.tagName) && !e.classList.contains('skip')).map(e => e.outerHTML),
           hostile: texts.filter(t => t.startsWith('<script>window.pwned=1<\\/script><\\/style><\\/td><\\/table>')).length,
           reversed: texts.some(t => t.includes('U+202Etxet desrever')),
           tables: document.querySelectorAll('table.removals').length,
           docs: document.querySelectorAll('.doc').length,
         };",
    );
    let (removals, summary) = removals(&run);
    assert_eq!(
        found["rows"],
        serde_json::json!(expected(&removals)),
        "{found}"
    );
    assert_eq!(found["removals"], summary["removals"], "{found}");
    assert_eq!(found["removedBytes"], summary["removed_bytes"], "{found}");
    assert_eq!(
        found["removedDocuments"], summary["removed_documents"],
        "{found}"
    );
    assert_eq!(found["pwned"], Value::Null, "{found}");
    assert_eq!(found["images"], 0, "{found}");
    assert_eq!(found["scripts"], 2, "{found}");
    assert_eq!(found["stray"], serde_json::json!([]), "{found}");
    assert_eq!(found["tables"], found["docs"], "{found}");
    assert!(found["hostile"].as_u64().unwrap() >= 2, "{found}");
    assert_eq!(found["reversed"], true, "{found}");
}

/// Screenshots a dry run's report on a small generated corpus:
/// `clean.png` in `$DOPPEL_SCREENSHOTS` when set, else in a temporary folder.
#[test]
#[ignore = "opens Chromium: tests/browser.sh"]
fn screenshot_of_a_clean_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = browser::screenshot_folder(dir.path());
    let report = dir.path().join("report.html");
    generated(dir.path());
    std::fs::copy(
        corpus("triple_block.txt"),
        dir.path().join("docs/triple_block.txt"),
    )
    .unwrap();
    let run = clean(dir.path(), &["--dry-run", "--report", s(&report), "docs"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let png = out.join("clean.png");
    browser::screenshot(&report, &png, 1280, 1600);
}
