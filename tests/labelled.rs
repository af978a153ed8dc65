//! Quality of duplicate-document detection, measured end to end through the
//! binary on a generated labelled corpus (`tests/common/labelled.rs`).
//!
//! A pair of documents is a true duplicate when the Jaccard similarity of
//! their shingle sets, as doppel defines them, is at least the default
//! threshold. Predicted pairs are all pairs inside one reported `exact` or
//! `near` cluster.

#[path = "common/labelled.rs"]
mod labelled;
mod util;

use std::collections::{HashMap, HashSet};

use labelled::{jaccard, pairs_at_least, shingle_set, Config, Corpus, Role};

const THRESHOLD: f64 = doppel::DEFAULT_THRESHOLD;

/// Document indexes of each `exact` or `near` cluster of the report.
fn clusters(run: &util::Run, index_of: &HashMap<String, usize>) -> Vec<Vec<usize>> {
    run.json()
        .into_iter()
        .filter(|v| v["type"] == "cluster" && (v["kind"] == "exact" || v["kind"] == "near"))
        .map(|cluster| {
            cluster["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| index_of[m["id"].as_str().expect("a string id")])
                .collect()
        })
        .collect()
}

fn pairs_of(clusters: &[Vec<usize>]) -> HashSet<(usize, usize)> {
    let mut pairs = HashSet::new();
    for members in clusters {
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                pairs.insert((a.min(b), a.max(b)));
            }
        }
    }
    pairs
}

/// The true duplicate pairs: every labelled pair inside a family at the
/// threshold, plus any pair across families that an exhaustive search finds.
fn truth(corpus: &Corpus, sets: &[Vec<u64>]) -> HashSet<(usize, usize)> {
    let labelled: HashSet<(usize, usize)> = corpus
        .labels
        .iter()
        .filter(|l| l.jaccard >= THRESHOLD)
        .map(|l| (l.a, l.b))
        .collect();
    let all: HashSet<(usize, usize)> = pairs_at_least(sets, THRESHOLD)
        .into_iter()
        .map(|(a, b, _)| (a, b))
        .collect();
    let missing_from_all = labelled.difference(&all).count();
    assert_eq!(
        missing_from_all, 0,
        "the exhaustive search agrees with the labels"
    );
    let across: Vec<String> = all
        .difference(&labelled)
        .map(|&(a, b)| format!("{:?}/{:?}", corpus.docs[a].role, corpus.docs[b].role))
        .collect();
    let short_across = across.iter().filter(|r| *r == "Short/Short").count();
    println!(
        "true pairs: {} labelled inside families, {} across families ({short_across} of two short documents)",
        labelled.len(),
        across.len()
    );
    all
}

/// Why each missed true pair was missed, by role of the later member.
fn explain_misses(
    corpus: &Corpus,
    clusters: &[Vec<usize>],
    missed: &[(usize, usize)],
    sets: &[Vec<u64>],
) {
    let mut cluster_of = HashMap::new();
    for (at, members) in clusters.iter().enumerate() {
        for &m in members {
            cluster_of.insert(m, at);
        }
    }
    let mut reasons: HashMap<String, usize> = HashMap::new();
    let mut placements: HashMap<&str, usize> = HashMap::new();
    for &(a, b) in missed {
        // The clique rule: one member of the other's cluster is below the
        // threshold with it, so neither could join the other's cluster.
        let blocked = |x: usize, y: usize| {
            cluster_of.get(&y).is_some_and(|&c| {
                clusters[c]
                    .iter()
                    .any(|&m| jaccard(&sets[x], &sets[m]) < THRESHOLD)
            })
        };
        let placed = match (cluster_of.get(&a), cluster_of.get(&b)) {
            (Some(_), Some(_)) if blocked(a, b) && blocked(b, a) => {
                "in two different clusters, each blocked by the clique rule"
            }
            (Some(_), Some(_)) => "in two different clusters",
            (None, None) => "neither clustered",
            (None, Some(_)) if blocked(a, b) => "one left out, blocked by the clique rule",
            (Some(_), None) if blocked(b, a) => "one left out, blocked by the clique rule",
            _ => "one clustered, one not",
        };
        *placements.entry(placed).or_default() += 1;
        let j = jaccard(&sets[a], &sets[b]);
        let role = |d: usize| format!("{:?}", corpus.docs[d].role);
        let key = format!("{placed}; J {:.2}; {} / {}", j, role(a), role(b));
        *reasons.entry(key).or_default() += 1;
    }
    let mut placements: Vec<_> = placements.into_iter().collect();
    placements.sort_unstable();
    println!("missed pairs by placement: {placements:?}");
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    for (reason, count) in reasons.iter().take(12) {
        println!("  missed {count:>4}: {reason}");
    }
}

/// The corpus written as JSON Lines into a new temporary folder (kept alive
/// by the returned guard).
fn written(corpus: &Corpus) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("labelled.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    corpus.write_jsonl(&mut file).expect("write the corpus");
    drop(file);
    (dir, path)
}

#[test]
fn duplicate_pairs_have_high_precision_and_recall() {
    let corpus = Corpus::generate(&Config::default(), 3000);
    let (_dir, path) = written(&corpus);

    let path = path.to_str().expect("UTF-8 path");
    let run = util::doppel(&["scan", "--format", "json", "--site-field", "site", path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let index_of: HashMap<String, usize> = corpus
        .docs
        .iter()
        .enumerate()
        .map(|(at, doc)| (doc.id.clone(), at))
        .collect();
    let clusters = clusters(&run, &index_of);
    let predicted = pairs_of(&clusters);

    let sets: Vec<Vec<u64>> = corpus.docs.iter().map(|d| shingle_set(&d.text)).collect();
    let truth = truth(&corpus, &sets);
    let correct = predicted.intersection(&truth).count();
    let precision = correct as f64 / predicted.len().max(1) as f64;
    let recall = correct as f64 / truth.len().max(1) as f64;
    println!(
        "{} documents, {} clusters: {} predicted pairs, {} true pairs, {} correct",
        corpus.docs.len(),
        clusters.len(),
        predicted.len(),
        truth.len(),
        correct
    );
    println!("precision {precision:.4}, recall {recall:.4} at Jaccard >= {THRESHOLD}");

    let mut missed: Vec<(usize, usize)> = truth.difference(&predicted).copied().collect();
    missed.sort_unstable();
    explain_misses(&corpus, &clusters, &missed, &sets);
    let mut wrong: Vec<(usize, usize)> = predicted.difference(&truth).copied().collect();
    wrong.sort_unstable();
    for &(a, b) in wrong.iter().take(10) {
        println!(
            "  wrong: {} / {}: J {:.3}",
            corpus.docs[a].id,
            corpus.docs[b].id,
            jaccard(&sets[a], &sets[b])
        );
    }

    // Short documents of one template ("15 comments", "45 comments") share
    // most of their character 5-grams, so some are near duplicates by the
    // default shingling; none may be clustered below the threshold.
    let short_distinct: Vec<(usize, usize)> = predicted
        .iter()
        .copied()
        .filter(|&(a, b)| {
            corpus.docs[a].role == Role::Short
                && corpus.docs[b].role == Role::Short
                && sets[a] != sets[b]
                && jaccard(&sets[a], &sets[b]) < THRESHOLD
        })
        .collect();
    let short = corpus.docs.iter().filter(|d| d.role == Role::Short).count();
    println!(
        "{short} short documents, {} distinct pairs clustered",
        short_distinct.len()
    );
    assert!(
        short_distinct.is_empty(),
        "short distinct documents clustered: {:?}",
        short_distinct
            .iter()
            .map(|&(a, b)| (&corpus.docs[a].text, &corpus.docs[b].text))
            .collect::<Vec<_>>()
    );
    assert!(precision >= 0.95, "precision {precision:.4}");
    assert!(recall >= 0.95, "recall {recall:.4}");
}

#[test]
fn the_generator_is_deterministic() {
    let a = Corpus::generate(&Config::default(), 200);
    let b = Corpus::generate(&Config::default(), 200);
    let texts = |c: &Corpus| c.docs.iter().map(|d| d.to_json()).collect::<Vec<_>>();
    assert_eq!(texts(&a), texts(&b));
    assert_eq!(a.labels, b.labels);
}

/// Keeps the corpus-wide report.
#[derive(Default)]
struct KeepReport(Option<doppel::CorpusReport>);

impl doppel::Sink for KeepReport {
    fn document(&mut self, _doc: &doppel::ScannedDoc) -> std::io::Result<()> {
        Ok(())
    }

    fn corpus(&mut self, report: doppel::CorpusReport) -> std::io::Result<()> {
        self.0 = Some(report);
        Ok(())
    }
}

#[test]
fn spilled_and_reread_verification_sets_give_the_same_clusters() {
    let corpus = Corpus::generate(&Config::default(), 1500);
    let (_dir, path) = written(&corpus);
    let (entries, problems) =
        doppel::input::expand(&[path], &doppel::input::InputOptions::default());
    assert!(problems.is_empty());
    let clusters = |spill: bool| {
        let engine = doppel::EngineBuilder::new()
            .spill_sets(spill)
            .batch_bytes(64 << 10)
            .build()
            .expect("valid settings");
        let mut sink = KeepReport::default();
        engine
            .scan(&entries, Vec::new(), &mut sink)
            .expect("the scan runs");
        sink.0.expect("a corpus report").clusters
    };
    let spilled = clusters(true);
    assert!(spilled.iter().filter(|c| !c.exact).count() > 50);
    assert_eq!(spilled, clusters(false));
}

#[test]
fn a_temporary_folder_that_cannot_be_written_changes_nothing() {
    let corpus = Corpus::generate(&Config::default(), 600);
    let (dir, path) = written(&corpus);
    let path = path.to_str().expect("UTF-8 path");
    let args = ["scan", "--format", "json", "--find", "documents", path];
    let normal = util::doppel(&args);
    // No spill file can be made there: verification reads the inputs again.
    let missing = dir.path().join("no-such-folder");
    let missing = missing.to_str().expect("UTF-8 path");
    let without = util::doppel_env(&util::root(), &args, None, &[("TMPDIR", missing)]);
    assert_eq!((normal.code, without.code), (0, 0), "{}", without.stderr);
    assert!(normal.stdout.contains("\"kind\":\"near\""));
    assert_eq!(normal.stdout, without.stdout);
}
