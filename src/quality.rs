//! How damaged a span of text looks: signals of encoding damage counted and
//! weighted over a span ([`Damage`]), with rare Han characters judged
//! against the common tier of the text's [`Variant`].

mod chars;
mod damage;
mod tier;

pub use damage::{Damage, Signal, BURST_GAP, BURST_POINTS, BURST_WEIGHT};
pub use tier::{Variant, JAPANESE_KANA_SHARE};

#[cfg(test)]
mod tests {
    use super::*;

    fn damage(text: &str) -> Damage {
        Damage::of(text)
    }

    #[test]
    fn quality_replacement_character() {
        assert_eq!(damage("我們\u{FFFD}國家").replacement, 1);
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
}
