//! End-to-end tests of `doppel diff` (the binary), and property tests of
//! the library's diff: the unified output patches OLD into NEW with GNU
//! patch, and the operation list rebuilds NEW from OLD.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use doppel::diff::{
    Algorithm, Comparison, DiffOptions, DocHeader, Format, Granularity, Printer, Tag,
};
use proptest::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

// ---------------------------------------------------------------- helpers

struct Dir {
    dir: TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, bytes).expect("write");
        path
    }
}

fn doppel(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_doppel"));
    cmd.arg("diff")
        .args(args)
        .args(paths)
        .env_remove("NO_COLOR");
    cmd.output().expect("run doppel")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 output")
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| {
            assert!(line.starts_with("{\"type\":"), "type first: {line}");
            serde_json::from_str(line).expect("json line")
        })
        .collect()
}

fn has_patch() -> bool {
    let found = Command::new("patch").arg("--version").output().is_ok();
    if !found {
        eprintln!("GNU patch is not installed: skipping the patch check");
    }
    found
}

/// Applies a unified diff to `old` with GNU patch and returns the result.
fn patched(old: &[u8], diff: &[u8]) -> Vec<u8> {
    let dir = Dir::new();
    let old_path = dir.write("old", old);
    let diff_path = dir.write("diff", diff);
    let out_path = dir.path("out");
    let status = Command::new("patch")
        .arg("-s")
        .arg("-o")
        .arg(&out_path)
        .arg(&old_path)
        .arg(&diff_path)
        .status()
        .expect("run patch");
    assert!(
        status.success(),
        "patch failed on:\n{}",
        String::from_utf8_lossy(diff)
    );
    std::fs::read(out_path).expect("patched output")
}

const LONG_ZH: &str = "中共中央关于加强和改进党的群团工作的意见发布，群团事业是党的事业的重要组成部分，做好群团工作是党的一项经常性基础性工作。";

fn long_zh_pair() -> (String, String) {
    let old = format!("标题\n{}\n结尾\n", LONG_ZH.repeat(8));
    let new = old.replacen("经常性基础性", "经常性基本性", 1);
    (old, new)
}

// ---------------------------------------------------------------- exit status

#[test]
fn exit_status_is_0_for_equal_1_for_different_2_for_trouble() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "one\ntwo\n");
    let b = dir.write("b.txt", "one\ntwo\n");
    let c = dir.write("c.txt", "one\nthree\n");
    let out = doppel(&[], &[&a, &b]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(doppel(&[], &[&a, &c]).status.code(), Some(1));

    let missing = dir.path("missing.txt");
    let out = doppel(&[], &[&a, &missing]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("doppel: {}: ", missing.display())),
        "{err}"
    );

    let out = doppel(&["--format", "json"], &[&a, &missing]);
    assert_eq!(out.status.code(), Some(2));
    let objects = json_lines(&out);
    let types: Vec<&str> = objects
        .iter()
        .map(|o| o["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(types, ["begin", "error", "summary"]);
    assert_eq!(objects[1]["path"], missing.display().to_string());
    assert_eq!(objects[2]["errors"], 1);
}

#[test]
fn binary_input_is_trouble_with_one_line_on_stderr() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "text\n");
    let bin = dir.write(
        "b.bin",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\xff\x00\x01",
    );
    let out = doppel(&[], &[&a, &bin]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        format!(
            "doppel: {}: binary file (NUL byte at offset 7)",
            bin.display()
        )
    );
}

#[test]
fn brief_only_says_whether_files_differ() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "one\n");
    let b = dir.write("b.txt", "two\n");
    let out = doppel(&["-q"], &[&a, &b]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        format!("Files {} and {} differ\n", a.display(), b.display())
    );
    let out = doppel(&["-q"], &[&a, &a]);
    assert_eq!((out.status.code(), out.stdout.len()), (Some(0), 0));
}

#[test]
fn unknown_encoding_and_folder_against_file_are_trouble() {
    let dir = Dir::new();
    let a = dir.write("x/a.txt", "one\n");
    let out = doppel(&["--encoding", "no-such"], &[&a, &a]);
    assert_eq!(out.status.code(), Some(2));
    let out = doppel(&[], &[&dir.path("x"), &a]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("doppel: "));
}

// ---------------------------------------------------------------- formats

#[test]
fn unified_is_default_off_a_terminal_and_patch_accepts_it() {
    let dir = Dir::new();
    let old = "alpha\nbeta\ngamma\ndelta\nno newline";
    let new = "alpha\nBETA\ngamma\ndelta\nno newline\nadded";
    let a = dir.write("a.txt", old);
    let b = dir.write("b.txt", new);
    let out = doppel(&[], &[&a, &b]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("--- {}\n+++ {}\n@@ ", a.display(), b.display())),
        "{text}"
    );
    assert!(text.contains("\\ No newline at end of file\n"), "{text}");
    assert!(!text.contains('\x1b'));
    if has_patch() {
        assert_eq!(patched(old.as_bytes(), &out.stdout), new.as_bytes());
    }
}

#[test]
fn git_apply_accepts_the_unified_output() {
    let dir = Dir::new();
    dir.write("v1/f.txt", "alpha\nbeta\ngamma\nend");
    dir.write("v2/f.txt", "alpha\nbeta two\ngamma\nend\n");
    dir.write("work/f.txt", "alpha\nbeta\ngamma\nend");
    let out = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["diff", "v1/f.txt", "v2/f.txt"])
        .current_dir(dir.dir.path())
        .output()
        .expect("run doppel");
    let patch = dir.write("change.patch", &out.stdout);
    let Ok(applied) = Command::new("git")
        .args(["apply", "-p1"])
        .arg(&patch)
        .current_dir(dir.path("work"))
        .output()
    else {
        eprintln!("git is not installed: skipping");
        return;
    };
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let result = std::fs::read_to_string(dir.path("work/f.txt")).expect("read");
    assert_eq!(result, "alpha\nbeta two\ngamma\nend\n");
}

#[test]
fn color_output_highlights_and_honours_no_color() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "the quick brown fox\n");
    let b = dir.write("b.txt", "the quick red fox\n");
    let out = doppel(&["--format", "color", "--color", "always"], &[&a, &b]);
    let text = stdout(&out);
    assert!(
        text.contains("\x1b[31m-the quick \x1b[7mbrown\x1b[27m fox"),
        "{text:?}"
    );
    assert!(
        text.contains("\x1b[32m+the quick \x1b[7mred\x1b[27m fox"),
        "{text:?}"
    );

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_doppel"));
    cmd.args(["diff", "--format", "color", "--color", "always"])
        .arg(&a)
        .arg(&b);
    let out = cmd.env("NO_COLOR", "1").output().expect("run");
    let text = stdout(&out);
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.contains("-the quick [-brown-] fox"), "{text}");
    assert!(text.contains("+the quick {+red+} fox"), "{text}");
}

#[test]
fn word_format_marks_words() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "keep\nthe quick brown fox\ngone line\n");
    let b = dir.write("b.txt", "keep\nthe quick red fox\nnew line here\n");
    let out = doppel(&["--format", "word"], &[&a, &b]);
    let text = stdout(&out);
    assert!(text.contains("the quick [-brown-]{+red+} fox\n"), "{text}");
}

#[test]
fn side_by_side_columns_line_up_with_wide_characters() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "abc\n北京是中国的首都北京是中国的首都\nxyz\n");
    let b = dir.write("b.txt", "abc\n北京是中国的首府北京是中国的首都\nxyz\n");
    let out = doppel(&["--format", "side-by-side", "--width", "61"], &[&a, &b]);
    let text = stdout(&out);
    use unicode_width::UnicodeWidthStr;
    let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with("@@")).collect();
    assert!(rows.len() >= 4, "{text}");
    for row in &rows {
        assert_eq!(row.width(), 61, "{row:?}");
    }
    assert!(text.contains("[-都-]") && text.contains("{+府+}"), "{text}");
}

#[test]
fn stat_counts_lines_and_characters() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "one\ntwo\nthree\n");
    let b = dir.write("b.txt", "one\ntwo!\nthree\nfour\n");
    let out = doppel(&["--format", "stat"], &[&a, &b]);
    let text = stdout(&out);
    assert!(text.contains(" | 3 ++-"), "{text}");
    assert!(
        text.contains("1 file changed, 2 insertions(+), 1 deletion(-)"),
        "{text}"
    );
}

#[test]
fn json_report_has_begin_ops_and_summary() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "one\ntwo\nthree\n");
    let b = dir.write("b.txt", "one\n2\nthree\n");
    let out = doppel(&["--format", "json"], &[&a, &b]);
    assert_eq!(out.status.code(), Some(1));
    let objects = json_lines(&out);
    assert_eq!(objects[0]["type"], "begin");
    assert_eq!(objects[0]["schema"], 1);
    assert_eq!(objects[1]["type"], "document");
    assert_eq!(objects[1]["status"], "changed");
    assert_eq!(objects[2]["type"], "op");
    assert_eq!(objects[2]["op"], "replace");
    assert_eq!(objects[2]["old"]["lines"], serde_json::json!([2, 2]));
    assert_eq!(objects[2]["old"]["bytes"], serde_json::json!([4, 7]));
    assert_eq!(objects.last().expect("summary")["type"], "summary");
}

#[test]
fn json_similarity_does_not_depend_on_the_algorithm() {
    let dir = Dir::new();
    let old: String = (0..60)
        .map(|i| format!("line {i} of {}\n", i % 7))
        .collect();
    let new = old
        .replace("line 1", "LINE 1")
        .replace("of 3\n", "of three\n");
    let a = dir.write("a.txt", &old);
    let b = dir.write("b.txt", &new);
    let scores: Vec<Value> = ["myers", "patience", "histogram"]
        .iter()
        .map(|alg| {
            json_lines(&doppel(
                &["--format", "json", "--algorithm", alg],
                &[&a, &b],
            ))[1]["similarity"]
                .clone()
        })
        .collect();
    assert_eq!(scores[0], scores[1]);
    assert_eq!(scores[1], scores[2]);
}

#[test]
fn context_lines_follow_dash_u() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "1\n2\n3\n4\n5\n");
    let b = dir.write("b.txt", "1\n2\nthree\n4\n5\n");
    let text = stdout(&doppel(&["-U", "0"], &[&a, &b]));
    assert!(text.contains("@@ -3 +3 @@\n-3\n+three\n"), "{text}");
    let text = stdout(&doppel(&["-U", "1"], &[&a, &b]));
    assert!(
        text.contains("@@ -2,3 +2,3 @@\n 2\n-3\n+three\n 4\n"),
        "{text}"
    );
}

#[test]
fn comparison_options_ignore_what_they_say() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "Hello  World\n「引用」，好。\n");
    let b = dir.write("b.txt", "hello world\n\"引用\", 好.\n");
    assert_eq!(doppel(&[], &[&a, &b]).status.code(), Some(1));
    assert_eq!(
        doppel(
            &["-i"],
            &[&a, &dir.write("c.txt", "HELLO  WORLD\n「引用」，好。\n")]
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        doppel(
            &["-w"],
            &[&a, &dir.write("d.txt", "Hello World\n「引用」，好。\n")]
        )
        .status
        .code(),
        Some(0)
    );
    let out = doppel(&["--normalize"], &[&a, &b]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn a_tiny_deadline_gives_an_approximate_but_correct_diff() {
    let dir = Dir::new();
    let old: String = (0..3000)
        .map(|i| format!("row {} {}\n", i, i * 7 % 13))
        .collect();
    let new: String = (0..3000)
        .map(|i| format!("row {} {}\n", i * 3 % 3000, i % 11))
        .collect();
    let a = dir.write("a.txt", &old);
    let b = dir.write("b.txt", &new);
    let out = doppel(&["--deadline", "0.000001"], &[&a, &b]);
    let text = stdout(&out);
    assert!(
        text.starts_with("# doppel: approximate diff"),
        "{}",
        &text[..200.min(text.len())]
    );
    if has_patch() {
        assert_eq!(patched(old.as_bytes(), &out.stdout), new.as_bytes());
    }
    let objects = json_lines(&doppel(
        &["--format", "json", "--deadline", "0.000001"],
        &[&a, &b],
    ));
    assert_eq!(objects[1]["approximate"], true);
}

// ---------------------------------------------------------------- encodings

#[test]
fn utf16_and_gb18030_inputs_diff_as_text() {
    let dir = Dir::new();
    let old = "北京是中国的首都。\n第二行保持不变。\n";
    let new = "北京是中国的首府。\n第二行保持不变。\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(old.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let new3 = new.repeat(3);
    let (gb, _, _) = encoding_rs::GB18030.encode(&new3);
    let a = dir.write("a.txt", utf16);
    let b = dir.write("b.txt", &*gb);
    let out = doppel(&["--format", "json"], &[&a, &b]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let objects = json_lines(&out);
    assert_eq!(objects[1]["old"]["encoding"], "UTF-16LE");
    assert!(
        ["gb18030", "GBK"].contains(&objects[1]["new"]["encoding"].as_str().unwrap_or("")),
        "{}",
        objects[1]
    );
    let (forced, _, _) = encoding_rs::GB18030.encode(old);
    let c = dir.write("c.txt", &*forced);
    let out = doppel(&["--encoding", "gb18030"], &[&c, &c]);
    assert_eq!(out.status.code(), Some(0));
    let out = doppel(&["--format", "word"], &[&a, &dir.write("e.txt", new)]);
    assert!(stdout(&out).contains("首[-都-]{+府+}"), "{}", stdout(&out));
}

// ---------------------------------------------------------------- CJK refinement

#[test]
fn one_character_edit_in_a_long_chinese_line_shows_as_one_character_everywhere() {
    let dir = Dir::new();
    let (old, new) = long_zh_pair();
    let a = dir.write("a.txt", &old);
    let b = dir.write("b.txt", &new);

    let color = stdout(&doppel(
        &["--format", "color", "--color", "always"],
        &[&a, &b],
    ));
    assert_eq!(color.matches("\x1b[7m").count(), 2, "{color:?}");
    assert!(color.contains("\x1b[7m础\x1b[27m") && color.contains("\x1b[7m本\x1b[27m"));

    let plain = stdout(&doppel(
        &["--format", "color", "--color", "never"],
        &[&a, &b],
    ));
    assert!(
        plain.contains("[-础-]") && plain.contains("{+本+}"),
        "{plain}"
    );

    let word = stdout(&doppel(&["--format", "word"], &[&a, &b]));
    assert!(word.contains("经常性基[-础-]{+本+}性"), "{word}");
    assert_eq!(word.matches("[-").count(), 1);

    let side = stdout(&doppel(
        &["--format", "side-by-side", "--width", "100"],
        &[&a, &b],
    ));
    assert_eq!(
        (side.matches("[-").count(), side.matches("{+").count()),
        (1, 1),
        "{side}"
    );
    assert!(side.contains("[-础-]"), "{side}");

    let stat = stdout(&doppel(&["--format", "stat"], &[&a, &b]));
    assert!(stat.contains("(chars -1 +1)"), "{stat}");

    let objects = json_lines(&doppel(&["--format", "json"], &[&a, &b]));
    let op = &objects[2];
    let inline = op["inline"].as_array().expect("inline");
    assert_eq!(inline.len(), 1);
    assert_eq!(inline[0]["old"]["text"], "础");
    assert_eq!(inline[0]["new"]["text"], "本");
}

// ---------------------------------------------------------------- moves

fn moved_pair() -> (String, String) {
    let filler: Vec<String> = (0..14)
        .map(|i| format!("Filler paragraph {i} says something rather plain and unrelated.\n"))
        .collect();
    let zh = "群团事业是党的事业的重要组成部分，做好群团工作是党的一项经常性基础性工作。\n";
    let block = "This block of English text moves down\nand keeps its two lines intact.\n";
    let edited =
        "Another paragraph that will move up the file\nand get one word changed on the way.\n";
    let edited_new =
        "Another paragraph that will move up the file\nand get one word altered on the way.\n";
    let zh_edit = "中共中央关于加强和改进党的群团工作的意见发布，这是一份重要的文件。\n";
    let zh_edit_new = "中共中央关于加强和改善党的群团工作的意见发布，这是一份重要的文件。\n";
    let old = [
        &filler[0],
        zh,
        &filler[1],
        &filler[2],
        block,
        &filler[3],
        &filler[4],
        &filler[5],
        &filler[6],
        &filler[7],
        &filler[8],
        edited,
        &filler[9],
        &filler[10],
        zh_edit,
        &filler[11],
    ]
    .concat();
    let new = [
        &filler[0],
        &filler[1],
        &filler[2],
        edited_new,
        &filler[3],
        zh_edit_new,
        &filler[4],
        &filler[5],
        &filler[6],
        block,
        &filler[7],
        &filler[8],
        &filler[9],
        zh,
        &filler[10],
        &filler[11],
    ]
    .concat();
    (old, new)
}

#[test]
fn moved_blocks_are_moves_in_color_word_and_json() {
    let dir = Dir::new();
    let (old, new) = moved_pair();
    let a = dir.write("a.txt", &old);
    let b = dir.write("b.txt", &new);

    let objects = json_lines(&doppel(&["--format", "json"], &[&a, &b]));
    let moves: Vec<&Value> = objects.iter().filter(|o| o["type"] == "move").collect();
    assert_eq!(moves.len(), 4, "{objects:#?}");
    let edits: Vec<(Value, Value)> = moves
        .iter()
        .filter(|m| m["edited"] == true)
        .flat_map(|m| m["inline"].as_array().cloned().unwrap_or_default())
        .map(|change| (change["old"]["text"].clone(), change["new"]["text"].clone()))
        .collect();
    assert_eq!(
        edits,
        [
            ("changed".into(), "altered".into()),
            ("进".into(), "善".into())
        ],
        "{objects:#?}"
    );
    assert!(moves
        .iter()
        .any(|m| m["old"]["lines"] == serde_json::json!([2, 2]) && m["similarity"] == 1.0));
    let op_moves = objects
        .iter()
        .filter(|o| o["type"] == "op" && o.get("move").is_some())
        .count();
    assert_eq!(op_moves, 8);

    let word = stdout(&doppel(&["--format", "word"], &[&a, &b]));
    assert_eq!(word.matches("[<m").count(), 4, "{word}");
    assert_eq!(word.matches("{>m").count(), 4, "{word}");
    assert!(
        word.contains("one word [-changed-]{+altered+} on the way.<}"),
        "{word}"
    );
    assert!(word.contains("加强和改[-进-]{+善+}党的"), "{word}");
    assert!(word.contains("[<m1:群团事业"), "{word}");

    let color = stdout(&doppel(
        &["--format", "color", "--color", "always"],
        &[&a, &b],
    ));
    assert_eq!(color.matches("<< m").count(), 4, "{color}");
    assert_eq!(color.matches(">> m").count(), 4, "{color}");
    assert!(color.contains("\x1b[7mchanged\x1b[27m") && color.contains("\x1b[7maltered\x1b[27m"));
    assert!(color.contains("\x1b[7m进\x1b[27m") && color.contains("\x1b[7m善\x1b[27m"));
    assert!(color.contains("\x1b[35m<群团事业"), "{color:?}");
}

#[test]
fn short_blocks_are_not_moves_and_moves_can_be_turned_off() {
    let old = "a\nshort\nb\nc\nd\n";
    let new = "a\nb\nc\nshort\nd\n";
    let comparison = Comparison::new(old, new, &DiffOptions::new());
    assert!(comparison.moves().is_empty());
    let (old, new) = moved_pair();
    let mut options = DiffOptions::new();
    options.detect_moves(false);
    assert!(Comparison::new(&old, &new, &options).moves().is_empty());
}

// ---------------------------------------------------------------- folders

#[test]
fn two_folders_report_added_removed_renamed_and_changed() {
    let dir = Dir::new();
    let body: String = (0..30)
        .map(|i| format!("Sentence {i} of a long document that gets renamed.\n"))
        .collect();
    dir.write("v1/same.txt", "unchanged\n");
    dir.write("v1/changed.txt", "first\nsecond\n");
    dir.write("v1/removed.txt", "this file goes away entirely\n");
    dir.write("v1/docs/old-name.txt", &body);
    dir.write("v2/same.txt", "unchanged\n");
    dir.write("v2/changed.txt", "first\nsecond, edited\n");
    dir.write("v2/added.txt", "a new file with new words\n");
    dir.write(
        "v2/guide/new-name.txt",
        body.replace("Sentence 4 ", "Sentence four "),
    );
    let (v1, v2) = (dir.path("v1"), dir.path("v2"));

    let out = doppel(&["--format", "json"], &[&v1, &v2]);
    assert_eq!(out.status.code(), Some(1));
    let objects = json_lines(&out);
    let docs: Vec<(String, Value, Value)> = objects
        .iter()
        .filter(|o| o["type"] == "document")
        .map(|o| {
            (
                o["status"].as_str().unwrap_or("").to_owned(),
                o["old"]["path"].clone(),
                o["new"]["path"].clone(),
            )
        })
        .collect();
    let status_of = |s: &str| docs.iter().filter(|d| d.0 == s).count();
    assert_eq!(
        (
            status_of("added"),
            status_of("removed"),
            status_of("renamed"),
            status_of("changed"),
            status_of("unchanged")
        ),
        (1, 1, 1, 1, 1),
        "{docs:?}"
    );
    let renamed = docs.iter().find(|d| d.0 == "renamed").expect("renamed");
    assert!(renamed.1.as_str().unwrap_or("").ends_with("old-name.txt"));
    assert!(renamed.2.as_str().unwrap_or("").ends_with("new-name.txt"));
    let doc = objects
        .iter()
        .find(|o| o["status"] == "renamed")
        .expect("renamed doc");
    let similarity = doc["similarity"].as_f64().unwrap_or(0.0);
    assert!(similarity > 0.9 && similarity < 1.0, "{similarity}");
    let summary = objects.last().expect("summary");
    assert_eq!(
        (summary["added"].clone(), summary["renamed"].clone()),
        (1.into(), 1.into())
    );

    let brief = stdout(&doppel(&["-q"], &[&v1, &v2]));
    assert!(
        brief.contains("Added: ") && brief.contains("Removed: "),
        "{brief}"
    );
    assert!(
        brief.contains("Renamed: ") && brief.contains("% similar)"),
        "{brief}"
    );
    assert!(brief.contains("changed.txt differ"), "{brief}");

    dir.write("v1/moved/same-text.txt", "a file that only moves\n");
    dir.write("v2/elsewhere/same-text.txt", "a file that only moves\n");
    let unified = stdout(&doppel(&[], &[&v1, &v2]));
    assert!(unified.contains("# renamed "), "{unified}");
    assert!(
        unified.contains("same-text.txt (100% similar)\n"),
        "{unified}"
    );
    assert!(unified.contains("--- /dev/null\n"), "{unified}");
    assert!(unified.contains("+++ /dev/null\n"), "{unified}");
    let stat = stdout(&doppel(&["--format", "stat"], &[&v1, &v2]));
    assert!(stat.contains("old-name.txt => "), "{stat}");
    assert!(stat.contains(" 5 files changed"), "{stat}");
    assert!(stat.contains("same-text.txt | 0"), "{stat}");
    let out = doppel(&["--format", "stat"], &[&v1, &v1]);
    assert_eq!((out.status.code(), out.stdout.len()), (Some(0), 0));

    assert_eq!(doppel(&[], &[&v1, &v1]).status.code(), Some(0));
}

#[test]
fn a_folder_with_an_undecodable_file_exits_2_and_binary_files_are_skipped() {
    let dir = Dir::new();
    dir.write("v1/a.txt", "same\n");
    dir.write("v2/a.txt", "same\n");
    dir.write(
        "v2/image.bin",
        b"\x89PNG\x00\x00\x00\x0dIHDR\x00\x00\x00\x10",
    );
    let (v1, v2) = (dir.path("v1"), dir.path("v2"));
    let objects = json_lines(&doppel(&["--format", "json"], &[&v1, &v2]));
    assert_eq!(objects.last().expect("summary")["skipped"], 1);
    let noise: Vec<u8> = (0..4000u32).map(|i| (i * 37 % 255 + 1) as u8).collect();
    dir.write("v2/noise.txt", noise);
    let out = doppel(&[], &[&v1, &v2]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("noise.txt: cannot be decoded"));
}

// ---------------------------------------------------------------- properties

const WORDS: &[&str] = &[
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "alpha", "beta", "gamma",
    "release", "notes", "fixed", "a", "bug", "in", "parser", "émigré", "naïve", "café",
];
const CJK: &[&str] = &[
    "中", "共", "央", "关", "于", "加", "强", "和", "改", "进", "党", "的", "群", "团", "工", "作",
    "。", "，", "ひ", "ら", "が", "な", "カ", "タ", "한", "국", "어",
];

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(WORDS), 1..9).prop_map(|w| w.join(" ")),
        prop::collection::vec(prop::sample::select(CJK), 1..60).prop_map(|c| c.concat()),
        Just(String::new()),
    ]
}

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize),
    Insert(usize, String),
    Char(usize, usize, &'static str),
    Move(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), line()).prop_map(|(i, l)| Edit::Insert(i, l)),
        (any::<usize>(), any::<usize>(), prop::sample::select(CJK))
            .prop_map(|(i, p, c)| Edit::Char(i, p, c)),
        (any::<usize>(), 1..5usize, any::<usize>()).prop_map(|(f, n, t)| Edit::Move(f, n, t)),
    ]
}

fn apply_edits(mut lines: Vec<String>, edits: &[Edit]) -> Vec<String> {
    for e in edits {
        let n = lines.len();
        match e.clone() {
            Edit::Delete(i) if n > 0 => {
                lines.remove(i % n);
            }
            Edit::Insert(i, l) => lines.insert(i % (n + 1), l),
            Edit::Char(i, p, c) if n > 0 => {
                let line = &mut lines[i % n];
                let chars: Vec<char> = line.chars().collect();
                let at = p % (chars.len() + 1);
                let mut s: String = chars[..at].iter().collect();
                s.push_str(c);
                s.extend(chars.get(at + 1..).unwrap_or_default());
                *line = s;
            }
            Edit::Move(f, len, t) if n > 0 => {
                let from = f % n;
                let len = len.min(n - from);
                let block: Vec<String> = lines.drain(from..from + len).collect();
                let to = t % (lines.len() + 1);
                for (k, l) in block.into_iter().enumerate() {
                    lines.insert(to + k, l);
                }
            }
            _ => {}
        }
    }
    lines
}

fn text_of(lines: &[String], final_newline: bool) -> String {
    let mut text = lines.join("\n");
    if final_newline && !lines.is_empty() {
        text.push('\n');
    }
    text
}

fn pair() -> impl Strategy<Value = (String, String)> {
    (
        prop::collection::vec(line(), 0..30),
        prop::collection::vec(edit(), 0..8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, edits, nl_old, nl_new)| {
            let new = apply_edits(lines.clone(), &edits);
            (text_of(&lines, nl_old), text_of(&new, nl_new))
        })
}

fn options_strategy() -> impl Strategy<Value = DiffOptions> {
    (
        prop::sample::select(vec![
            Algorithm::Myers,
            Algorithm::Patience,
            Algorithm::Histogram,
        ]),
        prop::sample::select(vec![
            Granularity::Auto,
            Granularity::Line,
            Granularity::Word,
            Granularity::Char,
        ]),
        0..30usize,
    )
        .prop_map(|(algorithm, granularity, letters)| {
            let mut options = DiffOptions::new();
            options
                .algorithm(algorithm)
                .granularity(granularity)
                .min_move_letters(letters);
            options
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_op_list_rebuilds_new_from_old((old, new) in pair(), options in options_strategy()) {
        let comparison = Comparison::new(&old, &new, &options);
        prop_assert_eq!(comparison.apply(), new.clone());
        prop_assert_eq!(comparison.is_equal(), old == new);
        let (mut o, mut n) = (0, 0);
        for op in comparison.ops() {
            prop_assert_eq!((op.old.start, op.new.start), (o, n));
            if op.tag == Tag::Equal {
                prop_assert_eq!(&old[comparison.old_bytes(op.old.clone())], &new[comparison.new_bytes(op.new.clone())]);
            }
            (o, n) = (op.old.end, op.new.end);
        }
        prop_assert_eq!((o, n), (comparison.old_lines().len(), comparison.new_lines().len()));
    }

    #[test]
    fn patch_turns_old_into_new_with_the_unified_output((old, new) in pair(), options in options_strategy()) {
        if old == new || !has_patch() {
            return Ok(());
        }
        let comparison = Comparison::new(&old, &new, &options);
        let mut diff = Vec::new();
        Printer::new(Format::Unified)
            .document(&mut diff, &DocHeader::files("a", "b"), &comparison)
            .expect("render");
        prop_assert_eq!(String::from_utf8(patched(old.as_bytes(), &diff)).expect("utf-8"), new);
    }

    #[test]
    fn every_printer_accepts_any_pair((old, new) in pair()) {
        let comparison = Comparison::new(&old, &new, &DiffOptions::new());
        for format in [Format::Color, Format::Word, Format::SideBySide, Format::Stat, Format::Json] {
            let mut out = Vec::new();
            let mut printer = Printer::new(format);
            printer.width(50).color(true);
            printer.document(&mut out, &DocHeader::files("a", "b"), &comparison).expect("render");
            printer.finish(&mut out).expect("finish");
            prop_assert!(String::from_utf8(out).is_ok());
        }
    }
}

// ---------------------------------------------------------------- snapshots

fn render(format: Format, old: &str, new: &str) -> String {
    let comparison = Comparison::new(old, new, &DiffOptions::new());
    let mut out = Vec::new();
    let mut printer = Printer::new(format);
    printer.context(1).width(60);
    printer
        .document(&mut out, &DocHeader::files("a", "b"), &comparison)
        .expect("render");
    printer.finish(&mut out).expect("finish");
    String::from_utf8(out).expect("utf-8")
}

const SNAP_OLD: &str = "intro\nThis paragraph is going to move somewhere else.\nkeep\nthe quick brown fox\nmiddle\nend";
const SNAP_NEW: &str = "intro\nkeep\nthe quick red fox\nmiddle\nThis paragraph is going to move somewhere else.\nend\n";

#[test]
fn unified_snapshot() {
    let expected = "\
--- a
+++ b
@@ -1,6 +1,6 @@
 intro
-This paragraph is going to move somewhere else.
 keep
-the quick brown fox
+the quick red fox
 middle
+This paragraph is going to move somewhere else.
-end
\\ No newline at end of file
+end
";
    assert_eq!(render(Format::Unified, SNAP_OLD, SNAP_NEW), expected);
}

#[test]
fn word_snapshot() {
    let expected = "\
--- a
+++ b
@@ -1,6 +1,6 @@
intro
[<m1:This paragraph is going to move somewhere else.>]
keep
the quick [-brown-]{+red+} fox
middle
{>m1:This paragraph is going to move somewhere else.<}
end
";
    assert_eq!(render(Format::Word, SNAP_OLD, SNAP_NEW), expected);
}

#[test]
fn color_snapshot_without_colour() {
    let expected = "\
--- a
+++ b
@@ -1,6 +1,6 @@
 intro
<< m1 moved to line 5
<This paragraph is going to move somewhere else.
 keep
-the quick [-brown-] fox
+the quick {+red+} fox
 middle
>> m1 moved from line 2
>This paragraph is going to move somewhere else.
-end
\\ No newline at end of file
+end
";
    assert_eq!(render(Format::Color, SNAP_OLD, SNAP_NEW), expected);
}

// ---------------------------------------------------------------- pipes

#[test]
fn standard_input_can_be_one_side() {
    use std::io::Write;
    let dir = Dir::new();
    let a = dir.write("a.txt", "one\ntwo\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["diff", "-"])
        .arg(&a)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"one\n2\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("-2\n+two\n"), "{}", stdout(&out));
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::io::Read;
    let dir = Dir::new();
    let old: String = (0..40_000).map(|i| format!("line {i}\n")).collect();
    let new: String = (0..40_000).map(|i| format!("line {}\n", i * 7)).collect();
    let a = dir.write("a.txt", old);
    let b = dir.write("b.txt", new);
    let mut child = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["diff", "--format", "word"])
        .arg(&a)
        .arg(&b)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 16];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("read");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let dir = Dir::new();
    for i in 0..150 {
        let body: String = (0..20)
            .map(|k| format!("document {i} line {k} text\n"))
            .collect();
        dir.write(&format!("v1/d{i}.txt"), &body);
        let new_name = if i % 7 == 0 {
            format!("v2/moved/d{i}.txt")
        } else {
            format!("v2/d{i}.txt")
        };
        let edited = if i % 3 == 0 {
            body.replace("line 5 ", "line five ")
        } else {
            body
        };
        if i % 11 != 0 {
            dir.write(&new_name, edited);
        }
    }
    let (v1, v2) = (dir.path("v1"), dir.path("v2"));
    let run = |threads: &str| {
        Command::new(env!("CARGO_BIN_EXE_doppel"))
            .args(["diff", "--format", "json"])
            .arg(&v1)
            .arg(&v2)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("run")
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("4"));
}
