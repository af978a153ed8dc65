//! The settings of a comparison, grouped in one struct with builder-style
//! setters.

use std::time::Duration;

use crate::config::{self, ConfigError};

/// The unit that changed blocks are refined into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Granularity {
    /// Words for spaced scripts, characters (graphemes) for Han, kana and
    /// Hangul; paragraph-long lines are first cut into sentences.
    #[default]
    Auto,
    /// Whole lines only: no refinement inside changed blocks.
    Line,
    /// Unicode words (UAX #29): every ideograph is its own word, so CJK is
    /// never split on spaces.
    Word,
    /// Grapheme clusters everywhere.
    Char,
}

impl Granularity {
    /// Its name on the command line and in JSON: `auto`, `line`, `word` or
    /// `char`.
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Auto => "auto",
            Granularity::Line => "line",
            Granularity::Word => "word",
            Granularity::Char => "char",
        }
    }
}

/// The line-matching algorithm (all from the `similar` crate).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Algorithm {
    /// Myers' shortest edit script with `similar`'s bounded heuristics.
    #[default]
    Myers,
    /// Anchors on lines unique to both sides: reads well for reordered code.
    Patience,
    /// Prefers rare lines as anchors: good for repetitive text (logs).
    Histogram,
}

impl Algorithm {
    /// Its name on the command line and in JSON: `myers`, `patience` or
    /// `histogram`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Myers => "myers",
            Algorithm::Patience => "patience",
            Algorithm::Histogram => "histogram",
        }
    }

    pub(crate) fn to_similar(self) -> similar::Algorithm {
        match self {
            Algorithm::Myers => similar::Algorithm::Myers,
            Algorithm::Patience => similar::Algorithm::Patience,
            Algorithm::Histogram => similar::Algorithm::Histogram,
        }
    }
}

/// Default time budget of one document comparison.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5);
/// Default least similarity of a deleted and an inserted block to be a move.
pub const DEFAULT_MOVE_SIMILARITY: f64 = 0.6;
/// Default least size of a moved block, in Unicode letters (and digits).
pub const DEFAULT_MIN_MOVE_LETTERS: usize = 20;
/// Default least similarity of a removed and an added document to be a
/// rename (the same default as git's rename detection).
pub const DEFAULT_RENAME_SIMILARITY: f64 = 0.5;

/// How two texts are compared.
///
/// ```
/// use doppel::diff::{DiffOptions, Granularity};
/// let mut options = DiffOptions::new();
/// options.granularity(Granularity::Char).ignore_case(true);
/// assert!(options.ignores_case());
/// ```
#[derive(Clone, Debug)]
pub struct DiffOptions {
    pub(crate) granularity: Granularity,
    pub(crate) algorithm: Algorithm,
    pub(crate) ignore_whitespace: bool,
    pub(crate) ignore_case: bool,
    pub(crate) normalize: bool,
    pub(crate) deadline: Option<Duration>,
    pub(crate) detect_moves: bool,
    pub(crate) move_similarity: f64,
    pub(crate) min_move_letters: usize,
    pub(crate) rename_similarity: f64,
    pub(crate) inline_changes: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            granularity: Granularity::Auto,
            algorithm: Algorithm::Myers,
            ignore_whitespace: false,
            ignore_case: false,
            normalize: false,
            deadline: Some(DEFAULT_DEADLINE),
            detect_moves: true,
            move_similarity: DEFAULT_MOVE_SIMILARITY,
            min_move_letters: DEFAULT_MIN_MOVE_LETTERS,
            rename_similarity: DEFAULT_RENAME_SIMILARITY,
            inline_changes: true,
        }
    }
}

impl DiffOptions {
    /// The defaults: auto refinement, Myers, moves detected, a time budget
    /// after which the diff is approximate.
    pub fn new() -> DiffOptions {
        DiffOptions::default()
    }

    /// The unit of refinement inside changed blocks (default: auto).
    pub fn granularity(&mut self, granularity: Granularity) -> &mut Self {
        self.granularity = granularity;
        self
    }

    /// The line-matching algorithm (default: Myers).
    pub fn algorithm(&mut self, algorithm: Algorithm) -> &mut Self {
        self.algorithm = algorithm;
        self
    }

    /// Treat text that differs only in whitespace as equal.
    pub fn ignore_whitespace(&mut self, yes: bool) -> &mut Self {
        self.ignore_whitespace = yes;
        self
    }

    /// Treat text that differs only in letter case as equal.
    pub fn ignore_case(&mut self, yes: bool) -> &mut Self {
        self.ignore_case = yes;
        self
    }

    /// Compare NFKC + case-folded forms with whitespace and punctuation
    /// folded; the originals are still what is shown.
    pub fn normalize(&mut self, yes: bool) -> &mut Self {
        self.normalize = yes;
        self
    }

    /// Time budget per document; past it the diff is coarser but still
    /// correct, and marked approximate. `None` waits as long as it takes.
    /// A budget that ends past what the clock can count is refused by
    /// [`validate`](Self::validate) (and, unvalidated, waits as long as it
    /// takes: never a panic).
    pub fn deadline(&mut self, deadline: Option<Duration>) -> &mut Self {
        self.deadline = deadline;
        self
    }

    /// Whether to pair deleted and inserted blocks as moves (default: yes).
    pub fn detect_moves(&mut self, yes: bool) -> &mut Self {
        self.detect_moves = yes;
        self
    }

    /// Least similarity, in `[0, 1]`, of an edited moved block (default
    /// 0.6). See [`validate`](Self::validate).
    pub fn move_similarity(&mut self, similarity: f64) -> &mut Self {
        self.move_similarity = similarity;
        self
    }

    /// Least size of a moved block, counted in Unicode letters and digits,
    /// at least 1 (default 20).
    pub fn min_move_letters(&mut self, letters: usize) -> &mut Self {
        self.min_move_letters = letters;
        self
    }

    /// Least similarity, in `[0, 1]`, of a removed and an added document
    /// in two folders to be reported as a rename (default 0.5). See
    /// [`validate`](Self::validate).
    pub fn rename_similarity(&mut self, similarity: f64) -> &mut Self {
        self.rename_similarity = similarity;
        self
    }

    /// Whether to find the words or characters that changed inside
    /// replaced and moved blocks (default: yes). Without them the
    /// operations and moves are the same, with no
    /// [`inline`](super::Op::inline) changes, except on the replaced
    /// blocks whose sides carry different marks of a wrong decoding (so
    /// that [`op_damage`](super::op_damage) can still tell encoding damage
    /// from an edit): all a unified diff, which shows whole lines and notes
    /// damage, needs.
    pub fn inline_changes(&mut self, yes: bool) -> &mut Self {
        self.inline_changes = yes;
        self
    }

    /// Checks the settings: similarities in `[0, 1]` (not NaN), a moved
    /// block of at least one letter. A comparison made with settings that
    /// fail this still runs (a similarity no pair can reach finds no move
    /// or rename), but what it shows is not what was asked for.
    ///
    /// ```
    /// use doppel::diff::DiffOptions;
    /// let mut options = DiffOptions::new();
    /// assert!(options.validate().is_ok());
    /// options.move_similarity(f64::NAN);
    /// let err = options.validate().unwrap_err();
    /// assert_eq!(err.to_string(), "move_similarity: NaN is not a number in [0, 1]");
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        config::fraction("move_similarity", self.move_similarity)?;
        config::fraction("rename_similarity", self.rename_similarity)?;
        config::at_least("min_move_letters", self.min_move_letters, 1)?;
        if let Some(deadline) = self.deadline {
            config::reachable("deadline", deadline)?;
        }
        Ok(())
    }

    /// Whether letter case is ignored: asked for, or implied by
    /// normalization.
    pub fn ignores_case(&self) -> bool {
        self.ignore_case || self.normalize
    }

    /// Whether white space is ignored when lines are compared.
    pub fn ignores_whitespace(&self) -> bool {
        self.ignore_whitespace
    }

    /// Whether text is compared byte for byte.
    pub fn is_exact(&self) -> bool {
        !(self.ignore_whitespace || self.ignore_case || self.normalize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_past_what_the_clock_counts_is_refused() {
        let mut options = DiffOptions::new();
        options.deadline(Some(Duration::MAX));
        assert!(matches!(
            options.validate(),
            Err(ConfigError::TooLong {
                setting: "deadline",
                ..
            })
        ));
        options.deadline(Some(Duration::from_secs(3600)));
        assert!(options.validate().is_ok());
        options.deadline(None);
        assert!(options.validate().is_ok());
    }

    #[test]
    fn validation_names_each_setting_out_of_range() {
        let check = |set: fn(&mut DiffOptions)| {
            let mut options = DiffOptions::new();
            set(&mut options);
            options.validate().map_err(|e| e.to_string())
        };
        assert_eq!(check(|_| {}), Ok(()));
        assert_eq!(
            check(|o| {
                o.move_similarity(0.0);
            }),
            Ok(())
        );
        assert_eq!(
            check(|o| {
                o.move_similarity(2.0);
            }),
            Err("move_similarity: 2 is not a number in [0, 1]".into())
        );
        assert_eq!(
            check(|o| {
                o.rename_similarity(-0.1);
            }),
            Err("rename_similarity: -0.1 is not a number in [0, 1]".into())
        );
        assert_eq!(
            check(|o| {
                o.min_move_letters(0);
            }),
            Err("min_move_letters: 0 is less than 1".into())
        );
    }
}
