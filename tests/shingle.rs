//! `--shingle`: how text is cut into shingles, chosen per script. Bad specs
//! are usage errors on every command that shingles; at the defaults a copy
//! of a real text with 1% of its characters edited is a near duplicate
//! while two licences of one template are not; sketches made with other
//! shinglings are never mixed.

mod util;

use std::path::Path;

use util::{corpus, doppel_in, Run};

fn run(dir: &Path, args: &[&str]) -> Run {
    doppel_in(dir, args, None)
}

/// `text` with one character in every hundred replaced by another letter of
/// the text (1% of its characters edited), starting at character 50.
fn edit_one_percent(text: &str) -> String {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    text.chars()
        .enumerate()
        .map(|(at, c)| {
            if at % 100 == 50 {
                let other = letters[(at * 7) % letters.len()];
                if other == c {
                    letters[(at * 7 + 1) % letters.len()]
                } else {
                    other
                }
            } else {
                c
            }
        })
        .collect()
}

/// The near-duplicate document clusters of a scan of `dir`, as sorted file
/// name lists.
fn near_clusters(dir: &Path, extra: &[&str]) -> Vec<Vec<String>> {
    let mut args = vec!["scan", "--find", "documents", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let scan = run(dir, &args);
    assert_eq!(scan.code, 0, "{}", scan.stderr);
    scan.json()
        .into_iter()
        .filter(|v| v["type"] == "cluster" && v["kind"] == "near")
        .map(|cluster| {
            let mut names: Vec<String> = cluster["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| {
                    m["path"]
                        .as_str()
                        .expect("path")
                        .trim_start_matches("./")
                        .to_owned()
                })
                .collect();
            names.sort();
            names
        })
        .collect()
}

fn write_copies(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(format!("{name}.txt")), text).expect("original");
    std::fs::write(
        dir.join(format!("{name}-edited.txt")),
        edit_one_percent(text),
    )
    .expect("copy");
}

#[test]
fn a_copy_with_one_percent_edited_is_found_and_another_licence_of_the_template_is_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let read = |name: &str| std::fs::read_to_string(corpus(name)).expect("corpus file");
    write_copies(dir.path(), "mit", &read("licences/MIT.txt"));
    std::fs::write(dir.path().join("isc.txt"), read("licences/ISC.txt")).expect("isc");
    write_copies(dir.path(), "zh", &read("damage/zh_hans.txt"));
    write_copies(dir.path(), "ja", &read("damage/ja.txt"));
    let expected = [
        ["ja-edited.txt", "ja.txt"],
        ["mit-edited.txt", "mit.txt"],
        ["zh-edited.txt", "zh.txt"],
    ];
    let mut found = near_clusters(dir.path(), &[]);
    found.sort();
    assert_eq!(found, expected);
    // The earlier defaults (3-word shingles, threshold 0.8) miss the Latin
    // copy.
    let words = near_clusters(
        dir.path(),
        &[
            "--shingle",
            "latin=words:3,cjk=words:5",
            "--threshold",
            "0.8",
        ],
    );
    assert!(!words.iter().any(|c| c[0].starts_with("mit")), "{words:?}");
}

#[test]
fn bad_specs_are_usage_errors_on_every_command_that_shingles() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.txt"), "one two three four five\n").expect("doc");
    let commands: [&[&str]; 5] = [
        &["scan", "a.txt"],
        &["clean", "a.txt", "-o", "out"],
        &["sign", "a.txt", "-o", "sigs"],
        &["index", "create", "idx", "a.txt"],
        &["check", "a.txt"],
    ];
    let bad = [
        ("chars:0", "N must be a whole number from 1 to 32"),
        ("words:33", "N must be a whole number from 1 to 32"),
        ("bytes:4", "'bytes' is not a shingle unit (words or chars)"),
        ("5", "is not words:N or chars:N"),
        (
            "thai=chars:3",
            "'thai' is not a script (spaced, latin or cjk)",
        ),
        ("cjk=chars:3,cjk=chars:4", "names the cjk script twice"),
    ];
    for command in commands {
        for (spec, reason) in bad {
            let mut args = command.to_vec();
            args.extend(["--shingle", spec]);
            let refused = run(dir.path(), &args);
            assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
            assert!(
                refused.stderr.contains("--shingle") && refused.stderr.contains(reason),
                "{args:?}: {}",
                refused.stderr
            );
        }
    }
    for made in ["out", "sigs", "idx"] {
        assert!(!dir.path().join(made).exists(), "{made}");
    }
}

#[test]
fn a_bad_shingle_key_in_doppel_toml_is_a_configuration_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.txt"), "one two three four five\n").expect("doc");
    std::fs::write(dir.path().join("doppel.toml"), "shingle = \"chars:99\"\n").expect("toml");
    let refused = run(dir.path(), &["check", "a.txt"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("chars:99"), "{}", refused.stderr);
}

#[test]
fn signature_files_and_indexes_of_other_shinglings_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    for shard in ["a", "b"] {
        std::fs::create_dir_all(dir.join(shard)).expect("shard");
        std::fs::write(
            dir.join(shard).join("page.txt"),
            format!("the {shard} page of the shard, with a few words more\n"),
        )
        .expect("doc");
    }
    assert_eq!(run(dir, &["sign", "a", "-o", "sigs"]).code, 0);
    let other = run(dir, &["sign", "--shingle", "words:3", "b", "-o", "sigs"]);
    assert_eq!(other.code, 0, "{}", other.stderr);
    let clustered = run(dir, &["cluster", "--format", "json", "sigs"]);
    assert_eq!(clustered.code, 2, "{}", clustered.stderr);
    assert_eq!(clustered.stdout, "");
    assert!(
        clustered.stderr.contains("sigs/b.sig.arrow")
            && clustered
                .stderr
                .contains("spaced shingles: words:3 here, chars:5 there"),
        "{}",
        clustered.stderr
    );

    let made = run(
        dir,
        &["index", "create", "idx", "--shingle", "cjk=chars:4", "a"],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    let add = run(dir, &["index", "add", "idx", "b"]);
    assert_eq!(add.code, 2);
    assert!(
        add.stderr
            .contains("CJK shingles: chars:5 here, chars:4 there"),
        "{}",
        add.stderr
    );
    let info = run(dir, &["index", "info", "idx"]);
    assert!(
        info.stdout
            .contains("shingles chars:4 CJK / chars:5 spaced"),
        "{}",
        info.stdout
    );
    let same = run(
        dir,
        &[
            "index",
            "add",
            "idx",
            "--shingle",
            "spaced=chars:5,cjk=chars:4",
            "b",
        ],
    );
    assert_eq!(same.code, 0, "{}", same.stderr);
}
