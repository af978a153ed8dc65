//! The persistent index end to end: `doppel index create|add|info`,
//! `scan --against` and `clean --against`, and the index's safety: kills
//! during an add, a second writer, other settings, damaged files and
//! leftovers.

mod util;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};
use util::{doppel_in, Run};

const WORDS: [&str; 32] = [
    "river", "stone", "market", "lantern", "orchard", "harbour", "signal", "meadow", "copper",
    "winter", "garden", "bridge", "thunder", "valley", "candle", "forest", "council", "budget",
    "railway", "museum", "festival", "teacher", "weather", "village", "silver", "engine", "ladder",
    "pocket", "mirror", "shadow", "island", "compass",
];

/// A deterministic text of `n` words, different for each `seed`.
fn words(seed: u64, n: usize) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            WORDS[(state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 59) as usize]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` with its `at`-th word replaced.
fn edited(text: &str, at: usize) -> String {
    let mut words: Vec<&str> = text.split(' ').collect();
    words[at] = "zebra";
    words.join(" ")
}

const CJK: &str = "東京の天気は晴れです。今日は良い日でした。明日も晴れるでしょう。駅前の商店街では朝から人が多く、パン屋の前には長い列ができていた。";
const CJK_OTHER: &str = "北京今天下雨了，街上的行人都打着伞匆匆走过。图书馆里坐满了准备考试的学生，大家都在安静地看书。";

fn jsonl(records: &[(&str, &str)]) -> String {
    records
        .iter()
        .map(|(id, text)| format!("{}\n", json!({"id": id, "text": text})))
        .collect()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
    std::fs::write(path, text).expect("write");
}

/// `old/`: stored documents (JSON Lines records and a Japanese file);
/// `new/`: an exact and a near copy of stored records, a near copy of the
/// Japanese file, two copies of a new text, and a new text.
fn corpus(dir: &Path) {
    let texts: Vec<String> = (0..6).map(|i| words(i, 200)).collect();
    let old: Vec<(String, &str)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("old-{i}"), t.as_str()))
        .collect();
    let old: Vec<(&str, &str)> = old.iter().map(|(id, t)| (id.as_str(), *t)).collect();
    write(&dir.join("old/records.jsonl"), &jsonl(&old));
    write(&dir.join("old/日本.txt"), &CJK.repeat(6));
    let fresh = words(100, 200);
    let near = edited(&texts[4], 50);
    write(
        &dir.join("new/shard.jsonl"),
        &jsonl(&[
            ("n-exact", &texts[2]),
            ("n-near", &near),
            ("n-fresh", &fresh),
            ("n-fresh-copy", &fresh),
            ("n-other", &words(200, 200)),
        ]),
    );
    let cjk_near = format!("{}{}", CJK.repeat(5), CJK.replace("パン屋", "花屋"));
    write(&dir.join("new/日本-copy.txt"), &cjk_near);
    write(&dir.join("new/中文.txt"), &CJK_OTHER.repeat(5));
}

fn run(dir: &Path, args: &[&str]) -> Run {
    doppel_in(dir, args, None)
}

fn stored_lines(run: &Run) -> Vec<Value> {
    run.json()
        .into_iter()
        .filter(|v| v["type"] == "stored")
        .collect()
}

fn documents(dir: &Path, index: &str) -> u64 {
    let info = run(dir, &["index", "info", index]);
    assert_eq!(info.code, 0, "{}", info.stderr);
    let line = info
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("documents"))
        .expect("a documents line");
    line.trim().parse().expect("a count")
}

#[test]
fn scan_against_reports_exact_and_near_stored_documents_with_their_ids_and_places() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    corpus(dir);
    let created = run(dir, &["index", "create", "idx", "old/records.jsonl"]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(
        created.stdout.contains("added 6 documents"),
        "{}",
        created.stdout
    );
    let added = run(dir, &["index", "add", "idx", "old/日本.txt"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert_eq!(documents(dir, "idx"), 7);
    let info = run(dir, &["index", "info", "idx", "--verify"]);
    assert!(info.stdout.contains("segments   2"), "{}", info.stdout);
    assert!(info.stdout.contains("threshold 0.65"), "{}", info.stdout);

    let scan = run(
        dir,
        &["scan", "--against", "idx", "new", "--format", "json"],
    );
    assert_eq!(scan.code, 0, "{}", scan.stderr);
    let stored = stored_lines(&scan);
    assert_eq!(stored.len(), 3, "{}", scan.stdout);
    let by_id = |id: &str| {
        stored
            .iter()
            .find(|v| v["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {stored:?}"))
    };
    let exact = by_id("n-exact");
    assert_eq!(exact["kind"], "exact");
    assert_eq!(exact["similarity"], 1.0);
    assert_eq!(exact["line"], 1);
    assert_eq!(
        exact["stored"],
        json!({"path": "old/records.jsonl", "id": "old-2", "line": 3, "place": "old/records.jsonl:3"})
    );
    let near = by_id("n-near");
    assert_eq!(near["kind"], "near");
    let similarity = near["similarity"].as_f64().expect("a number");
    assert!((0.8..1.0).contains(&similarity), "{near}");
    assert_eq!(near["stored"]["id"], "old-4");
    let cjk = stored
        .iter()
        .find(|v| v["path"] == "new/日本-copy.txt")
        .expect("the Japanese near copy");
    assert_eq!(cjk["kind"], "near");
    assert_eq!(
        cjk["stored"],
        json!({"path": "old/日本.txt", "place": "old/日本.txt"})
    );
    // Within NEW, duplicates are found as before.
    let clusters: Vec<Value> = scan
        .json()
        .into_iter()
        .filter(|v| v["type"] == "cluster" && v["kind"] == "exact")
        .collect();
    assert_eq!(clusters.len(), 1, "{}", scan.stdout);
    assert_eq!(clusters[0]["members"][0]["id"], "n-fresh");
    assert_eq!(scan.summary()["stored_documents"], 3);
    let plain = run(dir, &["scan", "new", "--format", "json"]);
    assert!(plain.summary().get("stored_documents").is_none());

    let human = run(
        dir,
        &["scan", "--against", "idx", "new", "--find", "documents"],
    );
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stdout.contains("already stored  3 documents"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("exact     new/shard.jsonl:1  =  old/records.jsonl:3 (id old-2)"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("3 already stored"),
        "{}",
        human.stdout
    );
}

#[test]
fn clean_against_removes_stored_documents_and_restore_rebuilds_every_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    corpus(dir);
    // A second copy of a stored record: its in-NEW cluster has no member
    // that is not stored, so both go.
    let texts: Vec<String> = (0..6).map(|i| words(i, 200)).collect();
    write(
        &dir.join("new/again.jsonl"),
        &jsonl(&[("again", &texts[2])]),
    );
    assert_eq!(run(dir, &["index", "create", "idx", "old"]).code, 0);
    let clean = run(dir, &["clean", "--against", "idx", "new", "-o", "out"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert!(
        clean.stdout.contains("4 already stored"),
        "{}",
        clean.stdout
    );
    let manifest = std::fs::read_to_string(dir.join("out/manifest.jsonl")).expect("manifest");
    let removals: Vec<Value> = manifest
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON"))
        .filter(|v| v["type"] == "removal" && v.get("stored").is_some())
        .collect();
    assert_eq!(removals.len(), 4, "{manifest}");
    assert!(removals
        .iter()
        .any(|r| r["stored"] == json!({"kind": "exact", "similarity": 1.0, "path": "old/records.jsonl", "id": "old-2", "line": 3})));
    let kept = std::fs::read_to_string(dir.join("out/new/shard.jsonl")).expect("cleaned shard");
    let ids: Vec<String> = kept
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("JSON")["id"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["n-fresh", "n-other"], "{kept}");
    assert!(
        !dir.join("out/new/again.jsonl").exists()
            || std::fs::read_to_string(dir.join("out/new/again.jsonl"))
                .expect("read")
                .is_empty()
    );
    assert!(!dir.join("out/new/日本-copy.txt").exists());
    assert!(dir.join("out/new/中文.txt").exists());

    let restore = run(dir, &["restore", "out", "-o", "back"]);
    assert_eq!(restore.code, 0, "{}", restore.stderr);
    for name in ["shard.jsonl", "again.jsonl", "日本-copy.txt", "中文.txt"] {
        assert_eq!(
            std::fs::read(dir.join("new").join(name)).expect("input"),
            std::fs::read(dir.join("back/new").join(name)).expect("restored"),
            "{name}"
        );
    }
}

/// A JSON Lines shard of `n` distinct documents.
fn shard(path: &Path, seed: u64, n: usize) {
    let records: Vec<(String, String)> = (0..n as u64)
        .map(|i| (format!("{seed}-{i}"), words(seed * 100_000 + i, 120)))
        .collect();
    let records: Vec<(&str, &str)> = records
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write(path, &jsonl(&records));
}

/// Starts `doppel ARGS` paused at `step` of its add; returns once it says so.
fn paused_at(dir: &Path, args: &[&str], step: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(args)
        .current_dir(dir)
        .env("DOPPEL_TEST_PAUSE_ADD", step)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("doppel runs");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let expected = format!("doppel: test pause at {step}");
    loop {
        match lines.next() {
            Some(Ok(line)) if line == expected => break,
            Some(Ok(_)) => continue,
            _ => panic!("doppel ended before pausing at {step}"),
        }
    }
    child
}

fn kill(mut child: Child) {
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
}

#[test]
fn an_add_killed_at_any_step_leaves_the_index_as_before_or_after() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    shard(&dir.join("a.jsonl"), 1, 40);
    shard(&dir.join("b.jsonl"), 2, 30);
    assert_eq!(run(dir, &["index", "create", "idx", "a.jsonl"]).code, 0);
    let probe = {
        let text = std::fs::read_to_string(dir.join("a.jsonl")).expect("shard");
        let first = text.lines().next().expect("a record").to_owned();
        write(&dir.join("probe.jsonl"), &format!("{first}\n"));
        "probe.jsonl"
    };
    let steps = [
        ("signed", 40, false),
        ("segment-written", 40, true),
        ("segment-renamed", 40, true),
        ("manifest-written", 40, true),
        ("committed", 70, false),
    ];
    for (step, count, leftovers) in steps {
        let child = paused_at(dir, &["index", "add", "idx", "b.jsonl"], step);
        kill(child);
        assert_eq!(documents(dir, "idx"), count, "killed at {step}");
        let scan = run(
            dir,
            &["scan", "--against", "idx", probe, "--format", "json"],
        );
        assert_eq!(scan.code, 0, "killed at {step}: {}", scan.stderr);
        assert_eq!(stored_lines(&scan).len(), 1, "killed at {step}");
        let named = scan
            .stderr
            .lines()
            .filter(|l| l.contains("leftovers of an interrupted run"))
            .count();
        assert_eq!(
            named,
            usize::from(leftovers),
            "killed at {step}: {}",
            scan.stderr
        );
        // The next writer removes the leftovers, then the index is reset
        // to one segment for the next step by making it again.
        if count == 40 {
            let add = run(dir, &["index", "add", "idx", "b.jsonl"]);
            assert_eq!(add.code, 0, "{}", add.stderr);
            assert_eq!(
                add.stderr.contains("removed leftovers"),
                leftovers,
                "{}",
                add.stderr
            );
            assert_eq!(documents(dir, "idx"), 70);
        }
        assert!(run(dir, &["index", "info", "idx", "--verify"])
            .stderr
            .is_empty());
        std::fs::remove_dir_all(dir.join("idx")).expect("reset");
        assert_eq!(run(dir, &["index", "create", "idx", "a.jsonl"]).code, 0);
    }
}

#[test]
fn a_create_killed_before_its_manifest_leaves_no_index_and_can_be_run_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    shard(&dir.join("a.jsonl"), 1, 10);
    let child = paused_at(
        dir,
        &["index", "create", "idx", "a.jsonl"],
        "manifest-written",
    );
    kill(child);
    let scan = run(dir, &["scan", "--against", "idx", "a.jsonl"]);
    assert_eq!(scan.code, 2);
    assert!(
        scan.stderr.contains("not a doppel index"),
        "{}",
        scan.stderr
    );
    let again = run(dir, &["index", "create", "idx", "a.jsonl"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("removed leftovers"),
        "{}",
        again.stderr
    );
    assert_eq!(documents(dir, "idx"), 10);
}

#[test]
fn a_second_writer_is_refused_while_the_first_adds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    shard(&dir.join("a.jsonl"), 1, 10);
    shard(&dir.join("b.jsonl"), 2, 10);
    assert_eq!(run(dir, &["index", "create", "idx", "a.jsonl"]).code, 0);
    let first = paused_at(dir, &["index", "add", "idx", "b.jsonl"], "segment-written");
    let second = run(dir, &["index", "add", "idx", "b.jsonl"]);
    assert_eq!(second.code, 2);
    assert!(
        second
            .stderr
            .contains("another doppel is writing this index"),
        "{}",
        second.stderr
    );
    // Readers are not refused, and take the paused writer's temporary
    // file for no leftover.
    let scan = run(
        dir,
        &["scan", "--against", "idx", "a.jsonl", "--format", "json"],
    );
    assert_eq!(scan.code, 0, "{}", scan.stderr);
    assert!(scan.stderr.is_empty(), "{}", scan.stderr);
    assert_eq!(stored_lines(&scan).len(), 10);
    kill(first);
    assert_eq!(documents(dir, "idx"), 10);
}

#[test]
fn other_settings_and_other_versions_are_refused_naming_what_differs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    shard(&dir.join("a.jsonl"), 1, 5);
    assert_eq!(run(dir, &["index", "create", "idx", "a.jsonl"]).code, 0);
    let add = run(
        dir,
        &["index", "add", "idx", "a.jsonl", "--threshold", "0.7"],
    );
    assert_eq!(add.code, 2);
    assert!(
        add.stderr.contains("threshold: 0.7 here, 0.65 there"),
        "{}",
        add.stderr
    );
    let scan = run(
        dir,
        &["scan", "--against", "idx", "a.jsonl", "--segment", "line"],
    );
    assert_eq!(scan.code, 2);
    assert!(
        scan.stderr.contains("granularity: line here, auto there"),
        "{}",
        scan.stderr
    );
    assert!(scan.stdout.is_empty(), "{}", scan.stdout);
    let clean = run(
        dir,
        &[
            "clean",
            "--against",
            "idx",
            "a.jsonl",
            "-o",
            "out",
            "--threshold",
            "0.9",
        ],
    );
    assert_eq!(clean.code, 2);
    assert!(
        clean.stderr.contains("threshold: 0.9 here, 0.65 there"),
        "{}",
        clean.stderr
    );
    assert!(!dir.join("out").exists());

    let manifest_path = dir.join("idx/manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
    let mut value: Value = serde_json::from_str(&manifest).expect("JSON");
    value["params"]["sketch_format"] = json!(9);
    std::fs::write(&manifest_path, value.to_string()).expect("write");
    let scan = run(dir, &["scan", "--against", "idx", "a.jsonl"]);
    assert_eq!(scan.code, 2);
    assert!(
        scan.stderr.contains("sketch format: 2 here, 9 there"),
        "{}",
        scan.stderr
    );
    value["format"] = json!(7);
    std::fs::write(&manifest_path, value.to_string()).expect("write");
    let scan = run(dir, &["scan", "--against", "idx", "a.jsonl"]);
    assert_eq!(scan.code, 2);
    assert!(
        scan.stderr
            .contains("manifest.json: made by index format version 7"),
        "{}",
        scan.stderr
    );
}

#[test]
fn damaged_segments_and_manifests_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    shard(&dir.join("a.jsonl"), 1, 5);
    assert_eq!(run(dir, &["index", "create", "idx", "a.jsonl"]).code, 0);
    let segment = dir.join("idx/seg-000001.dseg");
    let bytes = std::fs::read(&segment).expect("segment");
    let refused = |expect: &str, add_too: bool| {
        for args in [
            &["scan", "--against", "idx", "a.jsonl"][..],
            &["index", "add", "idx", "a.jsonl"],
            &["index", "info", "idx"],
        ] {
            if args[1] == "add" && !add_too {
                continue;
            }
            let run = run(dir, args);
            assert_eq!(run.code, 2, "{args:?}");
            assert!(run.stderr.contains(expect), "{args:?}: {}", run.stderr);
            assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        }
    };
    std::fs::write(&segment, &bytes[..bytes.len() - 3]).expect("truncate");
    refused("seg-000001.dseg: truncated", true);
    let mut damaged = bytes.clone();
    damaged[90] ^= 0x40;
    std::fs::write(&segment, &damaged).expect("damage");
    // An add reads nothing stored: damage inside a segment is found by
    // the readers.
    refused("seg-000001.dseg: checksum mismatch", false);
    let mut payload = bytes.clone();
    let last = payload.len() - 1;
    payload[last] ^= 0x01;
    std::fs::write(&segment, &payload).expect("damage");
    let verify = run(dir, &["index", "info", "idx", "--verify"]);
    assert_eq!(verify.code, 2);
    assert!(
        verify.stderr.contains("seg-000001.dseg: checksum mismatch"),
        "{}",
        verify.stderr
    );
    std::fs::write(&segment, &bytes).expect("repair");

    let manifest_path = dir.join("idx/manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
    std::fs::write(&manifest_path, &manifest[..manifest.len() / 2]).expect("truncate");
    refused("manifest.json: not a valid manifest", true);
    let escaped = manifest.replace("seg-000001.dseg", "../../seg-000001.dseg");
    std::fs::write(&manifest_path, escaped).expect("write");
    refused("is not of the form seg-NNNNNN.dseg", true);
    std::fs::write(&manifest_path, &manifest).expect("repair");
    assert_eq!(run(dir, &["index", "info", "idx", "--verify"]).code, 0);
}

#[test]
fn leftovers_are_named_in_one_line_and_removed_by_the_next_add() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    shard(&dir.join("a.jsonl"), 1, 5);
    assert_eq!(run(dir, &["index", "create", "idx", "a.jsonl"]).code, 0);
    std::fs::write(dir.join("idx/seg-000002.dseg"), b"half a segment").expect("write");
    std::fs::write(dir.join("idx/.tmp-manifest-x1"), b"{").expect("write");
    let scan = run(
        dir,
        &["scan", "--against", "idx", "a.jsonl", "--format", "json"],
    );
    assert_eq!(scan.code, 0, "{}", scan.stderr);
    assert_eq!(scan.stderr.lines().count(), 1, "{}", scan.stderr);
    assert!(
        scan.stderr
            .contains("leftovers of an interrupted run, not part of the index")
            && scan.stderr.contains(".tmp-manifest-x1, seg-000002.dseg"),
        "{}",
        scan.stderr
    );
    assert_eq!(stored_lines(&scan).len(), 5);
    let add = run(dir, &["index", "add", "idx", "a.jsonl"]);
    assert_eq!(add.code, 0, "{}", add.stderr);
    assert!(add.stderr.contains("removed leftovers"), "{}", add.stderr);
    let names: Vec<PathBuf> = std::fs::read_dir(dir.join("idx"))
        .expect("index")
        .map(|e| PathBuf::from(e.expect("entry").file_name()))
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(documents(dir, "idx"), 10);
}

#[test]
fn create_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    shard(&dir.join("a.jsonl"), 1, 3);
    write(&dir.join("idx/notes.txt"), "mine");
    let create = run(dir, &["index", "create", "idx", "a.jsonl"]);
    assert_eq!(create.code, 2);
    assert!(
        create.stderr.contains("idx: cannot create an index here"),
        "{}",
        create.stderr
    );
    assert!(dir.join("idx/notes.txt").exists());
    let add = run(dir, &["index", "add", "nothing", "a.jsonl"]);
    assert_eq!(add.code, 2);
    assert!(
        add.stderr.contains("nothing: not a doppel index"),
        "{}",
        add.stderr
    );
}

#[test]
fn the_report_against_an_index_is_the_same_whatever_the_threads_and_batches() {
    // Lookups run on the worker threads, a fixed number of documents at a
    // time: more documents than one such batch, copies of stored ones
    // spread through them, and the report must not depend on the threads.
    let dir = tempfile::tempdir().expect("tempdir");
    shard(&dir.path().join("old/a.jsonl"), 1, 1500);
    let stored: Vec<(String, String)> = (0..2500u64)
        .map(|i| {
            let text = if i % 3 == 0 {
                edited(&words(100_000 + (i * 7) % 1500, 120), 11)
            } else {
                words(900_000 + i, 120)
            };
            (format!("n-{i}"), text)
        })
        .collect();
    let records: Vec<(&str, &str)> = stored
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write(&dir.path().join("new/b.jsonl"), &jsonl(&records));
    let created = run(dir.path(), &["index", "create", "idx", "old"]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let report = |threads: &str| {
        let args = [
            "scan",
            "--find",
            "documents",
            "--format",
            "json",
            "--against",
            "idx",
            "-j",
            threads,
            "new",
        ];
        let run = run(dir.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let one = report("1");
    assert_eq!(one, report("2"));
    assert_eq!(one, report("3"));
    let found = one
        .lines()
        .filter(|l| l.contains(r#""type":"stored""#))
        .count();
    assert!(found >= 800, "{found} of the 834 copies found");
    // Every stored line comes after its document line and before the
    // summary.
    let position = |needle: &str| one.find(needle).expect("present");
    assert!(position(r#""id":"n-2499""#) < position(r#""type":"summary""#));
}
