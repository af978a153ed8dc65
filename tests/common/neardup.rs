//! The true similarity of the near-duplicate evaluation, shared by
//! `tests/neardup_eval.rs` (a small committed sample) and
//! `benches/neardup_truth.rs` (the large corpus), each including this file
//! with `#[path]`, so both grade against one definition, never doppel's:
//!
//! the Jaccard similarity of the sets of character 5-grams of the two texts,
//! in Unicode compatibility form (NFKC: full-width `，` and `Ａ` are `,` and
//! `A`, as any reader takes them), lower-cased and with every run of
//! whitespace folded to one space (leading and trailing whitespace dropped). A text shorter than 5 characters is one
//! shingle (itself); an empty text has none, and two empty texts are 0
//! alike. Shingles are compared by their xxh3-64 hashes: two distinct
//! 5-grams share a hash with probability 2⁻⁶⁴ per pair, far below anything
//! the evaluation can see.
//!
//! It also holds the exact all-pairs join ([`pairs_at_least`]): prefix
//! filtering over shingles ordered rarest first (two sets with Jaccard at
//! least `t` share a token among the first `|x| − ⌈t·|x|⌉ + 1` of each), a
//! size filter, and verification of every candidate by merging the sorted
//! sets, so every pair at or above the floor is found and its similarity is
//! exact.

#![allow(dead_code)]

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

/// Characters per shingle.
pub const GRAM: usize = 5;

/// The text as the similarity sees it: NFKC, lower case, whitespace folded.
pub fn normalize(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let compatible: String = text.nfkc().collect();
    compatible
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sorted, deduplicated hashes of the text's character 5-grams.
pub fn shingles(text: &str) -> Vec<u64> {
    let normal = normalize(text);
    let starts: Vec<usize> = normal.char_indices().map(|(at, _)| at).collect();
    let mut out = Vec::new();
    if starts.is_empty() {
        return out;
    }
    if starts.len() < GRAM {
        out.push(xxh3_64(normal.as_bytes()));
        return out;
    }
    for first in 0..=starts.len() - GRAM {
        let end = starts.get(first + GRAM).copied().unwrap_or(normal.len());
        out.push(xxh3_64(&normal.as_bytes()[starts[first]..end]));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Size of the intersection of two sorted sets.
pub fn overlap<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Jaccard similarity of two sorted sets; 0 when both are empty.
pub fn jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
    let both = overlap(a, b);
    let either = a.len() + b.len() - both;
    if either == 0 {
        0.0
    } else {
        both as f64 / either as f64
    }
}

/// The true similarity of two texts.
pub fn similarity(a: &str, b: &str) -> f64 {
    jaccard(&shingles(a), &shingles(b))
}

/// Whether two sorted sets overlap in at least `needed` elements,
/// stopping as soon as the rest cannot make up the difference.
fn overlap_at_least(a: &[u32], b: &[u32], needed: usize) -> Option<usize> {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if n + (a.len() - i).min(b.len() - j) < needed {
            return None;
        }
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (n >= needed).then_some(n)
}

/// `⌈v⌉`, forgiving the rounding error of a product that should be whole.
fn ceil(v: f64) -> usize {
    (v - 1e-9).ceil().max(0.0) as usize
}

/// Every pair `(i, j, similarity)` with `i < j` and similarity at least
/// `floor` (in (0, 1]), exactly, ordered by `(i, j)`.
///
/// AllPairs (Bayardo et al., 2007): documents in order of set size; each
/// indexes the first `|y| − ⌈2t/(1+t)·|y|⌉ + 1` of its shingles (rarest
/// first) and probes with its first `|x| − ⌈t·|x|⌉ + 1` the documents
/// before it, no smaller than `t·|x|`. A pair at or above `t` with
/// `|y| ≤ |x|` overlaps in at least `t/(1+t)·(|x|+|y|)` shingles, so the two
/// prefixes share one; every candidate is then verified exactly.
pub fn pairs_at_least(sets: &[Vec<u64>], floor: f64) -> Vec<(usize, usize, f64)> {
    let t = floor;
    // Each shingle's rank: rarest first (ties by hash).
    let mut counts: HashMap<u64, u32> = HashMap::new();
    for set in sets {
        for &h in set {
            *counts.entry(h).or_insert(0) += 1;
        }
    }
    let mut order: Vec<(u32, u64)> = counts.iter().map(|(&h, &n)| (n, h)).collect();
    drop(counts);
    order.sort_unstable();
    let rank: HashMap<u64, u32> = order
        .iter()
        .enumerate()
        .map(|(r, &(_, h))| (h, r as u32))
        .collect();
    drop(order);
    // Documents by size (then number); `ranked[p]` is the p-th smallest.
    let mut by_size: Vec<usize> = (0..sets.len()).filter(|&d| !sets[d].is_empty()).collect();
    by_size.sort_by_key(|&d| (sets[d].len(), d));
    let ranked: Vec<Vec<u32>> = by_size
        .iter()
        .map(|&d| {
            let mut r: Vec<u32> = sets[d].iter().map(|h| rank[h]).collect();
            r.sort_unstable();
            r
        })
        .collect();
    drop(rank);
    let mut postings: HashMap<u32, Vec<u32>> = HashMap::new();
    for (p, set) in ranked.iter().enumerate() {
        let n = set.len();
        let index = n - ceil(2.0 * t / (1.0 + t) * n as f64).min(n) + 1;
        for &token in &set[..index.min(n)] {
            postings.entry(token).or_default().push(p as u32);
        }
    }
    let probe = |p: usize, seen: &mut Vec<u32>| -> Pairs {
        let x = &ranked[p];
        let n = x.len();
        let low = t * n as f64;
        let mut found = Vec::new();
        for token in &x[..(n - ceil(t * n as f64).min(n) + 1).min(n)] {
            let Some(list) = postings.get(token) else {
                continue;
            };
            for &q in list {
                let q = q as usize;
                if q >= p {
                    break;
                }
                if seen[q] == p as u32 {
                    continue;
                }
                seen[q] = p as u32;
                let y = &ranked[q];
                if (y.len() as f64) + 1e-9 < low {
                    continue;
                }
                let needed = ceil(t / (1.0 + t) * (n + y.len()) as f64);
                if let Some(both) = overlap_at_least(x, y, needed) {
                    let s = both as f64 / (n + y.len() - both) as f64;
                    if s + 1e-12 >= t {
                        let (a, b) = (by_size[p].min(by_size[q]), by_size[p].max(by_size[q]));
                        found.push((a, b, s));
                    }
                }
            }
        }
        found
    };
    let mut pairs = parallel_probe(ranked.len(), &probe);
    pairs.sort_by_key(|&(a, b, _)| (a, b));
    pairs
}

/// Pairs `(i, j, similarity)`.
type Pairs = Vec<(usize, usize, f64)>;

/// Finds the pairs of one position, given the marks of documents seen.
type Probe<'a> = dyn Fn(usize, &mut Vec<u32>) -> Pairs + Sync + 'a;

/// Runs `probe` for every position on the available cores, each thread
/// with its own marks of the documents already seen.
fn parallel_probe(count: usize, probe: &Probe) -> Pairs {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut seen = vec![u32::MAX; count];
                    let mut out = Vec::new();
                    loop {
                        let p = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if p >= count {
                            break out;
                        }
                        out.extend(probe(p, &mut seen));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    })
}
