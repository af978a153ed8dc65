//! Property: `clean` followed by `restore` gives every input back byte for
//! byte, whatever the encodings, line endings and duplication, on generated
//! corpora (through the library, so many cases run quickly).

use std::path::{Path, PathBuf};

use doppel::clean::restore::restore;
use doppel::clean::run::{clean, CleanOptions, Silent};
use doppel::clean::Keep;
use doppel::input::{expand, InputOptions};
use doppel::EngineBuilder;
use proptest::prelude::*;

const LATIN: &[&str] = &[
    "harbour", "crane", "ship", "cargo", "morning", "storm", "council", "river", "bridge",
    "market", "café", "naïve",
];
const HAN: &[&str] = &[
    "港口", "码头", "货物", "今天", "工人", "城市", "河流", "大桥", "市场", "老师", "花园", "機器",
];
const KANA: &[&str] = &[
    "みなと",
    "ふね",
    "あさ",
    "かわ",
    "はし",
    "いちば",
    "せんせい",
    "にわ",
    "港",
    "船",
];
const HANGUL: &[&str] = &["항구", "배", "아침", "강", "다리", "시장", "선생님", "정원"];

/// An encoding and the vocabulary it can carry.
#[derive(Clone, Copy, Debug)]
enum Enc {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Gb18030,
    Big5,
    ShiftJis,
    EucKr,
    Windows1252,
}

impl Enc {
    fn words(self) -> &'static [&'static str] {
        match self {
            Enc::Big5 => &[
                "港口", "貨物", "今天", "工人", "城市", "河流", "大橋", "市場", "老師", "花園",
            ],
            Enc::ShiftJis => KANA,
            Enc::EucKr => HANGUL,
            Enc::Windows1252 => LATIN,
            Enc::Gb18030 => HAN,
            _ => &["harbour", "码头", "みなと", "항구", "😀", "river"],
        }
    }

    fn encode(self, text: &str) -> Vec<u8> {
        let legacy = |encoding: &'static encoding_rs::Encoding| {
            let (bytes, _, unmappable) = encoding.encode(text);
            assert!(!unmappable, "{encoding:?} cannot carry {text:?}");
            bytes.into_owned()
        };
        match self {
            Enc::Utf8 => text.as_bytes().to_vec(),
            Enc::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
            Enc::Utf16Le => [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
            Enc::Utf16Be => [0xFE, 0xFF]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
            Enc::Gb18030 => legacy(encoding_rs::GB18030),
            Enc::Big5 => legacy(encoding_rs::BIG5),
            Enc::ShiftJis => legacy(encoding_rs::SHIFT_JIS),
            Enc::EucKr => legacy(encoding_rs::EUC_KR),
            Enc::Windows1252 => legacy(encoding_rs::WINDOWS_1252),
        }
    }
}

fn any_enc() -> impl Strategy<Value = Enc> {
    prop_oneof![
        Just(Enc::Utf8),
        Just(Enc::Utf8Bom),
        Just(Enc::Utf16Le),
        Just(Enc::Utf16Be),
        Just(Enc::Gb18030),
        Just(Enc::Big5),
        Just(Enc::ShiftJis),
        Just(Enc::EucKr),
        Just(Enc::Windows1252),
    ]
}

/// A document: paragraphs picked (with repeats) from a small pool, joined by
/// a line ending of the case's choice.
#[derive(Clone, Debug)]
struct Doc {
    enc: Enc,
    paragraphs: Vec<usize>,
    eol: &'static str,
    final_eol: bool,
}

fn any_doc() -> impl Strategy<Value = Doc> {
    (
        any_enc(),
        prop::collection::vec(0usize..6, 1..10),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        any::<bool>(),
    )
        .prop_map(|(enc, paragraphs, eol, final_eol)| Doc {
            enc,
            paragraphs,
            eol,
            final_eol,
        })
}

fn paragraph(enc: Enc, index: usize) -> String {
    let words = enc.words();
    let sep = if matches!(enc, Enc::Windows1252) {
        " "
    } else {
        ""
    };
    (0..14 + index * 3)
        .map(|i| words[(i * 7 + index * 5 + i * i) % words.len()])
        .collect::<Vec<_>>()
        .join(if index % 2 == 0 { " " } else { sep })
}

fn render(doc: &Doc) -> Vec<u8> {
    let gap = format!("{0}{0}", doc.eol);
    let mut text = doc
        .paragraphs
        .iter()
        .map(|&p| paragraph(doc.enc, p))
        .collect::<Vec<_>>()
        .join(&gap);
    if doc.final_eol {
        text.push_str(doc.eol);
    }
    doc.enc.encode(&text)
}

fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<_> = walk(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir)
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
                std::fs::read(&p).unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn clean_then_restore_gives_every_input_back(docs in prop::collection::vec(any_doc(), 1..6), boilerplate in any::<bool>(), keep in 0..3u8) {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("corpus");
        std::fs::create_dir_all(input.join("sub")).expect("folder");
        for (at, doc) in docs.iter().enumerate() {
            let folder = if at % 2 == 0 { input.clone() } else { input.join("sub") };
            std::fs::write(folder.join(format!("doc{at}.txt")), render(doc)).expect("write");
        }
        // An exact copy, so whole documents are removed too.
        std::fs::write(input.join("sub/copy.txt"), render(&docs[0])).expect("write");
        let out = dir.path().join("out");
        let back = dir.path().join("back");
        let inputs = vec![input.clone()];
        let (entries, problems) = expand(&inputs, &InputOptions::default());
        prop_assert!(problems.is_empty());
        let options = CleanOptions {
            out: out.clone(),
            keep: [Keep::First, Keep::Longest, Keep::Cleanest][keep as usize],
            documents: true,
            blocks: true,
            segments: true,
            boilerplate,
            dry_run: false,
            allow_lossy: false,
            repair: false,
            drop_damaged: None,
        };
        let engine = EngineBuilder::new().find(options.findings()).build().expect("valid settings");
        let report = clean(&engine, &inputs, &entries, vec![], &options, &Silent).expect("clean runs");
        prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
        prop_assert!(report.manifest.removed_documents >= 1);
        let restored = restore(&out, &back).expect("restore runs");
        prop_assert_eq!(restored.exact, restored.documents, "{:?}", restored.as_text);
        prop_assert_eq!(files(&back.join("corpus")), files(&input));
    }
}
