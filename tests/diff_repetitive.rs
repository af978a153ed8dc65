//! A one-unit edit inside a long, repetitive line (a phrase, a character or
//! a short word repeated many times; Chinese and Latin) is shown as that one
//! unit in every format that marks changes inside lines, however many times
//! the line repeats itself, and the unified diff still applies with `patch`.
//! And the marks stay small the other way: a change of whitespace alone is
//! not marked in the colour format without colour, as in the word format.

mod util;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use util::doppel;

/// What a test line is made of: its units, and the text between them.
struct Kind {
    name: &'static str,
    units: Vec<String>,
    joiner: &'static str,
    /// A unit that occurs nowhere in the line, put in or for one.
    other: &'static str,
    /// The `--by` values under which a unit is one token.
    by: &'static [&'static str],
}

fn chars(text: &str) -> Vec<String> {
    text.chars().map(String::from).collect()
}

fn kinds() -> Vec<Kind> {
    let phrase = "中华人民共和国国务院新闻办公室发布白皮书";
    let words = ["the", "council", "met", "and", "agreed", "again"];
    let mut kinds = Vec::new();
    for times in [15, 20, 200] {
        kinds.push(Kind {
            name: "Chinese phrase",
            units: chars(&phrase.repeat(times)),
            joiner: "",
            other: "甲",
            by: &["auto", "word", "char"],
        });
        kinds.push(Kind {
            name: "Latin phrase",
            units: words.repeat(times).iter().map(|w| w.to_string()).collect(),
            joiner: " ",
            other: "zebra",
            by: &["auto", "word"],
        });
    }
    kinds.push(Kind {
        name: "Chinese character",
        units: chars(&"哈".repeat(1000)),
        joiner: "",
        other: "嘿",
        by: &["auto", "word", "char"],
    });
    kinds.push(Kind {
        name: "Latin character",
        units: chars(&"a".repeat(1000)),
        joiner: "",
        other: "b",
        by: &["char"],
    });
    kinds.push(Kind {
        name: "Chinese short word",
        units: chars(&"好的。".repeat(500)),
        joiner: "",
        other: "甲",
        by: &["auto", "word", "char"],
    });
    kinds.push(Kind {
        name: "Latin short word",
        units: vec!["ha".to_string(); 500],
        joiner: " ",
        other: "ho",
        by: &["auto", "word"],
    });
    kinds
}

#[derive(Clone, Copy, Debug)]
enum Edit {
    Insert,
    Delete,
    Replace,
}

/// The old and new line (each ending in a line break) for `edit` at unit
/// `at`, and the unit removed and the unit inserted.
fn edited(kind: &Kind, edit: Edit, at: usize) -> (String, String, Option<String>, Option<String>) {
    let old = kind.units.join(kind.joiner) + "\n";
    let mut units = kind.units.clone();
    let (removed, inserted) = match edit {
        Edit::Insert => {
            units.insert(at, kind.other.to_string());
            (None, Some(kind.other.to_string()))
        }
        Edit::Delete => (Some(units.remove(at)), None),
        Edit::Replace => {
            let was = std::mem::replace(&mut units[at], kind.other.to_string());
            (Some(was), Some(kind.other.to_string()))
        }
    };
    (old, units.join(kind.joiner) + "\n", removed, inserted)
}

/// The texts between `open` and `close` markers in `text`.
fn marked<'t>(text: &'t str, open: &str, close: &str) -> Vec<&'t str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        let after = &rest[start + open.len()..];
        let end = after.find(close).expect("a closed marker");
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

/// The marker contents expected for a removed or inserted unit: one unit,
/// the edited one, or (in repeated text, where several equally small
/// alignments exist) another copy of a unit of the line; whitespace around
/// a word is not part of it.
fn assert_one_unit(kind: &Kind, context: &str, got: &[&str], expected: &Option<String>) {
    match expected {
        None => assert!(got.is_empty(), "{context}: unexpected markers {got:?}"),
        Some(unit) => {
            assert_eq!(got.len(), 1, "{context}: markers {got:?}");
            let text = got[0].trim();
            let same_size = text.chars().count() == unit.chars().count();
            let a_unit = text == unit || kind.units.iter().any(|u| u == text);
            assert!(
                same_size && a_unit,
                "{context}: marked {text:?}, edited {unit:?}"
            );
        }
    }
}

fn write(dir: &Path, old: &str, new: &str) -> (String, String) {
    let (o, n) = (dir.join("old.txt"), dir.join("new.txt"));
    std::fs::write(&o, old).expect("write old");
    std::fs::write(&n, new).expect("write new");
    (o.display().to_string(), n.display().to_string())
}

/// The new text rebuilt from word output: removed text dropped, inserted
/// text kept.
fn word_output_new(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        let next = [rest.find("[-"), rest.find("{+")]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        let (close, keep) = if rest[at..].starts_with("[-") {
            ("-]", false)
        } else {
            ("+}", true)
        };
        let after = &rest[at + 2..];
        let end = after.find(close).expect("a closed marker");
        if keep {
            out.push_str(&after[..end]);
        }
        rest = &after[end + 2..];
    }
}

fn body_line(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|l| !l.starts_with("---") && !l.starts_with("+++") && !l.starts_with("@@"))
        .expect("a changed line")
}

fn check_edit(dir: &Path, kind: &Kind, edit: Edit, at: usize) {
    let (old, new, removed, inserted) = edited(kind, edit, at);
    let (o, n) = write(dir, &old, &new);
    for by in kind.by {
        let context = format!(
            "{} of {} units, {edit:?} at {at}, --by {by}",
            kind.name,
            kind.units.len()
        );
        // Word output.
        let run = doppel(&["diff", &o, &n, "--format", "word", "--by", by]);
        assert_eq!(run.code, 1, "{context}: {}", run.stderr);
        let line = body_line(&run.stdout);
        assert_one_unit(kind, &context, &marked(line, "[-", "-]"), &removed);
        assert_one_unit(kind, &context, &marked(line, "{+", "+}"), &inserted);
        assert_eq!(
            word_output_new(line),
            new.trim_end(),
            "{context}: word output"
        );
        // Colour format without colour: the old line, then the new line.
        let run = doppel(&[
            "diff", &o, &n, "--format", "color", "--color", "never", "--by", by,
        ]);
        let old_line = run
            .stdout
            .lines()
            .find(|l| l.starts_with('-') && !l.starts_with("---"));
        let new_line = run
            .stdout
            .lines()
            .find(|l| l.starts_with('+') && !l.starts_with("+++"));
        let (old_line, new_line) = (old_line.expect("old line"), new_line.expect("new line"));
        assert_one_unit(kind, &context, &marked(old_line, "[-", "-]"), &removed);
        assert_one_unit(kind, &context, &marked(new_line, "{+", "+}"), &inserted);
        // JSON: one inline change of one unit, which turns old into new.
        let run = doppel(&["diff", &o, &n, "--format", "json", "--by", by]);
        let op = run
            .json()
            .into_iter()
            .find(|v| v["type"] == "op" && v["op"] == "replace")
            .unwrap_or_else(|| panic!("{context}: no replace op in {}", run.stdout));
        let inline = op["inline"]
            .as_array()
            .unwrap_or_else(|| panic!("{context}: {op}"));
        assert_eq!(inline.len(), 1, "{context}: {inline:?}");
        let change = &inline[0];
        let text = |side: &str| change[side]["text"].as_str().expect("text").to_string();
        let nonempty = |t: String| (!t.trim().is_empty()).then_some(t);
        let (got_old, got_new) = (nonempty(text("old")), nonempty(text("new")));
        assert_one_unit(
            kind,
            &context,
            &got_old.iter().map(String::as_str).collect::<Vec<_>>(),
            &removed,
        );
        assert_one_unit(
            kind,
            &context,
            &got_new.iter().map(String::as_str).collect::<Vec<_>>(),
            &inserted,
        );
        let bytes = |side: &str| {
            let b = &change[side]["bytes"];
            b[0].as_u64().expect("start") as usize..b[1].as_u64().expect("end") as usize
        };
        let rebuilt = format!(
            "{}{}{}",
            &old[..bytes("old").start],
            text("new"),
            &old[bytes("old").end..]
        );
        assert_eq!(rebuilt, new, "{context}: JSON inline change");
    }
}

fn positions(kind: &Kind) -> [usize; 3] {
    let last = kind.units.len() - 1;
    [0, kind.units.len() / 2, last]
}

#[test]
fn one_unit_edits_in_repetitive_lines_are_one_unit() {
    let dir = tempfile::tempdir().expect("temp dir");
    for kind in kinds() {
        for at in positions(&kind) {
            for edit in [Edit::Insert, Edit::Delete, Edit::Replace] {
                check_edit(dir.path(), &kind, edit, at);
            }
        }
    }
}

#[test]
fn the_reported_twenty_times_repeated_phrase() {
    // The case from the report: 15 repeats were refined, 20 were not.
    let phrase = "中华人民共和国国务院新闻办公室发布白皮书";
    let dir = tempfile::tempdir().expect("temp dir");
    for times in [15, 20] {
        let old: Vec<char> = phrase.repeat(times).chars().collect();
        let mut new = old.clone();
        let was = old[old.len() / 2].to_string();
        new[old.len() / 2] = '甲';
        let old: String = old.into_iter().collect();
        let new: String = new.into_iter().collect();
        let (o, n) = write(dir.path(), &format!("{old}\n"), &format!("{new}\n"));
        for by in ["auto", "char"] {
            let run = doppel(&["diff", &o, &n, "--format", "word", "--by", by]);
            let line = body_line(&run.stdout);
            assert_eq!(
                marked(line, "[-", "-]"),
                [was.as_str()],
                "{times} repeats, --by {by}"
            );
            assert_eq!(
                marked(line, "{+", "+}"),
                ["甲"],
                "{times} repeats, --by {by}"
            );
        }
    }
}

#[test]
fn side_by_side_marks_one_character() {
    let phrase = "中华人民共和国国务院新闻办公室发布白皮书";
    let old = phrase.repeat(20);
    let at = old
        .char_indices()
        .nth(200)
        .map(|(i, _)| i)
        .expect("a character");
    let new = format!("{}甲{}", &old[..at], &old[at + '中'.len_utf8()..]);
    let dir = tempfile::tempdir().expect("temp dir");
    let (o, n) = write(dir.path(), &format!("{old}\n"), &format!("{new}\n"));
    let run = doppel(&[
        "diff",
        &o,
        &n,
        "--format",
        "side-by-side",
        "--color",
        "never",
        "--width",
        "2000",
    ]);
    assert_eq!(marked(&run.stdout, "[-", "-]"), ["中"], "{}", run.stdout);
    assert_eq!(marked(&run.stdout, "{+", "+}"), ["甲"], "{}", run.stdout);
}

fn have_patch() -> bool {
    Command::new("patch")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn unified_diffs_of_repetitive_lines_apply_with_patch() {
    if !have_patch() {
        eprintln!("note: `patch` is not installed; the unified diff was not applied");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for kind in kinds() {
        for at in positions(&kind) {
            for edit in [Edit::Insert, Edit::Delete, Edit::Replace] {
                let (old, new, _, _) = edited(&kind, edit, at);
                let (o, n) = write(dir.path(), &old, &new);
                let run = doppel(&["diff", &o, &n, "--format", "unified"]);
                assert_eq!(run.code, 1, "{}", run.stderr);
                let patched = dir.path().join("patched.txt");
                let status = Command::new("patch")
                    .args(["--quiet", "--force", "-o"])
                    .arg(&patched)
                    .arg(&o)
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .and_then(|mut child| {
                        use std::io::Write;
                        child
                            .stdin
                            .take()
                            .expect("stdin")
                            .write_all(run.stdout.as_bytes())?;
                        child.wait()
                    })
                    .expect("patch runs");
                assert!(
                    status.success(),
                    "{} {edit:?} at {at}: patch failed",
                    kind.name
                );
                let got = std::fs::read(&patched).expect("patched file");
                assert!(
                    got == new.as_bytes(),
                    "{} {edit:?} at {at}: patched text differs",
                    kind.name
                );
            }
        }
    }
}

#[test]
fn json_reports_the_inline_change_of_the_reported_case() {
    let phrase = "中华人民共和国国务院新闻办公室发布白皮书";
    let old = phrase.repeat(20);
    let new = old.replacen("新闻", "新文", 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let (o, n) = write(dir.path(), &format!("{old}\n"), &format!("{new}\n"));
    let run = doppel(&["diff", &o, &n, "--format", "json"]);
    let ops: Vec<Value> = run
        .json()
        .into_iter()
        .filter(|v| v["type"] == "op")
        .collect();
    let inline = ops[0]["inline"].as_array().expect("inline changes");
    assert_eq!(inline.len(), 1);
    assert_eq!(inline[0]["old"]["text"], "闻");
    assert_eq!(inline[0]["new"]["text"], "文");
    assert_eq!(inline[0]["old"]["column"], 12);
}

#[test]
fn colour_without_colour_marks_no_whitespace_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (old, new, marked_old, marked_new) in [
        ("a b\nc\n", "a\nb c\n", vec!["b"], vec!["b"]),
        ("a b c\n", "a b\nc\n", vec![], vec![]),
        ("a  b\n", "a b\n", vec![], vec![]),
        ("a b\n", "a\tb\n", vec![], vec![]),
        ("one two\n", "one  too\n", vec![" two"], vec!["  too"]),
    ] {
        let (o, n) = write(dir.path(), old, new);
        let run = doppel(&["diff", &o, &n, "--format", "color", "--color", "never"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let body: String = run
            .stdout
            .lines()
            .skip(3)
            .map(|l| format!("{l}\n"))
            .collect();
        let (removed, added) = (marked(&body, "[-", "-]"), marked(&body, "{+", "+}"));
        assert_eq!(
            (removed, added),
            (marked_old, marked_new),
            "{old:?} to {new:?}: {body}"
        );
        let words = run.stdout.lines().skip(3).filter(|l| l.starts_with('+'));
        let new_side: String = words.map(|l| word_output_new(&l[1..]) + "\n").collect();
        assert_eq!(new_side, new, "{old:?} to {new:?}: the new lines");
    }
}
