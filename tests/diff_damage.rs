//! `doppel diff` marks encoding damage: the seed page's two copies (lines
//! 20–149 and 157–286 of corpus/scraped_page_zh.txt) differ by four
//! damaged paragraphs and one real edit (the dateline); every format says
//! which is which.

mod util;

use std::path::{Path, PathBuf};

use serde_json::Value;
use util::{corpus, doppel};

/// The two copies of the article, as two files.
fn copies(dir: &Path) -> (PathBuf, PathBuf) {
    let page = std::fs::read_to_string(corpus("scraped_page_zh.txt")).expect("seed page");
    let lines: Vec<&str> = page.split_inclusive('\n').collect();
    let old = dir.join("first.txt");
    let new = dir.join("second.txt");
    std::fs::write(&old, lines[19..149].concat()).expect("first copy");
    std::fs::write(&new, lines[156..286].concat()).expect("second copy");
    (old, new)
}

fn s(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// (first old line, damaged side) of each replaced block, in order.
fn blocks(objects: &[Value]) -> Vec<(u64, Option<String>)> {
    objects
        .iter()
        .filter(|o| o["type"] == "op" && o["op"] == "replace")
        .map(|o| {
            (
                o["old"]["lines"][0].as_u64().unwrap_or(0),
                o["damage"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn json_marks_the_damaged_paragraphs_and_not_the_edit() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (old, new) = copies(dir.path());
    let run = doppel(&["diff", s(&old), s(&new), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let objects = run.json();
    // Page lines 21 (the dateline, edited), 27, 105 and 133 (damaged in
    // the first copy) and 141 (damaged in the second), counted from 20.
    let old_side = Some("old".to_owned());
    assert_eq!(
        blocks(&objects),
        [
            (2, None),
            (8, old_side.clone()),
            (86, old_side.clone()),
            (114, old_side),
            (122, Some("new".to_owned())),
        ]
    );
    let inline_marks: Vec<&str> = objects
        .iter()
        .flat_map(|o| o["inline"].as_array().into_iter().flatten())
        .filter_map(|change| change["damage"].as_str())
        .collect();
    assert_eq!(inline_marks, ["old", "old", "old", "new"]);
    assert_eq!(objects.last().expect("summary")["damaged"], 4);
}

#[test]
fn text_formats_note_the_damage_and_stat_counts_it() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (old, new) = copies(dir.path());
    for format in ["unified", "color", "word", "side-by-side"] {
        let run = doppel(&[
            "diff",
            s(&old),
            s(&new),
            "--format",
            format,
            "--color",
            "never",
        ]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        let notes: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.starts_with("# doppel: encoding damage"))
            .collect();
        assert_eq!(
            notes,
            [
                "# doppel: encoding damage (old) at old line 8, new line 8: the change",
                "# doppel: encoding damage (old) at old line 86, new line 86: the change",
                "# doppel: encoding damage (old) at old line 114, new line 114: the change",
                "# doppel: encoding damage (new) at old line 122, new line 122: the change",
            ],
            "{format}"
        );
    }
    let stat = doppel(&["diff", s(&old), s(&new), "--format", "stat"]);
    assert!(
        stat.stdout.contains("(4 encoding damage)"),
        "{}",
        stat.stdout
    );
    assert!(
        stat.stdout.contains("4 changes of encoding damage"),
        "{}",
        stat.stdout
    );
}

#[test]
fn unified_output_with_damage_notes_still_patches() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (old, new) = copies(dir.path());
    let run = doppel(&["diff", s(&old), s(&new)]);
    let patch = dir.path().join("page.patch");
    std::fs::write(&patch, &run.stdout).expect("patch written");
    let Ok(status) = std::process::Command::new("patch")
        .arg("-s")
        .arg(&old)
        .arg(&patch)
        .status()
    else {
        eprintln!("patch is not installed; skipped");
        return;
    };
    assert!(status.success());
    assert_eq!(
        std::fs::read(&old).expect("patched"),
        std::fs::read(&new).expect("second copy")
    );
}

#[test]
fn clean_edits_and_mojibake() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let old = dir.path().join("a.txt");
    let new = dir.path().join("b.txt");
    std::fs::write(&old, "Le café est prêt.\nThe quick brown fox.\n").expect("old");
    std::fs::write(&new, "Le cafÃ© est prÃªt.\nThe quick red fox.\n").expect("new");
    let run = doppel(&["diff", s(&old), s(&new), "--format", "json"]);
    let objects = run.json();
    let ops: Vec<&Value> = objects.iter().filter(|o| o["type"] == "op").collect();
    assert_eq!(ops.len(), 1, "{objects:?}");
    let inline = ops[0]["inline"].as_array().expect("inline changes");
    let marks: Vec<Option<&str>> = inline.iter().map(|c| c["damage"].as_str()).collect();
    assert_eq!(marks, [Some("new"), Some("new"), None]);
    assert!(ops[0].get("damage").is_none());
}
