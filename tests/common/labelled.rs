//! A deterministic labelled corpus for measuring duplicate detection.
//!
//! Shared by `tests/labelled.rs` (quality), `benches/corpus.rs` (speed) and
//! `examples/labelled_corpus.rs` (the gigabyte corpora of
//! `benches/corpus_run.sh`), each including this file with `#[path]`.
//!
//! Documents come in **families** made from one original: exact copies (some
//! differing only in case, which normalization folds), near copies at known
//! edit rates (word or character substitutions, insertions, deletions,
//! typos), copies with their paragraphs reordered, the same article on other
//! sites (other boilerplate), re-crawls with a new footer, chains of copies of
//! copies, large syndicated families, and short documents ("Page 3 of 10",
//! "第3页，共10页") of which most are distinct but look alike. Every document
//! but the short ones carries its site's header and footer. Half the sites
//! write Chinese, half Latin-script text; text is drawn from fixed
//! vocabularies with a seeded PRNG, so a seed always gives the same corpus.
//!
//! The generator knows the true Jaccard similarity of every pair it labels:
//! [`shingle_set`] is doppel's own definition (the union of the shingles of a
//! document's segments, 64-bit hashes), computed with doppel's
//! [`Segmenter`](doppel::Segmenter) and [`Fingerprinter`](doppel::Fingerprinter).
//! [`Corpus::labels`] holds every pair inside a family; [`pairs_at_least`]
//! finds every pair of a whole corpus above a threshold, across families too.

#![allow(dead_code)]

#[path = "rng.rs"]
mod rng;
pub use rng::Rng;

use std::collections::HashMap;
use std::io::{self, Write};

use doppel::{Fingerprinter, Granularity, Segmenter, ShingleConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    Latin,
    Cjk,
}

const FUNCTION_WORDS: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "by", "at",
    "from", "was", "it", "be", "are", "this", "which", "or", "an", "not", "but", "has", "had",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mer", "tin", "sa", "ve", "ro", "an", "de", "li", "po", "run", "sel", "ta", "mi",
    "gor", "ne", "bu", "fal", "qui", "stra", "pen", "cor", "dal", "vi", "ton", "mar", "el", "ris",
    "ob", "ul", "tra", "hen", "wic", "jo", "zan", "ex", "ble", "mon", "ster", "ga", "pli", "sco",
    "nar", "thu", "vel", "ash", "drin", "fo", "lum",
];

/// Common Han characters, most frequent first (roughly).
const HAN: &str = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域";

/// A site: its language and the header and footer every page of it carries.
#[derive(Clone, Debug)]
pub struct Site {
    pub name: String,
    pub script: Script,
    pub header: Vec<String>,
    pub footer: Vec<String>,
}

/// What a document is, relative to its family's original.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    Original,
    /// The same text (or differing only in case).
    Exact,
    /// Edited at `rate` edits per unit.
    Near {
        rate: f64,
    },
    /// Paragraphs in another order, then edited at `rate`.
    Reordered {
        rate: f64,
    },
    /// The same body on another site, edited at `rate`.
    OtherSite {
        rate: f64,
    },
    /// The same page with a new footer and perhaps a new paragraph.
    Recrawl,
    /// A short document (a few words).
    Short,
}

/// One generated document.
#[derive(Clone, Debug)]
pub struct Doc {
    pub id: String,
    pub site: String,
    pub text: String,
    pub family: u32,
    pub role: Role,
}

impl Doc {
    /// The document as one JSON Lines line (without its newline).
    pub fn to_json(&self) -> String {
        serde_json::json!({"id": self.id, "text": self.text, "site": self.site}).to_string()
    }
}

/// A body: paragraphs of tokens (words with their punctuation, or characters).
#[derive(Clone, Debug)]
struct Body {
    script: Script,
    paragraphs: Vec<Vec<String>>,
}

impl Body {
    fn render(&self) -> Vec<String> {
        let sep = match self.script {
            Script::Latin => " ",
            Script::Cjk => "",
        };
        self.paragraphs.iter().map(|p| p.join(sep)).collect()
    }
}

/// Sizes and proportions of a corpus.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    pub sites: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: 0xD0_99E1,
            sites: 24,
        }
    }
}

/// Makes families one at a time: a corpus of any size streams through it.
pub struct Generator {
    rng: Rng,
    words: Vec<String>,
    han: Vec<char>,
    sites: Vec<Site>,
    family: u32,
}

/// Edit rates of near copies: both sides of a 0.8 Jaccard threshold.
const RATES: &[f64] = &[0.002, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15];

impl Generator {
    pub fn new(config: &Config) -> Generator {
        let mut rng = Rng::new(config.seed);
        let words = vocabulary(&mut Rng::new(0x5EED_0001), 4000);
        let han: Vec<char> = HAN.chars().collect();
        let mut generator = Generator {
            rng: Rng::new(0),
            words,
            han,
            sites: Vec::new(),
            family: 0,
        };
        for at in 0..config.sites {
            let script = if at % 2 == 0 {
                Script::Latin
            } else {
                Script::Cjk
            };
            let site = generator.site(&mut rng, at, script);
            generator.sites.push(site);
        }
        generator.rng = rng;
        generator
    }

    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// The next family of documents: an original and its copies.
    pub fn next_family(&mut self) -> Vec<Doc> {
        let family = self.family;
        self.family += 1;
        let mut r = std::mem::replace(&mut self.rng, Rng::new(0));
        let roll = r.unit();
        let mut docs = if roll < 0.10 {
            self.short_family(&mut r)
        } else {
            let site = r.below(self.sites.len());
            let body = self.body(&mut r, self.sites[site].script);
            let mut docs = vec![(Role::Original, site, self.page(site, &body))];
            self.copies(&mut r, roll, site, &body, &mut docs);
            docs.into_iter()
                .map(|(role, site, text)| (role, self.sites[site].name.clone(), text))
                .collect()
        };
        self.rng = r;
        docs.iter_mut()
            .enumerate()
            .map(|(member, (role, site, text))| Doc {
                id: format!("f{family}-{member}"),
                site: std::mem::take(site),
                text: std::mem::take(text),
                family,
                role: role.clone(),
            })
            .collect()
    }

    /// Adds the copies a family of kind `roll` has.
    fn copies(
        &self,
        r: &mut Rng,
        roll: f64,
        site: usize,
        body: &Body,
        docs: &mut Vec<(Role, usize, String)>,
    ) {
        match roll {
            x if x < 0.55 => {} // a unique document
            x if x < 0.65 => {
                for _ in 0..r.range(1, 3) {
                    let mut copy = body.clone();
                    if r.chance(0.5) {
                        let at = r.below(copy.paragraphs.len());
                        for token in &mut copy.paragraphs[at] {
                            *token = token.to_uppercase();
                        }
                    }
                    docs.push((Role::Exact, site, self.page(site, &copy)));
                }
            }
            x if x < 0.83 => {
                for _ in 0..r.range(1, 4) {
                    let rate = *r.pick(RATES);
                    let copy = self.edited(r, body, rate);
                    docs.push((Role::Near { rate }, site, self.page(site, &copy)));
                }
            }
            x if x < 0.89 => {
                for _ in 0..r.range(1, 2) {
                    let rate = *r.pick(&[0.0, 0.0, 0.01, 0.03]);
                    let mut copy = self.edited(r, body, rate);
                    r.shuffle(&mut copy.paragraphs);
                    docs.push((Role::Reordered { rate }, site, self.page(site, &copy)));
                }
            }
            x if x < 0.95 => {
                for _ in 0..r.range(1, 2) {
                    let other = self.same_script_site(r, body.script);
                    let rate = *r.pick(&[0.0, 0.0, 0.005, 0.02]);
                    let copy = self.edited(r, body, rate);
                    docs.push((Role::OtherSite { rate }, other, self.page(other, &copy)));
                }
            }
            x if x < 0.97 => {
                let mut copy = body.clone();
                if r.chance(0.5) {
                    let extra = self.body(r, body.script);
                    copy.paragraphs.push(extra.paragraphs[0].clone());
                }
                let mut text = self.page(site, &copy);
                text.push_str(&self.recrawl_line(r, body.script));
                docs.push((Role::Recrawl, site, text));
            }
            x if x < 0.99 => {
                // A chain: each copy edits the one before it.
                let mut last = body.clone();
                for _ in 0..r.range(2, 4) {
                    let rate = *r.pick(&[0.01, 0.02, 0.03]);
                    last = self.edited(r, &last, rate);
                    docs.push((Role::Near { rate }, site, self.page(site, &last)));
                }
            }
            _ => {
                // Syndicated: many light copies, some exact.
                for _ in 0..r.range(20, 40) {
                    if r.chance(0.3) {
                        docs.push((Role::Exact, site, self.page(site, body)));
                    } else {
                        let rate = *r.pick(&[0.002, 0.005, 0.01]);
                        let copy = self.edited(r, body, rate);
                        docs.push((Role::Near { rate }, site, self.page(site, &copy)));
                    }
                }
            }
        }
    }

    fn same_script_site(&self, r: &mut Rng, script: Script) -> usize {
        loop {
            let at = r.below(self.sites.len());
            if self.sites[at].script == script {
                return at;
            }
        }
    }

    /// A page: the site's header, the body and the site's footer.
    fn page(&self, site: usize, body: &Body) -> String {
        let site = &self.sites[site];
        let mut text = site.header.join("\n");
        for paragraph in body.render() {
            text.push_str("\n\n");
            text.push_str(&paragraph);
        }
        text.push_str("\n\n");
        text.push_str(&site.footer.join("\n"));
        text.push('\n');
        text
    }

    fn recrawl_line(&self, r: &mut Rng, script: Script) -> String {
        let (y, m, d) = (r.range(2015, 2025), r.range(1, 12), r.range(1, 28));
        match script {
            Script::Latin => format!("Retrieved {y}-{m:02}-{d:02}\n"),
            Script::Cjk => format!("抓取于{y}年{m}月{d}日\n"),
        }
    }

    /// A copy of `body` with `rate` edits per token: substitutions,
    /// insertions, deletions and (Latin) one-letter typos.
    fn edited(&self, r: &mut Rng, body: &Body, rate: f64) -> Body {
        let mut out = body.clone();
        for paragraph in &mut out.paragraphs {
            let mut edited = Vec::with_capacity(paragraph.len() + 4);
            for token in paragraph.drain(..) {
                if is_punctuation(&token) || !r.chance(rate) {
                    edited.push(token);
                    continue;
                }
                match r.below(4) {
                    0 => edited.push(self.token(r, body.script)),
                    1 => {
                        edited.push(token);
                        edited.push(self.token(r, body.script));
                    }
                    2 => {}
                    _ => edited.push(self.typo(r, &token, body.script)),
                }
            }
            if edited.is_empty() {
                edited.push(self.token(r, body.script));
            }
            *paragraph = edited;
        }
        out
    }

    fn typo(&self, r: &mut Rng, token: &str, script: Script) -> String {
        let chars: Vec<char> = token.chars().collect();
        if script == Script::Cjk || chars.len() < 2 {
            return self.token(r, script);
        }
        let at = r.below(chars.len());
        let mut out: String = chars[..at].iter().collect();
        out.push(if chars[at] == 'x' { 'q' } else { 'x' });
        out.extend(&chars[at + 1..]);
        out
    }

    fn token(&self, r: &mut Rng, script: Script) -> String {
        match script {
            Script::Latin => self.word(r).to_owned(),
            Script::Cjk => self.han[r.skewed(self.han.len())].to_string(),
        }
    }

    fn word<'a>(&'a self, r: &mut Rng) -> &'a str {
        if r.chance(0.3) {
            FUNCTION_WORDS[r.below(FUNCTION_WORDS.len())]
        } else {
            &self.words[r.skewed(self.words.len())]
        }
    }

    /// A body of 2–9 paragraphs.
    fn body(&self, r: &mut Rng, script: Script) -> Body {
        let paragraphs = (0..r.range(2, 9))
            .map(|_| self.paragraph(r, script))
            .collect();
        Body { script, paragraphs }
    }

    fn paragraph(&self, r: &mut Rng, script: Script) -> Vec<String> {
        let mut tokens = Vec::new();
        for _ in 0..r.range(2, 6) {
            match script {
                Script::Latin => {
                    let start = tokens.len();
                    for _ in 0..r.range(6, 18) {
                        tokens.push(self.word(r).to_owned());
                    }
                    tokens[start] = capitalized(&tokens[start]);
                    if let Some(last) = tokens.last_mut() {
                        last.push('.');
                    }
                }
                Script::Cjk => {
                    for at in 0..r.range(8, 30) {
                        if at > 4 && r.chance(0.08) {
                            tokens.push("，".to_owned());
                        }
                        tokens.push(self.han[r.skewed(self.han.len())].to_string());
                    }
                    tokens.push("。".to_owned());
                }
            }
        }
        tokens
    }

    /// A family of short documents from one template: mostly distinct,
    /// sometimes an exact repeat.
    fn short_family(&self, r: &mut Rng) -> Vec<(Role, String, String)> {
        let site = r.below(self.sites.len());
        let script = self.sites[site].script;
        let template = r.below(6);
        let mut seen: Vec<String> = Vec::new();
        let mut docs = Vec::new();
        for _ in 0..r.range(1, 5) {
            let text = if !seen.is_empty() && r.chance(0.2) {
                r.pick(&seen).clone()
            } else {
                self.short_text(r, script, template)
            };
            seen.push(text.clone());
            docs.push((Role::Short, self.sites[site].name.clone(), text));
        }
        docs
    }

    fn short_text(&self, r: &mut Rng, script: Script, template: usize) -> String {
        let (a, b) = (r.range(1, 60), r.range(60, 99));
        let (y, m, d) = (r.range(2015, 2025), r.range(1, 12), r.range(1, 28));
        match (script, template) {
            (Script::Latin, 0) => format!("Page {a} of {b}"),
            (Script::Latin, 1) => format!("Showing {a} to {b} of {} results", a * b),
            (Script::Latin, 2) => format!("Posted by {} on {y}-{m:02}-{d:02}", self.word(r)),
            (Script::Latin, 3) => format!("{a} comments"),
            (Script::Latin, 4) => format!("Chapter {a}: {}", capitalized(self.word(r))),
            (Script::Latin, _) => format!("Error {}: page not found", 400 + a),
            (Script::Cjk, 0) => format!("第{a}页，共{b}页"),
            (Script::Cjk, 1) => format!("发布时间：{y}年{m}月{d}日"),
            (Script::Cjk, 2) => format!("{a}条评论"),
            (Script::Cjk, 3) => {
                format!("第{a}章 {}{}", self.token(r, script), self.token(r, script))
            }
            (Script::Cjk, 4) => format!("阅读 {a}{b} 次"),
            (Script::Cjk, _) => format!("错误 {}：页面不存在", 400 + a),
        }
    }

    fn site(&self, r: &mut Rng, at: usize, script: Script) -> Site {
        let line = |r: &mut Rng, n: usize, sep: &str| -> String {
            (0..n)
                .map(|_| match script {
                    Script::Latin => capitalized(self.word(r)),
                    Script::Cjk => (0..2).map(|_| self.token(r, script)).collect(),
                })
                .collect::<Vec<_>>()
                .join(sep)
        };
        let name = match script {
            Script::Latin => format!(
                "{} {}",
                line(r, 2, " "),
                ["News", "Daily", "Times", "Post"][at % 4]
            ),
            Script::Cjk => format!("{}网", line(r, 2, "")),
        };
        let nav = r.range(5, 8);
        let (header, footer) = match script {
            Script::Latin => (
                vec![name.clone(), line(r, nav, " | ")],
                vec![
                    format!("© {} {name}. All rights reserved.", 2010 + at),
                    "About us | Contact | Privacy policy | Terms of use".to_owned(),
                    format!(
                        "Subscribe to {name} for {}.",
                        line(r, 6, " ").to_lowercase()
                    ),
                ],
            ),
            Script::Cjk => (
                vec![name.clone(), line(r, nav, " | ")],
                vec![
                    format!("版权所有 © {} {name}", 2010 + at),
                    "关于我们 | 联系方式 | 隐私政策 | 使用条款".to_owned(),
                    format!("本站文章{}。", line(r, 6, "")),
                ],
            ),
        };
        Site {
            name,
            script,
            header,
            footer,
        }
    }
}

fn is_punctuation(token: &str) -> bool {
    token == "，" || token == "。"
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `n` pseudo-words of one to three syllables.
fn vocabulary(r: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            (0..r.range(1, 3))
                .map(|_| *r.pick(SYLLABLES))
                .collect::<String>()
        })
        .collect()
}

/// A whole corpus in memory, shuffled, with its labelled pairs.
pub struct Corpus {
    pub docs: Vec<Doc>,
    /// Every pair of documents of one family, with its true Jaccard similarity.
    pub labels: Vec<Label>,
}

/// Two documents (indexes into [`Corpus::docs`]) and their true similarity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Label {
    pub a: usize,
    pub b: usize,
    pub jaccard: f64,
}

impl Corpus {
    /// At least `docs` documents in whole families, shuffled.
    pub fn generate(config: &Config, docs: usize) -> Corpus {
        let mut generator = Generator::new(config);
        let mut all = Vec::new();
        while all.len() < docs {
            all.extend(generator.next_family());
        }
        Rng::new(config.seed ^ 0x5AFE).shuffle(&mut all);
        let sets: Vec<Vec<u64>> = all.iter().map(|d| shingle_set(&d.text)).collect();
        let mut by_family: HashMap<u32, Vec<usize>> = HashMap::new();
        for (at, doc) in all.iter().enumerate() {
            by_family.entry(doc.family).or_default().push(at);
        }
        let mut labels = Vec::new();
        for members in by_family.values() {
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    let (a, b) = (a.min(b), a.max(b));
                    labels.push(Label {
                        a,
                        b,
                        jaccard: jaccard(&sets[a], &sets[b]),
                    });
                }
            }
        }
        labels.sort_by_key(|l| (l.a, l.b));
        Corpus { docs: all, labels }
    }

    pub fn write_jsonl(&self, out: &mut impl Write) -> io::Result<()> {
        for doc in &self.docs {
            writeln!(out, "{}", doc.to_json())?;
        }
        Ok(())
    }
}

/// Writes the documents of whole families until at least `bytes` bytes of
/// JSON Lines are made, passed through a shuffled pool so that copies are
/// not next to each other; returns the number of documents written.
pub fn write_jsonl_bytes(config: &Config, bytes: u64, out: &mut impl Write) -> io::Result<u64> {
    const POOL: usize = 4096;
    let mut generator = Generator::new(config);
    let mut rng = Rng::new(config.seed ^ 0x5AFE);
    let mut pool: Vec<String> = Vec::with_capacity(POOL + 64);
    let (mut made, mut docs) = (0u64, 0u64);
    while made < bytes {
        for doc in generator.next_family() {
            let line = doc.to_json();
            made += line.len() as u64 + 1;
            pool.push(line);
        }
        while pool.len() > POOL {
            let line = pool.swap_remove(rng.below(pool.len()));
            writeln!(out, "{line}")?;
            docs += 1;
        }
    }
    rng.shuffle(&mut pool);
    for line in pool {
        writeln!(out, "{line}")?;
        docs += 1;
    }
    Ok(docs)
}

/// A document's shingle set as doppel defines it: under character
/// shingling (the default), the character n-grams of the whole text folded
/// (NFKC, lower case, white space folded, punctuation kept); under word
/// shingling, the union of its segments' (`--segment auto`) shingles.
/// Sorted and deduplicated.
pub fn shingle_set(text: &str) -> Vec<u64> {
    let mut fingerprinter = Fingerprinter::with(ShingleConfig::default().for_text(text));
    let mut set = Vec::new();
    if !fingerprinter.whole_text_shingles(text, &mut set) {
        let segmenter = Segmenter::new(Granularity::Auto);
        for span in segmenter.segment(text) {
            set.extend(
                fingerprinter
                    .fingerprint(&text[span.bytes.clone()])
                    .shingles,
            );
        }
    }
    set.sort_unstable();
    set.dedup();
    set
}

/// Jaccard similarity of two sorted, duplicate-free sets (1 when both are
/// empty): the library's own.
pub use doppel::jaccard;

/// Every pair `(a, b)`, `a < b`, of `sets` with Jaccard similarity at least
/// `threshold`, found exactly through an inverted index (pairs sharing no
/// shingle are never compared).
pub fn pairs_at_least(sets: &[Vec<u64>], threshold: f64) -> Vec<(usize, usize, f64)> {
    let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
    for (doc, set) in sets.iter().enumerate() {
        for &shingle in set {
            postings.entry(shingle).or_default().push(doc as u32);
        }
    }
    let mut common = vec![0u32; sets.len()];
    let mut touched = Vec::new();
    let mut pairs = Vec::new();
    for (a, set) in sets.iter().enumerate() {
        for shingle in set {
            for &b in &postings[shingle] {
                let b = b as usize;
                if b > a {
                    if common[b] == 0 {
                        touched.push(b);
                    }
                    common[b] += 1;
                }
            }
        }
        for &b in &touched {
            let shared = common[b] as f64;
            let similarity = shared / ((set.len() + sets[b].len()) as f64 - shared);
            if similarity >= threshold {
                pairs.push((a, b, similarity));
            }
            common[b] = 0;
        }
        touched.clear();
    }
    pairs.sort_by_key(|p| (p.0, p.1));
    pairs
}
