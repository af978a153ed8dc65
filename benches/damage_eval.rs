//! The labelled damage evaluation at scale: documents made of real
//! paragraphs (benches/damage_data.py writes them from Debian's packages),
//! half of them with planted GBK, Big5, Shift_JIS or EUC-KR damage, scored
//! by `doppel::quality::findings`; prints precision and recall per language
//! at the document and paragraph level, and how many plantings left no
//! trace and were drawn again (`plant::leaves_no_trace`).
//!
//!     cargo run --release --example damage_eval -- DATA_DIR [DOCS] [SEED] [SHOW]
//!
//! DOCS documents per language (default 2000), SEED of the generator
//! (default 1), SHOW wrong paragraphs printed per language (default 0).
//! benches/damage_eval.sh fetches the packages and runs this.

#[path = "../tests/common/plant.rs"]
mod plant;
#[path = "../tests/common/rng.rs"]
mod rng;

use std::time::Instant;

use plant::{documents, evaluate, Confusion, LANGUAGES};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        eprintln!("usage: damage_eval DATA_DIR [DOCS] [SEED] [SHOW]");
        std::process::exit(2);
    };
    let number = |at: usize, default: usize| {
        args.get(at)
            .map_or(Ok(default), |s| s.parse())
            .unwrap_or_else(|e| {
                eprintln!("damage_eval: argument {at}: {e}");
                std::process::exit(2)
            })
    };
    let (count, seed, show) = (number(2, 2000), number(3, 1) as u64, number(4, 0));
    println!(
        "| language | documents | damaged | doc precision | doc recall | paragraphs | damaged | par. precision | par. recall |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut all_docs, mut all_pars) = (Confusion::default(), Confusion::default());
    let mut scored = 0usize;
    let mut traceless = Vec::new();
    let started = Instant::now();
    for (at, language) in LANGUAGES.iter().enumerate() {
        let path = std::path::Path::new(dir).join(language.file);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("damage_eval: {}: {e}", path.display());
                std::process::exit(1);
            }
        };
        let paragraphs: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut rng = rng::Rng::new(seed.wrapping_mul(0x9E37) ^ at as u64);
        let drawn = documents(at, &paragraphs, count, &mut rng);
        let docs = drawn.docs;
        traceless.push((language.name, drawn.planted, drawn.traceless));
        scored += docs.iter().map(|d| d.text().len()).sum::<usize>();
        let mut shown = 0;
        let (d, p) = evaluate(&docs, |truth, paragraph| {
            if shown < show {
                shown += 1;
                let what = if truth { "missed" } else { "false alarm" };
                println!("{what}: {paragraph}");
            }
        });
        print_row(language.name, &d, &p);
        all_docs.merge(&d);
        all_pars.merge(&p);
    }
    print_row("all", &all_docs, &all_pars);
    println!();
    for (name, planted, traceless) in traceless.iter().filter(|t| t.1 > 0) {
        println!(
            "{name}: {traceless} of {planted} plantings ({:.1}%) only removed whole characters, left no trace, and were drawn again",
            100.0 * *traceless as f64 / *planted as f64
        );
    }
    eprintln!(
        "{} MB scored in {:.2} s",
        scored as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
}

fn print_row(name: &str, d: &Confusion, p: &Confusion) {
    let damaged = |c: &Confusion| c.true_positive + c.false_negative;
    let total = |c: &Confusion| damaged(c) + c.false_positive + c.true_negative;
    println!(
        "| {name} | {} | {} | {:.3} | {:.3} | {} | {} | {:.3} | {:.3} |",
        total(d),
        damaged(d),
        d.precision(),
        d.recall(),
        total(p),
        damaged(p),
        p.precision(),
        p.recall()
    );
}
