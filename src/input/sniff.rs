//! Telling JSON Lines by content, for `--input-format auto`.
//!
//! A `.json` file (also `.json.gz`, `.json.zst`) and standard input are
//! read as JSON Lines when their content says so, else as text. The content
//! says so when the first non-blank line is a whole JSON object, and either
//! that object holds the text field as a string, or the next non-blank line
//! is a whole JSON object too. So a Hugging Face `to_json` file (one object
//! per line) is JSON Lines, and a JSON document is not: a pretty-printed
//! one does not close its object on its first line, and a minified one is a
//! single line (a configuration file, say) without the text field.
//!
//! Only the first two non-blank lines are looked at, each up to
//! [`SNIFF_LINE_BYTES`]; a longer first line is not looked at (the input
//! is text), and `--input-format jsonl` says what content cannot.

use std::io::{BufRead, Read};
use std::path::Path;

use serde_json::{Map, Value};

use super::jsonl::{decompressed, Compression};

/// The longest line looked at.
pub(crate) const SNIFF_LINE_BYTES: u64 = 16 << 20;

/// Whether the file name is one whose content is looked at: `.json`,
/// optionally followed by `.gz` or `.zst` (any case).
pub(crate) fn is_json_path(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [".json", ".json.gz", ".json.zst"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// Whether the file at `path` holds JSON Lines by its content (see the
/// module docs); a file that cannot be read is not, and its read says why.
pub(crate) fn file_is_jsonl(path: &Path, text_field: &str) -> bool {
    let bytes = match super::special::kind_of(path) {
        // A FIFO is read once and kept: looking at it costs nothing more.
        super::special::FileKind::Fifo => match super::special::read_any(path) {
            Ok(bytes) => bytes,
            Err(_) => return false,
        },
        super::special::FileKind::Refused(_) => return false,
        super::special::FileKind::Plain => {
            return std::fs::File::open(path)
                .ok()
                .and_then(|file| decompressed(file, Compression::from_path(path)).ok())
                .is_some_and(|input| is_jsonl(input, text_field));
        }
    };
    decompressed(std::io::Cursor::new(bytes), Compression::from_path(path))
        .is_ok_and(|input| is_jsonl(input, text_field))
}

/// Whether `input` holds JSON Lines by its content (see the module docs).
pub(crate) fn is_jsonl(mut input: impl BufRead, text_field: &str) -> bool {
    let Some(first) = next_object(&mut input, true) else {
        return false;
    };
    first.get(text_field).is_some_and(Value::is_string) || next_object(&mut input, false).is_some()
}

/// The next non-blank line as a JSON object, if it is one.
fn next_object(input: &mut impl BufRead, first: bool) -> Option<Map<String, Value>> {
    let mut line = Vec::new();
    let mut at_start = first;
    loop {
        line.clear();
        let read = input
            .by_ref()
            .take(SNIFF_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .ok()?;
        if read == 0 || line.len() as u64 > SNIFF_LINE_BYTES {
            return None;
        }
        let mut bytes = line.as_slice();
        if at_start {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            at_start = false;
        }
        let trimmed = bytes.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.first() != Some(&b'{') {
            return None;
        }
        return serde_json::from_slice(trimmed).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(text: &str) -> bool {
        is_jsonl(text.as_bytes(), "text")
    }

    #[test]
    fn one_object_per_line_is_json_lines() {
        assert!(sniff("{\"text\": \"a\"}\n{\"text\": \"b\"}\n"));
        assert!(sniff("\u{feff}\n  \n{\"text\": \"only one\"}"));
        // Without the text field, two objects still make JSON Lines.
        assert!(sniff(
            "{\"content\": \"a\"}\r\n\r\n{\"content\": \"b\"}\r\n"
        ));
    }

    #[test]
    fn a_json_document_is_not_json_lines() {
        assert!(!sniff("{\n  \"text\": \"pretty\"\n}\n"));
        assert!(!sniff(
            "{\"name\": \"a minified config\", \"version\": 2}\n"
        ));
        assert!(!sniff("[{\"text\": \"an array\"}]\n"));
        assert!(!sniff("{\"text\": 3}\n"));
        assert!(!sniff("{\"a\": 1}\nnot json\n"));
        assert!(!sniff("plain text\n"));
        assert!(!sniff(""));
        assert!(!sniff("{\"text\": \"cut"));
    }

    #[test]
    fn json_names_are_looked_at() {
        for (name, looked) in [
            ("data.json", true),
            ("DATA.JSON.GZ", true),
            ("a.json.zst", true),
            ("a.jsonl", false),
            ("a.json.txt", false),
            ("json", false),
        ] {
            assert_eq!(is_json_path(Path::new(name)), looked, "{name}");
        }
    }
}
