//! The sink that gathers what the check needs from each scanned document,
//! and turns it into findings after the last one.

use std::io;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::xxh3_64;

use super::finding::{Finding, Location};
use super::policy::{Kind, Policy};
use super::suppress::{overlaps, suppressed_lines};
use crate::detect::passages::{Passage, PassageConfig, PassageIndex};
use crate::detect::within::Block;
use crate::document::{LineRange, Origin, Span};
use crate::pipeline::{ScannedDoc, Sink};

/// What is kept of a document: per segment its letters, normalized hash and
/// lines.
#[derive(Clone, Debug, Default)]
struct DocInfo {
    path: String,
    letters: Vec<u32>,
    hashes: Vec<u64>,
    /// The start of each segment's first line, for reports.
    previews: Vec<Box<str>>,
    lines: Vec<LineRange>,
}

/// Letters of one file and how many of them are in a finding's copy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileStat {
    pub path: String,
    pub letters: usize,
    pub duplicate_letters: usize,
}

impl FileStat {
    pub fn ratio(&self) -> f64 {
        if self.letters == 0 {
            0.0
        } else {
            self.duplicate_letters as f64 / self.letters as f64
        }
    }
}

/// Every finding of a tree, before the baseline and `--changed-since` are
/// applied, and each file's letters.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    pub findings: Vec<Finding>,
    pub files: Vec<FileStat>,
}

/// Collects documents (a [`Sink`]); the engine must keep fingerprints
/// ([`EngineBuilder::keep_fingerprints`](crate::EngineBuilder::keep_fingerprints)).
pub struct Collector {
    policy: Policy,
    root: PathBuf,
    index: PassageIndex,
    docs: Vec<DocInfo>,
    /// Blocks repeated inside a document, by document number.
    blocks: Vec<(u32, Block)>,
}

impl Collector {
    /// A collector reporting paths relative to `root`.
    pub fn new(policy: Policy, root: &Path) -> Collector {
        let config = PassageConfig {
            threshold: policy.threshold,
            ..PassageConfig::default()
        };
        Collector {
            policy,
            root: root.to_path_buf(),
            index: PassageIndex::new(config),
            docs: Vec::new(),
            blocks: Vec::new(),
        }
    }

    /// The findings, sorted by their first copy, and the files' letters.
    pub fn finish(self) -> Findings {
        let passages: Vec<Finding> = self
            .index
            .passages()
            .iter()
            .map(|p| self.passage_finding(p))
            .collect();
        let by_path = copies_by_path(&passages);
        let blocks: Vec<Finding> = self
            .blocks
            .iter()
            .map(|(doc, b)| self.block_finding(*doc, b))
            .filter(|block| !covered_by_passage(block, &by_path))
            .collect();
        let mut findings: Vec<Finding> = passages
            .into_iter()
            .chain(blocks)
            .filter(|f| self.policy.big_enough(f.letters, f.segments))
            .collect();
        findings.sort_by(|a, b| {
            let (x, y) = (&a.copies[0], &b.copies[0]);
            (&x.path, x.lines.first).cmp(&(&y.path, y.lines.first))
        });
        let files = self.file_stats(&findings);
        Findings { findings, files }
    }

    fn passage_finding(&self, passage: &Passage) -> Finding {
        let copies: Vec<(u32, std::ops::Range<usize>)> = passage
            .copies
            .iter()
            .map(|c| (c.doc, c.segments.clone()))
            .collect();
        let kind = if passage.exact {
            Kind::Exact
        } else {
            Kind::Near
        };
        self.finding(kind, passage.similarity, &copies)
    }

    fn block_finding(&self, doc: u32, block: &Block) -> Finding {
        let copies: Vec<(u32, std::ops::Range<usize>)> = block
            .copies
            .iter()
            .map(|c| (doc, c.segments.clone()))
            .collect();
        let kind = if block.exact { Kind::Exact } else { Kind::Near };
        self.finding(kind, block.similarity, &copies)
    }

    fn finding(
        &self,
        kind: Kind,
        similarity: f64,
        copies: &[(u32, std::ops::Range<usize>)],
    ) -> Finding {
        let mut locations: Vec<Location> = copies
            .iter()
            .map(|(doc, r)| self.location(*doc, r))
            .collect();
        locations.sort_by(|a, b| (&a.path, a.lines.first).cmp(&(&b.path, b.lines.first)));
        Finding {
            kind,
            within: copies.iter().all(|(doc, _)| *doc == copies[0].0),
            similarity,
            letters: locations.iter().map(|l| l.letters).min().unwrap_or(0),
            segments: copies.iter().map(|(_, r)| r.len()).min().unwrap_or(0),
            primary: locations.len() - 1,
            copies: locations,
            new: true,
            fails: false,
        }
    }

    fn location(&self, doc: u32, segments: &std::ops::Range<usize>) -> Location {
        let info = &self.docs[doc as usize];
        let mut seed = Vec::with_capacity(segments.len() * 8);
        for hash in &info.hashes[segments.clone()] {
            seed.extend_from_slice(&hash.to_le_bytes());
        }
        Location {
            path: info.path.clone(),
            lines: LineRange::new(
                info.lines[segments.start].first,
                info.lines[segments.end - 1].last,
            ),
            fingerprint: format!("{:016x}", xxh3_64(&seed)),
            preview: info.previews[segments.start].to_string(),
            letters: info.letters[segments.clone()]
                .iter()
                .map(|&l| l as usize)
                .sum(),
            new: true,
        }
    }

    /// Each file's letters and the letters of its segments in a finding.
    fn file_stats(&self, findings: &[Finding]) -> Vec<FileStat> {
        let mut covered: std::collections::HashMap<&str, Vec<LineRange>> = Default::default();
        for copy in findings.iter().flat_map(|f| &f.copies) {
            covered
                .entry(copy.path.as_str())
                .or_default()
                .push(copy.lines);
        }
        self.docs
            .iter()
            .map(|info| {
                let ranges = covered
                    .get(info.path.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let duplicate = info
                    .lines
                    .iter()
                    .zip(&info.letters)
                    .filter(|(lines, _)| overlaps(ranges, **lines))
                    .map(|(_, &l)| l as usize)
                    .sum();
                FileStat {
                    path: info.path.clone(),
                    letters: info.letters.iter().map(|&l| l as usize).sum(),
                    duplicate_letters: duplicate,
                }
            })
            .collect()
    }
}

impl Sink for Collector {
    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        if doc.prints.len() != doc.segments.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the check collector needs an engine built with keep_fingerprints(true)",
            ));
        }
        let text = doc.document.text();
        let skipped = suppressed_lines(text, &doc.index);
        let number = self.docs.len() as u32;
        let indexed = doc
            .segments
            .iter()
            .enumerate()
            .map(|(at, span)| {
                if overlaps(&skipped, span.lines) {
                    return None;
                }
                self.index.segment(&doc.prints[at])
            })
            .collect();
        self.index.add(indexed);
        for block in &doc.blocks {
            if let Some(kept) = unsuppressed(block, &skipped) {
                self.blocks.push((number, kept));
            }
        }
        self.docs.push(DocInfo {
            path: display_path(&self.root, &doc.document.origin),
            letters: doc.segments.iter().map(|s| letters(text, s)).collect(),
            hashes: doc.prints.iter().map(|p| p.exact).collect(),
            previews: doc.segments.iter().map(|s| preview(text, s)).collect(),
            lines: doc.segments.iter().map(|s| s.lines).collect(),
        });
        Ok(())
    }
}

/// Copies of passages by path: `(passage number, lines)`.
type CopiesByPath<'a> = std::collections::HashMap<&'a str, Vec<(usize, LineRange)>>;

fn copies_by_path(passages: &[Finding]) -> CopiesByPath<'_> {
    let mut by_path = CopiesByPath::new();
    for (n, passage) in passages.iter().enumerate() {
        for copy in &passage.copies {
            by_path
                .entry(copy.path.as_str())
                .or_default()
                .push((n, copy.lines));
        }
    }
    by_path
}

/// Whether every copy of a block repeated inside one file is also a copy of
/// one passage copied to other files: the passage already reports them.
fn covered_by_passage(block: &Finding, by_path: &CopiesByPath<'_>) -> bool {
    let Some(copies) = by_path.get(block.copies[0].path.as_str()) else {
        return false;
    };
    let touching =
        |n: usize, lines: LineRange| copies.iter().any(|&(m, l)| m == n && overlaps(&[l], lines));
    copies
        .iter()
        .any(|&(n, _)| block.copies.iter().all(|copy| touching(n, copy.lines)))
}

/// The block without its copies that touch suppressed lines; `None` when
/// fewer than two copies remain.
fn unsuppressed(block: &Block, skipped: &[LineRange]) -> Option<Block> {
    let mut kept = block.clone();
    kept.copies
        .retain(|copy| !overlaps(skipped, copy.span.lines));
    (kept.copies.len() >= 2).then_some(kept)
}

/// Characters shown of a copy's first line.
const PREVIEW_CHARS: usize = 60;

/// The first line of a span, cut at [`PREVIEW_CHARS`] characters with `…`.
fn preview(text: &str, span: &Span) -> Box<str> {
    let first_line = text[span.bytes.clone()].lines().next().unwrap_or("").trim();
    match first_line.char_indices().nth(PREVIEW_CHARS) {
        Some((at, _)) => format!("{}…", first_line[..at].trim_end()).into(),
        None => first_line.into(),
    }
}

fn letters(text: &str, span: &Span) -> u32 {
    let count = text[span.bytes.clone()]
        .chars()
        .filter(|c| c.is_alphabetic())
        .count();
    count.min(u32::MAX as usize) as u32
}

/// A path as reported: relative to `root`, `/`-separated, when inside it.
pub fn display_path(root: &Path, origin: &Origin) -> String {
    let Origin::Path(path) = origin else {
        return "-".to_owned();
    };
    let absolute = path.canonicalize().unwrap_or_else(|_| path.clone());
    let shown = absolute.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The repository root above `start`: the nearest folder holding `.git`, or
/// `start` itself (canonicalized) when there is none.
pub fn repository_root(start: &Path) -> PathBuf {
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(&start)
        .to_path_buf()
}
