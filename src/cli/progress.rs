//! A progress bar on stderr for long runs (scan, check, clean, sign, index
//! add): hidden when stderr is not a terminal, so a pipe or a file never
//! gets a byte of it. With a known total it is a bar of bytes; without one
//! (standard input alone) a counter of bytes.
//!
//! Whatever else is written to the terminal while the bar is shown (an
//! error on stderr, a report line on stdout) goes through
//! [`Bar::suspend`], which takes the bar off the screen and puts it back.

use std::io::{self, IsTerminal};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use doppel::clean::run::Progress;
use doppel::document::Origin;
use doppel::input::Entry;
use doppel::{Problem, SignSink, SignedDoc};

pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new() -> Bar {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Bar {
            bar: ProgressBar::with_draw_target(None, target),
        }
    }

    /// A bar that is never drawn.
    pub fn hidden() -> Bar {
        Bar {
            bar: ProgressBar::hidden(),
        }
    }

    /// Whether the bar is drawn at all (stderr is a terminal).
    pub fn is_shown(&self) -> bool {
        !self.bar.is_hidden()
    }

    /// Runs `write` with the bar off the screen, then draws it again.
    pub fn suspend<T>(&self, write: impl FnOnce() -> T) -> T {
        self.bar.suspend(write)
    }
}

/// The bytes of the files among `entries`, as a bar's total; standard input
/// and files that cannot be looked at count nothing.
pub fn total_bytes(entries: &[Entry]) -> u64 {
    entries
        .iter()
        .filter_map(|entry| entry.origin.file())
        .filter_map(|path| std::fs::metadata(path).ok())
        .map(|meta| meta.len())
        .sum()
}

fn bar_style(total: u64) -> ProgressStyle {
    let template = if total == 0 {
        "{msg:>9} {spinner} {decimal_bytes} {decimal_bytes_per_sec} {elapsed}"
    } else {
        "{msg:>9} [{bar:30}] {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} eta {eta}"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Progress for Bar {
    fn start(&self, pass: &str, total: u64) {
        self.bar.reset();
        self.bar.set_style(bar_style(total));
        if total == 0 {
            self.bar.unset_length();
        } else {
            self.bar.set_length(total);
        }
        self.bar.set_message(pass.to_owned());
        self.bar.enable_steady_tick(Duration::from_millis(1000));
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A signing sink that moves a bar by each document's bytes and passes
/// everything on.
pub struct Signing<'a, S> {
    pub inner: &'a mut S,
    pub bar: &'a Bar,
}

impl<S: SignSink> SignSink for Signing<'_, S> {
    fn input_problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.inner.input_problem(problem)
    }

    fn document(&mut self, doc: SignedDoc) -> io::Result<()> {
        self.bar.advance(doc.facts.input_bytes as u64);
        self.inner.document(doc)
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.inner.problem(problem)
    }

    fn skipped(&mut self, origin: &Origin) -> io::Result<()> {
        self.inner.skipped(origin)
    }
}
