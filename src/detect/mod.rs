//! Finding duplicated text.
//!
//! - [`within`]: blocks that a document repeats inside itself.
//! - [`across`]: duplicate documents and repeated segments across a corpus.
//! - [`boilerplate`]: lines that many documents of one group share.

pub mod across;
pub mod boilerplate;
pub mod within;
