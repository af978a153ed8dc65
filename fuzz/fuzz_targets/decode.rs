//! `decode`: arbitrary bytes, detected or in a forced encoding.
//!
//! The first byte chooses: below 0x80, detection; otherwise one of
//! [`FORCED`]. Invariants: no panic; `decode_vec` agrees with `decode`; a
//! byte-order mark is reported only when there was one; with no malformed
//! sequence, an encoding that maps bytes to characters one to one encodes the
//! text back to the input bytes (what `clean` relies on to call a document
//! lossless); every other encoding's `encode` does not panic.
#![no_main]

use doppel::clean::encode::encode;
use doppel::decode::Detection;
use doppel::{decode, decode_vec};
use encoding_rs::Encoding;
use libfuzzer_sys::fuzz_target;

const FORCED: &[&Encoding] = &[
    encoding_rs::UTF_8,
    encoding_rs::UTF_16LE,
    encoding_rs::UTF_16BE,
    encoding_rs::WINDOWS_1252,
    encoding_rs::GB18030,
    encoding_rs::GBK,
    encoding_rs::BIG5,
    encoding_rs::SHIFT_JIS,
    encoding_rs::EUC_KR,
    encoding_rs::EUC_JP,
    encoding_rs::ISO_2022_JP,
    encoding_rs::KOI8_R,
    encoding_rs::ISO_8859_2,
    encoding_rs::X_USER_DEFINED,
    encoding_rs::REPLACEMENT,
];

/// Encodings whose decoding without a malformed sequence is undone exactly
/// by encoding: UTF-8, UTF-16 (encoded by doppel itself) and the
/// single-byte encodings.
fn round_trips(encoding: &'static Encoding) -> bool {
    encoding == encoding_rs::UTF_8
        || encoding == encoding_rs::UTF_16LE
        || encoding == encoding_rs::UTF_16BE
        || encoding.is_single_byte()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let forced = (selector >= 0x80).then(|| FORCED[usize::from(selector) % FORCED.len()]);
    let result = decode(bytes, forced);
    let owned = decode_vec(bytes.to_vec(), forced);
    match (&result, &owned) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.text, b.text, "decode_vec gives another text");
            assert_eq!(
                (a.encoding, a.detection, a.bom, a.malformed),
                (b.encoding, b.detection, b.bom, b.malformed),
                "decode_vec decodes otherwise"
            );
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "decode_vec fails otherwise"),
        _ => panic!("decode and decode_vec disagree: {result:?} / {owned:?}"),
    }
    let Ok(decoded) = result else {
        return;
    };
    assert_eq!(
        decoded.detection == Detection::Forced,
        forced.is_some(),
        "detection {:?} with forced {:?}",
        decoded.detection,
        forced.map(Encoding::name)
    );
    if let Some(encoding) = forced {
        assert_eq!(decoded.encoding, encoding, "forced encoding not used");
    }
    if decoded.bom {
        let (found, _) = Encoding::for_bom(bytes).expect("bom reported without one");
        assert_eq!(found, decoded.encoding, "bom of another encoding reported");
    }
    assert!(
        decoded.malformed <= decoded.text.matches('\u{FFFD}').count(),
        "more malformed sequences counted than replacement characters written"
    );
    let encoded = encode(&decoded.text, decoded.encoding, decoded.bom);
    if decoded.malformed == 0 && round_trips(decoded.encoding) {
        let encoded = encoded.unwrap_or_else(|| {
            panic!(
                "{}: decoded text cannot be encoded back",
                decoded.encoding.name()
            )
        });
        assert!(
            encoded == bytes,
            "{} ({:?}, bom {}): encoding the decoded text does not give the input back",
            decoded.encoding.name(),
            decoded.detection,
            decoded.bom
        );
    }
});
