//! The sink that gathers what the check needs from each scanned document,
//! and turns it into findings after the last one.

use std::collections::HashMap;
use std::io;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

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
    /// The file as reported ([`display_path`]); the records of a JSON Lines
    /// file share it.
    path: String,
    /// The line of a JSON Lines record in its file: every copy in the record
    /// is reported at it.
    record_line: Option<usize>,
    letters: Vec<u32>,
    hashes: Vec<u64>,
    /// The start of each segment's first line, for reports.
    previews: Vec<Box<str>>,
    lines: Vec<LineRange>,
}

/// Letters of one file (all the records of a JSON Lines file together) and
/// how many of them are in a finding's copy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileStat {
    /// The file as reports name it ([`display_path`]).
    pub path: String,
    /// Unicode letters of its text (each CJK character one letter).
    pub letters: usize,
    /// Letters in a copy of some finding, each counted once.
    pub duplicate_letters: usize,
}

impl FileStat {
    /// `duplicate_letters` as a fraction of `letters` (0 for a file without
    /// letters).
    pub fn ratio(&self) -> f64 {
        if self.letters == 0 {
            0.0
        } else {
            self.duplicate_letters as f64 / self.letters as f64
        }
    }
}

/// Every finding of a tree, before the baseline and `--changed-since` are
/// applied, and each file's letters (one entry per file, in input order).
#[derive(Clone, Debug, Default)]
pub struct Findings {
    /// Every finding, exact and near, above the policy's minimum size.
    pub findings: Vec<Finding>,
    /// Each file's letters, in input order.
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
    /// The last file named and how it is reported: the records of a JSON
    /// Lines file come one after another, and a path is resolved once.
    last_path: Option<(PathBuf, String)>,
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
            last_path: None,
        }
    }

    /// The findings, sorted by their first copy, and the files' letters.
    pub fn finish(self) -> Findings {
        let passages: Vec<Found> = self
            .index
            .passages()
            .iter()
            .map(|p| self.passage_finding(p))
            .collect();
        let blocks: Vec<Found> = self
            .blocks
            .iter()
            .map(|(doc, b)| self.block_finding(*doc, b))
            .filter(|block| !passages.iter().any(|p| p.lists_each_copy_of(block)))
            .collect();
        let mut found: Vec<Found> = passages
            .into_iter()
            .chain(blocks)
            .filter(|f| {
                self.policy
                    .big_enough(f.finding.letters, f.finding.segments)
            })
            .collect();
        found.sort_by(|a, b| {
            let (x, y) = (&a.finding.copies[0], &b.finding.copies[0]);
            (&x.path, x.lines.first).cmp(&(&y.path, y.lines.first))
        });
        let files = self.file_stats(&found);
        Findings {
            findings: found.into_iter().map(|f| f.finding).collect(),
            files,
        }
    }

    /// A passage is exact when its copies' normalized segments are equal,
    /// whatever the links that found it: a short segment that is not
    /// indexed (a heading) leaves a gap in the links of a copied file, yet
    /// the copies are the same.
    fn passage_finding(&self, passage: &Passage) -> Found {
        let copies: Vec<SegmentsOf> = passage
            .copies
            .iter()
            .map(|c| (c.doc, c.segments.clone()))
            .collect();
        let (kind, similarity) = if passage.exact || self.same_content(&copies) {
            (Kind::Exact, 1.0)
        } else {
            (Kind::Near, passage.similarity)
        };
        self.found(kind, similarity, copies)
    }

    fn block_finding(&self, doc: u32, block: &Block) -> Found {
        let copies: Vec<SegmentsOf> = block
            .copies
            .iter()
            .map(|c| (doc, c.segments.clone()))
            .collect();
        let kind = if block.exact { Kind::Exact } else { Kind::Near };
        self.found(kind, block.similarity, copies)
    }

    /// Whether every copy has the same normalized segments as the first.
    fn same_content(&self, copies: &[SegmentsOf]) -> bool {
        let hashes = |(doc, range): &SegmentsOf| &self.docs[*doc as usize].hashes[range.clone()];
        let first = hashes(&copies[0]);
        copies[1..].iter().all(|copy| hashes(copy) == first)
    }

    fn found(&self, kind: Kind, similarity: f64, copies: Vec<SegmentsOf>) -> Found {
        let mut locations: Vec<Location> = copies
            .iter()
            .map(|(doc, r)| self.location(*doc, r))
            .collect();
        locations.sort_by(|a, b| (&a.path, a.lines.first).cmp(&(&b.path, b.lines.first)));
        let finding = Finding {
            kind,
            within: copies.iter().all(|(doc, _)| *doc == copies[0].0),
            similarity,
            letters: locations.iter().map(|l| l.letters).min().unwrap_or(0),
            segments: copies.iter().map(|(_, r)| r.len()).min().unwrap_or(0),
            primary: locations.len() - 1,
            copies: locations,
            new: true,
            fails: false,
        };
        Found { finding, copies }
    }

    fn location(&self, doc: u32, segments: &std::ops::Range<usize>) -> Location {
        let info = &self.docs[doc as usize];
        let mut seed = Vec::with_capacity(segments.len() * 8);
        for hash in &info.hashes[segments.clone()] {
            seed.extend_from_slice(&hash.to_le_bytes());
        }
        let lines = match info.record_line {
            Some(line) => LineRange::new(line, line),
            None => LineRange::new(
                info.lines[segments.start].first,
                info.lines[segments.end - 1].last,
            ),
        };
        Location {
            path: info.path.clone(),
            lines,
            fingerprint: format!("{:016x}", xxh3_64(&seed)),
            preview: info.previews[segments.start].to_string(),
            letters: info.letters[segments.clone()]
                .iter()
                .map(|&l| l as usize)
                .sum(),
            new: true,
        }
    }

    /// [`display_path`] of `origin`, resolved once for consecutive records of
    /// one file.
    fn reported_path(&mut self, origin: &Origin) -> String {
        let Some(file) = origin.file() else {
            return display_path(&self.root, origin);
        };
        match &self.last_path {
            Some((last, shown)) if last == file => shown.clone(),
            _ => {
                let shown = display_path(&self.root, origin);
                self.last_path = Some((file.to_path_buf(), shown.clone()));
                shown
            }
        }
    }

    /// Each file's letters and the letters of its segments in a finding;
    /// the records of a JSON Lines file count as one file.
    fn file_stats(&self, found: &[Found]) -> Vec<FileStat> {
        let mut covered: Vec<Vec<bool>> = self
            .docs
            .iter()
            .map(|info| vec![false; info.letters.len()])
            .collect();
        for (doc, range) in found.iter().flat_map(|f| &f.copies) {
            covered[*doc as usize][range.clone()].fill(true);
        }
        let mut files: Vec<FileStat> = Vec::new();
        let mut by_path: HashMap<&str, usize> = HashMap::new();
        for (info, covered) in self.docs.iter().zip(&covered) {
            let at = *by_path.entry(info.path.as_str()).or_insert_with(|| {
                files.push(FileStat {
                    path: info.path.clone(),
                    ..FileStat::default()
                });
                files.len() - 1
            });
            let letters = info.letters.iter().map(|&l| l as usize);
            files[at].letters += letters.clone().sum::<usize>();
            files[at].duplicate_letters += letters
                .zip(covered)
                .filter(|(_, &covered)| covered)
                .map(|(l, _)| l)
                .sum::<usize>();
        }
        files
    }
}

/// A document's segment range: `(document number, segments)`.
type SegmentsOf = (u32, Range<usize>);

/// A finding and the segments of each of its copies, which the reported
/// paths and lines no longer tell apart (the records of one file share its
/// path).
struct Found {
    finding: Finding,
    copies: Vec<SegmentsOf>,
}

impl Found {
    /// Whether this passage already reports each copy of `block`, a block
    /// repeated inside one document, as a copy of its own: each block copy
    /// overlaps a different passage copy (a paragraph repeated in a file and
    /// copied out). A passage copy that holds several block copies — a whole
    /// file copied with its repeats — says nothing of the repeat.
    fn lists_each_copy_of(&self, block: &Found) -> bool {
        let doc = block.copies[0].0;
        let mut ours: Vec<&Range<usize>> = self
            .copies
            .iter()
            .filter(|(d, _)| *d == doc)
            .map(|(_, range)| range)
            .collect();
        ours.sort_by_key(|range| range.start);
        let mut theirs: Vec<&Range<usize>> = block.copies.iter().map(|(_, r)| r).collect();
        theirs.sort_by_key(|range| range.start);
        // Both are sorted and disjoint: matching each block copy to the
        // first unused passage copy it overlaps is a matching when one exists.
        let mut next = 0;
        theirs.iter().all(|copy| {
            while next < ours.len() && ours[next].end <= copy.start {
                next += 1;
            }
            let matched = next < ours.len() && ours[next].start < copy.end;
            next += 1;
            matched
        })
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
        let path = self.reported_path(&doc.document.origin);
        self.docs.push(DocInfo {
            path,
            record_line: doc.document.origin.record_line(),
            letters: doc.segments.iter().map(|s| letters(text, s)).collect(),
            hashes: doc.prints.iter().map(|p| p.exact).collect(),
            previews: doc.segments.iter().map(|s| preview(text, s)).collect(),
            lines: doc.segments.iter().map(|s| s.lines).collect(),
        });
        Ok(())
    }
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

/// The file of a document as reported: relative to `root`, `/`-separated,
/// when inside it (so a baseline keys a file the same way whatever folder
/// the check runs from, and whether it was named by a relative or an
/// absolute path); outside it, as named on the command line, cleaned
/// (`/usr/share/doc/a.md`, `../other/a.md`); `-` for standard input. A JSON
/// Lines record is reported as its file, at its line.
pub fn display_path(root: &Path, origin: &Origin) -> String {
    let Some(path) = origin.file() else {
        return "-".to_owned();
    };
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    report_form(absolute.strip_prefix(root).unwrap_or(path))
}

/// A path as reports name it: `/`-separated, each component as text (a byte
/// that is not UTF-8 becomes U+FFFD), without `.` components, with one `/`
/// for the root (`/usr/a.md`, `C:/docs/a.md`); `.` for an empty path.
pub(crate) fn report_form(path: &Path) -> String {
    let mut out = String::new();
    let mut separate = false;
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::Prefix(prefix) => {
                out.push_str(&prefix.as_os_str().to_string_lossy());
                separate = false;
            }
            Component::RootDir => {
                out.push('/');
                separate = false;
            }
            Component::ParentDir | Component::Normal(_) => {
                if separate {
                    out.push('/');
                }
                out.push_str(&component.as_os_str().to_string_lossy());
                separate = true;
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::EngineBuilder;

    const SHARED: &str = "Every setting can be written in the configuration file at the root of the repository, and every setting can also be given as a flag on the command line.";
    const OTHER: &str = "This page explains the history of the project and nothing else, from its first release to the present day.";
    const MORE: &str = "This page lists the people who helped, in alphabetical order, with a word of thanks for each of them.";

    fn findings(docs: &[(Origin, String)]) -> Findings {
        let engine = EngineBuilder::new()
            .keep_fingerprints(true)
            .build()
            .expect("default settings are valid");
        let root = std::env::temp_dir();
        let mut collector = Collector::new(Policy::default(), &root);
        for (origin, text) in docs {
            let scanned = engine.scan_text(origin.clone(), text);
            collector.document(&scanned).expect("fingerprints are kept");
        }
        collector.finish()
    }

    fn file(name: &str, text: String) -> (Origin, String) {
        (Origin::Path(std::env::temp_dir().join(name)), text)
    }

    #[test]
    fn a_copied_file_with_a_heading_and_a_repeat_is_exact_and_keeps_the_repeat() {
        let text = format!("# Title\n\n{OTHER}\n\n{SHARED}\n\n## Notes\n\n{MORE}\n\n{SHARED}\n");
        let found = findings(&[file("a.md", text.clone()), file("b.md", text)]);
        let described: Vec<(Kind, bool, f64)> = found
            .findings
            .iter()
            .map(|f| (f.kind, f.within, f.similarity))
            .collect();
        assert_eq!(
            described,
            [
                (Kind::Exact, false, 1.0),
                (Kind::Exact, true, 1.0),
                (Kind::Exact, true, 1.0)
            ]
        );
    }

    #[test]
    fn a_paragraph_repeated_and_copied_out_is_one_finding() {
        let repeats = format!("{SHARED}\n\n{OTHER}\n\n{SHARED}\n");
        let found = findings(&[file("a.md", repeats), file("b.md", format!("{SHARED}\n"))]);
        assert_eq!(found.findings.len(), 1, "{:?}", found.findings);
        assert_eq!(found.findings[0].copies.len(), 3);
    }

    #[test]
    fn records_are_reported_at_their_line_and_counted_as_their_file() {
        let data: Arc<Path> = Arc::from(std::env::temp_dir().join("data.jsonl").as_path());
        let record = |line: usize, text: &str| {
            let origin = Origin::Record {
                path: Arc::clone(&data),
                line,
                id: line.to_string(),
            };
            (origin, text.to_owned())
        };
        let found = findings(&[record(1, OTHER), record(2, SHARED), record(3, SHARED)]);
        let labels: Vec<String> = found.findings[0]
            .copies
            .iter()
            .map(Location::label)
            .collect();
        assert_eq!(labels, ["data.jsonl:2", "data.jsonl:3"]);
        assert_eq!(found.files.len(), 1);
        let stat = &found.files[0];
        assert_eq!(stat.path, "data.jsonl");
        assert!(stat.ratio() > 0.5 && stat.ratio() < 1.0, "{stat:?}");
    }

    #[test]
    fn report_form_has_one_slash_at_the_root_and_no_dot_components() {
        assert_eq!(
            report_form(Path::new("/usr/share/doc/a.md")),
            "/usr/share/doc/a.md"
        );
        assert_eq!(report_form(Path::new("./docs/./a.md")), "docs/a.md");
        assert_eq!(report_form(Path::new("docs//a.md")), "docs/a.md");
        assert_eq!(report_form(Path::new("../other/a.md")), "../other/a.md");
        assert_eq!(report_form(Path::new(".")), ".");
    }

    #[test]
    fn display_path_is_relative_inside_the_root_and_as_named_outside() {
        let root = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("temp dir");
        let root_path = root.path().canonicalize().expect("canonical root");
        std::fs::create_dir(root_path.join("docs")).expect("create docs");
        std::fs::write(root_path.join("docs/a.md"), "text").expect("write");
        std::fs::write(outside.path().join("b.md"), "text").expect("write");
        let inside = Origin::Path(root.path().join("docs/./a.md"));
        assert_eq!(display_path(&root_path, &inside), "docs/a.md");
        let elsewhere = outside.path().join("b.md");
        let shown = display_path(&root_path, &Origin::Path(elsewhere.clone()));
        assert_eq!(shown, report_form(&elsewhere));
        assert!(!shown.starts_with("//"), "{shown}");
        assert!(
            shown.ends_with("/b.md") && Path::new(&shown).is_absolute(),
            "{shown}"
        );
    }
}
