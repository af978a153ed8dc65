//! `doppel man`: manual pages in roff, generated from the clap definitions
//! (so they always list the flags the binary takes). One page per command:
//! `doppel(1)`, `doppel-scan(1)`, `doppel-index-create(1)`, …
//!
//! Printed whole (`doppel man | man -l -`), one command's page
//! (`doppel man diff`), or written as files for installing
//! (`doppel man --output-dir DIR`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// Print the manual in roff: every command's page, or one command's.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Read it:      doppel man | man -l -      (one command's: doppel man diff | man -l -)
Install it:   doppel man --output-dir /usr/local/share/man/man1")]
pub struct ManArgs {
    /// Print only this command's page (`diff`, or `index create`).
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Vec<String>,
    /// Write one file per page into this folder (`doppel.1`,
    /// `doppel-scan.1`, …) instead of printing.
    #[arg(short = 'o', long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// One manual page: its file name and roff text.
struct Page {
    file_name: String,
    roff: Vec<u8>,
}

/// Prints or writes the pages of `command`; returns the exit status.
pub fn run(args: &ManArgs, command: clap::Command) -> anyhow::Result<i32> {
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let root = find(&command, &args.subcommand)?;
    let mut pages = Vec::new();
    collect(root, &mut pages)?;
    match &args.output_dir {
        Some(dir) => write_files(dir, &pages)?,
        None => {
            let mut out = io::stdout().lock();
            for page in &pages {
                out.write_all(&page.roff)?;
            }
            out.flush()?;
        }
    }
    Ok(0)
}

/// The command that `path` names below `command` (itself when empty).
fn find<'c>(command: &'c clap::Command, path: &[String]) -> anyhow::Result<&'c clap::Command> {
    let mut at = command;
    for name in path {
        at = match at.find_subcommand(name) {
            Some(sub) if !sub.is_hide_set() => sub,
            _ => bail!("{}", no_such(at, name)),
        };
    }
    Ok(at)
}

/// Why `name` names no command below `parent`, and what does.
fn no_such(parent: &clap::Command, name: &str) -> String {
    let names: Vec<&str> = parent
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(clap::Command::get_name)
        .collect();
    let parent = parent.get_display_name().unwrap_or(parent.get_name());
    if names.is_empty() {
        format!("no manual page for `{name}`: `{parent}` has no subcommands")
    } else {
        format!(
            "no manual page for `{name}`: the commands of `{parent}` are {}",
            names.join(", ")
        )
    }
}

/// The page of `command`, then those of its subcommands, depth first.
fn collect(command: &clap::Command, pages: &mut Vec<Page>) -> io::Result<()> {
    let man = clap_mangen::Man::new(command.clone())
        .source(concat!("doppel ", env!("CARGO_PKG_VERSION")))
        .manual("doppel manual");
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    pages.push(Page {
        file_name: man.get_filename(),
        roff,
    });
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, pages)?;
    }
    Ok(())
}

/// Writes each page to its own file in `dir`, atomically (a page is never
/// seen half written).
fn write_files(dir: &Path, pages: &[Page]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    for page in pages {
        let path = dir.join(&page.file_name);
        let mut file = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("{}: cannot write", dir.display()))?;
        file.write_all(&page.roff)
            .and_then(|()| file.flush())
            .and_then(|()| readable_by_all(file.as_file()))
            .with_context(|| format!("{}: cannot write", path.display()))?;
        file.persist(&path)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(())
}

/// Gives a page the usual mode of an installed file (`rw-r--r--`); a
/// temporary file starts readable by its owner alone.
#[cfg(unix)]
fn readable_by_all(file: &std::fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn readable_by_all(_file: &std::fs::File) -> io::Result<()> {
    Ok(())
}
