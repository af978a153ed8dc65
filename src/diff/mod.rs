//! Comparing two versions of a text, or two folders of texts.
//!
//! # Overview
//!
//! A [`Comparison`] aligns two texts line by line (with an algorithm of the
//! [`similar`] crate, on hashed lines, under a deadline), then looks inside
//! every changed block for the words or characters that changed, and pairs
//! blocks deleted in one place with blocks inserted in another as moves,
//! even when they were edited after moving. It holds only ranges and
//! borrows the two texts; the printers in [`render`] write it to any
//! [`std::io::Write`] in one of several formats. [`compare_folders`] pairs
//! the documents of two folders (by path, then renamed ones by similarity).
//!
//! Main types:
//!
//! - [`DiffOptions`]: granularity, algorithm, what to ignore, deadline, move
//!   and rename thresholds.
//! - [`Comparison`]: the [`Op`]s (equal, delete, insert, replace over line
//!   ranges, with [`InlineChange`]s inside replaced blocks), the [`Move`]s,
//!   a [`similarity`](Comparison::similarity) score and whether the result
//!   is approximate.
//! - [`FolderReport`]: the documents of two folders paired and classified.
//!
//! ```
//! use doppel::diff::{Comparison, DiffOptions, DocHeader, Format, Printer, Tag};
//!
//! let old = "北京是中国的首都。\nThe quick brown fox.\n";
//! let new = "北京是中国的首府。\nThe quick red fox.\n";
//! let comparison = Comparison::new(old, new, &DiffOptions::new());
//! assert!(!comparison.is_equal());
//! let op = &comparison.ops()[0];
//! assert_eq!(op.tag, Tag::Replace);
//! let inline = op.inline.as_ref().unwrap();
//! assert_eq!(&old[inline[0].old.clone()], "都");
//! assert_eq!(&new[inline[0].new.clone()], "府");
//! assert_eq!(comparison.apply(), new);
//!
//! let mut out = Vec::new();
//! Printer::new(Format::Word)
//!     .document(&mut out, &DocHeader::files("a.txt", "b.txt"), &comparison)
//!     .unwrap();
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.contains("首[-都-]{+府+}"));
//! assert!(text.contains("[-brown-]{+red+}"));
//! ```
//!
//! # Which option to choose when
//!
//! - **Granularity** ([`Granularity`]): keep `Auto` for prose in any
//!   language — words for spaced scripts, characters for Chinese, Japanese
//!   and Korean, sentence first for paragraph-long lines. `Line` for code
//!   or data where inline highlights are noise; `Char` for identifiers,
//!   numbers and typo hunting; `Word` for Unicode word boundaries
//!   everywhere.
//! - **Algorithm** ([`Algorithm`]): `Myers` (default) gives small diffs
//!   fast on any input; `Patience` reads better when blocks were reordered or code was
//!   refactored; `Histogram` when the text has many repeated lines (logs,
//!   generated files). The similarity score does not depend on it.
//! - **Ignoring**: `ignore_whitespace` for reflowed or re-indented text,
//!   `ignore_case` for case-only edits, `normalize` to compare text copied
//!   between systems (full-width forms, curly quotes, CJK punctuation). The
//!   originals are always what is printed; with any of them, the unified
//!   output is no longer guaranteed to patch OLD into NEW.
//! - **Deadline**: the default of 5 s per document keeps huge or unrelated
//!   inputs bounded; past it the diff is coarser but still correct and says
//!   it is approximate. `None` waits as long as the algorithm needs (use it
//!   for reproducible output in tests and batch jobs that can wait).

mod compare;
mod comparison;
mod damage;
mod folders;
mod key;
mod lines;
mod moves;
mod myers;
mod options;
mod refine;
pub mod render;
mod similarity;
mod tokens;

pub use compare::Tag;
pub use comparison::{Comparison, Move, Op};
pub use damage::{change_damage, inline_damage, op_damage, DamageCount, DamagedSide, MIN_POINTS};
pub use folders::{compare_folders, DocStatus, FolderDoc, FolderEntry, FolderError, FolderReport};
pub use options::{
    Algorithm, DiffOptions, Granularity, DEFAULT_DEADLINE, DEFAULT_MIN_MOVE_LETTERS,
    DEFAULT_MOVE_SIMILARITY, DEFAULT_RENAME_SIMILARITY,
};
pub use refine::InlineChange;
pub use render::{Begin, DocHeader, DocSide, Format, Printer};
pub use similarity::UnitBag;
pub use tokens::{is_cjk, letters};
