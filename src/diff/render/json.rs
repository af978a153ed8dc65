//! JSON Lines: a `begin` object, then per document a `document` object
//! followed by its `op` and `move` objects, `error` objects, and a closing
//! `summary`. Every object has `"type"` first. Lines are 1-based and
//! inclusive (a line ends after `\n`), byte ranges are 0-based, end
//! exclusive, into the decoded UTF-8 text, and end before the terminator of
//! the range's last line; an empty side has `"lines": null` and a byte range
//! of length zero where the text would be. Inline changes carry their text
//! and the 1-based line and column (in characters) where they start.
//!
//! An inline change that is encoding damage on one side (see
//! [`crate::diff::inline_damage`]) has `"damage": "old"` or `"new"`; so
//! has a replaced block whose changes all are ([`crate::diff::op_damage`]).
//! The summary counts such changes in `damaged`.

use std::io::{self, Write};
use std::ops::Range;

use serde::Serialize;

use super::{DocHeader, Totals};
use crate::diff::compare::Tag;
use crate::diff::comparison::{Comparison, Op};
use crate::diff::damage::{inline_damage, op_damage};
use crate::diff::lines::trim_terminator;
use crate::diff::options::DiffOptions;
use crate::diff::refine::InlineChange;
use crate::diff::similarity::round3;

/// What the `begin` object says about the run.
#[derive(Clone, Copy, Debug)]
pub struct Begin<'a> {
    /// The old file or folder, as named on the command line.
    pub old: &'a str,
    /// The new file or folder, as named on the command line.
    pub new: &'a str,
    /// The options the run compares with, echoed in the `begin` object.
    pub options: &'a DiffOptions,
}

#[derive(Serialize)]
struct BeginJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    schema: u32,
    version: &'static str,
    command: &'static str,
    old: &'a str,
    new: &'a str,
    by: &'static str,
    algorithm: &'static str,
    ignore_whitespace: bool,
    ignore_case: bool,
    normalize: bool,
    deadline_ms: Option<u128>,
    move_similarity: f64,
    min_move_letters: usize,
    rename_similarity: f64,
}

pub(crate) fn begin(out: &mut dyn Write, b: &Begin<'_>) -> io::Result<()> {
    let o = b.options;
    line(
        out,
        &BeginJson {
            kind: "begin",
            schema: 1,
            version: env!("CARGO_PKG_VERSION"),
            command: "diff",
            old: b.old,
            new: b.new,
            by: o.granularity.as_str(),
            algorithm: o.algorithm.as_str(),
            ignore_whitespace: o.ignore_whitespace,
            ignore_case: o.ignore_case,
            normalize: o.normalize,
            deadline_ms: o.deadline.map(|d| d.as_millis()),
            move_similarity: o.move_similarity,
            min_move_letters: o.min_move_letters,
            rename_similarity: o.rename_similarity,
        },
    )
}

#[derive(Serialize)]
struct SideJson<'a> {
    path: &'a str,
    encoding: &'a str,
    input_bytes: usize,
    bytes: usize,
    lines: usize,
}

#[derive(Serialize)]
struct DocumentJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    status: &'static str,
    old: Option<SideJson<'a>>,
    new: Option<SideJson<'a>>,
    similarity: f64,
    approximate: bool,
    insertions: usize,
    deletions: usize,
    moves: usize,
}

#[derive(Serialize)]
struct RangeJson {
    lines: Option<[usize; 2]>,
    bytes: [usize; 2],
}

#[derive(Serialize)]
struct InlineSide<'a> {
    bytes: [usize; 2],
    line: usize,
    column: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct InlineJson<'a> {
    op: &'static str,
    old: InlineSide<'a>,
    new: InlineSide<'a>,
    /// The side that is encoding damage, when the change is that.
    #[serde(skip_serializing_if = "Option::is_none")]
    damage: Option<&'static str>,
}

#[derive(Serialize)]
struct MoveRef {
    id: usize,
    role: &'static str,
    similarity: f64,
}

#[derive(Serialize)]
struct OpJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    op: &'static str,
    old: RangeJson,
    new: RangeJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    inline: Option<Vec<InlineJson<'a>>>,
    #[serde(rename = "move", skip_serializing_if = "Option::is_none")]
    moved: Option<MoveRef>,
    /// The side that is encoding damage, when every change is that.
    #[serde(skip_serializing_if = "Option::is_none")]
    damage: Option<&'static str>,
}

#[derive(Serialize)]
struct MoveJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: usize,
    old: RangeJson,
    new: RangeJson,
    similarity: f64,
    edited: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    inline: Option<Vec<InlineJson<'a>>>,
}

fn side_json<'h>(s: Option<super::DocSide<'h>>, text: &str, lines: usize) -> Option<SideJson<'h>> {
    s.map(|s| SideJson {
        path: s.path,
        encoding: s.encoding,
        input_bytes: s.input_bytes,
        bytes: text.len(),
        lines,
    })
}

pub(crate) fn document(
    out: &mut dyn Write,
    header: &DocHeader<'_>,
    c: &Comparison<'_>,
) -> io::Result<()> {
    let side = side_json;
    let changed = c.ops().iter().filter(|op| op.tag != Tag::Equal);
    line(
        out,
        &DocumentJson {
            kind: "document",
            status: header.status.as_str(),
            old: side(header.old, c.old_text(), c.old_lines().len()),
            new: side(header.new, c.new_text(), c.new_lines().len()),
            similarity: round3(c.similarity()),
            approximate: c.is_approximate(),
            insertions: changed.clone().map(|op| op.new.len()).sum(),
            deletions: changed.map(|op| op.old.len()).sum(),
            moves: c.moves().len(),
        },
    )?;
    let mut locate = Locators::new(c);
    for op in c.ops().iter().filter(|op| op.tag != Tag::Equal) {
        line(out, &op_json(c, op, &mut locate))?;
    }
    for m in c.moves() {
        let inline = m
            .inline
            .as_deref()
            .map(|ch| inline_json(c, ch, &mut locate));
        line(
            out,
            &MoveJson {
                kind: "move",
                id: m.id,
                old: range_json(c.old_text(), c.old_lines(), m.old.clone()),
                new: range_json(c.new_text(), c.new_lines(), m.new.clone()),
                similarity: round3(m.similarity),
                edited: m.inline.is_some(),
                inline,
            },
        )?;
    }
    Ok(())
}

fn op_json<'a>(c: &Comparison<'a>, op: &Op, locate: &mut Locators<'_>) -> OpJson<'a> {
    let moved = op.moved.map(|m| MoveRef {
        id: c.moves()[m].id,
        role: if op.tag == Tag::Delete {
            "source"
        } else {
            "destination"
        },
        similarity: round3(c.moves()[m].similarity),
    });
    OpJson {
        kind: "op",
        op: op.tag.as_str(),
        old: range_json(c.old_text(), c.old_lines(), op.old.clone()),
        new: range_json(c.new_text(), c.new_lines(), op.new.clone()),
        inline: op.inline.as_deref().map(|ch| inline_json(c, ch, locate)),
        moved,
        damage: op_damage(c, op).map(|side| side.as_str()),
    }
}

fn range_json(text: &str, lines: &[Range<usize>], range: Range<usize>) -> RangeJson {
    if range.is_empty() {
        let at = lines.get(range.start).map_or(text.len(), |r| r.start);
        return RangeJson {
            lines: None,
            bytes: [at, at],
        };
    }
    let last = &lines[range.end - 1];
    let end = last.start + trim_terminator(&text[last.clone()]).len();
    RangeJson {
        lines: Some([range.start + 1, range.end]),
        bytes: [lines[range.start].start, end],
    }
}

fn inline_json<'a>(
    c: &Comparison<'a>,
    changes: &[InlineChange],
    locate: &mut Locators<'_>,
) -> Vec<InlineJson<'a>> {
    changes
        .iter()
        .map(|ch| {
            let (ol, oc) = locate.old.at(ch.old.start);
            let (nl, nc) = locate.new.at(ch.new.start);
            InlineJson {
                op: ch.tag.as_str(),
                old: InlineSide {
                    bytes: [ch.old.start, ch.old.end],
                    line: ol,
                    column: oc,
                    text: &c.old_text()[ch.old.clone()],
                },
                new: InlineSide {
                    bytes: [ch.new.start, ch.new.end],
                    line: nl,
                    column: nc,
                    text: &c.new_text()[ch.new.clone()],
                },
                damage: inline_damage(c, ch).map(|side| side.as_str()),
            }
        })
        .collect()
}

struct Locators<'t> {
    old: Locator<'t>,
    new: Locator<'t>,
}

impl<'t> Locators<'t> {
    fn new(c: &'t Comparison<'_>) -> Locators<'t> {
        Locators {
            old: Locator::new(c.old_text(), c.old_lines()),
            new: Locator::new(c.new_text(), c.new_lines()),
        }
    }
}

/// Turns byte offsets into 1-based (line, column), fast when the offsets
/// mostly increase.
struct Locator<'t> {
    text: &'t str,
    lines: &'t [Range<usize>],
    at: usize,
    column: usize,
}

impl<'t> Locator<'t> {
    fn new(text: &'t str, lines: &'t [Range<usize>]) -> Locator<'t> {
        Locator {
            text,
            lines,
            at: 0,
            column: 1,
        }
    }

    fn at(&mut self, offset: usize) -> (usize, usize) {
        let mut line = self.lines.partition_point(|r| r.end <= offset);
        if line == self.lines.len() && line > 0 && !self.text.ends_with('\n') {
            line -= 1;
        }
        let start = self.lines.get(line).map_or(self.text.len(), |r| r.start);
        if self.at < start || self.at > offset {
            (self.at, self.column) = (start, 1);
        }
        self.column += self.text[self.at..offset].chars().count();
        self.at = offset;
        (line + 1, self.column)
    }
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: &'a str,
    message: &'a str,
}

pub(crate) fn error(out: &mut dyn Write, path: &str, message: &str) -> io::Result<()> {
    line(
        out,
        &ErrorJson {
            kind: "error",
            path,
            message,
        },
    )
}

#[derive(Serialize)]
struct SummaryJson {
    #[serde(rename = "type")]
    kind: &'static str,
    documents: usize,
    changed: usize,
    added: usize,
    removed: usize,
    renamed: usize,
    unchanged: usize,
    insertions: usize,
    deletions: usize,
    moves: usize,
    approximate: usize,
    errors: usize,
    skipped: usize,
    /// Changes that are encoding damage on one side.
    damaged: usize,
}

pub(crate) fn summary(out: &mut dyn Write, t: &Totals) -> io::Result<()> {
    line(
        out,
        &SummaryJson {
            kind: "summary",
            documents: t.documents,
            changed: t.changed,
            added: t.added,
            removed: t.removed,
            renamed: t.renamed,
            unchanged: t.unchanged,
            insertions: t.insertions,
            deletions: t.deletions,
            moves: t.moves,
            approximate: t.approximate,
            errors: t.errors,
            skipped: t.skipped,
            damaged: t.damaged,
        },
    )
}

fn line<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}
