//! The common Han characters of each written variant, and deciding which
//! variant a text is written in.
//!
//! Each tier is the Han characters of one legacy character set's
//! frequent-character level, decoded once with `encoding_rs`:
//!
//! | variant | tier | bytes |
//! |---|---|---|
//! | Simplified | GB2312 level 1 (3,755) | GBK lead `0xB0..=0xD7`, trail `0xA1..=0xFE` |
//! | Traditional | Big5 frequent characters (5,401) | lead `0xA4..=0xC6`, trail `0x40..=0x7E` and `0xA1..=0xFE`, up to `0xC67E` |
//! | Japanese | JIS X 0208 level 1 (2,965) | EUC-JP rows 16–47: lead `0xB0..=0xCF`, trail `0xA1..=0xFE` |

use std::sync::OnceLock;

use encoding_rs::{Encoding, BIG5, EUC_JP, GBK};

use super::chars::{is_han, is_hangul, is_kana};

/// A set of characters of the Basic Multilingual Plane, one bit each.
pub(super) struct Tier {
    bits: Vec<u64>,
}

impl Tier {
    fn empty() -> Tier {
        Tier {
            bits: vec![0; 0x10000 / 64],
        }
    }

    fn insert(&mut self, c: char) {
        let code = c as usize;
        if code < 0x10000 {
            self.bits[code / 64] |= 1 << (code % 64);
        }
    }

    /// Whether `c` is in the tier. Characters beyond the BMP never are.
    pub(super) fn contains(&self, c: char) -> bool {
        let code = c as usize;
        code < 0x10000 && self.bits[code / 64] & (1 << (code % 64)) != 0
    }

    /// The Han characters the two-byte sequences `pairs` decode to in
    /// `encoding`; pairs that decode to anything else are left out.
    fn decoded(encoding: &'static Encoding, pairs: impl Iterator<Item = [u8; 2]>) -> Tier {
        let mut tier = Tier::empty();
        for pair in pairs {
            let decoded = encoding.decode_without_bom_handling_and_without_replacement(&pair);
            let mut chars = decoded.iter().flat_map(|text| text.chars());
            if let (Some(c), None) = (chars.next(), chars.next()) {
                if is_han(c) {
                    tier.insert(c);
                }
            }
        }
        tier
    }

    fn union(&self, other: &Tier) -> Tier {
        let bits = self.bits.iter().zip(&other.bits).map(|(a, b)| a | b);
        Tier {
            bits: bits.collect(),
        }
    }
}

/// Every pair of a lead byte in `leads` and a trail byte in `trails`.
fn pairs(
    leads: std::ops::RangeInclusive<u8>,
    trails: &'static [std::ops::RangeInclusive<u8>],
) -> impl Iterator<Item = [u8; 2]> {
    leads.flat_map(move |lead| {
        trails
            .iter()
            .flat_map(|range| range.clone())
            .map(move |trail| [lead, trail])
    })
}

const GB2312_TRAILS: &[std::ops::RangeInclusive<u8>] = &[0xA1..=0xFE];
const BIG5_TRAILS: &[std::ops::RangeInclusive<u8>] = &[0x40..=0x7E, 0xA1..=0xFE];

fn gb2312_level1() -> &'static Tier {
    static TIER: OnceLock<Tier> = OnceLock::new();
    TIER.get_or_init(|| Tier::decoded(GBK, pairs(0xB0..=0xD7, GB2312_TRAILS)))
}

fn big5_frequent() -> &'static Tier {
    static TIER: OnceLock<Tier> = OnceLock::new();
    let frequent = |pair: &[u8; 2]| u16::from_be_bytes(*pair) <= 0xC67E;
    TIER.get_or_init(|| Tier::decoded(BIG5, pairs(0xA4..=0xC6, BIG5_TRAILS).filter(frequent)))
}

fn jis_level1() -> &'static Tier {
    static TIER: OnceLock<Tier> = OnceLock::new();
    TIER.get_or_init(|| Tier::decoded(EUC_JP, pairs(0xB0..=0xCF, GB2312_TRAILS)))
}

/// Every Han character of GB2312 (levels 1 and 2).
fn gb2312_all() -> &'static Tier {
    static TIER: OnceLock<Tier> = OnceLock::new();
    TIER.get_or_init(|| Tier::decoded(GBK, pairs(0xB0..=0xF7, GB2312_TRAILS)))
}

/// Every Han character of Big5.
fn big5_all() -> &'static Tier {
    static TIER: OnceLock<Tier> = OnceLock::new();
    TIER.get_or_init(|| Tier::decoded(BIG5, pairs(0xA4..=0xF9, BIG5_TRAILS)))
}

/// Every Han character of JIS X 0208 (levels 1 and 2).
fn jis_all() -> &'static Tier {
    static TIER: OnceLock<Tier> = OnceLock::new();
    TIER.get_or_init(|| Tier::decoded(EUC_JP, pairs(0xB0..=0xF4, GB2312_TRAILS)))
}

fn either_chinese_all() -> &'static Tier {
    static TIER: OnceLock<Tier> = OnceLock::new();
    TIER.get_or_init(|| gb2312_all().union(big5_all()))
}

fn either_chinese() -> &'static Tier {
    static TIER: OnceLock<Tier> = OnceLock::new();
    TIER.get_or_init(|| gb2312_level1().union(big5_frequent()))
}

/// The written variant of a text, which decides what counts as a common Han
/// character and whether kana are foreign to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Simplified Chinese: common Han characters are GB2312 level 1.
    Simplified,
    /// Traditional Chinese: common Han characters are Big5's frequent ones.
    Traditional,
    /// Chinese that leans neither way: either tier counts as common.
    Chinese,
    /// Japanese: common Han characters are JIS X 0208 level 1.
    Japanese,
    /// No CJK text, or Korean: no tier applies and no script is foreign.
    Other,
}

impl Variant {
    /// The variant `text` is written in. See [`Variant::detect_all`].
    pub fn detect(text: &str) -> Variant {
        Variant::detect_all([text])
    }

    /// The variant several texts are written in together, decided from
    /// their letters: kana in at least one CJK letter out of
    /// [`JAPANESE_KANA_SHARE`] → Japanese (a few stray kana in Chinese are
    /// damage, not Japanese); more Hangul than Han → Korean, `Other`;
    /// otherwise the Chinese tier that covers more of the Han characters,
    /// or `Chinese` when they cover as many.
    pub fn detect_all<'a>(texts: impl IntoIterator<Item = &'a str>) -> Variant {
        let mut counts = Counts::default();
        texts.into_iter().for_each(|text| counts.add(text));
        counts.variant()
    }

    /// Whether this is one of the Chinese variants.
    pub fn is_chinese(self) -> bool {
        matches!(
            self,
            Variant::Simplified | Variant::Traditional | Variant::Chinese
        )
    }

    /// Every Han character of this variant's legacy character set (GB2312,
    /// Big5, both, or JIS X 0208), if one applies: what a text written in
    /// it can hold at all.
    pub(super) fn charset(self) -> Option<&'static Tier> {
        match self {
            Variant::Simplified => Some(gb2312_all()),
            Variant::Traditional => Some(big5_all()),
            Variant::Chinese => Some(either_chinese_all()),
            Variant::Japanese => Some(jis_all()),
            Variant::Other => None,
        }
    }

    /// The common Han characters of this variant, if one applies.
    pub(super) fn tier(self) -> Option<&'static Tier> {
        match self {
            Variant::Simplified => Some(gb2312_level1()),
            Variant::Traditional => Some(big5_frequent()),
            Variant::Chinese => Some(either_chinese()),
            Variant::Japanese => Some(jis_level1()),
            Variant::Other => None,
        }
    }
}

/// Japanese when kana are at least one CJK letter (Han or kana) in this many.
pub const JAPANESE_KANA_SHARE: usize = 8;

/// Letter counts that decide a text's variant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Counts {
    /// Han characters counted.
    pub(super) han: usize,
    /// Kana counted.
    pub(super) kana: usize,
    /// Hangul letters counted.
    pub(super) hangul: usize,
    /// Han characters of GB2312 level 1.
    pub(super) simplified: usize,
    /// Han characters of Big5's frequent characters.
    pub(super) traditional: usize,
    /// Han characters in either Chinese tier.
    pub(super) either: usize,
    /// Han characters of JIS X 0208 level 1.
    pub(super) japanese: usize,
}

/// Which common tiers each character of the Basic Multilingual Plane is
/// in, one byte each: what [`Counts::add_letter`] looks a Han character up
/// in, once instead of three times.
#[derive(Clone, Copy)]
pub(super) struct CountingTiers {
    flags: &'static [u8],
}

/// A tier flag of [`CountingTiers`]: GB2312 level 1.
pub(super) const IN_SIMPLIFIED: u8 = 1;
/// Big5's frequent characters.
pub(super) const IN_TRADITIONAL: u8 = 2;
/// JIS X 0208 level 1.
pub(super) const IN_JAPANESE: u8 = 4;

impl CountingTiers {
    pub(super) fn get() -> CountingTiers {
        static FLAGS: OnceLock<Vec<u8>> = OnceLock::new();
        let flags = FLAGS.get_or_init(|| {
            let tiers = [
                (gb2312_level1(), IN_SIMPLIFIED),
                (big5_frequent(), IN_TRADITIONAL),
                (jis_level1(), IN_JAPANESE),
            ];
            (0..0x10000u32)
                .map(|code| {
                    char::from_u32(code).map_or(0, |c| {
                        tiers
                            .iter()
                            .filter(|(tier, _)| tier.contains(c))
                            .fold(0, |flags, (_, flag)| flags | flag)
                    })
                })
                .collect()
        });
        CountingTiers { flags }
    }

    /// The tier flags of `c` (`IN_SIMPLIFIED`, `IN_TRADITIONAL`,
    /// `IN_JAPANESE`); none beyond the BMP.
    pub(super) fn of(self, c: char) -> u8 {
        self.flags.get(c as usize).copied().unwrap_or(0)
    }
}

impl Counts {
    /// Adds another text's counts.
    pub(super) fn merge(&mut self, other: &Counts) {
        self.han += other.han;
        self.kana += other.kana;
        self.hangul += other.hangul;
        self.simplified += other.simplified;
        self.traditional += other.traditional;
        self.either += other.either;
        self.japanese += other.japanese;
    }

    fn add(&mut self, text: &str) {
        let tiers = CountingTiers::get();
        for c in text.chars().filter(|c| !c.is_ascii()) {
            self.add_letter(c, tiers);
        }
    }

    /// Adds `c` when it is a letter counted (Han, kana, Hangul), and says
    /// whether it was a Han character.
    #[inline(always)]
    pub(super) fn add_letter(&mut self, c: char, tiers: CountingTiers) -> bool {
        if is_han(c) {
            let flags = tiers.of(c);
            self.han += 1;
            self.simplified += usize::from(flags & IN_SIMPLIFIED != 0);
            self.traditional += usize::from(flags & IN_TRADITIONAL != 0);
            self.either += usize::from(flags & (IN_SIMPLIFIED | IN_TRADITIONAL) != 0);
            self.japanese += usize::from(flags & IN_JAPANESE != 0);
            return true;
        }
        if is_kana(c) {
            self.kana += 1;
        } else if is_hangul(c) {
            self.hangul += 1;
        }
        false
    }

    /// Whether some counted Han character is outside the common tier of
    /// `variant` ([`Variant::tier`]); for `Other`, whether there is any.
    pub(super) fn has_uncommon_han(&self, variant: Variant) -> bool {
        let common = match variant {
            Variant::Simplified => self.simplified,
            Variant::Traditional => self.traditional,
            Variant::Chinese => self.either,
            Variant::Japanese => self.japanese,
            Variant::Other => 0,
        };
        common < self.han
    }

    /// The variant the counted letters are written in.
    pub(super) fn variant(&self) -> Variant {
        let letters = self.han + self.kana;
        if self.kana > 0 && self.kana * JAPANESE_KANA_SHARE >= letters {
            return Variant::Japanese;
        }
        if self.han == 0 || self.hangul > self.han {
            return Variant::Other;
        }
        match self.simplified.cmp(&self.traditional) {
            std::cmp::Ordering::Greater => Variant::Simplified,
            std::cmp::Ordering::Less => Variant::Traditional,
            std::cmp::Ordering::Equal => Variant::Chinese,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_tiers_have_their_documented_sizes() {
        let size = |tier: &Tier| tier.bits.iter().map(|w| w.count_ones()).sum::<u32>();
        assert_eq!(size(gb2312_level1()), 3755);
        assert_eq!(size(big5_frequent()), 5401);
        assert_eq!(size(jis_level1()), 2965);
    }

    #[test]
    fn quality_tiers_hold_their_variant_forms() {
        assert!(gb2312_level1().contains('们') && !gb2312_level1().contains('們'));
        assert!(big5_frequent().contains('們') && !big5_frequent().contains('们'));
        assert!(jis_level1().contains('亜'));
    }

    #[test]
    fn quality_variant_is_read_from_the_text() {
        assert_eq!(Variant::detect("我们的国家"), Variant::Simplified);
        assert_eq!(Variant::detect("我們的國家"), Variant::Traditional);
        assert_eq!(Variant::detect("日本の国"), Variant::Japanese);
        assert_eq!(Variant::detect("人"), Variant::Chinese);
        assert_eq!(Variant::detect("plain text"), Variant::Other);
        assert_eq!(Variant::detect("한국어 文"), Variant::Other);
        assert_eq!(Variant::detect("我們的國家的人民ア"), Variant::Traditional);
    }
}
