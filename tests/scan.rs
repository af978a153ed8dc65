//! End-to-end tests of `doppel scan`: the binary on every corpus file, bad
//! inputs, stdin, threads, output formats.

mod util;

use serde_json::Value;
use util::{copy_lines, corpus, differing_lines, doppel, doppel_in, doppel_with_stdin, fixture};

fn scan_json(path: &std::path::Path, extra: &[&str]) -> util::Run {
    let path = path.to_str().expect("UTF-8 path");
    let mut args = vec!["scan", "--format", "json", path];
    args.extend_from_slice(extra);
    doppel(&args)
}

fn blocks(doc: &Value) -> Vec<Value> {
    doc["blocks"].as_array().cloned().unwrap_or_default()
}

const PAGE_DIFFERING: [(Option<u64>, Option<u64>); 5] = [
    (Some(21), Some(158)),
    (Some(27), Some(164)),
    (Some(105), Some(242)),
    (Some(133), Some(270)),
    (Some(141), Some(278)),
];

fn assert_page_body(doc: &Value) {
    let body: Vec<Value> = blocks(doc)
        .into_iter()
        .filter(|b| copy_lines(b).first().is_some_and(|&(first, _)| first <= 25))
        .collect();
    assert_eq!(body.len(), 1, "the article body is one block: {doc}");
    let body = &body[0];
    assert_eq!(copy_lines(body), [(20, 149), (157, 286)]);
    assert_eq!(differing_lines(body), PAGE_DIFFERING);
    assert_eq!(body["exact"], false);
    let similarity = body["similarity"].as_f64().unwrap_or(0.0);
    assert!(similarity > 0.95 && similarity < 1.0, "{similarity}");
}

#[test]
fn page_body_is_one_block_with_five_differing_pairs() {
    let run = scan_json(&corpus("scraped_page_zh.txt"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.only_document();
    assert_eq!(doc["encoding"], "UTF-8");
    assert_eq!(doc["input_bytes"], 77394);
    assert_eq!(
        blocks(&doc).len(),
        1,
        "titles 20 and 25 must not form their own block"
    );
    assert_page_body(&doc);
    let copies = &blocks(&doc)[0]["copies"];
    let (start, end) = (
        copies[0]["bytes"][0].as_u64().unwrap_or(0),
        copies[0]["bytes"][1].as_u64().unwrap_or(0),
    );
    let text = std::fs::read_to_string(corpus("scraped_page_zh.txt")).unwrap_or_default();
    assert!(text[start as usize..end as usize].starts_with("中央關(guān)于"));
    assert!(text[start as usize..end as usize].ends_with("文章編輯:劉佳"));
}

#[test]
fn line_segments_report_the_repeated_copyright_line() {
    let run = scan_json(&corpus("scraped_page_zh.txt"), &["--segment", "line"]);
    let doc = run.only_document();
    assert_page_body(&doc);
    assert!(
        blocks(&doc)
            .iter()
            .any(|b| copy_lines(b) == [(290, 290), (300, 300)] && b["exact"] == true),
        "{doc}"
    );
}

#[test]
fn gb18030_and_utf16_copies_give_the_same_blocks() {
    let utf8 = scan_json(&corpus("scraped_page_zh.txt"), &[]).only_document();
    for (name, encoding, bom) in [
        ("scraped_page_zh.gb18030.txt", "gb18030", false),
        ("scraped_page_zh.utf16le.txt", "UTF-16LE", true),
    ] {
        let run = scan_json(&corpus(name), &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let doc = run.only_document();
        assert_eq!(doc["encoding"], encoding);
        assert_eq!(doc["bom"], bom);
        assert_eq!(doc["malformed"], 0);
        assert_eq!(doc["blocks"], utf8["blocks"], "{name}");
        assert_eq!(doc["bytes"], utf8["bytes"]);
    }
}

#[test]
fn legacy_encoded_samples_report_their_repeated_paragraph() {
    for (name, encoding, copies) in [
        ("big5_sample.txt", "Big5", [(3, 3), (9, 9)]),
        ("shift_jis_sample.txt", "Shift_JIS", [(3, 3), (9, 9)]),
        ("euc_kr_sample.txt", "EUC-KR", [(3, 3), (11, 11)]),
    ] {
        let doc = scan_json(&corpus(name), &[]).only_document();
        assert_eq!(doc["encoding"], encoding, "{name}");
        let found = blocks(&doc);
        assert_eq!(found.len(), 1, "{name}: {doc}");
        assert_eq!(copy_lines(&found[0]), copies, "{name}");
        assert_eq!(found[0]["exact"], true);
    }
}

#[test]
fn edited_english_block_is_one_near_block() {
    let doc = scan_json(&corpus("english_edited_block.txt"), &[]).only_document();
    let found = blocks(&doc);
    assert_eq!(found.len(), 1, "{doc}");
    assert_eq!(copy_lines(&found[0]), [(3, 13), (17, 27)]);
    assert_eq!(differing_lines(&found[0]), [(Some(7), Some(21))]);
    assert_eq!(found[0]["segments"], 6);
}

#[test]
fn block_repeated_three_times_has_three_copies() {
    let doc = scan_json(&corpus("triple_block.txt"), &[]).only_document();
    let found = blocks(&doc);
    assert_eq!(found.len(), 1, "{doc}");
    assert_eq!(copy_lines(&found[0]), [(3, 7), (11, 15), (19, 23)]);
    assert_eq!(found[0]["exact"], true);
    assert_eq!(found[0]["similarity"], 1.0);
}

#[test]
fn clean_document_has_no_blocks() {
    let doc = scan_json(&corpus("clean_no_duplicates.txt"), &[]).only_document();
    assert!(blocks(&doc).is_empty(), "{doc}");
    assert_eq!(doc["duplicate_ratio"], 0.0);
}

/// Deterministic pseudo-random prose: `n` sentences from a small vocabulary.
fn sentences(n: usize, seed: u64, words: &[&str], spaced: bool, stop: &str) -> Vec<String> {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    (0..n)
        .map(|_| {
            let len = 8 + next() % 10;
            let picked: Vec<&str> = (0..len).map(|_| words[next() % words.len()]).collect();
            picked.join(if spaced { " " } else { "" }) + stop
        })
        .collect()
}

const EN: &[&str] = &[
    "harbour", "crane", "ship", "cargo", "morning", "storm", "council", "river", "bridge",
    "market", "teacher", "garden", "engine", "winter", "letter", "station", "village", "mountain",
    "ferry", "lamp", "road", "story", "window", "clock", "quietly", "slowly", "opened", "closed",
    "carried", "the", "a", "of", "near", "under", "between", "after",
];

const ZH: &[&str] = &[
    "港口", "码头", "货物", "今天", "工人", "城市", "河流", "大桥", "市场", "老师", "花园", "机器",
    "冬天", "信件", "车站", "村庄", "山区", "渡轮", "灯光", "道路", "故事", "窗户", "时钟", "处理",
    "运输", "打开", "关闭", "的",
];

#[test]
fn flattened_document_still_has_its_repeat_found() {
    let text = sentences(60, 7, EN, true, ".");
    let body = text[5..35].join(" ");
    let flat = format!(
        "{} {} {} {} {}",
        text[..5].join(" "),
        body,
        text[35..45].join(" "),
        body,
        text[45..].join(" ")
    );
    assert!(!flat.contains('\n'));
    let run = doppel_with_stdin(&["scan", "--format", "json", "-"], flat.as_bytes());
    let doc = run.only_document();
    assert_eq!(doc["path"], "-");
    let found = blocks(&doc);
    assert_eq!(found.len(), 1, "{doc}");
    let copies = found[0]["copies"].as_array().cloned().unwrap_or_default();
    assert_eq!(copies.len(), 2);
    for copy in &copies {
        let (start, end) = (
            copy["bytes"][0].as_u64().unwrap_or(0) as usize,
            copy["bytes"][1].as_u64().unwrap_or(0) as usize,
        );
        assert_eq!(&flat[start..end], body);
        assert!(
            copy["columns"].is_array(),
            "a span inside one line has columns"
        );
    }
}

#[test]
fn cjk_text_without_newlines_still_has_its_repeat_found() {
    let text = sentences(60, 11, ZH, false, "。");
    let body = text[5..35].concat();
    let flat = format!(
        "{}{}{}{}{}",
        text[..5].concat(),
        body,
        text[35..45].concat(),
        body,
        text[45..].concat()
    );
    let run = doppel_with_stdin(&["scan", "--format", "json", "-"], flat.as_bytes());
    let found = blocks(&run.only_document());
    assert_eq!(found.len(), 1);
    let copies = found[0]["copies"].as_array().cloned().unwrap_or_default();
    let first = (
        copies[0]["bytes"][0].as_u64().unwrap_or(0) as usize,
        copies[0]["bytes"][1].as_u64().unwrap_or(0) as usize,
    );
    assert_eq!(&flat[first.0..first.1], body);
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let one = doppel(&["scan", "--format", "json", "--threads", "1", "corpus"]);
    let many = doppel(&["scan", "--format", "json", "--threads", "4", "corpus"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(one.stdout, many.stdout);
    assert_eq!(
        one.documents().len(),
        9,
        "corpus README is ignored through .doppelignore"
    );
}

#[test]
fn json_report_opens_with_begin_and_puts_type_first() {
    let run = scan_json(&corpus("triple_block.txt"), &[]);
    let json = run.json();
    assert_eq!(json[0]["type"], "begin");
    assert_eq!(json[0]["schema"], 1);
    assert_eq!(
        json.last().map(|v| v["type"].clone()),
        Some(Value::from("summary"))
    );
    for line in run.stdout.lines() {
        assert!(line.starts_with("{\"type\":"), "{line}");
    }
}

#[test]
fn bad_inputs_are_reported_and_the_run_goes_on() {
    let run = doppel(&[
        "scan",
        "--format",
        "json",
        fixture("binary.bin").to_str().unwrap_or_default(),
        fixture("missing.txt").to_str().unwrap_or_default(),
        fixture("undecodable.txt").to_str().unwrap_or_default(),
        corpus("triple_block.txt").to_str().unwrap_or_default(),
    ]);
    assert_eq!(run.code, 2);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(
        lines[0].starts_with("doppel: ")
            && lines[0].ends_with("missing.txt: no such file or folder"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].ends_with("binary.bin: binary file (NUL byte at offset 5)"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("undecodable.txt: cannot be decoded"),
        "{}",
        lines[2]
    );
    assert_eq!(run.documents().len(), 1, "the good file is still scanned");
    let errors: Vec<Value> = run
        .json()
        .into_iter()
        .filter(|v| v["type"] == "error")
        .collect();
    assert_eq!(errors.len(), 3);
    assert_eq!(run.summary()["errors"], 3);
}

#[test]
fn empty_file_is_an_empty_document() {
    let run = scan_json(&fixture("empty.txt"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.only_document();
    assert_eq!(
        (doc["bytes"].as_u64(), doc["segments"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn binary_files_in_a_folder_walk_are_skipped_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(fixture("binary.bin"), dir.path().join("image.bin")).expect("copy");
    std::fs::copy(corpus("triple_block.txt"), dir.path().join("text.txt")).expect("copy");
    let run = doppel_in(dir.path(), &["scan", "--format", "json", "."], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty());
    assert_eq!(run.summary()["skipped"], 1);
    assert_eq!(run.documents().len(), 1);
}

#[test]
fn unknown_encoding_label_is_bad_usage() {
    let run = doppel(&["scan", "--encoding", "klingon", "corpus"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown encoding 'klingon'"),
        "{}",
        run.stderr
    );
}

#[test]
fn forced_encoding_is_used() {
    let run = scan_json(&corpus("big5_sample.txt"), &["--encoding", "big5"]);
    let doc = run.only_document();
    assert_eq!(
        (doc["encoding"].as_str(), doc["detection"].as_str()),
        (Some("Big5"), Some("forced"))
    );
}

#[test]
fn human_report_has_no_colour_off_a_terminal() {
    let run = doppel(&[
        "scan",
        corpus("scraped_page_zh.txt").to_str().unwrap_or_default(),
    ]);
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains('\x1b'));
    assert!(run.stdout.contains("lines 20-149"), "{}", run.stdout);
    assert!(run.stdout.contains("lines 157-286"));
    assert!(run.stdout.contains("21 ↔ 158"));
    assert!(run.stdout.contains("48.5% duplicate"));
}

#[test]
fn show_diffs_gives_the_changed_characters_of_each_differing_pair() {
    let page = corpus("scraped_page_zh.txt");
    let human = doppel(&["scan", "--show-diffs", page.to_str().unwrap_or_default()]);
    assert!(
        human
            .stdout
            .contains("105 ↔ 242  薦代表候選人[-?h-]{+。縣+}以上人大代表"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("21 ↔ 158  [-更新時(shí)間:-]2015-7"));
    let doc = scan_json(&page, &["--show-diffs"]).only_document();
    let differing = blocks(&doc)[0]["differing"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(differing.len(), 5);
    for pair in &differing {
        let changes = pair["changes"].as_array().cloned().unwrap_or_default();
        assert!(
            !changes.is_empty() && changes.len() <= 2,
            "a few characters, not a whole paragraph: {pair}"
        );
        for change in &changes {
            let old = change["old"].as_str().unwrap_or_default().chars().count();
            assert!(old <= 10, "{change}");
        }
    }
    let plain = scan_json(&page, &[]).only_document();
    assert!(
        blocks(&plain)[0]["differing"][0].get("changes").is_none(),
        "only when asked"
    );
}

#[test]
fn near_segments_finds_a_lightly_edited_paragraph_in_another_document() {
    let dir = tempfile::tempdir().expect("temp dir");
    let paragraph = "The harbour authority opened the new ferry terminal on Monday morning after three years of work on the river, and passengers can now board from a covered hall with heated seats, a small cafe near the gates and a view across the water to the old town.";
    std::fs::write(
        dir.path().join("a.txt"),
        format!("Intro of the first page.\n\n{paragraph}\n\nEnd of the first page.\n"),
    )
    .expect("write");
    let edited = paragraph.replace("the new", "its new");
    std::fs::write(
        dir.path().join("b.txt"),
        format!("A second page starts here.\n\nMore words.\n\n{edited}\n"),
    )
    .expect("write");
    let run = doppel_in(
        dir.path(),
        &["scan", "--format", "json", "--near-segments", "."],
        None,
    );
    let passages: Vec<Value> = run
        .json()
        .into_iter()
        .filter(|v| v["kind"] == "passage")
        .collect();
    assert_eq!(passages.len(), 1, "{}", run.stdout);
    assert_eq!(passages[0]["exact"], false);
    let lines: Vec<(String, Value)> = passages[0]["members"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            (
                m["path"].as_str().unwrap_or_default().to_owned(),
                m["lines"].clone(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("./a.txt".to_owned(), serde_json::json!([3, 3])),
            ("./b.txt".to_owned(), serde_json::json!([5, 5]))
        ]
    );
    let without = doppel_in(dir.path(), &["scan", "--format", "json", "."], None);
    assert!(!without.stdout.contains("\"passage\""), "only when asked");
}

/// The `type` (and cluster `kind`) of every object of a JSON report.
fn kinds(run: &util::Run) -> Vec<String> {
    run.json()
        .iter()
        .map(|v| match v["kind"].as_str() {
            Some(kind) => format!("{}:{kind}", v["type"].as_str().unwrap_or_default()),
            None => v["type"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

#[test]
fn find_documents_reports_duplicate_documents_only() {
    let all = doppel(&["scan", "--format", "json", "corpus"]);
    let documents = doppel(&["scan", "--format", "json", "--find", "documents", "corpus"]);
    assert_eq!((all.code, documents.code), (0, 0), "{}", documents.stderr);
    let clusters = |run: &util::Run| -> Vec<Value> {
        run.json()
            .into_iter()
            .filter(|v| v["type"] == "cluster")
            .collect()
    };
    // The page's three encodings decode to one text: an exact cluster.
    let found = clusters(&documents);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["kind"], "exact");
    assert_eq!(found[0]["members"].as_array().map(Vec::len), Some(3));
    assert_eq!(found, clusters(&all));
    // The full scan finds blocks; this one does not look for them.
    assert!(all.json().iter().any(|v| !blocks(v).is_empty()));
    assert!(documents.json().iter().all(|v| blocks(v).is_empty()));
    let human = doppel(&["scan", "--find", "documents", "corpus"]);
    assert!(!human.stdout.contains("% duplicate"), "{}", human.stdout);
    assert!(human.stdout.contains("2 duplicate documents in 1 clusters"));
}

#[test]
fn each_finding_can_be_asked_for_alone() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let shared = "The committee met on Tuesday and agreed the budget for the coming year after a long debate.";
    let site = "Subscribe to our newsletter for weekly updates";
    let texts = [
        ("a.txt", format!("{shared}\n\nA first paragraph of its own, with enough words to be counted.\n\n{site}\n")),
        ("b.txt", format!("{shared}\n\nA second paragraph unlike the first, also long enough to count.\n\n{site}\n")),
        ("c.txt", format!("Another story entirely, told in words of its own for this test.\n\n{site}\n")),
        ("d.txt", format!("{shared}\n\nA first paragraph of its own, with enough words to be counted.\n\n{site}\n")),
    ];
    for (name, text) in &texts {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let folder = dir.path().to_str().expect("UTF-8 path");
    let kinds_with = |find: Option<&str>| -> Vec<String> {
        let mut args = vec!["scan", "--format", "json", folder];
        if let Some(find) = find {
            args.extend(["--find", find]);
        }
        let run = doppel(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let mut kinds: Vec<String> = kinds(&run)
            .into_iter()
            .filter(|k| !matches!(k.as_str(), "begin" | "document" | "summary"))
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };
    assert_eq!(
        kinds_with(None),
        ["cluster:boilerplate", "cluster:exact", "cluster:segment"]
    );
    assert_eq!(kinds_with(Some("documents")), ["cluster:exact"]);
    assert_eq!(kinds_with(Some("segments")), ["cluster:segment"]);
    assert_eq!(kinds_with(Some("boilerplate")), ["cluster:boilerplate"]);
    assert_eq!(
        kinds_with(Some("documents,boilerplate")),
        ["cluster:boilerplate", "cluster:exact"]
    );
}

#[test]
fn find_blocks_alone_looks_at_no_other_document() {
    let run = scan_json(&corpus("scraped_page_zh.txt"), &["--find", "blocks"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_page_body(&run.only_document());
    let run = doppel(&["scan", "--format", "json", "--find", "blocks", "corpus"]);
    assert!(!kinds(&run).iter().any(|k| k.starts_with("cluster")));
}

#[test]
fn unknown_finding_is_bad_usage() {
    let run = doppel(&["scan", "--find", "documents,dogs", "corpus"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("invalid value 'dogs'"),
        "{}",
        run.stderr
    );
}
