//! Helpers shared by the end-to-end tests: run the binary, read its JSON
//! Lines report back.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub mod browser;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus(name: &str) -> PathBuf {
    root().join("corpus").join(name)
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests").join("fixtures").join(name)
}

/// The finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON Lines report, one value per line.
    pub fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON line {line:?}: {e}"))
            })
            .collect()
    }

    /// The `document` objects of the report.
    pub fn documents(&self) -> Vec<Value> {
        self.json()
            .into_iter()
            .filter(|v| v["type"] == "document")
            .collect()
    }

    pub fn only_document(&self) -> Value {
        let docs = self.documents();
        assert_eq!(docs.len(), 1, "expected one document in {}", self.stdout);
        docs.into_iter().next().unwrap_or_default()
    }

    pub fn summary(&self) -> Value {
        self.json()
            .into_iter()
            .find(|v| v["type"] == "summary")
            .expect("a summary line")
    }
}

pub fn doppel(args: &[&str]) -> Run {
    doppel_in(&root(), args, None)
}

pub fn doppel_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    doppel_in(&root(), args, Some(stdin))
}

pub fn doppel_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    doppel_env(dir, args, stdin, &[])
}

/// Runs the binary with extra environment variables.
pub fn doppel_env(dir: &Path, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the doppel binary runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(bytes).expect("write stdin");
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("doppel finishes");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// `[first, last]` line pairs of a block's copies.
pub fn copy_lines(block: &Value) -> Vec<(u64, u64)> {
    block["copies"]
        .as_array()
        .expect("copies")
        .iter()
        .map(|c| {
            (
                c["lines"][0].as_u64().unwrap_or(0),
                c["lines"][1].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// `(first-copy line, other-copy line)` of each differing pair, by first line.
pub fn differing_lines(block: &Value) -> Vec<(Option<u64>, Option<u64>)> {
    block["differing"]
        .as_array()
        .expect("differing")
        .iter()
        .map(|d| (d["lines"][0][0].as_u64(), d["lines"][1][0].as_u64()))
        .collect()
}
