//! Misalignment proved by undoing it: a double-byte text read one byte out
//! of step, written back to its encoding and read again from one byte
//! later, gives back the text it was made from.
//!
//! When a byte of a GBK, Big5 or Shift_JIS text is lost (or doubled), every
//! character after it is made of the second byte of one character and the
//! first byte of the next, until an ASCII byte brings the reading back in
//! step. Those characters are often common ones, so no single mark gives
//! them away (`進行。` read as `叫小`). But their bytes are the original
//! bytes shifted by one: encoding the stretch again and pairing its bytes
//! from the second one on reads the original characters back, plain text
//! where the stretch was odd. Clean text read so becomes odd where it was
//! plain, so the comparison only speaks up for damage.
//!
//! [`misaligned`] looks at each stretch of double-byte characters (with a
//! stray ASCII letter after it, where a lost byte left a trail byte alone)
//! that holds an odd character, and finds its longest tail whose
//! one-byte reading is plain throughout: when that tail holds odd
//! characters (rare Han, kana in Chinese, Greek, a stray letter…) and its
//! reading is at least two plain characters, the tail is misaligned.
//!
//! A reading of one character is plain by chance too often to count on
//! its own; the document's own text ([`Vocabulary`]) can vouch for it,
//! since pages say their words more than once: `命孕O列` read back is
//! `命令列`, and a page that says `命令` elsewhere holds the pair. The same
//! evidence puts a lost lead byte back ([`lone_trail`]): a lone `p` before
//! `果` is the trail byte of `如` where the page says `如果`. A lead byte
//! read twice proves itself: the misread character is one byte written
//! twice (`作`, `A7 40`, read as `壯@`, `A7 A7` and `@`), which chance
//! seldom gives, unless the page writes that character itself.
//! Measured on planted damage (`benches/damage_eval.sh`), this finds
//! misalignments whose characters are each plausible, at a small cost in
//! precision on text dense with rare characters.

use std::cell::{Cell, OnceCell};
use std::collections::HashMap;
use std::ops::Range;

use encoding_rs::{Encoder, EncoderResult, Encoding, BIG5, GBK, SHIFT_JIS};

use super::chars::{
    is_cjk, is_fullwidth_punct, is_halfwidth_kana, is_han, is_hangul, is_kana, is_private_use,
};
use super::tier::{Tier, Variant};

/// The fewest pairs of bytes the one-byte reading of a tail must read as
/// plain text: one plain character by chance is common, two are not. A
/// tail ending in a stray ASCII letter needs one, the pair that letter
/// completes.
const MIN_PAIRS: usize = 2;

/// The characters of `chars` (a segment written in `variant`) that read as
/// plainer text one byte later: the stretch a lost or doubled byte put out
/// of step, when there is one.
pub(super) fn misaligned(
    chars: &[char],
    variant: Variant,
    vocabulary: &Vocabulary,
    only_before_lone_bytes: bool,
) -> Option<Range<usize>> {
    let tier = variant.tier()?;
    let plain = Plain {
        tier,
        japanese: variant == Variant::Japanese,
    };
    let mut best: Option<(u32, Range<usize>)> = None;
    for (run, min_pairs) in runs(chars) {
        if only_before_lone_bytes && !chars[run.end - 1].is_ascii() {
            continue;
        }
        let run_chars = &chars[run.clone()];
        // Only a run with an odd character can read plainer shifted.
        if !run_chars.iter().any(|&c| plain.odd(c) > 0) {
            continue;
        }
        let around = Around {
            before: run.start.checked_sub(1).map(|at| chars[at]),
            after: chars.get(run.end).copied(),
            vocabulary,
        };
        for encoding in encodings(variant) {
            let Some((gain, tail)) = best_tail(run_chars, min_pairs, encoding, &plain, &around)
            else {
                continue;
            };
            if best.as_ref().is_none_or(|(most, _)| gain > *most) {
                best = Some((gain, run.start + tail.start..run.start + tail.end));
            }
        }
    }
    best.map(|(_, tail)| tail)
}

/// The first of the lone ASCII bytes at `lone_bytes` in `chars` (a
/// segment written in `variant`) that is the trail byte of a character
/// whose lead byte was lost, as the document itself proves: a letter or
/// symbol glued to CJK text (`p果` at the start of a sentence) that, put
/// back behind a lead byte, makes a plain character that joins its
/// neighbours as pairs the document holds elsewhere (`如果`). Its index,
/// when there is one.
///
/// Big5 and Shift_JIS put half their trail bytes in the ASCII range, so a
/// lost lead byte leaves a letter behind; a letter is a name or an option
/// as often, and one of the few dozen characters it can complete joins
/// its neighbour by chance only where the document repeats that pair.
pub(super) fn lone_trail(
    chars: &[char],
    lone_bytes: &[usize],
    variant: Variant,
    vocabulary: &Vocabulary,
) -> Option<usize> {
    let tier = variant.tier()?;
    let plain = Plain {
        tier,
        japanese: variant == Variant::Japanese,
    };
    let glued = |c: Option<char>| c.is_some_and(|c| is_cjk(c) && !c.is_ascii());
    lone_bytes.iter().copied().find(|&i| {
        let c = chars[i];
        if !(c.is_ascii_alphabetic() || is_trail_symbol(c)) {
            return false;
        }
        let before = i.checked_sub(1).map(|at| chars[at]);
        let after = chars.get(i + 1).copied();
        // Glued to CJK text on both sides, or on one with the sentence
        // starting or ending on the other (`。p果`): a letter with a
        // space on one side is a name or an option (`をn に`), and an
        // ASCII symbol is markup unless CJK text closes in on it.
        let edge = |c: Option<char>| c.is_none_or(is_fullwidth_punct);
        let taken = if c.is_ascii_alphabetic() {
            (glued(before) || edge(before))
                && (glued(after) || edge(after))
                && (glued(before) || glued(after))
        } else {
            glued(before) && glued(after)
        };
        if !taken {
            return false;
        }
        // The character put back must join every letter beside it: a
        // particle (`的`, `の`) follows almost anything once. The
        // candidates are the neighbours the document gives those letters.
        let letter = |c: Option<char>| c.filter(|&c| is_letter(c));
        let (before, after) = (letter(before), letter(after));
        // A candidate: a plain character whose last byte is this one.
        let completes = |read: char| {
            plain.odd_reading(read) == 0
                && encodings(variant).any(|encoding| {
                    encode(&mut encoding.new_encoder(), read)
                        .is_some_and(|(_, last)| last == c as u8)
                })
        };
        let candidates = match (before, after) {
            (Some(before), after) => match vocabulary.followers(before) {
                Some(followers) => followers.filtered(completes),
                None => return false,
            }
            .filtered(|read| after.is_none_or(|after| vocabulary.joins_before(read, after))),
            (None, Some(after)) => match vocabulary.leaders(after) {
                Some(leaders) => leaders.filtered(completes),
                None => return false,
            },
            (None, None) => return false,
        };
        !candidates.is_empty()
    })
}

/// Whether `c` is a letter of CJK text: Han, kana or Hangul.
fn is_letter(c: char) -> bool {
    is_han(c) || is_kana(c) || is_hangul(c)
}

/// The legacy encodings a text of `variant` was likely written in.
fn encodings(variant: Variant) -> impl Iterator<Item = &'static Encoding> {
    let (first, second) = match variant {
        Variant::Simplified => (Some(GBK), None),
        Variant::Traditional => (Some(BIG5), None),
        Variant::Chinese => (Some(GBK), Some(BIG5)),
        Variant::Japanese => (Some(SHIFT_JIS), None),
        Variant::Other => (None, None),
    };
    first.into_iter().chain(second)
}

/// Stretches of non-ASCII characters of at least two characters, each with
/// the ASCII byte glued after it when that byte can be a trail byte read
/// alone, with the fewest pairs its one-byte reading must read as plain
/// text ([`VOUCHED`]: only a reading the document vouches for, or one that
/// ends in full-width punctuation, proves it).
fn runs(chars: &[char]) -> impl Iterator<Item = (Range<usize>, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < chars.len() {
            let start = i;
            while i < chars.len() && !chars[i].is_ascii() && !chars[i].is_whitespace() {
                i += 1;
                // A half-width kana is one byte in Shift_JIS: the reading
                // is back in step after it, as after an ASCII byte.
                if is_halfwidth_kana(chars[i - 1]) {
                    break;
                }
            }
            if i == start {
                i += 1;
                continue;
            }
            let mut end = i;
            // A letter that ends the segment or stands before full-width
            // punctuation needs one plain pair, the one it completes. A
            // letter between CJK characters is as often a name
            // (`維生素C和`), and in Big5 and Shift_JIS a trail byte read
            // with the byte before it makes a common character about a
            // third of the time: it needs two, like a run without a letter
            // (measured: recall 0.825 -> 0.837, Big5 0.742 -> 0.770,
            // Shift_JIS 0.806 -> 0.826, at the same precision; 23 more of
            // the 77,627 manual-page documents of
            // `benches/pipeline_data.sh` flagged). A letter before a space,
            // and an ASCII symbol a trail byte can be (`孕]含`, `ル＝[ト`),
            // are as often names and markup (`をn に`, `統[單]一`): only
            // a vouched reading takes them.
            let after_run = chars.get(i).copied();
            let letter = after_run.is_some_and(|c| c.is_ascii_alphabetic());
            let symbol = after_run.is_some_and(is_trail_symbol);
            let next = chars.get(i + 1).copied();
            let at_end = next.is_none_or(is_fullwidth_punct);
            let between = next.is_some_and(is_cjk);
            let spaced = next.is_some_and(|c| c == ' ');
            let alone = !next.is_some_and(|c| c.is_ascii_alphanumeric());
            let min_pairs = if letter && at_end {
                Some(1)
            } else if letter && between {
                Some(MIN_PAIRS)
            } else if (letter || symbol) && alone && (at_end || between || spaced) {
                Some(VOUCHED)
            } else {
                None
            };
            let min_pairs = match min_pairs {
                Some(min_pairs) if !chars[i - 1].is_ascii() => {
                    end += 1;
                    i += 1;
                    min_pairs
                }
                _ => MIN_PAIRS,
            };
            if end - start >= 2 {
                return Some((start..end, min_pairs));
            }
        }
        None
    })
}

/// The fewest pairs of a run only a vouched reading proves ([`runs`]).
const VOUCHED: usize = usize::MAX;

/// ASCII symbols a Big5, GBK or Shift_JIS trail byte can be.
fn is_trail_symbol(c: char) -> bool {
    matches!(
        c,
        '@' | '[' | '\\' | ']' | '^' | '`' | '{' | '|' | '}' | '~'
    )
}

/// The tail of `run` whose one-byte reading in `encoding` is all plain
/// and that holds the most odd characters, with their number; `None` when
/// no tail's reading is plain, or none holds an odd character.
///
/// A tail's reading must be at least `min_pairs` characters long, or be
/// vouched for by the document: one plain character joined to the text
/// beside the tail as a pair of characters the document holds elsewhere
/// (`命孕O列` read as `命令列` in a page that says `命令` again).
///
/// The tail grows from the end of the run one character at a time, each
/// encoded on its own, and stops at the first pair that reads odd (or a
/// character the encoding cannot write in two bytes), so a clean run costs
/// a few characters' encoding, not the run's.
fn best_tail(
    run: &[char],
    min_pairs: usize,
    encoding: &'static Encoding,
    plain: &Plain,
    around: &Around,
) -> Option<(u32, Range<usize>)> {
    let mut encoder = encoding.new_encoder();
    let (mut odd, mut pairs) = (0u32, 0usize);
    let mut best: Option<(u32, usize)> = None;
    // The first byte of the character after the one looked at.
    let mut next_first: Option<u8> = None;
    // The reading's last character, and its first so far.
    let (mut last_read, mut first_read) = (None, None);
    // A run ending in an ASCII byte whose reading ends in full-width
    // punctuation: the byte completes `。` or `、` (`ていなａB` read back
    // as `ていない。`), which a name or an option letter seldom does.
    let ends_in_byte = run.last().is_some_and(char::is_ascii);
    for j in (0..run.len()).rev() {
        let Some((first, last)) = encode(&mut encoder, run[j]) else {
            break;
        };
        odd += plain.odd(run[j]);
        if let Some(next) = next_first {
            // The one-byte reading's character here: this character's
            // last byte and the next one's first.
            let Some(read) = plain_reading(encoding, [last, next], plain) else {
                break;
            };
            pairs += 1;
            first_read = Some(read);
            last_read = last_read.or(Some(read));
        }
        let closes = ends_in_byte && last_read.is_some_and(is_fullwidth_punct);
        // Asked only of a tail that would be the best: vouching searches
        // the document.
        let improves = odd > best.map_or(0, |(most, _)| most);
        // A lead byte read twice (`作` as `壯@`, Big5 `A7 A7 40`): the
        // character read is one byte repeated and its second byte starts
        // the plain pair; counted when the document never writes that
        // character before other CJK text (`其中P表示`: `中` is `A4 A4`)
        // and, in Shift_JIS, the byte is not a word before a space
        // (`プロシジャu は`); Chinese glues no letter to Han before one,
        // while a Big5 `A6` read twice is a page's `在` as `戌b 它`.
        let word_after = around.after == Some(' ') && encoding == SHIFT_JIS;
        let doubled =
            pairs == 1 && ends_in_byte && first == last && around.after.is_some() && !word_after;
        let proved = || {
            pairs >= min_pairs
                || (doubled && around.vocabulary.never_before_cjk(run[j]))
                || (pairs >= 1 && closes)
                || (pairs >= 1 && {
                    let before = j.checked_sub(1).map(|at| run[at]).or(around.before);
                    around.vouches(before, first_read, last_read)
                })
        };
        if improves && proved() {
            best = Some((odd, j));
        }
        next_first = Some(first);
    }
    best.map(|(odd, start)| (odd, start..run.len()))
}

/// What stands beside a run, and the document's pairs of characters.
struct Around<'a> {
    before: Option<char>,
    after: Option<char>,
    vocabulary: &'a Vocabulary<'a>,
}

impl Around<'_> {
    /// Whether a reading from `first` to `last`, after `before` (the
    /// character before the tail), joins the text around it as a pair
    /// the document holds.
    fn vouches(&self, before: Option<char>, first: Option<char>, last: Option<char>) -> bool {
        let letter = |c: Option<char>| c.filter(|&c| is_letter(c));
        let after = letter(before)
            .zip(first)
            .is_some_and(|(b, f)| self.vocabulary.joins_after(b, f));
        after
            || last
                .zip(letter(self.after))
                .is_some_and(|(l, a)| self.vocabulary.joins_before(l, a))
    }
}

/// A document's own text as evidence: which characters stand beside a
/// given one in it. The first questions are answered by searching the
/// text for that character (most documents are never asked, and a few
/// questions are enough for most that are); once the searches have read
/// the text [`SEARCHES`] times over, the neighbours of every character are
/// gathered in one pass and asked from then on, so a document with a
/// question in each of its many segments costs linear time, not
/// quadratic.
pub(super) struct Vocabulary<'a> {
    text: &'a str,
    /// Bytes the searches may still read.
    allowance: Cell<usize>,
    /// Every character's neighbours, once the allowance is spent.
    index: OnceCell<HashMap<char, Sides>>,
}

/// How many times over the searches of a [`Vocabulary`] may read its text
/// (plus [`SEARCH_BYTES`]) before it gathers every neighbour at once.
const SEARCHES: usize = 8;

/// What searches may read in any document, whatever its length.
const SEARCH_BYTES: usize = 1 << 20;

/// Which side of a character its neighbours stand on.
#[derive(Clone, Copy)]
enum Side {
    Before,
    After,
}

/// The neighbours of one character: `None` on a side where more than
/// [`MAX_DEGREE`] stand.
struct Sides {
    followers: Option<Neighbours>,
    leaders: Option<Neighbours>,
}

impl Default for Sides {
    fn default() -> Sides {
        Sides {
            followers: Some(Neighbours::default()),
            leaders: Some(Neighbours::default()),
        }
    }
}

/// The most different characters a known character may meet in a
/// document for a pair with it to vouch for a guess: a particle (`的`,
/// `で`) meets dozens, and one of the few dozen characters a guess can be
/// would join it by chance (measured on `benches/pipeline_data.sh`'s
/// manual pages: 19 clean documents flagged without the bound, 11 with
/// it; the planted damage found is the same).
const MAX_DEGREE: usize = 12;

/// The different non-ASCII characters found beside a character, at most
/// [`MAX_DEGREE`] of them.
#[derive(Clone, Default)]
pub(super) struct Neighbours {
    chars: Vec<char>,
}

impl Neighbours {
    /// Adds `c`; `false` when that makes more than [`MAX_DEGREE`].
    fn add(&mut self, c: char) -> bool {
        if !self.chars.contains(&c) {
            self.chars.push(c);
        }
        self.chars.len() <= MAX_DEGREE
    }

    fn contains(&self, c: char) -> bool {
        self.chars.contains(&c)
    }

    /// The characters that pass `keep`.
    fn filtered(mut self, mut keep: impl FnMut(char) -> bool) -> Neighbours {
        self.chars.retain(|&c| keep(c));
        self
    }

    fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }
}

impl<'a> Vocabulary<'a> {
    /// The evidence of `text`, the whole document.
    pub(super) fn of(text: &'a str) -> Vocabulary<'a> {
        Vocabulary {
            text,
            allowance: Cell::new(
                text.len()
                    .saturating_mul(SEARCHES)
                    .saturating_add(SEARCH_BYTES),
            ),
            index: OnceCell::new(),
        }
    }

    /// The non-ASCII characters that follow `known` in the document;
    /// `None` when more than [`MAX_DEGREE`] do, too many for a pair with
    /// it to say anything.
    fn followers(&self, known: char) -> Option<Neighbours> {
        self.neighbours(known, Side::After)
    }

    /// The non-ASCII characters that precede `known` in the document;
    /// `None` when more than [`MAX_DEGREE`] do.
    fn leaders(&self, known: char) -> Option<Neighbours> {
        self.neighbours(known, Side::Before)
    }

    /// The non-ASCII characters on `side` of `known` in the document,
    /// from the index once it is gathered, else by a search of the text.
    fn neighbours(&self, known: char, side: Side) -> Option<Neighbours> {
        if let Some(index) = self.indexed() {
            return index
                .get(&known)
                .map_or(Some(Neighbours::default()), |s| match side {
                    Side::After => s.followers.clone(),
                    Side::Before => s.leaders.clone(),
                });
        }
        let mut found = Neighbours::default();
        for (at, _) in self.text.match_indices(known) {
            let beside = match side {
                Side::After => self.text[at + known.len_utf8()..].chars().next(),
                Side::Before => self.text[..at].chars().next_back(),
            };
            if let Some(beside) = beside.filter(|c| !c.is_ascii()) {
                if !found.add(beside) {
                    return None;
                }
            }
        }
        Some(found)
    }

    /// The index of every character's neighbours once the searches have
    /// spent their allowance, `None` while a search (charged the whole
    /// text) may still be made.
    fn indexed(&self) -> Option<&HashMap<char, Sides>> {
        if self.index.get().is_none() {
            let left = self.allowance.get();
            if left >= self.text.len() {
                self.allowance.set(left - self.text.len());
                return None;
            }
        }
        Some(self.index.get_or_init(|| self.gather()))
    }

    /// Every non-ASCII character's non-ASCII neighbours, in one pass.
    fn gather(&self) -> HashMap<char, Sides> {
        let mut index: HashMap<char, Sides> = HashMap::new();
        let mut chars = self.text.chars();
        let mut before = chars.next();
        for c in chars {
            if let Some(b) = before.filter(|b| !b.is_ascii() && !c.is_ascii()) {
                let sides = index.entry(b).or_default();
                if sides.followers.as_mut().is_some_and(|n| !n.add(c)) {
                    sides.followers = None;
                }
                let sides = index.entry(c).or_default();
                if sides.leaders.as_mut().is_some_and(|n| !n.add(b)) {
                    sides.leaders = None;
                }
            }
            before = Some(c);
        }
        index
    }

    /// Whether no non-ASCII character follows `c` anywhere in the
    /// document.
    fn never_before_cjk(&self, c: char) -> bool {
        self.followers(c).is_some_and(|n| n.is_empty())
    }

    /// Whether `guess` after `known` is a pair the document holds, and
    /// `known` is followed by few enough characters in it for that to
    /// say something.
    fn joins_after(&self, known: char, guess: char) -> bool {
        self.followers(known).is_some_and(|n| n.contains(guess))
    }

    /// Whether `guess` before `known` is a pair the document holds, and
    /// `known` is preceded by few enough characters in it.
    fn joins_before(&self, guess: char, known: char) -> bool {
        self.leaders(known).is_some_and(|n| n.contains(guess))
    }
}

/// The first and last byte of `c` in the encoder's encoding, when it is one
/// byte or two.
fn encode(encoder: &mut Encoder, c: char) -> Option<(u8, u8)> {
    let mut utf8 = [0; 4];
    let mut out = [0; 8];
    let (result, _, written) =
        encoder.encode_from_utf8_without_replacement(c.encode_utf8(&mut utf8), &mut out, false);
    // One byte: ASCII, or a Shift_JIS half-width kana (`ｷ`, the trail
    // byte of `す` read alone).
    let fits = matches!(result, EncoderResult::InputEmpty) && (written == 1 || written == 2);
    fits.then(|| (out[0], out[written - 1]))
}

/// The character the pair of bytes reads as in `encoding`, when it is one
/// plain character.
fn plain_reading(encoding: &'static Encoding, pair: [u8; 2], plain: &Plain) -> Option<char> {
    let decoded = encoding.decode_without_bom_handling_and_without_replacement(&pair);
    let mut chars = decoded.iter().flat_map(|text| text.chars());
    match (chars.next(), chars.next()) {
        (Some(c), None) if plain.odd_reading(c) == 0 => Some(c),
        _ => None,
    }
}

/// What counts as plain in a text: common Han characters of its variant,
/// kana in Japanese, the punctuation prose uses.
struct Plain {
    tier: &'static Tier,
    japanese: bool,
}

impl Plain {
    /// 1 when `c`, in the text, is what a misaligned pair lands on and
    /// prose seldom holds: a Han character outside the common tier, kana
    /// in Chinese, half-width kana, Hangul, Greek, Cyrillic, full-width
    /// Latin, bopomofo, a private-use character, U+FFFD or an ASCII trail
    /// byte; 0 for anything else, rare punctuation and symbols included.
    fn odd(&self, c: char) -> u32 {
        let odd = if is_han(c) {
            !self.tier.contains(c)
        } else if is_kana(c) {
            !self.japanese || is_halfwidth_kana(c)
        } else {
            c.is_ascii()
                || is_hangul(c)
                || is_private_use(c)
                || is_halfwidth_kana(c)
                || matches!(c,
                    '\u{0370}'..='\u{04FF}'
                    | '\u{3100}'..='\u{312F}'
                    | '\u{FF21}'..='\u{FF3A}'
                    | '\u{FF41}'..='\u{FF5A}'
                    | '\u{FFFD}')
        };
        u32::from(odd)
    }

    /// 0 when `c`, in the one-byte reading, is what prose is made of: a
    /// common Han character, kana in Japanese, the punctuation of prose;
    /// 1 for anything else.
    fn odd_reading(&self, c: char) -> u32 {
        let plain = if is_han(c) {
            self.tier.contains(c)
        } else if is_kana(c) {
            self.japanese && !is_halfwidth_kana(c)
        } else {
            is_prose_punct(c)
        };
        u32::from(!plain)
    }
}

/// Punctuation and marks of CJK prose.
fn is_prose_punct(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '：'
            | '；'
            | '？'
            | '！'
            | '「'
            | '」'
            | '『'
            | '』'
            | '（'
            | '）'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '【'
            | '】'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '…'
            | '—'
            | '・'
            | '·'
            | 'ー'
            | '々'
            | '〇'
            | '\u{3000}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` encoded in `encoding`, the byte at `at` dropped, decoded again
    /// with what cannot be read left out.
    fn drop_byte(text: &str, encoding: &'static Encoding, at: usize) -> String {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable);
        let mut bytes = bytes.into_owned();
        bytes.remove(at);
        let (decoded, _) = encoding.decode_without_bom_handling(&bytes);
        decoded.replace('\u{FFFD}', "")
    }

    /// `text` encoded in `encoding`, the byte at `at` written twice,
    /// decoded again.
    fn double_byte(text: &str, encoding: &'static Encoding, at: usize) -> String {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable);
        let mut bytes = bytes.into_owned();
        bytes.insert(at, bytes[at]);
        let (decoded, _) = encoding.decode_without_bom_handling(&bytes);
        decoded.into_owned()
    }

    fn found(text: &str, variant: Variant) -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        misaligned(&chars, variant, &Vocabulary::of(text), false)
            .map(|range| chars[range].iter().collect())
    }

    #[test]
    fn quality_realign_finds_a_gbk_stretch_read_out_of_step() {
        let clean = "我们今天在会议上讨论了明年的计划和预算。";
        // The second byte of 在 lost: what follows is read a byte late.
        let damaged = drop_byte(clean, GBK, 9);
        assert_ne!(damaged, clean);
        let stretch = found(&damaged, Variant::Simplified).expect("misaligned");
        assert!(damaged.ends_with(&stretch), "{damaged}: {stretch}");
        assert_eq!(found(clean, Variant::Simplified), None);
    }

    #[test]
    fn quality_realign_finds_a_big5_trail_byte_left_alone() {
        // 檔案。 with the trail byte of 案 lost: 檔恣C.
        let clean = "這是系統中已經刪除了的檔案。";
        let at = 2 * clean.chars().count() - 3;
        let damaged = drop_byte(clean, BIG5, at);
        assert!(damaged.ends_with('C'), "{damaged}");
        assert!(found(&damaged, Variant::Traditional).is_some(), "{damaged}");
        assert_eq!(found(clean, Variant::Traditional), None);
    }

    #[test]
    fn quality_realign_finds_a_big5_trail_byte_left_between_han_characters() {
        // Every lost byte whose damage ends in a trail byte read as a
        // letter between two Han characters (`必須是一個` read as
        // `必隄O一個`): most are proved, through the letter, and none
        // without it. Those with one misread character before the letter
        // (`布L結`) are not: one plain pair is too common by chance.
        let clean =
            "每個約束必須是一個生成一個布林結果的表示式，它應該使用名字來引用被測試的數值。";
        let (mut between, mut proved) = (0, 0);
        for at in 0..2 * clean.chars().count() {
            let damaged: Vec<char> = drop_byte(clean, BIG5, at).chars().collect();
            let Some(letter) = (1..damaged.len().saturating_sub(1)).find(|&i| {
                damaged[i].is_ascii_alphabetic() && is_han(damaged[i - 1]) && is_han(damaged[i + 1])
            }) else {
                continue;
            };
            between += 1;
            let text: String = damaged.iter().collect();
            if let Some(range) = misaligned(
                &damaged,
                Variant::Traditional,
                &Vocabulary::of(&text),
                false,
            ) {
                assert_eq!(range.end, letter + 1, "{damaged:?}");
                proved += 1;
            }
        }
        assert!(
            between >= 20 && 2 * proved >= between,
            "{proved} of {between}"
        );
        assert_eq!(found(clean, Variant::Traditional), None);
    }

    #[test]
    fn quality_realign_finds_a_lead_byte_read_twice_before_a_trail_letter() {
        // `作` (Big5 `A7 40`) with its lead byte doubled reads `壯@`, and
        // `是` (`AC 4F`) reads `洵O`: one misread character and a letter,
        // one plain pair, proved because the misread one is one byte
        // written twice.
        // `在` (`A6 62`) before a space reads `戌b`: in Chinese a letter
        // before a space proves it as well.
        for (clean, word) in [
            ("對於正確的操作，請參閱手冊。", '作'),
            ("管道是一個或多個命令的序列。", '是'),
            ("本地域名總會附加在 它 後面。", '在'),
        ] {
            let at = clean.chars().take_while(|&c| c != word).count() * 2;
            let damaged = double_byte(clean, BIG5, at);
            assert_ne!(damaged, clean);
            let stretch = found(&damaged, Variant::Traditional).expect("misaligned");
            assert_eq!(stretch.chars().count(), 2, "{damaged}: {stretch}");
            assert!(stretch.ends_with(|c: char| c.is_ascii()), "{stretch}");
            assert_eq!(found(clean, Variant::Traditional), None);
        }
        // `中` is `A4 A4` itself: before a letter (`其中P表示`) it is the
        // text's own when the page writes `中` before other CJK text, and
        // in Japanese a letter before a space is a word (`プロシジャu は`,
        // `ャ` being `83 83` in Shift_JIS).
        assert_eq!(
            found("中文版。其中P表示一個程序。", Variant::Traditional),
            None
        );
        assert_eq!(found("手続きプロシジャu は、", Variant::Japanese), None);
    }

    #[test]
    fn quality_realign_finds_a_shift_jis_trail_byte_left_before_kana() {
        // The same in Japanese, where what follows the letter is kana
        // (`コマンド` read as `ャRマンド` after a doubled byte).
        let clean = "このオプションで指定したコマンドを実行する前に、設定ファイルを読み込みます。";
        let (bytes, _, _) = SHIFT_JIS.encode(clean);
        let (mut before_kana, mut proved) = (0, 0);
        for at in 0..bytes.len() {
            let mut doubled = bytes.to_vec();
            doubled.insert(at, bytes[at]);
            let (decoded, _) = SHIFT_JIS.decode_without_bom_handling(&doubled);
            let damaged: Vec<char> = decoded.replace('\u{FFFD}', "").chars().collect();
            let Some(letter) = (1..damaged.len().saturating_sub(1)).find(|&i| {
                damaged[i].is_ascii_alphabetic()
                    && is_cjk(damaged[i - 1])
                    && is_kana(damaged[i + 1])
            }) else {
                continue;
            };
            before_kana += 1;
            let text: String = damaged.iter().collect();
            if let Some(range) =
                misaligned(&damaged, Variant::Japanese, &Vocabulary::of(&text), false)
            {
                assert!(range.end > letter, "{damaged:?}");
                proved += usize::from(range.end == letter + 1);
            }
        }
        assert!(before_kana >= 5 && proved >= 1, "{proved} of {before_kana}");
        assert_eq!(found(clean, Variant::Japanese), None);
    }

    #[test]
    fn quality_realign_leaves_clean_text_with_rare_characters_alone() {
        for (text, variant) in [
            (
                "古书里常见的魑魅魍魉和饕餮，现代汉语里已经很少用到了。",
                Variant::Simplified,
            ),
            ("維生素C和維生素E都是常見的抗氧化劑。", Variant::Traditional),
            (
                "宫崎骏的动画《となりのトトロ》在中国也很有名。",
                Variant::Simplified,
            ),
            ("電気ケトルの使い方を説明します。", Variant::Japanese),
            ("選項n 使得列舉時不顯示", Variant::Traditional),
        ] {
            assert_eq!(found(text, variant), None, "{text}");
        }
    }

    #[test]
    fn quality_realign_reads_the_shifted_bytes_as_the_original() {
        // The mechanism itself: the damaged tail, encoded again and read
        // from its second byte, is the clean text's tail.
        let clean = "我们今天在会议上讨论了明年的计划和预算。";
        let damaged = drop_byte(clean, GBK, 9);
        let (bytes, _, _) = GBK.encode(&damaged);
        let (shifted, _) = GBK.decode_without_bom_handling(&bytes[1..]);
        assert!(
            shifted.contains("会议上讨论了明年的计划和预算"),
            "{shifted}"
        );
    }

    #[test]
    fn quality_realign_takes_one_plain_pair_the_document_vouches_for() {
        // `命令列` with the lead byte of `令` doubled: `命孕O列`. `孕` is
        // `A5 A5`, one byte written twice, which proves it in a page that
        // never writes `孕` before other CJK text. In a page that does
        // (`孕育`), one plain pair (`孕O` read back as `令`) proves
        // nothing by itself; a page that also says `命令` vouches for it.
        let clean = "使用命令列參數。";
        let damaged = double_byte(clean, BIG5, 2 * 3); // the lead byte of 令
        assert!(damaged.contains("孕O列"), "{damaged}");
        assert_eq!(
            found(&damaged, Variant::Traditional),
            Some("孕O".to_owned())
        );
        let chars: Vec<char> = damaged.chars().collect();
        let read = |page: &str| {
            misaligned(&chars, Variant::Traditional, &Vocabulary::of(page), false)
                .map(|range| chars[range].iter().collect::<String>())
        };
        let own = format!("{damaged}\n\n孕育新的想法。");
        assert_eq!(read(&own), None);
        let page = format!("{own}\n\n這個命令會讀取設定。");
        assert_eq!(read(&page), Some("孕O".to_owned()));
    }

    #[test]
    fn quality_realign_reads_a_trail_byte_completing_full_width_punctuation() {
        // `ていない。` with the second byte of `い` lost: `ていなａB`, the
        // `B` the trail byte of `。`.
        let clean = "設定されていない。さらに";
        let (bytes, _, _) = SHIFT_JIS.encode(clean);
        let at = 2 * 8 - 1; // the second byte of the second い
        let mut lost = bytes.to_vec();
        lost.remove(at);
        let (damaged, _) = SHIFT_JIS.decode_without_bom_handling(&lost);
        let damaged = damaged.replace('\u{FFFD}', "");
        assert!(damaged.contains("ａB"), "{damaged}");
        assert!(found(&damaged, Variant::Japanese).is_some(), "{damaged}");
        assert_eq!(found(clean, Variant::Japanese), None);
    }

    #[test]
    fn quality_realign_ends_a_run_at_a_half_width_kana() {
        // `ています。` read a byte out of step after `ま` lost its second
        // byte: `ていまｂｷ。`, the half-width `ｷ` the trail byte of `す`
        // read alone, after which the reading is back in step.
        let damaged = "数字を表示していまｂｷ。数字は表示されます。";
        let chars: Vec<char> = damaged.chars().collect();
        let range = misaligned(&chars, Variant::Japanese, &Vocabulary::of(damaged), false)
            .expect("misaligned");
        assert_eq!(chars[range].iter().collect::<String>(), "ｂｷ");
    }

    #[test]
    fn quality_realign_puts_a_lost_lead_byte_back_where_the_document_says_so() {
        // `如果` with the lead byte of `如` lost: `p果`. The document says
        // `如果` elsewhere, and `p` completes `如` in Big5.
        let page = "p果有的話，就顯示它。如果沒有，就不顯示。";
        let chars: Vec<char> = page.chars().collect();
        assert_eq!(
            lone_trail(&chars, &[0], Variant::Traditional, &Vocabulary::of(page)),
            Some(0)
        );
        // Without `如果` elsewhere, nothing vouches for it.
        let alone = "p果有的話，就顯示它。";
        let chars: Vec<char> = alone.chars().collect();
        assert_eq!(
            lone_trail(&chars, &[0], Variant::Traditional, &Vocabulary::of(alone)),
            None
        );
        // A letter that is a name stays clean: no character ending in its
        // byte joins its neighbours as the text does elsewhere.
        let name = "維生素C和維生素E都是常見的抗氧化劑。";
        let chars: Vec<char> = name.chars().collect();
        let at = chars.iter().position(|&c| c == 'C').expect("C");
        assert_eq!(
            lone_trail(&chars, &[at], Variant::Traditional, &Vocabulary::of(name)),
            None
        );
    }

    #[test]
    fn quality_realign_vocabulary_bounds_what_a_common_neighbour_says() {
        // `的` follows many characters in a page: a pair with it says
        // nothing, and the vocabulary does not answer.
        let page: String = "我你他她它們人家國天地水火山石木金"
            .chars()
            .map(|c| format!("{c}的"))
            .collect();
        let vocabulary = Vocabulary::of(&page);
        assert!(vocabulary.leaders('的').is_none());
        assert!(vocabulary.followers('我').is_some_and(|n| n.contains('的')));
        assert!(vocabulary.joins_after('我', '的'));
        assert!(!vocabulary.joins_before('我', '的'));
    }

    proptest::proptest! {
        /// The index gathered once the searches are spent answers every
        /// question as the searches do.
        #[test]
        fn quality_realign_vocabulary_index_answers_as_the_searches_do(
            text in "[我們的國家人民A a。的的的们家]{0,40}",
            asked in proptest::collection::vec(proptest::sample::select(vec!['我', '們', '的', '國', '家', '人', '民', '。']), 1..6),
        ) {
            let searched = Vocabulary::of(&text);
            let indexed = Vocabulary {
                text: &text,
                allowance: Cell::new(0),
                index: OnceCell::new(),
            };
            for c in asked {
                let names = |n: Option<Neighbours>| n.map(|n| {
                    let mut chars = n.chars;
                    chars.sort_unstable();
                    chars
                });
                proptest::prop_assert_eq!(names(searched.followers(c)), names(indexed.followers(c)));
                proptest::prop_assert_eq!(names(searched.leaders(c)), names(indexed.leaders(c)));
            }
            proptest::prop_assert!(text.is_empty() || indexed.index.get().is_some());
        }
    }

    #[test]
    fn quality_realign_vocabulary_stops_searching_a_long_document() {
        // A question in each of many segments would search the whole text
        // each time; after SEARCHES times over, one pass gathers all.
        let text = "我A我們的國家\n\n".repeat(2_000);
        let vocabulary = Vocabulary::of(&text);
        let searches = SEARCHES + SEARCH_BYTES / text.len();
        for _ in 0..searches {
            assert!(vocabulary.followers('我').is_some());
            assert!(vocabulary.index.get().is_none());
        }
        assert!(vocabulary.followers('我').is_some_and(|n| n.contains('們')));
        assert!(vocabulary.index.get().is_some());
    }
}
