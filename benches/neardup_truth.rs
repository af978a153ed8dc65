//! The exact truth of the near-duplicate evaluation: every pair of
//! documents of a JSON Lines corpus whose true similarity (the Jaccard
//! similarity of character 5-gram sets of the NFKC, lower-cased,
//! whitespace-folded texts; `tests/common/neardup.rs`) is at least FLOOR.
//!
//!     cargo run --release --example neardup_truth -- CORPUS.jsonl PAIRS.tsv [FLOOR]
//!
//! FLOOR defaults to 0.5. Each line of PAIRS.tsv is `ID_A<TAB>ID_B<TAB>SIMILARITY`
//! (ids as in the corpus's `id` field, A before B in the corpus, similarity
//! with 6 decimals); the file is written under a temporary name and renamed
//! into place. Nothing of doppel is used but the shingle hash's crate.

#[path = "../tests/common/neardup.rs"]
mod neardup;

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::time::Instant;

use rayon::prelude::*;

#[derive(serde::Deserialize)]
struct Record {
    id: serde_json::Value,
    text: String,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: neardup_truth CORPUS.jsonl PAIRS.tsv [FLOOR]");
        std::process::exit(2);
    }
    let floor: f64 = match args.get(2) {
        Some(f) => f.parse()?,
        None => 0.5,
    };
    anyhow::ensure!(floor > 0.0 && floor <= 1.0, "FLOOR must be in (0, 1]");
    let started = Instant::now();
    let input = std::fs::File::open(&args[0]).map_err(|e| anyhow::anyhow!("{}: {e}", args[0]))?;
    let mut ids = Vec::new();
    let mut texts = Vec::new();
    for (n, line) in BufReader::new(input).lines().enumerate() {
        let line = line?;
        let record: Record = serde_json::from_str(&line)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", args[0], n + 1))?;
        ids.push(match record.id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        texts.push(record.text);
    }
    let sets: Vec<Vec<u64>> = texts.par_iter().map(|t| neardup::shingles(t)).collect();
    drop(texts);
    let shingled = started.elapsed();
    let pairs = neardup::pairs_at_least(&sets, floor);
    let partial = format!("{}.partial", args[1]);
    let mut out = BufWriter::new(std::fs::File::create(&partial)?);
    for &(a, b, s) in &pairs {
        writeln!(out, "{}\t{}\t{s:.6}", ids[a], ids[b])?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, &args[1])?;
    eprintln!(
        "neardup_truth: {} documents, {} pairs at or above {floor}, shingled in {:.1} s, joined in {:.1} s",
        ids.len(),
        pairs.len(),
        shingled.as_secs_f64(),
        (started.elapsed() - shingled).as_secs_f64()
    );
    Ok(())
}
