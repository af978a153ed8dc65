//! `clean` then `restore` of one generated document gives it back.
//!
//! The first byte chooses the encoding, the line ends, whether the document
//! is a text file or a JSON Lines file, and how the text (the rest of the
//! input, read as UTF-8 with invalid sequences replaced) is repeated in it.
//! Invariants: `clean` and `restore` succeed; a document the manifest calls
//! lossless comes back byte for byte, any other as its decoded text; a JSON
//! Lines file written by `serde_json` comes back byte for byte.
#![no_main]

use doppel::clean::encode::encode;
use doppel::clean::manifest::Line;
use doppel::clean::restore::restore;
use doppel::decode;
use doppel_fuzz::corpus::clean_paths;
use doppel_fuzz::{one_thread, Sandbox};
use encoding_rs::Encoding;
use libfuzzer_sys::fuzz_target;

/// Encodings and whether the file starts with a byte-order mark.
const ENCODINGS: [(&Encoding, bool); 8] = [
    (encoding_rs::UTF_8, false),
    (encoding_rs::UTF_8, true),
    (encoding_rs::UTF_16LE, true),
    (encoding_rs::UTF_16BE, true),
    (encoding_rs::UTF_16LE, false),
    (encoding_rs::GB18030, false),
    (encoding_rs::SHIFT_JIS, false),
    (encoding_rs::WINDOWS_1252, false),
];

fuzz_target!(|data: &[u8]| {
    one_thread();
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let (encoding, bom) = ENCODINGS[usize::from(choice & 7)];
    let crlf = choice & 8 != 0;
    let jsonl = choice & 16 != 0;
    let text = String::from_utf8_lossy(rest);
    let pieces = repeated(&text, choice >> 5);
    let pieces: Vec<String> = if crlf {
        pieces.iter().map(|p| p.replace('\n', "\r\n")).collect()
    } else {
        pieces
    };

    let (name, bytes) = if jsonl {
        let lines: String = pieces
            .iter()
            .enumerate()
            .map(|(id, piece)| {
                let text = serde_json::to_string(piece).expect("a JSON string");
                format!("{{\"id\":{id},\"text\":{text}}}\n")
            })
            .collect();
        ("doc.jsonl", lines.into_bytes())
    } else {
        let separator = if crlf { "\r\n\r\n" } else { "\n\n" };
        let Some(bytes) = encode(&pieces.join(separator), encoding, bom) else {
            return;
        };
        ("doc.txt", bytes)
    };

    let sandbox = Sandbox::new();
    let input = sandbox.root().join(name);
    std::fs::write(&input, &bytes).expect("the input");
    let out = sandbox.root().join("out");
    let report = clean_paths(&[input], &out);
    if !report.problems.is_empty() {
        // Binary or undecodable: nothing was cleaned.
        return;
    }
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).expect("a manifest");
    let documents: Vec<_> = manifest
        .lines()
        .map(|line| serde_json::from_str::<Line>(line).expect("a manifest line"))
        .filter_map(|line| match line {
            Line::Document(doc) => Some(doc),
            _ => None,
        })
        .collect();
    let dir = sandbox.root().join("dir");
    let restored = restore(&out, &dir).unwrap_or_else(|e| panic!("restore fails: {e}"));
    assert!(
        restored.is_complete(),
        "restore is incomplete: {restored:?}"
    );
    let back = std::fs::read(dir.join(name)).expect("the restored document");
    if jsonl {
        assert!(
            documents.iter().all(|d| d.lossless),
            "serde_json lines not lossless"
        );
        assert!(
            back == bytes,
            "the JSON Lines file does not come back byte for byte"
        );
        assert_eq!(restored.exact, restored.documents, "{restored:?}");
    } else if documents.iter().all(|d| d.lossless) {
        assert!(
            back == bytes,
            "a lossless document does not come back byte for byte"
        );
        assert_eq!(restored.exact, restored.documents, "{restored:?}");
    } else {
        let decoded = decode(&bytes, None).expect("a cleaned document decodes");
        assert!(
            back == decoded.text.as_bytes(),
            "a lossy document does not come back as its text"
        );
    }
});

/// The text repeated in one of eight layouts, whole and by halves.
fn repeated(text: &str, layout: u8) -> Vec<String> {
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let (head, tail) = (&text[..cut], &text[cut..]);
    let parts: &[&str] = match layout {
        0 => &[text],
        1 => &[text, text],
        2 => &[text, head, text],
        3 => &[head, tail, head, tail],
        4 => &[
            text,
            "A line between the copies, long enough to count.",
            text,
        ],
        5 => &[tail, head, tail, head, text],
        6 => &[head, head, head],
        _ => &[text, tail, text, head, text],
    };
    parts.iter().map(|p| (*p).to_owned()).collect()
}
