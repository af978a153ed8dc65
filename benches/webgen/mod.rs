//! A deterministic generator of web-like text documents for the benchmarks.
//!
//! Each "site" has its own navigation header and footer (boilerplate lines
//! shared by all its pages); two sites in ten write Chinese-like text, the
//! rest English-like prose, all built from fixed vocabularies by a seeded
//! SplitMix64, so the same seed always writes the same bytes. Pages are
//! 2–40 KB; some repeat their article body (exactly or with a few words
//! edited), some repeat the navigation at the bottom, and some have no
//! paragraph breaks (one long line, or many lines without a blank line).
//!
//! [`ensure`] writes a part of about `target` bytes into
//! `data/web-v{VERSION}/part{N}/site-XX/section/doc-NNNNN.txt` and a manifest
//! next to it; a part whose manifest and files match is reused as it is.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[path = "../../tests/common/rng.rs"]
mod rng;
pub use rng::Rng;

/// Bump when the generator's output changes, so old data is regenerated.
pub const VERSION: u32 = 1;

const SITES: usize = 10;
const CHINESE_SITES: usize = 2;
const SECTIONS: [&str; 3] = ["news", "opinion", "sport"];

/// A part of the generated corpus, as found or written on disk.
pub struct Part {
    pub root: PathBuf,
    pub files: usize,
    pub bytes: u64,
}

/// Returns part `number` under `data_dir`, generating it unless a complete
/// copy of the same version, seed and size is already there.
pub fn ensure(data_dir: &Path, number: u32, target: u64) -> io::Result<Part> {
    let base = data_dir.join(format!("web-v{VERSION}"));
    let root = base.join(format!("part{number}"));
    let manifest = base.join(format!("part{number}.manifest"));
    let header = format!("version={VERSION} seed={} target={target}", seed(number));
    if let Some(part) = reuse(&root, &manifest, &header)? {
        return Ok(part);
    }
    eprintln!("generating {} (~{} MB)…", root.display(), target >> 20);
    let _ = fs::remove_file(&manifest);
    if root.exists() {
        fs::remove_dir_all(&root)?;
    }
    let part = write_part(&root, seed(number), target)?;
    fs::write(
        &manifest,
        format!("{header} files={} bytes={}\n", part.files, part.bytes),
    )?;
    Ok(part)
}

fn seed(number: u32) -> u64 {
    0xD0BB_E100 + u64::from(number)
}

/// The part as on disk, if its manifest matches and its files add up.
fn reuse(root: &Path, manifest: &Path, header: &str) -> io::Result<Option<Part>> {
    let Ok(text) = fs::read_to_string(manifest) else {
        return Ok(None);
    };
    let Some(rest) = text.trim_end().strip_prefix(header) else {
        return Ok(None);
    };
    let (mut files, mut bytes) = (0, 0);
    tally(root, &mut files, &mut bytes)?;
    let part = Part {
        root: root.to_path_buf(),
        files,
        bytes,
    };
    Ok((rest == format!(" files={files} bytes={bytes}")).then_some(part))
}

fn tally(dir: &Path, files: &mut usize, bytes: &mut u64) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            tally(&entry.path(), files, bytes)?;
        } else {
            *files += 1;
            *bytes += entry.metadata()?.len();
        }
    }
    Ok(())
}

fn write_part(root: &Path, seed: u64, target: u64) -> io::Result<Part> {
    let mut rng = Rng::new(seed);
    let sites: Vec<Site> = (0..SITES)
        .map(|n| Site::new(&mut rng, n < CHINESE_SITES))
        .collect();
    let (mut files, mut bytes) = (0, 0u64);
    while bytes < target {
        let site_at = rng.below(SITES);
        let section = SECTIONS[rng.below(SECTIONS.len())];
        let dir = root.join(format!("site-{site_at:02}")).join(section);
        fs::create_dir_all(&dir)?;
        let page = page(&mut rng, &sites[site_at]);
        fs::write(dir.join(format!("doc-{files:05}.txt")), &page)?;
        files += 1;
        bytes += page.len() as u64;
    }
    Ok(Part {
        root: root.to_path_buf(),
        files,
        bytes,
    })
}

const EN_WORDS: &str = "the of and to in a is that for it as was with be by on not he this are or \
    his from at which but have an they you were her she there been one all we their has would \
    when if so no will more what up out can who about into time only new some could them other \
    than then now people its also two after first over year years city council report said \
    government market school water health police state public local community policy program \
    support service data research project plan budget team season game players coach win \
    match club league record week month today morning evening night house family children \
    students teachers business company companies price prices energy power road traffic train \
    station airport weather rain storm summer winter spring river park street building office \
    hospital doctor patients study found results increase decrease million billion percent \
    according officials statement meeting members minister president election vote campaign \
    court judge case law rules change changes climate science technology software network \
    online users phone mobile video music film festival art museum book author history \
    village region national international world country countries europe asia africa america \
    north south east west central small large long short high low early late major minor \
    recent local several many most each every another same different important possible \
    clear strong open free full likely already still however because while during before \
    between under against without within across through although whether";

const ZH_CHARS: &str =
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得\
    于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其\
    些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外\
    将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表\
    化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打\
    女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形\
    社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北\
    边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车\
    亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百\
    需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗\
    包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选";

/// One site's language and boilerplate.
struct Site {
    chinese: bool,
    header: Vec<String>,
    footer: Vec<String>,
}

impl Site {
    fn new(rng: &mut Rng, chinese: bool) -> Site {
        let lang = Lang::new(chinese);
        let name = lang.title(rng, 2, 3);
        let mut header = vec![format!("{name} | {}", lang.title(rng, 3, 5))];
        for _ in 0..rng.range(3, 6) {
            let items = rng.range(4, 8);
            header.push(lang.menu(rng, items));
        }
        let mut footer = vec![lang.menu(rng, 5)];
        for _ in 0..rng.range(2, 4) {
            footer.push(lang.sentence(rng, 6, 14));
        }
        footer.push(format!("© 2026 {name}. {}", lang.title(rng, 3, 4)));
        Site {
            chinese,
            header,
            footer,
        }
    }
}

/// Words or characters of one language.
struct Lang {
    chinese: bool,
    en: Vec<&'static str>,
    zh: Vec<char>,
}

impl Lang {
    fn new(chinese: bool) -> Lang {
        Lang {
            chinese,
            en: EN_WORDS.split_whitespace().collect(),
            zh: ZH_CHARS.chars().collect(),
        }
    }

    /// A word (English) or a two-character word (Chinese).
    fn word(&self, rng: &mut Rng) -> String {
        if self.chinese {
            [*rng.pick(&self.zh), *rng.pick(&self.zh)].iter().collect()
        } else {
            (*rng.pick(&self.en)).to_owned()
        }
    }

    fn words(&self, rng: &mut Rng, count: usize, sep: &str) -> String {
        let words: Vec<String> = (0..count).map(|_| self.word(rng)).collect();
        words.join(sep)
    }

    fn title(&self, rng: &mut Rng, lo: usize, hi: usize) -> String {
        let count = rng.range(lo, hi);
        capitalise(self.words(rng, count, if self.chinese { "" } else { " " }))
    }

    fn menu(&self, rng: &mut Rng, items: usize) -> String {
        let items: Vec<String> = (0..items).map(|_| self.title(rng, 1, 2)).collect();
        items.join(if self.chinese { " " } else { " | " })
    }

    /// A sentence of `lo..=hi` words, with a comma now and then.
    fn sentence(&self, rng: &mut Rng, lo: usize, hi: usize) -> String {
        let count = rng.range(lo, hi);
        let mut out = String::new();
        for at in 0..count {
            if at > 0 && !self.chinese {
                out.push(' ');
            }
            out.push_str(&self.word(rng));
            if at + 1 < count && rng.percent(8) {
                out.push(if self.chinese { '，' } else { ',' });
            }
        }
        out.push_str(match (self.chinese, rng.below(10)) {
            (true, 0) => "？",
            (true, _) => "。",
            (false, 0) => "?",
            (false, _) => ".",
        });
        capitalise(out)
    }

    fn paragraph(&self, rng: &mut Rng) -> String {
        let sentences: Vec<String> = (0..rng.range(2, 7))
            .map(|_| self.sentence(rng, 5, 22))
            .collect();
        sentences.join(if self.chinese { "" } else { " " })
    }

    /// `paragraph` with a few words or characters replaced.
    fn edit(&self, rng: &mut Rng, paragraph: &str) -> String {
        if self.chinese {
            let mut chars: Vec<char> = paragraph.chars().collect();
            for _ in 0..rng.range(1, 3) {
                let at = rng.below(chars.len());
                if self.zh.contains(&chars[at]) {
                    chars[at] = *rng.pick(&self.zh);
                }
            }
            chars.into_iter().collect()
        } else {
            let mut words: Vec<String> = paragraph.split(' ').map(str::to_owned).collect();
            for _ in 0..rng.range(1, 3) {
                let at = rng.below(words.len());
                words[at] = self.word(rng);
            }
            words.join(" ")
        }
    }
}

fn capitalise(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_ascii_lowercase() => {
            first.to_ascii_uppercase().to_string() + chars.as_str()
        }
        _ => text,
    }
}

/// How a page lays out its article body.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Plain,
    Twice,
    TwiceEdited,
    OneLine,
    NoBlankLines,
}

impl Shape {
    fn roll(rng: &mut Rng) -> Shape {
        match rng.below(100) {
            0..=11 => Shape::Twice,
            12..=23 => Shape::TwiceEdited,
            24..=28 => Shape::OneLine,
            29..=33 => Shape::NoBlankLines,
            _ => Shape::Plain,
        }
    }
}

/// One page of `site`: header, title, body, maybe related links, footer.
fn page(rng: &mut Rng, site: &Site) -> String {
    let lang = Lang::new(site.chinese);
    let target = rng.range(2_000, 40_000);
    let shape = Shape::roll(rng);
    let twice = matches!(shape, Shape::Twice | Shape::TwiceEdited);
    let boiler: usize = site
        .header
        .iter()
        .chain(&site.footer)
        .map(String::len)
        .sum();
    let budget = target.saturating_sub(boiler + 200).max(300);
    let body = body(rng, &lang, if twice { budget / 2 } else { budget });
    let mut out = String::with_capacity(target + 1024);
    push_lines(&mut out, &site.header);
    out.push_str(&format!("\n{}\n\n", lang.title(rng, 4, 10)));
    push_body(&mut out, &body, shape);
    if twice {
        push_related(&mut out, rng, &lang);
        let copy: Vec<String> = match shape {
            Shape::TwiceEdited => body.iter().map(|p| maybe_edit(rng, &lang, p)).collect(),
            _ => body,
        };
        push_body(&mut out, &copy, Shape::Plain);
    }
    if rng.percent(30) {
        push_lines(&mut out, &site.header);
        out.push('\n');
    }
    push_lines(&mut out, &site.footer);
    out
}

fn body(rng: &mut Rng, lang: &Lang, budget: usize) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut bytes = 0;
    while bytes < budget {
        let paragraph = lang.paragraph(rng);
        bytes += paragraph.len() + 2;
        paragraphs.push(paragraph);
    }
    paragraphs
}

fn maybe_edit(rng: &mut Rng, lang: &Lang, paragraph: &str) -> String {
    if rng.percent(40) {
        lang.edit(rng, paragraph)
    } else {
        paragraph.to_owned()
    }
}

fn push_lines(out: &mut String, lines: &[String]) {
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
}

fn push_body(out: &mut String, body: &[String], shape: Shape) {
    let sep = match shape {
        Shape::OneLine => " ",
        Shape::NoBlankLines => "\n",
        _ => "\n\n",
    };
    out.push_str(&body.join(sep));
    out.push_str("\n\n");
}

fn push_related(out: &mut String, rng: &mut Rng, lang: &Lang) {
    out.push_str(if lang.chinese {
        "相关阅读\n"
    } else {
        "Related articles\n"
    });
    for _ in 0..rng.range(3, 6) {
        out.push_str(&lang.title(rng, 4, 9));
        out.push('\n');
    }
    out.push('\n');
}
