//! The stat format, like `git diff --stat`: one row per changed document
//! with its inserted and deleted lines, how many characters changed inside
//! refined blocks, how many blocks moved, and how many changes are
//! encoding damage on one side rather than edits; then a summary line.

use std::io::{self, Write};

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::{pad, DocHeader, Totals};
use crate::diff::compare::Tag;
use crate::diff::comparison::Comparison;
use crate::diff::folders::DocStatus;
use crate::diff::refine::InlineChange;

/// Widest bar of `+` and `-`.
const BAR: usize = 40;

#[derive(Clone, Debug)]
pub(crate) struct Row {
    name: String,
    insertions: usize,
    deletions: usize,
    chars_removed: usize,
    chars_added: usize,
    moves: usize,
    damaged: usize,
    approximate: bool,
    renamed: bool,
}

pub(crate) fn row(header: &DocHeader<'_>, c: &Comparison<'_>) -> Row {
    let name = match (header.status, header.old, header.new) {
        (DocStatus::Renamed, Some(old), Some(new)) => format!("{} => {}", old.path, new.path),
        _ => header
            .new
            .or(header.old)
            .map_or(String::new(), |s| s.path.to_owned()),
    };
    let mut row = Row {
        name,
        insertions: 0,
        deletions: 0,
        chars_removed: 0,
        chars_added: 0,
        moves: c.moves().len(),
        damaged: crate::diff::DamageCount::of(c).total(),
        approximate: c.is_approximate(),
        renamed: header.status == DocStatus::Renamed,
    };
    for op in c.ops().iter().filter(|op| op.tag != Tag::Equal) {
        row.insertions += op.new.len();
        row.deletions += op.old.len();
        if op.moved.is_none() {
            count_chars(&mut row, c, op.inline.as_deref());
        }
    }
    for m in c.moves() {
        count_chars(&mut row, c, m.inline.as_deref());
    }
    row
}

fn count_chars(row: &mut Row, c: &Comparison<'_>, changes: Option<&[InlineChange]>) {
    for change in changes.unwrap_or_default() {
        row.chars_removed += c.old_text()[change.old.clone()].graphemes(true).count();
        row.chars_added += c.new_text()[change.new.clone()].graphemes(true).count();
    }
}

pub(crate) fn table(out: &mut dyn Write, rows: &[Row], totals: &Totals) -> io::Result<()> {
    let rows: Vec<&Row> = rows
        .iter()
        .filter(|r| r.insertions + r.deletions > 0 || r.renamed)
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let name_width = rows.iter().map(|r| r.name.width()).max().unwrap_or(0);
    let most = rows
        .iter()
        .map(|r| r.insertions + r.deletions)
        .max()
        .unwrap_or(0);
    let count_width = most.to_string().len();
    for r in &rows {
        let total = r.insertions + r.deletions;
        let scale = |n: usize| {
            if most > BAR {
                (n * BAR).div_ceil(most)
            } else {
                n
            }
        };
        let bar = format!(
            "{}{}",
            "+".repeat(scale(r.insertions)),
            "-".repeat(scale(r.deletions))
        );
        write!(out, " {}", r.name)?;
        pad(out, name_width - r.name.width())?;
        write!(out, " | {total:>count_width$} {bar}")?;
        if r.chars_removed + r.chars_added > 0 {
            write!(out, "  (chars -{} +{})", r.chars_removed, r.chars_added)?;
        }
        if r.moves > 0 {
            write!(out, "  ({} moved)", r.moves)?;
        }
        if r.damaged > 0 {
            write!(out, "  ({} encoding damage)", r.damaged)?;
        }
        if r.approximate {
            write!(out, "  (approximate)")?;
        }
        writeln!(out)?;
    }
    let files = rows.len();
    write!(
        out,
        " {files} file{} changed, {} insertion{}(+), {} deletion{}(-)",
        plural(files),
        totals.insertions,
        plural(totals.insertions),
        totals.deletions,
        plural(totals.deletions)
    )?;
    if totals.moves > 0 {
        write!(
            out,
            ", {} moved block{}",
            totals.moves,
            plural(totals.moves)
        )?;
    }
    if totals.damaged > 0 {
        write!(
            out,
            ", {} change{} of encoding damage",
            totals.damaged,
            plural(totals.damaged)
        )?;
    }
    writeln!(out)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
