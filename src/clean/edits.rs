//! Compact edit scripts: how to turn a kept twin into the text that was
//! removed, so the manifest stores a few changed characters instead of a
//! second copy.
//!
//! A script is a list of operations over the twin's characters: keep `n`,
//! skip `n`, insert a string. It is computed with `similar`'s Myers
//! algorithm on words and single characters, within a fixed budget of work
//! decided by the sizes of the texts alone, so the same texts always give
//! the same script, however loaded the machine: texts too large or too
//! different to compare word by word are compared line by line (changed
//! lines then word by word while the budget lasts), and past that, lines
//! found once in each text anchor the comparison of what lies between them.
//! What no step can afford is skipped and inserted whole: coarser, never
//! wrong.
//!
//! ```
//! use doppel::clean::edits::{apply, diff};
//! let script = diff("the kept twin", "the removed twin");
//! assert_eq!(apply("the kept twin", &script).unwrap(), "the removed twin");
//! ```

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use similar::{capture_diff_deadline, Algorithm, DiffOp};

use crate::script::is_cjk;

/// Steps of comparison one script may take, counted as the square of the
/// number of tokens (or lines) each comparison is given: Myers' worst case.
const WORK: u64 = 1 << 26;

/// One step of an edit script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Edit {
    /// Keep this many characters of the twin.
    Keep(usize),
    /// Insert this text.
    Insert(String),
    /// Skip this many characters of the twin (written as a negative count).
    Skip(Skip),
}

/// A skip, serialized as a negative number so a script reads `[120,-3,"新",40]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Skip(pub usize);

impl Serialize for Skip {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(-(self.0 as i64))
    }
}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Skip, D::Error> {
        let n = i64::deserialize(deserializer)?;
        if n < 0 {
            Ok(Skip(n.unsigned_abs() as usize))
        } else {
            Err(serde::de::Error::custom("a skip is a negative count"))
        }
    }
}

/// The script that turns `twin` into `removed`.
///
/// The texts are compared token by token (a run of letters and digits of a
/// spaced script is one token, every other character is its own, so CJK
/// text is compared by character): a fifth of the steps a comparison of
/// characters takes on English text. A changed word is skipped and inserted
/// whole.
pub fn diff(twin: &str, removed: &str) -> Vec<Edit> {
    diff_within(twin, removed, WORK)
}

/// [`diff`] with a budget of `work` steps.
fn diff_within(twin: &str, removed: &str, work: u64) -> Vec<Edit> {
    let mut differ = Differ {
        old: Side::new(twin),
        new: Side::new(removed),
        work,
        script: Vec::new(),
    };
    differ.run();
    let mut script = differ.script;
    if matches!(script.last(), Some(Edit::Keep(_))) && script.len() == 1 {
        script.clear();
    }
    script
}

/// One text cut into tokens, with each token's byte and character offset.
struct Side<'a> {
    text: &'a str,
    tokens: Vec<&'a str>,
    /// Byte offset of each token, and the text's length last.
    bytes: Vec<usize>,
    /// Characters before each token, and the text's count last.
    chars: Vec<usize>,
}

impl<'a> Side<'a> {
    fn new(text: &'a str) -> Side<'a> {
        let tokens = tokens(text);
        let mut bytes = Vec::with_capacity(tokens.len() + 1);
        let mut chars = Vec::with_capacity(tokens.len() + 1);
        let (mut at, mut count) = (0, 0);
        for token in &tokens {
            bytes.push(at);
            chars.push(count);
            at += token.len();
            count += token.chars().count();
        }
        bytes.push(at);
        chars.push(count);
        Side {
            text,
            tokens,
            bytes,
            chars,
        }
    }

    fn chars(&self, tokens: Range<usize>) -> usize {
        self.chars[tokens.end] - self.chars[tokens.start]
    }

    fn text(&self, tokens: Range<usize>) -> &'a str {
        &self.text[self.bytes[tokens.start]..self.bytes[tokens.end]]
    }

    /// The lines of a range of tokens, as token ranges, each ending after
    /// its `\n` (the last one may not).
    fn lines(&self, tokens: Range<usize>) -> Vec<Range<usize>> {
        let mut lines = Vec::new();
        let mut start = tokens.start;
        for at in tokens.clone() {
            if self.tokens[at] == "\n" {
                lines.push(start..at + 1);
                start = at + 1;
            }
        }
        if start < tokens.end {
            lines.push(start..tokens.end);
        }
        lines
    }
}

/// Makes one script within a budget of work.
struct Differ<'a> {
    old: Side<'a>,
    new: Side<'a>,
    work: u64,
    script: Vec<Edit>,
}

impl Differ<'_> {
    fn run(&mut self) {
        let (old_len, new_len) = (self.old.tokens.len(), self.new.tokens.len());
        let prefix = self
            .old
            .tokens
            .iter()
            .zip(&self.new.tokens)
            .take_while(|(a, b)| a == b)
            .count();
        let suffix = self.old.tokens[prefix..]
            .iter()
            .rev()
            .zip(self.new.tokens[prefix..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        self.keep(0..prefix);
        self.middle(prefix..old_len - suffix, prefix..new_len - suffix, true);
        self.keep(old_len - suffix..old_len);
    }

    /// Takes `cost` from the budget if it holds that much.
    fn afford(&mut self, old: usize, new: usize) -> bool {
        let size = (old + new) as u64;
        let cost = size.saturating_mul(size);
        if cost <= self.work {
            self.work -= cost;
            true
        } else {
            false
        }
    }

    /// Compares two ranges of tokens word by word, else line by line, else
    /// (with `anchors`) between lines found once in each.
    fn middle(&mut self, old: Range<usize>, new: Range<usize>, anchors: bool) {
        if old.is_empty() || new.is_empty() {
            return self.replace(old, new);
        }
        if self.afford(old.len(), new.len()) {
            return self.tokens(old, new);
        }
        let old_lines = self.old.lines(old.clone());
        let new_lines = self.new.lines(new.clone());
        if self.afford(old_lines.len(), new_lines.len()) {
            return self.lines(&old_lines, &new_lines);
        }
        if anchors {
            return self.anchored(&old_lines, &new_lines);
        }
        self.replace(old, new)
    }

    /// Myers on tokens.
    fn tokens(&mut self, old: Range<usize>, new: Range<usize>) {
        let ops = capture_diff_deadline(
            Algorithm::Myers,
            &self.old.tokens,
            old,
            &self.new.tokens,
            new,
            None,
        );
        for op in ops {
            let (_, old, new) = op.as_tag_tuple();
            match op {
                DiffOp::Equal { .. } => self.keep(old),
                _ => self.replace(old, new),
            }
        }
    }

    /// Myers on whole lines; changed lines are compared word by word while
    /// the budget allows.
    fn lines(&mut self, old_lines: &[Range<usize>], new_lines: &[Range<usize>]) {
        let old_texts: Vec<&str> = old_lines.iter().map(|l| self.old.text(l.clone())).collect();
        let new_texts: Vec<&str> = new_lines.iter().map(|l| self.new.text(l.clone())).collect();
        let ops = capture_diff_deadline(
            Algorithm::Myers,
            &old_texts,
            0..old_texts.len(),
            &new_texts,
            0..new_texts.len(),
            None,
        );
        let tokens_of = |lines: &[Range<usize>], range: Range<usize>, fallback: usize| {
            if range.is_empty() {
                fallback..fallback
            } else {
                lines[range.start].start..lines[range.end - 1].end
            }
        };
        for op in ops {
            let (_, old, new) = op.as_tag_tuple();
            let old_at = old_lines
                .get(old.start)
                .map_or_else(|| old_lines.last().map_or(0, |l| l.end), |l| l.start);
            let new_at = new_lines
                .get(new.start)
                .map_or_else(|| new_lines.last().map_or(0, |l| l.end), |l| l.start);
            let old = tokens_of(old_lines, old, old_at);
            let new = tokens_of(new_lines, new, new_at);
            match op {
                DiffOp::Equal { .. } => self.keep(old),
                DiffOp::Replace { .. } if self.afford(old.len(), new.len()) => {
                    self.tokens(old, new)
                }
                _ => self.replace(old, new),
            }
        }
    }

    /// Lines found exactly once in each text, in an order both agree on
    /// (the longest such run), are kept; what lies between them is compared
    /// without anchors.
    fn anchored(&mut self, old_lines: &[Range<usize>], new_lines: &[Range<usize>]) {
        let anchors = unique_anchors(
            &old_lines
                .iter()
                .map(|l| self.old.text(l.clone()))
                .collect::<Vec<_>>(),
            &new_lines
                .iter()
                .map(|l| self.new.text(l.clone()))
                .collect::<Vec<_>>(),
        );
        let (mut old_at, mut new_at) = (0, 0);
        let start = |lines: &[Range<usize>], at: usize| {
            lines
                .get(at)
                .map_or_else(|| lines.last().map_or(0, |l| l.end), |l| l.start)
        };
        for (old_line, new_line) in anchors
            .into_iter()
            .chain([(old_lines.len(), new_lines.len())])
        {
            let old = start(old_lines, old_at)..start(old_lines, old_line);
            let new = start(new_lines, new_at)..start(new_lines, new_line);
            self.middle(old, new, false);
            if let Some(line) = old_lines.get(old_line) {
                self.keep(line.clone());
            }
            (old_at, new_at) = (old_line + 1, new_line + 1);
        }
    }

    fn keep(&mut self, old: Range<usize>) {
        let n = self.old.chars(old);
        if n > 0 {
            push(&mut self.script, Edit::Keep(n));
        }
    }

    /// Skips `old` and inserts `new`, whole.
    fn replace(&mut self, old: Range<usize>, new: Range<usize>) {
        let n = self.old.chars(old);
        if n > 0 {
            push(&mut self.script, Edit::Skip(Skip(n)));
        }
        let text = self.new.text(new);
        if !text.is_empty() {
            push(&mut self.script, Edit::Insert(text.to_owned()));
        }
    }
}

/// Pairs (old line, new line) of lines found once in each list, the longest
/// run in increasing order on both sides (patience diff's anchors).
fn unique_anchors(old: &[&str], new: &[&str]) -> Vec<(usize, usize)> {
    let mut seen: HashMap<&str, (usize, usize, usize, usize)> = HashMap::new();
    for (at, line) in old.iter().enumerate() {
        let entry = seen.entry(line).or_insert((0, 0, at, 0));
        entry.0 += 1;
    }
    for (at, line) in new.iter().enumerate() {
        if let Some(entry) = seen.get_mut(line) {
            entry.1 += 1;
            entry.3 = at;
        }
    }
    let mut pairs: Vec<(usize, usize)> = seen
        .values()
        .filter(|(in_old, in_new, ..)| *in_old == 1 && *in_new == 1)
        .map(|&(_, _, old_at, new_at)| (old_at, new_at))
        .collect();
    pairs.sort_unstable();
    longest_increasing(&pairs)
}

/// The longest subsequence of `pairs` (sorted by their first item) whose
/// second items increase.
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // tails[k]: index of the smallest tail of an increasing run of k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut before: Vec<Option<usize>> = vec![None; pairs.len()];
    for (at, &(_, value)) in pairs.iter().enumerate() {
        let k = tails.partition_point(|&t| pairs[t].1 < value);
        before[at] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(at);
        } else {
            tails[k] = at;
        }
    }
    let mut run = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(i) = at {
        run.push(pairs[i]);
        at = before[i];
    }
    run.reverse();
    run
}

/// Cuts `text` into runs of letters and digits outside CJK, and single
/// other characters; the tokens concatenate back to `text`.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut word_start = None;
    for (at, c) in text.char_indices() {
        let wordish = c.is_alphanumeric() && !is_cjk(c);
        match (wordish, word_start) {
            (true, None) => word_start = Some(at),
            (true, Some(_)) => {}
            (false, start) => {
                if let Some(start) = start {
                    out.push(&text[start..at]);
                    word_start = None;
                }
                out.push(&text[at..at + c.len_utf8()]);
            }
        }
    }
    if let Some(start) = word_start {
        out.push(&text[start..]);
    }
    out
}

/// Appends, merging with a previous step of the same kind.
fn push(script: &mut Vec<Edit>, edit: Edit) {
    match (script.last_mut(), edit) {
        (Some(Edit::Keep(n)), Edit::Keep(m)) => *n += m,
        (Some(Edit::Skip(Skip(n))), Edit::Skip(Skip(m))) => *n += m,
        (Some(Edit::Insert(s)), Edit::Insert(t)) => s.push_str(&t),
        (_, edit) => script.push(edit),
    }
}

/// Why a script does not fit its twin.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("edit script runs past the end of its twin ({wanted} characters wanted, {left} left)")]
pub struct ScriptError {
    /// Characters the script asked to copy or skip from the twin.
    pub wanted: usize,
    /// Characters of the twin left at that point.
    pub left: usize,
}

/// Applies `script` to `twin`. An empty script means the texts are equal.
pub fn apply(twin: &str, script: &[Edit]) -> Result<String, ScriptError> {
    if script.is_empty() {
        return Ok(twin.to_owned());
    }
    let mut out = String::with_capacity(twin.len());
    let mut chars = twin.chars();
    for edit in script {
        match edit {
            Edit::Keep(n) => take(&mut chars, *n, Some(&mut out))?,
            Edit::Skip(Skip(n)) => take(&mut chars, *n, None)?,
            Edit::Insert(text) => out.push_str(text),
        }
    }
    Ok(out)
}

fn take(
    chars: &mut std::str::Chars<'_>,
    n: usize,
    mut out: Option<&mut String>,
) -> Result<(), ScriptError> {
    for taken in 0..n {
        let c = chars.next().ok_or(ScriptError {
            wanted: n,
            left: taken,
        })?;
        if let Some(out) = out.as_deref_mut() {
            out.push(c);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_texts_need_no_script() {
        assert!(diff("same", "same").is_empty());
        assert_eq!(apply("same", &[]).unwrap(), "same");
    }

    #[test]
    fn scripts_are_compact_and_serialize_small() {
        let twin = "群團事業是黨的事業的重要組成部分".repeat(3);
        let removed = twin.replacen("重要", "?要", 1);
        let script = diff(&twin, &removed);
        assert_eq!(script.len(), 4, "{script:?}");
        let json = serde_json::to_string(&script).unwrap();
        assert!(json.len() < 20, "{json}");
        let back: Vec<Edit> = serde_json::from_str(&json).unwrap();
        assert_eq!(apply(&twin, &back).unwrap(), removed);
    }

    #[test]
    fn a_script_longer_than_its_twin_is_an_error() {
        assert!(apply("ab", &[Edit::Keep(3)]).is_err());
    }

    #[test]
    fn tokens_are_words_and_single_characters() {
        assert_eq!(
            tokens("Café au lait, 新华社2015!"),
            ["Café", " ", "au", " ", "lait", ",", " ", "新", "华", "社", "2015", "!"]
        );
        assert!(tokens("").is_empty());
    }

    #[test]
    fn a_changed_word_is_replaced_whole() {
        let twin = "the committee agreed the budget for next year";
        let removed = "the committee agreed the budgte for next year";
        let script = diff(twin, removed);
        assert_eq!(
            script,
            [
                Edit::Keep(25),
                Edit::Skip(Skip(6)),
                Edit::Insert("budgte".into()),
                Edit::Keep(14)
            ]
        );
        assert_eq!(apply(twin, &script).unwrap(), removed);
    }

    #[test]
    fn texts_beyond_every_budget_are_replaced_whole_whatever_the_time() {
        let twin: String = (0..200_000).map(|i| format!("w{i} ")).collect();
        let removed: String = (0..200_000).map(|i| format!("v{i} ")).collect();
        let script = diff(&twin, &removed);
        assert_eq!(
            script,
            [
                Edit::Skip(Skip(twin.len() - 1)),
                Edit::Insert(removed[..removed.len() - 1].to_owned()),
                Edit::Keep(1)
            ]
        );
    }

    #[test]
    fn long_texts_are_anchored_on_their_unique_lines() {
        let twin: String = (0..12_000)
            .map(|i| format!("line {i} of the text\n"))
            .collect();
        let removed = twin
            .replace("line 10 of", "line ten of")
            .replace("line 6000 of", "line six thousand of")
            .replace("line 11990 of", "row 11990 of");
        let script = diff(&twin, &removed);
        assert_eq!(apply(&twin, &script).unwrap(), removed);
        assert!(script.len() <= 12, "{script:?}");
        assert_eq!(diff(&twin, &removed), script);
    }

    /// A comparison too long for a deadline (the script used to turn coarse
    /// past 200 ms, so it depended on the machine's load) stays fine.
    #[test]
    fn many_scattered_changes_give_a_fine_script_whatever_the_time() {
        let twin: String = (0..10_000)
            .map(|i| format!("line {i} of the text\n"))
            .collect();
        let removed: String = (0..10_000)
            .map(|i| match i % 5 {
                0 => format!("line {i} of the TEXT\n"),
                _ => format!("line {i} of the text\n"),
            })
            .collect();
        let script = diff(&twin, &removed);
        assert_eq!(apply(&twin, &script).unwrap(), removed);
        let inserted: usize = script
            .iter()
            .map(|e| match e {
                Edit::Insert(text) => text.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(inserted, 2_000 * "TEXT".len());
    }

    #[test]
    fn anchors_are_the_longest_run_in_order() {
        let pairs = [(0, 3), (1, 0), (2, 1), (3, 5), (4, 2)];
        assert_eq!(longest_increasing(&pairs), [(1, 0), (2, 1), (4, 2)]);
        assert_eq!(
            unique_anchors(&["a", "b", "b", "c", "e"], &["a", "d", "c", "b", "e", "e"]),
            [(0, 0), (3, 2)]
        );
    }

    proptest! {
        #[test]
        fn every_budget_gives_an_exact_script(
            twin in "[ab字 \n]{0,80}",
            removed in "[ab字 \n]{0,80}",
            work in 0u64..600,
        ) {
            let script = diff_within(&twin, &removed, work);
            prop_assert_eq!(apply(&twin, &script).unwrap(), removed);
        }

        #[test]
        fn applying_the_diff_of_words_gives_the_removed_text(
            twin in "[a-cé字 ,\n]{0,60}",
            removed in "[a-cé字 ,\n]{0,60}",
        ) {
            let script = diff(&twin, &removed);
            prop_assert_eq!(apply(&twin, &script).unwrap(), removed);
        }

        #[test]
        fn applying_the_diff_gives_the_removed_text(twin in "[a-c字 \n]{0,40}", removed in "[a-c字 \n]{0,40}") {
            let script = diff(&twin, &removed);
            prop_assert_eq!(apply(&twin, &script).unwrap(), removed);
        }
    }
}
