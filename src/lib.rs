//! doppel finds, removes and shows duplicated text.
pub mod decode;
pub mod document;

pub use decode::{decode, DecodeError, Decoded};
