//! Inputs of the `signatures` target: signature files, with their footer's
//! checksum rewritten to match their contents so that a mutation gets past
//! the checksum to the checks behind it.
//!
//! The checksum is an xxh3-64 of every byte before the end-of-stream marker
//! that precedes the footer, kept as 16 hex digits in the footer's custom
//! metadata (`doppel.checksum`); the footer is after the bytes it covers,
//! so it can be rewritten in place. The library is left with no entry that
//! skips the check.

use doppel::signature::CHECKSUM_KEY;

/// Bytes of the end-of-stream marker before the footer.
const EOS: usize = 8;

/// `bytes` with the footer's checksum rewritten to match, when the file
/// ends with a readable Arrow footer holding one at least 16 characters
/// wide (written with leading zeros); `None` otherwise.
pub fn reseal(bytes: &[u8]) -> Option<Vec<u8>> {
    let len = bytes.len();
    let trailer = bytes.get(len.checked_sub(10)?..)?;
    if &trailer[4..] != b"ARROW1" {
        return None;
    }
    let footer_len = usize::try_from(i32::from_le_bytes(trailer[..4].try_into().ok()?)).ok()?;
    let footer_start = (len - 10).checked_sub(footer_len)?;
    let body_end = footer_start.checked_sub(EOS)?;
    let footer = arrow_ipc::root_as_footer(&bytes[footer_start..len - 10]).ok()?;
    let value = footer
        .custom_metadata()?
        .iter()
        .find(|pair| pair.key() == Some(CHECKSUM_KEY))?
        .value()?;
    // The value is a slice of `bytes`: its place in the file.
    let at = (value.as_ptr() as usize).checked_sub(bytes.as_ptr() as usize)?;
    let width = value.len();
    if width < 16 || at < footer_start || at + width > len {
        return None;
    }
    let sum = xxhash_rust::xxh3::xxh3_64(&bytes[..body_end]);
    let mut sealed = bytes.to_vec();
    sealed[at..at + width].copy_from_slice(format!("{sum:0width$x}").as_bytes());
    Some(sealed)
}
