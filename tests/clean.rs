//! End-to-end tests of `doppel clean` and `doppel restore`.

mod util;

use std::path::Path;

use util::{corpus, doppel, doppel_in};

fn run(args: &[&str]) -> util::Run {
    doppel(args)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

fn page_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split('\n')
        .map(str::to_owned)
        .collect()
}

fn manifest(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("manifest.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect()
}

#[test]
fn page_keeps_one_body_with_clean_paragraphs_and_restores_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, back) = (dir.path().join("out"), dir.path().join("back"));
    let page = corpus("scraped_page_zh.txt");
    let cleaned = run(&["clean", s(&page), "-o", s(&out)]);
    assert_eq!(cleaned.code, 0, "{}", cleaned.stderr);
    let original = page_lines(&page);
    let text = std::fs::read_to_string(out.join("scraped_page_zh.txt")).unwrap_or_default();
    for (first, second) in [(27, 164), (105, 242), (133, 270)] {
        assert!(
            text.contains(&original[second - 1]),
            "clean twin of {first} kept"
        );
        assert!(!text.contains(&original[first - 1]), "damaged {first} gone");
    }
    assert!(text.contains(&original[141 - 1]) && !text.contains(&original[278 - 1]));
    assert!(!original[51 - 1].is_empty());
    assert_eq!(
        text.matches(&original[51 - 1]).count(),
        1,
        "one copy of the body"
    );
    assert!(
        text.contains(&original[20 - 1]) && text.contains(&original[25 - 1]),
        "both titles stay"
    );
    assert!(!text.contains("\n\n\n\n"));
    let restored = run(&["restore", s(&out), "-o", s(&back)]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert_eq!(
        std::fs::read(back.join("scraped_page_zh.txt")).ok(),
        std::fs::read(&page).ok()
    );
    let size = std::fs::metadata(out.join("manifest.jsonl"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(size < 4096, "manifest stays small: {size} bytes");
}

#[test]
fn legacy_and_utf16_inputs_are_written_as_utf8_and_restored_exactly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, back) = (dir.path().join("out"), dir.path().join("back"));
    let names = [
        "scraped_page_zh.gb18030.txt",
        "scraped_page_zh.utf16le.txt",
        "big5_sample.txt",
        "shift_jis_sample.txt",
    ];
    let paths: Vec<_> = names.iter().map(|n| corpus(n)).collect();
    let mut args = vec!["clean", "--no-documents", "-o", s(&out)];
    args.extend(paths.iter().map(|p| s(p)));
    assert_eq!(run(&args).code, 0);
    let utf8 = std::fs::read_to_string(out.join("scraped_page_zh.utf16le.txt"));
    assert!(utf8.is_ok(), "output is UTF-8");
    assert_eq!(run(&["restore", s(&out), "-o", s(&back)]).code, 0);
    for (name, path) in names.iter().zip(&paths) {
        assert_eq!(
            std::fs::read(back.join(name)).ok(),
            std::fs::read(path).ok(),
            "{name}"
        );
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(path, text).expect("write");
}

const ARTICLE: &str = "The harbour authority opened the new ferry terminal on Monday morning after three years of work.\n\nPassengers can now board from a covered hall with heated seats and a small cafe near the gates.\n\nThe old terminal will be turned into a museum of the river trade next spring, the council said.\n";

#[test]
fn folders_are_mirrored_and_duplicate_documents_go() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("site");
    write(&site, "a.txt", ARTICLE);
    write(&site, "news/b.txt", ARTICLE);
    write(
        &site,
        "news/c.txt",
        "A different story about mountain roads and winter storms in the valley.\n",
    );
    let (out, back) = (dir.path().join("out"), dir.path().join("back"));
    let cleaned = run(&["clean", s(&site), "-o", s(&out)]);
    assert_eq!(cleaned.code, 0, "{}", cleaned.stderr);
    assert!(out.join("site/a.txt").exists());
    assert!(
        !out.join("site/news/b.txt").exists(),
        "the duplicate is not written"
    );
    assert!(out.join("site/news/c.txt").exists());
    let removal = manifest(&out)
        .into_iter()
        .find(|l| l["reason"] == "duplicate-document")
        .expect("a removal line");
    assert_eq!(removal["edits"], serde_json::json!([]));
    assert_eq!(run(&["restore", s(&out), "-o", s(&back)]).code, 0);
    for name in ["a.txt", "news/b.txt", "news/c.txt"] {
        assert_eq!(
            std::fs::read(back.join("site").join(name)).ok(),
            std::fs::read(site.join(name)).ok(),
            "{name}"
        );
    }
}

#[test]
fn keep_chooses_which_duplicate_document_stays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clean = "群團事業是黨的事業的重要組成部分，群團工作是黨的一項經常性、基礎性工作，是黨治國理政的重要方面。各級黨委要把群團工作擺上重要議事日程，推動群團組織改革創新。";
    let damaged = clean.replacen("經常性", "?j常性", 1);
    let longer = format!("{clean}謝謝");
    write(dir.path(), "in/1_damaged.txt", &damaged);
    write(dir.path(), "in/2_clean.txt", clean);
    write(dir.path(), "in/3_longer.txt", &longer);
    for (keep, kept) in [
        ("first", "1_damaged.txt"),
        ("cleanest", "2_clean.txt"),
        ("longest", "3_longer.txt"),
    ] {
        let out = dir.path().join(format!("out-{keep}"));
        let cleaned = run(&[
            "clean",
            "--keep",
            keep,
            s(&dir.path().join("in")),
            "-o",
            s(&out),
        ]);
        assert_eq!(cleaned.code, 0, "{}", cleaned.stderr);
        let written: Vec<String> = std::fs::read_dir(out.join("in"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(written, [kept], "--keep {keep}");
    }
}

#[test]
fn switches_choose_what_is_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    let para = "A paragraph about the harbour cranes that several pages of the site quote in full.";
    let repeated_inside =
        format!("Opening words of this page.\n\n{para}\n\nMiddle of the page here.\n\n{para}\n");
    write(
        &input,
        "1.txt",
        &format!("Home | News | Sport\n\n{repeated_inside}"),
    );
    write(
        &input,
        "2.txt",
        &format!("Home | News | Sport\n\nAnother page entirely, on winter roads.\n\n{para}\n"),
    );
    write(
        &input,
        "3.txt",
        "Home | News | Sport\n\nA third page, on the river museum plans.\n",
    );
    let reasons = |extra: &[&str], name: &str| -> Vec<String> {
        let out = dir.path().join(name);
        let mut args = vec!["clean", s(&input), "-o", s(&out)];
        args.extend_from_slice(extra);
        assert_eq!(run(&args).code, 0);
        let mut found: Vec<String> = manifest(&out)
            .into_iter()
            .filter_map(|l| l["reason"].as_str().map(str::to_owned))
            .collect();
        found.sort();
        found.dedup();
        found
    };
    assert_eq!(reasons(&[], "all"), ["block-copy", "repeated-segment"]);
    assert_eq!(reasons(&["--no-blocks"], "no-blocks"), ["repeated-segment"]);
    assert_eq!(reasons(&["--no-segments"], "no-segments"), ["block-copy"]);
    assert_eq!(
        reasons(&["--boilerplate"], "boilerplate"),
        ["block-copy", "boilerplate", "repeated-segment"]
    );
    let out = dir.path().join("boilerplate");
    let cleaned = std::fs::read_to_string(out.join("in/3.txt")).unwrap_or_default();
    assert_eq!(cleaned, "A third page, on the river museum plans.\n");
}

#[test]
fn dry_run_writes_nothing_and_says_what_would_go() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let page = corpus("scraped_page_zh.txt");
    let dry = run(&["clean", "--dry-run", s(&page), "-o", s(&out)]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(!out.exists());
    assert!(
        dry.stdout
            .contains("scraped_page_zh.txt:157-286  block-copy"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("would remove"));
}

#[test]
fn an_output_inside_an_input_or_not_empty_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    write(&input, "a.txt", ARTICLE);
    let inside = run(&["clean", s(&input), "-o", s(&input.join("out"))]);
    assert_eq!(inside.code, 2);
    assert!(
        inside.stderr.contains("inside the input folder"),
        "{}",
        inside.stderr
    );
    assert!(!input.join("out").exists(), "nothing written");
    let busy = dir.path().join("busy");
    write(&busy, "x.txt", "x");
    let not_empty = run(&["clean", s(&input), "-o", s(&busy)]);
    assert_eq!(not_empty.code, 2);
    assert!(
        not_empty.stderr.contains("must be new or empty"),
        "{}",
        not_empty.stderr
    );
    write(dir.path(), "other/a.txt", "other");
    let collide = run(&[
        "clean",
        s(&input.join("a.txt")),
        s(&dir.path().join("other/a.txt")),
        "-o",
        s(&dir.path().join("o")),
    ]);
    assert_eq!(collide.code, 2);
    assert!(
        collide.stderr.contains("would both be written to"),
        "{}",
        collide.stderr
    );
    let restore_busy = run(&["restore", s(&busy), "-o", s(&busy)]);
    assert_eq!(restore_busy.code, 2);
}

fn jsonl_corpus() -> String {
    let body = ARTICLE.replace('\n', "\\n");
    [
        format!("{{\"id\":\"a\",\"url\":\"https://x.example/1\",\"text\":\"{body}\",\"n\":1.50}}"),
        format!("{{\"id\": \"b\", \"text\": \"{body}\", \"url\": \"https://y.example/1\"}}"),
        "{\"id\":\"c\",\"text\":\"Page 3 of 10\"}".to_owned(),
        "{\"id\":\"d\",\"text\":\"Page 4 of 10\"}".to_owned(),
        "{\"id\":\"e\",\"text\":\"\\u6e2f\\u53e3\\u7684\\u8d27\\u7269\\u4eca\\u5929\\u8fd0\\u5230\\u4e86\\u6cb3\\u8fb9\\u7684\\u4ed3\\u5e93\"}".to_owned(),
    ]
    .join("\n")
        + "\n"
}

fn compress(plain: &[u8], name: &str) -> Vec<u8> {
    use std::io::Write;
    if name.ends_with(".gz") {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(plain).expect("gzip");
        encoder.finish().expect("gzip")
    } else if name.ends_with(".zst") {
        zstd::encode_all(plain, 3).expect("zstd")
    } else {
        plain.to_vec()
    }
}

fn decompress(bytes: &[u8], name: &str) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    if name.ends_with(".gz") {
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .expect("gunzip");
    } else if name.ends_with(".zst") {
        out = zstd::decode_all(bytes).expect("unzstd");
    } else {
        out = bytes.to_vec();
    }
    out
}

#[test]
fn jsonl_stays_jsonl_compressed_alike_and_restores() {
    for name in ["docs.jsonl", "docs.jsonl.gz", "docs.jsonl.zst"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join(name);
        let plain = jsonl_corpus();
        std::fs::write(&input, compress(plain.as_bytes(), name)).expect("write");
        let (out, back) = (dir.path().join("out"), dir.path().join("back"));
        let cleaned = run(&["clean", s(&input), "-o", s(&out)]);
        assert_eq!(cleaned.code, 0, "{name}: {}", cleaned.stderr);
        let written = String::from_utf8(decompress(
            &std::fs::read(out.join(name)).unwrap_or_default(),
            name,
        ))
        .unwrap_or_default();
        let lines: Vec<&str> = written.lines().collect();
        assert_eq!(
            lines.len(),
            4,
            "{name}: the duplicate record goes, short distinct ones stay: {written}"
        );
        assert!(
            lines[0].starts_with("{\"id\":\"a\",\"url\":\"https://x.example/1\",\"text\":"),
            "other fields untouched"
        );
        assert!(lines[0].ends_with(",\"n\":1.50}"));
        assert!(lines[3].contains("\\u6e2f"), "escape style kept");
        assert_eq!(run(&["restore", s(&out), "-o", s(&back)]).code, 0);
        let restored = decompress(&std::fs::read(back.join(name)).unwrap_or_default(), name);
        assert_eq!(
            String::from_utf8(restored).unwrap_or_default(),
            plain,
            "{name}"
        );
    }
}

#[test]
fn malformed_json_lines_are_errors_for_that_line_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("bad.jsonl");
    std::fs::write(
        &input,
        format!("{}not json\n{{\"id\":\"x\",\"text\":7}}\n", jsonl_corpus()),
    )
    .expect("write");
    let out = dir.path().join("out");
    let cleaned = run(&["clean", s(&input), "-o", s(&out)]);
    assert_eq!(cleaned.code, 2);
    let errors: Vec<&str> = cleaned.stderr.lines().collect();
    assert_eq!(errors.len(), 2, "{}", cleaned.stderr);
    assert!(
        errors[0].ends_with("bad.jsonl:6: invalid JSON at column 2: expected ident"),
        "{}",
        errors[0]
    );
    assert!(errors[1].contains("bad.jsonl:7: "), "{}", errors[1]);
    let written = std::fs::read_to_string(out.join("bad.jsonl")).unwrap_or_default();
    assert_eq!(written.lines().count(), 4);
    let scan = doppel_in(dir.path(), &["scan", "--format", "json", "bad.jsonl"], None);
    let docs = scan.documents();
    assert_eq!(
        (docs.len(), docs[0]["id"].as_str(), docs[0]["line"].as_u64()),
        (5, Some("a"), Some(1))
    );
}
