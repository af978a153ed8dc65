//! A finding: content that occurs two or more times in the tree.

use crate::document::LineRange;

use super::policy::Kind;

/// Content found in two or more places: copied between files (a passage) or
/// repeated inside one file (a block).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Whether the copies are equal after normalization, or only similar.
    pub kind: Kind,
    /// Every copy is in the same file.
    pub within: bool,
    /// Lowest similarity between linked copies (1.0 when exact).
    pub similarity: f64,
    /// Letters of the smallest copy.
    pub letters: usize,
    /// Segments of the smallest copy.
    pub segments: usize,
    /// Every copy, sorted by path then line.
    pub copies: Vec<Location>,
    /// Index into `copies` of the copy to report the finding at: the first
    /// new or changed copy, else the last copy.
    pub primary: usize,
    /// Not covered by the baseline (always true without one).
    pub new: bool,
    /// New, and of a kind the policy fails on.
    pub fails: bool,
}

/// One copy of a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Path relative to the repository root, `/`-separated (`-` for standard
    /// input); for a JSON Lines record, its file's.
    pub path: String,
    /// Lines of the copy in its file; for a JSON Lines record, the record's
    /// line (so a copy is labelled `path:line`).
    pub lines: LineRange,
    /// Stable content fingerprint: 16 hex digits of a hash of the copy's
    /// normalized segments.
    pub fingerprint: String,
    /// Letters of the copy.
    pub letters: usize,
    /// The start of the copy's first line (at most 60 characters).
    pub preview: String,
    /// Not covered by the baseline.
    pub new: bool,
}

impl Finding {
    /// The copy the finding is reported at (see `primary`).
    pub fn primary(&self) -> &Location {
        &self.copies[self.primary]
    }

    /// Every copy but the primary one.
    pub fn others(&self) -> impl Iterator<Item = &Location> {
        let primary = self.primary;
        self.copies
            .iter()
            .enumerate()
            .filter(move |(at, _)| *at != primary)
            .map(|(_, copy)| copy)
    }

    /// A stable fingerprint of the finding as reported: its primary copy's
    /// content and file, and which occurrence of that content in the file it
    /// is.
    pub fn fingerprint(&self, occurrence: usize) -> String {
        let primary = self.primary();
        let key = format!("{}\0{}\0{occurrence}", primary.fingerprint, primary.path);
        format!("{:032x}", xxhash_rust::xxh3::xxh3_128(key.as_bytes()))
    }

    /// One line describing the finding, naming the other copies.
    pub fn message(&self) -> String {
        let what = match (self.kind, self.within) {
            (Kind::Exact, false) => "Exact copy".to_owned(),
            (Kind::Near, false) => format!("Near copy (similarity {:.2})", self.similarity),
            (Kind::Exact, true) => "Exact repeat inside the file".to_owned(),
            (Kind::Near, true) => format!(
                "Near repeat inside the file (similarity {:.2})",
                self.similarity
            ),
        };
        let others: Vec<String> = self.others().take(5).map(Location::label).collect();
        let more = self.copies.len() - 1 - others.len();
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!(
            "{what} of {} letters, also at {}{tail}",
            self.letters,
            others.join(", ")
        )
    }
}

impl Location {
    /// `path:first-last`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.path, self.lines)
    }
}
