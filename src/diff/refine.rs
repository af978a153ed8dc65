//! Refinement inside a changed block: which words or characters changed.
//!
//! A block's common prefix and suffix are set aside first (cut back to
//! whole tokens), so a single edit costs one scan of the block however
//! often its text repeats itself. What lies between the first and the last
//! difference is diffed token by token when small (see [`super::tokens`]);
//! when large, such as a paragraph-long CJK line edited in several places,
//! sentence by sentence, then token by token inside each changed run of
//! sentences. When the two sides share too little to make a useful
//! highlight, the block or run is reported as one change. Of the equally
//! small placements of an insertion or removal in repeated text, the last
//! is shown, as git does.

use std::ops::Range;
use std::time::Instant;

use super::compare::{diff_keys, Tag};
use super::key::Keyer;
use super::options::{Algorithm, Granularity};
use super::tokens::{boundaries_within, sentences, tokens};

/// One change inside a block: byte ranges into the old and the new text
/// (an empty range marks where text was inserted or removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineChange {
    /// What the change does (never [`Tag::Equal`]).
    pub tag: Tag,
    /// Bytes of the old text it covers.
    pub old: Range<usize>,
    /// Bytes of the new text it covers.
    pub new: Range<usize>,
}

/// Blocks larger than this (both sides together, bytes) go by sentence first.
const SENTENCE_FIRST: usize = 2048;
/// Blocks larger than this (bytes, both sides) are cut into sentences on
/// two threads.
const PARALLEL: usize = 1 << 20;
/// Runs larger than this (either side, bytes) are not diffed token by token.
const MAX_TOKEN_RUN: usize = 16 * 1024;
/// Least share of a run's bytes that must be equal to show inline changes.
const MIN_SHARED: f64 = 0.3;

/// Refines changed blocks; owns the key scratch space.
pub(crate) struct Refiner<'k> {
    pub keyer: &'k mut Keyer,
    pub granularity: Granularity,
    pub algorithm: Algorithm,
    pub deadline: Option<Instant>,
    /// Set when the deadline cut refinement short.
    pub approximate: bool,
    /// Bytes of changed lines that match chunk by chunk anywhere (see
    /// `similarity`): a large block whose differing middle (the part left
    /// once its common prefix and suffix are set aside) holds fewer shared
    /// bytes than this over `MIN_SHARED` is not refined. The prefix and
    /// suffix count as shared: chunks cut by length fall out of step in
    /// repeated text, so this count alone says too little there.
    pub loose_bytes: usize,
}

impl Refiner<'_> {
    /// A refiner with the same settings that hashes with `keyer` (one per
    /// thread).
    pub fn with<'j>(&self, keyer: &'j mut Keyer) -> Refiner<'j> {
        Refiner {
            keyer,
            granularity: self.granularity,
            algorithm: self.algorithm,
            deadline: self.deadline,
            approximate: false,
            loose_bytes: self.loose_bytes,
        }
    }

    /// The inline changes that turn `old[o]` into `new[n]`, or `None` when
    /// the block is best shown as whole lines.
    pub fn refine(
        &mut self,
        old: &str,
        o: Range<usize>,
        new: &str,
        n: Range<usize>,
    ) -> Option<Vec<InlineChange>> {
        if self.granularity == Granularity::Line {
            return None;
        }
        if self.deadline.is_some_and(|d| Instant::now() > d) {
            self.approximate = true;
            return None;
        }
        let mut changes = self.changes(old, o.clone(), new, n.clone(), true)?;
        slide_down(&mut changes, old, o.end, new, n.end);
        let whole = changes.len() == 1 && changes[0].old == o && changes[0].new == n;
        (!whole).then_some(changes)
    }

    /// The changes inside a block or a run of sentences, or `None` when the
    /// two sides share less than [`MIN_SHARED`] of their bytes. The common
    /// prefix and suffix of a large one are set aside first, so one edit in a long line
    /// costs a scan of the line however repetitive it is, and only what
    /// lies between the first and the last difference is diffed: by
    /// sentence first when `by_sentence` and that middle is large, else
    /// token by token (not at all past [`MAX_TOKEN_RUN`]).
    fn changes(
        &mut self,
        old: &str,
        o: Range<usize>,
        new: &str,
        n: Range<usize>,
        by_sentence: bool,
    ) -> Option<Vec<InlineChange>> {
        let (om, nm) = if o.len() + n.len() > SENTENCE_FIRST {
            trim_common(old, o.clone(), new, n.clone(), self.granularity)
        } else {
            // Small enough to diff whole: the token diff trims its own.
            (o.clone(), n.clone())
        };
        let outside = o.len() - om.len();
        let size = o.len().max(n.len());
        let large = om.len() + nm.len() > SENTENCE_FIRST;
        if by_sentence && large && outside.saturating_add(self.loose_bytes) < share_of(size) {
            return None;
        }
        let changes = if om.is_empty() || nm.is_empty() {
            let rest = if om.is_empty() {
                &new[nm.clone()]
            } else {
                &old[om.clone()]
            };
            let tag = match self.keyer.is_blank(rest) {
                true => Tag::Equal,
                false => Tag::of(&om, &nm),
            };
            let change = InlineChange {
                tag,
                old: om,
                new: nm,
            };
            (tag != Tag::Equal).then_some(change).into_iter().collect()
        } else if by_sentence && large {
            self.by_sentence(old, om, new, nm, outside, size)
        } else if om.len().max(nm.len()) > MAX_TOKEN_RUN {
            return None;
        } else {
            self.by_token(old, om, new, nm)
        };
        let changed: usize = changes.iter().map(|c| c.old.len()).sum();
        let shared = o.len() - changed;
        (shared as f64 >= MIN_SHARED * size as f64).then_some(changes)
    }

    /// Sentence diff of the differing middle of a block whose other
    /// `outside` bytes are equal and whose longer side has `size` bytes.
    fn by_sentence(
        &mut self,
        old: &str,
        o: Range<usize>,
        new: &str,
        n: Range<usize>,
        outside: usize,
        size: usize,
    ) -> Vec<InlineChange> {
        let (old_units, new_units) = if o.len() + n.len() > PARALLEL {
            rayon::join(
                || sentences(&old[o.clone()], o.start),
                || sentences(&new[n.clone()], n.start),
            )
        } else {
            (
                sentences(&old[o.clone()], o.start),
                sentences(&new[n.clone()], n.start),
            )
        };
        let ops = self.diff_units(old, &old_units, new, &new_units);
        if outside + equal_bytes(&ops, &old_units, &o) < share_of(size) {
            return vec![InlineChange {
                tag: Tag::Replace,
                old: o,
                new: n,
            }];
        }
        let mut changes = Vec::new();
        for (tag, a, b) in ops {
            if tag == Tag::Equal {
                continue;
            }
            let run_old = span_at(&old_units, a, o.clone());
            let run_new = span_at(&new_units, b, n.clone());
            match self.changes(old, run_old.clone(), new, run_new.clone(), false) {
                Some(inner) => changes.extend(inner),
                None => changes.push(InlineChange {
                    tag,
                    old: run_old,
                    new: run_new,
                }),
            }
        }
        changes
    }

    /// Token diff of a run whose sides both hold text.
    fn by_token(
        &mut self,
        old: &str,
        o: Range<usize>,
        new: &str,
        n: Range<usize>,
    ) -> Vec<InlineChange> {
        let old_tokens = self.kept(old, tokens(&old[o.clone()], o.start, self.granularity));
        let new_tokens = self.kept(new, tokens(&new[n.clone()], n.start, self.granularity));
        let ops = self.diff_units(old, &old_tokens, new, &new_tokens);
        ops.into_iter()
            .filter(|(tag, _, _)| *tag != Tag::Equal)
            .map(|(tag, a, b)| InlineChange {
                tag,
                old: span_at(&old_tokens, a, o.clone()),
                new: span_at(&new_tokens, b, n.clone()),
            })
            .collect()
    }

    /// Drops the tokens that vanish in the compared form.
    fn kept(&self, text: &str, units: Vec<Range<usize>>) -> Vec<Range<usize>> {
        if self.keyer.is_exact() {
            return units;
        }
        units
            .into_iter()
            .filter(|r| !self.keyer.is_blank(&text[r.clone()]))
            .collect()
    }

    fn diff_units(
        &mut self,
        old: &str,
        old_units: &[Range<usize>],
        new: &str,
        new_units: &[Range<usize>],
    ) -> Vec<(Tag, Range<usize>, Range<usize>)> {
        let old_keys: Vec<u64> = old_units
            .iter()
            .map(|r| self.keyer.key(&old[r.clone()]))
            .collect();
        let new_keys: Vec<u64> = new_units
            .iter()
            .map(|r| self.keyer.key(&new[r.clone()]))
            .collect();
        let (ops, approximate) = diff_keys(self.algorithm, &old_keys, &new_keys, self.deadline);
        self.approximate |= approximate;
        ops.into_iter().map(|op| (op.tag, op.old, op.new)).collect()
    }
}

/// Bytes of `o` (tiled by `old_units`) that the equal operations cover.
fn equal_bytes(
    ops: &[(Tag, Range<usize>, Range<usize>)],
    old_units: &[Range<usize>],
    o: &Range<usize>,
) -> usize {
    ops.iter()
        .filter(|(tag, _, _)| *tag == Tag::Equal)
        .map(|(_, a, _)| span_at(old_units, a.clone(), o.clone()).len())
        .sum()
}

/// The fewest equal bytes a block whose longer side has `size` bytes needs
/// to be shown with inline changes rather than as a whole replacement.
fn share_of(size: usize) -> usize {
    (MIN_SHARED * size as f64).ceil() as usize
}

/// `o` and `n` less their longest common prefix and suffix, cut back to
/// token boundaries that the two sides share, so the middle starts and
/// ends on whole tokens. The suffix is sought after the prefix only: in a
/// repetitive text, the one edit is placed after the longest run of equal
/// text before it, and the two never overlap.
fn trim_common(
    old: &str,
    o: Range<usize>,
    new: &str,
    n: Range<usize>,
    granularity: Granularity,
) -> (Range<usize>, Range<usize>) {
    let (a, b) = (&old.as_bytes()[o.clone()], &new.as_bytes()[n.clone()]);
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    let head = if prefix == 0 {
        0
    } else {
        shared_boundary(prefix, |from, to| {
            let on = |text: &str, r: &Range<usize>| {
                boundaries_within(text, r, r.start + from..r.start + to, granularity)
                    .into_iter()
                    .map(|at| at - r.start)
                    .collect::<Vec<_>>()
            };
            (on(old, &o), on(new, &n))
        })
    };
    let tail = if suffix == 0 {
        0
    } else {
        shared_boundary(suffix, |from, to| {
            let on = |text: &str, r: &Range<usize>| {
                let mut back: Vec<usize> =
                    boundaries_within(text, r, r.end - to..r.end - from, granularity)
                        .into_iter()
                        .map(|at| r.end - at)
                        .collect();
                back.reverse();
                back
            };
            (on(old, &o), on(new, &n))
        })
    };
    (o.start + head..o.end - tail, n.start + head..n.end - tail)
}

/// The greatest distance `d <= limit` that is a boundary on both sides.
/// `boundaries(from, to)` lists, for each side, the distances in
/// `from..=to` that are boundaries, in ascending order; the search widens
/// from `limit` down until one is shared (distance 0 always is).
fn shared_boundary(
    limit: usize,
    boundaries: impl Fn(usize, usize) -> (Vec<usize>, Vec<usize>),
) -> usize {
    let mut reach = 64;
    loop {
        let from = limit.saturating_sub(reach);
        let (a, b) = boundaries(from, limit);
        if let Some(&d) = a.iter().rev().find(|d| b.binary_search(d).is_ok()) {
            return d;
        }
        if from == 0 {
            return 0;
        }
        reach *= 2;
    }
}

/// Moves each pure insertion or removal past the copies of itself that
/// follow it, up to the next change or the block's end (`old_end`,
/// `new_end`), as git does: of the equally small ways to place an edit in
/// repeated text, the last one is shown.
fn slide_down(changes: &mut [InlineChange], old: &str, old_end: usize, new: &str, new_end: usize) {
    let (old, new) = (old.as_bytes(), new.as_bytes());
    for i in 0..changes.len() {
        let (limit_old, limit_new) = changes
            .get(i + 1)
            .map_or((old_end, new_end), |next| (next.old.start, next.new.start));
        let c = &mut changes[i];
        let (moved, old_after, new_after) = match c.tag {
            Tag::Insert => (&new[c.new.clone()], c.old.end, c.new.end),
            Tag::Delete => (&old[c.old.clone()], c.old.end, c.new.end),
            _ => continue,
        };
        let step = moved.len();
        let (mut o, mut n) = (old_after, new_after);
        while o + step <= limit_old
            && n + step <= limit_new
            && &old[o..o + step] == moved
            && &new[n..n + step] == moved
        {
            o += step;
            n += step;
        }
        let shift = o - old_after;
        c.old = c.old.start + shift..c.old.end + shift;
        c.new = c.new.start + shift..c.new.end + shift;
    }
}

/// Bytes covered by units `a` (units tile `whole`); for an empty `a`, the
/// point where it sits: the end of the unit before it, or the start of
/// `whole`. An insertion after the last unit sits at the block's end, not
/// its start, so changes stay in order.
fn span_at(units: &[Range<usize>], a: Range<usize>, whole: Range<usize>) -> Range<usize> {
    if !a.is_empty() {
        return units[a.start].start..units[a.end - 1].end;
    }
    let at = match a.start.checked_sub(1).and_then(|i| units.get(i)) {
        Some(before) => before.end,
        None => units.first().map_or(whole.start, |r| r.start),
    };
    at..at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::options::DiffOptions;

    fn refine(old: &str, new: &str, granularity: Granularity) -> Option<Vec<InlineChange>> {
        let mut keyer = Keyer::new(&DiffOptions::new());
        let mut refiner = Refiner {
            keyer: &mut keyer,
            granularity,
            algorithm: Algorithm::Myers,
            deadline: None,
            approximate: false,
            loose_bytes: usize::MAX,
        };
        refiner.refine(old, 0..old.len(), new, 0..new.len())
    }

    fn texts<'a>(old: &'a str, new: &'a str, changes: &[InlineChange]) -> Vec<(&'a str, &'a str)> {
        changes
            .iter()
            .map(|c| (&old[c.old.clone()], &new[c.new.clone()]))
            .collect()
    }

    #[test]
    fn one_character_in_a_long_chinese_line() {
        let old = "中共中央关于加强和改进党的群团工作的意见发布。".repeat(200);
        let mut new = old.clone();
        let at = new.char_indices().nth(2500).map(|(i, _)| i).unwrap();
        new.replace_range(at..at + 3, "党");
        let changes = refine(&old, &new, Granularity::Auto).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(texts(&old, &new, &changes), [("作", "党")]);
        assert_eq!(changes[0].old, at..at + 3);
    }

    #[test]
    fn latin_is_refined_by_words() {
        let (old, new) = ("the quick brown fox\n", "the quick red fox\n");
        let changes = refine(old, new, Granularity::Auto).unwrap();
        assert_eq!(texts(old, new, &changes), [("brown", "red")]);
        let changes = refine(old, new, Granularity::Char).unwrap();
        assert!(changes.len() >= 2);
    }

    /// The changes are in order, inside the blocks, and turn old into new.
    fn assert_well_formed(old: &str, new: &str, changes: &[InlineChange]) {
        let mut rebuilt = String::new();
        let mut at = 0;
        for c in changes {
            assert!(at <= c.old.start, "change out of order: {c:?} after {at}");
            assert!(c.old.end <= old.len() && c.new.end <= new.len(), "{c:?}");
            rebuilt.push_str(&old[at..c.old.start]);
            rebuilt.push_str(&new[c.new.clone()]);
            at = c.old.end;
        }
        rebuilt.push_str(&old[at..]);
        assert_eq!(rebuilt, new);
    }

    #[test]
    fn a_sentence_inserted_after_the_last_sits_at_the_end_of_the_block() {
        // Regression: an insertion past the last old sentence was placed at
        // the block's start, after an earlier change, so the word printer
        // sliced backwards and panicked.
        let sentence = "The committee met again on Tuesday to discuss the budget for next year.";
        let repeated = format!("{}\n", vec![sentence; 20].join(" "));
        let old = format!("Alpha beta. {repeated}");
        let new = format!("Gamma delta epsilon zeta. {repeated}\n");
        for granularity in [Granularity::Auto, Granularity::Word, Granularity::Char] {
            let changes = refine(&old, &new, granularity).expect("refined");
            assert_well_formed(&old, &new, &changes);
            let last = changes.last().expect("a change");
            assert_eq!(
                (last.old.clone(), &new[last.new.clone()]),
                (old.len()..old.len(), "\n")
            );
        }
    }

    #[test]
    fn a_sentence_deleted_before_the_end_sits_where_it_was_in_the_new_text() {
        let sentence = "Every sentence here is long enough to be compared on its own merits.";
        let body = format!("{sentence} ").repeat(20);
        let old = format!("Alpha beta. {body}Dropped at the end.");
        let new = format!("Gamma delta epsilon zeta. {body}");
        let changes = refine(&old, &new, Granularity::Auto).expect("refined");
        assert_well_formed(&old, &new, &changes);
        let last = changes.last().expect("a change");
        assert_eq!(last.new, new.len()..new.len());
    }

    proptest::proptest! {
        #[test]
        fn changes_are_ordered_and_rebuild_the_new_block(
            old in proptest::collection::vec(0..6usize, 0..60),
            new in proptest::collection::vec(0..6usize, 0..60),
            granularity in proptest::sample::select(vec![Granularity::Auto, Granularity::Word, Granularity::Char]),
        ) {
            const PIECES: [&str; 6] = [
                "A sentence that comes back again and again in this text. ",
                "Another one, a little different from the first. ",
                "Short.\n",
                "\n",
                "中文句子在这里重复出现。",
                "Gamma delta epsilon zeta. ",
            ];
            let old: String = old.iter().map(|&i| PIECES[i]).collect();
            let new: String = new.iter().map(|&i| PIECES[i]).collect();
            if let Some(changes) = refine(&old, &new, granularity) {
                assert_well_formed(&old, &new, &changes);
            }
        }
    }

    fn refine_with(
        old: &str,
        new: &str,
        granularity: Granularity,
        loose: usize,
    ) -> Option<Vec<InlineChange>> {
        let mut keyer = Keyer::new(&DiffOptions::new());
        let mut refiner = Refiner {
            keyer: &mut keyer,
            granularity,
            algorithm: Algorithm::Myers,
            deadline: None,
            approximate: false,
            loose_bytes: loose,
        };
        refiner.refine(old, 0..old.len(), new, 0..new.len())
    }

    #[test]
    fn one_character_in_a_line_of_twenty_phrases_over_one_sentence_long() {
        // Regression: 20 repeats of a 20-character phrase make one 1200-byte
        // sentence; it differed, so by sentence nothing was shared and the
        // whole line was replaced, where 15 repeats were refined.
        let phrase = "中华人民共和国国务院新闻办公室发布白皮书";
        for times in [15, 20, 200] {
            let old = phrase.repeat(times);
            let at = old.char_indices().nth(times * 10).map(|(i, _)| i).unwrap();
            let new = format!("{}甲{}", &old[..at], &old[at + 3..]);
            for granularity in [Granularity::Auto, Granularity::Word, Granularity::Char] {
                let changes = refine(&old, &new, granularity).expect("refined");
                assert_eq!(changes.len(), 1, "{times} repeats");
                assert_eq!(changes[0].old, at..at + 3);
                assert_eq!(texts(&old, &new, &changes), [(&old[at..at + 3], "甲")]);
            }
        }
    }

    #[test]
    fn an_edit_at_the_start_of_a_repeated_line_is_refined_whatever_the_chunk_count() {
        // Chunks cut by length fall out of step after an insertion in
        // repeated text, so the loose count can be near zero; the common
        // suffix still counts as shared.
        let old = "the council met and agreed again ".repeat(200);
        let new = format!("zebra {old}");
        let changes = refine_with(&old, &new, Granularity::Auto, 0).expect("refined");
        assert_eq!(texts(&old, &new, &changes), [("", "zebra ")]);
        let changes = refine_with(&new, &old, Granularity::Auto, 0).expect("refined");
        assert_eq!(texts(&new, &old, &changes), [("zebra ", "")]);
    }

    #[test]
    fn the_middle_starts_and_ends_on_whole_tokens() {
        fn trim<'a>(old: &'a str, new: &'a str, granularity: Granularity) -> (&'a str, &'a str) {
            let (o, n) = trim_common(old, 0..old.len(), new, 0..new.len(), granularity);
            (&old[o], &new[n])
        }
        assert_eq!(
            trim("ha ha ha", "ha hb ha", Granularity::Auto),
            ("ha", "hb")
        );
        assert_eq!(trim("ha ha ha", "ha hb ha", Granularity::Char), ("a", "b"));
        assert_eq!(
            trim("we don't go", "we don?t go", Granularity::Auto),
            ("don't", "don?t")
        );
        assert_eq!(
            trim("改进工作", "改善工作", Granularity::Auto),
            ("进", "善")
        );
        // One character inside a long word: the whole word, found by
        // widening the window around the edit.
        let (old, new) = (
            "a".repeat(5000),
            format!("{}b{}", "a".repeat(2500), "a".repeat(2499)),
        );
        assert_eq!(
            trim(&old, &new, Granularity::Auto),
            (old.as_str(), new.as_str())
        );
        assert_eq!(trim(&old, &new, Granularity::Char), ("a", "b"));
        assert_eq!(trim("same", "same", Granularity::Auto), ("", ""));
    }

    #[test]
    fn an_insertion_is_shown_after_the_copies_of_itself_that_follow_it() {
        let old = "x 哈哈哈 y";
        let new = "z 哈哈哈哈 y";
        let changes = refine(old, new, Granularity::Auto).expect("refined");
        assert_well_formed(old, new, &changes);
        assert_eq!(changes.last().map(|c| c.new.clone()), Some(11..14));
    }

    /// Characters of `text`.
    fn char_count(text: &str) -> usize {
        text.chars().count()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn one_unit_edit_in_repetitive_text_is_one_unit(
            unit in proptest::sample::select(vec!["哈", "ab", "中华人民", "ha ", "a", "好的。", "x y z. "]),
            times in 1..1500usize,
            edit in 0..3u8,
            at in 0..100_000usize,
            other in proptest::sample::select(vec!["哈", "甲", "a", "b", " ", "。"]),
        ) {
            let old: Vec<char> = unit.repeat(times).chars().collect();
            let at = at % old.len();
            let mut new = old.clone();
            let other = other.chars().next().unwrap();
            match edit {
                0 => new.insert(at, other),
                1 => { new.remove(at); }
                _ => new[at] = other,
            }
            let (old, new): (String, String) = (old.into_iter().collect(), new.into_iter().collect());
            if old == new {
                return Ok(());
            }
            let Some(changes) = refine(&old, &new, Granularity::Char) else {
                // Shown whole only when the line is a few characters long.
                proptest::prop_assert!(char_count(&old) <= 3, "{old:?} -> {new:?}");
                return Ok(());
            };
            assert_well_formed(&old, &new, &changes);
            let removed: usize = changes.iter().map(|c| char_count(&old[c.old.clone()])).sum();
            let added: usize = changes.iter().map(|c| char_count(&new[c.new.clone()])).sum();
            let expected = match edit { 0 => (0, 1), 1 => (1, 0), _ => (1, 1) };
            proptest::prop_assert_eq!((removed, added), expected, "{:?} -> {:?}: {:?}", old, new, changes);
        }
    }

    #[test]
    fn unrelated_blocks_are_not_refined() {
        assert_eq!(
            refine("alpha beta\n", "gamma delta\n", Granularity::Auto),
            None
        );
        assert_eq!(refine("a b\n", "a c\n", Granularity::Line), None);
    }
}
