//! The characters that differ between two copies of a segment, for
//! `scan --show-diffs`: a character-level diff on [`crate::diff`], shown as
//! `[-old-]{+new+}` marks with a little context.

use std::ops::Range;

use crate::diff::{Comparison, DiffOptions, Granularity, Tag};

/// Characters of context shown on each side of a change.
const CONTEXT: usize = 6;

/// One change: byte ranges in the first and in the other segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Bytes of the first segment's text that change (empty for an
    /// insertion).
    pub old: Range<usize>,
    /// Bytes of the other segment's text that replace them (empty for a
    /// deletion).
    pub new: Range<usize>,
}

/// The changes that turn `old` into `new`, character by character.
pub fn changes(old: &str, new: &str) -> Vec<Change> {
    let mut options = DiffOptions::new();
    options.granularity(Granularity::Char);
    let comparison = Comparison::new(old, new, &options);
    let mut out = Vec::new();
    for op in comparison.ops() {
        let (old_bytes, new_bytes) = (
            comparison.old_bytes(op.old.clone()),
            comparison.new_bytes(op.new.clone()),
        );
        match (&op.tag, &op.inline) {
            (Tag::Equal, _) => {}
            (Tag::Replace, Some(inline)) => out.extend(inline.iter().map(|c| Change {
                old: c.old.clone(),
                new: c.new.clone(),
            })),
            _ => out.push(Change {
                old: old_bytes,
                new: new_bytes,
            }),
        }
    }
    out
}

/// The changes as marks in context, nearby changes in one snippet,
/// snippets joined by ` … `.
pub fn marked(old: &str, new: &str) -> String {
    let changes = changes(old, new);
    let mut snippets = Vec::new();
    let mut current = String::new();
    let mut last_end: Option<usize> = None;
    for change in &changes {
        let gap_start = last_end.unwrap_or(0);
        let gap = &old[gap_start.min(change.old.start)..change.old.start];
        if last_end.is_some() && gap.chars().count() <= 2 * CONTEXT {
            current.push_str(gap);
        } else {
            if last_end.is_some() {
                current.push_str(head(gap, CONTEXT).trim_end());
                snippets.push(std::mem::take(&mut current));
            }
            current.push_str(tail(&old[..change.old.start], CONTEXT).trim_start());
        }
        push_mark(&mut current, "[-", &old[change.old.clone()], "-]");
        push_mark(&mut current, "{+", &new[change.new.clone()], "+}");
        last_end = Some(change.old.end);
    }
    if let Some(end) = last_end {
        current.push_str(&head(&old[end..], CONTEXT));
        snippets.push(current);
    }
    snippets.join(" … ")
}

fn push_mark(out: &mut String, open: &str, text: &str, close: &str) {
    if !text.is_empty() {
        out.push_str(open);
        out.push_str(&one_line(text));
        out.push_str(close);
    }
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], "⏎")
}

fn head(text: &str, chars: usize) -> String {
    one_line(&text.chars().take(chars).collect::<String>())
}

fn tail(text: &str, chars: usize) -> String {
    let count = text.chars().count();
    one_line(
        &text
            .chars()
            .skip(count.saturating_sub(chars))
            .collect::<String>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_character_is_one_mark() {
        let old = "群團事業是黨的事業的重要組成部分，群團工作是黨的一項經常性工作";
        let new = old.replacen("經常", "?j常", 1);
        assert_eq!(marked(old, &new), "作是黨的一項[-經-]{+?j+}常性工作");
    }

    #[test]
    fn distant_changes_are_separate_snippets() {
        let old = "alpha beta gamma delta epsilon zeta eta theta iota kappa";
        let new = "alphx beta gamma delta epsilon zeta eta theta iota kappx";
        assert_eq!(marked(old, new), "alph[-a-]{+x+} beta … a kapp[-a-]{+x+}");
    }

    #[test]
    fn equal_texts_have_no_marks() {
        assert_eq!(marked("same", "same"), "");
    }
}
