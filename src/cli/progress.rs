//! A progress bar on stderr for long runs (scan, check, clean, sign, index
//! add): hidden when stderr is not a terminal, so a pipe or a file never
//! gets a byte of it. With a known total it is a bar of bytes; without one
//! (standard input alone) a counter of bytes.
//!
//! Whatever else is written to the terminal while the bar is shown goes
//! around it: an error on stderr through [`Bar::suspend`], which takes the
//! bar off the screen and puts it back; a report on stdout through
//! [`Bar::above`], which does so for whole lines only, as they reach the
//! terminal.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use doppel::clean::run::Progress;
use doppel::document::Origin;
use doppel::input::Entry;
use doppel::{Problem, SignSink, SignedDoc};

pub struct Bar {
    bar: ProgressBar,
    /// What the run does once every byte is read, shown then instead of a
    /// full bar.
    after_reading: Option<&'static str>,
    /// The bar shows `after_reading`.
    switched: AtomicBool,
}

impl Bar {
    pub fn new() -> Bar {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(bar_style(0));
        Bar {
            bar,
            after_reading: None,
            switched: AtomicBool::new(false),
        }
    }

    /// A bar that is never drawn.
    pub fn hidden() -> Bar {
        Bar {
            bar: ProgressBar::hidden(),
            after_reading: None,
            switched: AtomicBool::new(false),
        }
    }

    /// Once every byte is read, shows `phase` (`comparing`) and the time
    /// spent instead of a full bar.
    pub fn after_reading(mut self, phase: &'static str) -> Bar {
        self.after_reading = Some(phase);
        self
    }

    /// Whether the bar is drawn at all (stderr is a terminal).
    pub fn is_shown(&self) -> bool {
        !self.bar.is_hidden()
    }

    /// Runs `write` with the bar off the screen, then draws it again.
    pub fn suspend<T>(&self, write: impl FnOnce() -> T) -> T {
        self.bar.suspend(write)
    }

    /// `out`, written above the bar when both are on the terminal: whole
    /// lines are written with the bar off the screen, and the bar drawn
    /// again below them. Elsewhere `out` is written as it is.
    pub fn above<W: Write + IsTerminal>(&self, out: W) -> AboveBar<'_, W> {
        let shared = self.is_shown() && out.is_terminal();
        AboveBar {
            out,
            bar: shared.then_some(self),
            partial: Vec::new(),
        }
    }
}

/// A writer whose lines go above a progress bar ([`Bar::above`]).
pub struct AboveBar<'a, W: Write> {
    out: W,
    /// The bar, when it shares the terminal with `out`.
    bar: Option<&'a Bar>,
    /// The end of the last write, after its last line end.
    partial: Vec<u8>,
}

impl<W: Write> Write for AboveBar<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let Some(bar) = self.bar else {
            return self.out.write(bytes);
        };
        self.partial.extend_from_slice(bytes);
        if let Some(last) = self.partial.iter().rposition(|&b| b == b'\n') {
            let lines: Vec<u8> = self.partial.drain(..=last).collect();
            let out = &mut self.out;
            bar.suspend(|| out.write_all(&lines).and_then(|()| out.flush()))?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let (Some(bar), false) = (self.bar, self.partial.is_empty()) {
            let rest = std::mem::take(&mut self.partial);
            let out = &mut self.out;
            return bar.suspend(|| out.write_all(&rest).and_then(|()| out.flush()));
        }
        self.out.flush()
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
        self.switched.store(false, Ordering::Relaxed);
        self.bar.set_message(pass.to_owned());
        self.bar.set_style(bar_style(total));
        if total == 0 {
            self.bar.unset_length();
        } else {
            self.bar.set_length(total);
        }
        self.bar.reset();
        self.bar.enable_steady_tick(Duration::from_millis(1000));
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
        let Some(phase) = self.after_reading else {
            return;
        };
        let read = (self.bar.length()).is_some_and(|total| self.bar.position() >= total);
        if read && !self.switched.swap(true, Ordering::Relaxed) {
            let style = ProgressStyle::with_template("{msg:>9} {spinner} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            self.bar.set_style(style);
            self.bar.set_message(phase);
        }
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
    /// Binary files the folder walk passed over.
    pub skipped: usize,
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
        self.skipped += 1;
        self.inner.skipped(origin)
    }
}
