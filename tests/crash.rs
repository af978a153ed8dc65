//! Crash safety of `clean`: killed with SIGKILL at many moments of a run,
//! it never leaves a file that looks complete but is not. Every file under
//! its final name is what an uninterrupted run writes, `manifest.jsonl` is
//! absent or complete, and a second run into that folder is refused with a
//! message naming the leftovers.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small seeded generator (xorshift64*), so every run of the test kills
/// at the same moments and writes the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: [&str; 24] = [
    "river", "stone", "market", "lantern", "orchard", "harbour", "signal", "meadow", "copper",
    "winter", "garden", "bridge", "thunder", "valley", "candle", "forest", "council", "budget",
    "railway", "museum", "festival", "teacher", "weather", "village",
];

fn paragraph(rng: &mut Rng) -> String {
    (0..6)
        .map(|_| {
            let words: Vec<&str> = (0..12)
                .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
                .collect();
            format!("{}.", words.join(" "))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A few hundred text files in folders, with exact and near duplicates,
/// repeated paragraphs and shared lines, and some JSON Lines files.
fn write_corpus(root: &Path) {
    let mut rng = Rng(0x5EED_0FC1_EA00_u64);
    let shared: Vec<String> = (0..20).map(|_| paragraph(&mut rng)).collect();
    let mut texts: Vec<String> = Vec::new();
    for i in 0..240 {
        let folder = root.join(format!("part{}", i % 6));
        std::fs::create_dir_all(&folder).unwrap();
        let text = match i % 10 {
            // An exact copy of an earlier document.
            3 if i > 10 => texts[rng.below(texts.len() as u64) as usize].clone(),
            // A near copy: one paragraph changed.
            7 if i > 10 => {
                let base = &texts[rng.below(texts.len() as u64) as usize];
                format!("{base}\n\n{}\n", paragraph(&mut rng))
            }
            _ => {
                let mut parts: Vec<String> = (0..8).map(|_| paragraph(&mut rng)).collect();
                // A paragraph repeated inside the document, and one shared
                // with other documents.
                parts.push(parts[1].clone());
                parts.push(shared[rng.below(shared.len() as u64) as usize].clone());
                format!("Navigation | Home | Contact\n\n{}\n", parts.join("\n\n"))
            }
        };
        std::fs::write(folder.join(format!("doc{i:03}.txt")), &text).unwrap();
        texts.push(text);
    }
    for f in 0..4 {
        let lines: Vec<String> = (0..40)
            .map(|r| {
                let text = if r % 5 == 4 {
                    texts[(f * 40 + r) % texts.len()].clone()
                } else {
                    paragraph(&mut rng)
                };
                serde_json::json!({"id": format!("{f}-{r}"), "text": text}).to_string()
            })
            .collect();
        std::fs::write(
            root.join(format!("records{f}.jsonl")),
            lines.join("\n") + "\n",
        )
        .unwrap();
    }
}

fn clean_command(dir: &Path, out: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_doppel"));
    command
        // The corpus is drawn from 24 words, so its paragraphs share most
        // of their character 5-grams: word shingles keep them distinct.
        .args(["clean", "corpus", "-o", out, "--shingle", "words:3"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Every file under `dir`, relative.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// A lock file or a temporary file: what a killed run may leave.
fn is_leftover(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name == ".doppel.lock"
        || (name.starts_with('.') && name.contains(".doppel-") && name.ends_with(".tmp"))
}

#[test]
fn a_killed_clean_leaves_nothing_that_looks_complete_but_is_not() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(&dir.path().join("corpus"));
    let started = Instant::now();
    let reference = clean_command(dir.path(), "reference").output().unwrap();
    let full = started.elapsed();
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    let reference_dir = dir.path().join("reference");
    let reference_files = files(&reference_dir);
    assert!(reference_files.len() > 150, "{}", reference_files.len());

    let mut rng = Rng(20_261_129);
    let mut interrupted = 0;
    for kill in 0..20 {
        let out = format!("killed{kill}");
        let delay = Duration::from_micros(rng.below(full.as_micros() as u64 + 1));
        let mut child = clean_command(dir.path(), &out).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap();
        child.wait().unwrap();
        let out_dir = dir.path().join(&out);
        let left = files(&out_dir);
        let mut leftovers = Vec::new();
        for file in &left {
            if is_leftover(file) {
                leftovers.push(file.clone());
                continue;
            }
            let written = std::fs::read(out_dir.join(file)).unwrap();
            let expected = std::fs::read(reference_dir.join(file)).unwrap_or_else(|_| {
                panic!(
                    "kill {kill}: {} is not in a full run's output",
                    file.display()
                )
            });
            assert!(
                written == expected,
                "kill {kill} after {delay:?}: {} differs from a full run's",
                file.display()
            );
        }
        let finished = left.iter().any(|f| f == Path::new("manifest.jsonl"));
        if !finished && !left.is_empty() {
            interrupted += 1;
            assert!(
                !leftovers.is_empty(),
                "kill {kill}: an unfinished folder holds no leftovers: {left:?}"
            );
        }
        if left.is_empty() {
            // Killed before anything was written: nothing to refuse.
            continue;
        }
        // A second run into that folder.
        let again = clean_command(dir.path(), &out).output().unwrap();
        let message = String::from_utf8_lossy(&again.stderr);
        assert_eq!(again.status.code(), Some(2), "kill {kill}: {message}");
        if !leftovers.is_empty() {
            assert!(
                message.contains("holds the leftovers of an interrupted doppel run")
                    && message.contains("remove"),
                "kill {kill}: {message}"
            );
        } else {
            assert!(
                message.contains("holds a finished clean run"),
                "kill {kill}: {message}"
            );
        }
    }
    assert!(
        interrupted >= 5,
        "only {interrupted} runs were killed midway"
    );
}
