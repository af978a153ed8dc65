//! Comparing two copies of a text by the damage of the parts where they
//! differ.

use std::ops::Range;

use similar::{Algorithm, DiffOp, DiffTag};

use super::damage::Damage;
use super::tier::Variant;

/// Which of two copies of a text looks cleaner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preference {
    /// The first copy is less damaged.
    First,
    /// The second copy is less damaged.
    Second,
    /// Neither is cleaner (identical, or as damaged): break the tie by
    /// some other rule, such as order.
    Tie,
}

/// Settings for [`diff_damage`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompareOptions {
    /// Characters of unchanged text looked at on each side of a differing
    /// stretch, so that a `?` between two Han characters is seen. Stretches
    /// closer than twice this are scored as one.
    pub context: usize,
    /// The longest differing middle, in characters on either side, that is
    /// diffed character by character. The common start and end of the two
    /// copies are set aside first; a longer middle is scored as one
    /// differing stretch (coarser, still correct). A bound on the work that,
    /// unlike a deadline, gives the same answer on a loaded machine: the
    /// character diff of two unrelated middles grows with the product of
    /// their lengths.
    pub max_diff_chars: usize,
}

impl Default for CompareOptions {
    fn default() -> CompareOptions {
        CompareOptions {
            context: 3,
            max_diff_chars: 1024,
        }
    }
}

/// The damage of the differing stretches of two copies of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiffDamage {
    /// The variant both copies were read as, detected from both.
    pub variant: Variant,
    /// Damage of the first copy's differing stretches (with context).
    pub first: Damage,
    /// Damage of the second copy's differing stretches (with context).
    pub second: Damage,
}

impl DiffDamage {
    /// The copy with the lower [`Damage::score`], or a tie.
    pub fn preference(&self) -> Preference {
        match self.first.cmp_score(&self.second) {
            std::cmp::Ordering::Less => Preference::First,
            std::cmp::Ordering::Greater => Preference::Second,
            std::cmp::Ordering::Equal => Preference::Tie,
        }
    }
}

/// Which of two copies of the same text is cleaner, judged only where they
/// differ, with [`CompareOptions::default`].
pub fn compare(first: &str, second: &str) -> Preference {
    diff_damage(first, second, &CompareOptions::default()).preference()
}

/// Diffs two copies by characters (Myers) and scores the stretches where
/// they differ, each side with [`CompareOptions::context`] characters of
/// context around it. A differing middle longer than
/// [`CompareOptions::max_diff_chars`] is scored whole, so the answer
/// depends on the texts alone, never on how fast the machine is.
pub fn diff_damage(first: &str, second: &str, options: &CompareOptions) -> DiffDamage {
    let variant = Variant::detect_all([first, second]);
    let mut result = DiffDamage {
        variant,
        first: Damage::default(),
        second: Damage::default(),
    };
    if first == second {
        return result;
    }
    let (old, new): (Vec<char>, Vec<char>) = (first.chars().collect(), second.chars().collect());
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let middle = (prefix..old.len() - suffix, prefix..new.len() - suffix);
    let hunks = if middle.0.len().max(middle.1.len()) > options.max_diff_chars {
        vec![middle]
    } else {
        let diff = similar::capture_diff_slices(
            Algorithm::Myers,
            &old[middle.0.clone()],
            &new[middle.1.clone()],
        );
        let shift = |r: Range<usize>| r.start + prefix..r.end + prefix;
        hunks(&diff, options.context)
            .into_iter()
            .map(|(o, n)| (shift(o), shift(n)))
            .collect()
    };
    for (old_range, new_range) in hunks {
        result.first += score_stretch(&old, old_range, options.context, variant);
        result.second += score_stretch(&new, new_range, options.context, variant);
    }
    result
}

/// The old and new character ranges of the changes, with changes less than
/// twice `context` apart merged so a cluster of damage stays one stretch.
fn hunks(ops: &[DiffOp], context: usize) -> Vec<(Range<usize>, Range<usize>)> {
    let mut hunks: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for op in ops.iter().filter(|op| op.tag() != DiffTag::Equal) {
        let (old, new) = (op.old_range(), op.new_range());
        match hunks.last_mut() {
            Some(last) if old.start - last.0.end < 2 * context => {
                last.0.end = old.end;
                last.1.end = new.end;
            }
            _ => hunks.push((old, new)),
        }
    }
    hunks
}

/// The damage of `chars[stretch]`, looking `context` characters around it.
fn score_stretch(
    chars: &[char],
    stretch: Range<usize>,
    context: usize,
    variant: Variant,
) -> Damage {
    let start = stretch.start.saturating_sub(context);
    let end = (stretch.end + context).min(chars.len());
    let counted = stretch.start - start..stretch.end - start;
    Damage::of_window(&chars[start..end], counted, variant)
}
