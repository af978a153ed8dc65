//! doppel finds, removes and shows duplicated text.
pub mod decode;
pub mod document;
pub mod quality;

pub use decode::{decode, DecodeError, Decoded};
pub use quality::{Damage, Preference, Variant};
