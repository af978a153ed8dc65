//! The JSON Lines reader and the text-field editor.
//!
//! The input is a JSON Lines file read from memory (fields `text`, `id`,
//! `site`). Invariants: the reader yields one item per non-blank line, with
//! the right line number and the line's bytes as `raw`; a record's text, id
//! and site are what `serde_json` decodes for those fields; a line the reader
//! refuses is one that is not a JSON object with a unique string `text` and
//! a unique string-or-number `id` and `site`; `replace_text` with the record's
//! own text gives the same JSON value, and with another text gives a line
//! whose `text` is that text and whose other members are unchanged.
#![no_main]

use std::io::Cursor;

use doppel::input::jsonl::{replace_text, Compression, JsonlOptions, JsonlReader};
use doppel_fuzz::members::Members;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// Texts put in place of a record's own, beside variations of it.
const OTHER_TEXTS: &[&str] = &[
    "",
    "plain",
    "quote \" backslash \\ slash / tab \t newline \n return \r",
    "\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f}\u{80}\u{9f}",
    "café 中文 😀 \u{2028}\u{2029} \u{fffd} \u{feff}",
];

fuzz_target!(|data: &[u8]| {
    let compression = match data {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        _ => Compression::None,
    };
    let options = JsonlOptions {
        site_field: Some("site".to_owned()),
        ..JsonlOptions::default()
    };
    let Ok(reader) = JsonlReader::new(
        Cursor::new(data.to_vec()),
        compression,
        "fuzz.jsonl",
        &options,
    ) else {
        return;
    };
    if compression != Compression::None {
        // Decompression is only checked for not panicking.
        reader.for_each(drop);
        return;
    }
    let expected = non_blank_lines(data);
    let items: Vec<_> = reader.collect();
    assert_eq!(items.len(), expected.len(), "one item per non-blank line");
    for (item, (line, bytes)) in items.into_iter().zip(expected) {
        match item {
            Ok(record) => {
                assert_eq!(record.line, line, "record line number");
                assert_eq!(record.raw.as_bytes(), bytes, "record raw line");
                check_record(
                    &record.raw,
                    &record.text,
                    &record.id,
                    record.site.as_deref(),
                    line,
                );
            }
            Err(err) => {
                assert_eq!(err.line, line, "error line number");
                assert!(
                    !acceptable(bytes),
                    "line {line} refused ({}) though it is a valid record",
                    err.message
                );
            }
        }
    }
});

/// The non-blank lines of a JSON Lines file as the reader defines them:
/// split at `\n`, `\r\n` taken as a line end, a UTF-8 byte-order mark at the
/// start dropped, lines of JSON white space only skipped.
fn non_blank_lines(data: &[u8]) -> Vec<(usize, &[u8])> {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    if data.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (at, line) in data.split(|&b| b == b'\n').enumerate() {
        let mut line = line.strip_suffix(b"\r").unwrap_or(line);
        if at == 0 {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if !line
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            out.push((at + 1, line));
        }
    }
    out
}

fn check_record(raw: &str, text: &str, id: &str, site: Option<&str>, line: usize) {
    let value: Value = match serde_json::from_str(raw) {
        Ok(value) => value,
        // serde_json's `Value` holds numbers as f64; the reader only checks
        // their syntax.
        Err(err) if err.to_string().contains("number out of range") => return,
        // Nor lone surrogate escapes, which the JSON grammar allows and the
        // reader leaves alone in members other than the text.
        Err(err)
            if err.to_string().contains("surrogate") || err.to_string().contains("hex escape") =>
        {
            return
        }
        Err(err) => panic!("a record's line is not JSON: {err}"),
    };
    let object = value.as_object().expect("a record's line is an object");
    assert_eq!(
        object.get("text"),
        Some(&Value::String(text.to_owned())),
        "text"
    );
    assert_key(object.get("id"), Some(id), Some(line), "id");
    assert_key(object.get("site"), site, None, "site");

    let same = replace_text(raw, "text", text).expect("the record's own line is editable");
    let reparsed: Value = serde_json::from_str(&same).expect("edited line is JSON");
    assert_eq!(
        reparsed, value,
        "writing the same text back changes the value"
    );

    let mut others: Vec<String> = OTHER_TEXTS.iter().map(|s| (*s).to_owned()).collect();
    others.push(text.chars().rev().collect());
    others.push(format!("{text}\u{7f}é\"\\\n😀"));
    for other in others {
        let edited = replace_text(raw, "text", &other).expect("the record's line is editable");
        let mut reparsed: Map<String, Value> =
            serde_json::from_str(&edited).expect("edited line is a JSON object");
        assert_eq!(
            reparsed.remove("text"),
            Some(Value::String(other.clone())),
            "edited text reads back otherwise"
        );
        let mut rest = object.clone();
        rest.remove("text");
        assert_eq!(reparsed, rest, "editing the text changed another member");
    }
}

/// An id or site as the reader gives it: a string decoded, a number as
/// written; absent or null is the line number for an id, nothing for a site.
fn assert_key(value: Option<&Value>, found: Option<&str>, line: Option<usize>, what: &str) {
    match value {
        None | Some(Value::Null) => {
            assert_eq!(
                found.map(str::to_owned),
                line.map(|l| l.to_string()),
                "{what}"
            )
        }
        Some(Value::String(s)) => assert_eq!(found, Some(s.as_str()), "{what}"),
        Some(number @ Value::Number(_)) => {
            let written = found.unwrap_or_else(|| panic!("{what}: number not read"));
            let reread: Value = serde_json::from_str(written).expect("a number as written");
            assert_eq!(&reread, number, "{what}");
        }
        Some(other) => panic!("{what}: accepted {other}"),
    }
}

/// Whether a line is a record the reader must accept: a UTF-8 JSON object
/// whose `text` appears once as a string, and whose `id` and `site` appear at
/// most once each as a string, a number or null.
fn acceptable(bytes: &[u8]) -> bool {
    let Ok(line) = std::str::from_utf8(bytes) else {
        return false;
    };
    let Ok(Members(members)) = serde_json::from_str::<Members>(line) else {
        return false;
    };
    let count = |name: &str| members.iter().filter(|(k, _)| k == name).count();
    let get = |name: &str| members.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let keyish = |name: &str| {
        matches!(
            (count(name), get(name)),
            (0, _) | (1, Some(Value::String(_) | Value::Number(_) | Value::Null))
        )
    };
    count("text") == 1
        && matches!(get("text"), Some(Value::String(_)))
        && keyish("id")
        && keyish("site")
}
