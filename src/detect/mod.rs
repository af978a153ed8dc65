//! Finding duplicated text.
//!
//! - [`within`]: blocks that a document repeats inside itself.
//! - [`across`]: duplicate documents and repeated segments across a corpus.
//! - [`passages`]: passages (runs of segments) copied from one document into
//!   another, exact or lightly edited; holds the whole corpus's segment
//!   fingerprints, so it suits repository-sized trees.
//! - [`boilerplate`]: lines that many documents of one group share.

pub mod across;
pub mod boilerplate;
pub mod passages;
mod runs;
pub mod within;
