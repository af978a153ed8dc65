//! The damage signals, their weights, and scoring a span of text.

use std::cmp::Ordering;
use std::ops::{AddAssign, Range};

use super::chars::{
    gloss_len, is_cjk, is_foreign_to_chinese, is_fullwidth_punct, is_han, is_private_use,
};
use super::tier::{Tier, Variant};

/// One kind of evidence that text went through a wrong decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signal {
    /// U+FFFD, a byte sequence that could not be decoded. Weight 4.
    Replacement,
    /// A `?` next to a Han, kana or Hangul character (each `?` of a run
    /// counts): the usual stand-in for a character an encoder could not
    /// write. Weight 3.
    QuestionInCjk,
    /// A one- or two-letter ASCII run right after full-width punctuation
    /// and before CJK, punctuation or the end, like `。h縣`: a lone byte of
    /// a split pair read as ASCII. Weight 2.
    StrayAfterPunct,
    /// A one- or two-letter ASCII run between Han characters (or after a
    /// `?` or U+FFFD), like `瑓R聚`. Weight 2.
    IsolatedLatin,
    /// Kana, Greek, Cyrillic or box drawing in Chinese text. Weight 2.
    ForeignScript,
    /// A private-use character: a user-defined GBK or Big5 code. Weight 2.
    PrivateUse,
    /// A Han character outside the common tier of the text's variant.
    /// Weight 1: real text has rare characters too, a misaligned pair
    /// mostly lands on them.
    UncommonHan,
}

impl Signal {
    /// What one occurrence adds to [`Damage::points`].
    pub fn weight(self) -> u64 {
        match self {
            Signal::Replacement => 4,
            Signal::QuestionInCjk => 3,
            Signal::StrayAfterPunct
            | Signal::IsolatedLatin
            | Signal::ForeignScript
            | Signal::PrivateUse => 2,
            Signal::UncommonHan => 1,
        }
    }
}

/// What one burst adds to [`Damage::points`] on top of its signals.
pub const BURST_WEIGHT: u64 = 4;
/// Signals at most this many characters apart (glosses not counted) belong
/// to the same cluster.
pub const BURST_GAP: usize = 3;
/// A cluster of at least two signals is a burst when its weights add up to
/// this: an uncommon character beside a stray letter is one, two uncommon
/// characters side by side (a rare name) are not.
pub const BURST_POINTS: u64 = 3;

/// How damaged a span of text looks: signal counts and a combined score.
///
/// [`Damage::points`] is the weighted sum of the signals (weights on
/// [`Signal`]) plus [`BURST_WEIGHT`] for each burst; [`Damage::score`] is
/// points per 1,000 characters, so spans of different lengths compare.
/// Density (scattered signals) and bursts (clusters, the shape of a byte
/// misalignment) both raise it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Damage {
    /// Characters scored, including context around differing stretches.
    pub chars: usize,
    /// [`Signal::Replacement`] count.
    pub replacement: usize,
    /// [`Signal::QuestionInCjk`] count.
    pub question_in_cjk: usize,
    /// [`Signal::StrayAfterPunct`] count.
    pub stray_after_punct: usize,
    /// [`Signal::IsolatedLatin`] count.
    pub isolated_latin: usize,
    /// [`Signal::ForeignScript`] count.
    pub foreign_script: usize,
    /// [`Signal::PrivateUse`] count.
    pub private_use: usize,
    /// [`Signal::UncommonHan`] count.
    pub uncommon_han: usize,
    /// Clusters of signals (see [`BURST_GAP`], [`BURST_POINTS`]).
    pub bursts: usize,
}

impl Damage {
    /// The damage of `text`, in the variant it is written in.
    pub fn of(text: &str) -> Damage {
        Damage::with_variant(text, Variant::detect(text))
    }

    /// The damage of `text`, read as written in `variant`.
    pub fn with_variant(text: &str, variant: Variant) -> Damage {
        let chars: Vec<char> = text.chars().collect();
        Damage::of_window(&chars, 0..chars.len(), variant)
    }

    /// The damage of the signals that touch `counted`, with the rest of
    /// `chars` as context that is looked at but not counted.
    pub(super) fn of_window(chars: &[char], counted: Range<usize>, variant: Variant) -> Damage {
        let mut damage = Damage {
            chars: chars.len(),
            ..Damage::default()
        };
        Scan::new(chars, counted, variant).run(&mut damage);
        damage
    }

    /// The count of one signal.
    pub fn count(&self, signal: Signal) -> usize {
        match signal {
            Signal::Replacement => self.replacement,
            Signal::QuestionInCjk => self.question_in_cjk,
            Signal::StrayAfterPunct => self.stray_after_punct,
            Signal::IsolatedLatin => self.isolated_latin,
            Signal::ForeignScript => self.foreign_script,
            Signal::PrivateUse => self.private_use,
            Signal::UncommonHan => self.uncommon_han,
        }
    }

    fn count_mut(&mut self, signal: Signal) -> &mut usize {
        match signal {
            Signal::Replacement => &mut self.replacement,
            Signal::QuestionInCjk => &mut self.question_in_cjk,
            Signal::StrayAfterPunct => &mut self.stray_after_punct,
            Signal::IsolatedLatin => &mut self.isolated_latin,
            Signal::ForeignScript => &mut self.foreign_script,
            Signal::PrivateUse => &mut self.private_use,
            Signal::UncommonHan => &mut self.uncommon_han,
        }
    }

    /// The weighted signals, without bursts.
    pub fn signal_points(&self) -> u64 {
        ALL_SIGNALS
            .iter()
            .map(|&signal| signal.weight() * self.count(signal) as u64)
            .sum()
    }

    /// The weighted signals plus [`BURST_WEIGHT`] per burst.
    pub fn points(&self) -> u64 {
        self.signal_points() + BURST_WEIGHT * self.bursts as u64
    }

    /// Signal points per 1,000 characters, without bursts.
    pub fn density(&self) -> f64 {
        per_thousand(self.signal_points(), self.chars)
    }

    /// The combined score: [`Damage::points`] per 1,000 characters. Zero is
    /// clean; compare with [`Damage::cmp_score`] to avoid rounding.
    pub fn score(&self) -> f64 {
        per_thousand(self.points(), self.chars)
    }

    /// Orders by [`Damage::score`], exactly: `Less` is cleaner.
    pub fn cmp_score(&self, other: &Damage) -> Ordering {
        let mine = u128::from(self.points()) * other.chars.max(1) as u128;
        let theirs = u128::from(other.points()) * self.chars.max(1) as u128;
        mine.cmp(&theirs)
    }

    /// Whether no signal was seen.
    pub fn is_clean(&self) -> bool {
        self.points() == 0
    }

    fn record(&mut self, signal: Signal, times: usize) {
        *self.count_mut(signal) += times;
    }
}

impl AddAssign for Damage {
    fn add_assign(&mut self, other: Damage) {
        self.chars += other.chars;
        for signal in ALL_SIGNALS {
            *self.count_mut(signal) += other.count(signal);
        }
        self.bursts += other.bursts;
    }
}

const ALL_SIGNALS: [Signal; 7] = [
    Signal::Replacement,
    Signal::QuestionInCjk,
    Signal::StrayAfterPunct,
    Signal::IsolatedLatin,
    Signal::ForeignScript,
    Signal::PrivateUse,
    Signal::UncommonHan,
];

fn per_thousand(points: u64, chars: usize) -> f64 {
    points as f64 * 1000.0 / chars.max(1) as f64
}

/// What the scan found at one position: a signal seen `times` times over
/// the next `len` characters, or nothing over `len` characters.
struct Step {
    signal: Option<Signal>,
    len: usize,
    times: usize,
}

impl Step {
    fn plain(len: usize) -> Step {
        Step {
            signal: None,
            len,
            times: 0,
        }
    }

    fn hit(signal: Signal, len: usize, times: usize) -> Step {
        Step {
            signal: Some(signal),
            len,
            times,
        }
    }
}

/// One pass over a window of characters.
struct Scan<'a> {
    chars: &'a [char],
    counted: Range<usize>,
    variant: Variant,
    tier: Option<&'static Tier>,
}

impl<'a> Scan<'a> {
    fn new(chars: &'a [char], counted: Range<usize>, variant: Variant) -> Scan<'a> {
        let tier = variant.tier();
        Scan {
            chars,
            counted,
            variant,
            tier,
        }
    }

    fn run(&self, damage: &mut Damage) {
        let mut bursts = Bursts::default();
        let (mut i, mut visible) = (0, 0);
        while i < self.chars.len() {
            if let Some(len) = gloss_len(self.chars, i) {
                i += len;
                continue;
            }
            let step = self.step(i);
            if let Some(signal) = step.signal.filter(|_| self.touches(i..i + step.len)) {
                damage.record(signal, step.times);
                bursts.push(visible, signal.weight() * step.times as u64, step.times);
            }
            i += step.len;
            visible += step.len;
        }
        damage.bursts += bursts.finish();
    }

    fn touches(&self, span: Range<usize>) -> bool {
        span.start < self.counted.end && self.counted.start < span.end
    }

    fn step(&self, i: usize) -> Step {
        match self.chars[i] {
            '\u{FFFD}' => Step::hit(Signal::Replacement, 1, 1),
            '?' => self.question_run(i),
            c if c.is_ascii_alphabetic() => self.latin_run(i),
            c if is_han(c) => self.han(c),
            c if is_private_use(c) => Step::hit(Signal::PrivateUse, 1, 1),
            c if self.variant.is_chinese() && is_foreign_to_chinese(c) => {
                Step::hit(Signal::ForeignScript, 1, 1)
            }
            _ => Step::plain(1),
        }
    }

    fn before(&self, i: usize) -> Option<char> {
        i.checked_sub(1).map(|j| self.chars[j])
    }

    fn run_len(&self, i: usize, belongs: impl Fn(char) -> bool) -> usize {
        self.chars[i..].iter().take_while(|&&c| belongs(c)).count()
    }

    fn question_run(&self, i: usize) -> Step {
        let len = self.run_len(i, |c| c == '?');
        let after = self.chars.get(i + len).copied();
        let beside_cjk = [self.before(i), after].into_iter().flatten().any(is_cjk);
        if beside_cjk {
            Step::hit(Signal::QuestionInCjk, len, len)
        } else {
            Step::plain(len)
        }
    }

    fn latin_run(&self, i: usize) -> Step {
        let len = self.run_len(i, |c| c.is_ascii_alphabetic());
        let (before, after) = (self.before(i), self.chars.get(i + len).copied());
        let signal = match (before, after) {
            _ if len > 2 => None,
            (Some(b), a) if is_fullwidth_punct(b) && a.is_none_or(ends_stray) => {
                Some(Signal::StrayAfterPunct)
            }
            (Some(b), Some(a)) if is_han(a) && (is_han(b) || matches!(b, '?' | '\u{FFFD}')) => {
                Some(Signal::IsolatedLatin)
            }
            _ => None,
        };
        signal.map_or(Step::plain(len), |signal| Step::hit(signal, len, 1))
    }

    fn han(&self, c: char) -> Step {
        match self.tier {
            Some(tier) if !tier.contains(c) => Step::hit(Signal::UncommonHan, 1, 1),
            _ => Step::plain(1),
        }
    }
}

/// Whether `c` after a short ASCII run makes the run stray: CJK or
/// full-width punctuation, not more Latin text.
fn ends_stray(c: char) -> bool {
    is_cjk(c) || is_fullwidth_punct(c)
}

/// Groups signals into clusters as the scan meets them and counts the
/// clusters that are bursts.
#[derive(Default)]
struct Bursts {
    last: Option<usize>,
    signals: usize,
    points: u64,
    found: usize,
}

impl Bursts {
    fn push(&mut self, at: usize, points: u64, signals: usize) {
        if self.last.is_some_and(|last| at - last > BURST_GAP) {
            self.close();
        }
        self.last = Some(at);
        self.signals += signals;
        self.points += points;
    }

    fn close(&mut self) {
        if self.signals >= 2 && self.points >= BURST_POINTS {
            self.found += 1;
        }
        self.signals = 0;
        self.points = 0;
    }

    fn finish(mut self) -> usize {
        self.close();
        self.found
    }
}
