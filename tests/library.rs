//! The library driven from memory: an in-memory corpus scan gives the same
//! results whatever the batches and threads, the same findings as a scan of
//! the same texts written to files, and offsets that slice the text both as
//! bytes and as characters.

use std::io;
use std::ops::Range;
use std::path::PathBuf;

use doppel::input::{expand, InputOptions};
use doppel::{
    CorpusFindings, CorpusReport, Engine, EngineBuilder, ScannedDoc, ScannedText, Sink, TextSpan,
};
use proptest::prelude::*;

const LATIN: &[&str] = &[
    "river", "morning", "field", "farmer", "seed", "water", "mill", "ground", "night", "early",
    "bridge", "market", "winter", "harvest", "village", "road", "lantern", "orchard", "storm",
    "letter",
];
const CJK: &[&str] = &[
    "河", "水", "田", "農", "夫", "種", "朝", "夜", "橋", "市", "冬", "収", "穫", "村", "道", "嵐",
    "手", "紙", "の", "を",
];
const FOOTER: &str = "Copyright Example Press, every right reserved.";

/// A paragraph of 12 to 20 words (Latin) or 24 to 40 characters (CJK).
fn paragraph(cjk: bool, picks: &[usize]) -> String {
    if cjk {
        picks
            .iter()
            .map(|&i| CJK[i % CJK.len()])
            .collect::<String>()
            + "。"
    } else {
        picks
            .iter()
            .map(|&i| LATIN[i % LATIN.len()])
            .collect::<Vec<_>>()
            .join(" ")
            + "."
    }
}

/// How one document of a generated corpus is made.
#[derive(Clone, Debug)]
enum Make {
    /// New paragraphs; the paragraph at the index in `repeat`, if any, is
    /// repeated at the end (a block inside the document); `footer` adds
    /// the shared footer line.
    Fresh {
        cjk: bool,
        paragraphs: Vec<Vec<usize>>,
        repeat: Option<usize>,
        footer: bool,
    },
    /// An exact copy of an earlier document.
    Copy(usize),
    /// A copy of an earlier document with one word changed.
    Near(usize, usize),
}

fn make_strategy() -> impl Strategy<Value = Make> {
    prop_oneof![
        4 => (
            any::<bool>(),
            prop::collection::vec(prop::collection::vec(0usize..40, 24..40), 1..5),
            prop::option::of(0usize..5),
            any::<bool>(),
        )
            .prop_map(|(cjk, paragraphs, repeat, footer)| Make::Fresh {
                cjk,
                paragraphs,
                repeat,
                footer,
            }),
        1 => any::<usize>().prop_map(Make::Copy),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(of, at)| Make::Near(of, at)),
    ]
}

fn build_corpus(makes: &[Make]) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for make in makes {
        let text = match make {
            Make::Fresh {
                cjk,
                paragraphs,
                repeat,
                footer,
            } => {
                let mut parts: Vec<String> = paragraphs
                    .iter()
                    .map(|picks| {
                        let words = if *cjk { picks.len() } else { picks.len() / 2 };
                        paragraph(*cjk, &picks[..words])
                    })
                    .collect();
                if let Some(at) = repeat {
                    parts.push(parts[at % parts.len()].clone());
                }
                if *footer {
                    parts.push(FOOTER.to_owned());
                }
                parts.join("\n\n") + "\n"
            }
            Make::Copy(of) if !texts.is_empty() => texts[of % texts.len()].clone(),
            Make::Near(of, at) if !texts.is_empty() => {
                let original = &texts[of % texts.len()];
                let words: Vec<&str> = original.split(' ').collect();
                let at = at % words.len();
                let mut words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
                words[at] = "changed".to_owned();
                words.join(" ")
            }
            _ => paragraph(false, &(0..14).collect::<Vec<_>>()),
        };
        texts.push(text);
    }
    texts
}

fn engine() -> Engine {
    EngineBuilder::new()
        .min_units(5)
        .near_segments(true)
        .build()
        .expect("valid settings")
}

/// Scans `texts` cut into batches of the given sizes (cycled), on a pool of
/// `threads` threads.
fn scan_in_memory(
    engine: &Engine,
    texts: &[String],
    batches: &[usize],
    threads: usize,
) -> (Vec<ScannedText>, CorpusFindings) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| {
        let mut scan = engine.corpus_scan();
        let mut results = Vec::new();
        let mut at = 0;
        let mut sizes = batches.iter().cycle();
        while at < texts.len() {
            let size = *sizes.next().expect("cycled");
            let end = (at + size).min(texts.len());
            if size == 1 {
                results.push(
                    scan.add(format!("doc-{at}"), texts[at].as_str())
                        .expect("numbered"),
                );
            } else {
                let batch = (at..end).map(|n| (format!("doc-{n}"), texts[n].clone()));
                results.extend(scan.add_batch(batch).expect("numbered"));
            }
            at = end;
        }
        (results, scan.finish().expect("findings"))
    })
}

/// Collects what a file scan pushes.
#[derive(Default)]
struct Collect {
    docs: Vec<Vec<Vec<Range<usize>>>>,
    report: Option<CorpusReport>,
}

impl Sink for Collect {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        self.docs.push(
            doc.blocks
                .iter()
                .map(|b| b.copies.iter().map(|c| c.span.bytes.clone()).collect())
                .collect(),
        );
        Ok(())
    }
    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        self.report = Some(report);
        Ok(())
    }
}

fn scan_files(engine: &Engine, texts: &[String]) -> Collect {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths: Vec<PathBuf> = texts
        .iter()
        .enumerate()
        .map(|(n, text)| {
            let path = dir.path().join(format!("{n:05}.txt"));
            std::fs::write(&path, text).expect("written");
            path
        })
        .collect();
    let (entries, problems) = expand(&paths, &InputOptions::default());
    assert!(problems.is_empty());
    let mut sink = Collect::default();
    engine
        .scan(&entries, Vec::new(), &mut sink)
        .expect("scanned");
    sink
}

fn slice_chars(text: &str, chars: &Range<usize>) -> String {
    text.chars().skip(chars.start).take(chars.len()).collect()
}

/// Every span of a result slices the same text as bytes and as characters.
fn assert_spans_agree(texts: &[String], results: &[ScannedText], findings: &CorpusFindings) {
    let check = |doc: u32, span: &TextSpan| {
        let text = &texts[doc as usize];
        assert_eq!(slice_chars(text, &span.chars), &text[span.bytes.clone()]);
    };
    for result in results {
        for block in &result.blocks {
            for copy in &block.copies {
                check(result.number, copy);
            }
            for differing in &block.differing {
                for side in [&differing.first, &differing.other].into_iter().flatten() {
                    check(result.number, side);
                }
            }
        }
        for repeat in &result.repeats {
            check(repeat.doc, &repeat.span);
            check(repeat.first_doc, &repeat.first_span);
        }
    }
    for repeat in &findings.repeated {
        check(repeat.doc, &repeat.span);
        check(repeat.first_doc, &repeat.first_span);
    }
    for passage in &findings.passages {
        for copy in &passage.copies {
            check(copy.doc, &copy.span);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn results_do_not_depend_on_batches_or_threads_and_equal_a_file_scan(
        makes in prop::collection::vec(make_strategy(), 1..24),
        batches in prop::collection::vec(1usize..6, 1..4),
        threads in 1usize..4,
    ) {
        let texts = build_corpus(&makes);
        let engine = engine();
        let (one_by_one, reference) = scan_in_memory(&engine, &texts, &[1], 1);
        let (results, findings) = scan_in_memory(&engine, &texts, &batches, threads);
        prop_assert_eq!(&results, &one_by_one);
        prop_assert_eq!(&findings, &reference);
        for (n, result) in results.iter().enumerate() {
            prop_assert_eq!(result.number as usize, n);
            prop_assert_eq!(&result.id, &format!("doc-{n}"));
        }
        assert_spans_agree(&texts, &results, &findings);
        // Sets kept in memory (no temporary file) verify the same way.
        let in_memory = EngineBuilder::new()
            .min_units(5)
            .near_segments(true)
            .spill_sets(false)
            .build()
            .expect("valid settings");
        prop_assert_eq!(&scan_in_memory(&in_memory, &texts, &batches, threads).1, &reference);

        let files = scan_files(&engine, &texts);
        let report = files.report.expect("corpus report");
        let blocks: Vec<Vec<Vec<Range<usize>>>> = results
            .iter()
            .map(|r| r.blocks.iter().map(|b| b.copies.iter().map(|c| c.bytes.clone()).collect()).collect())
            .collect();
        prop_assert_eq!(blocks, files.docs);
        prop_assert_eq!(&findings.clusters, &report.clusters);
        // The removal rule reads the same graph, so decides the same.
        prop_assert_eq!(&findings.duplicates, &report.duplicates);
        let removals = findings.duplicates.in_input_order();
        for (at, &x) in removals.kept.iter().enumerate() {
            for &y in &removals.kept[at + 1..] {
                prop_assert!(
                    findings.clusters.iter().all(|c| !(c.members.contains(&x) && c.members.contains(&y))),
                    "{} and {} kept in one cluster", x, y
                );
            }
        }
        for removed in &removals.removed {
            prop_assert!(removals.kept.binary_search(&removed.twin).is_ok());
            prop_assert!(removed.similarity >= engine.sketch_params().threshold);
        }
        let repeated: Vec<_> = findings
            .repeated
            .iter()
            .map(|r| (r.doc, r.segment, r.span.lines, r.first_doc, r.first_segment, r.first_span.lines))
            .collect();
        let from_files: Vec<_> = report
            .repeated
            .iter()
            .map(|r| (r.doc, r.segment, r.lines, r.first_doc, r.first_segment, r.first_lines))
            .collect();
        prop_assert_eq!(repeated, from_files);
        // Files of one folder are one boilerplate group, as texts in memory are.
        let boilerplate = |found: &[doppel::Boilerplate]| -> Vec<(String, usize, usize)> {
            found.iter().map(|b| (b.text.clone(), b.documents, b.group_documents)).collect()
        };
        prop_assert_eq!(boilerplate(&findings.boilerplate), boilerplate(&report.boilerplate));
        let passages: Vec<Vec<(u32, Range<usize>)>> = findings
            .passages
            .iter()
            .map(|p| p.copies.iter().map(|c| (c.doc, c.segments.clone())).collect())
            .collect();
        let file_passages: Vec<Vec<(u32, Range<usize>)>> = report
            .passages
            .iter()
            .map(|p| p.copies.iter().map(|c| (c.doc, c.segments.clone())).collect())
            .collect();
        prop_assert_eq!(passages, file_passages);
    }
}

#[test]
fn clusters_name_their_members_by_id_and_number() {
    let engine = EngineBuilder::new().build().expect("valid settings");
    let mut scan = engine.corpus_scan();
    let page = "A page that a crawler found twice, under two addresses, word for word the same. \
        It tells of a river that rose all night, of fields under water by morning, of farmers \
        who lost their seed and waited for the ground to dry before they could sow once more, \
        and of a mill that stood still for a week while the water went down.";
    let near = page.replace("crawler", "spider");
    let results = scan
        .add_batch([
            ("https://a.example/1", page.to_owned()),
            (
                "https://b.example/2",
                "Something else entirely, not a copy of anything.".to_owned(),
            ),
            ("https://c.example/3", page.to_owned()),
            ("https://d.example/4", near),
        ])
        .expect("numbered");
    assert_eq!(
        results.iter().map(|r| r.number).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    let findings = scan.finish().expect("findings");
    assert_eq!(findings.clusters.len(), 1, "{:?}", findings.clusters);
    let cluster = &findings.clusters[0];
    assert_eq!(cluster.members, [0, 2, 3]);
    assert!(!cluster.exact);
    assert_eq!(
        findings.cluster_ids(cluster),
        [
            "https://a.example/1",
            "https://c.example/3",
            "https://d.example/4"
        ]
    );
}

#[test]
fn block_offsets_slice_multibyte_text_as_bytes_and_as_characters() {
    let engine = EngineBuilder::new()
        .min_units(5)
        .build()
        .expect("valid settings");
    let mut scan = engine.corpus_scan();
    let repeated = "日本語の段落がここで二度繰り返されていることを確認するための文章です。";
    let text = format!("前書き 😀 héllo\n\n{repeated}\n\n中間の別の段落。\n\n{repeated}\n");
    let result = scan.add("ja", text.as_str()).expect("numbered");
    assert_eq!(result.blocks.len(), 1, "{:?}", result.blocks);
    let copies = &result.blocks[0].copies;
    assert_eq!(copies.len(), 2);
    for copy in copies {
        assert_eq!(&text[copy.bytes.clone()], repeated);
        assert_eq!(slice_chars(&text, &copy.chars), repeated);
        assert!(copy.chars.start < copy.bytes.start, "multi-byte text");
    }
}

#[test]
fn a_scan_without_corpus_findings_still_numbers_documents() {
    let engine = EngineBuilder::new()
        .across_documents(false)
        .build()
        .expect("valid settings");
    let mut scan = engine.corpus_scan();
    let page = "The same page twice, which only a corpus scan would see as one document.";
    let results = scan
        .add_batch([("x", page), ("y", page)])
        .expect("numbered");
    assert_eq!(results[1].number, 1);
    let findings = scan.finish().expect("findings");
    assert!(findings.clusters.is_empty());
    assert_eq!(findings.ids, ["x", "y"]);
}
