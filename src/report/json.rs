//! The JSON Lines report: one object per line, `"type"` first.

use std::io::{self, Write};

use serde::Serialize;

use super::{passage_places, round4, segment_clusters};
use crate::detect::within::Block;
use crate::document::{Origin, Span};
use crate::pipeline::{CorpusReport, DocumentFacts, Problem, ScannedDoc, Sink, Summary};
use crate::quality::DocumentDamage;

/// Prints the JSON Lines report.
pub struct JsonPrinter<W: Write> {
    out: W,
    show_diffs: bool,
    /// Documents found in an index, when the scan looked in one.
    stored: Option<usize>,
}

impl<W: Write> JsonPrinter<W> {
    /// A printer writing one JSON object per line to `out`.
    pub fn new(out: W) -> JsonPrinter<W> {
        JsonPrinter {
            out,
            show_diffs: false,
            stored: None,
        }
    }

    /// Add to each differing segment pair the characters that differ.
    pub fn show_diffs(&mut self, yes: bool) -> &mut Self {
        self.show_diffs = yes;
        self
    }

    /// Prints a document line from stored facts, as a scan that looked
    /// for no blocks prints it (signature files keep no blocks).
    pub fn document_facts(&mut self, origin: &Origin, facts: &DocumentFacts) -> io::Result<()> {
        self.line(&document_line(origin, facts))
    }

    fn line(&mut self, value: &impl Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }
}

#[derive(Serialize)]
struct Begin {
    #[serde(rename = "type")]
    kind: &'static str,
    schema: u32,
    version: &'static str,
}

#[derive(Serialize)]
struct DocumentLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: String,
    #[serde(flatten)]
    record: Option<RecordJson>,
    encoding: &'a str,
    detection: &'a str,
    bom: bool,
    malformed: usize,
    input_bytes: usize,
    bytes: usize,
    lines: usize,
    segments: usize,
    duplicate_bytes: usize,
    duplicate_ratio: f64,
    blocks: Vec<BlockJson>,
    /// Damaged segments, only when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    damage: Option<DamageJson>,
}

/// A document's damage: its total score and each damaged segment.
#[derive(Serialize)]
struct DamageJson {
    score: u32,
    segments: Vec<DamagedSegmentJson>,
}

#[derive(Serialize)]
struct DamagedSegmentJson {
    kinds: Vec<&'static str>,
    lines: [usize; 2],
    bytes: [usize; 2],
    marked: [usize; 2],
    score: u32,
}

fn damage_json(damage: &DocumentDamage) -> Option<DamageJson> {
    if damage.is_clean() {
        return None;
    }
    Some(DamageJson {
        score: damage.score,
        segments: damage
            .segments
            .iter()
            .map(|found| DamagedSegmentJson {
                kinds: found.kinds.iter().map(|kind| kind.name()).collect(),
                lines: [found.lines.first, found.lines.last],
                bytes: [found.bytes.start, found.bytes.end],
                marked: [found.marked.start, found.marked.end],
                score: found.score,
            })
            .collect(),
    })
}

/// A document line without blocks.
fn document_line<'a>(origin: &Origin, facts: &DocumentFacts<'a>) -> DocumentLine<'a> {
    DocumentLine {
        kind: "document",
        path: origin.report_path(),
        record: record_json(origin),
        encoding: facts.encoding,
        detection: facts.detection,
        bom: facts.bom,
        malformed: facts.malformed,
        input_bytes: facts.input_bytes,
        bytes: facts.bytes,
        lines: facts.lines,
        segments: facts.segments,
        duplicate_bytes: 0,
        duplicate_ratio: 0.0,
        blocks: Vec::new(),
        damage: None,
    }
}

/// Where a JSON Lines document sits in its file.
#[derive(Serialize)]
struct RecordJson {
    id: String,
    line: usize,
}

fn record_json(origin: &Origin) -> Option<RecordJson> {
    match origin {
        Origin::Record { id, line, .. } => Some(RecordJson {
            id: id.clone(),
            line: *line,
        }),
        _ => None,
    }
}

#[derive(Serialize)]
struct BlockJson {
    copies: Vec<SpanJson>,
    segments: usize,
    similarity: f64,
    exact: bool,
    differing: Vec<DifferingJson>,
}

#[derive(Serialize)]
struct SpanJson {
    lines: [usize; 2],
    bytes: [usize; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    columns: Option<[usize; 2]>,
}

#[derive(Serialize)]
struct DifferingJson {
    copy: usize,
    lines: [Option<[usize; 2]>; 2],
    bytes: [Option<[usize; 2]>; 2],
    similarity: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<Vec<ChangeJson>>,
}

/// One change inside a differing pair: the old and new text, and their byte
/// ranges in the decoded document.
#[derive(Serialize)]
struct ChangeJson {
    old: String,
    new: String,
    bytes: [[usize; 2]; 2],
}

fn changes_json(text: &str, first: &Span, other: &Span) -> Vec<ChangeJson> {
    let (a, b) = (&text[first.bytes.clone()], &text[other.bytes.clone()]);
    super::inline::changes(a, b)
        .into_iter()
        .map(|c| ChangeJson {
            old: a[c.old.clone()].to_owned(),
            new: b[c.new.clone()].to_owned(),
            bytes: [
                [
                    first.bytes.start + c.old.start,
                    first.bytes.start + c.old.end,
                ],
                [
                    other.bytes.start + c.new.start,
                    other.bytes.start + c.new.end,
                ],
            ],
        })
        .collect()
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    message: &'a str,
}

/// A file a folder walk skipped, and why.
#[derive(Serialize)]
struct SkippedLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: String,
    reason: &'a str,
}

#[derive(Serialize)]
struct SummaryLine {
    #[serde(rename = "type")]
    kind: &'static str,
    documents: usize,
    input_bytes: usize,
    bytes: usize,
    duplicate_bytes: usize,
    blocks: usize,
    clusters: usize,
    duplicate_documents: usize,
    repeated_segments: usize,
    boilerplate: usize,
    /// Documents contained in longer ones, only when there are any.
    #[serde(skip_serializing_if = "is_zero")]
    contained: usize,
    errors: usize,
    skipped: usize,
    /// Documents with damaged segments, only when there are any.
    #[serde(skip_serializing_if = "is_zero")]
    damaged_documents: usize,
    /// Documents that duplicate a document stored in the index of
    /// `--against` (only with it).
    #[serde(skip_serializing_if = "Option::is_none")]
    stored_documents: Option<usize>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct DocClusterLine {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "kind")]
    cluster_kind: &'static str,
    similarity: f64,
    members: Vec<Member>,
}

/// A document contained in a longer one.
#[derive(Serialize)]
struct ContainedLine {
    #[serde(rename = "type")]
    kind: &'static str,
    document: Member,
    container: Member,
    containment: f64,
}

#[derive(Serialize)]
struct SegmentClusterLine {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "kind")]
    cluster_kind: &'static str,
    members: Vec<Member>,
}

#[derive(Serialize)]
struct PassageLine {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "kind")]
    cluster_kind: &'static str,
    exact: bool,
    similarity: f64,
    members: Vec<Member>,
}

#[derive(Serialize)]
struct BoilerplateLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "kind")]
    cluster_kind: &'static str,
    group: &'a str,
    documents: usize,
    group_documents: usize,
    text: &'a str,
}

/// A document named in a cluster, with the lines concerned when a cluster
/// is of segments.
#[derive(Serialize)]
struct Member {
    path: String,
    #[serde(flatten)]
    record: Option<RecordJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lines: Option<[usize; 2]>,
}

fn member(report: &CorpusReport, doc: u32, lines: Option<crate::document::LineRange>) -> Member {
    Member {
        path: report.origins[doc as usize].report_path(),
        record: record_json(&report.origins[doc as usize]),
        lines: lines.map(|l| [l.first, l.last]),
    }
}

fn span_json(doc: &ScannedDoc, span: &Span) -> SpanJson {
    SpanJson {
        lines: [span.lines.first, span.lines.last],
        bytes: [span.bytes.start, span.bytes.end],
        columns: columns(doc, span),
    }
}

/// 1-based character columns of a span that sits inside one line without
/// covering all of it.
fn columns(doc: &ScannedDoc, span: &Span) -> Option<[usize; 2]> {
    if span.lines.first != span.lines.last {
        return None;
    }
    let line = doc.index.line_bytes(span.lines.first);
    let text = doc.document.text();
    if text[line.clone()].trim() == &text[span.bytes.clone()] {
        return None;
    }
    let first = text[line.start..span.bytes.start].chars().count() + 1;
    let last = first + text[span.bytes.clone()].chars().count().max(1) - 1;
    Some([first, last])
}

fn block_json(doc: &ScannedDoc, block: &Block, show_diffs: bool) -> BlockJson {
    let side = |span: &Option<Span>| span.as_ref().map(|s| [s.lines.first, s.lines.last]);
    let side_bytes = |span: &Option<Span>| span.as_ref().map(|s| [s.bytes.start, s.bytes.end]);
    BlockJson {
        copies: block
            .copies
            .iter()
            .map(|c| span_json(doc, &c.span))
            .collect(),
        segments: block.segments,
        similarity: round4(block.similarity),
        exact: block.exact,
        differing: block
            .differing
            .iter()
            .map(|d| DifferingJson {
                copy: d.copy,
                lines: [side(&d.first), side(&d.other)],
                bytes: [side_bytes(&d.first), side_bytes(&d.other)],
                similarity: round4(d.similarity),
                changes: match (&d.first, &d.other) {
                    (Some(first), Some(other)) if show_diffs => {
                        Some(changes_json(doc.document.text(), first, other))
                    }
                    _ => None,
                },
            })
            .collect(),
    }
}

impl<W: Write> Sink for JsonPrinter<W> {
    fn begin(&mut self) -> io::Result<()> {
        self.line(&Begin {
            kind: "begin",
            schema: 1,
            version: env!("CARGO_PKG_VERSION"),
        })
    }

    fn document(&mut self, doc: &ScannedDoc) -> io::Result<()> {
        let facts = DocumentFacts::of(&doc.document, doc.index.line_count(), doc.segments.len());
        let mut line = document_line(&doc.document.origin, &facts);
        line.duplicate_bytes = doc.duplicate_bytes();
        line.duplicate_ratio = round4(doc.duplicate_ratio());
        line.blocks = doc
            .blocks
            .iter()
            .map(|b| block_json(doc, b, self.show_diffs))
            .collect();
        line.damage = damage_json(&doc.damage);
        self.line(&line)
    }

    fn problem(&mut self, problem: &Problem) -> io::Result<()> {
        self.line(&ErrorLine {
            kind: "error",
            path: problem.origin.report_path(),
            line: match &problem.origin {
                Origin::Record { line, .. } => Some(*line),
                _ => None,
            },
            message: &problem.message,
        })
    }

    fn skipped(&mut self, origin: &Origin, reason: &str) -> io::Result<()> {
        self.line(&SkippedLine {
            kind: "skipped",
            path: origin.report_path(),
            reason,
        })
    }

    fn corpus(&mut self, report: CorpusReport) -> io::Result<()> {
        let report = &report;
        for cluster in &report.clusters {
            self.line(&DocClusterLine {
                kind: "cluster",
                cluster_kind: if cluster.exact { "exact" } else { "near" },
                similarity: round4(cluster.similarity),
                members: cluster
                    .members
                    .iter()
                    .map(|&doc| member(report, doc, None))
                    .collect(),
            })?;
        }
        for found in &report.contained {
            self.line(&ContainedLine {
                kind: "contained",
                document: member(report, found.doc, None),
                container: member(report, found.container, None),
                containment: round4(found.containment),
            })?;
        }
        for occurrences in segment_clusters(report) {
            self.line(&SegmentClusterLine {
                kind: "cluster",
                cluster_kind: "segment",
                members: occurrences
                    .into_iter()
                    .map(|(doc, lines)| member(report, doc, Some(lines)))
                    .collect(),
            })?;
        }
        for passage in &report.passages {
            self.line(&PassageLine {
                kind: "cluster",
                cluster_kind: "passage",
                exact: passage.exact,
                similarity: round4(passage.similarity),
                members: passage_places(report, passage)
                    .into_iter()
                    .map(|(doc, lines)| member(report, doc, Some(lines)))
                    .collect(),
            })?;
        }
        for found in &report.boilerplate {
            self.line(&BoilerplateLine {
                kind: "cluster",
                cluster_kind: "boilerplate",
                group: &found.group,
                documents: found.documents,
                group_documents: found.group_documents,
                text: &found.text,
            })?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.line(&SummaryLine {
            kind: "summary",
            documents: summary.documents,
            input_bytes: summary.input_bytes,
            bytes: summary.bytes,
            duplicate_bytes: summary.duplicate_bytes,
            blocks: summary.blocks,
            clusters: summary.clusters,
            duplicate_documents: summary.duplicate_documents,
            repeated_segments: summary.repeated_segments,
            boilerplate: summary.boilerplate,
            contained: summary.contained,
            errors: summary.errors,
            skipped: summary.skipped,
            damaged_documents: summary.damaged_documents,
            stored_documents: self.stored,
        })?;
        self.out.flush()
    }
}

/// A document that duplicates a stored one (`scan --against INDEX`).
#[derive(Serialize)]
struct StoredLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: String,
    #[serde(flatten)]
    record: Option<RecordJson>,
    #[serde(rename = "kind")]
    match_kind: &'static str,
    similarity: f64,
    stored: StoredJson<'a>,
}

#[derive(Serialize)]
struct StoredJson<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    place: String,
}

impl<W: Write> crate::index::ReportStored for JsonPrinter<W> {
    fn stored(&mut self, origin: &Origin, found: &crate::index::StoredMatch) -> io::Result<()> {
        self.line(&StoredLine {
            kind: "stored",
            path: origin.report_path(),
            record: record_json(origin),
            match_kind: if found.exact { "exact" } else { "near" },
            similarity: round4(found.similarity),
            stored: StoredJson {
                path: &found.stored.path,
                id: found.stored.id.as_deref(),
                line: found.stored.line,
                place: found.stored.to_string(),
            },
        })
    }

    fn stored_total(&mut self, total: usize) {
        self.stored = Some(total);
    }
}
