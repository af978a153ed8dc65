//! The command line: clap definitions, one file per subcommand, and the
//! mapping of errors to exit codes.

use std::io;

use clap::{Parser, Subcommand};

pub mod diff;

/// Find, clean, diff and gate duplicate text.
#[derive(Debug, Parser)]
#[command(name = "doppel", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare two versions of a document, or two folders (two releases).
    Diff(diff::DiffArgs),
}

/// Parses the arguments, runs the command, and returns the exit code:
/// errors are printed as `doppel: …` and give 2; a closed pipe on standard
/// output ends the run quietly.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Diff(args) => diff::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => {
            eprintln!("doppel: {err:#}");
            2
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
