//! The pager: output meant for a person on a terminal goes through
//! `$DOPPEL_PAGER`, else `$PAGER`, else `less -R`, as git pages its diffs.
//!
//! Never when standard output is not a terminal, and never under git (as
//! its external diff or with its pager already running): git pages itself.
//! A pager variable set to nothing or to `cat` turns paging off. `less` is
//! given `LESS=FRX` when `LESS` is unset, as git gives it: quit when the
//! output fits on one screen (`F`), pass colours through (`R`), leave the
//! output on the screen afterwards (`X`).

use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The pager used when neither `DOPPEL_PAGER` nor `PAGER` is set.
const DEFAULT: &str = "less -R";

/// Whether git started its own pager for this process's output.
pub fn git_pager_in_use() -> bool {
    std::env::var_os("GIT_PAGER_IN_USE").is_some_and(|v| truthy(&v))
}

/// git's reading of a boolean variable: `true`, `yes`, `on` or a number
/// other than 0.
fn truthy(value: &OsStr) -> bool {
    let value = value.to_string_lossy().trim().to_ascii_lowercase();
    match value.as_str() {
        "true" | "yes" | "on" => true,
        number => number.parse::<i64>().is_ok_and(|n| n != 0),
    }
}

/// Whether to page: on a terminal, unless `--no-pager`, and never under
/// git (whose own pager, if any, already has the output).
pub fn wanted(terminal: bool, no_pager: bool, under_git: bool) -> bool {
    terminal && !no_pager && !under_git
}

/// The pager command line to run, from the values of `DOPPEL_PAGER` and
/// `PAGER`: the first one set wins, and one set to nothing (or to `cat`)
/// means no pager.
pub fn command_line(doppel_pager: Option<&OsStr>, pager: Option<&OsStr>) -> Option<OsString> {
    let chosen = doppel_pager
        .or(pager)
        .unwrap_or_else(|| OsStr::new(DEFAULT));
    let trimmed = chosen.to_string_lossy();
    match trimmed.trim() {
        "" | "cat" => None,
        _ => Some(chosen.to_owned()),
    }
}

/// A running pager, reading what is written to it. Dropping it closes its
/// input and waits for the reader to quit, so the shell's prompt comes
/// back only after the pager is gone.
pub struct Pager {
    input: Option<ChildStdin>,
    child: Child,
}

impl Pager {
    /// Starts the pager the environment names, or `None` when paging is
    /// off or the pager cannot be started (said on standard error; the
    /// output then goes to standard output as it is).
    pub fn start() -> Option<Pager> {
        let line = command_line(
            std::env::var_os("DOPPEL_PAGER").as_deref(),
            std::env::var_os("PAGER").as_deref(),
        )?;
        let mut command = shell_command(&line);
        if std::env::var_os("LESS").is_none() {
            command.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            command.env("LV", "-c");
        }
        match command.stdin(Stdio::piped()).spawn() {
            Ok(mut child) => Some(Pager {
                input: child.stdin.take(),
                child,
            }),
            Err(err) => {
                eprintln!(
                    "doppel: cannot start the pager `{}`: {err}; writing to the terminal",
                    line.to_string_lossy()
                );
                None
            }
        }
    }
}

/// The pager's command line run by the shell, as git runs it, so that
/// `PAGER='less -S'` and quoted arguments work.
#[cfg(unix)]
fn shell_command(line: &OsStr) -> Command {
    let mut command = Command::new("sh");
    command.arg("-c").arg(line);
    command
}

/// The pager's command line split at spaces (no shell to hand it to).
#[cfg(not(unix))]
fn shell_command(line: &OsStr) -> Command {
    let line = line.to_string_lossy();
    let mut words = line.split_whitespace();
    let mut command = Command::new(words.next().unwrap_or(DEFAULT));
    command.args(words);
    command
}

impl Write for Pager {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.input {
            Some(input) => input.write(buf),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.input {
            Some(input) => input.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Pager {
    fn drop(&mut self) {
        // Closing the pipe tells the pager the output is complete.
        drop(self.input.take());
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(doppel_pager: Option<&str>, pager: Option<&str>) -> Option<String> {
        command_line(doppel_pager.map(OsStr::new), pager.map(OsStr::new))
            .map(|l| l.to_string_lossy().into_owned())
    }

    #[test]
    fn only_a_terminal_is_paged_and_never_under_git() {
        assert!(wanted(true, false, false));
        assert!(!wanted(false, false, false), "not a terminal");
        assert!(!wanted(true, true, false), "--no-pager");
        assert!(!wanted(true, false, true), "under git");
    }

    #[test]
    fn doppel_pager_wins_then_pager_then_less() {
        assert_eq!(line(Some("most"), Some("more")).as_deref(), Some("most"));
        assert_eq!(line(None, Some("more -d")).as_deref(), Some("more -d"));
        assert_eq!(line(None, None).as_deref(), Some("less -R"));
    }

    #[test]
    fn a_pager_set_to_nothing_or_cat_turns_paging_off() {
        assert_eq!(line(Some(""), Some("more")), None);
        assert_eq!(line(Some("cat"), None), None);
        assert_eq!(line(None, Some("")), None);
        assert_eq!(line(None, Some(" cat ")), None);
        // `DOPPEL_PAGER` set to nothing beats a `PAGER` that is set.
        assert_eq!(line(Some("  "), Some("less")), None);
        // A command that merely starts with `cat` is a pager.
        assert_eq!(line(None, Some("cat -n")).as_deref(), Some("cat -n"));
    }

    #[test]
    fn gits_booleans_read_as_git_reads_them() {
        for yes in ["true", "TRUE", "yes", "on", "1", "2", " true "] {
            assert!(truthy(OsStr::new(yes)), "{yes}");
        }
        for no in ["false", "no", "off", "0", "", "maybe"] {
            assert!(!truthy(OsStr::new(no)), "{no}");
        }
    }
}
