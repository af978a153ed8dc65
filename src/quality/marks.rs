//! The marks a wrong decoding leaves in one segment, found in one pass over
//! its characters, each with the [`DamageKind`] it is evidence of.
//!
//! Unlike the signals of [`Damage`](super::Damage), which only need to rank
//! two copies of one text, marks decide on their own whether a segment is
//! damaged, so each rule is written to stay quiet on clean text: a `?`
//! after a question word is a question, a run of kana in Chinese is a
//! quoted Japanese title, a Greek letter beside Han is a physics symbol.
//! What is left is weighed: a replacement character, a private-use
//! character or a `?` between CJK characters is damage by itself; stray
//! letters, foreign or out-of-tier characters need company (a burst, or
//! enough of them).

use super::chars::{
    gloss_len, is_cjk, is_fullwidth_punct, is_halfwidth_kana, is_han, is_hangul, is_kana,
    is_private_use,
};
use super::classes::{Classes, Tally};
use super::findings::DamageKind;
use super::tier::{Counts, Tier, Variant};

/// What a document is written in, as far as marks care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Writing {
    /// Chinese of the given variant (Simplified, Traditional or either).
    Chinese(Variant),
    /// Japanese: kana belong, half-width kana beside full-width text do not.
    Japanese,
    /// Korean: Hangul; Han glued to Hangul or standing alone as a word, and
    /// kana, do not belong.
    Korean,
    /// No CJK text to speak of.
    Other,
}

impl Writing {
    /// What a text whose letters are `counts` is written in.
    pub(super) fn of_counts(counts: &Counts) -> Writing {
        // Korean, whatever Han and kana a misread pair put in it: read by
        // the share of kana, `아파ダ遣轅` would be Japanese.
        if counts.hangul > counts.han + counts.kana {
            return Writing::Korean;
        }
        match counts.variant() {
            Variant::Japanese => Writing::Japanese,
            Variant::Other if counts.hangul > 0 => Writing::Korean,
            Variant::Other => Writing::Other,
            chinese => Writing::Chinese(chinese),
        }
    }

    /// What a segment whose letters are `counts`, of a text written in
    /// `self`, is read as: a Chinese text's segment in its own variant (a
    /// Simplified title on a Traditional page is not out of tier),
    /// anything else as the text.
    pub(super) fn of_segment(self, counts: &Counts) -> Writing {
        match self {
            Writing::Chinese(_) => match counts.variant() {
                variant @ (Variant::Simplified | Variant::Traditional) => Writing::Chinese(variant),
                _ => self,
            },
            _ => self,
        }
    }

    fn is_cjk(self) -> bool {
        self != Writing::Other
    }

    /// The variant whose common characters and legacy encoding apply.
    pub(super) fn variant(self) -> Variant {
        match self {
            Writing::Chinese(variant) => variant,
            Writing::Japanese => Variant::Japanese,
            Writing::Korean | Writing::Other => Variant::Other,
        }
    }
}

/// Marks closer than this many characters belong to one cluster.
const BURST_GAP: usize = 3;
/// A cluster of at least two marks whose weights reach this is a burst.
const BURST_POINTS: u32 = 3;
/// What a burst adds on top of its marks.
pub(super) const BURST_WEIGHT: u32 = 4;

/// The marks of one segment, counted by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Marks {
    /// Characters looked at.
    pub chars: usize,
    /// Han characters looked at.
    pub han: usize,
    /// Points of the marks of each kind, by [`DamageKind::index`].
    pub points: [u32; DamageKind::COUNT],
    /// Marks that are damage on their own.
    pub decisive: u32,
    /// Clusters of marks (see [`BURST_GAP`], [`BURST_POINTS`]).
    pub bursts: u32,
    /// Out-of-tier Han characters.
    pub out_of_tier: u32,
    /// Characters from the first mark to the end of the last, when any.
    pub marked: Option<std::ops::Range<usize>>,
    /// Where a lone ASCII letter or symbol stands beside a non-ASCII
    /// character: a trail byte read alone, perhaps (see
    /// [`realign::lone_trail`](super::realign::lone_trail)).
    pub lone_bytes: Vec<usize>,
}

impl Marks {
    /// Every point: marks plus bursts.
    pub(super) fn total(&self) -> u32 {
        self.points.iter().sum::<u32>() + BURST_WEIGHT * self.bursts
    }

    fn add(&mut self, kind: DamageKind, weight: u32) {
        self.points[kind.index()] += weight;
    }

    /// Whether any mark was seen, an out-of-tier Han character included.
    pub(super) fn any(&self) -> bool {
        self.marked.is_some()
    }

    /// Adds the characters `stretch` as misaligned by `weight` points, a
    /// mark that is damage on its own.
    pub(super) fn add_misaligned(&mut self, stretch: std::ops::Range<usize>, weight: u32) {
        self.add_proved(DamageKind::Misaligned, stretch, weight);
    }

    /// Adds the characters `stretch` as damage of `kind` by `weight`
    /// points, a mark that is damage on its own.
    pub(super) fn add_proved(
        &mut self,
        kind: DamageKind,
        stretch: std::ops::Range<usize>,
        weight: u32,
    ) {
        self.add(kind, weight);
        self.decisive += 1;
        self.marked = Some(match self.marked.take() {
            Some(marked) => marked.start.min(stretch.start)..marked.end.max(stretch.end),
            None => stretch,
        });
    }
}

/// Question words and sentence-final particles a real `?` follows.
fn asks(c: char) -> bool {
    matches!(
        c,
        '吗' | '嗎'
            | '呢'
            | '么'
            | '麼'
            | '吧'
            | '啊'
            | '呀'
            | '谁'
            | '誰'
            | '哪'
            | '啥'
            | '呗'
            | '嘛'
            | '了'
            | '的'
            | '否'
            | '没'
            | '沒'
            | '样'
            | '樣'
            | 'か'
            | 'の'
            | 'ね'
            | 'よ'
            | 'な'
            | 'う'
            | '儿'
            | '兒'
            | '什'
            | '去'
            | '까'
            | '요'
            | '나'
            | '니'
            | '가'
            | '지'
            | '죠'
            | '냐'
            | '래'
            | '야'
    )
}

/// Closing quotes and brackets, after which a `?` ends a quoted question.
fn closes(c: char) -> bool {
    matches!(
        c,
        '」' | '』' | '）' | ')' | '”' | '’' | '】' | '》' | '"' | '\''
    )
}

/// The full-width bracket that closes `c`, when `c` opens one.
fn closing_bracket(c: char) -> Option<char> {
    Some(match c {
        '【' => '】',
        '〈' => '〉',
        '《' => '》',
        '「' => '」',
        '『' => '』',
        '〔' => '〕',
        '〖' => '〗',
        _ => return None,
    })
}

/// The most characters a bracket is looked at to close within.
const MAX_BRACKETED: usize = 80;

/// A precomposed Hangul syllable (not a jamo).
fn is_hangul_syllable(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}')
}

/// A Hangul compatibility jamo (`ㄱ`, `ㅐ`): what a KS X 1001 row 4 pair
/// reads as.
fn is_compatibility_jamo(c: char) -> bool {
    matches!(c, '\u{3131}'..='\u{318E}')
}

/// Greek, Cyrillic, box drawing, enclosed and Roman numerals, bopomofo,
/// math operators, full-width letters: what a misaligned double-byte pair
/// lands on beside the letters, and what CJK prose uses one at a time at
/// most.
fn is_symbol_row(c: char) -> bool {
    matches!(c,
        '\u{0370}'..='\u{03FF}'
        | '\u{0400}'..='\u{04FF}'
        | '\u{2160}'..='\u{217F}'
        | '\u{2200}'..='\u{22FF}'
        | '\u{2460}'..='\u{24FF}'
        | '\u{2500}'..='\u{257F}'
        | '\u{3100}'..='\u{312F}')
        || is_fullwidth_letter(c)
}

/// Counts the letters of `segment` and the characters other than Han,
/// kana or Hangul that a mark can be made of: U+FFFD, a C1 control, a
/// private-use character, half-width kana, a symbol-row character, and
/// right after a non-ASCII character a `?`, an ASCII symbol, or a run of
/// one or two ASCII letters (a longer run is a word, never a mark). One
/// pass, ASCII a byte at a time, any other character by one lookup of its
/// class ([`Classes`]); see [`needs_scan`].
pub(super) fn read(segment: &str, classes: Classes) -> (Counts, usize) {
    let bytes = segment.as_bytes();
    let (mut tally, mut may_mark) = (Tally::default(), 0);
    let mut after_non_ascii = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte.is_ascii() {
            let mut len = 1;
            let marked = if byte.is_ascii_alphabetic() {
                len = bytes[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                len <= 2
            } else {
                matches!(
                    byte,
                    b'?' | b'@' | b'[' | b'\\' | b']' | b'^' | b'`' | b'{' | b'|' | b'}' | b'~'
                )
            };
            may_mark += usize::from(after_non_ascii && marked);
            after_non_ascii = false;
            i += len;
            // Only the ASCII right after a non-ASCII character can be a
            // mark: skip the rest of the ASCII stretch at once.
            i += bytes[i..].iter().take_while(|b| b.is_ascii()).count();
            continue;
        }
        let (class, len) = classes.at(segment, i);
        tally.add(class);
        i += len;
        after_non_ascii = true;
    }
    let (counts, marks) = tally.finish();
    (counts, marks + may_mark)
}

/// Whether a non-ASCII character that is not Han can be a mark.
#[inline]
pub(super) fn may_mark_non_ascii(c: char) -> bool {
    c == '\u{FFFD}'
        || is_c1_control(c)
        || is_private_use(c)
        || is_halfwidth_kana(c)
        || is_symbol_row(c)
}

/// Whether `segment` holds a character [`Scanner::korean_stray`] looks
/// at, which the first reading does not count: brackets, jamo, enclosed
/// and squared characters are U+3008 to U+33FF, three bytes starting
/// `0xE3` (as no Hangul syllable does); `×` and `÷` start with `0xC3`. One
/// vectorised search, where scanning every Korean segment would cost half
/// again the pass's time on Korean text.
fn may_hold_korean_stray(segment: &str) -> bool {
    memchr::memchr2(0xE3, 0xC3, segment.as_bytes()).is_some()
}

/// A C1 control character (U+0080 to U+009F): what a decoder makes of a
/// byte no character of its table holds (Shift_JIS `0x80`), never text.
fn is_c1_control(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9F}')
}

/// Whether `segment`, whose letters are `counts`, with `may_mark`
/// characters a mark can be made of ([`read`]), can hold a mark at all
/// when read as `writing`: a segment of common Han characters, the kana of
/// Japanese or the Hangul of Korean, and no character [`read`] counts,
/// holds none, and [`Scanner::marks`] need not look. The test module holds
/// the scanner to this.
pub(super) fn needs_scan(
    writing: Writing,
    counts: &Counts,
    may_mark: usize,
    segment: &str,
) -> bool {
    may_mark > 0
        || match writing {
            Writing::Chinese(variant) => {
                counts.has_uncommon_han(variant) || counts.kana > 0 || counts.hangul > 0
            }
            Writing::Japanese => counts.has_uncommon_han(Variant::Japanese) || counts.hangul > 0,
            Writing::Korean => {
                counts.has_uncommon_han(Variant::Other)
                    || counts.kana > 0
                    || (counts.hangul > 0 && may_hold_korean_stray(segment))
            }
            Writing::Other => false,
        }
}

/// One pass over the characters of a segment.
pub(super) struct Scanner<'a> {
    chars: &'a [char],
    writing: Writing,
    tier: Option<&'static Tier>,
    charset: Option<&'static Tier>,
    marks: Marks,
    cluster: Cluster,
    /// The Han characters of the segment, counted in Korean text only.
    korean_han: usize,
    /// The capital letters the segment names things with
    /// (see [`named_capitals`]), found when first needed.
    named_capitals: Option<u32>,
}

/// A full-width Latin letter (`Ａ`–`Ｚ`, `ａ`–`ｚ`).
fn is_fullwidth_letter(c: char) -> bool {
    matches!(c, '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

/// Han numerals, after which a capital letter is a unit (`百M`, `千K`).
fn is_han_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '萬'
            | '万'
            | '億'
            | '亿'
            | '兆'
            | '幾'
            | '几'
            | '兩'
            | '两'
    )
}

/// The bit of the capital letter `c` in a set of capitals.
fn capital_bit(c: char) -> u32 {
    if c.is_ascii_uppercase() {
        1 << (c as u32 - 'A' as u32)
    } else {
        0
    }
}

/// The capital letters that stand alone (no ASCII letter or digit on
/// either side) in `chars` at least twice, or beside the next or the
/// previous letter of the alphabet standing alone too: names the text
/// gives to things (`設為M位元組`, `服务器A和服务器B`), not stray trail
/// bytes, which land anywhere.
fn named_capitals(chars: &[char]) -> u32 {
    let (mut once, mut twice) = (0u32, 0u32);
    let word = |c: Option<&char>| c.is_some_and(char::is_ascii_alphanumeric);
    for (i, &c) in chars.iter().enumerate() {
        let alone = c.is_ascii_uppercase()
            && !word(i.checked_sub(1).and_then(|j| chars.get(j)))
            && !word(chars.get(i + 1));
        if alone {
            let bit = capital_bit(c);
            twice |= once & bit;
            once |= bit;
        }
    }
    twice | (once & ((once << 1) | (once >> 1)))
}

#[derive(Default)]
struct Cluster {
    last: Option<usize>,
    marks: u32,
    points: u32,
    /// Whether a mark other than an out-of-tier Han character is in it.
    mixed: bool,
}

/// The one-character Hanja abbreviations of Korean headlines (`美`, `北`,
/// `與野`): standing alone in Korean text they are words, not damage.
const HEADLINE_HANJA: &str = "美中日北南韓英獨佛露與野親反前故現新舊對全總軍檢警株金銀外內大小上下一二三四五六七八九十百千萬億元年月第";

/// Out-of-tier Han characters alone make a burst from this many on: rare
/// names and classical idioms (`魑魅魍魉`, `饕餮`) cluster up to six.
const TIER_BURST: u32 = 7;

impl<'a> Scanner<'a> {
    /// The marks of `chars`, a segment of a document written in `writing`.
    pub(super) fn marks(chars: &'a [char], writing: Writing) -> Marks {
        let variant = writing.variant();
        let (tier, charset) = (variant.tier(), variant.charset());
        let mut scanner = Scanner {
            chars,
            writing,
            tier,
            charset,
            marks: Marks {
                chars: chars.len(),
                ..Marks::default()
            },
            cluster: Cluster::default(),
            korean_han: if writing == Writing::Korean {
                chars.iter().filter(|&&c| is_han(c)).count()
            } else {
                0
            },
            named_capitals: None,
        };
        scanner.run();
        scanner.marks
    }

    fn run(&mut self) {
        let mut i = 0;
        while i < self.chars.len() {
            let opens = matches!(self.chars[i], '(' | '（');
            if let Some(len) = opens.then(|| gloss_len(self.chars, i)).flatten() {
                i += len;
                continue;
            }
            i += self.step(i);
        }
        self.close();
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn before(&self, i: usize) -> Option<char> {
        i.checked_sub(1).map(|j| self.chars[j])
    }

    fn run_len(&self, i: usize, belongs: impl Fn(char) -> bool) -> usize {
        self.chars[i..].iter().take_while(|&&c| belongs(c)).count()
    }

    /// Looks at the character at `i` (and the run it starts); returns how
    /// many characters it took.
    fn step(&mut self, i: usize) -> usize {
        let c = self.chars[i];
        if c.is_ascii() {
            return match c {
                '?' => self.question(i),
                c if c.is_ascii_alphabetic() => self.latin(i),
                '@' | '[' | '\\' | ']' | '^' | '`' | '{' | '|' | '}' | '~' => {
                    self.ascii_symbol(i, c)
                }
                _ => 1,
            };
        }
        match c {
            '\u{FFFD}' => self.mark(i, DamageKind::Replacement, 4, true),
            c if is_c1_control(c) => self.mark(i, DamageKind::Replacement, 4, true),
            c if is_han(c) => {
                self.marks.han += 1;
                self.han(i, c)
            }
            c if is_private_use(c) => {
                let decisive = self.writing.is_cjk() || self.beside(i, 1, is_cjk);
                self.mark(i, DamageKind::PrivateUse, 3, decisive)
            }
            c if is_halfwidth_kana(c) => self.halfwidth_kana(i),
            c if is_kana(c) => self.kana(i),
            c if self.writing == Writing::Korean && is_compatibility_jamo(c) => {
                self.korean_stray(i, c)
            }
            c if is_hangul(c) => self.hangul(i),
            c if is_symbol_row(c) => self.symbol(i, c),
            c if self.writing == Writing::Korean => self.korean_stray(i, c),
            _ => 1,
        }
    }

    /// In Korean, a character a misread pair lands on that Korean glues to
    /// no syllable: an opening bracket with a space after it and nothing
    /// it opens (`명령행에【 시스템`), a lone jamo between syllables or
    /// after one before a space (`셉ㅐ 없으면`; never the `ㅋ`, `ㅎ`, `ㅠ`
    /// of chat), an enclosed or squared character after a syllable (`만㈌
    /// 토발즈`; not `㈜` and `㈱`), `×` or `÷` after a syllable before a
    /// space (`가÷ 최신`; `가로×세로` is a product).
    fn korean_stray(&mut self, i: usize, c: char) -> usize {
        let after_syllable = self.before(i).is_some_and(is_hangul_syllable);
        if !after_syllable {
            return 1;
        }
        let next = self.at(i + 1);
        let word_ends = next.is_none_or(char::is_whitespace);
        let stray = if let Some(closing) = closing_bracket(c) {
            // Looked for nearby only, so that a segment of many brackets
            // is not read once per bracket.
            let mut rest = self.chars[i + 1..].iter().take(MAX_BRACKETED);
            word_ends && !rest.any(|&x| x == closing)
        } else {
            match c {
                '\u{3131}'..='\u{318E}' => {
                    let chat = matches!(c, 'ㅋ' | 'ㅎ' | 'ㅠ' | 'ㅜ' | 'ㅡ' | 'ㅇ');
                    let lone = !next.is_some_and(is_compatibility_jamo);
                    lone && !chat && (next.is_some_and(is_hangul_syllable) || word_ends)
                }
                '\u{3200}'..='\u{33FF}' => !matches!(c, '㈜' | '㈱'),
                '×' | '÷' => word_ends,
                _ => false,
            }
        };
        if stray {
            self.record(i, DamageKind::Misaligned, 2, true);
        }
        1
    }

    /// Whether a character next to the run `i..i + len` is `wanted`.
    fn beside(&self, i: usize, len: usize, wanted: impl Fn(char) -> bool) -> bool {
        self.before(i).is_some_and(&wanted) || self.at(i + len).is_some_and(&wanted)
    }

    /// Whether the characters on both sides of the run `i..i + len` are
    /// `wanted`.
    fn between(&self, i: usize, len: usize, wanted: impl Fn(char) -> bool) -> bool {
        self.before(i).is_some_and(&wanted) && self.at(i + len).is_some_and(&wanted)
    }

    fn mark(&mut self, i: usize, kind: DamageKind, weight: u32, decisive: bool) -> usize {
        self.record(i, kind, weight, decisive);
        1
    }

    fn record(&mut self, i: usize, kind: DamageKind, weight: u32, decisive: bool) {
        self.marks.add(kind, weight);
        self.marks.decisive += u32::from(decisive);
        let start = self.marks.marked.as_ref().map_or(i, |m| m.start);
        self.marks.marked = Some(start..i + 1);
        if self.cluster.last.is_some_and(|last| i - last > BURST_GAP) {
            self.close();
        }
        self.cluster.last = Some(i);
        self.cluster.marks += 1;
        self.cluster.points += weight;
        self.cluster.mixed |= kind != DamageKind::OutOfTier;
    }

    fn close(&mut self) {
        let enough = if self.cluster.mixed {
            self.cluster.points >= BURST_POINTS
        } else {
            self.cluster.marks >= TIER_BURST
        };
        if self.cluster.marks >= 2 && enough {
            self.marks.bursts += 1;
        }
        self.cluster = Cluster::default();
    }

    /// A run of `?`. Glued to lowercase letters after a CJK character
    /// (`人?h以`), or after any CJK character but a question word or a
    /// sentence-final particle (`吗?`, `呢?`, `요?`), it is damage by itself:
    /// CJK prose writes its questions with a full-width `？`. So is a `?`
    /// that a full stop or comma follows (`합니?.`: a question is never cut
    /// short so), and one after a symbol a misaligned pair landed on
    /// (`슷┠?`, `프로그렛【?`).
    fn question(&mut self, i: usize) -> usize {
        let len = self.run_len(i, |c| c == '?');
        let Some(before) = self.before(i) else {
            return len;
        };
        let after_letter = is_cjk(before) || is_private_use(before);
        if !after_letter && !self.stray_before_question(i - 1) {
            return len;
        }
        let after = self.at(i + len);
        let letters = self.run_len(i + len, |c| c.is_ascii_lowercase());
        let glued = (1..=4).contains(&letters);
        let stops = match after {
            Some('.') => self.at(i + len + 1) != Some('.'),
            Some(',' | '。' | '，' | '、') => true,
            _ => false,
        };
        let question = after_letter && (asks(before) || after.is_some_and(closes));
        if glued || stops || !question {
            self.record(i, DamageKind::QuestionInCjk, 3 * len as u32, true);
        }
        len
    }

    /// Whether the character at `at`, right before a `?`, is a symbol that
    /// stands there only as a misread pair: an opening bracket, or a
    /// symbol-row, enclosed or squared character glued to a CJK letter.
    fn stray_before_question(&self, at: usize) -> bool {
        let symbol = |c: char| is_symbol_row(c) || matches!(c, '\u{3200}'..='\u{33FF}' | '×' | '÷');
        let c = self.chars[at];
        (closing_bracket(c).is_some() || symbol(c))
            && self.before(at).is_some_and(|b| is_cjk(b) || symbol(b))
    }

    /// A run of ASCII letters: one or two between CJK characters, or after
    /// full-width punctuation before CJK, are a lone byte read as ASCII.
    /// One lower-case letter glued to CJK on both sides is damage by
    /// itself (upper-case ones are often real: `T恤`, `维生素C`).
    fn latin(&mut self, i: usize) -> usize {
        let len = self.run_len(i, |c| c.is_ascii_alphabetic());
        if !self.writing.is_cjk() {
            return len;
        }
        if self.before(i).is_some_and(is_fullwidth_letter) {
            // A full-width letter runs straight into an ASCII one only
            // where a Shift_JIS or GBK lead byte lost its partner and
            // took the next lead byte (`ａAfdisk`, `制限しｂｷ`).
            self.record(i - 1, DamageKind::StrayAscii, 3, true);
            return len;
        }
        if len > 2 {
            return len;
        }
        let (before, after) = (self.before(i), self.at(i + len));
        self.note_lone_byte(i, len);
        let glued = |c: char| is_cjk(c) || c == '\u{FFFD}' || is_private_use(c);
        let cjk_after = after.is_some_and(|c| is_cjk(c) || is_fullwidth_punct(c));
        let between = before.is_some_and(glued) && after.is_some_and(glued);
        let after_punct = before.is_some_and(|b| is_fullwidth_punct(b) && b != '、') && cjk_after;
        let lower = self.chars[i..i + len].iter().any(char::is_ascii_lowercase);
        let stray_capital = !lower && len == 1 && self.stray_capital(i);
        if between || after_punct || stray_capital {
            let weight = if lower { 3 } else { 2 };
            // Two letters glued to CJK are often a name (`ジョブidを`,
            // `选项ab将`); one lower-case letter between CJK seldom is.
            self.record(
                i,
                DamageKind::StrayAscii,
                weight,
                (lower && between && len == 1) || stray_capital,
            );
        } else if len == 1 && before.is_some_and(glued) {
            // The trail byte of a character whose lead byte was lost, in
            // Big5 or Shift_JIS often the full stop or comma itself
            // (`檔案。` read as `檔恣C`): at the end of a segment prose
            // never leaves a lone letter glued to CJK; before full-width
            // punctuation option letters do (`指定n，`), so there it only
            // adds to other marks.
            match after {
                None => self.record(i, DamageKind::StrayAscii, 3, true),
                Some(c) if is_fullwidth_punct(c) => {
                    self.record(i, DamageKind::StrayAscii, if lower { 3 } else { 2 }, false)
                }
                // After an uncommon character, before a space or ASCII
                // punctuation (`演示僄佶m.`): the misread character and
                // the trail byte left alone, a burst together; a letter
                // after a common character is an option or a name
                // (`選項c 時`).
                Some(c)
                    if (c.is_whitespace() || c.is_ascii_punctuation())
                        && self.uncommon_before(i) =>
                {
                    self.record(i, DamageKind::StrayAscii, 2, false)
                }
                _ => {}
            }
        }
        len
    }

    /// Whether the capital letter at `i` is a Big5, GBK or Shift_JIS trail
    /// byte read alone: between two Han characters (`從丹A傳送`, `一次X問`;
    /// between two CJK characters or `ー` in Japanese, `表示するBチェイン`),
    /// and not a letter technical prose glues to Han (`C程式`, `X視窗`,
    /// `T命令`, `システムV`), not a letter named as one (`Nという文字`), not
    /// a unit after a numeral (`幾百M就`), a vitamin (`维生素E`), a class or
    /// a type (`A類網路`, `B型`), nor a name the segment gives (see
    /// [`named_capitals`]).
    fn stray_capital(&mut self, i: usize) -> bool {
        let letter = self.chars[i];
        let japanese = self.writing == Writing::Japanese;
        let neighbour = |c: char| {
            if japanese {
                // The prolonged sound mark too (`ャQーム`).
                is_cjk(c) || c == 'ー'
            } else {
                is_han(c)
            }
        };
        if !self.between(i, 1, neighbour)
            || matches!(letter, 'C' | 'X' | 'T' | 'V')
            || self.chars[i + 1..].starts_with(&['と', 'い'])
            || self
                .before(i)
                .is_some_and(|c| is_han_numeral(c) || c == '素')
            || matches!(self.at(i + 1), Some('類' | '类' | '型' | '級' | '级'))
        {
            return false;
        }
        let chars = self.chars;
        let named = *self
            .named_capitals
            .get_or_insert_with(|| named_capitals(chars));
        named & capital_bit(letter) == 0
    }

    /// Whether the character before `i` is a Han character outside the
    /// common tier of the text's variant.
    fn uncommon_before(&self, i: usize) -> bool {
        let tier = self.tier;
        self.before(i)
            .is_some_and(|c| is_han(c) && tier.is_some_and(|tier| !tier.contains(c)))
    }

    /// Notes the ASCII run `i..i + len` as a lone byte when it is one
    /// character beside a non-ASCII one.
    fn note_lone_byte(&mut self, i: usize, len: usize) {
        let non_ascii = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
        if len == 1 && (non_ascii(self.before(i)) || non_ascii(self.at(i + 1))) {
            self.marks.lone_bytes.push(i);
        }
    }

    /// An ASCII symbol a Big5 or GBK trail byte decodes to, alone between
    /// CJK characters.
    fn ascii_symbol(&mut self, i: usize, c: char) -> usize {
        if self.writing.is_cjk() {
            self.note_lone_byte(i, 1);
        }
        let glued = |c: char| is_cjk(c) || c == '\u{FFFD}' || is_private_use(c);
        if self.writing.is_cjk() && self.between(i, 1, glued) {
            // A bracket glued between CJK characters with no partner
            // nearby (`朴{式`, `型別}列`) is a trail byte as any other
            // symbol is; a paired one is syntax (`用{大小}表示`).
            let syntax = matches!(c, '[' | ']' | '{' | '}')
                && (self.paired_nearby(i, c) || self.named_itself(i));
            if !syntax {
                self.record(i, DamageKind::StrayAscii, 3, true);
            }
        }
        1
    }

    /// Whether the symbol at `i` is named as itself (`中的]而`,
    /// `一个文字的]或者`): a manual on regular expressions speaks of its
    /// brackets.
    fn named_itself(&self, i: usize) -> bool {
        matches!(self.before(i), Some('的' | '个' | '個' | '是'))
    }

    /// Whether the ASCII bracket `c` at `i` has its partner within
    /// [`MAX_BRACKETED`] characters: after it when it opens, before it
    /// when it closes.
    fn paired_nearby(&self, i: usize, c: char) -> bool {
        let after = &self.chars[i + 1..];
        let before = &self.chars[..i];
        let near_after = || after.iter().take(MAX_BRACKETED);
        let near_before = || before.iter().rev().take(MAX_BRACKETED);
        match c {
            '[' => near_after().any(|&x| x == ']'),
            '{' => near_after().any(|&x| x == '}'),
            ']' => near_before().any(|&x| x == '['),
            '}' => near_before().any(|&x| x == '{'),
            _ => false,
        }
    }

    fn han(&mut self, i: usize, c: char) -> usize {
        match (self.writing, self.tier) {
            // In Korean, glued to Hangul or a word of its own: a Hanja row
            // landed on.
            (Writing::Korean, _)
                if self.beside(i, 1, is_hangul) || self.stands_apart_in_korean(i) =>
            {
                self.record(i, DamageKind::Misaligned, 2, true);
            }
            (_, Some(tier)) if !tier.contains(c) => {
                self.marks.out_of_tier += 1;
                let chinese = matches!(self.writing, Writing::Chinese(_));
                if chinese && self.charset.is_some_and(|set| !set.contains(c)) {
                    // Not even in the text's character set: likely a pair
                    // of another encoding's table, enough to make a burst
                    // with any other mark.
                    self.record(i, DamageKind::OutOfTier, 2, false);
                    // In Traditional text a character Big5 lacks is a
                    // GBK pair; Simplified text quotes rare classics.
                    self.cluster.mixed |= self.writing == Writing::Chinese(Variant::Traditional);
                } else {
                    self.record(i, DamageKind::OutOfTier, 1, false);
                }
            }
            _ => {}
        }
        1
    }

    /// Whether the Han character at `i` starts a run of one to three that
    /// stands as a word of its own in Korean text holding no other Han
    /// (`릴리스 京 보안`, `생▤爛求.`): a misaligned pair landed on the
    /// Hanja rows. Korean writes Hanja in parentheses after the Hangul
    /// word, glued to its particles in mixed script, or as the
    /// one-character abbreviations of headlines ([`HEADLINE_HANJA`]),
    /// which are left alone.
    fn stands_apart_in_korean(&self, i: usize) -> bool {
        if self.before(i).is_some_and(is_han) {
            return false;
        }
        let len = self.run_len(i, is_han);
        // After a space, or after a symbol a misaligned pair landed on
        // (`생▤爛求`, `설컴′求`); not inside quotes or brackets.
        let space_before = self.before(i).is_none_or(|c| {
            c.is_whitespace()
                || !(c.is_ascii() || is_cjk(c) || is_fullwidth_punct(c) || "“”‘’".contains(c))
        });
        let ends_word = self
            .at(i + len)
            .is_none_or(|c| c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '!'));
        let headline = self.chars[i..i + len]
            .iter()
            .all(|&c| HEADLINE_HANJA.contains(c));
        len <= 3 && space_before && ends_word && !headline && self.korean_han <= 3
    }

    fn halfwidth_kana(&mut self, i: usize) -> usize {
        let len = self.run_len(i, is_halfwidth_kana);
        let full =
            |c: char| is_han(c) || (is_kana(c) && !is_halfwidth_kana(c)) || is_fullwidth_letter(c);
        if self.writing.is_cjk() && self.beside(i, len, full) && len <= 2 {
            let decisive = self.writing == Writing::Japanese;
            self.record(i, DamageKind::Misaligned, 2 * len as u32, decisive);
        }
        len
    }

    /// A lone kana in Chinese, any kana in Korean: a kana row landed on.
    /// In Korean, one or two glued to Hangul are damage by themselves:
    /// Korean quotes Japanese in words of its own.
    fn kana(&mut self, i: usize) -> usize {
        let len = self.run_len(i, |c| is_kana(c) && !is_halfwidth_kana(c));
        match self.writing {
            Writing::Chinese(_) if len == 1 && self.beside(i, 1, is_han) => {
                self.record(i, DamageKind::Misaligned, 2, false);
            }
            Writing::Korean => {
                let glued = len <= 2 && self.beside(i, len, is_hangul);
                self.record(i, DamageKind::Misaligned, 2, glued);
            }
            _ => {}
        }
        len
    }

    /// Hangul glued to Han or kana in Chinese or Japanese.
    fn hangul(&mut self, i: usize) -> usize {
        if self.writing == Writing::Korean {
            // Syllables only: a jamo after them is looked at on its own.
            return self.run_len(i, is_hangul_syllable).max(1);
        }
        let len = self.run_len(i, is_hangul);
        let glued = self.beside(i, len, |c| is_han(c) || is_kana(c));
        if matches!(self.writing, Writing::Chinese(_) | Writing::Japanese) && glued && len <= 2 {
            self.record(i, DamageKind::Misaligned, 2, false);
        }
        len
    }

    /// A lone symbol-row character glued to CJK letters.
    fn symbol(&mut self, i: usize, c: char) -> usize {
        let len = self.run_len(i, is_symbol_row);
        let letter = |c: char| is_han(c) || is_hangul(c) || is_kana(c);
        let enclosed = matches!(c, '\u{2460}'..='\u{24FF}');
        let glued = if enclosed {
            self.between(i, len, letter)
        } else {
            self.beside(i, len, letter)
        };
        let greek_in_science = matches!(c, '\u{0370}'..='\u{03FF}');
        if self.writing.is_cjk() && glued && len == 1 && !greek_in_science {
            self.record(i, DamageKind::Misaligned, 2, false);
        }
        len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WRITINGS: [Writing; 6] = [
        Writing::Chinese(Variant::Simplified),
        Writing::Chinese(Variant::Traditional),
        Writing::Chinese(Variant::Chinese),
        Writing::Japanese,
        Writing::Korean,
        Writing::Other,
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The quick test findings uses to pass over a segment never passes
        /// over one the scanner would mark.
        #[test]
        fn quality_marks_a_segment_passed_over_holds_no_mark(
            text in "[abZVQ?@\\[\\]{|}~^`(（)）。，、我們國家的鶎粦魑魅号號ア한셉ㅐㅋ【】㈌㈜×ｱα─ㄅＡｂ素といャー\u{FFFD}\u{E2F2}hào 1\n]{0,8}"
        ) {
            let chars: Vec<char> = text.chars().collect();
            let (counts, marked) = read(&text, Classes::get());
            for writing in WRITINGS {
                if !needs_scan(writing, &counts, marked, &text) {
                    let marks = Scanner::marks(&chars, writing);
                    prop_assert!(!marks.any(), "{:?} {:?}: {:?}", text, writing, marks);
                    prop_assert_eq!(marks.total(), 0);
                }
            }
        }
    }

    #[test]
    fn quality_marks_common_text_is_passed_over() {
        let (counts, marked) = read("我們的國家和人民。", Classes::get());
        assert_eq!(marked, 0);
        let writing = Writing::Chinese(Variant::Traditional);
        assert!(!needs_scan(writing, &counts, 0, ""));
        assert!(needs_scan(writing, &counts, 1, ""));
        assert!(needs_scan(Writing::Korean, &counts, 0, ""));
        let korean = "명령행에【 시스템을";
        let (counts, marked) = read(korean, Classes::get());
        assert!(needs_scan(Writing::Korean, &counts, marked, korean));
        let (counts, marked) = read("명령행에서 시스템을", Classes::get());
        assert!(!needs_scan(
            Writing::Korean,
            &counts,
            marked,
            "명령행에서 시스템을"
        ));
    }
}
