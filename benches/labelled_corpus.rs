//! Writes a generated labelled corpus (see `tests/common/labelled.rs`) as
//! JSON Lines with `id`, `text` and `site` fields, for the whole-run
//! measurements of `benches/corpus_run.sh`.
//!
//! ```sh
//! cargo run --release --example labelled_corpus -- OUT.jsonl SIZE [SEED]
//! ```
//!
//! `SIZE` is a byte count with an optional `K`, `M` or `G` suffix (powers of
//! 1024); the corpus ends at the first whole document past it. The file is
//! written under a temporary name and renamed into place.

#[path = "../tests/common/labelled.rs"]
mod labelled;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

fn parse_size(size: &str) -> Option<u64> {
    let (digits, unit) = match size.char_indices().last()? {
        (at, 'K' | 'k') => (&size[..at], 1u64 << 10),
        (at, 'M' | 'm') => (&size[..at], 1 << 20),
        (at, 'G' | 'g') => (&size[..at], 1 << 30),
        _ => (size, 1),
    };
    Some(digits.parse::<u64>().ok()? * unit)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(bytes)) = (args.first(), args.get(1).and_then(|s| parse_size(s))) else {
        eprintln!("usage: labelled_corpus OUT.jsonl SIZE[K|M|G] [SEED]");
        std::process::exit(2);
    };
    let mut config = labelled::Config::default();
    if let Some(seed) = args.get(2) {
        config.seed = seed.parse().expect("a numeric seed");
    }
    let out = PathBuf::from(out);
    let partial = out.with_extension("jsonl.partial");
    let mut writer = BufWriter::with_capacity(1 << 20, File::create(&partial)?);
    let docs = labelled::write_jsonl_bytes(&config, bytes, &mut writer)?;
    writer.flush()?;
    drop(writer);
    std::fs::rename(&partial, &out)?;
    let written = std::fs::metadata(&out)?.len();
    println!("{}: {docs} documents, {written} bytes", out.display());
    Ok(())
}
