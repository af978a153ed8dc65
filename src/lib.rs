//! doppel finds, removes and shows duplicated text.
pub mod decode;
pub mod diff;
pub mod document;

pub use decode::{decode, decode_vec, DecodeError, Decoded};
pub use diff::{Comparison, DiffOptions};
