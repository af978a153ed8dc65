//! Planted encoding damage and its labelled evaluation, shared by
//! `tests/damage_eval.rs` (a small committed sample) and
//! `benches/damage_eval.rs` (the full Debian texts), each including this file
//! with `#[path]`.
//!
//! Damage is made the way a broken pipeline makes it: a paragraph is encoded
//! to its legacy double-byte encoding with encoding_rs, one byte inside a
//! double-byte character is dropped or doubled, and the bytes are decoded
//! again. What the decoder does with bytes it cannot read is the
//! pipeline's habit: U+FFFD, `?`, or nothing (dropped, like `iconv -c`).
//!
//! Damage that leaves no trace is drawn again, and counted: when the
//! decoder drops what it cannot read, a lost byte sometimes takes exactly
//! one or more whole characters with it (`데비안 위키` → `데비 위키`), and
//! what is left is clean text with a word cut short, which nothing but a
//! clean twin can show. [`Drawn::traceless`] says how often that happened.

#![allow(dead_code)]

use encoding_rs::{Encoding, BIG5, EUC_KR, GBK, SHIFT_JIS};

use super::rng::Rng;

/// A language of the evaluation, its sample, and the encoding its damage
/// goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Language {
    pub name: &'static str,
    pub file: &'static str,
    /// `None`: clean documents only (Latin text has no double-byte
    /// encoding to misalign).
    pub encoding: Option<&'static Encoding>,
}

pub const LANGUAGES: [Language; 5] = [
    Language {
        name: "Chinese (Simplified), GBK",
        file: "zh_hans.txt",
        encoding: Some(GBK),
    },
    Language {
        name: "Chinese (Traditional), Big5",
        file: "zh_hant.txt",
        encoding: Some(BIG5),
    },
    Language {
        name: "Japanese, Shift_JIS",
        file: "ja.txt",
        encoding: Some(SHIFT_JIS),
    },
    Language {
        name: "Korean, EUC-KR",
        file: "ko.txt",
        encoding: Some(EUC_KR),
    },
    Language {
        name: "English",
        file: "en.txt",
        encoding: None,
    },
];

/// What a broken decoder makes of bytes it cannot read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Habit {
    Replacement,
    Question,
    Dropped,
}

/// `paragraph` encoded to `encoding`, one byte of a double-byte character
/// dropped or doubled, decoded again with `habit`; `None` when the
/// paragraph cannot be encoded, has no double-byte character, or comes back
/// unchanged.
pub fn plant(
    paragraph: &str,
    encoding: &'static Encoding,
    habit: Habit,
    rng: &mut Rng,
) -> Option<String> {
    let (bytes, _, unmappable) = encoding.encode(paragraph);
    if unmappable {
        return None;
    }
    let mut bytes = bytes.into_owned();
    let high: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] >= 0x80).collect();
    if high.is_empty() {
        return None;
    }
    let at = high[rng.below(high.len())];
    if rng.chance(0.5) {
        bytes.remove(at);
    } else {
        let byte = bytes[at];
        bytes.insert(at, byte);
    }
    let (decoded, _) = encoding.decode_without_bom_handling(&bytes);
    let damaged: String = match habit {
        Habit::Replacement => decoded.into_owned(),
        Habit::Question => decoded.replace('\u{FFFD}', "?"),
        Habit::Dropped => decoded.replace('\u{FFFD}', ""),
    };
    (damaged != paragraph).then_some(damaged)
}

/// Whether `damaged` is `original` with whole characters removed and
/// nothing else changed: damage that leaves no trace in the text.
pub fn leaves_no_trace(original: &str, damaged: &str) -> bool {
    let mut rest = original.chars();
    damaged.len() < original.len() && damaged.chars().all(|c| rest.any(|o| o == c))
}

/// One document of the evaluation: its paragraphs, and which were damaged.
pub struct Labelled {
    pub language: usize,
    pub paragraphs: Vec<String>,
    pub damaged: Vec<bool>,
}

impl Labelled {
    pub fn text(&self) -> String {
        self.paragraphs.join("\n\n") + "\n"
    }

    pub fn is_damaged(&self) -> bool {
        self.damaged.contains(&true)
    }
}

/// The documents of one language, and how many plantings were drawn
/// again because they left no trace ([`leaves_no_trace`]).
pub struct Drawn {
    pub docs: Vec<Labelled>,
    pub planted: usize,
    pub traceless: usize,
}

/// `count` documents of 2 to 6 consecutive paragraphs of `paragraphs`
/// (language `language`), every second one with one or two paragraphs
/// damaged, each with a habit drawn at random.
pub fn documents(language: usize, paragraphs: &[String], count: usize, rng: &mut Rng) -> Drawn {
    let encoding = LANGUAGES[language].encoding;
    let (mut planted, mut traceless) = (0, 0);
    let mut out = Vec::new();
    let mut tries = 0;
    while out.len() < count && tries < count * 20 && paragraphs.len() >= 2 {
        tries += 1;
        let len = rng.range(2, 6.min(paragraphs.len()));
        let start = rng.below(paragraphs.len() - len + 1);
        let mut doc = Labelled {
            language,
            paragraphs: paragraphs[start..start + len].to_vec(),
            damaged: vec![false; len],
        };
        let want_damage = encoding.is_some() && out.len() % 2 == 1;
        if let (true, Some(encoding)) = (want_damage, encoding) {
            let times = if rng.chance(0.3) { 2 } else { 1 };
            for _ in 0..times {
                let which = rng.below(len);
                let habit = [Habit::Replacement, Habit::Question, Habit::Dropped][rng.below(3)];
                if let Some(damaged) = plant(&doc.paragraphs[which], encoding, habit, rng) {
                    planted += 1;
                    if leaves_no_trace(&doc.paragraphs[which], &damaged) {
                        traceless += 1;
                        continue;
                    }
                    doc.paragraphs[which] = damaged;
                    doc.damaged[which] = true;
                }
            }
            if !doc.is_damaged() {
                continue;
            }
        }
        out.push(doc);
    }
    Drawn {
        docs: out,
        planted,
        traceless,
    }
}

/// Counts of a binary classification.
#[derive(Clone, Copy, Debug, Default)]
pub struct Confusion {
    pub true_positive: usize,
    pub false_positive: usize,
    pub false_negative: usize,
    pub true_negative: usize,
}

impl Confusion {
    pub fn add(&mut self, truth: bool, said: bool) {
        match (truth, said) {
            (true, true) => self.true_positive += 1,
            (false, true) => self.false_positive += 1,
            (true, false) => self.false_negative += 1,
            (false, false) => self.true_negative += 1,
        }
    }

    pub fn precision(&self) -> f64 {
        let said = self.true_positive + self.false_positive;
        if said == 0 {
            1.0
        } else {
            self.true_positive as f64 / said as f64
        }
    }

    pub fn recall(&self) -> f64 {
        let truth = self.true_positive + self.false_negative;
        if truth == 0 {
            1.0
        } else {
            self.true_positive as f64 / truth as f64
        }
    }

    pub fn merge(&mut self, other: &Confusion) {
        self.true_positive += other.true_positive;
        self.false_positive += other.false_positive;
        self.false_negative += other.false_negative;
        self.true_negative += other.true_negative;
    }
}

/// Document- and paragraph-level confusion of [`doppel::quality::findings`]
/// over `docs`, with paragraphs as the segments; the paragraphs it got
/// wrong are handed to `wrong` (truth, text).
pub fn evaluate(docs: &[Labelled], mut wrong: impl FnMut(bool, &str)) -> (Confusion, Confusion) {
    let (mut documents, mut paragraphs) = (Confusion::default(), Confusion::default());
    for doc in docs {
        let text = doc.text();
        let index = doppel::document::LineIndex::new(&text);
        let mut spans = Vec::new();
        let mut start = 0;
        for paragraph in &doc.paragraphs {
            spans.push(index.span(start..start + paragraph.len()));
            start += paragraph.len() + 2;
        }
        let found = doppel::quality::findings(&text, &spans);
        let said: Vec<bool> = spans
            .iter()
            .map(|span| found.iter().any(|f| f.bytes == span.bytes))
            .collect();
        for ((&truth, &flagged), paragraph) in doc.damaged.iter().zip(&said).zip(&doc.paragraphs) {
            paragraphs.add(truth, flagged);
            if truth != flagged {
                wrong(truth, paragraph);
            }
        }
        documents.add(doc.is_damaged(), said.contains(&true));
    }
    (documents, paragraphs)
}
