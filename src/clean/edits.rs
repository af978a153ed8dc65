//! Compact edit scripts: how to turn a kept twin into the text that was
//! removed, so the manifest stores a few changed characters instead of a
//! second copy.
//!
//! A script is a list of operations over the twin's characters: keep `n`,
//! skip `n`, insert a string. It is computed with `similar` on words and
//! single characters (Myers, with a deadline: past it the script is
//! coarser, never wrong).
//!
//! ```
//! use doppel::clean::edits::{apply, diff};
//! let script = diff("the kept twin", "the removed twin");
//! assert_eq!(apply("the kept twin", &script).unwrap(), "the removed twin");
//! ```

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use similar::{capture_diff_deadline, Algorithm, DiffOp};

use crate::script::is_cjk;

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
/// characters takes on English text, and paragraphs moved or rewritten in
/// near-duplicate documents no longer make it quadratic. A changed word is
/// skipped and inserted whole.
pub fn diff(twin: &str, removed: &str) -> Vec<Edit> {
    let old = tokens(twin);
    let new = tokens(removed);
    // Characters of old[..i], to turn token counts into character counts.
    let mut chars_before = Vec::with_capacity(old.len() + 1);
    chars_before.push(0usize);
    for token in &old {
        chars_before.push(chars_before[chars_before.len() - 1] + token.chars().count());
    }
    let chars = |from: usize, len: usize| chars_before[from + len] - chars_before[from];
    let text = |from: usize, len: usize| new[from..from + len].concat();
    let deadline = Instant::now() + Duration::from_millis(200);
    let ops = capture_diff_deadline(
        Algorithm::Myers,
        &old,
        0..old.len(),
        &new,
        0..new.len(),
        Some(deadline),
    );
    let mut script = Vec::new();
    for op in ops {
        match op {
            DiffOp::Equal { old_index, len, .. } => {
                push(&mut script, Edit::Keep(chars(old_index, len)))
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => push(&mut script, Edit::Skip(Skip(chars(old_index, old_len)))),
            DiffOp::Insert {
                new_index, new_len, ..
            } => push(&mut script, Edit::Insert(text(new_index, new_len))),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                push(&mut script, Edit::Skip(Skip(chars(old_index, old_len))));
                push(&mut script, Edit::Insert(text(new_index, new_len)));
            }
        }
    }
    if matches!(script.last(), Some(Edit::Keep(_))) && script.len() == 1 {
        script.clear();
    }
    script
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
    pub wanted: usize,
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

    proptest! {
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
