//! How each shingling scores edited copies and distinct documents of one
//! template: the measurement behind the default `--shingle` and
//! `--threshold` (run by `benches/shingle_choice.sh`, which fetches the
//! texts).
//!
//! ```text
//! cargo run --release --example shingle_choice -- DOCS.jsonl PAIRS.jsonl
//! ```
//!
//! DOCS.jsonl holds `{"id", "group", "text"}` (group `latin` or `cjk`),
//! PAIRS.jsonl `{"group", "name", "a", "b"}` (see
//! `benches/shingle_choice_data.py`). For every document and edit rate
//! (1%, 3%, 5%, 10% of characters), three copies are made, each edit a
//! substitution, an insertion or a deletion of one character (new characters
//! drawn from the document's own), and the copy's similarity to the original
//! is measured under each shingling exactly as a scan does: the text cut
//! into segments (`--segment auto`), every segment normalized and shingled,
//! the Jaccard similarity of the two unions. Beside them, the truth measure
//! of the evaluation: the Jaccard similarity of the character 5-gram sets of
//! the lower-cased, space-folded texts.
//!
//! Prints, per group, shingling and rate, the median similarity and its
//! 2nd percentile (the highest threshold that still finds 98% of such
//! copies); per threshold, the share of 1% and 3% copies found and the
//! share of copies found whose truth is below the threshold (what the
//! evaluation counts as a wrong removal); then each template pair's
//! similarity under each shingling.

use std::collections::HashSet;
use std::io::BufRead;

use doppel::{Fingerprinter, Granularity, Segmenter, Shingling};

const RATES: [f64; 4] = [0.01, 0.03, 0.05, 0.10];
const COPIES: usize = 3;
const THRESHOLDS: [f64; 6] = [0.55, 0.6, 0.65, 0.7, 0.75, 0.8];

/// A copy's truth and its similarity under each shingling.
type Scores = (f64, Vec<f64>);

fn shinglings() -> Vec<Shingling> {
    let words = (1..=5).map(Shingling::Words);
    let chars = (2..=7).map(Shingling::Chars);
    words.chain(chars).collect()
}

/// A small deterministic generator (SplitMix64): no dependency, the same
/// copies on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `text` with `rate` of its characters edited: substitutions, insertions
/// and deletions alike, new characters drawn from the text's own letters
/// (never a space or a line break, which would change the segmentation
/// rather than the text).
fn edit(text: &str, rate: f64, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let letters: Vec<char> = chars
        .iter()
        .copied()
        .filter(|c| c.is_alphanumeric())
        .collect();
    if letters.is_empty() {
        return text.to_owned();
    }
    let edits = ((chars.len() as f64 * rate).round() as usize).max(1);
    for _ in 0..edits {
        let at = rng.below(chars.len());
        let new = letters[rng.below(letters.len())];
        match rng.below(3) {
            0 if chars.len() > 1 => {
                chars.remove(at);
            }
            1 => chars.insert(at, new),
            _ => chars[at] = new,
        }
    }
    chars.into_iter().collect()
}

/// The document's shingle set as a scan makes it: the whole folded text's
/// character n-grams, or under word shingling the union of its segments'.
fn shingle_set(text: &str, shingling: Shingling) -> Vec<u64> {
    let mut fingerprinter = Fingerprinter::with(shingling).sign_segments(false);
    let mut set = Vec::new();
    if !fingerprinter.whole_text_shingles(text, &mut set) {
        for span in Segmenter::new(Granularity::Auto).segment(text) {
            set.extend(
                fingerprinter
                    .fingerprint(&text[span.bytes.clone()])
                    .shingles,
            );
        }
    }
    set.sort_unstable();
    set.dedup();
    set
}

/// The evaluation's truth: character 5-grams of the lower-cased text with
/// every run of white space folded into one space.
fn truth_set(text: &str) -> HashSet<Vec<char>> {
    let folded: Vec<char> = text
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    if folded.len() < 5 {
        return HashSet::from([folded]);
    }
    folded.windows(5).map(<[char]>::to_vec).collect()
}

fn truth(a: &str, b: &str) -> f64 {
    let (a, b) = (truth_set(a), truth_set(b));
    let common = a.intersection(&b).count();
    common as f64 / (a.len() + b.len() - common).max(1) as f64
}

fn measure(a: &str, b: &str, shingling: Shingling) -> f64 {
    doppel::jaccard(&shingle_set(a, shingling), &shingle_set(b, shingling))
}

fn read(path: &str) -> Vec<serde_json::Value> {
    let file = std::fs::File::open(path).unwrap_or_else(|err| {
        eprintln!("shingle_choice: {path}: {err}");
        std::process::exit(1)
    });
    std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str(&line).ok())
        .collect()
}

fn field<'a>(row: &'a serde_json::Value, name: &str) -> &'a str {
    row[name].as_str().unwrap_or_default()
}

/// The value below which `share` of the sorted values lie.
fn quantile(sorted: &[f64], share: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * share).floor() as usize;
    sorted.get(at).copied().unwrap_or(f64::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: shingle_choice DOCS.jsonl PAIRS.jsonl");
        std::process::exit(2);
    }
    let (docs, pairs) = (read(&args[1]), read(&args[2]));
    let shinglings = shinglings();
    for group in ["latin", "cjk"] {
        let texts: Vec<&str> = docs
            .iter()
            .filter(|d| field(d, "group") == group)
            .map(|d| field(d, "text"))
            .collect();
        let mut rng = Rng(0x00D0_99E1);
        // copies[rate] = (original, copy) pairs.
        let copies: Vec<Vec<(&str, String)>> = RATES
            .iter()
            .map(|&rate| {
                texts
                    .iter()
                    .flat_map(|&t| {
                        (0..COPIES)
                            .map(|_| (t, edit(t, rate, &mut rng)))
                            .collect::<Vec<_>>()
                    })
                    .collect()
            })
            .collect();
        // scores[rate][copy] = (truth, similarity under each shingling).
        let scores: Vec<Vec<Scores>> = copies
            .iter()
            .map(|at_rate| {
                at_rate
                    .iter()
                    .map(|(a, b)| {
                        let under = shinglings.iter().map(|&s| measure(a, b, s)).collect();
                        (truth(a, b), under)
                    })
                    .collect()
            })
            .collect();
        println!(
            "\n## {group}: {} documents, {COPIES} copies each per rate",
            texts.len()
        );
        println!("\nSimilarity of edited copies to their original: median / 2nd percentile");
        print!("\n| shingling |");
        for rate in RATES {
            print!(" {:.0}% |", rate * 100.0);
        }
        println!("\n|---|---|---|---|---|");
        let row = |name: String, score: &dyn Fn(&Scores) -> f64| {
            print!("| {name} |");
            for at_rate in &scores {
                let mut values: Vec<f64> = at_rate.iter().map(score).collect();
                values.sort_by(f64::total_cmp);
                print!(
                    " {:.2} / {:.2} |",
                    quantile(&values, 0.5),
                    quantile(&values, 0.02)
                );
            }
            println!();
        };
        row("truth (char 5-grams)".into(), &|(truth, _)| *truth);
        for (n, shingling) in shinglings.iter().enumerate() {
            row(shingling.to_string(), &|(_, under)| under[n]);
        }
        println!(
            "\nAt each threshold: share of 1% and 3% copies found / share of copies found \
             (any rate) whose truth is below the threshold"
        );
        print!("\n| shingling |");
        for t in THRESHOLDS {
            print!(" {t} |");
        }
        println!("\n|---|{}", "---|".repeat(THRESHOLDS.len()));
        let all: Vec<&Scores> = scores.iter().flatten().collect();
        let summary = |name: String, score: &dyn Fn(&Scores) -> f64| {
            print!("| {name} |");
            for t in THRESHOLDS {
                let found = |at: usize| {
                    let n = scores[at].iter().filter(|c| score(c) >= t).count();
                    100.0 * n as f64 / scores[at].len().max(1) as f64
                };
                let removed: Vec<_> = all.iter().filter(|c| score(c) >= t).collect();
                let wrong = removed.iter().filter(|c| c.0 < t).count();
                let wrong = 100.0 * wrong as f64 / removed.len().max(1) as f64;
                print!(" {:.0}% {:.0}% / {wrong:.1}% |", found(0), found(1));
            }
            println!();
        };
        summary("truth (char 5-grams)".into(), &|(truth, _)| *truth);
        for (n, shingling) in shinglings.iter().enumerate() {
            summary(shingling.to_string(), &|(_, under)| under[n]);
        }
        println!("\nDistinct documents of one template");
        print!("\n| pair | truth |");
        for shingling in &shinglings {
            print!(" {shingling} |");
        }
        println!("\n|---|---|{}", "---|".repeat(shinglings.len()));
        for pair in pairs.iter().filter(|p| field(p, "group") == group) {
            let (a, b) = (field(pair, "a"), field(pair, "b"));
            print!("| {} | {:.2} |", field(pair, "name"), truth(a, b));
            for &shingling in &shinglings {
                print!(" {:.2} |", measure(a, b, shingling));
            }
            println!();
        }
    }
}
