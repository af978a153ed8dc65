//! What the damage pass's first reading ([`read`](super::marks::read))
//! counts of each character, looked up in one table instead of asked of
//! ranges and tiers one by one.
//!
//! One byte for each character of the Basic Multilingual Plane, where all
//! the text the damage pass reads closely lies (Han, kana, Hangul,
//! full-width forms): which of the counted letters it is, which common
//! tiers a Han character is in, and whether a mark can be made of it.
//! Characters beyond the BMP are classified by the same function the table
//! is built from, so the table only saves time: the test module checks,
//! for every character, the table's class and the tally it makes against
//! the ranges and tiers asked directly ([`Counts::add_letter`] and
//! [`may_mark_non_ascii`](super::marks::may_mark_non_ascii)), and a long
//! run against the same.

use std::sync::OnceLock;

use super::chars::{is_han, is_hangul, is_kana};
use super::tier::{CountingTiers, Counts, IN_JAPANESE, IN_SIMPLIFIED, IN_TRADITIONAL};

/// A Han character of GB2312 level 1 (the tier bits keep
/// [`CountingTiers`]' values).
const SIMPLIFIED: u8 = IN_SIMPLIFIED;
/// A Han character of Big5's frequent characters.
const TRADITIONAL: u8 = IN_TRADITIONAL;
/// A Han character of JIS X 0208 level 1.
const JAPANESE: u8 = IN_JAPANESE;
/// A Han character of either Chinese tier.
const EITHER: u8 = 8;
/// A Han character.
const HAN: u8 = 16;
/// Kana.
const KANA: u8 = 32;
/// Hangul.
const HANGUL: u8 = 64;
/// A character other than Han that a mark can be made of
/// ([`may_mark_non_ascii`](super::marks::may_mark_non_ascii)).
const MARK: u8 = 128;

/// The class of each BMP character, one byte each.
#[derive(Clone, Copy)]
pub(super) struct Classes {
    table: &'static [u8],
    tiers: CountingTiers,
}

impl Classes {
    /// The table, built on first use (64 KiB).
    pub(super) fn get() -> Classes {
        static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
        let tiers = CountingTiers::get();
        let table = TABLE.get_or_init(|| {
            (0..0x10000u32)
                .map(|code| char::from_u32(code).map_or(0, |c| classify(c, tiers)))
                .collect()
        });
        Classes { table, tiers }
    }

    /// The class of the BMP character `code` (a surrogate code, which no
    /// `str` holds, is class 0).
    #[inline(always)]
    fn of_bmp(self, code: u32) -> u8 {
        self.table.get(code as usize).copied().unwrap_or(0)
    }

    /// The class of `c`, from the table when it is in the BMP.
    #[inline]
    fn of(self, c: char) -> u8 {
        if (c as u32) < 0x10000 {
            self.of_bmp(c as u32)
        } else {
            classify(c, self.tiers)
        }
    }

    /// The class of the non-ASCII character starting at byte `at` of
    /// `text`, and its length in bytes. `at` must start a character.
    #[inline(always)]
    pub(super) fn at(self, text: &str, at: usize) -> (u8, usize) {
        let bytes = text.as_bytes();
        let lead = u32::from(bytes[at]);
        let next = |k: usize| u32::from(bytes.get(at + k).copied().unwrap_or(0) & 0x3F);
        if lead < 0xE0 {
            (self.of_bmp(((lead & 0x1F) << 6) | next(1)), 2)
        } else if lead < 0xF0 {
            (
                self.of_bmp(((lead & 0x0F) << 12) | (next(1) << 6) | next(2)),
                3,
            )
        } else {
            let c = text[at..].chars().next().unwrap_or('\u{FFFD}');
            (self.of(c), c.len_utf8())
        }
    }
}

/// What [`read`](super::marks::read) counts of `c`: the letter it is (Han
/// with its tiers, kana, Hangul) and, for any other character, whether a
/// mark can be made of it.
fn classify(c: char, tiers: CountingTiers) -> u8 {
    if is_han(c) {
        let flags = tiers.of(c);
        let either = if flags & (IN_SIMPLIFIED | IN_TRADITIONAL) != 0 {
            EITHER
        } else {
            0
        };
        return HAN | (flags & (SIMPLIFIED | TRADITIONAL | JAPANESE)) | either;
    }
    let letter = if is_kana(c) {
        KANA
    } else if is_hangul(c) {
        HANGUL
    } else {
        0
    };
    let mark = if super::marks::may_mark_non_ascii(c) {
        MARK
    } else {
        0
    };
    letter | mark
}

/// Bit `k` of a class spread to byte `k` of a `u64`, so that adding the
/// spread classes of up to 255 characters counts all eight bits at once.
const SPREAD: [u64; 256] = {
    let mut spread = [0u64; 256];
    let mut class = 0;
    while class < 256 {
        let mut bit = 0;
        while bit < 8 {
            if class & (1 << bit) != 0 {
                spread[class] |= 1 << (8 * bit);
            }
            bit += 1;
        }
        class += 1;
    }
    spread
};

/// The letters and mark characters of one segment, added up class by
/// class: eight byte-wide counters in one `u64`, moved to `totals` before
/// any can pass 255.
#[derive(Default)]
pub(super) struct Tally {
    packed: u64,
    in_packed: u32,
    /// How many characters had each class bit, by bit.
    totals: [usize; 8],
}

impl Tally {
    /// Adds one character of class `class`.
    #[inline(always)]
    pub(super) fn add(&mut self, class: u8) {
        self.packed += SPREAD[usize::from(class)];
        self.in_packed += 1;
        if self.in_packed == 255 {
            self.unpack();
        }
    }

    fn unpack(&mut self) {
        for (k, total) in self.totals.iter_mut().enumerate() {
            *total += ((self.packed >> (8 * k)) & 0xFF) as usize;
        }
        self.packed = 0;
        self.in_packed = 0;
    }

    /// The letter counts, and how many characters other than Han a mark
    /// can be made of.
    pub(super) fn finish(mut self) -> (Counts, usize) {
        self.unpack();
        let total = |bit: u8| self.totals[bit.trailing_zeros() as usize];
        let counts = Counts {
            han: total(HAN),
            kana: total(KANA),
            hangul: total(HANGUL),
            simplified: total(SIMPLIFIED),
            traditional: total(TRADITIONAL),
            either: total(EITHER),
            japanese: total(JAPANESE),
        };
        (counts, total(MARK))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::marks::may_mark_non_ascii;

    /// What `Tally` adds up for `c`, asked of the ranges and tiers
    /// directly, as the reading did before the table.
    fn direct(c: char, tiers: CountingTiers) -> (Counts, usize) {
        let mut counts = Counts::default();
        let han = counts.add_letter(c, tiers);
        (counts, usize::from(!han && may_mark_non_ascii(c)))
    }

    #[test]
    fn quality_classes_every_character_counts_as_asked_directly() {
        let classes = Classes::get();
        let tiers = CountingTiers::get();
        let mut text = String::new();
        for c in (0x80..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut tally = Tally::default();
            tally.add(classes.of(c));
            assert_eq!(tally.finish(), direct(c, tiers), "{c:?}");
            text.clear();
            text.push(c);
            let (class, len) = classes.at(&text, 0);
            assert_eq!((class, len), (classes.of(c), c.len_utf8()), "{c:?}");
            assert_eq!(class, classify(c, tiers), "{c:?}");
        }
    }

    #[test]
    fn quality_classes_a_long_run_is_counted_past_the_packed_bytes() {
        let classes = Classes::get();
        let tiers = CountingTiers::get();
        let text = "我們的國家ｱ\u{FFFD}한".repeat(400);
        let mut tally = Tally::default();
        let mut expected = (Counts::default(), 0);
        let mut at = 0;
        while at < text.len() {
            let (class, len) = classes.at(&text, at);
            tally.add(class);
            let c = text[at..].chars().next().expect("a character");
            let (counts, marks) = direct(c, tiers);
            expected.0.merge(&counts);
            expected.1 += marks;
            at += len;
        }
        let (counts, marks) = tally.finish();
        assert_eq!((counts, marks), expected);
        assert_eq!(counts.han, 2000);
        assert_eq!(marks, 800);
    }

    #[test]
    fn quality_classes_tiers_are_told_apart() {
        let classes = Classes::get();
        // 们: Simplified only; 們: Traditional only; 鶎: no tier; 한: Hangul.
        assert_eq!(classes.of('们'), HAN | SIMPLIFIED | EITHER);
        assert_eq!(
            classes.of('們') & (HAN | SIMPLIFIED | TRADITIONAL),
            HAN | TRADITIONAL
        );
        assert_eq!(classes.of('鶎'), HAN);
        assert_eq!(classes.of('한'), HANGUL);
        assert_eq!(classes.of('ｱ'), KANA | MARK);
        assert_eq!(classes.of('\u{FFFD}'), MARK);
        assert_eq!(classes.of('é'), 0);
    }
}
