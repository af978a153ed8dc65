//! Command-line parsing: clap definitions, one file per subcommand, each
//! turning flags into library settings and errors into exit codes.

mod check;
mod clean;
mod cluster;
mod common;
mod completions;
mod diff;
mod diff_inputs;
mod index;
mod man;
mod pager;
mod progress;
mod scan;
mod sign;
mod stdout;

use clap::{CommandFactory, Parser, Subcommand};

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
    /// Sign input shards for `doppel cluster`: one signature file per shard,
    /// so duplicate documents can be found across processes and machines.
    Sign(sign::SignArgs),
    /// Find duplicate documents from signature files alone, with the report
    /// `scan --find documents` prints over the same inputs.
    Cluster(cluster::ClusterArgs),
    /// Keep a corpus's documents in an index, to deduplicate new data
    /// against it (`scan --against`, `clean --against`).
    Index(index::IndexArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or
    /// PowerShell.
    Completions(completions::CompletionsArgs),
    /// Print the manual in roff (`doppel man | man -l -`), or write its
    /// pages into a folder.
    Man(man::ManArgs),
}

/// Runs the command line and returns the exit status.
pub fn main() -> i32 {
    if stdout::was_closed() {
        eprintln!("doppel: standard output is closed: the report cannot be written");
        return 2;
    }
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
        Command::Sign(args) => sign::run(args),
        Command::Cluster(args) => cluster::run(args),
        Command::Index(args) => index::run(args),
        Command::Completions(args) => completions::run(args, Cli::command()),
        Command::Man(args) => man::run(args, Cli::command()),
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

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    #[test]
    fn the_flag_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_default_value_parses_to_its_field() {
        // A default that a value parser turns into another type than the
        // field's panics when the arguments are read, on every run.
        for args in [
            &["doppel", "scan"][..],
            &["doppel", "clean", "-o", "out"],
            &["doppel", "restore", "out", "-o", "dir"],
            &["doppel", "diff", "a", "b"],
            &["doppel", "check"],
            &["doppel", "sign", "-o", "sigs"],
            &["doppel", "cluster", "sigs"],
            &["doppel", "index", "add", "idx"],
            &["doppel", "completions", "bash"],
            &["doppel", "man"],
        ] {
            let parsed = Cli::try_parse_from(args);
            assert!(parsed.is_ok(), "{args:?}: {:?}", parsed.err());
        }
    }
}
