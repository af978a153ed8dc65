//! The labelled near-duplicate evaluation, small: real Chinese, Japanese and
//! English documents and short SPDX licences (`corpus/neardup/`, see its
//! README), each with planted copies made here from a seed (1% and 3% of
//! its characters edited, twice each; some exact, some with their
//! paragraphs reordered), run through `doppel clean` at its defaults
//! (`--no-blocks --no-segments`: whole documents only) and graded against
//! the exact truth computed here (`tests/common/neardup.rs`: Jaccard of
//! character 5-gram sets of lower-cased, whitespace-folded texts), never
//! against doppel's own figures. `benches/neardup_eval.sh` runs the same at
//! scale, with datasketch and datatrove beside.

#[path = "common/neardup.rs"]
mod neardup;
#[path = "common/rng.rs"]
mod rng;
mod util;

use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// A document of the evaluation and, for a planted copy, its source and
/// what was done to it.
struct Doc {
    text: String,
    planted: Option<(usize, &'static str)>,
}

fn originals() -> Vec<String> {
    let path = util::corpus("neardup/sample.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|line| {
            let row: Value = serde_json::from_str(line).expect("a JSON line");
            row["text"].as_str().expect("a text").to_owned()
        })
        .collect()
}

/// `rate` of the text's characters edited: each edit substitutes, inserts
/// or deletes one character at a random place (a character of the text
/// itself, so the script stays the same).
fn edit(text: &str, rate: f64, rng: &mut rng::Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let alphabet: Vec<char> = chars
        .iter()
        .copied()
        .filter(|c| !c.is_whitespace())
        .collect();
    let edits = ((chars.len() as f64 * rate).round() as usize).max(1);
    for _ in 0..edits {
        match rng.below(3) {
            0 if chars.len() > 1 => {
                chars.remove(rng.below(chars.len()));
            }
            1 => chars.insert(rng.below(chars.len() + 1), *rng.pick(&alphabet)),
            _ => {
                let at = rng.below(chars.len());
                chars[at] = *rng.pick(&alphabet);
            }
        }
    }
    chars.into_iter().collect()
}

fn reorder(text: &str, rng: &mut rng::Rng) -> Option<String> {
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    if paragraphs.len() < 3 {
        return None;
    }
    let mut order: Vec<usize> = (0..paragraphs.len()).collect();
    while order.windows(2).all(|w| w[0] < w[1]) {
        rng.shuffle(&mut order);
    }
    Some(
        order
            .iter()
            .map(|&i| paragraphs[i])
            .collect::<Vec<_>>()
            .join("\n\n"),
    )
}

/// The originals, then their planted copies, shuffled.
fn labelled(seed: u64) -> Vec<Doc> {
    let mut rng = rng::Rng::new(seed);
    let sources = originals();
    let mut docs: Vec<Doc> = sources
        .iter()
        .map(|t| Doc {
            text: t.clone(),
            planted: None,
        })
        .collect();
    for (at, text) in sources.iter().enumerate() {
        for (rate, kind) in [(0.01, "edit 1%"), (0.03, "edit 3%")] {
            for _ in 0..2 {
                docs.push(Doc {
                    text: edit(text, rate, &mut rng),
                    planted: Some((at, kind)),
                });
            }
        }
        if at % 3 == 0 {
            docs.push(Doc {
                text: text.clone(),
                planted: Some((at, "exact")),
            });
        }
        if at % 3 == 1 {
            if let Some(copy) = reorder(text, &mut rng) {
                docs.push(Doc {
                    text: copy,
                    planted: Some((at, "reorder")),
                });
            }
        }
    }
    // Shuffle, keeping each copy's source index right.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    rng.shuffle(&mut order);
    let mut place = vec![0; docs.len()];
    for (new, &old) in order.iter().enumerate() {
        place[old] = new;
    }
    let mut slots: Vec<Option<Doc>> = docs.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&old| {
            let mut doc = slots[old].take().expect("each document once");
            doc.planted = doc.planted.map(|(source, kind)| (place[source], kind));
            doc
        })
        .collect()
}

/// What `clean` did: the removed documents, each with the kept twin its
/// manifest names.
struct Cleaned {
    twin_of: HashMap<usize, Option<usize>>,
    threshold: f64,
}

fn default_threshold() -> f64 {
    let help = util::doppel(&["clean", "--help"]);
    let after = help
        .stdout
        .split("--threshold")
        .nth(1)
        .expect("clean --help documents --threshold");
    let default = after
        .split("[default: ")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .expect("--threshold has a default");
    default.parse().expect("a number")
}

fn clean(docs: &[Doc]) -> Cleaned {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let input = dir.path().join("docs.jsonl");
    let lines: Vec<String> = docs
        .iter()
        .enumerate()
        .map(|(n, d)| serde_json::json!({"id": n.to_string(), "text": d.text}).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").expect("write the corpus");
    let out = dir.path().join("out");
    let run = util::doppel(&[
        "clean",
        "--no-blocks",
        "--no-segments",
        "-o",
        out.to_str().expect("a UTF-8 path"),
        input.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(run.code, 0, "clean failed: {}", run.stderr);
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).expect("a manifest");
    let mut id_of = HashMap::new();
    let mut removed = Vec::new();
    let mut twin_doc = HashMap::new();
    for line in manifest.lines() {
        let v: Value = serde_json::from_str(line).expect("a manifest line");
        let doc = v["doc"].as_u64().unwrap_or(0);
        match v["type"].as_str() {
            Some("document") => {
                let id: usize = v["id"].as_str().expect("an id").parse().expect("a number");
                id_of.insert(doc, id);
                if v["written"] == false {
                    removed.push(doc);
                }
            }
            Some("removal") if v["reason"] == "duplicate-document" => {
                twin_doc.insert(doc, v["twin"]["doc"].as_u64());
            }
            _ => {}
        }
    }
    let twin_of = removed
        .iter()
        .map(|doc| {
            let twin = twin_doc.get(doc).copied().flatten().map(|t| id_of[&t]);
            (id_of[doc], twin)
        })
        .collect();
    Cleaned {
        twin_of,
        threshold: default_threshold(),
    }
}

/// The graded outcome.
struct Grade {
    removed: usize,
    /// Removals whose twin is kept and truly at least the threshold alike.
    right: usize,
    /// Removals that are not, with their twin and its true similarity.
    wrong: Vec<(usize, Option<usize>, f64)>,
    /// Kept pairs truly at least 0.9 alike.
    left_090: Vec<(usize, usize, f64)>,
    /// Kept pairs truly at least 0.85 alike.
    left_085: usize,
    /// Per kind: (found, planted); a copy is found when it is removed or
    /// its source is removed with it as the kept twin.
    recall: HashMap<&'static str, (usize, usize)>,
}

impl Grade {
    fn precision(&self) -> f64 {
        if self.removed == 0 {
            1.0
        } else {
            self.right as f64 / self.removed as f64
        }
    }

    fn recall_of(&self, kind: &str) -> f64 {
        let (found, planted) = self.recall[kind];
        found as f64 / planted as f64
    }
}

fn grade(docs: &[Doc], cleaned: &Cleaned) -> Grade {
    let sets: Vec<Vec<u64>> = docs.iter().map(|d| neardup::shingles(&d.text)).collect();
    let removed: HashSet<usize> = cleaned.twin_of.keys().copied().collect();
    let mut right = 0;
    let mut wrong = Vec::new();
    for (&doc, &twin) in &cleaned.twin_of {
        let similarity = twin.map_or(0.0, |t| neardup::jaccard(&sets[doc], &sets[t]));
        let kept = twin.is_some_and(|t| !removed.contains(&t));
        if kept && similarity >= cleaned.threshold {
            right += 1;
        } else {
            wrong.push((doc, twin, similarity));
        }
    }
    wrong.sort_by_key(|w| w.0);
    let mut left_090 = Vec::new();
    let mut left_085 = 0;
    for a in 0..docs.len() {
        for b in a + 1..docs.len() {
            if removed.contains(&a) || removed.contains(&b) {
                continue;
            }
            let s = neardup::jaccard(&sets[a], &sets[b]);
            left_085 += usize::from(s >= 0.85);
            if s >= 0.9 {
                left_090.push((a, b, s));
            }
        }
    }
    let mut recall: HashMap<&'static str, (usize, usize)> = HashMap::new();
    for (at, doc) in docs.iter().enumerate() {
        if let Some((source, kind)) = doc.planted {
            let entry = recall.entry(kind).or_default();
            // Found: removed, or its source removed in its favour (each
            // source has several copies here, so a source removed in favour
            // of another copy does not find this one).
            let found = removed.contains(&at) || cleaned.twin_of.get(&source) == Some(&Some(at));
            entry.0 += usize::from(found);
            entry.1 += 1;
        }
    }
    Grade {
        removed: removed.len(),
        right,
        wrong,
        left_090,
        left_085,
        recall,
    }
}

fn evaluated() -> (Vec<Doc>, Grade) {
    let docs = labelled(12);
    let cleaned = clean(&docs);
    let grade = grade(&docs, &cleaned);
    eprintln!(
        "{} documents, {} removed; precision {:.3}; recall 1% {:.3}, 3% {:.3}, exact {:.3}, reorder {:.3}; \
         kept pairs ≥ 0.85: {}, ≥ 0.9: {}; wrong removals (doc, twin, similarity): {:?}",
        docs.len(),
        grade.removed,
        grade.precision(),
        grade.recall_of("edit 1%"),
        grade.recall_of("edit 3%"),
        grade.recall_of("exact"),
        grade.recall_of("reorder"),
        grade.left_085,
        grade.left_090.len(),
        grade.wrong
    );
    (docs, grade)
}

/// The truth the grading rests on, checked on texts whose similarity is
/// known by hand, so that a broken definition cannot pass the targets.
#[test]
fn the_truth_is_the_jaccard_of_character_5_grams() {
    // "abcdefg" has 3 shingles; "abcdefx" shares 2 of them: 2 / 4.
    assert_eq!(neardup::similarity("abcdefg", "abcdefx"), 0.5);
    // Case and runs of whitespace do not count.
    assert_eq!(neardup::similarity("The  Cat\nsat", "the cat sat"), 1.0);
    // A text shorter than 5 characters is one shingle.
    assert_eq!(neardup::similarity("猫", "猫"), 1.0);
    assert_eq!(neardup::similarity("猫", "犬"), 0.0);
    // The exact join finds what brute force finds.
    let docs = labelled(7);
    let sets: Vec<Vec<u64>> = docs.iter().map(|d| neardup::shingles(&d.text)).collect();
    let mut brute = Vec::new();
    for a in 0..sets.len() {
        for b in a + 1..sets.len() {
            let s = neardup::jaccard(&sets[a], &sets[b]);
            if s >= 0.5 {
                brute.push((a, b, s));
            }
        }
    }
    assert!(brute.len() > docs.len(), "planted copies make pairs");
    assert_eq!(neardup::pairs_at_least(&sets, 0.5), brute);
}

/// At the defaults every exact and reordered copy is found, and nothing is
/// removed far from its kept twin (every removed document has a kept twin
/// truly at least 0.6 alike).
#[test]
fn clean_finds_exact_and_reordered_copies_and_removes_nothing_far_from_its_twin() {
    let (_, grade) = evaluated();
    assert_eq!(grade.recall_of("exact"), 1.0);
    assert_eq!(grade.recall_of("reorder"), 1.0);
    let far: Vec<_> = grade.wrong.iter().filter(|w| w.2 < 0.6).collect();
    assert!(
        far.is_empty(),
        "removed far from a kept twin (doc, twin, similarity): {far:?}"
    );
}

/// Issue 12's targets: precision of removals ≥ 0.99 (a removed document's
/// true similarity to its kept twin at least the threshold), recall of
/// planted 1%-edited copies ≥ 0.98, and no two kept documents truly 0.85
/// alike or more. Of the 3%-edited copies, at least 0.75 here: the
/// sample's documents are short (about 1 KB), where the similarity a 3% edit
/// leaves varies widely around the default threshold (the large evaluation,
/// `benches/neardup_eval.sh`, finds 99.4% of them).
#[test]
fn clean_meets_the_issue_12_targets() {
    let (_, grade) = evaluated();
    assert!(
        grade.precision() >= 0.99,
        "precision {:.3}; wrong removals (doc, twin, similarity): {:?}",
        grade.precision(),
        grade.wrong
    );
    assert!(
        grade.recall_of("edit 1%") >= 0.98,
        "recall of 1% copies {:.3}",
        grade.recall_of("edit 1%")
    );
    assert!(
        grade.recall_of("edit 3%") >= 0.75,
        "recall of 3% copies {:.3}",
        grade.recall_of("edit 3%")
    );
    assert_eq!(grade.left_085, 0, "kept pairs ≥ 0.85");
    assert!(
        grade.left_090.is_empty(),
        "kept pairs ≥ 0.9 (a, b, similarity): {:?}",
        grade.left_090
    );
}
