//! How damaged a span of text looks, so that of two copies of a text the
//! cleaner one can be kept.
//!
//! Text that went through a wrong decoding, or whose bytes were shifted by
//! one inside a double-byte encoding such as GBK, carries marks: U+FFFD, `?`
//! where a character could not be written, stray ASCII letters among Han
//! characters, kana or Cyrillic in Chinese, rare Han characters where common
//! ones belong. Each mark is a [`Signal`] with a weight; a [`Damage`] counts
//! them over a span, also counts *bursts* (several signals within a few
//! characters, the shape a byte misalignment leaves), and folds both into
//! one score: damage points per 1,000 characters.
//!
//! What counts as a rare Han character depends on the text's [`Variant`]
//! (Simplified, Traditional, Japanese), decided from the text itself and
//! checked against the frequent-character level of GB2312, Big5 or JIS X
//! 0208. Romanisation glosses after a Han character, like `號(hào)`, are
//! skipped: their letters are not stray.
//!
//! # Main types
//!
//! - [`Damage`]: the signal counts and score of a span; [`Damage::of`]
//!   scores a whole text.
//! - [`compare()`] and [`diff_damage`]: two copies of the same text, diffed
//!   by characters; only the stretches where they differ (with a little
//!   context) are scored, so damage the copies share, and the many rare but
//!   correct characters of a long text, do not drown the difference.
//! - [`Preference`]: `First`, `Second` or `Tie`. A tie is reported as such
//!   so the caller can break it, for example by keeping the earlier copy.
//!
//! # Which to use
//!
//! To pick between copies of one text use [`compare()`]: scoring each whole
//! copy with [`Damage::of`] works too, but dilutes a few damaged characters
//! in the length of the text. Use [`Damage::of`] to rank unrelated texts or
//! to set a threshold.
//!
//! # Example
//!
//! ```
//! use doppel::quality::{compare, Damage, Preference};
//!
//! let clean = "候選人。縣以上人大代表";
//! let shifted = "候選人?h以上人大代表";
//! assert_eq!(compare(shifted, clean), Preference::Second);
//! assert_eq!(compare(clean, clean), Preference::Tie);
//!
//! let damage = Damage::of(shifted);
//! assert_eq!(damage.question_in_cjk, 1);
//! assert_eq!(damage.isolated_latin, 1);
//! assert!(Damage::of(clean).is_clean());
//! ```

mod chars;
mod classes;
mod compare;
mod damage;
mod findings;
mod marks;
pub mod mojibake;
mod realign;
mod tier;

pub use compare::{compare, diff_damage, CompareOptions, DiffDamage, Preference};
pub use damage::{Damage, Signal, BURST_GAP, BURST_POINTS, BURST_WEIGHT};
pub use findings::{
    findings, DamageFinding, DamageKind, DocumentDamage, MIN_OUT_OF_TIER, MIN_POINTS,
    OUT_OF_TIER_PER_MILLE,
};
pub use tier::{Variant, JAPANESE_KANA_SHARE};

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../corpus/scraped_page_zh.txt");

    /// Line `n` (1-based) of the real page.
    fn line(n: usize) -> &'static str {
        PAGE.split('\n').nth(n - 1).unwrap()
    }

    fn damage(text: &str) -> Damage {
        Damage::of(text)
    }

    #[test]
    fn quality_real_page_prefers_the_undamaged_copy() {
        for (first, second, want) in [
            (27, 164, Preference::Second),
            (105, 242, Preference::Second),
            (133, 270, Preference::Second),
            (141, 278, Preference::First),
        ] {
            let got = diff_damage(line(first), line(second), &CompareOptions::default());
            assert_eq!(
                got.preference(),
                want,
                "lines {first} and {second}: {got:?}"
            );
        }
    }

    #[test]
    fn quality_a_middle_past_the_bound_is_scored_whole_with_the_same_preference() {
        let whole = CompareOptions {
            max_diff_chars: 0,
            ..CompareOptions::default()
        };
        for (first, second) in [(27, 164), (105, 242), (133, 270), (141, 278)] {
            let diffed = diff_damage(line(first), line(second), &CompareOptions::default());
            let scored_whole = diff_damage(line(first), line(second), &whole);
            assert_eq!(
                scored_whole.preference(),
                diffed.preference(),
                "lines {first} and {second}: {scored_whole:?}"
            );
        }
        // Two differences far apart: one stretch from the first to the
        // last, scored whole.
        let (far, mended) = (
            "甲乙?丙丁戊己庚辛壬癸子丑寅卯辰巳?午未",
            "甲乙的丙丁戊己庚辛壬癸子丑寅卯辰巳的午未",
        );
        let diffed = diff_damage(far, mended, &CompareOptions::default());
        let scored_whole = diff_damage(far, mended, &whole);
        assert_eq!(diffed.first.chars, 6 + 6, "{diffed:?}");
        assert_eq!(scored_whole.first.chars, 20, "{scored_whole:?}");
        assert_eq!(diffed.preference(), Preference::Second);
        assert_eq!(scored_whole.preference(), Preference::Second);
        // Shared damage outside the differing middle stays uncounted.
        let got = diff_damage("周?車,匯聚", "周?車。匯聚", &whole);
        assert!(got.first.is_clean() && got.second.is_clean(), "{got:?}");
    }

    #[test]
    fn quality_unrelated_long_copies_are_compared_without_a_long_diff() {
        // Two unrelated texts of 20,000 characters: diffed character by
        // character this is hundreds of millions of steps; scored whole it
        // is linear, and the damaged copy still loses.
        let clean: String = "北京是中国的首都。".repeat(2_000);
        let damaged: String = "候選人?h以上人大代表".repeat(2_000);
        let got = diff_damage(&clean, &damaged, &CompareOptions::default());
        assert_eq!(got.preference(), Preference::First, "{got:?}");
    }

    #[test]
    fn quality_real_page_reads_as_traditional() {
        assert_eq!(Variant::detect(PAGE), Variant::Traditional);
    }

    #[test]
    fn quality_identical_texts_tie() {
        assert_eq!(compare(line(27), line(27)), Preference::Tie);
        assert_eq!(compare("", ""), Preference::Tie);
        assert_eq!(compare("候選人?h以", "候選人?h以"), Preference::Tie);
    }

    #[test]
    fn quality_equally_damaged_copies_tie() {
        assert_eq!(compare("我們?的國家", "我們的?國家"), Preference::Tie);
    }

    #[test]
    fn quality_shared_damage_is_not_counted() {
        let got = diff_damage("周?車,匯聚", "周?車。匯聚", &CompareOptions::default());
        assert!(got.first.is_clean() && got.second.is_clean(), "{got:?}");
    }

    #[test]
    fn quality_replacement_character() {
        assert_eq!(damage("我們\u{FFFD}國家").replacement, 1);
        assert_eq!(
            compare("我們\u{FFFD}國家", "我們的國家"),
            Preference::Second
        );
    }

    #[test]
    fn quality_question_mark_inside_cjk() {
        assert_eq!(damage("候選人?縣以上").question_in_cjk, 1);
        assert_eq!(damage("國家??人民").question_in_cjk, 2);
        assert_eq!(damage("what? 國家").question_in_cjk, 0);
    }

    #[test]
    fn quality_stray_letter_after_fullwidth_punctuation() {
        assert_eq!(damage("國家。h縣以上").stray_after_punct, 1);
        assert_eq!(damage("國家,h縣以上").stray_after_punct, 0);
        assert_eq!(damage("國家。Linux 系統").stray_after_punct, 0);
    }

    #[test]
    fn quality_isolated_latin_between_han() {
        assert_eq!(damage("國家R聚起").isolated_latin, 1);
        assert_eq!(damage("國家Rb聚起").isolated_latin, 1);
        assert_eq!(damage("候選人?h以上").isolated_latin, 1);
        assert_eq!(damage("國家ABC聚起").isolated_latin, 0);
    }

    #[test]
    fn quality_foreign_script_in_chinese() {
        let chinese = |c: char| format!("我們的國家{c}人民群眾工作");
        for c in ['ア', 'д', 'α', '┃'] {
            assert_eq!(damage(&chinese(c)).foreign_script, 1, "{c}");
        }
        assert_eq!(damage("私の国です").foreign_script, 0);
        assert_eq!(damage("Ελληνικά кириллица").foreign_script, 0);
    }

    #[test]
    fn quality_private_use_character() {
        assert_eq!(damage("我們\u{E2F2}國家").private_use, 1);
    }

    #[test]
    fn quality_uncommon_han_for_the_variant() {
        assert_eq!(damage("我們的國家與人民鶎").uncommon_han, 1);
        assert_eq!(damage("我们的国家与人民鶎").uncommon_han, 1);
        assert_eq!(damage("我們的國家與人民團體们").uncommon_han, 1);
        assert_eq!(damage("日本の国の亜").uncommon_han, 0);
        assert_eq!(damage("日本の国の鶎").uncommon_han, 1);
    }

    #[test]
    fn quality_bursts_are_clusters_of_signals() {
        assert_eq!(damage("國家鶎R聚起").bursts, 1);
        assert_eq!(damage("國家鶎訂粦瑓聚起").bursts, 1);
        assert_eq!(damage("國家鶎粦聚起").bursts, 0);
        assert_eq!(damage("國家鶎人民工作粦聚起").bursts, 0);
        let burst = damage("國家鶎R聚起工作人民");
        let spread = damage("國家鶎聚起工作人民R聚");
        assert_eq!(burst.signal_points(), spread.signal_points());
        assert!(burst.cmp_score(&spread).is_gt());
    }

    #[test]
    fn quality_clean_texts_score_zero_ish() {
        let traditional =
            "中華人民共和國是工人階級領導的、以工農聯盟為基礎的人民民主專政的社會主義國家。\
            社會主義制度是中華人民共和國的根本制度。禁止任何組織或者個人破壞社會主義制度。";
        let simplified =
            "中华人民共和国是工人阶级领导的、以工农联盟为基础的人民民主专政的社会主义国家。\
            社会主义制度是中华人民共和国的根本制度。禁止任何组织或者个人破坏社会主义制度。";
        for text in [traditional, simplified] {
            let got = damage(text);
            assert!(got.score() < 5.0 && got.bursts == 0, "{text}: {got:?}");
        }
        assert_eq!(Variant::detect(traditional), Variant::Traditional);
        assert_eq!(Variant::detect(simplified), Variant::Simplified);
    }

    #[test]
    fn quality_glosses_are_not_damage() {
        assert!(damage("號(hào)碼(mǎ)").is_clean());
        assert!(damage("意見(jiàn)。號(hào)").is_clean());
        assert!(damage("我（wo）們（men）的（de）").is_clean());
        assert_eq!(damage("號(hào)碼R聚").isolated_latin, 1);
    }

    #[test]
    fn quality_real_page_article_is_mostly_clean() {
        let clean = damage(line(164));
        assert!(clean.score() < 20.0, "{clean:?}");
    }
}
