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
//! Measured on planted damage (`benches/damage_eval.sh`), this finds
//! misalignments whose characters are each plausible, at a small cost in
//! precision on text dense with rare characters.

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
pub(super) fn misaligned(chars: &[char], variant: Variant) -> Option<Range<usize>> {
    let tier = variant.tier()?;
    let plain = Plain {
        tier,
        japanese: variant == Variant::Japanese,
    };
    let mut best: Option<(u32, Range<usize>)> = None;
    for (run, min_pairs) in runs(chars) {
        let run_chars = &chars[run.clone()];
        // Only a run with an odd character can read plainer shifted.
        if !run_chars.iter().any(|&c| plain.odd(c) > 0) {
            continue;
        }
        for encoding in encodings(variant) {
            let Some((gain, tail)) = best_tail(run_chars, min_pairs, encoding, &plain) else {
                continue;
            };
            if best.as_ref().is_none_or(|(most, _)| gain > *most) {
                best = Some((gain, run.start + tail.start..run.start + tail.end));
            }
        }
    }
    best.map(|(_, tail)| tail)
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
/// the ASCII letter glued after it when that letter ends the segment,
/// stands before full-width punctuation or between CJK characters (a trail
/// byte read alone), with the fewest pairs its one-byte reading must read
/// as plain text.
fn runs(chars: &[char]) -> impl Iterator<Item = (Range<usize>, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < chars.len() {
            let start = i;
            while i < chars.len() && !chars[i].is_ascii() && !chars[i].is_whitespace() {
                i += 1;
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
            // `benches/pipeline_data.sh` flagged).
            let trail = chars.get(i).is_some_and(char::is_ascii_alphabetic) && is_cjk(chars[i - 1]);
            let at_end = chars.get(i + 1).is_none_or(|&c| is_fullwidth_punct(c));
            let between = chars.get(i + 1).is_some_and(|&c| is_cjk(c));
            let mut min_pairs = MIN_PAIRS;
            if trail && (at_end || between) {
                end += 1;
                i += 1;
                if at_end {
                    min_pairs = 1;
                }
            }
            if end - start >= 2 {
                return Some((start..end, min_pairs));
            }
        }
        None
    })
}

/// The tail of `run` whose one-byte reading in `encoding` is all plain
/// and that holds the most odd characters, with their number; `None` when
/// no tail's reading is plain, or none holds an odd character.
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
) -> Option<(u32, Range<usize>)> {
    let mut encoder = encoding.new_encoder();
    let (mut odd, mut pairs) = (0u32, 0usize);
    let mut best: Option<(u32, usize)> = None;
    // The first byte of the character after the one looked at.
    let mut next_first: Option<u8> = None;
    for j in (0..run.len()).rev() {
        let Some((first, last)) = encode(&mut encoder, run[j]) else {
            break;
        };
        odd += plain.odd(run[j]);
        if let Some(next) = next_first {
            // The one-byte reading's character here: this character's
            // last byte and the next one's first.
            if odd_pair(encoding, [last, next], plain) > 0 {
                break;
            }
            pairs += 1;
        }
        if pairs >= min_pairs && odd > best.map_or(0, |(most, _)| most) {
            best = Some((odd, j));
        }
        next_first = Some(first);
    }
    best.map(|(odd, start)| (odd, start..run.len()))
}

/// The first and last byte of `c` in the encoder's encoding, when it is one
/// ASCII byte or two bytes.
fn encode(encoder: &mut Encoder, c: char) -> Option<(u8, u8)> {
    let mut utf8 = [0; 4];
    let mut out = [0; 8];
    let (result, _, written) =
        encoder.encode_from_utf8_without_replacement(c.encode_utf8(&mut utf8), &mut out, false);
    let fits = matches!(result, EncoderResult::InputEmpty)
        && (written == 2 || (written == 1 && c.is_ascii()));
    fits.then(|| (out[0], out[written - 1]))
}

/// Whether the pair of bytes, read in `encoding`, is odd: not one character,
/// or one that is odd.
fn odd_pair(encoding: &'static Encoding, pair: [u8; 2], plain: &Plain) -> u32 {
    let decoded = encoding.decode_without_bom_handling_and_without_replacement(&pair);
    let mut chars = decoded.iter().flat_map(|text| text.chars());
    match (chars.next(), chars.next()) {
        (Some(c), None) => plain.odd_reading(c),
        _ => 1,
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

    fn found(text: &str, variant: Variant) -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        misaligned(&chars, variant).map(|range| chars[range].iter().collect())
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
            if let Some(range) = misaligned(&damaged, Variant::Traditional) {
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
            if let Some(range) = misaligned(&damaged, Variant::Japanese) {
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
}
