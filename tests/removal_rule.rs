//! End-to-end tests of the removal rule through the binary: `clean` keeps
//! no two near duplicates even where clusters (cliques) split them, under
//! every keep policy and against an index (stored documents count as kept
//! first), names each removed document's kept twin with that pair's
//! similarity, decides the same for any thread count, and `restore` gives
//! every input back.

mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use util::doppel;

fn s(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// Distinct made-up words, the same on every run.
fn words(count: usize) -> Vec<String> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..count)
        .map(|at| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let len = 4 + (state >> 60) as usize % 5;
            let mut word: String = (0..len)
                .map(|i| (b'a' + ((state >> (i * 5 + 3)) % 26) as u8) as char)
                .collect();
            // A suffix spelled in letters keeps every word distinct.
            let mut n = at;
            loop {
                word.push((b'a' + (n % 26) as u8) as char);
                n /= 26;
                if n == 0 {
                    break;
                }
            }
            word
        })
        .collect()
}

/// Words `from..to` of `all`, fifteen to a line; lines break at the same
/// words in every window, so windows share whole lines.
fn window(all: &[String], from: usize, to: usize) -> String {
    let mut text = String::new();
    for (at, word) in all.iter().enumerate().take(to).skip(from) {
        text.push_str(word);
        text.push(if (at + 1) % 15 == 0 { '\n' } else { ' ' });
    }
    text
}

/// A corpus where cliques split near duplicates: windows of 300 words at
/// offsets 30 apart are about 0.82 alike, 60 apart about 0.67. `a` (30..330)
/// is near `b` (0..300) and `c` (60..360), which are not near each other;
/// `d` (90..390) is near `c` only; `e` is `c` again; `f` and `g` are
/// unrelated. As cliques, {a, b} is a cluster and `c`, near `a` but not `b`,
/// joins none, so keeping the first of each cluster kept both `a` and `c`.
fn corpus() -> String {
    let all = words(1000);
    records(&[
        ("a", window(&all, 30, 330)),
        ("b", window(&all, 0, 300)),
        ("c", window(&all, 60, 360)),
        ("d", window(&all, 90, 390)),
        ("e", window(&all, 60, 360)),
        ("f", window(&all, 500, 700)),
        ("g", window(&all, 750, 950)),
    ])
}

/// JSON Lines records of `(id, text)`.
fn records(texts: &[(&str, String)]) -> String {
    texts
        .iter()
        .map(|(id, text)| format!("{}\n", serde_json::json!({ "id": id, "text": text })))
        .collect()
}

const THRESHOLD: &str = "0.75";
/// The corpora are built from word windows, so their similarities are
/// those of word shingles.
const SHINGLE: &str = "words:3";

fn manifest(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("manifest.jsonl"))
        .expect("a manifest")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// Ids of the documents of a manifest kept, and each removed duplicate
/// document's (id, its twin's id, similarity); a document removed as the
/// duplicate of a stored one has the twin `stored:` and the stored id.
fn decisions(lines: &[Value]) -> (BTreeSet<String>, BTreeMap<String, (String, f64)>) {
    let mut ids = BTreeMap::new();
    for line in lines.iter().filter(|l| l["type"] == "document") {
        let id = line["id"].as_str().expect("a record id").to_owned();
        ids.insert(line["doc"].as_u64().expect("a number"), id);
    }
    let mut removed = BTreeMap::new();
    for line in lines
        .iter()
        .filter(|l| l["type"] == "removal" && l["reason"] == "duplicate-document")
    {
        let id = &ids[&line["doc"].as_u64().expect("a number")];
        let (twin, similarity) = match line.get("stored") {
            Some(stored) => (
                format!("stored:{}", stored["id"].as_str().expect("a stored id")),
                &stored["similarity"],
            ),
            None => (
                ids[&line["twin"]["doc"].as_u64().expect("a named twin")].clone(),
                &line["similarity"],
            ),
        };
        let similarity = similarity.as_f64().expect("a similarity");
        removed.insert(id.clone(), (twin, similarity));
    }
    let kept = ids
        .into_values()
        .filter(|id| !removed.contains_key(id))
        .collect();
    (kept, removed)
}

fn clean(input: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "clean",
        "--threshold",
        THRESHOLD,
        "--shingle",
        SHINGLE,
        "--id-field",
        "id",
        "-o",
        s(out),
    ];
    args.extend_from_slice(extra);
    args.push(s(input));
    let run = doppel(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn clean_keeps_no_two_near_duplicates_and_names_each_twin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("corpus.jsonl");
    let text = corpus();
    std::fs::write(&input, &text).expect("write input");

    // The clique rule's clusters: a and c are in no cluster together.
    let scan = doppel(&[
        "scan",
        "--find",
        "documents",
        "--threshold",
        THRESHOLD,
        "--shingle",
        SHINGLE,
        "--id-field",
        "id",
        "--format",
        "json",
        s(&input),
    ]);
    assert_eq!(scan.code, 0, "{}", scan.stderr);
    let clusters: Vec<BTreeSet<String>> = scan
        .json()
        .into_iter()
        .filter(|v| v["type"] == "cluster")
        .map(|v| {
            v["members"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m["id"].as_str().map(str::to_owned))
                .collect()
        })
        .collect();
    assert!(
        clusters
            .iter()
            .all(|c| !(c.contains("a") && c.contains("c"))),
        "{clusters:?}"
    );
    // What `clean --keep first` removes, counted the same way.
    assert_eq!(scan.summary()["duplicate_documents"], 3, "{}", scan.stdout);

    let out = dir.path().join("out");
    clean(
        &input,
        &out,
        &["--keep", "first", "--no-blocks", "--no-segments"],
    );
    let (kept, removed) = decisions(&manifest(&out));
    assert_eq!(kept, BTreeSet::from(["a", "d", "f", "g"].map(String::from)));
    let twins: BTreeMap<&str, &str> = removed
        .iter()
        .map(|(id, (twin, _))| (id.as_str(), twin.as_str()))
        .collect();
    // c is near a and d alike (both 30 words off); the first is named.
    assert_eq!(
        twins,
        BTreeMap::from([("b", "a"), ("c", "a"), ("e", "a")]),
        "{removed:?}"
    );
    for (id, (twin, similarity)) in &removed {
        assert!(kept.contains(twin), "{id}'s twin {twin} was removed");
        assert!(
            (0.75..1.0).contains(similarity),
            "{id} ~ {twin}: {similarity}"
        );
    }

    assert_no_near_duplicates(dir.path(), &text, &kept, "");
}

/// Asserts that the records of `corpus` whose ids are `kept`, with `more`
/// records, scanned alone hold no near duplicates.
fn assert_no_near_duplicates(dir: &Path, corpus: &str, kept: &BTreeSet<String>, more: &str) {
    let mut kept_only: String = corpus
        .lines()
        .filter(|line| {
            let record: Value = serde_json::from_str(line).unwrap_or_default();
            kept.contains(record["id"].as_str().unwrap_or_default())
        })
        .map(|line| format!("{line}\n"))
        .collect();
    kept_only.push_str(more);
    let kept_path = dir.join("kept.jsonl");
    std::fs::write(&kept_path, kept_only).expect("write kept");
    let again = doppel(&[
        "scan",
        "--find",
        "documents",
        "--threshold",
        THRESHOLD,
        "--shingle",
        SHINGLE,
        "--format",
        "json",
        s(&kept_path),
    ]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.summary()["clusters"], 0, "{}", again.stdout);
}

#[test]
fn every_keep_policy_keeps_no_two_near_duplicates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("corpus.jsonl");
    let text = corpus();
    std::fs::write(&input, &text).expect("write input");
    for keep in ["first", "longest", "cleanest"] {
        let out = dir.path().join(format!("out-{keep}"));
        clean(
            &input,
            &out,
            &["--keep", keep, "--no-blocks", "--no-segments"],
        );
        let (kept, removed) = decisions(&manifest(&out));
        assert_eq!(kept.len() + removed.len(), 7, "{keep}");
        for (id, (twin, similarity)) in &removed {
            assert!(
                kept.contains(twin),
                "{keep}: {id}'s twin {twin} was removed"
            );
            assert!(*similarity >= 0.75, "{keep}: {id} ~ {twin}: {similarity}");
        }
        assert_no_near_duplicates(dir.path(), &text, &kept, "");
    }
}

#[test]
fn documents_stored_in_an_index_are_kept_before_every_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let all = words(1000);
    // The index holds b's text: a (near it) and b go; c, near a but not
    // b, stays, and d and e go in its favour.
    let stored = records(&[("s", window(&all, 0, 300))]);
    let old = dir.path().join("old.jsonl");
    std::fs::write(&old, &stored).expect("write stored");
    let index = dir.path().join("idx");
    let created = doppel(&[
        "index",
        "create",
        "--threshold",
        THRESHOLD,
        "--shingle",
        SHINGLE,
        "--id-field",
        "id",
        s(&index),
        s(&old),
    ]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let input = dir.path().join("corpus.jsonl");
    let text = corpus();
    std::fs::write(&input, &text).expect("write input");
    let out = dir.path().join("out");
    clean(
        &input,
        &out,
        &[
            "--keep",
            "first",
            "--no-blocks",
            "--no-segments",
            "--against",
            s(&index),
        ],
    );
    let (kept, removed) = decisions(&manifest(&out));
    assert_eq!(kept, BTreeSet::from(["c", "f", "g"].map(String::from)));
    let twins: BTreeMap<&str, &str> = removed
        .iter()
        .map(|(id, (twin, _))| (id.as_str(), twin.as_str()))
        .collect();
    assert_eq!(
        twins,
        BTreeMap::from([("a", "stored:s"), ("b", "stored:s"), ("d", "c"), ("e", "c")]),
        "{removed:?}"
    );
    assert_no_near_duplicates(dir.path(), &text, &kept, &stored);
}

#[test]
fn decisions_do_not_depend_on_threads_and_restore_gives_every_byte_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input_dir = dir.path().join("in");
    std::fs::create_dir(&input_dir).expect("mkdir");
    let input = input_dir.join("corpus.jsonl");
    std::fs::write(&input, corpus()).expect("write input");
    let mut manifests = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out-{threads}"));
        clean(&input, &out, &["--keep", "first", "-j", threads]);
        manifests.push(std::fs::read(out.join("manifest.jsonl")).expect("a manifest"));
        let restored = dir.path().join(format!("restored-{threads}"));
        let run = doppel(&["restore", s(&out), "-o", s(&restored)]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(
            std::fs::read(restored.join("corpus.jsonl")).expect("restored"),
            std::fs::read(&input).expect("input"),
        );
    }
    assert_eq!(manifests[0], manifests[1]);
    let (kept, _) = decisions(&manifest(&dir.path().join("out-1")));
    assert_eq!(kept, BTreeSet::from(["a", "d", "f", "g"].map(String::from)));
}
