//! Names of signature files: derived from the shard's name, one plain file
//! name each (never a path), unique within a run.
//!
//! `data/part-00001.jsonl` gives `part-00001.jsonl.sig.arrow`, a folder
//! `crawl/2024-05/` gives `2024-05.sig.arrow`, standard input
//! `stdin.sig.arrow`. Characters that are awkward in a file name (control
//! characters, separators) become `_`, a leading dot too (no hidden files),
//! and long names are cut. A name met twice in one run gets `-2`, `-3`…
//! before its ending.

use std::collections::HashSet;
use std::path::{Component, Path};

use super::EXTENSION;

/// Longest stem kept, in bytes, so the name with its suffix stays within
/// the 255 bytes file systems allow.
const MAX_STEM: usize = 200;

/// The file name a shard's signatures get (before making it unique).
pub fn signature_name(shard: &Path) -> String {
    let stem = if shard.as_os_str() == "-" {
        "stdin".to_owned()
    } else {
        let named = shard
            .file_name()
            .map(|name| name.to_os_string())
            .or_else(|| {
                // `.`, `..` or a path ending in them: the folder's own name.
                std::fs::canonicalize(shard)
                    .ok()
                    .and_then(|path| path.file_name().map(|name| name.to_os_string()))
            });
        match named {
            Some(name) => crate::document::lossless_path(Path::new(&name)),
            None => "shard".to_owned(),
        }
    };
    format!("{}{EXTENSION}", clean_stem(&stem))
}

/// A stem that is one harmless file name.
fn clean_stem(stem: &str) -> String {
    let mut out: String = stem
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(..1, "_");
    }
    if out.len() > MAX_STEM {
        let mut cut = MAX_STEM;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    if out.is_empty() {
        out.push_str("shard");
    }
    out
}

/// Hands out names unique within one run.
#[derive(Debug, Default)]
pub struct SignatureNames {
    taken: HashSet<String>,
}

impl SignatureNames {
    /// No name handed out yet.
    pub fn new() -> SignatureNames {
        SignatureNames::default()
    }

    /// The name for `shard`: its [`signature_name`], with `-2`, `-3`…
    /// before the ending when that name was already handed out.
    pub fn next(&mut self, shard: &Path) -> String {
        let base = signature_name(shard);
        let stem = &base[..base.len() - EXTENSION.len()];
        let mut name = base.clone();
        let mut count = 1;
        while self.taken.contains(&name.to_lowercase()) {
            count += 1;
            name = format!("{stem}-{count}{EXTENSION}");
        }
        self.taken.insert(name.to_lowercase());
        debug_assert!(is_plain_name(&name));
        name
    }
}

/// Whether `name` is one normal path component: joined to a folder, it
/// names a file in that folder and nowhere else.
pub(crate) fn is_plain_name(name: &str) -> bool {
    let mut components = Path::new(name).components();
    matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(_)), None)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_shard_and_stay_in_the_folder() {
        let mut names = SignatureNames::new();
        assert_eq!(
            names.next(Path::new("data/part-1.jsonl")),
            "part-1.jsonl.sig.arrow"
        );
        assert_eq!(
            names.next(Path::new("other/part-1.jsonl")),
            "part-1.jsonl-2.sig.arrow"
        );
        assert_eq!(names.next(Path::new("-")), "stdin.sig.arrow");
        assert_eq!(names.next(Path::new(".hidden")), "_hidden.sig.arrow");
        assert_eq!(names.next(Path::new("a\nb")), "a_b.sig.arrow");
        let long = "字".repeat(200);
        let name = names.next(Path::new(&long));
        assert!(name.len() <= 255 && name.ends_with(EXTENSION), "{name}");
        for shard in ["..", ".", "/", "../..", "a/..", "x/.."] {
            let name = names.next(Path::new(shard));
            assert!(is_plain_name(&name), "{shard}: {name}");
            assert!(!name.starts_with('.'), "{shard}: {name}");
        }
    }
}
