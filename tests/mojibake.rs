//! Latin mojibake repair, measured on planted damage: real UTF-8 text
//! (accents, curly quotes, dashes, Cyrillic, Greek, CJK) encoded to bytes
//! and read back as windows-1252, once or twice; and never making text
//! worse.

use doppel::quality::mojibake::{detect, marks, repair};
use proptest::prelude::*;

const LATIN: &str = include_str!("../corpus/damage/latin_sample.txt");
const PAGE: &str = include_str!("../corpus/scraped_page_zh.txt");

/// UTF-8 bytes read as windows-1252, as a browser (WHATWG) reads them.
fn damage(text: &str) -> String {
    encoding_rs::WINDOWS_1252
        .decode(text.as_bytes())
        .0
        .into_owned()
}

/// Real lines with something to damage: the Latin sample's and the first
/// lines of the Chinese page that are not ASCII.
fn real_lines() -> Vec<&'static str> {
    LATIN
        .lines()
        .chain(PAGE.lines().filter(|l| !l.is_ascii()).take(40))
        .filter(|l| !l.is_ascii())
        .collect()
}

#[test]
fn planted_mojibake_is_repaired_exactly_in_nine_cases_of_ten() {
    let lines = real_lines();
    let mut cases = 0;
    let mut exact = 0;
    let mut misses = Vec::new();
    for line in &lines {
        for damaged in [damage(line), damage(&damage(line))] {
            cases += 1;
            if repair(&damaged) == *line {
                exact += 1;
            } else {
                misses.push(*line);
            }
        }
    }
    let rate = exact as f64 / cases as f64;
    eprintln!("planted mojibake: {exact}/{cases} repaired exactly; missed: {misses:?}");
    assert!(
        rate >= 0.9,
        "{exact}/{cases} repaired exactly; missed: {misses:?}"
    );
}

#[test]
fn the_real_lines_themselves_are_left_alone() {
    for line in real_lines() {
        assert!(detect(line).is_empty(), "{line}");
        assert_eq!(marks(line), 0, "{line}");
    }
}

#[test]
fn a_document_mixing_good_and_bad_paragraphs_keeps_the_good_ones() {
    let lines = real_lines();
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(at, line)| {
            if at % 3 == 0 {
                format!("{}\n\n", damage(line))
            } else {
                format!("{line}\n\n")
            }
        })
        .collect();
    let want: String = lines.iter().map(|line| format!("{line}\n\n")).collect();
    let found = detect(&text);
    assert_eq!(found.len(), lines.len().div_ceil(3));
    assert_eq!(repair(&text), want);
}

/// Words of several languages, with quotes and dashes between them.
fn words() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "café",
        "über",
        "naïve",
        "São",
        "Kraków",
        "Straße",
        "Fuß",
        "déjà",
        "Ærø",
        "ÉTÉ",
        "IRMÃ",
        "niño",
        "çà",
        "Привет",
        "αβγ",
        "中文",
        "日本語",
        "한국어",
        "😀",
        "the",
        "and",
        "x",
        "A",
    ]);
    let glue = prop::sample::select(vec![
        " ", ", ", " — ", " – ", "’s ", " “", "” ", "… ", " «", "» ", "\n", ". ", "! ",
    ]);
    prop::collection::vec((word, glue), 1..12)
        .prop_map(|parts| parts.into_iter().map(|(w, g)| format!("{w}{g}")).collect())
}

proptest! {
    /// Text made of real words is left as it is, and each line of the
    /// same text damaged is repaired back to it or, when it shows no strong
    /// evidence (`AÂ» ` may be a French closing quote), left as it is:
    /// never turned into a third text.
    #[test]
    fn clean_text_is_unchanged_and_damage_is_undone_or_left(text in words()) {
        prop_assert_eq!(repair(&text), text.as_str());
        let damaged = damage(&text);
        if repair(&damaged) != damaged {
            prop_assert!(doppel::quality::mojibake::may_hold(&damaged));
        }
        let repaired = repair(&damaged);
        let lines = |t: &str| t.split('\n').map(str::to_owned).collect::<Vec<_>>();
        let (repaired, original, damaged) = (lines(&repaired), lines(&text), lines(&damaged));
        prop_assert_eq!(repaired.len(), original.len());
        for ((r, t), d) in repaired.iter().zip(&original).zip(&damaged) {
            prop_assert!(r == t || r == d, "{:?} from {:?}, damaged {:?}", r, t, d);
        }
    }

    /// Whatever the text, repair never adds marks or U+FFFD, and a repaired
    /// text is repaired no further.
    #[test]
    fn repair_never_makes_text_worse(text in "[a-zA-Z ÃÂâ€™©¼ßÖ“”«»\u{9d}\u{81}é中\n?]{0,40}") {
        let repaired = repair(&text);
        // Text the quick test passes over holds nothing to repair.
        if !doppel::quality::mojibake::may_hold(&text) {
            prop_assert_eq!(&repaired, &text);
        }
        prop_assert!(marks(&repaired) <= marks(&text));
        let fffd = |s: &str| s.chars().filter(|&c| c == '\u{FFFD}').count();
        prop_assert!(fffd(&repaired) <= fffd(&text));
        if repaired != text {
            prop_assert!(marks(&repaired) < marks(&text));
        }
    }
}
