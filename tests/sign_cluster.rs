//! `doppel sign` and `doppel cluster`: shards signed separately and
//! clustered together give the report one scan of all of them gives, line
//! for line; files that cannot be mixed or read are refused by name.

mod util;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use proptest::prelude::*;
use util::{doppel_in, Run};

/// Latin words and CJK characters the generated documents are made of.
const WORDS: &[&str] = &[
    "river", "mill", "field", "morning", "water", "farmer", "seed", "ground", "night", "bridge",
    "stone", "market", "winter", "harvest", "village", "road", "letter", "window", "garden",
    "lamp", "horse", "cloud", "summer", "church", "school", "train", "station", "paper", "story",
    "music", "forest", "island", "harbour", "engine", "silver", "copper", "valley", "meadow",
];
const HANZI: &str = "中央關於加強和改進黨的群團工作意見日本語文章東京都大阪府人民政府經濟發展社會教育科學技術文化歷史地理春夏秋冬山川河海";

/// A document, Latin or CJK, of a few paragraphs, from `seed`.
fn text(seed: u64, cjk: bool) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let hanzi: Vec<char> = HANZI.chars().collect();
    let paragraphs = 2 + (next() % 3) as usize;
    let mut out = String::new();
    for _ in 0..paragraphs {
        if cjk {
            for _ in 0..(60 + next() % 60) {
                out.push(hanzi[(next() % hanzi.len() as u64) as usize]);
            }
            out.push('。');
        } else {
            let words: Vec<&str> = (0..(40 + next() % 40))
                .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
                .collect();
            out.push_str(&words.join(" "));
            out.push('.');
        }
        out.push_str("\n\n");
    }
    out
}

/// `original` with one word (or character) in about fifty changed.
fn edited(original: &str, seed: u64) -> String {
    let mut out = String::new();
    for (at, c) in original.chars().enumerate() {
        let every = if c.is_ascii() { 400 } else { 97 };
        if (at as u64 + seed) % every == 0 && c.is_alphabetic() {
            out.push(if c.is_ascii() { 'q' } else { '変' });
        } else {
            out.push(c);
        }
    }
    out
}

/// How each generated document relates to the earlier ones.
#[derive(Clone, Debug)]
enum Doc {
    Fresh { seed: u64, cjk: bool },
    Exact { of: usize },
    Near { of: usize, seed: u64 },
}

fn corpus_texts(plan: &[Doc]) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for doc in plan {
        let made = match doc {
            Doc::Fresh { seed, cjk } => text(*seed, *cjk),
            Doc::Exact { of } => texts[of % texts.len()].clone(),
            Doc::Near { of, seed } => edited(&texts[of % texts.len()], *seed),
        };
        texts.push(made);
    }
    texts
}

fn plan() -> impl Strategy<Value = Vec<Doc>> {
    let fresh = (any::<u64>(), any::<bool>()).prop_map(|(seed, cjk)| Doc::Fresh { seed, cjk });
    let doc = prop_oneof![
        3 => fresh.clone(),
        1 => any::<usize>().prop_map(|of| Doc::Exact { of }),
        2 => (any::<usize>(), any::<u64>()).prop_map(|(of, seed)| Doc::Near { of, seed }),
    ];
    (fresh, prop::collection::vec(doc, 3..24)).prop_map(|(first, rest)| {
        let mut all = vec![first];
        all.extend(rest);
        all
    })
}

/// Writes the documents as shards `s00`, `s01`… under `dir`: each shard a
/// folder of text files or one JSON Lines file; `cuts` say where shards end.
fn write_shards(dir: &Path, texts: &[String], cuts: &[usize], jsonl: &[bool]) -> Vec<String> {
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (texts.len() + 1)).collect();
    bounds.push(0);
    bounds.push(texts.len());
    bounds.sort_unstable();
    bounds.dedup();
    let mut shards = Vec::new();
    for (at, range) in bounds.windows(2).enumerate() {
        let docs = &texts[range[0]..range[1]];
        if jsonl.get(at).copied().unwrap_or(false) {
            let name = format!("s{at:02}.jsonl");
            let lines: Vec<String> = docs
                .iter()
                .enumerate()
                .map(|(n, text)| {
                    serde_json::json!({"id": format!("doc-{at}-{n}"), "text": text}).to_string()
                })
                .collect();
            std::fs::write(dir.join(&name), lines.join("\n") + "\n").expect("shard written");
            shards.push(name);
        } else {
            let name = format!("s{at:02}");
            std::fs::create_dir_all(dir.join(&name)).expect("shard folder");
            for (n, text) in docs.iter().enumerate() {
                std::fs::write(dir.join(&name).join(format!("d{n:03}.txt")), text)
                    .expect("document written");
            }
            shards.push(name);
        }
    }
    shards
}

fn run(dir: &Path, args: &[&str]) -> Run {
    doppel_in(dir, args, None)
}

/// `args` followed by `more`.
fn with(args: &[&str], more: &[String]) -> Vec<String> {
    args.iter()
        .map(|s| s.to_string())
        .chain(more.iter().cloned())
        .collect()
}

fn run_owned(dir: &Path, args: &[String]) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(dir, &args)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn sharded_sign_and_cluster_equal_one_scan(
        plan in plan(),
        cuts in prop::collection::vec(any::<usize>(), 0..4),
        jsonl in prop::collection::vec(any::<bool>(), 5),
        spill in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let texts = corpus_texts(&plan);
        let shards = write_shards(dir.path(), &texts, &cuts, &jsonl);
        let scan = run_owned(dir.path(), &with(&["scan", "--find", "documents", "--format", "json"], &shards));
        prop_assert_eq!(scan.code, 0, "{}", scan.stderr);
        let signed = run_owned(dir.path(), &with(&["sign", "-o", "sigs"], &shards));
        prop_assert_eq!(signed.code, 0, "{}", signed.stderr);
        let memory = if spill { "16" } else { "256M" };
        let clustered = run(dir.path(), &["cluster", "--format", "json", "--sort-memory", memory, "sigs"]);
        prop_assert_eq!(clustered.code, 0, "{}", clustered.stderr);
        let (expected, found): (Vec<&str>, Vec<&str>) = (scan.stdout.lines().collect(), clustered.stdout.lines().collect());
        prop_assert_eq!(found, expected);
    }
}

#[test]
fn the_generated_corpora_have_exact_and_near_clusters_across_shards() {
    // The property above is only as strong as its corpora: they must hold
    // near and exact duplicates, CJK and Latin, split across shards.
    let plan = vec![
        Doc::Fresh {
            seed: 1,
            cjk: false,
        },
        Doc::Fresh { seed: 2, cjk: true },
        Doc::Fresh {
            seed: 3,
            cjk: false,
        },
        Doc::Near { of: 0, seed: 5 },
        Doc::Exact { of: 1 },
        Doc::Near { of: 1, seed: 9 },
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let shards = write_shards(dir.path(), &corpus_texts(&plan), &[3], &[false, true]);
    assert_eq!(shards, ["s00", "s01.jsonl"]);
    let signed = run_owned(dir.path(), &with(&["sign", "-o", "sigs"], &shards));
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let clustered = run(dir.path(), &["cluster", "--format", "json", "sigs"]);
    let clusters: Vec<serde_json::Value> = clustered
        .json()
        .into_iter()
        .filter(|v| v["type"] == "cluster")
        .collect();
    assert_eq!(clusters.len(), 2, "{}", clustered.stdout);
    assert_eq!(clusters[0]["kind"], "near");
    assert_eq!(clusters[0]["members"][0]["path"], "s00/d000.txt");
    assert_eq!(clusters[0]["members"][1]["path"], "s01.jsonl");
    assert_eq!(clusters[0]["members"][1]["id"], "doc-1-0");
    assert_eq!(clusters[0]["members"][1]["line"], 1);
    assert_eq!(
        clusters[1]["kind"], "near",
        "the CJK trio: one exact twin and one edit"
    );
    assert_eq!(clusters[1]["members"].as_array().map(Vec::len), Some(3));
    let scan = run_owned(
        dir.path(),
        &with(
            &["scan", "--find", "documents", "--format", "json"],
            &shards,
        ),
    );
    assert_eq!(clustered.stdout, scan.stdout);
}

/// A folder with two small shards of text, one an exact copy of the other.
fn two_shards() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for shard in ["a", "b"] {
        std::fs::create_dir_all(dir.path().join(shard)).expect("shard");
        std::fs::write(dir.path().join(shard).join("page.txt"), text(7, false)).expect("doc");
    }
    dir
}

/// Asserts a refused cluster run: exit 2, nothing on stdout, one line on
/// stderr naming `file` and containing `reason`.
fn assert_refused(run: &Run, file: &str, reason: &str) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "", "nothing is reported as if it had worked");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].contains(file), "{}", lines[0]);
    assert!(lines[0].contains(reason), "{}", lines[0]);
}

#[test]
fn files_signed_with_other_settings_are_refused_by_name() {
    let dir = two_shards();
    assert_eq!(run(dir.path(), &["sign", "a", "-o", "sigs"]).code, 0);
    let other = run(
        dir.path(),
        &["sign", "--threshold", "0.9", "b", "-o", "sigs"],
    );
    assert_eq!(other.code, 0, "{}", other.stderr);
    let clustered = run(dir.path(), &["cluster", "--format", "json", "sigs"]);
    assert_refused(
        &clustered,
        "sigs/b.sig.arrow",
        "threshold: 0.9 here, 0.65 there",
    );
    assert!(
        clustered.stderr.contains("sigs/a.sig.arrow"),
        "{}",
        clustered.stderr
    );
}

/// A writer that hashes what goes through it, as `doppel sign` does for the
/// checksum in a signature file's footer.
struct Hashing<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `from` rewritten with the format version in its metadata set to `version`
/// (and a checksum of its own, as a signature file has).
fn with_version(from: &Path, to: &Path, version: &str) {
    use arrow_ipc::reader::FileReader;
    use arrow_ipc::writer::FileWriter;
    let reader =
        FileReader::try_new(std::fs::File::open(from).expect("open"), None).expect("arrow");
    let schema = reader.schema();
    let mut metadata = schema.metadata().clone();
    metadata.insert("doppel.signatures".into(), version.into());
    let schema = Arc::new(schema.as_ref().clone().with_metadata(metadata));
    let out = Hashing {
        inner: std::fs::File::create(to).expect("create"),
        hasher: xxhash_rust::xxh3::Xxh3::new(),
    };
    let mut writer = FileWriter::try_new(out, &schema).expect("writer");
    for batch in reader {
        let columns = batch.expect("batch").columns().to_vec();
        let batch = arrow_array::RecordBatch::try_new(Arc::clone(&schema), columns).expect("batch");
        writer.write(&batch).expect("write");
    }
    let checksum = writer.get_ref().hasher.digest();
    writer.write_metadata("doppel.checksum", format!("{checksum:016x}"));
    writer.finish().expect("finish");
}

#[test]
fn another_format_version_a_truncated_file_and_other_files_are_refused() {
    let dir = two_shards();
    assert_eq!(run(dir.path(), &["sign", "a", "b", "-o", "sigs"]).code, 0);
    let good = dir.path().join("sigs/a.sig.arrow");
    // The rewriting itself changes nothing a reader checks.
    with_version(&good, &dir.path().join("same.sig.arrow"), "1");
    let same = run(
        dir.path(),
        &[
            "cluster",
            "--format",
            "json",
            "same.sig.arrow",
            "sigs/b.sig.arrow",
        ],
    );
    assert_eq!(same.code, 0, "{}", same.stderr);

    with_version(&good, &dir.path().join("v2.sig.arrow"), "2");
    let bumped = run(dir.path(), &["cluster", "v2.sig.arrow", "sigs/b.sig.arrow"]);
    assert_refused(&bumped, "v2.sig.arrow", "signature format version \"2\"");

    let bytes = std::fs::read(&good).expect("read");
    // One bit flipped inside a well-formed file: a band key, a shingle or a
    // hash would give other clusters; the checksum refuses the file.
    for at in [bytes.len() / 2, bytes.len() / 3, 200] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x10;
        std::fs::write(dir.path().join("flip.sig.arrow"), &flipped).expect("write");
        let damaged = run(
            dir.path(),
            &["cluster", "sigs/b.sig.arrow", "flip.sig.arrow"],
        );
        assert_refused(&damaged, "flip.sig.arrow", "do not match its checksum");
    }
    for cut in [bytes.len() / 2, bytes.len() - 3, 12] {
        std::fs::write(dir.path().join("cut.sig.arrow"), &bytes[..cut]).expect("write");
        let truncated = run(
            dir.path(),
            &["cluster", "sigs/b.sig.arrow", "cut.sig.arrow"],
        );
        assert_refused(&truncated, "cut.sig.arrow", "truncated");
    }

    std::fs::write(dir.path().join("text.sig.arrow"), "just some text\n").expect("write");
    let text = run(dir.path(), &["cluster", "text.sig.arrow"]);
    assert_refused(&text, "text.sig.arrow", "not a signature file");

    // A valid Arrow file that is not a signature file.
    let foreign = dir.path().join("foreign.arrow");
    {
        use arrow_array::{ArrayRef, Int32Array, RecordBatch};
        let batch = RecordBatch::try_from_iter([(
            "a",
            Arc::new(Int32Array::from(vec![1, 2, 3])) as ArrayRef,
        )])
        .expect("batch");
        let out = std::fs::File::create(&foreign).expect("create");
        let mut writer =
            arrow_ipc::writer::FileWriter::try_new(out, &batch.schema()).expect("writer");
        writer.write(&batch).expect("write");
        writer.finish().expect("finish");
    }
    let other = run(dir.path(), &["cluster", "foreign.arrow"]);
    assert_refused(&other, "foreign.arrow", "not a signature file");

    let empty = run(dir.path(), &["cluster", "a"]);
    assert_refused(&empty, "a", "without signature files");
}

#[test]
fn errors_and_skipped_files_are_kept_in_their_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("web")).expect("folder");
    std::fs::write(root.join("web/a.txt"), text(3, false)).expect("doc");
    std::fs::write(root.join("web/b.bin"), [0u8, 159, 146, 150, 0, 0, 1, 2]).expect("binary");
    std::fs::write(root.join("web/c.txt"), text(3, false)).expect("doc");
    let record = serde_json::json!({"id": "x1", "text": text(4, true)}).to_string();
    std::fs::write(
        root.join("crawl.jsonl"),
        format!(
            "{record}\nnot json\n{}\n",
            serde_json::json!({"id": "x3", "text": text(4, true)})
        ),
    )
    .expect("jsonl");
    let inputs = ["web", "crawl.jsonl", "missing.txt"];
    let scan = run(
        root,
        &[
            &["scan", "--find", "documents", "--format", "json"][..],
            &inputs,
        ]
        .concat(),
    );
    assert_eq!(scan.code, 2);
    let signed = run(root, &[&["sign", "-o", "sigs"][..], &inputs].concat());
    assert_eq!(signed.code, 2, "an error in a shard, and a missing shard");
    assert!(signed.stderr.contains("crawl.jsonl:2"), "{}", signed.stderr);
    assert!(
        signed.stderr.contains("missing.txt: no such file"),
        "{}",
        signed.stderr
    );
    let mut written: Vec<String> = std::fs::read_dir(root.join("sigs"))
        .expect("sigs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        ["crawl.jsonl.sig.arrow", "web.sig.arrow"],
        "no file for a missing shard"
    );
    // Given in input order, the signatures report what the scan reported,
    // but for the missing shard, which left no signature file.
    let clustered = run(
        root,
        &[
            "cluster",
            "--format",
            "json",
            "sigs/web.sig.arrow",
            "sigs/crawl.jsonl.sig.arrow",
        ],
    );
    assert_eq!(
        clustered.code, 2,
        "recorded errors make the run fail, as in a scan"
    );
    let scan_lines: Vec<&str> = scan
        .stdout
        .lines()
        .filter(|line| !line.contains("missing.txt"))
        .collect();
    let cluster_lines: Vec<&str> = clustered.stdout.lines().collect();
    let last = cluster_lines.len() - 1;
    assert_eq!(cluster_lines[..last], scan_lines[..last]);
    let summary = clustered.summary();
    assert_eq!(summary["errors"], 1);
    assert_eq!(summary["skipped"], 1);
    assert_eq!(summary["clusters"], 2);
    assert!(
        clustered.stdout.contains(r#""id":"x3","line":3"#),
        "{}",
        clustered.stdout
    );
}

#[test]
fn signature_names_never_leave_the_output_folder() {
    let outer = tempfile::tempdir().expect("temp dir");
    let dir = outer.path().join("work");
    std::fs::create_dir_all(dir.join("sub/x")).expect("folders");
    std::fs::write(dir.join("sub/x/page.txt"), text(11, false)).expect("doc");
    std::fs::write(dir.join("sub/.hidden.txt"), text(12, false)).expect("doc");
    let signed = run(
        &dir.join("sub/x"),
        &[
            "sign",
            "..",
            ".",
            "../x/..",
            "../.hidden.txt",
            "-o",
            "../../sigs",
        ],
    );
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let mut written: Vec<PathBuf> = std::fs::read_dir(dir.join("sigs"))
        .expect("sigs")
        .map(|e| e.expect("entry").path())
        .collect();
    written.sort();
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "_hidden.txt.sig.arrow",
            "sub-2.sig.arrow",
            "sub.sig.arrow",
            "x.sig.arrow"
        ]
    );
    let around: Vec<String> = std::fs::read_dir(outer.path())
        .expect("outer")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        around,
        ["work"],
        "nothing written beside the working folder"
    );
}

#[test]
fn standard_input_is_a_shard_of_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = text(21, true);
    std::fs::write(dir.path().join("page.txt"), &body).expect("doc");
    let signed = util::doppel_env(
        dir.path(),
        &["sign", "-", "page.txt", "-o", "sigs"],
        Some(body.as_bytes()),
        &[],
    );
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let clustered = run(
        dir.path(),
        &["cluster", "sigs/stdin.sig.arrow", "sigs/page.txt.sig.arrow"],
    );
    assert_eq!(clustered.code, 0, "{}", clustered.stderr);
    assert!(
        clustered.stdout.contains("exact     <stdin>, page.txt"),
        "{}",
        clustered.stdout
    );
    assert!(
        clustered.stdout.contains("2 documents"),
        "{}",
        clustered.stdout
    );
}
