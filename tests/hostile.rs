//! The hostile-input table: inputs built to break doppel, each run end to end
//! through the binary beside an ordinary file (the bystander).
//!
//! Every row states the exit status it expects and the message (a substring
//! of stderr, and of the `error` object of the JSON report), and checks that
//! the bystander was still processed: it appears as a document in the
//! `--format json` report of `scan`, and as a cleaned file in the output of
//! `clean -o`. Every run has a time limit, so an input that makes doppel
//! wait (a FIFO without a writer) fails the row instead of hanging the suite.
//! The long single line is 8 MiB here, where a debug build scans it in
//! seconds; `benches/hostile_memory.sh` measures 200 MiB with the release
//! build.

mod util;

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use util::Run;

/// Size of the single-line document. The figure is 200 MB; a debug
/// build scans that too slowly for `cargo test`, so the table uses 8 MB and
/// `benches/hostile_memory.sh` measures 200 MB with a release build.
const LONG_LINE_BYTES: usize = 8 * 1024 * 1024;

/// Number of files in the folder of tiny files (the figure).
const TINY_FILES: usize = 50_000;

/// Nesting depth of the deeply nested JSON Lines records.
const DEEP_NESTING: usize = 100_000;

/// How long any one run may take before the row fails.
const RUN_LIMIT: Duration = Duration::from_secs(120);

const BYSTANDER: &str = "bystander.txt";
const BYSTANDER_TEXT: &str = "An ordinary file beside the hostile one. It must still be read.\n";

/// A scratch folder holding the bystander.
struct Scene {
    dir: tempfile::TempDir,
}

impl Scene {
    fn new() -> Scene {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join(BYSTANDER), BYSTANDER_TEXT).expect("write bystander");
        Scene { dir }
    }

    fn path(&self, name: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write input");
        path
    }

    /// `doppel scan --format json INPUTS... bystander.txt`.
    fn scan(&self, inputs: &[&OsStr]) -> Run {
        let mut args: Vec<&OsStr> = ["scan", "--format", "json"].map(OsStr::new).to_vec();
        args.extend_from_slice(inputs);
        args.push(OsStr::new(BYSTANDER));
        run_limited(self.dir.path(), &args)
    }

    /// `doppel clean INPUTS... bystander.txt -o out`; the output folder.
    fn clean(&self, inputs: &[&OsStr]) -> (Run, PathBuf) {
        let mut args: Vec<&OsStr> = vec![OsStr::new("clean")];
        args.extend_from_slice(inputs);
        args.extend([BYSTANDER, "-o", "out"].map(OsStr::new));
        (run_limited(self.dir.path(), &args), self.path("out"))
    }
}

/// Runs the binary in `dir`, killing it and failing the test when it takes
/// longer than [`RUN_LIMIT`].
fn run_limited(dir: &Path, args: &[&OsStr]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the doppel binary runs");
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for doppel") {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("doppel {args:?} did not finish within {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// What one row expects of a run.
struct Expect<'a> {
    status: i32,
    /// Substrings of stderr; each must also be in an `error` object's message
    /// or path of the JSON report (for `scan`).
    messages: &'a [&'a str],
}

/// Checks status and messages, and that the bystander was read.
fn assert_scan(run: &Run, expect: &Expect<'_>) {
    assert_eq!(run.code, expect.status, "stderr: {}", run.stderr);
    let report = run.json();
    let errors: Vec<String> = report
        .iter()
        .filter(|v| v["type"] == "error")
        .map(error_line)
        .collect();
    for message in expect.messages {
        assert!(
            run.stderr.contains(message),
            "stderr lacks {message:?}: {}",
            run.stderr
        );
        assert!(
            errors.iter().any(|e| e.contains(message)),
            "no error object says {message:?}: {errors:?}"
        );
    }
    if expect.messages.is_empty() {
        assert!(errors.is_empty(), "unexpected errors {errors:?}");
    }
    assert!(
        report
            .iter()
            .any(|v| v["type"] == "document" && v["path"] == BYSTANDER),
        "the bystander is not in the report: {}",
        run.stdout
    );
    for line in run.stderr.lines() {
        assert!(line.starts_with("doppel: "), "stray stderr line {line:?}");
    }
}

/// An `error` object of the JSON report as stderr words it: `PATH: reason`,
/// or `PATH:LINE: reason` for a JSON Lines line.
fn error_line(error: &Value) -> String {
    let path = error["path"].as_str().unwrap_or("-");
    let message = error["message"].as_str().unwrap_or("");
    match error["line"].as_u64() {
        Some(line) => format!("{path}:{line}: {message}"),
        None => format!("{path}: {message}"),
    }
}

/// Checks a `clean` run: status, messages, the bystander cleaned into `out`.
fn assert_clean(run: &Run, out: &Path, expect: &Expect<'_>) {
    assert_eq!(run.code, expect.status, "stderr: {}", run.stderr);
    for message in expect.messages {
        assert!(
            run.stderr.contains(message),
            "stderr lacks {message:?}: {}",
            run.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join(BYSTANDER)).ok().as_deref(),
        Some(BYSTANDER_TEXT),
        "the bystander was not cleaned into {}",
        out.display()
    );
    assert!(out.join("manifest.jsonl").is_file(), "no manifest");
}

fn documents_named<'a>(run: &'a Run, path: &'a str) -> impl Iterator<Item = Value> + 'a {
    run.documents()
        .into_iter()
        .filter(move |d| d["path"] == path)
}

fn os(text: &str) -> &OsStr {
    OsStr::new(text)
}

/// Deterministic pseudo-random numbers (a 64-bit LCG); no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }
}

/// `bytes` of prose in one line: sentences of words drawn from a large
/// made-up vocabulary, no line break anywhere.
fn one_line_of_prose(bytes: usize) -> Vec<u8> {
    let mut rng = Lcg(7);
    let letters = b"etaoinshrdlucmfwypvbgkjqxz";
    let vocabulary: Vec<Vec<u8>> = (0..20_000)
        .map(|_| {
            let len = 2 + rng.next(9);
            (0..len).map(|_| letters[rng.next(26)]).collect()
        })
        .collect();
    let mut text = Vec::with_capacity(bytes + 256);
    while text.len() < bytes {
        let words = 6 + rng.next(20);
        for w in 0..words {
            if w > 0 {
                text.push(b' ');
            }
            text.extend_from_slice(&vocabulary[rng.next(vocabulary.len())]);
        }
        text.extend_from_slice(b". ");
    }
    text.truncate(bytes);
    text
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// One JSON Lines line per record, gzip- or zstd-compressed.
fn jsonl_records(count: usize) -> Vec<u8> {
    (0..count)
        .map(|i| {
            format!(
                "{{\"id\": {i}, \"text\": \"Record {i} of a corpus, its own words {}.\"}}\n",
                i * 7919
            )
        })
        .collect::<String>()
        .into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).expect("zstd")
}

/// The `line` numbers of the records read from `path`.
fn record_lines(run: &Run, path: &str) -> Vec<u64> {
    documents_named(run, path)
        .map(|d| d["line"].as_u64().unwrap_or(0))
        .collect()
}

// ---------------------------------------------------------------- plain files

#[test]
fn binary_file_named_is_an_error() {
    let scene = Scene::new();
    scene.write(
        "elf.bin",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x3e\x00 code",
    );
    let run = scene.scan(&[os("elf.bin")]);
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &["elf.bin", "binary file (NUL byte at offset 7)"],
        },
    );
    let (run, out) = scene.clean(&[os("elf.bin")]);
    assert_clean(
        &run,
        &out,
        &Expect {
            status: 2,
            messages: &["doppel: elf.bin: binary file"],
        },
    );
    assert!(!out.join("elf.bin").exists());
}

#[test]
fn binary_file_in_a_walk_is_skipped_and_counted() {
    let scene = Scene::new();
    std::fs::create_dir(scene.path("folder")).unwrap();
    scene.write("folder/elf.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00");
    scene.write("folder/page.txt", "A page of text in the folder.\n");
    let run = scene.scan(&[os("folder")]);
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    assert_eq!(run.summary()["skipped"], 1);
    assert_eq!(documents_named(&run, "folder/page.txt").count(), 1);
}

#[test]
fn empty_file_is_an_empty_document() {
    let scene = Scene::new();
    scene.write("empty.txt", b"");
    let run = scene.scan(&[os("empty.txt")]);
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    let doc = documents_named(&run, "empty.txt")
        .next()
        .expect("empty.txt");
    assert_eq!(
        (doc["input_bytes"].as_u64(), doc["bytes"].as_u64()),
        (Some(0), Some(0))
    );
    let (run, out) = scene.clean(&[os("empty.txt")]);
    assert_clean(
        &run,
        &out,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    assert_eq!(std::fs::read(out.join("empty.txt")).ok(), Some(Vec::new()));
}

#[test]
fn undecodable_bytes_are_an_error() {
    let scene = Scene::new();
    let noise: Vec<u8> = (0..4000u32).map(|i| (i * 37 % 255 + 1) as u8).collect();
    scene.write("noise.txt", noise);
    let run = scene.scan(&[os("noise.txt")]);
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &["noise.txt", "cannot be decoded"],
        },
    );
    let (run, out) = scene.clean(&[os("noise.txt")]);
    assert_clean(
        &run,
        &out,
        &Expect {
            status: 2,
            messages: &["doppel: noise.txt: cannot be decoded"],
        },
    );
}

/// Regression: one NUL byte made ASCII text "UTF-16LE" and it was decoded
/// (and cleaned) as garbage.
#[test]
fn ascii_with_one_nul_byte_is_binary_not_utf16() {
    let scene = Scene::new();
    scene.write(
        "nul.txt",
        b"hello\x00world, this is plain ASCII text with one NUL byte in it\n",
    );
    let run = scene.scan(&[os("nul.txt")]);
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &["nul.txt", "binary file (NUL byte at offset 5)"],
        },
    );
    let (run, out) = scene.clean(&[os("nul.txt")]);
    assert_clean(
        &run,
        &out,
        &Expect {
            status: 2,
            messages: &["doppel: nul.txt: binary file"],
        },
    );
    assert!(!out.join("nul.txt").exists());
}

#[test]
fn a_long_single_line_is_one_document() {
    let scene = Scene::new();
    scene.write("line.txt", one_line_of_prose(LONG_LINE_BYTES));
    let run = scene.scan(&[os("line.txt")]);
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    let doc = documents_named(&run, "line.txt").next().expect("line.txt");
    assert_eq!(doc["bytes"].as_u64(), Some(LONG_LINE_BYTES as u64));
    assert_eq!(doc["lines"].as_u64(), Some(1));
}

/// Paragraphs in the document where each holds a letter the damage pass
/// asks the whole document about: asked by searching the text each time,
/// they took 15 s in a release build at 20,000 (quadratic); gathered once
/// the searches are spent, 0.04 s.
const LONE_LETTER_PARAGRAPHS: usize = 60_000;

#[test]
fn a_lone_letter_in_every_paragraph_is_scanned_for_damage_in_time() {
    let scene = Scene::new();
    scene.write(
        "letters.txt",
        "我A我們的國家\n\n".repeat(LONE_LETTER_PARAGRAPHS),
    );
    let run = scene.scan(&[os("--find"), os("damage"), os("letters.txt")]);
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    let doc = documents_named(&run, "letters.txt")
        .next()
        .expect("letters.txt");
    assert_eq!(
        doc["segments"].as_u64(),
        Some(LONE_LETTER_PARAGRAPHS as u64)
    );
}

/// Korean brackets left open, each of which the damage scan asks whether
/// a closing one follows: asked of the whole rest of the segment, a
/// paragraph of them would be read once per bracket (quadratic); asked of
/// the next few characters, once.
const OPEN_BRACKETS: usize = 100_000;

#[test]
fn a_paragraph_of_open_korean_brackets_is_scanned_for_damage_in_time() {
    let scene = Scene::new();
    scene.write("brackets.txt", "가【 ".repeat(OPEN_BRACKETS) + "\n");
    let run = scene.scan(&[os("--find"), os("damage"), os("brackets.txt")]);
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    let doc = documents_named(&run, "brackets.txt")
        .next()
        .expect("brackets.txt");
    assert!(doc["damage"]["score"].as_u64() > Some(0), "{doc}");
}

#[test]
fn fifty_thousand_tiny_files_are_all_read() {
    let scene = Scene::new();
    let folder = scene.path("tiny");
    std::fs::create_dir(&folder).unwrap();
    for i in 0..TINY_FILES {
        std::fs::write(
            folder.join(format!("{i:05}.txt")),
            format!("tiny file {i}\n"),
        )
        .unwrap();
    }
    let run = scene.scan(&[os("tiny")]);
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    assert_eq!(run.summary()["documents"], TINY_FILES + 1);
    assert_eq!(run.documents().len(), TINY_FILES + 1);
}

// ------------------------------------------------------- links, FIFOs, names

#[test]
fn symlink_loop_named_is_an_error() {
    let scene = Scene::new();
    std::os::unix::fs::symlink("loop-b", scene.path("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", scene.path("loop-b")).unwrap();
    let run = scene.scan(&[os("loop-a")]);
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &["loop-a", "symbolic link loop"],
        },
    );
}

#[test]
fn symlink_loop_in_a_walk_does_not_stop_it() {
    let scene = Scene::new();
    std::fs::create_dir(scene.path("folder")).unwrap();
    std::os::unix::fs::symlink("loop-b", scene.path("folder/loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", scene.path("folder/loop-b")).unwrap();
    std::os::unix::fs::symlink(".", scene.path("folder/self")).unwrap();
    scene.write("folder/page.txt", "A page of text beside the loops.\n");
    let run = scene.scan(&[os("folder")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(documents_named(&run, "folder/page.txt").count(), 1);
    assert_eq!(documents_named(&run, BYSTANDER).count(), 1);
}

#[test]
fn fifo_without_a_writer_is_skipped_not_waited_for() {
    let scene = Scene::new();
    mkfifo(&scene.path("pipe"));
    let run = scene.scan(&[os("pipe")]);
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &["pipe", "FIFO with no writer"],
        },
    );
}

#[test]
fn fifo_with_a_writer_is_read() {
    let scene = Scene::new();
    let pipe = scene.path("pipe");
    mkfifo(&pipe);
    let writer = std::thread::spawn(move || {
        // Opening blocks until doppel opens the other end.
        std::fs::write(&pipe, "Text that arrives through a FIFO.\n")
    });
    let run = scene.scan(&[os("pipe")]);
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    let doc = documents_named(&run, "pipe")
        .next()
        .expect("the FIFO's document");
    assert_eq!(doc["bytes"].as_u64(), Some(34));
    writer.join().unwrap().expect("the writer wrote");
}

#[test]
fn clean_of_a_fifo_without_a_writer_does_not_hang() {
    let scene = Scene::new();
    mkfifo(&scene.path("pipe"));
    let (run, out) = scene.clean(&[os("pipe")]);
    assert_clean(
        &run,
        &out,
        &Expect {
            status: 2,
            messages: &["doppel: pipe: FIFO with no writer"],
        },
    );
}

/// Regression: `clean <(cat f)` read the pipe twice and failed on the
/// second, empty, read.
#[test]
fn clean_reads_a_fifo_once_for_both_passes() {
    let scene = Scene::new();
    let pipe = scene.path("pipe");
    mkfifo(&pipe);
    let writer = std::thread::spawn(move || std::fs::write(&pipe, "Text through a FIFO.\n"));
    let (run, out) = scene.clean(&[os("pipe")]);
    assert_clean(
        &run,
        &out,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    assert_eq!(
        std::fs::read_to_string(out.join("pipe")).ok().as_deref(),
        Some("Text through a FIFO.\n")
    );
    writer.join().unwrap().expect("the writer wrote");
}

#[test]
fn a_character_device_is_refused() {
    let scene = Scene::new();
    let run = scene.scan(&[os("/dev/zero")]);
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &["/dev/zero", "not a regular file (a character device)"],
        },
    );
}

fn non_utf8_names(scene: &Scene) -> [OsString; 2] {
    let names = [b"a\xff.txt", b"a\xfe.txt"].map(|n| OsStr::from_bytes(n).to_os_string());
    scene.write(&names[0], "The first file whose name is not UTF-8.\n");
    scene.write(
        &names[1],
        "The second file whose name is not UTF-8, other text.\n",
    );
    names
}

#[test]
fn names_that_are_not_utf8_are_read() {
    let scene = Scene::new();
    let names = non_utf8_names(&scene);
    let run = scene.scan(&[&names[0], &names[1]]);
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    assert_eq!(run.documents().len(), 3);
}

#[test]
fn clean_keeps_both_files_whose_names_are_not_utf8() {
    let scene = Scene::new();
    let names = non_utf8_names(&scene);
    let (run, out) = scene.clean(&[&names[0], &names[1]]);
    // Either both outputs are written under distinct names (exit 0), or the
    // names are refused (exit 2): never one lost in silence.
    let written = std::fs::read_dir(&out)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|entry| !entry.file_name().as_bytes().starts_with(b"."))
                .count()
        })
        .unwrap_or(0);
    match run.code {
        0 => assert_eq!(written, 4, "two inputs, the bystander, the manifest"),
        2 => assert!(run.stderr.contains("UTF-8"), "{}", run.stderr),
        code => panic!("exit {code}: {}", run.stderr),
    }
    assert_clean(
        &run,
        &out,
        &Expect {
            status: run.code,
            messages: &[],
        },
    );
}

#[test]
fn names_with_a_newline_are_read() {
    let scene = Scene::new();
    scene.write("new\nline.txt", "A file whose name holds a line break.\n");
    let run = scene.scan(&[os("new\nline.txt")]);
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    assert_eq!(documents_named(&run, "new\nline.txt").count(), 1);
}

#[test]
fn an_error_about_a_name_with_a_newline_is_one_line() {
    let scene = Scene::new();
    scene.write("new\nline.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00");
    let run = scene.scan(&[os("new\nline.bin")]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("binary file"), "{}", run.stderr);
}

// ------------------------------------------------------- compressed JSON Lines

/// A damaged compressed file: the records before the damage are documents,
/// read in order from line 1, then one error names the line where reading
/// stopped. With `garbage_allowed`, lines decoded from the damaged part may
/// follow the intact ones (gzip checks its data only at the end).
fn assert_records_then_damage(run: &Run, name: &str, garbage_allowed: bool, expect: &Expect<'_>) {
    assert_scan(run, expect);
    let lines = record_lines(run, name);
    let intact = lines
        .iter()
        .zip(1..)
        .take_while(|(line, expected)| **line == *expected)
        .count();
    assert!(intact > 0, "no record before the damage was read");
    if !garbage_allowed {
        assert_eq!(intact, lines.len(), "records after the damage: {lines:?}");
    }
    let last = run
        .json()
        .into_iter()
        .rfind(|v| v["type"] == "error" && v["path"] == name)
        .expect("an error for the damaged file");
    assert!(last["line"].as_u64() > lines.last().copied());
}

#[test]
fn truncated_gzip_keeps_the_records_before_the_cut() {
    let scene = Scene::new();
    let gz = gzip(&jsonl_records(3000));
    scene.write("cut.jsonl.gz", &gz[..gz.len() / 2]);
    let run = scene.scan(&[os("cut.jsonl.gz")]);
    assert_records_then_damage(
        &run,
        "cut.jsonl.gz",
        false,
        &Expect {
            status: 2,
            messages: &["cut.jsonl.gz:", "gzip stream is truncated or damaged"],
        },
    );
    let (run, out) = scene.clean(&[os("cut.jsonl.gz")]);
    assert_clean(
        &run,
        &out,
        &Expect {
            status: 2,
            messages: &["gzip stream is truncated or damaged"],
        },
    );
}

#[test]
fn corrupt_gzip_ends_with_its_checksum_error() {
    let scene = Scene::new();
    let mut gz = gzip(&jsonl_records(3000));
    let middle = gz.len() / 2;
    for byte in &mut gz[middle..middle + 64] {
        *byte ^= 0x5a;
    }
    scene.write("bad.jsonl.gz", gz);
    let run = scene.scan(&[os("bad.jsonl.gz")]);
    // Deflate data can decode into wrong bytes until the checksum at the end
    // of the stream: those lines are reported as malformed on the way (or, if
    // one happens to parse, read), and the checksum error ends the file.
    assert_records_then_damage(
        &run,
        "bad.jsonl.gz",
        true,
        &Expect {
            status: 2,
            messages: &["bad.jsonl.gz:", "gzip stream is truncated or damaged: corrupt gzip stream does not have a matching checksum"],
        },
    );
}

#[test]
fn not_gzip_at_all_is_one_error() {
    let scene = Scene::new();
    scene.write("fake.jsonl.gz", "{\"text\": \"plain, not compressed\"}\n");
    let run = scene.scan(&[os("fake.jsonl.gz")]);
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &[
                "fake.jsonl.gz:1: gzip stream is truncated or damaged: invalid gzip header",
            ],
        },
    );
}

#[test]
fn truncated_zstd_keeps_the_records_before_the_cut() {
    let scene = Scene::new();
    let zst = zstd(&jsonl_records(20_000));
    scene.write("cut.jsonl.zst", &zst[..zst.len() / 2]);
    let run = scene.scan(&[os("cut.jsonl.zst")]);
    assert_records_then_damage(
        &run,
        "cut.jsonl.zst",
        false,
        &Expect {
            status: 2,
            messages: &["cut.jsonl.zst:", "zstd stream is truncated or damaged"],
        },
    );
}

#[test]
fn corrupt_zstd_keeps_the_records_before_the_damage() {
    let scene = Scene::new();
    let mut zst = zstd(&jsonl_records(20_000));
    let middle = zst.len() / 2;
    for byte in &mut zst[middle..middle + 64] {
        *byte ^= 0x5a;
    }
    scene.write("bad.jsonl.zst", zst);
    let run = scene.scan(&[os("bad.jsonl.zst")]);
    assert_records_then_damage(
        &run,
        "bad.jsonl.zst",
        false,
        &Expect {
            status: 2,
            messages: &["bad.jsonl.zst:", "zstd stream is truncated or damaged"],
        },
    );
}

// ------------------------------------------------------------ JSON Lines lines

/// Writes `lines` as `t.jsonl` and scans it.
fn scan_jsonl(scene: &Scene, content: &[u8]) -> Run {
    scene.write("t.jsonl", content);
    scene.scan(&[os("t.jsonl")])
}

fn record(run: &Run, id: &str) -> Value {
    documents_named(run, "t.jsonl")
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no record {id}: {}", run.stdout))
}

#[test]
fn jsonl_with_a_bom_reads_its_first_line() {
    let scene = Scene::new();
    let run = scan_jsonl(
        &scene,
        "\u{feff}{\"id\": \"first\", \"text\": \"After a byte order mark.\"}\n".as_bytes(),
    );
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    let first = record(&run, "first");
    assert_eq!(
        (first["line"].as_u64(), first["bytes"].as_u64()),
        (Some(1), Some(24))
    );
}

#[test]
fn jsonl_with_crlf_line_ends_keeps_no_carriage_return() {
    let scene = Scene::new();
    let run = scan_jsonl(
        &scene,
        b"{\"id\": \"a\", \"text\": \"Ended by CRLF.\"}\r\n{\"id\": \"b\", \"text\": \"So is this.\"}\r\n",
    );
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    assert_eq!(record(&run, "a")["bytes"].as_u64(), Some(14));
    assert_eq!(record(&run, "b")["line"].as_u64(), Some(2));
}

#[test]
fn jsonl_blank_lines_are_skipped_and_keep_line_numbers() {
    let scene = Scene::new();
    let run = scan_jsonl(
        &scene,
        b"\n  \t \n\r\n{\"id\": \"four\", \"text\": \"On line four.\"}\n\n",
    );
    assert_scan(
        &run,
        &Expect {
            status: 0,
            messages: &[],
        },
    );
    assert_eq!(documents_named(&run, "t.jsonl").count(), 1);
    assert_eq!(record(&run, "four")["line"].as_u64(), Some(4));
}

#[test]
fn jsonl_lone_surrogate_is_an_error_for_its_line() {
    let scene = Scene::new();
    let run = scan_jsonl(
        &scene,
        b"{\"id\": \"bad\", \"text\": \"lone \\ud800 surrogate\"}\n{\"id\": \"ok\", \"text\": \"Fine.\"}\n",
    );
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &["t.jsonl:1: field \"text\" holds a lone surrogate (\\ud800)"],
        },
    );
    record(&run, "ok");
}

#[test]
fn jsonl_deep_nesting_neither_crashes_nor_stops_the_file() {
    let scene = Scene::new();
    let open = "[".repeat(DEEP_NESTING);
    let close = "]".repeat(DEEP_NESTING);
    let objects = "{\"a\":".repeat(DEEP_NESTING);
    let ends = "}".repeat(DEEP_NESTING);
    let lines = [
        // Deep in a field doppel does not read: kept as it is.
        format!("{{\"id\": \"deep-meta\", \"meta\": {open}{close}, \"text\": \"Deep metadata.\"}}"),
        format!(
            "{{\"id\": \"deep-objects\", \"text\": \"Deep objects.\", \"m\": {objects}1{ends}}}"
        ),
        // Deep where the text should be, at the top, and never closed.
        format!("{{\"id\": \"deep-text\", \"text\": {open}{close}}}"),
        format!("{open}{close}"),
        format!("{{\"id\": \"unclosed\", \"text\": \"x\", \"m\": {open}"),
        "{\"id\": \"after\", \"text\": \"The line after.\"}".to_owned(),
    ];
    let run = scan_jsonl(&scene, (lines.join("\n") + "\n").as_bytes());
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &[
                "t.jsonl:3: field \"text\" is an array, expected a string",
                "t.jsonl:4: expected a JSON object, found an array",
                "t.jsonl:5: invalid JSON",
            ],
        },
    );
    for id in ["deep-meta", "deep-objects", "after"] {
        record(&run, id);
    }
}

#[test]
fn jsonl_number_where_the_text_should_be_is_an_error() {
    let scene = Scene::new();
    let run = scan_jsonl(
        &scene,
        b"{\"id\": \"n\", \"text\": 12345}\n{\"id\": \"ok\", \"text\": \"Fine.\"}\n",
    );
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &["t.jsonl:1: field \"text\" is a number, expected a string"],
        },
    );
    record(&run, "ok");
}

#[test]
fn jsonl_duplicate_keys_of_read_fields_are_errors_others_are_kept() {
    let scene = Scene::new();
    let run = scan_jsonl(
        &scene,
        b"{\"id\": \"t\", \"text\": \"one\", \"text\": \"two\"}\n\
          {\"id\": \"x\", \"id\": \"y\", \"text\": \"Which id?\"}\n\
          {\"id\": \"meta\", \"text\": \"Other keys may repeat.\", \"m\": 1, \"m\": 2}\n",
    );
    assert_scan(
        &run,
        &Expect {
            status: 2,
            messages: &[
                "t.jsonl:1: field \"text\" appears more than once",
                "t.jsonl:2: field \"id\" appears more than once",
            ],
        },
    );
    record(&run, "meta");
}

#[test]
fn clean_goes_on_past_every_bad_jsonl_line() {
    let scene = Scene::new();
    let content = "\u{feff}{\"id\": \"a\", \"text\": \"First.\"}\r\n\
                   \n\
                   {\"id\": \"s\", \"text\": \"\\ud800\"}\n\
                   {\"id\": \"n\", \"text\": 5}\n\
                   {\"id\": \"b\", \"text\": \"Last.\"}\n";
    let deep = format!(
        "{{\"id\": \"deep\", \"m\": {}{}, \"text\": \"Deep metadata, kept.\"}}\n",
        "[".repeat(DEEP_NESTING),
        "]".repeat(DEEP_NESTING)
    );
    scene.write("t.jsonl", content.to_owned() + &deep);
    let (run, out) = scene.clean(&[os("t.jsonl")]);
    assert_clean(
        &run,
        &out,
        &Expect {
            status: 2,
            messages: &[
                "t.jsonl:3: field \"text\" holds a lone surrogate",
                "t.jsonl:4:",
            ],
        },
    );
    let cleaned = std::fs::read_to_string(out.join("t.jsonl")).unwrap_or_default();
    assert!(cleaned.contains("First."), "{cleaned:.200}");
    assert!(
        cleaned.ends_with(&deep),
        "the deep record is written as read"
    );
}

/// `clean` leaves malformed lines, the byte order mark, `\r\n` line ends
/// and blank lines out of its output; `restore` must then not give back a
/// different file as if it were the input.
#[test]
fn restore_of_a_cleaned_hostile_jsonl_is_exact_or_fails() {
    let scene = Scene::new();
    let content = "\u{feff}{\"id\": \"a\", \"text\": \"First.\"}\r\n\
                   \n\
                   {\"id\": \"n\", \"text\": 5}\n\
                   {\"id\": \"b\", \"text\": \"Last.\"}\n";
    scene.write("t.jsonl", content);
    let (run, _) = scene.clean(&[os("t.jsonl")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let restore = run_limited(
        scene.dir.path(),
        &["restore", "out", "-o", "back"].map(OsStr::new),
    );
    let back = std::fs::read(scene.path("back/t.jsonl")).unwrap_or_default();
    assert!(
        back == content.as_bytes() || restore.code != 0,
        "restore exit {} gave different bytes: {}{}",
        restore.code,
        restore.stdout,
        restore.stderr
    );
}
