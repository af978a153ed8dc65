//! Command-line parsing: clap definitions, one file per subcommand, each
//! turning flags into library settings and errors into exit codes.

mod check;
mod clean;
mod common;
mod diff;
mod progress;
mod scan;

use clap::{Parser, Subcommand};

/// Find, clean, diff and gate duplicate text, in any language and encoding.
#[derive(Parser, Debug)]
#[command(name = "doppel", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report duplicates: blocks repeated inside documents, duplicate
    /// documents, segments repeated across documents, boilerplate.
    Scan(scan::ScanArgs),
    /// Write deduplicated copies of the inputs and a manifest of every removal.
    Clean(clean::CleanArgs),
    /// Rebuild the original inputs from a cleaned output and its manifest.
    Restore(clean::RestoreArgs),
    /// Compare two versions of a document, or two folders (two releases).
    Diff(diff::DiffArgs),
    /// Gate CI on duplicate content: fail when new duplication breaks the policy.
    Check(check::CheckArgs),
}

/// Runs the command line and returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return code;
        }
    };
    let result = match &cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Clean(args) => clean::run_clean(args),
        Command::Restore(args) => clean::run_restore(args),
        Command::Diff(args) => diff::run(args),
        Command::Check(args) => check::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) if common::is_broken_pipe(&err) => 0,
        Err(err) => {
            eprintln!("doppel: {err:#}");
            2
        }
    }
}
