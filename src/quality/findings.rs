//! Damage as a finding: which segments of a document are damaged, how, and
//! how badly.
//!
//! [`findings`] looks at each segment of a document once ([`marks`]
//! explains what it looks for) and reports the damaged ones as
//! [`DamageFinding`]s; [`DocumentDamage`] adds them up for a document.
//! Segments of pure ASCII are passed over at once: none of the marks can be
//! in them.
//!
//! [`marks`]: super::marks

use std::ops::Range;

use serde::Serialize;

use super::classes::Classes;
use super::marks::{self, Marks, Scanner, Writing};
use super::mojibake;
use super::realign;
use super::tier::Counts;
use crate::document::{LineRange, Span};

/// A kind of damage a segment can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DamageKind {
    /// U+FFFD, or a C1 control character: bytes a decoder could not read.
    Replacement,
    /// `?` between CJK characters, where an encoder could not write one.
    QuestionInCjk,
    /// One or two ASCII letters between CJK characters, or after full-width
    /// punctuation: a lone byte of a split pair read as ASCII.
    StrayAscii,
    /// A double-byte text read out of step (GBK, Big5, Shift_JIS, EUC-KR):
    /// a burst of wrong characters, or kana, Hangul, Cyrillic, box drawing
    /// or half-width kana where they do not belong.
    Misaligned,
    /// A private-use character in CJK text: a user-defined GBK or Big5
    /// code, or a misaligned pair landing on one.
    PrivateUse,
    /// Han characters outside the common tier of the text's variant, more
    /// of them than real text holds.
    OutOfTier,
    /// UTF-8 read as windows-1252 or latin-1 (`Ã©` for `é`), as
    /// [`mojibake::detect`] finds it (what `clean --repair` undoes).
    Mojibake,
}

impl DamageKind {
    /// How many kinds there are.
    pub(super) const COUNT: usize = 7;

    /// Every kind, in order.
    pub const ALL: [DamageKind; DamageKind::COUNT] = [
        DamageKind::Replacement,
        DamageKind::QuestionInCjk,
        DamageKind::StrayAscii,
        DamageKind::Misaligned,
        DamageKind::PrivateUse,
        DamageKind::OutOfTier,
        DamageKind::Mojibake,
    ];

    pub(super) fn index(self) -> usize {
        self as usize
    }

    /// The kind's name in reports: `replacement`, `question_in_cjk`,
    /// `stray_ascii`, `misaligned`, `private_use`, `out_of_tier`,
    /// `mojibake`.
    pub fn name(self) -> &'static str {
        match self {
            DamageKind::Replacement => "replacement",
            DamageKind::QuestionInCjk => "question_in_cjk",
            DamageKind::StrayAscii => "stray_ascii",
            DamageKind::Misaligned => "misaligned",
            DamageKind::PrivateUse => "private_use",
            DamageKind::OutOfTier => "out_of_tier",
            DamageKind::Mojibake => "mojibake",
        }
    }
}

impl std::fmt::Display for DamageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A damaged segment.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DamageFinding {
    /// The kinds of damage seen, each once, in [`DamageKind::ALL`] order.
    pub kinds: Vec<DamageKind>,
    /// The segment's bytes in the document's text.
    pub bytes: Range<usize>,
    /// The segment's lines.
    pub lines: LineRange,
    /// From the first mark of damage to the last (its first character),
    /// in bytes of the document's text: where to look.
    pub marked: Range<usize>,
    /// Damage points: each mark's weight (4 for U+FFFD, 3 for a `?` or a
    /// private-use character, 2 or 3 for a stray letter, 2 for a misplaced
    /// script, 1 for an out-of-tier Han character) plus 4 per burst of
    /// marks. A damaged segment has at least [`MIN_POINTS`] or a mark that
    /// is damage on its own.
    pub score: u32,
}

/// The damage of a whole document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentDamage {
    /// The sum of the damaged segments' scores; 0 when clean.
    pub score: u32,
    /// The damaged segments, in text order.
    pub segments: Vec<DamageFinding>,
}

impl DocumentDamage {
    /// The damage of `text` cut into `segments` (see [`findings`]).
    pub fn of(text: &str, segments: &[Span]) -> DocumentDamage {
        let segments = findings(text, segments);
        DocumentDamage {
            score: segments.iter().map(|s| s.score).sum(),
            segments,
        }
    }

    /// Whether no segment is damaged.
    pub fn is_clean(&self) -> bool {
        self.segments.is_empty()
    }

    /// Bytes of the damaged segments.
    pub fn damaged_bytes(&self) -> usize {
        self.segments.iter().map(|s| s.bytes.len()).sum()
    }
}

/// Points from which a segment is damaged without a decisive mark.
pub const MIN_POINTS: u32 = 5;

/// Out-of-tier Han characters per 1,000 Han characters from which they are
/// damage by themselves (with at least [`MIN_OUT_OF_TIER`] of them): real
/// prose stays well below, a misaligned stretch is around half.
pub const OUT_OF_TIER_PER_MILLE: u32 = 250;

/// The fewest out-of-tier Han characters that are damage by themselves.
pub const MIN_OUT_OF_TIER: u32 = 6;

/// The damaged segments of `text`, in order. `segments` are spans of
/// `text` (as a scan cuts it); the text's writing (Chinese, Japanese,
/// Korean) is read from all its segments, so a short segment is judged as
/// what the document is written in (a Chinese segment in its own variant).
///
/// ```
/// use doppel::document::LineIndex;
/// use doppel::quality::{findings, DamageKind};
/// let text = "我們的國家和人民。\n\n候選人?h以上人大代表\n";
/// let index = LineIndex::new(text);
/// let segments = [index.span(0..27), index.span(29..text.len() - 1)];
/// let found = findings(text, &segments);
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].lines.first, 3);
/// assert!(found[0].kinds.contains(&DamageKind::QuestionInCjk));
/// ```
pub fn findings(text: &str, segments: &[Span]) -> Vec<DamageFinding> {
    if text.is_ascii() {
        return Vec::new();
    }
    // One pass counts each segment's letters (their sum is the text's) and
    // the characters a mark can be made of.
    let classes = Classes::get();
    let mut total = Counts::default();
    let counted: Vec<(&Span, Counts, usize)> = segments
        .iter()
        .filter(|span| !text[span.bytes.clone()].is_ascii())
        .map(|span| {
            let (counts, may_mark) = marks::read(&text[span.bytes.clone()], classes);
            total.merge(&counts);
            (span, counts, may_mark)
        })
        .collect();
    let writing = Writing::of_counts(&total);
    let mut chars = Vec::new();
    let mut found = Vec::new();
    let vocabulary = realign::Vocabulary::of(text);
    for (span, counts, may_mark) in counted {
        let writing = writing.of_segment(&counts);
        if !marks::needs_scan(writing, &counts, may_mark, &text[span.bytes.clone()]) {
            // Only Latin mojibake can be there.
            let mut finding = None;
            add_mojibake(&mut finding, text, span);
            found.extend(finding);
            continue;
        }
        chars.clear();
        chars.extend(text[span.bytes.clone()].chars());
        let mut marks = Scanner::marks(&chars, writing);
        let mut kinds = verdict(&marks, writing);
        // Realignment only where some mark gives a reason to look, or of
        // the stretches before a lone ASCII byte that may be a trail byte
        // (`ル＝[ト`): a segment without either has no odd character to
        // read better.
        let lone_bytes = !marks.lone_bytes.is_empty();
        if kinds.is_none() && (marks.any() || lone_bytes) {
            let only_before_lone_bytes = !marks.any();
            if let Some(stretch) = realign::misaligned(
                &chars,
                writing.variant(),
                &vocabulary,
                only_before_lone_bytes,
            ) {
                marks.add_misaligned(stretch, REALIGNED_POINTS);
                kinds = verdict(&marks, writing);
            }
        }
        if kinds.is_none() && lone_bytes {
            let lone = std::mem::take(&mut marks.lone_bytes);
            if let Some(at) = realign::lone_trail(&chars, &lone, writing.variant(), &vocabulary) {
                marks.add_proved(DamageKind::StrayAscii, at..at + 1, REALIGNED_POINTS);
                kinds = verdict(&marks, writing);
            }
        }
        let mut finding = kinds.map(|kinds| {
            let marked = marks.marked.clone().unwrap_or(0..0);
            let offset = |at: usize| -> usize {
                span.bytes.start + chars[..at].iter().map(|c| c.len_utf8()).sum::<usize>()
            };
            DamageFinding {
                kinds,
                bytes: span.bytes.clone(),
                lines: span.lines,
                marked: offset(marked.start)..offset(marked.end),
                score: marks.total(),
            }
        });
        add_mojibake(&mut finding, text, span);
        found.extend(finding);
    }
    found
}

/// Points of a stretch that reads as plainer text one byte later
/// ([`realign`]): damage on its own.
const REALIGNED_POINTS: u32 = 4;

/// Points of one stretch of Latin mojibake: like U+FFFD, it is damage on
/// its own.
const MOJIBAKE_POINTS: u32 = 4;

/// Adds the Latin mojibake of `span` ([`mojibake::detect`]) to its finding,
/// making one when the segment showed no other damage.
fn add_mojibake(finding: &mut Option<DamageFinding>, text: &str, span: &Span) {
    let segment = &text[span.bytes.clone()];
    if !mojibake::may_hold(segment) {
        return;
    }
    let repairs = mojibake::detect(segment);
    let (Some(first), Some(last)) = (repairs.first(), repairs.last()) else {
        return;
    };
    let first_char = |at: usize| segment[at..].chars().next().map_or(0, char::len_utf8);
    let start = span.bytes.start + first.bytes.start;
    let end = span.bytes.start + last.bytes.start + first_char(last.bytes.start);
    let found = finding.get_or_insert_with(|| DamageFinding {
        kinds: Vec::new(),
        bytes: span.bytes.clone(),
        lines: span.lines,
        marked: start..end,
        score: 0,
    });
    found.kinds.push(DamageKind::Mojibake);
    found.kinds.sort();
    found.kinds.dedup();
    found.marked = found.marked.start.min(start)..found.marked.end.max(end);
    found.score += MOJIBAKE_POINTS * repairs.len() as u32;
}

/// The kinds of damage `marks` show, when they are enough to call the
/// segment damaged.
fn verdict(marks: &Marks, writing: Writing) -> Option<Vec<DamageKind>> {
    let tier_points = marks.points[DamageKind::OutOfTier.index()];
    let chinese = matches!(writing, Writing::Chinese(_));
    let dense_tier = chinese
        && marks.out_of_tier >= MIN_OUT_OF_TIER
        && u64::from(marks.out_of_tier) * 1000
            >= u64::from(OUT_OF_TIER_PER_MILLE) * marks.han as u64;
    let damaged = marks.decisive > 0
        || marks.bursts > 0
        || marks.total() - tier_points >= MIN_POINTS
        || dense_tier;
    if !damaged {
        return None;
    }
    let mut kinds: Vec<DamageKind> = DamageKind::ALL
        .into_iter()
        .filter(|kind| marks.points[kind.index()] > 0)
        .collect();
    if marks.bursts > 0 && !kinds.contains(&DamageKind::Misaligned) {
        kinds.push(DamageKind::Misaligned);
        kinds.sort();
    }
    Some(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::LineIndex;
    use proptest::prelude::*;

    /// The findings of `text` taken as one segment.
    fn found(text: &str) -> Vec<DamageFinding> {
        let index = LineIndex::new(text);
        findings(text, &[index.span(0..text.len())])
    }

    fn kinds(text: &str) -> Vec<DamageKind> {
        found(text).pop().map(|f| f.kinds).unwrap_or_default()
    }

    #[test]
    fn quality_findings_each_kind_is_named() {
        assert_eq!(kinds("我們的國家\u{FFFD}人民"), [DamageKind::Replacement]);
        assert_eq!(kinds("候選人?h以上"), [DamageKind::QuestionInCjk]);
        assert_eq!(
            kinds("候選人。h縣以上的代表。a了"),
            [DamageKind::StrayAscii]
        );
        assert_eq!(kinds("我們\u{E2F2}國家"), [DamageKind::PrivateUse]);
        assert!(kinds("國家鶎R聚起").contains(&DamageKind::Misaligned));
        assert!(kinds("日本語の文章でｱ漢字が混ざるｲと壊れている").contains(&DamageKind::Misaligned));
        assert!(kinds("한국어 문장입니다漢국어 그리고語다").contains(&DamageKind::Misaligned));
    }

    #[test]
    fn quality_findings_a_c1_control_is_an_unread_byte() {
        // Shift_JIS `0x80` decodes to U+0080: no character, a byte the
        // table lacks.
        assert_eq!(
            kinds("システム\u{80}のバージョン"),
            [DamageKind::Replacement]
        );
        assert_eq!(kinds("システムのバージョン"), []);
    }

    #[test]
    fn quality_findings_a_lost_lead_byte_the_document_vouches_for() {
        // `如果` in Big5 with the lead byte of `如` lost leaves `p果`; the
        // page says `如果` again, so the `p` is the trail byte of `如`. (A
        // segment opening with a letter is not looked at: manual pages
        // open paragraphs with option letters, `Gライブラリ`.)
        let text = "沒有設定。p果有的話，就顯示它。如果沒有，就不顯示。";
        assert_eq!(kinds(text), [DamageKind::StrayAscii]);
        assert_eq!(
            kinds("沒有設定。如果有的話，就顯示它。如果沒有，就不顯示。"),
            []
        );
        assert_eq!(kinds("沒有設定。p果有的話，就顯示它。"), []);
    }

    #[test]
    fn quality_findings_clean_text_has_none() {
        for text in [
            "plain ASCII text? With a question.",
            "你知道明天几点开会吗?我还没收到通知。",
            "宫崎骏的动画《となりのトトロ》在中国也很有名。",
            "古书里常见的“魑魅魍魉”“饕餮”这些词，现代汉语里已经很少用到了。",
            "维生素C和维生素E都是常见的抗氧化剂。",
            "操作步骤：①打开电源；②按下启动按钮；③等待指示灯变绿。",
            "大韓民國(대한민국)의 수도는 서울이다.",
            "電気ケトルの使い方を説明します。",
            "Ça coûte 5 € — naïve café.",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn quality_findings_see_a_trail_byte_left_after_an_uncommon_character() {
        // Big5 with a lead byte lost: the misread character is uncommon
        // and the trail byte reads as a letter before a space or `.`.
        assert!(!found("helloworld 核心模組 的 演示僄佶m.").is_empty());
        assert!(!found("核心模組 的 演示僄佶m) 見 模組 源程式").is_empty());
        // After a common character a letter is an option or a name.
        assert!(found("使用選項c 時，設定值為n.").is_empty());
    }

    #[test]
    fn quality_findings_see_a_trail_byte_read_as_a_capital_or_a_lone_brace() {
        for text in [
            // Big5 with a lead byte lost: the trail byte reads as a
            // capital (the comma's `A`) or a brace glued between Han
            // characters.
            "為使用這條命令A你必須以資料庫超級使用者登入。",
            "依賴於 option 引數，它可H有下列一些形式。",
            "這個手冊頁主要描述 ARE，在一些朴{式中反向相容。",
            "要宣告用於這種型別}列的外部形式的數值之間的分隔符。",
            "RESTRICT如果有依賴物件存在，則拒絕刪除此檢視。這個是預]值。",
            // Shift_JIS: a capital glued between kana, a full-width
            // letter running into an ASCII letter or a half-width kana.
            "選択されたチェインにある全てのルールを表示するBチェインが指定されない場合。",
            "sfdisk ａAfdisk と違って、標準的なパーティションを作成しない。",
            "一致する数を N に制限しｂｷ。",
            "この際にャJーソル位置は変わらない。",
        ] {
            assert!(!found(text).is_empty(), "{text}");
        }
        // Capitals that name things, units, classes, paired and quoted
        // brackets are prose.
        for text in [
            "這個程式用C語言寫成，在X視窗下執行。",
            "mss M把基於此路由之上的連線的TCP最大報文段長度設為M位元組。",
            "硬碟要幾百M就夠了，這是A類網路。",
            "用{大小}表示區塊的長度。",
            "このコマンドはCプログラムを読む。",
            "システムVの仕様に従う。",
            "代わりにNという文字を表示する。",
            "服务器A和服务器B之间的连接。",
            "サーバーAとサーバーBを接続する。",
            "ＡＢＣ社の製品です。",
            "例如，135是ASCII中的]而135不終結一個方括號表示式。",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn quality_findings_see_korean_misread_as_hanja_kana_and_symbols() {
        // EUC-KR misread one byte out of step, as planted by the
        // evaluation: a question ending cut by a full stop, a `?` after a
        // symbol, kana glued to Hangul, Hanja standing alone as a word,
        // and after a syllable a bracket left open, a lone jamo, an
        // enclosed character or `÷`.
        for text in [
            "사용자 재량에 따라야 함을 요구합니?. 따라서 사용자는",
            "데비안의 목표는 바꾸는 것이 아니며, 슷┠? 데비안은 이익을 얻습니다.",
            "그래픽 프로그렛【? 사용하는 경우",
            "커널 외에 \"리そ?\" 시스템이 필요합니다.",
            "지불, 아파ダ遣轅 하드웨어 포함",
            "즉, 릴리스 京 보안 취약점이 발견된 패키지만 업그레이드 합니다.",
            "많은 사람이 생▤爛求. 보통 매주 업로드합니다.",
            "치명적인 버그 셉ㅐ 없으면 unstable 에서 옮겨집니다.",
            "보통 명령행에【 시스템을 업데이트합니다.",
            "리눅스는 만㈌ 토발즈와 전세계 개발자가 만들었습니다.",
            "stable에는 가÷ 최신 버전이 없습니다.",
        ] {
            assert!(!found(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn quality_findings_leave_korean_hanja_and_questions_alone() {
        for text in [
            "어떻게 데비안을 도울 수 있나요? 도 읽어보십시오.",
            "美 국무부는 北 미사일 발사를 규탄했다.",
            "與野 원내대표가 국회에서 만났다.",
            "이순신(李舜臣) 장군은 조선의 명장이다.",
            "그는 「春香傳」을 읽었다.",
            "정말 그런가요?... 잘 모르겠어요.",
            "일본어 「こんにちは」는 안녕하세요라는 뜻입니다.",
            "회사명은 ㈜데비안코리아입니다.",
            "좋아요ㅋㅋ 진짜 재밌다ㅎ 고마워ㅠ 다음에 봐요",
            "가로×세로 크기는 84㎡입니다.",
            "제목【속보】 지진 발생, 「공지」 사항을 읽으세요.",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn quality_findings_give_the_segment_and_where_to_look() {
        let text = "第一段沒有問題。\n\n候選人?h以上人大代表\n";
        let index = LineIndex::new(text);
        let first = index.span(0..24);
        let second = index.span(26..text.len() - 1);
        let found = findings(text, &[first.clone(), second.clone()]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].bytes, second.bytes);
        assert_eq!((found[0].lines.first, found[0].lines.last), (3, 3));
        assert_eq!(&text[found[0].marked.clone()], "?");
        let damage = DocumentDamage::of(text, &[first, second]);
        assert_eq!(damage.score, found[0].score);
        assert_eq!(damage.damaged_bytes(), found[0].bytes.len());
    }

    #[test]
    fn quality_findings_see_a_trail_byte_left_at_the_end() {
        // `檔案。` in Big5 with the trail byte of 案 lost: the full stop's
        // trail byte is left alone as `C`, which prose never leaves glued
        // to the end of a segment.
        assert_eq!(
            kinds("這是系統中已經刪除了的檔恣C"),
            [DamageKind::StrayAscii]
        );
        assert!(kinds("這是系統中已經刪除了的檔案。").is_empty());
    }

    #[test]
    fn quality_findings_see_a_misalignment_of_common_characters() {
        // GBK with the second byte of 在 lost, read on: every character of
        // the tail is a real one, and only reading it a byte later shows
        // what it was.
        let clean = "我们今天在会议上讨论了明年的计划和预算。";
        let (bytes, _, _) = encoding_rs::GBK.encode(clean);
        let mut bytes = bytes.into_owned();
        bytes.remove(9);
        let (damaged, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
        let damaged = damaged.replace('\u{FFFD}', "");
        let found = found(&damaged);
        assert_eq!(found.len(), 1, "{damaged}");
        assert!(found[0].kinds.contains(&DamageKind::Misaligned));
        assert!(found[0].marked.start >= "我们今天".len(), "{damaged}");
    }

    #[test]
    fn quality_findings_report_latin_mojibake() {
        assert_eq!(DamageKind::Mojibake.name(), "mojibake");
        assert_eq!(kinds("CafÃ© au lait, naÃ¯ve"), [DamageKind::Mojibake]);
        assert!(kinds("Café au lait, naïve, SÃO PAULO").is_empty());
    }

    proptest! {
        #[test]
        fn quality_findings_stay_inside_their_segments(text in "[a-z?。、我們國家的鶎粦\u{FFFD}\u{E2F2}ｱア한 \n]{0,60}") {
            let index = LineIndex::new(&text);
            let segments = crate::segment::Segmenter::new(crate::Granularity::Auto)
                .segment_indexed(&text, &index);
            for found in findings(&text, &segments) {
                prop_assert!(segments.iter().any(|s| s.bytes == found.bytes));
                prop_assert!(found.bytes.start <= found.marked.start);
                prop_assert!(found.marked.end <= found.bytes.end);
                prop_assert!(text.is_char_boundary(found.marked.start));
                prop_assert!(text.is_char_boundary(found.marked.end));
                prop_assert!(found.score > 0 && !found.kinds.is_empty());
            }
        }
    }
}
