//! Finding duplicated text.
//!
//! - [`within`]: blocks that a document repeats inside itself.
//! - [`across`]: duplicate documents and repeated segments across a corpus.
//! - [`passages`]: passages (runs of segments) copied from one document into
//!   another, exact or lightly edited; holds the whole corpus's segment
//!   fingerprints, so it suits repository-sized trees.
//! - [`boilerplate`]: lines that many documents of one group share.
//! - [`containment`]: short documents lying inside longer ones (snippets,
//!   truncated copies), found through shared anchor shingles.
//! - [`removal`]: which duplicate documents go, and the kept document each
//!   duplicates: the one keep/remove rule of every driver.
//! - [`sets`]: the shingle sets that verify near-duplicate candidates, kept
//!   in a temporary file rather than in memory.

pub(crate) mod across;
pub(crate) mod boilerplate;
pub(crate) mod containment;
pub(crate) mod passages;
pub mod removal;
mod runs;
pub(crate) mod sets;
pub(crate) mod within;
