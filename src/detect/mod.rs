//! Finding duplicated text.
//!
//! - [`within`]: blocks that a document repeats inside itself.

pub mod within;
