//! Bytes to UTF-8 text: byte-order marks, encoding detection, decoding, and a
//! count of what could not be decoded.
//!
//! The order of decisions, first match wins:
//!
//! 1. an encoding the caller forces (`--encoding LABEL`);
//! 2. a byte-order mark: UTF-8, UTF-16LE, UTF-16BE (the mark is removed);
//! 3. where there are NUL bytes: UTF-16 without a mark when the NULs fall on
//!    one parity of offsets the way UTF-16 text puts them there, there are
//!    enough of them to tell (half the code units, or at least four in bytes
//!    that are not 8-bit text), and the result reads as text; else the input
//!    is binary (one stray NUL in ASCII text is binary, not UTF-16);
//! 4. valid UTF-8;
//! 5. otherwise [`chardetng`] guesses (UTF-8 allowed, no top-level-domain hint)
//!    and [`encoding_rs`] decodes.
//!
//! Every malformed sequence becomes U+FFFD and is counted in
//! [`Decoded::malformed`]. Text in which more than a tenth of the characters are
//! malformed sequences or control characters is not text in the encoding
//! chosen: that is [`DecodeError::Undecodable`].
//!
//! ```
//! let decoded = doppel::decode(b"caf\xe9 cr\xe8me", None).unwrap();
//! assert_eq!(decoded.text, "café crème");
//! assert_eq!(decoded.encoding.name(), "windows-1252");
//! ```

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// How the encoding of a document was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detection {
    /// Named by the caller.
    Forced,
    /// Read from a byte-order mark.
    Bom,
    /// The bytes are valid UTF-8.
    ValidUtf8,
    /// UTF-16 recognised by where its NUL bytes fall.
    Utf16Pattern,
    /// Guessed by `chardetng`.
    Guessed,
    /// A JSON string, decoded by the JSON parser.
    Json,
}

impl Detection {
    /// The name reports give it: `forced`, `bom`, `valid-utf8`,
    /// `utf16-pattern`, `guessed` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Detection::Forced => "forced",
            Detection::Bom => "bom",
            Detection::ValidUtf8 => "valid-utf8",
            Detection::Utf16Pattern => "utf16-pattern",
            Detection::Guessed => "guessed",
            Detection::Json => "json",
        }
    }
}

/// A decoded input.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The text, UTF-8, without a byte-order mark.
    pub text: String,
    /// The encoding used.
    pub encoding: &'static Encoding,
    /// How that encoding was chosen.
    pub detection: Detection,
    /// Whether the input started with a byte-order mark.
    pub bom: bool,
    /// Number of malformed sequences, each replaced by U+FFFD.
    pub malformed: usize,
}

/// Why bytes could not be turned into text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// NUL bytes that no UTF-16 pattern explains.
    #[error("binary file (NUL byte at offset {offset})")]
    Binary {
        /// Byte offset of the first NUL byte in the input.
        offset: usize,
    },
    /// Too much of the text is malformed or control characters.
    #[error(
        "cannot be decoded: as {encoding}, {bad} of {chars} characters are malformed or control characters"
    )]
    Undecodable {
        /// Name of the encoding the text was decoded as.
        encoding: &'static str,
        /// Characters that were malformed (U+FFFD) or control characters.
        bad: usize,
        /// Characters in the decoded text.
        chars: usize,
    },
}

/// Looks up an encoding by its WHATWG label (`gbk`, `shift_jis`, `utf-16le`…).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Decodes `bytes`, forcing `forced` when given.
pub fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Result<Decoded, DecodeError> {
    let decoded = if let Some(encoding) = forced {
        let (body, bom) = strip_bom_of(bytes, encoding);
        decode_with(body, encoding, Detection::Forced, bom)
    } else if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        decode_with(&bytes[bom_len..], encoding, Detection::Bom, true)
    } else if let Some(offset) = memchr::memchr(0, bytes) {
        // NULs that look like UTF-16 but decode to noise are binary too.
        return utf16_by_pattern(bytes)
            .map(|encoding| decode_with(bytes, encoding, Detection::Utf16Pattern, false))
            .and_then(|decoded| check_plausible(decoded).ok())
            .ok_or(DecodeError::Binary { offset });
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        Decoded {
            text: text.to_owned(),
            encoding: UTF_8,
            detection: Detection::ValidUtf8,
            bom: false,
            malformed: 0,
        }
    } else {
        decode_with(bytes, guess(bytes), Detection::Guessed, false)
    };
    check_plausible(decoded)
}

/// Decodes owned bytes exactly as [`decode`] does, but valid UTF-8 without a
/// byte-order mark or NUL bytes keeps its buffer instead of being copied.
pub fn decode_vec(
    bytes: Vec<u8>,
    forced: Option<&'static Encoding>,
) -> Result<Decoded, DecodeError> {
    let plain = forced.is_none()
        && Encoding::for_bom(&bytes).is_none()
        && memchr::memchr(0, &bytes).is_none();
    if !plain {
        return decode(&bytes, forced);
    }
    match String::from_utf8(bytes) {
        Ok(text) => check_plausible(Decoded {
            text,
            encoding: UTF_8,
            detection: Detection::ValidUtf8,
            bom: false,
            malformed: 0,
        }),
        Err(err) => decode(err.as_bytes(), None),
    }
}

/// Removes a byte-order mark that agrees with a forced encoding.
fn strip_bom_of<'a>(bytes: &'a [u8], encoding: &'static Encoding) -> (&'a [u8], bool) {
    match Encoding::for_bom(bytes) {
        Some((found, len)) if found == encoding => (&bytes[len..], true),
        _ => (bytes, false),
    }
}

/// Guesses with `chardetng`; GBK text that uses GB18030's four-byte
/// sequences is named gb18030 (encoding_rs decodes both alike).
fn guess(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    if guess == encoding_rs::GBK && has_gb18030_four_byte(bytes) {
        encoding_rs::GB18030
    } else {
        guess
    }
}

/// Whether GB18030 bytes contain a four-byte sequence (lead, digit, lead,
/// digit), which GBK does not have.
fn has_gb18030_four_byte(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if (0x81..=0xFE).contains(&b) && bytes[i + 1].is_ascii_digit() {
            return true;
        } else {
            i += 2;
        }
    }
    false
}

/// Recognises UTF-16 without a byte-order mark from where its NUL bytes
/// fall, in the first 64 KiB.
///
/// UTF-16 text in any script writes its line breaks, spaces and ASCII as a
/// text byte beside a NUL, so those NULs crowd one parity of offsets and are
/// nearly absent from the other. That alone is weak evidence: a single stray
/// NUL in ASCII text also sits on one parity. So the NULs must also be many:
///
/// - either at least half the code units are such a NUL-and-text-byte pair
///   (Latin-script text, where nearly every unit is one), or
/// - there are at least [`MIN_UTF16_TEXT_UNITS`] of them, they are at least
///   one unit in fifty, and the bytes make no sense as 8-bit text (invalid
///   UTF-8, or control characters other than NUL), as with Cyrillic, Greek
///   or CJK text, whose other code units put bytes like `04` or `9F` on
///   every other offset.
fn utf16_by_pattern(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(64 * 1024) & !1];
    if sample.len() < 4 {
        return None;
    }
    let units = sample.len() / 2;
    let little = NulPattern::count(sample, |pair| (pair[0], pair[1]));
    let big = NulPattern::count(sample, |pair| (pair[1], pair[0]));
    let convinces = |mine: &NulPattern, other: &NulPattern| {
        mine.nuls >= other.nuls * 10
            && mine.text_units >= 2
            && (mine.text_units * 2 >= units
                || (mine.text_units >= MIN_UTF16_TEXT_UNITS
                    && mine.text_units * 50 >= units
                    && !plausible_8bit(sample)))
    };
    if convinces(&little, &big) {
        Some(UTF_16LE)
    } else if convinces(&big, &little) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// The fewest NUL-and-text-byte code units that, with bytes that are not
/// 8-bit text, make UTF-16 (a sentence of Greek or two lines of Chinese
/// have that many).
const MIN_UTF16_TEXT_UNITS: usize = 4;

/// The NULs of a sample read as UTF-16 of one byte order.
struct NulPattern {
    /// Code units whose high byte is NUL.
    nuls: usize,
    /// Of those, the units whose low byte is a text character (printable
    /// Latin-1, tab, line break): U+0000 to U+00FF as text has them.
    text_units: usize,
}

impl NulPattern {
    /// Counts over `sample`; `low_high` splits a pair of bytes into the
    /// unit's low and high byte.
    fn count(sample: &[u8], low_high: impl Fn(&[u8]) -> (u8, u8)) -> NulPattern {
        let mut pattern = NulPattern {
            nuls: 0,
            text_units: 0,
        };
        for pair in sample.chunks_exact(2) {
            let (low, high) = low_high(pair);
            if high == 0 {
                pattern.nuls += 1;
                pattern.text_units += usize::from(is_latin1_text(low));
            }
        }
        pattern
    }
}

/// Whether a byte, as a Latin-1 character, occurs in text.
fn is_latin1_text(byte: u8) -> bool {
    byte != 0 && !is_stray_control(char::from(byte)) && !(0x80..0xA0).contains(&byte)
}

/// Whether `sample` reads as 8-bit text with stray NULs: valid UTF-8 (a
/// character cut at the end of the sample aside) and no other control
/// characters.
fn plausible_8bit(sample: &[u8]) -> bool {
    let valid = match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(err) => err.error_len().is_none(),
    };
    valid
        && !sample
            .iter()
            .any(|&b| b != 0 && is_stray_control(char::from(b)))
}

/// Decodes with `encoding`, counting malformed sequences.
fn decode_with(
    bytes: &[u8],
    encoding: &'static Encoding,
    detection: Detection,
    bom: bool,
) -> Decoded {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3);
    let mut text = String::with_capacity(capacity);
    let mut malformed = 0;
    let mut input = bytes;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(input, &mut text, true);
        input = &input[read..];
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::Malformed(_, _) => {
                malformed += 1;
                text.push('\u{FFFD}');
            }
            DecoderResult::OutputFull => text.reserve(input.len() * 3 + 16),
        }
    }
    Decoded {
        text,
        encoding,
        detection,
        bom,
        malformed,
    }
}

/// Refuses text that is mostly malformed sequences or control characters.
fn check_plausible(decoded: Decoded) -> Result<Decoded, DecodeError> {
    let bytes = decoded.text.as_bytes();
    if decoded.malformed == 0
        && !has_stray_controls(&decoded.text)
        && memchr::memmem::find(bytes, REPLACEMENT).is_none()
    {
        return Ok(decoded);
    }
    // Counted on bytes: a character starts at every byte that is not a UTF-8
    // continuation byte, and control characters are single bytes.
    let chars = bytes.iter().filter(|&&b| (b as i8) >= -0x40).count();
    let controls = bytes
        .iter()
        .filter(|&&b| is_stray_control(char::from(b)))
        .count();
    let bad = controls + memchr::memmem::find_iter(bytes, REPLACEMENT).count();
    if chars >= 16 && bad * 10 > chars {
        return Err(DecodeError::Undecodable {
            encoding: decoded.encoding.name(),
            bad,
            chars,
        });
    }
    Ok(decoded)
}

/// U+FFFD in UTF-8.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

fn has_stray_controls(text: &str) -> bool {
    // Without early exit inside a chunk, so the loop compiles to SIMD.
    text.as_bytes().chunks(4096).any(|chunk| {
        chunk
            .iter()
            .fold(false, |found, &b| found | is_stray_control(char::from(b)))
    })
}

/// Control characters that do not occur in text: everything in C0 but tab,
/// line feed, vertical tab, form feed, carriage return and escape.
fn is_stray_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{E}'..='\u{1A}' | '\u{1C}'..='\u{1F}' | '\u{7F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str, encoding: &'static Encoding) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn utf16le(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn utf16be(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    const ZH: &str = "新华社北京7月9日电，中共中央关于加强和改进党的群团工作的意见发布。\n群团事业是党的事业的重要组成部分。\n";

    #[test]
    fn valid_utf8_is_taken_as_is() {
        let decoded = decode(ZH.as_bytes(), None).unwrap();
        assert_eq!(decoded.text, ZH);
        assert_eq!(decoded.encoding, UTF_8);
        assert_eq!(decoded.detection, Detection::ValidUtf8);
        assert_eq!(decoded.malformed, 0);
    }

    #[test]
    fn boms_are_read_and_removed() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(utf16le(ZH));
        let decoded = decode(&bytes, None).unwrap();
        assert_eq!(
            (decoded.text.as_str(), decoded.encoding, decoded.bom),
            (ZH, UTF_16LE, true)
        );

        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(utf16be(ZH));
        assert_eq!(decode(&bytes, None).unwrap().encoding, UTF_16BE);

        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend(ZH.as_bytes());
        let decoded = decode(&bytes, None).unwrap();
        assert_eq!((decoded.text.as_str(), decoded.bom), (ZH, true));
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_nuls() {
        let text = "Hello, world.\nThis is UTF-16 text without a mark.\n";
        let decoded = decode(&utf16le(text), None).unwrap();
        assert_eq!((decoded.text.as_str(), decoded.encoding), (text, UTF_16LE));
        assert_eq!(decoded.detection, Detection::Utf16Pattern);
        let decoded = decode(&utf16be(text), None).unwrap();
        assert_eq!((decoded.text.as_str(), decoded.encoding), (text, UTF_16BE));
    }

    #[test]
    fn ascii_with_a_stray_nul_is_binary_not_utf16() {
        let bytes = b"hello\x00world this is plain ascii text with one nul byte in it\n";
        assert_eq!(
            decode(bytes, None).unwrap_err(),
            DecodeError::Binary { offset: 5 }
        );
        // A few more NULs, all on one parity, are still not UTF-16.
        let mut bytes = b"A line of ordinary ASCII text, long enough to count.\n".repeat(20);
        for at in (101..bytes.len()).step_by(100) {
            bytes[at] = 0;
        }
        assert!(matches!(
            decode(&bytes, None),
            Err(DecodeError::Binary { .. })
        ));
        assert_eq!(
            decode(b"ab\x00c", None).unwrap_err(),
            DecodeError::Binary { offset: 2 }
        );
    }

    #[test]
    fn utf16_of_scripts_with_few_ascii_units_is_recognised() {
        let texts = [
            "Съешь же ещё этих мягких французских булок, да выпей чаю.\n",
            "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.\n",
            ZH,
            "hi\n",
        ];
        for text in texts {
            for (bytes, encoding) in [(utf16le(text), UTF_16LE), (utf16be(text), UTF_16BE)] {
                let decoded = decode(&bytes, None).unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!((decoded.text.as_str(), decoded.encoding), (text, encoding));
            }
        }
    }

    #[test]
    fn nuls_on_one_parity_that_decode_to_noise_are_binary() {
        // Little-endian 16-bit numbers: NUL high bytes, control low bytes.
        let bytes: Vec<u8> = (0..2000u16).flat_map(|i| (i % 31).to_le_bytes()).collect();
        assert!(matches!(
            decode(&bytes, None),
            Err(DecodeError::Binary { .. })
        ));
    }

    #[test]
    fn cjk_utf16_without_bom_is_recognised_by_line_breaks_and_ascii() {
        let text = ZH.repeat(3);
        let decoded = decode(&utf16le(&text), None).unwrap();
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn legacy_cjk_encodings_are_guessed() {
        let zh = ZH.repeat(4);
        for encoding in [encoding_rs::GBK, encoding_rs::GB18030] {
            let decoded = decode(&encode(&zh, encoding), None).unwrap();
            assert_eq!(decoded.text, zh);
            assert_eq!(decoded.detection, Detection::Guessed);
        }
        let ja = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。\n".repeat(4);
        let decoded = decode(&encode(&ja, encoding_rs::SHIFT_JIS), None).unwrap();
        assert_eq!(
            (decoded.text.as_str(), decoded.encoding),
            (ja.as_str(), encoding_rs::SHIFT_JIS)
        );
        let ko = "대한민국은 민주공화국이다. 모든 권력은 국민으로부터 나온다.\n".repeat(4);
        let decoded = decode(&encode(&ko, encoding_rs::EUC_KR), None).unwrap();
        assert_eq!(
            (decoded.text.as_str(), decoded.encoding),
            (ko.as_str(), encoding_rs::EUC_KR)
        );
    }

    #[test]
    fn malformed_sequences_are_counted() {
        let mut bytes = encode(&ZH.repeat(4), encoding_rs::GBK);
        bytes.insert(10, 0x81);
        let decoded = decode(&bytes, Some(encoding_rs::GBK)).unwrap();
        assert_eq!(decoded.malformed, 1);
        assert_eq!(decoded.text.matches('\u{FFFD}').count(), 1);
    }

    #[test]
    fn nul_bytes_without_a_utf16_pattern_are_binary() {
        let bytes = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00 some \xff\xfe text";
        assert_eq!(
            decode(bytes, None).unwrap_err(),
            DecodeError::Binary { offset: 7 }
        );
    }

    #[test]
    fn control_noise_is_undecodable() {
        let bytes: Vec<u8> = (0..4000u32).map(|i| (i * 37 % 255 + 1) as u8).collect();
        assert!(matches!(
            decode(&bytes, None),
            Err(DecodeError::Undecodable { .. })
        ));
    }

    #[test]
    fn forcing_the_wrong_encoding_is_undecodable() {
        let bytes = encode(&ZH.repeat(4), encoding_rs::GBK);
        let err = decode(&bytes, Some(UTF_8)).unwrap_err();
        assert!(err.to_string().contains("as UTF-8"), "{err}");
    }

    #[test]
    fn decode_vec_agrees_with_decode() {
        let zh = ZH.repeat(4);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend(ZH.as_bytes());
        let inputs: Vec<Vec<u8>> = vec![
            ZH.as_bytes().to_vec(),
            encode(&zh, encoding_rs::GBK),
            utf16le(ZH),
            bom,
            b"".to_vec(),
            b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00".to_vec(),
            b"hello\x00world, plain ASCII with one NUL byte".to_vec(),
        ];
        for bytes in inputs {
            let a = decode(&bytes, None).map(|d| (d.text, d.encoding, d.detection, d.bom));
            let b = decode_vec(bytes, None).map(|d| (d.text, d.encoding, d.detection, d.bom));
            assert_eq!(a, b);
        }
    }

    #[test]
    fn empty_input_is_empty_text() {
        let decoded = decode(b"", None).unwrap();
        assert_eq!(decoded.text, "");
    }

    #[test]
    fn labels_are_whatwg_labels() {
        assert_eq!(encoding_for_label("gbk"), Some(encoding_rs::GBK));
        assert_eq!(encoding_for_label("sjis"), Some(encoding_rs::SHIFT_JIS));
        assert_eq!(encoding_for_label("no-such"), None);
    }
}
