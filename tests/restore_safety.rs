//! `restore` stays inside its two folders and writes only what it verified:
//! manifests and cleaned folders tampered with in every way the manifest
//! can be, each an error naming the document or the manifest line (exit 2),
//! with nothing written outside DIR and no wrong file under a final name;
//! an untampered clean still restores byte for byte; and a restore killed
//! at any moment leaves only complete files under final names.

mod util;

#[path = "common/rng.rs"]
mod rng;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use util::{doppel, Run};

fn s(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(path, bytes).expect("write");
}

const ARTICLE: &str = "The harbour authority opened the new ferry terminal on Monday morning after three years of work.\n\nPassengers can now board from a covered hall with heated seats and a small cafe near the gates.\n\nThe old terminal will be turned into a museum of the river trade next spring, the council said.\n";

const PARA: &str =
    "A paragraph about the harbour cranes that several pages of the site quote in full.";

const GBK_TEXT: &str = "群團事業是黨的事業的重要組成部分，群團工作是黨的一項經常性、基礎性工作。\n各級黨委要把群團工作擺上重要議事日程，推動群團組織改革創新。\n";

fn jsonl_lines() -> Vec<String> {
    let body = ARTICLE.replace('\n', "\\n");
    vec![
        format!("{{\"id\":\"a\",\"url\":\"https://x.example/1\",\"text\":\"{body}\",\"n\":1.50}}"),
        format!("{{\"id\": \"b\", \"text\": \"{body}\", \"url\": \"https://y.example/1\"}}"),
        "{\"id\":\"c\",\"text\":\"Page 3 of 10\"}".to_owned(),
        "{\"id\":\"d\",\"text\":\"Page 4 of 10\"}".to_owned(),
        "{\"id\":\"e\",\"text\":\"\\u6e2f\\u53e3\\u7684\\u8d27\\u7269\\u4eca\\u5929\\u8fd0\\u5230\\u4e86\\u6cb3\\u8fb9\\u7684\\u4ed3\\u5e93\"}".to_owned(),
    ]
}

fn gzip(plain: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(plain).expect("gzip");
    encoder.finish().expect("gzip")
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gunzip");
    out
}

/// A folder `in` of inputs giving every kind of removal: block copies,
/// repeated segments, boilerplate, a duplicate document, a GBK file, JSON
/// Lines with a removed record, plain and gzipped.
fn write_corpus(input: &Path) {
    let inside =
        format!("Opening words of this page.\n\n{PARA}\n\nMiddle of the page here.\n\n{PARA}\n");
    write(
        &input.join("1.txt"),
        format!("Home | News | Sport\n\n{inside}"),
    );
    write(
        &input.join("2.txt"),
        format!("Home | News | Sport\n\nAnother page entirely, on winter roads.\n\n{PARA}\n"),
    );
    write(
        &input.join("3.txt"),
        "Home | News | Sport\n\nA third page, on the river museum plans.\n",
    );
    write(&input.join("a.txt"), ARTICLE);
    write(&input.join("news/b.txt"), ARTICLE);
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(GBK_TEXT);
    assert!(!unmappable);
    write(&input.join("gbk.txt"), gbk);
    let jsonl = jsonl_lines();
    write(&input.join("docs.jsonl"), jsonl.join("\n") + "\n");
    let more = [
        "{\"id\":\"m1\",\"text\":\"A record only the gzipped file holds, on the tides of the estuary.\"}",
        &jsonl[0],
        "{\"id\":\"m2\",\"text\":\"Another record found only here, on the lighthouse keeper's log.\"}",
    ];
    write(
        &input.join("more.jsonl.gz"),
        gzip((more.join("\n") + "\n").as_bytes()),
    );
}

/// A temporary folder with `in/` cleaned into `out/`.
struct Cleaned {
    dir: tempfile::TempDir,
}

impl Cleaned {
    fn new() -> Cleaned {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("in");
        write_corpus(&input);
        let out = dir.path().join("out");
        let run = doppel(&["clean", "--boilerplate", s(&input), "-o", s(&out)]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        Cleaned { dir }
    }

    fn input(&self) -> PathBuf {
        self.dir.path().join("in")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn back(&self) -> PathBuf {
        self.dir.path().join("back")
    }

    fn restore(&self) -> Run {
        doppel(&["restore", s(&self.out()), "-o", s(&self.back())])
    }

    fn manifest(&self) -> Vec<Value> {
        std::fs::read_to_string(self.out().join("manifest.jsonl"))
            .expect("manifest")
            .lines()
            .map(|line| serde_json::from_str(line).expect("manifest line"))
            .collect()
    }

    fn set_manifest(&self, lines: &[Value]) {
        let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
        write(&self.out().join("manifest.jsonl"), text);
    }

    /// Changes the manifest's lines with `change`.
    fn tamper(&self, change: impl FnOnce(&mut Vec<Value>)) {
        let mut lines = self.manifest();
        change(&mut lines);
        self.set_manifest(&lines);
    }

    /// The index of the document line whose path ends with `name`.
    fn doc_line(&self, lines: &[Value], name: &str) -> usize {
        lines
            .iter()
            .position(|l| {
                l["type"] == "document" && l["path"].as_str().is_some_and(|p| p.ends_with(name))
            })
            .unwrap_or_else(|| panic!("no document {name}"))
    }

    fn restored(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.back().join("in").join(name)).ok()
    }

    fn original(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.input().join(name)).expect("input")
    }

    /// `name` came back byte for byte.
    fn assert_restored(&self, name: &str) {
        let restored = self.restored(name);
        let restored = if name.ends_with(".gz") {
            restored.map(|bytes| gunzip(&bytes))
        } else {
            restored
        };
        let original = self.original(name);
        let original = if name.ends_with(".gz") {
            gunzip(&original)
        } else {
            original
        };
        assert_eq!(restored, Some(original), "{name}");
    }

    /// Nothing but the folders the test made: no file escaped.
    fn assert_nothing_outside(&self) {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("temp dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "back")
            .collect();
        names.sort();
        assert_eq!(names, ["in", "out"]);
    }

    /// DIR holds no file at all (it may not exist).
    fn assert_back_empty(&self) {
        assert_eq!(files_under(&self.back()), Vec::<PathBuf>::new());
    }
}

const NAMES: [&str; 8] = [
    "1.txt",
    "2.txt",
    "3.txt",
    "a.txt",
    "news/b.txt",
    "gbk.txt",
    "docs.jsonl",
    "more.jsonl.gz",
];

/// Every file under `root`, relative, sorted; never through a link.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => folders.push(path),
                _ => found.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf()),
            }
        }
    }
    found.sort();
    found
}

fn assert_error(run: &Run, needles: &[&str]) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "expected {needle:?} in stderr: {}",
            run.stderr
        );
    }
    for line in run.stderr.lines() {
        assert!(line.starts_with("doppel: "), "one line per error: {line}");
    }
}

#[test]
fn an_untampered_clean_restores_every_input_byte_for_byte() {
    let cleaned = Cleaned::new();
    let reasons: Vec<String> = cleaned
        .manifest()
        .iter()
        .filter_map(|l| l["reason"].as_str().map(str::to_owned))
        .collect();
    for reason in [
        "block-copy",
        "repeated-segment",
        "boilerplate",
        "duplicate-document",
    ] {
        assert!(reasons.iter().any(|r| r == reason), "{reason}: {reasons:?}");
    }
    let records = |written: bool| {
        cleaned.manifest().iter().any(|l| {
            l["written"] == written
                && l["output"]
                    .as_str()
                    .is_some_and(|o| o.ends_with("more.jsonl.gz"))
        })
    };
    assert!(
        records(true) && records(false),
        "the .gz keeps some records"
    );
    let run = cleaned.restore();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    for name in NAMES {
        cleaned.assert_restored(name);
    }
    let documents = cleaned
        .manifest()
        .iter()
        .filter(|l| l["type"] == "document")
        .count();
    assert!(
        run.stdout.starts_with(&format!(
            "restored {documents} of {documents} documents into {} ({documents} byte for byte)",
            cleaned.back().display()
        )),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("2 JSON Lines files rebuilt from their records"));
    assert_eq!(
        files_under(&cleaned.back()).len(),
        NAMES.len(),
        "no temporary file left"
    );
}

#[test]
fn manifest_paths_that_leave_dir_are_refused_before_anything_is_written() {
    let cleaned = Cleaned::new();
    let victim = cleaned.dir.path().join("in/victim.txt");
    write(&victim, "keep me");
    let deep = cleaned.back().join("x/y");
    for (output, reason) in [
        ("../../escaped.txt", "`..` component"),
        ("in/../../../escaped.txt", "`..` component"),
        (s(&victim), "is absolute"),
        ("", "the path is empty"),
        ("./in/3.txt", "`.` component"),
    ] {
        cleaned.tamper(|lines| {
            let at = cleaned.doc_line(lines, "3.txt");
            lines[at]["output"] = Value::from(output);
        });
        let run = doppel(&["restore", s(&cleaned.out()), "-o", s(&deep)]);
        assert_error(&run, &["manifest.jsonl: line ", "3.txt: output: ", reason]);
        assert_eq!(
            std::fs::read_to_string(&victim).ok().as_deref(),
            Some("keep me")
        );
        assert!(!cleaned.back().join("escaped.txt").exists());
        assert!(!cleaned.dir.path().join("escaped.txt").exists());
        assert!(!deep.exists(), "{output:?}: DIR not even made");
    }
    std::fs::remove_file(&victim).expect("remove");
    cleaned.assert_nothing_outside();
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_inside_out_is_not_followed() {
    let cleaned = Cleaned::new();
    // The link leads to a file with the very bytes clean wrote, so only
    // the link itself can be refused.
    let outside = cleaned.dir.path().join("outside.txt");
    let target = cleaned.out().join("in/3.txt");
    std::fs::rename(&target, &outside).expect("move");
    std::os::unix::fs::symlink(&outside, &target).expect("link");
    let run = cleaned.restore();
    assert_error(
        &run,
        &[
            "3.txt: ",
            "is a symbolic link; restore does not follow links",
        ],
    );
    assert_eq!(cleaned.restored("3.txt"), None);
    for name in [
        "1.txt",
        "2.txt",
        "a.txt",
        "news/b.txt",
        "gbk.txt",
        "docs.jsonl",
    ] {
        cleaned.assert_restored(name);
    }
    // A linked folder on the way is refused too.
    std::fs::remove_dir_all(cleaned.back()).expect("clear");
    std::fs::remove_file(&target).expect("unlink");
    std::fs::rename(&outside, &target).expect("move back");
    let real = cleaned.dir.path().join("real-in");
    std::fs::rename(cleaned.out().join("in"), &real).expect("move folder");
    std::os::unix::fs::symlink(&real, cleaned.out().join("in")).expect("link folder");
    let run = cleaned.restore();
    assert_error(&run, &["is a symbolic link"]);
    assert_eq!(cleaned.restored("1.txt"), None);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_planted_in_dir_is_refused() {
    let cleaned = Cleaned::new();
    let elsewhere = cleaned.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("folder");
    std::fs::create_dir_all(cleaned.back()).expect("folder");
    std::os::unix::fs::symlink(&elsewhere, cleaned.back().join("in")).expect("link");
    let run = cleaned.restore();
    assert_error(&run, &["must be new or empty"]);
    assert_eq!(std::fs::read_dir(&elsewhere).expect("read").count(), 0);
}

#[test]
fn a_same_length_edit_to_a_cleaned_file_is_named_and_the_rest_restored() {
    let cleaned = Cleaned::new();
    let path = cleaned.out().join("in/3.txt");
    let text = std::fs::read_to_string(&path).expect("cleaned");
    write(&path, text.replace("river", "rivet"));
    let run = cleaned.restore();
    let expected = format!(
        "{} was changed after clean (its hash differs from the manifest's)",
        path.display()
    );
    assert_error(&run, &[&expected]);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(cleaned.restored("3.txt"), None, "not written");
    for name in NAMES.iter().filter(|n| **n != "3.txt") {
        cleaned.assert_restored(name);
    }
    assert!(run.stdout.contains("1 failed"), "{}", run.stdout);
}

/// The first removal line of `reason`.
fn removal(lines: &mut [Value], reason: &str) -> usize {
    lines
        .iter()
        .position(|l| l["reason"] == reason)
        .unwrap_or_else(|| panic!("no {reason} removal"))
}

#[test]
fn a_removal_that_rebuilds_another_text_is_an_error_naming_its_document() {
    let cleaned = Cleaned::new();
    let original = cleaned.manifest();
    // A removal's own text, changed but as long: its document fails, and
    // so does any document rebuilt from it.
    cleaned.tamper(|lines| {
        let at = removal(lines, "boilerplate");
        let text = lines[at]["text"]
            .as_str()
            .expect("text")
            .replace("News", "Newz");
        lines[at]["text"] = Value::from(text);
    });
    let run = cleaned.restore();
    assert_error(&run, &["the manifest's removals rebuild a different text"]);
    assert!(run.stdout.contains(" failed)"), "{}", run.stdout);
    for line in run.stderr.lines().skip(1) {
        assert!(line.contains("could not be restored"), "{line}");
    }
    std::fs::remove_dir_all(cleaned.back()).ok();
    // An edit script that inserts other text.
    cleaned.set_manifest(&original);
    cleaned.tamper(|lines| {
        let at = removal(lines, "block-copy");
        lines[at]["edits"] = serde_json::json!(["Hostile text of the same length?"]);
    });
    let run = cleaned.restore();
    assert_error(&run, &["1.txt: its removal at bytes ["]);
    assert_eq!(cleaned.restored("1.txt"), None);
    std::fs::remove_dir_all(cleaned.back()).ok();
    // Bytes shifted by one.
    cleaned.set_manifest(&original);
    cleaned.tamper(|lines| {
        let at = removal(lines, "block-copy");
        if let Some(bytes) = lines[at]["bytes"].as_array_mut() {
            for offset in bytes {
                *offset = Value::from(offset.as_u64().expect("offset") + 1);
            }
        }
    });
    let run = cleaned.restore();
    assert_error(&run, &["1.txt: "]);
    assert_eq!(cleaned.restored("1.txt"), None);
}

#[test]
fn deleted_or_miscounted_manifest_lines_stop_the_restore() {
    let cleaned = Cleaned::new();
    let original = cleaned.manifest();
    type Change<'a> = Box<dyn Fn(&mut Vec<Value>) + 'a>;
    let cases: Vec<(Change, &[&str])> = vec![
        (
            // A document line and the removal after it.
            Box::new(|lines: &mut Vec<Value>| {
                let at = cleaned.doc_line(lines, "3.txt");
                lines.drain(at..at + 2);
            }),
            &["line ", "document number ", "was expected"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| {
                let at = removal(lines, "boilerplate");
                lines.remove(at);
            }),
            &["the summary counts ", " removals where the manifest lists "],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| {
                let at = removal(lines, "boilerplate");
                lines[at]["doc"] = Value::from(999);
            }),
            &["a removal from document 999, which has no document line before it"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| {
                let last = lines.len() - 1;
                lines[last]["removed_bytes"] = Value::from(1);
            }),
            &["the summary counts 1 removed bytes"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| {
                let last = lines.len() - 1;
                lines[last]["documents"] = Value::from(3);
            }),
            &["the summary counts 3 documents"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| lines.clear()),
            &["manifest.jsonl: empty"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| {
                lines.remove(0);
            }),
            &["line 1: the manifest does not start with its begin line"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| lines[0]["schema"] = Value::from(1)),
            &["line 1: manifest schema 1; this doppel reads schema 2"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| lines[0]["schema"] = Value::from(99)),
            &["manifest schema 99; this doppel reads schema 2"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| {
                lines.pop();
            }),
            &["no summary line at the end"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| {
                let extra = lines[1].clone();
                lines.push(extra);
            }),
            &["a line after the summary"],
        ),
        (
            Box::new(|lines: &mut Vec<Value>| {
                let at = cleaned.doc_line(lines, "3.txt");
                let other = if at == 1 { 2 } else { 1 };
                let first = lines[other]["output"].clone();
                lines[at]["output"] = first;
            }),
            &["another document is already written to"],
        ),
    ];
    for (change, needles) in cases {
        cleaned.set_manifest(&original);
        cleaned.tamper(change);
        let run = cleaned.restore();
        assert_error(&run, needles);
        assert_error(
            &run,
            &[&format!(
                "{}: ",
                cleaned.out().join("manifest.jsonl").display()
            )],
        );
        cleaned.assert_back_empty();
    }
}

#[test]
fn a_changed_json_lines_line_or_id_is_an_error_naming_the_record() {
    let cleaned = Cleaned::new();
    let original = cleaned.manifest();
    // The line of a record moved past the next one.
    cleaned.tamper(|lines| {
        let at = cleaned.doc_line(lines, "docs.jsonl");
        let third = (at..lines.len())
            .find(|&i| lines[i]["line"] == 3 && lines[i]["path"] == lines[at]["path"])
            .expect("line 3");
        lines[third]["line"] = Value::from(9);
    });
    let run = cleaned.restore();
    assert_error(&run, &["docs.jsonl:4: follows line 9 of the same file"]);
    cleaned.assert_back_empty();
    // The id in a removed record's skeleton.
    let at = original
        .iter()
        .position(|l| {
            l["skeleton"].is_string()
                && l["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("docs.jsonl"))
        })
        .expect("a removed record");
    let record = format!("docs.jsonl:{}: ", original[at]["line"]);
    cleaned.set_manifest(&original);
    cleaned.tamper(|lines| {
        let skeleton = lines[at]["skeleton"].as_str().expect("skeleton");
        let id: Value = serde_json::from_str(skeleton).expect("skeleton JSON");
        let id = format!("\"{}\"", id["id"].as_str().expect("id"));
        let skeleton = skeleton.replacen(&id, "\"zz\"", 1);
        lines[at]["skeleton"] = Value::from(skeleton);
    });
    let run = cleaned.restore();
    assert_error(
        &run,
        &[
            &format!("{record}its rebuilt line differs from the input's"),
            "docs.jsonl: not written",
        ],
    );
    assert_eq!(cleaned.restored("docs.jsonl"), None);
    cleaned.assert_restored("more.jsonl.gz");
    std::fs::remove_dir_all(cleaned.back()).ok();
    // The id of a written record, in the cleaned file.
    cleaned.set_manifest(&original);
    let first_written = original
        .iter()
        .find(|l| {
            l["written"] == true
                && l["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("docs.jsonl"))
        })
        .expect("a written record");
    let record = format!("docs.jsonl:{}: ", first_written["line"]);
    let path = cleaned.out().join("in/docs.jsonl");
    let text = std::fs::read_to_string(&path).expect("cleaned");
    let first: Value = serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    let id = format!("\"id\":\"{}\"", first["id"].as_str().expect("id"));
    assert!(text.contains(&id), "{text}");
    write(&path, text.replacen(&id, "\"id\":\"zz\"", 1));
    let run = cleaned.restore();
    assert_error(
        &run,
        &[&format!(
            "{record}its rebuilt line differs from the input's"
        )],
    );
    assert_eq!(cleaned.restored("docs.jsonl"), None);
    std::fs::remove_dir_all(cleaned.back()).ok();
    // A record added to the cleaned file.
    write(
        &path,
        text.clone() + "{\"id\":\"new\",\"text\":\"extra\"}\n",
    );
    let run = cleaned.restore();
    assert_error(&run, &["has more records than the manifest lists"]);
    assert_eq!(cleaned.restored("docs.jsonl"), None);
}

#[test]
fn a_lossy_document_is_restored_as_checked_text_and_said_so() {
    let cleaned = Cleaned::new();
    cleaned.tamper(|lines| {
        let at = cleaned.doc_line(lines, "3.txt");
        lines[at]["lossless"] = Value::from(false);
    });
    let run = cleaned.restore();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("3.txt: restored as decoded UTF-8 text, checked against the manifest"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stdout.contains(" byte for byte, 1 as decoded text)"),
        "{}",
        run.stdout
    );
    cleaned.assert_restored("3.txt");
    // Its text is still verified.
    std::fs::remove_dir_all(cleaned.back()).ok();
    cleaned.tamper(|lines| {
        let at = removal(lines, "boilerplate");
        let text = lines[at]["text"]
            .as_str()
            .expect("text")
            .replace("News", "Newz");
        lines[at]["text"] = Value::from(text);
    });
    let run = cleaned.restore();
    assert_error(&run, &["rebuild a different text"]);
}

#[test]
fn json_lines_that_lost_lines_in_clean_are_not_restored_as_if_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("blank.jsonl");
    let lines = jsonl_lines();
    write(
        &input,
        format!("{}\n\n{}\n", lines[0], lines[2..].join("\n")),
    );
    let (out, back) = (dir.path().join("out"), dir.path().join("back"));
    let run = doppel(&["clean", s(&input), "-o", s(&out)]);
    assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
    let run = doppel(&["restore", s(&out), "-o", s(&back)]);
    assert_error(
        &run,
        &[
            "blank.jsonl:3: input line 2 holds no record: blank or unreadable when cleaned",
            "blank.jsonl: not written",
        ],
    );
    assert!(!back.join("blank.jsonl").exists());
    assert_eq!(
        files_under(&back),
        Vec::<PathBuf>::new(),
        "nothing half done"
    );
}

/// Files restored so far in `back`: final names and temporary ones.
fn final_and_temporary(back: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    files_under(back).into_iter().partition(|path| {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        !(name.starts_with('.') && name.contains(".doppel-") && name.ends_with(".tmp"))
    })
}

#[cfg(unix)]
#[test]
fn a_killed_restore_leaves_only_complete_files_and_its_rerun_names_the_leftovers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    let mut rng = rng::Rng::new(11);
    for i in 0..600 {
        let words: Vec<String> = (0..rng.range(20, 200))
            .map(|_| format!("w{}", rng.below(5000)))
            .collect();
        let mut text = format!("Document {i}.\n\n{}\n", words.join(" "));
        if i % 7 == 0 {
            text.push_str(&format!("\n{PARA}\n"));
        }
        write(&input.join(format!("d{}/f{i}.txt", i % 13)), text);
    }
    let jsonl: Vec<String> = (0..200)
        .map(|i| {
            format!(
                "{{\"id\":{i},\"text\":\"Record {i} {}\"}}",
                "body ".repeat(i % 50)
            )
        })
        .collect();
    write(&input.join("records.jsonl"), jsonl.join("\n") + "\n");
    let out = dir.path().join("out");
    let run = doppel(&["clean", s(&input), "-o", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let restore = |back: &Path| {
        Command::new(env!("CARGO_BIN_EXE_doppel"))
            .args(["restore", s(&out), "-o", s(back)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let started = Instant::now();
    let full = restore(&dir.path().join("full"))
        .wait_with_output()
        .expect("run");
    assert!(full.status.success());
    let full_ms = started.elapsed().as_millis().max(20) as usize;
    let mut with_leftovers = 0;
    for round in 0..10 {
        let back = dir.path().join(format!("back{round}"));
        let mut child = restore(&back);
        std::thread::sleep(Duration::from_millis(rng.range(1, full_ms) as u64));
        let _ = child.kill();
        let _ = child.wait();
        let (finals, temporaries) = final_and_temporary(&back);
        for name in &finals {
            let relative = name.strip_prefix("in").expect("under in/");
            assert_eq!(
                std::fs::read(back.join(name)).ok(),
                std::fs::read(input.join(relative)).ok(),
                "round {round}: {} looks complete but is not",
                name.display()
            );
        }
        let rerun = doppel(&["restore", s(&out), "-o", s(&back)]);
        if finals.is_empty() && temporaries.is_empty() {
            // Killed before it wrote anything: the rerun just works.
            assert_eq!(rerun.code, 0, "{}", rerun.stderr);
            continue;
        }
        assert_eq!(rerun.code, 2, "round {round}");
        if temporaries.is_empty() {
            assert!(
                rerun.stderr.contains("must be new or empty"),
                "{}",
                rerun.stderr
            );
        } else {
            with_leftovers += 1;
            assert!(
                rerun
                    .stderr
                    .contains("the folder holds the leftovers of an interrupted restore (such as ")
                    && rerun
                        .stderr
                        .contains(&format!("remove {} and run again", back.display())),
                "{}",
                rerun.stderr
            );
        }
    }
    assert!(
        with_leftovers > 0,
        "no kill landed while files were being written"
    );
}
