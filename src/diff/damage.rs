//! Encoding damage in a diff: telling a change that is damage on one side
//! (`?`, U+FFFD or stray letters inside Chinese where the other side has
//! the clean text; `cafÃ©` where the other side has `café`) from an edit.
//!
//! Each inline change is judged on its own, with a few characters of the
//! unchanged text around it: the two sides' windows are scored by
//! [`crate::quality::diff_damage`] (which counts only the signals touching
//! where they differ) and by [`crate::quality::mojibake::marks`]. A change
//! is damage on one side when that side carries at least
//! [`MIN_POINTS`] damage points (or a mojibake mark) and the other side
//! none. A replaced block is damage when all its inline changes are damage
//! on the same side (a block replaced whole, when it is short, is judged
//! as one change). An edit between two clean texts is never damage: both
//! sides score zero.
//!
//! ```
//! use doppel::diff::{op_damage, Comparison, DamagedSide, DiffOptions};
//!
//! let old = "候選人。縣以上人大代表\n";
//! let new = "候選人?h以上人大代表\n";
//! let c = Comparison::new(old, new, &DiffOptions::new());
//! assert_eq!(op_damage(&c, &c.ops()[0]), Some(DamagedSide::New));
//!
//! let edited = "候選人。市以上人大代表\n";
//! let c = Comparison::new(old, edited, &DiffOptions::new());
//! assert_eq!(op_damage(&c, &c.ops()[0]), None);
//! ```

use std::collections::HashMap;
use std::ops::Range;

use super::compare::Tag;
use super::comparison::{Comparison, Op};
use super::refine::InlineChange;
use crate::quality::{diff_damage, mojibake, CompareOptions, Damage};

/// Characters of unchanged text looked at on each side of a change.
const CONTEXT: usize = 6;
/// Damage points a side must carry to be called damaged: a `?` in CJK
/// text (3), U+FFFD (4), a stray letter pair (2); one uncommon Han
/// character (1) is not enough.
pub const MIN_POINTS: u64 = 2;
/// Replaced blocks without inline changes are judged whole only below
/// this many bytes on each side.
const WHOLE_BLOCK: usize = 4096;

/// The side of a change that looks damaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DamagedSide {
    /// The old text is damaged; the new one has the clean text.
    Old,
    /// The new text is damaged; the old one has the clean text.
    New,
}

impl DamagedSide {
    /// `old` or `new`, as the JSON output and notes spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            DamagedSide::Old => "old",
            DamagedSide::New => "new",
        }
    }
}

/// Whether the change of `old[old_span]` into `new[new_span]` is encoding
/// damage on one side (see the module docs).
pub fn change_damage(
    old: &str,
    old_span: Range<usize>,
    new: &str,
    new_span: Range<usize>,
) -> Option<DamagedSide> {
    let old_window = window(old, old_span);
    let new_window = window(new, new_span);
    judge(old_window, new_window)
}

/// The damaged side of an inline change of `c`.
pub fn inline_damage(c: &Comparison<'_>, change: &InlineChange) -> Option<DamagedSide> {
    match c
        .verdicts()
        .changes
        .get(&(change.old.clone(), change.new.clone()))
    {
        Some(&side) => side,
        None => judge_change(c, change),
    }
}

/// The damaged side of a replaced block of `c`: every inline change
/// damage on the same side, or (without inline changes) the short block
/// judged whole. `None` for other operations.
pub fn op_damage(c: &Comparison<'_>, op: &Op) -> Option<DamagedSide> {
    if op.tag != Tag::Replace || op.moved.is_some() {
        return None;
    }
    match op.inline.as_deref() {
        Some([]) => None,
        Some(changes) => {
            let first = inline_damage(c, &changes[0])?;
            changes[1..]
                .iter()
                .all(|change| inline_damage(c, change) == Some(first))
                .then_some(first)
        }
        None => match c.verdicts().blocks.get(&(op.old.clone(), op.new.clone())) {
            Some(&side) => side,
            None => judge_block(c, op),
        },
    }
}

/// Every change of a comparison judged once: the renderers ask of the
/// same changes for the notes, the summary and each format.
#[derive(Clone, Debug, Default)]
pub(super) struct Verdicts {
    /// Inline changes, by their old and new byte spans.
    changes: HashMap<(Range<usize>, Range<usize>), Option<DamagedSide>>,
    /// Replaced blocks without inline changes, by their line ranges.
    blocks: HashMap<(Range<usize>, Range<usize>), Option<DamagedSide>>,
}

impl Verdicts {
    /// The verdicts of `c`'s changes.
    pub(super) fn of(c: &Comparison<'_>) -> Verdicts {
        let mut verdicts = Verdicts::default();
        for op in c.ops() {
            match op.inline.as_deref() {
                Some(changes) => {
                    for change in changes {
                        let side = judge_change(c, change);
                        verdicts
                            .changes
                            .insert((change.old.clone(), change.new.clone()), side);
                    }
                }
                None if op.tag == Tag::Replace && op.moved.is_none() => {
                    verdicts
                        .blocks
                        .insert((op.old.clone(), op.new.clone()), judge_block(c, op));
                }
                None => {}
            }
        }
        verdicts
    }
}

fn judge_change(c: &Comparison<'_>, change: &InlineChange) -> Option<DamagedSide> {
    change_damage(
        c.old_text(),
        change.old.clone(),
        c.new_text(),
        change.new.clone(),
    )
}

/// A replaced block without inline changes, judged whole when short.
fn judge_block(c: &Comparison<'_>, op: &Op) -> Option<DamagedSide> {
    let old = c.old_bytes(op.old.clone());
    let new = c.new_bytes(op.new.clone());
    if old.len() > WHOLE_BLOCK || new.len() > WHOLE_BLOCK {
        return None;
    }
    judge(&c.old_text()[old], &c.new_text()[new])
}

/// The damaged side, if one window is damaged where the other is clean.
fn judge(old: &str, new: &str) -> Option<DamagedSide> {
    // Every signal needs a character beyond ASCII on one side.
    if old.is_ascii() && new.is_ascii() {
        return None;
    }
    let scored = diff_damage(old, new, &CompareOptions::default());
    let damaged = |d: &Damage| d.points() >= MIN_POINTS;
    if damaged(&scored.first) && scored.second.is_clean() {
        return Some(DamagedSide::Old);
    }
    if damaged(&scored.second) && scored.first.is_clean() {
        return Some(DamagedSide::New);
    }
    match (mojibake::marks(old), mojibake::marks(new)) {
        (o, 0) if o > 0 => Some(DamagedSide::Old),
        (0, n) if n > 0 => Some(DamagedSide::New),
        _ => None,
    }
}

/// `span` of `text` with up to [`CONTEXT`] characters on each side.
fn window(text: &str, span: Range<usize>) -> &str {
    let start = text[..span.start]
        .char_indices()
        .rev()
        .nth(CONTEXT - 1)
        .map_or(0, |(at, _)| at);
    let end = text[span.end..]
        .char_indices()
        .nth(CONTEXT)
        .map_or(text.len(), |(at, _)| span.end + at);
    &text[start..end]
}

/// Changes that are damage, counted over a comparison: inline changes of
/// replaced blocks (and short blocks replaced whole) by damaged side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DamageCount {
    /// Changes whose old side is damaged.
    pub old: usize,
    /// Changes whose new side is damaged.
    pub new: usize,
}

impl DamageCount {
    /// The damaged changes of `c`.
    pub fn of(c: &Comparison<'_>) -> DamageCount {
        let mut count = DamageCount::default();
        let mut add = |side| match side {
            Some(DamagedSide::Old) => count.old += 1,
            Some(DamagedSide::New) => count.new += 1,
            None => {}
        };
        for op in c.ops().iter().filter(|op| op.tag == Tag::Replace) {
            match op.inline.as_deref() {
                Some(changes) if op.moved.is_none() => {
                    changes.iter().for_each(|ch| add(inline_damage(c, ch)));
                }
                _ => add(op_damage(c, op)),
            }
        }
        count
    }

    /// Both sides together.
    pub fn total(&self) -> usize {
        self.old + self.new
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::DiffOptions;

    const PAGE: &str = include_str!("../../corpus/scraped_page_zh.txt");

    fn page_lines(range: Range<usize>) -> String {
        PAGE.split_inclusive('\n')
            .skip(range.start - 1)
            .take(range.len())
            .collect()
    }

    #[test]
    fn the_seed_pages_damaged_pairs_are_damage_and_its_edits_are_not() {
        let old = page_lines(20..150);
        let new = page_lines(157..287);
        let mut options = DiffOptions::new();
        options.deadline(None);
        let c = Comparison::new(&old, &new, &options);
        let mut damaged = Vec::new();
        let mut edits = Vec::new();
        for op in c.ops().iter().filter(|op| op.tag != Tag::Equal) {
            let line = op.old.start + 20;
            match op_damage(&c, op) {
                Some(side) => damaged.push((line, side)),
                None => edits.push(line),
            }
        }
        assert_eq!(
            damaged,
            [
                (27, DamagedSide::Old),
                (105, DamagedSide::Old),
                (133, DamagedSide::Old),
                (141, DamagedSide::New)
            ]
        );
        assert_eq!(edits, [21]);
    }

    #[test]
    fn mojibake_on_one_side_is_damage() {
        let c = Comparison::new(
            "Le café est prêt.\n",
            "Le cafÃ© est prÃªt.\n",
            &DiffOptions::new(),
        );
        assert_eq!(op_damage(&c, &c.ops()[0]), Some(DamagedSide::New));
        assert_eq!(DamageCount::of(&c).new, 2);
    }

    #[test]
    fn clean_edits_are_not_damage() {
        for (old, new) in [
            ("The quick brown fox.\n", "The quick red fox.\n"),
            ("北京是中国的首都。\n", "北京是中国的首府。\n"),
            ("What is it? 我不知道。\n", "What was it? 我不知道。\n"),
            ("Straße\n", "Strasse\n"),
        ] {
            let c = Comparison::new(old, new, &DiffOptions::new());
            assert_eq!(DamageCount::of(&c).total(), 0, "{old} → {new}");
        }
    }

    #[test]
    fn windows_stop_at_the_text_and_char_boundaries() {
        assert_eq!(
            window("北京是中国的首都首都首都", 24..27),
            "是中国的首都首都首都"
        );
        assert_eq!(window("ab", 1..1), "ab");
    }
}
