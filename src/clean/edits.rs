//! Compact edit scripts: how to turn a kept twin into the text that was
//! removed, so the manifest stores a few changed characters instead of a
//! second copy.
//!
//! A script is a list of operations over the twin's characters: keep `n`,
//! skip `n`, insert a string. It is computed with `similar` on characters
//! (Myers, with a deadline: past it the script is coarser, never wrong).
//!
//! ```
//! use doppel::clean::edits::{apply, diff};
//! let script = diff("the kept twin", "the removed twin");
//! assert_eq!(apply("the kept twin", &script).unwrap(), "the removed twin");
//! ```

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use similar::{capture_diff_deadline, Algorithm, DiffOp};

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
pub fn diff(twin: &str, removed: &str) -> Vec<Edit> {
    let old: Vec<char> = twin.chars().collect();
    let new: Vec<char> = removed.chars().collect();
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
            DiffOp::Equal { len, .. } => push(&mut script, Edit::Keep(len)),
            DiffOp::Delete { old_len, .. } => push(&mut script, Edit::Skip(Skip(old_len))),
            DiffOp::Insert {
                new_index, new_len, ..
            } => push(
                &mut script,
                Edit::Insert(new[new_index..new_index + new_len].iter().collect()),
            ),
            DiffOp::Replace {
                old_len,
                new_index,
                new_len,
                ..
            } => {
                push(&mut script, Edit::Skip(Skip(old_len)));
                push(
                    &mut script,
                    Edit::Insert(new[new_index..new_index + new_len].iter().collect()),
                );
            }
        }
    }
    if matches!(script.last(), Some(Edit::Keep(_))) && script.len() == 1 {
        script.clear();
    }
    script
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

    proptest! {
        #[test]
        fn applying_the_diff_gives_the_removed_text(twin in "[a-c字 \n]{0,40}", removed in "[a-c字 \n]{0,40}") {
            let script = diff(&twin, &removed);
            prop_assert_eq!(apply(&twin, &script).unwrap(), removed);
        }
    }
}
