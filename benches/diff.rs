//! Benchmarks of `doppel diff` on three generated pairs (made once,
//! deterministically, outside the timed loop):
//!
//! - `lines_12mb`: 12 MB of English-like lines, 1% of the lines edited and
//!   20 blocks of 8 lines moved;
//! - `cjk_600kb`: one 600 KB Chinese paragraph with 1,000 scattered
//!   character edits (refined sentence by sentence, then by character);
//! - `unrelated_50k`: two unrelated files of 50,000 lines;
//! - `release_50mb`: two releases of a 50 MB document of English and
//!   Chinese paragraphs: about 3,000 changed lines (edits inside lines,
//!   lines inserted and deleted) and five moved blocks.
//!
//! Each timing covers `Comparison::new` (alignment, refinement, moves,
//! similarity) plus rendering the unified format into a buffer.
//!
//! With `DOPPEL_BENCH_WRITE_DATA=1` the bench writes the pairs under
//! `benches/data/` (git-ignored) and exits; `benches/diff_vs_peers.sh` uses
//! them to time the binary against GNU diff and git.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, Criterion};
use doppel::diff::{Comparison, DiffOptions, DocHeader, Format, Printer};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "had",
    "they",
    "you",
    "were",
    "their",
    "one",
    "all",
    "we",
    "can",
    "her",
    "has",
    "there",
    "been",
    "if",
    "more",
    "when",
    "will",
    "would",
    "who",
    "so",
    "no",
    "system",
    "document",
    "release",
    "version",
    "corpus",
    "duplicate",
    "paragraph",
    "sentence",
    "river",
    "mountain",
    "engine",
    "library",
    "compare",
    "measure",
    "window",
    "garden",
    "history",
];

fn english_line(rng: &mut Rng) -> String {
    let n = 6 + rng.below(12);
    let mut line: Vec<&str> = (0..n).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    let number = rng.below(100_000).to_string();
    let at = rng.below(line.len());
    line.insert(at, &number);
    let mut line = line.join(" ");
    line.push_str(".\n");
    line
}

/// 12 MB of lines; 1% edited, 20 blocks of 8 lines moved.
pub fn lines_pair() -> (String, String) {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let mut lines = Vec::new();
    let mut size = 0;
    while size < 12_000_000 {
        let line = english_line(&mut rng);
        size += line.len();
        lines.push(line);
    }
    let mut new = lines.clone();
    for _ in 0..new.len() / 100 {
        let i = rng.below(new.len());
        new[i] = new[i].replacen(' ', " edited ", 1);
    }
    for _ in 0..20 {
        let from = rng.below(new.len() - 8);
        let block: Vec<String> = new.drain(from..from + 8).collect();
        let to = rng.below(new.len());
        new.splice(to..to, block);
    }
    (lines.concat(), new.concat())
}

/// One 600 KB Chinese paragraph; 1,000 characters replaced.
pub fn cjk_pair() -> (String, String) {
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    let mut chars: Vec<char> = Vec::new();
    while chars.len() * 3 < 600_000 {
        let run = 8 + rng.below(30);
        for _ in 0..run {
            chars.push(char::from_u32(0x4E00 + rng.below(3000) as u32).unwrap_or('中'));
        }
        chars.push(if rng.below(3) == 0 { '。' } else { '，' });
    }
    let old: String = chars.iter().collect::<String>() + "\n";
    for _ in 0..1000 {
        let i = rng.below(chars.len());
        chars[i] = char::from_u32(0x4E00 + 3000 + rng.below(1000) as u32).unwrap_or('国');
    }
    let new: String = chars.iter().collect::<String>() + "\n";
    (old, new)
}

/// Two unrelated files of 50,000 lines.
pub fn unrelated_pair() -> (String, String) {
    let mut a = Rng(0x0123_4567_89AB_CDEF);
    let mut b = Rng(0xFEDC_BA98_7654_3210);
    let old: String = (0..50_000).map(|_| english_line(&mut a)).collect();
    let new: String = (0..50_000).map(|_| english_line(&mut b)).collect();
    (old, new)
}

/// Common Chinese words of one to four characters, for prose-like lines.
const CJK_WORDS: &[&str] = &[
    "我们",
    "发展",
    "经济",
    "社会",
    "建设",
    "工作",
    "问题",
    "国家",
    "人民",
    "文化",
    "历史",
    "城市",
    "农村",
    "教育",
    "科学",
    "技术",
    "研究",
    "方法",
    "系统",
    "文档",
    "版本",
    "发布",
    "修订",
    "内容",
    "章节",
    "段落",
    "句子",
    "语言",
    "翻译",
    "读者",
    "作者",
    "编辑",
    "出版",
    "时间",
    "地方",
    "政府",
    "企业",
    "市场",
    "服务",
    "管理",
    "的",
    "了",
    "在",
    "是",
    "和",
    "有",
    "也",
    "就",
    "都",
    "而",
    "及",
    "与",
    "对",
    "进一步",
    "加强",
    "改进",
    "推动",
    "提高",
    "完善",
    "坚持",
    "实现",
    "保障",
    "促进",
    "山",
    "河",
    "春天",
    "秋天",
    "花园",
    "窗口",
    "图书馆",
    "博物馆",
    "中华人民共和国",
];

/// A Chinese sentence of 6 to 20 words, clauses separated by `，`.
fn cjk_sentence(rng: &mut Rng, out: &mut String) {
    let n = 6 + rng.below(15);
    for i in 0..n {
        out.push_str(CJK_WORDS[rng.below(CJK_WORDS.len())]);
        if i + 1 < n && rng.below(5) == 0 {
            out.push('，');
        }
        if rng.below(40) == 0 {
            out.push_str(&rng.below(2030).to_string());
            out.push('年');
        }
    }
    out.push(if rng.below(8) == 0 { '；' } else { '。' });
}

/// One line of a paragraph: English (two thirds) or Chinese prose, one to
/// four sentences.
fn prose_line(rng: &mut Rng) -> String {
    let mut line = String::new();
    let sentences = 1 + rng.below(4);
    if rng.below(3) < 2 {
        for s in 0..sentences {
            if s > 0 {
                line.push(' ');
            }
            let mut sentence = english_line(rng);
            sentence.truncate(sentence.len() - 1);
            let mut chars = sentence.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            line.extend(first);
            line.push_str(chars.as_str());
        }
    } else {
        for _ in 0..sentences {
            cjk_sentence(rng, &mut line);
        }
    }
    line.push('\n');
    line
}

/// The lines of a document release: numbered section headings, paragraphs
/// of one to six prose lines, a blank line after each.
fn release_lines(rng: &mut Rng, bytes: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut size = 0;
    let mut section = 0;
    while size < bytes {
        if rng.below(12) == 0 {
            section += 1;
            lines.push(format!("## {section}. Section {section} 第{section}节\n"));
            lines.push("\n".to_owned());
        }
        for _ in 0..1 + rng.below(6) {
            let line = prose_line(rng);
            size += line.len();
            lines.push(line);
        }
        lines.push("\n".to_owned());
    }
    lines
}

/// Edits one line inside: a word replaced (a Chinese one, or a Latin word
/// inserted), as a reviser would.
fn edit_line(rng: &mut Rng, line: &str) -> String {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let cjk: Vec<usize> = chars
        .iter()
        .filter(|(_, c)| doppel::diff::is_cjk(*c) && *c != '，' && *c != '。')
        .map(|&(i, _)| i)
        .collect();
    let mut out = line.to_owned();
    if !cjk.is_empty() && rng.below(2) == 0 {
        let at = cjk[rng.below(cjk.len())];
        let word = CJK_WORDS[rng.below(CJK_WORDS.len())];
        out.replace_range(at..at + 3, word);
    } else if let Some(at) = line.match_indices(' ').map(|(i, _)| i).nth(rng.below(6)) {
        out.insert_str(at, &format!(" {}", WORDS[rng.below(WORDS.len())]));
    } else {
        out.insert_str(out.len() - 1, "（修订）");
    }
    out
}

/// A 50 MB document release and its next release: about 3,000 lines
/// changed (seven in ten edited inside, the rest inserted or deleted),
/// then five blocks of 40 to 400 lines moved elsewhere.
pub fn release_pair() -> (String, String) {
    let mut rng = Rng(0x5EED_0F50_4D42_1234);
    let old = release_lines(&mut rng, 50_000_000);
    let mut new = old.clone();
    let mut changed = 0;
    while changed < 3_000 {
        let i = rng.below(new.len());
        if new[i] == "\n" {
            continue;
        }
        match rng.below(10) {
            0..=6 => new[i] = edit_line(&mut rng, &new[i]),
            7 | 8 => new.insert(i, prose_line(&mut rng)),
            _ => {
                new.remove(i);
            }
        }
        changed += 1;
    }
    for _ in 0..5 {
        let len = 40 + rng.below(361);
        let from = rng.below(new.len() - len);
        let block: Vec<String> = new.drain(from..from + len).collect();
        let to = rng.below(new.len());
        new.splice(to..to, block);
    }
    (old.concat(), new.concat())
}

fn diff_and_render(old: &str, new: &str, options: &DiffOptions) -> usize {
    let comparison = Comparison::new(old, new, options);
    let mut out = Vec::with_capacity(1 << 20);
    let mut printer = Printer::new(Format::Unified);
    let header = DocHeader::files("old", "new");
    printer
        .document(&mut out, &header, &comparison)
        .map_or(0, |()| out.len())
}

fn bench(c: &mut Criterion) {
    let options = DiffOptions::new();
    let mut group = c.benchmark_group("diff");
    group.sample_size(10);
    let pairs = [
        ("lines_12mb", lines_pair()),
        ("cjk_600kb", cjk_pair()),
        ("unrelated_50k", unrelated_pair()),
        ("release_50mb", release_pair()),
    ];
    for (name, (old, new)) in &pairs {
        group.bench_function(*name, |b| {
            b.iter(|| diff_and_render(black_box(old), black_box(new), &options))
        });
    }
    group.finish();
}

fn write_data() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data");
    std::fs::create_dir_all(&dir)?;
    let pairs = [
        ("lines_12mb", lines_pair()),
        ("cjk_600kb", cjk_pair()),
        ("unrelated_50k", unrelated_pair()),
        ("release_50mb", release_pair()),
    ];
    for (name, (old, new)) in pairs {
        std::fs::write(dir.join(format!("{name}.old.txt")), old)?;
        std::fs::write(dir.join(format!("{name}.new.txt")), new)?;
    }
    Ok(())
}

criterion_group!(benches, bench);

fn main() {
    if std::env::var_os("DOPPEL_BENCH_WRITE_DATA").is_some() {
        if let Err(err) = write_data() {
            eprintln!("cannot write benches/data: {err}");
            std::process::exit(1);
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
