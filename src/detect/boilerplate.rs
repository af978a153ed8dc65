//! Boilerplate: lines that many documents of one group share (navigation,
//! footers, cookie notices).
//!
//! Exact duplicate documents count once. Documents are grouped by where they come from: the folder a file sits in,
//! or, for JSON Lines, the value of the site field (else the file). A line is
//! boilerplate in a group when it occurs in at least
//! [`BoilerplateConfig::min_docs`] documents of the group and in at least
//! [`BoilerplateConfig::min_share`] of them. Lines are compared trimmed,
//! exactly; lines longer than [`BoilerplateConfig::max_line_bytes`] are not
//! considered (boilerplate is short).
//!
//! Each document counts a line once. Memory grows with the distinct short
//! lines of each group; a line's text is kept only from its second
//! occurrence on.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64;

use crate::config::{self, ConfigError};

/// When a line is boilerplate: start from the default and set the fields.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BoilerplateConfig {
    /// Documents of the group it must occur in (default 3).
    pub min_docs: usize,
    /// Share of the group's documents it must occur in (default 0.3).
    pub min_share: f64,
    /// Longest line considered, in bytes (default 300).
    pub max_line_bytes: usize,
    /// Shortest line considered, in characters (default 4).
    pub min_line_chars: usize,
}

impl BoilerplateConfig {
    /// Checks the settings: `min_docs` and `min_line_chars` at least 1,
    /// `min_share` in `[0, 1]`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        config::at_least("boilerplate.min_docs", self.min_docs, 1)?;
        config::fraction("boilerplate.min_share", self.min_share)?;
        config::at_least("boilerplate.min_line_chars", self.min_line_chars, 1)?;
        Ok(())
    }
}

impl Default for BoilerplateConfig {
    fn default() -> BoilerplateConfig {
        BoilerplateConfig {
            min_docs: 3,
            min_share: 0.3,
            max_line_bytes: 300,
            min_line_chars: 4,
        }
    }
}

/// A boilerplate line of one group.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Boilerplate {
    /// The group it was counted in: a folder, or a JSON Lines file's site field
    /// value (else the file).
    pub group: String,
    /// The line, trimmed.
    pub text: String,
    /// Hash of the trimmed line.
    pub hash: u64,
    /// Documents of the group it occurs in.
    pub documents: usize,
    /// Documents in the group (exact duplicates counted once).
    pub group_documents: usize,
}

/// One group's counts. Most lines occur once, so a line seen once costs only
/// its hash in `once`; from its second document on it is counted in
/// `counts`, and its text kept in `texts`.
#[derive(Debug, Default)]
struct Group {
    documents: usize,
    once: HashSet<u64>,
    counts: HashMap<u64, u32>,
    texts: HashMap<u64, Box<str>>,
}

/// Counts lines per group, one document at a time.
#[derive(Debug, Default)]
pub struct BoilerplateCounter {
    config: BoilerplateConfig,
    groups: HashMap<String, Group>,
}

/// The hashes and byte ranges of a document's distinct candidate lines,
/// computed in parallel before counting.
pub fn line_hashes(text: &str, config: &BoilerplateConfig) -> Vec<(u64, Range<usize>)> {
    let base = text.as_ptr() as usize;
    let mut out: Vec<(u64, Range<usize>)> = text
        .lines()
        .map(str::trim)
        .filter(|line| {
            line.len() <= config.max_line_bytes && has_chars(line, config.min_line_chars)
        })
        .map(|line| {
            let start = line.as_ptr() as usize - base;
            (xxh3_64(line.as_bytes()), start..start + line.len())
        })
        .collect();
    out.sort_unstable_by_key(|(hash, _)| *hash);
    out.dedup_by_key(|(hash, _)| *hash);
    out
}

/// Whether `line` has at least `least` characters (counting no further).
fn has_chars(line: &str, least: usize) -> bool {
    least == 0 || line.chars().nth(least - 1).is_some()
}

impl BoilerplateCounter {
    pub fn new(config: BoilerplateConfig) -> BoilerplateCounter {
        BoilerplateCounter {
            config,
            groups: HashMap::new(),
        }
    }

    /// Counts document `doc` of `group` with its distinct candidate lines
    /// (as [`line_hashes`] gives them: each once).
    pub fn add(&mut self, group: &str, text: &str, lines: &[(u64, Range<usize>)]) {
        let group = match self.groups.get_mut(group) {
            Some(found) => found,
            None => self.groups.entry(group.to_owned()).or_default(),
        };
        group.documents += 1;
        for (hash, range) in lines {
            if let Some(count) = group.counts.get_mut(hash) {
                *count += 1;
            } else if group.once.remove(hash) {
                group.counts.insert(*hash, 2);
                if let Some(line) = text.get(range.clone()) {
                    group.texts.insert(*hash, line.into());
                }
            } else {
                group.once.insert(*hash);
            }
        }
    }

    /// Boilerplate lines, sorted by group, then by documents (most first),
    /// then by text.
    pub fn finish(&self) -> Vec<Boilerplate> {
        let mut out = Vec::new();
        for (name, group) in &self.groups {
            let needed =
                (self.config.min_docs as f64).max(self.config.min_share * group.documents as f64);
            for (&hash, &count) in &group.counts {
                if (count as f64) >= needed {
                    out.push(Boilerplate {
                        group: name.clone(),
                        text: group
                            .texts
                            .get(&hash)
                            .map(|t| t.to_string())
                            .unwrap_or_default(),
                        hash,
                        documents: count as usize,
                        group_documents: group.documents,
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            (
                a.group.as_str(),
                std::cmp::Reverse(a.documents),
                a.text.as_str(),
            )
                .cmp(&(
                    b.group.as_str(),
                    std::cmp::Reverse(b.documents),
                    b.text.as_str(),
                ))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(pages: &[(&str, &str)]) -> Vec<Boilerplate> {
        let config = BoilerplateConfig::default();
        let mut counter = BoilerplateCounter::new(config.clone());
        for (group, text) in pages {
            counter.add(group, text, &line_hashes(text, &config));
        }
        counter.finish()
    }

    #[test]
    fn lines_on_many_pages_of_a_site_are_boilerplate() {
        let page = |body: &str| format!("Home | News | Sport\n{body}\n© 2024 Example News\n");
        let pages: Vec<String> = (0..5)
            .map(|i| page(&format!("Story number {i} is here.")))
            .collect();
        let found = count(
            &pages
                .iter()
                .map(|p| ("site", p.as_str()))
                .collect::<Vec<_>>(),
        );
        let texts: Vec<&str> = found.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["Home | News | Sport", "© 2024 Example News"]);
        assert_eq!((found[0].documents, found[0].group_documents), (5, 5));
    }

    #[test]
    fn groups_are_counted_apart() {
        let found = count(&[
            ("a", "Shared footer line"),
            ("a", "Shared footer line"),
            ("b", "Shared footer line"),
        ]);
        assert!(
            found.is_empty(),
            "two of one group and one of another is not enough: {found:?}"
        );
    }

    #[test]
    fn a_line_repeated_inside_one_document_counts_once() {
        let text = "Same line here\nSame line here\nSame line here\n";
        assert!(count(&[("g", text)]).is_empty());
    }

    #[test]
    fn no_least_line_length_counts_every_line() {
        // Regression: `min_line_chars: 0` underflowed `min_line_chars - 1`.
        let config = BoilerplateConfig {
            min_line_chars: 0,
            ..BoilerplateConfig::default()
        };
        let hashes = line_hashes("ab\n\nxyz\n", &config);
        assert_eq!(hashes.len(), 3, "two short lines and the empty one");
        let default = line_hashes("ab\n\nxyz\n", &BoilerplateConfig::default());
        assert!(default.is_empty(), "all under 4 characters");
    }

    #[test]
    fn validation_names_the_setting_out_of_range() {
        assert_eq!(BoilerplateConfig::default().validate(), Ok(()));
        let bad = |config: BoilerplateConfig| config.validate().unwrap_err().to_string();
        let base = BoilerplateConfig::default;
        assert_eq!(
            bad(BoilerplateConfig {
                min_line_chars: 0,
                ..base()
            }),
            "boilerplate.min_line_chars: 0 is less than 1"
        );
        assert!(bad(BoilerplateConfig {
            min_share: f64::NAN,
            ..base()
        })
        .starts_with("boilerplate.min_share: NaN"));
        assert!(bad(BoilerplateConfig {
            min_docs: 0,
            ..base()
        })
        .starts_with("boilerplate.min_docs"));
    }

    #[test]
    fn rare_lines_in_a_large_group_are_not_boilerplate() {
        let mut pages: Vec<(&str, String)> =
            (0..20).map(|i| ("g", format!("unique text {i}"))).collect();
        for page in pages.iter_mut().take(3) {
            page.1.push_str("\nquoted sentence here");
        }
        let found = count(
            &pages
                .iter()
                .map(|(g, t)| (*g, t.as_str()))
                .collect::<Vec<_>>(),
        );
        assert!(found.is_empty(), "3 of 20 is under the 30% share");
    }
}
