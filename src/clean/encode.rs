//! Text back to the bytes it was decoded from.
//!
//! `encoding_rs` encodes every legacy encoding but writes UTF-8 for UTF-16
//! (as the web requires); UTF-16 is encoded here. A byte-order mark is put
//! back when the input had one.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Encodes `text` in `encoding`, with a byte-order mark when `bom`; `None`
/// when a character has no mapping in the encoding.
pub fn encode(text: &str, encoding: &'static Encoding, bom: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() + 3);
    if encoding == UTF_16LE || encoding == UTF_16BE {
        if bom {
            out.extend(if encoding == UTF_16LE {
                [0xFF, 0xFE]
            } else {
                [0xFE, 0xFF]
            });
        }
        for unit in text.encode_utf16() {
            out.extend(if encoding == UTF_16LE {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        return Some(out);
    }
    if bom && encoding == UTF_8 {
        out.extend([0xEF, 0xBB, 0xBF]);
    }
    let (bytes, _, unmappable) = encoding.encode(text);
    if unmappable {
        return None;
    }
    out.extend_from_slice(&bytes);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    #[test]
    fn decoding_then_encoding_gives_the_bytes_back() {
        let text = "群團事業是黨的事業\r\n第二行\n";
        for (encoding, bom) in [
            (UTF_8, false),
            (UTF_8, true),
            (UTF_16LE, true),
            (UTF_16BE, true),
            (UTF_16LE, false),
            (encoding_rs::GB18030, false),
            (encoding_rs::BIG5, false),
        ] {
            let bytes = encode(text, encoding, bom).unwrap();
            let decoded = decode(&bytes, Some(encoding)).unwrap();
            assert_eq!(decoded.text, text, "{}", encoding.name());
            assert_eq!(encode(&decoded.text, encoding, decoded.bom).unwrap(), bytes);
        }
    }

    #[test]
    fn unmappable_characters_are_refused() {
        assert!(encode("中文", encoding_rs::WINDOWS_1252, false).is_none());
    }
}
