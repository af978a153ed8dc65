//! `doppel completions SHELL`: the shell completion script for every
//! subcommand and flag, generated from the same clap definitions that parse
//! the arguments, so it cannot fall out of date.

use std::io::{self, Write};

use clap_complete::Shell;

/// Print the shell completion script for bash, zsh, fish, elvish or
/// PowerShell.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Install it where the shell looks for completions, for example:
  doppel completions bash > ~/.local/share/bash-completion/completions/doppel
  doppel completions zsh > ~/.zfunc/_doppel    (with fpath+=~/.zfunc before compinit)
  doppel completions fish > ~/.config/fish/completions/doppel.fish")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script of `command` to standard output; returns
/// the exit status.
pub fn run(args: &CompletionsArgs, mut command: clap::Command) -> anyhow::Result<i32> {
    // Generated into memory first: clap_complete panics on a failed write,
    // and a closed pipe must end the run quietly instead.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "doppel", &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(0)
}
