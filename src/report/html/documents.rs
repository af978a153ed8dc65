//! One listed document of the scan page: its facts, then each block with
//! every copy's lines and text side by side, and each pair of segments
//! where the copies differ as an inline diff, character by character in
//! every script (`<del>`/`<ins>`: the changes `--show-diffs` and the JSON
//! report's `changes` give, made by the library's
//! [`Comparison`](crate::diff::Comparison)).
//!
//! Bounded: at most [`MAX_BLOCKS`] blocks, [`MAX_COPIES`] copies with their
//! text and [`MAX_PAIRS`] differing pairs per block, each copy's text cut
//! at [`TEXT_CHARS`], long equal stretches of a diff folded, and segments
//! too long to compare here (or whose changes would fill more than
//! [`MAX_DIFF_MARKUP`]) shown as their lengths; every cut says so.

use std::fmt::Write as _;

use super::{text_box, TEXT_CHARS};
use crate::detect::within::{Block, Differing};
use crate::document::Span;
use crate::html::{escape, escape_attribute, escape_into};
use crate::pipeline::{Findings, ScannedDoc};
use crate::report::inline::{changes, Change};
use crate::report::thousands;

/// Blocks of one document shown; the rest are counted.
const MAX_BLOCKS: usize = 50;

/// Differing pairs of one block shown; the rest are counted.
const MAX_PAIRS: usize = 20;

/// Copies of one block shown with their text; the rest are named by lines.
const MAX_COPIES: usize = 6;

/// Bytes of markup one diff may take; a larger one is described instead.
const MAX_DIFF_MARKUP: usize = 32 << 10;

/// Segments longer than this (characters, either side) are not compared
/// on the page.
const DIFF_CHARS: usize = 20_000;

/// Characters of unchanged text kept on each side of a change.
const CONTEXT: usize = 40;

/// Appends document `number`'s section.
pub(super) fn document(out: &mut String, number: usize, doc: &ScannedDoc, find: Findings) {
    let path = doc.document.origin.to_string();
    let duplicate = doc.duplicate_bytes();
    let _ = write!(
        out,
        "<details class=\"doc\" id=\"doc-{number}\" data-path=\"{}\" data-duplicate-bytes=\"{duplicate}\" data-blocks=\"{}\"{}>\n<summary><span class=\"path\">",
        escape_attribute(&doc.document.origin.report_path()),
        doc.blocks.len(),
        if doc.blocks.is_empty() { "" } else { " open" }
    );
    escape_into(out, &path);
    let _ = write!(
        out,
        "</span> <span class=\"muted\">{} · {} bytes",
        escape(doc.document.decoded.encoding.name()),
        thousands(doc.document.input_bytes)
    );
    if find.blocks {
        let _ = write!(
            out,
            " · {:.1}% duplicate · {} blocks",
            doc.duplicate_ratio() * 100.0,
            doc.blocks.len()
        );
    }
    if doc.document.decoded.malformed > 0 {
        let _ = write!(out, " · {} malformed", doc.document.decoded.malformed);
    }
    if find.damage && !doc.damage.segments.is_empty() {
        let _ = write!(
            out,
            " · damage score {} in {} segments",
            doc.damage.score,
            doc.damage.segments.len()
        );
    }
    out.push_str("</span></summary>\n");
    if find.damage {
        damage_section(out, number, doc);
    }
    for (at, block) in doc.blocks.iter().take(MAX_BLOCKS).enumerate() {
        block_section(out, number, at + 1, doc, block);
    }
    if doc.blocks.len() > MAX_BLOCKS {
        let _ = writeln!(
            out,
            "<p class=\"note\">… and {} more blocks not shown (see <code>--format json</code>)</p>",
            thousands(doc.blocks.len() - MAX_BLOCKS)
        );
    }
    out.push_str("</details>\n");
}

/// Damaged segments listed per document at most.
const MAX_DAMAGED: usize = 50;
/// Characters shown on each side of where a damaged segment's marks begin.
const DAMAGE_CONTEXT: usize = 30;

/// The document's damaged segments: lines, kinds, score, and the text
/// around their first mark.
fn damage_section(out: &mut String, number: usize, doc: &ScannedDoc) {
    let segments = &doc.damage.segments;
    if segments.is_empty() {
        return;
    }
    let text = doc.document.text();
    let _ = write!(
        out,
        "<details class=\"damage finding\" id=\"doc-{number}-damage\" data-damaged-segments=\"{}\" open>\
         <summary>encoding damage <span class=\"muted\">· score {} · {} segments</span></summary>\n<ul class=\"damaged\">\n",
        segments.len(),
        doc.damage.score,
        segments.len()
    );
    for segment in segments.iter().take(MAX_DAMAGED) {
        let kinds: Vec<&str> = segment.kinds.iter().map(|k| k.name()).collect();
        let _ = write!(
            out,
            "<li data-lines=\"{}-{}\">lines {}–{} · {} · score {}<div class=\"text\">",
            segment.lines.first,
            segment.lines.last,
            segment.lines.first,
            segment.lines.last,
            kinds.join(", "),
            segment.score
        );
        let at = segment.marked.start.min(text.len());
        let before_start = text[..at]
            .char_indices()
            .rev()
            .nth(DAMAGE_CONTEXT - 1)
            .map_or(segment.bytes.start, |(i, _)| i.max(segment.bytes.start))
            .min(at);
        let after_end = text[at..]
            .char_indices()
            .nth(DAMAGE_CONTEXT)
            .map_or(text.len(), |(i, _)| at + i)
            .min(segment.bytes.end.max(at));
        escape_into(out, &text[before_start..at]);
        out.push_str("<mark>");
        escape_into(out, &text[at..after_end]);
        out.push_str("</mark></div></li>\n");
    }
    if segments.len() > MAX_DAMAGED {
        let _ = writeln!(
            out,
            "<li class=\"note\">… and {} more damaged segments not shown (see <code>--format json</code>)</li>",
            thousands(segments.len() - MAX_DAMAGED)
        );
    }
    out.push_str("</ul></details>\n");
}

fn block_section(
    out: &mut String,
    doc_number: usize,
    number: usize,
    doc: &ScannedDoc,
    block: &Block,
) {
    let text = doc.document.text();
    let kind = if block.exact {
        "exact".to_owned()
    } else {
        format!("similarity {:.3}", block.similarity)
    };
    let _ = write!(
        out,
        "<details class=\"block finding\" id=\"doc-{doc_number}-block-{number}\" data-copies=\"{}\" open>\
         <summary>block {number} <span class=\"muted\">· {} copies · {} segments · {kind}</span></summary>\n<div class=\"copies\">\n",
        block.copies.len(),
        block.copies.len(),
        block.segments,
    );
    for (at, copy) in block.copies.iter().take(MAX_COPIES).enumerate() {
        let _ = write!(
            out,
            "<div class=\"copy\" data-lines=\"{}\"><div class=\"muted\">{} · lines {} · {} bytes</div>",
            copy.span.lines,
            if at == 0 { "first copy" } else { "repeat" },
            copy.span.lines,
            thousands(copy.span.bytes.len())
        );
        text_box(out, &text[copy.span.bytes.clone()], TEXT_CHARS);
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
    if block.copies.len() > MAX_COPIES {
        let lines: Vec<String> = block.copies[MAX_COPIES..]
            .iter()
            .take(100)
            .map(|copy| copy.span.lines.to_string())
            .collect();
        let more = block.copies.len() - MAX_COPIES - lines.len();
        let _ = writeln!(
            out,
            "<p class=\"more\">{} more copies, at lines {}{}</p>",
            block.copies.len() - MAX_COPIES,
            lines.join(", "),
            if more > 0 {
                format!(", … and {more} more")
            } else {
                String::new()
            }
        );
    }
    if !block.differing.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{} segments differ between the copies:</p>",
            block.differing.len()
        );
        for differing in block.differing.iter().take(MAX_PAIRS) {
            pair(out, text, differing);
        }
        if block.differing.len() > MAX_PAIRS {
            let _ = writeln!(
                out,
                "<p class=\"note\">… and {} more differing segments not shown</p>",
                block.differing.len() - MAX_PAIRS
            );
        }
    }
    out.push_str("</details>\n");
}

/// One differing pair: its lines, its similarity and its diff.
fn pair(out: &mut String, text: &str, differing: &Differing) {
    let lines = |span: &Option<Span>| {
        span.as_ref()
            .map_or("-".to_owned(), |s| s.lines.to_string())
    };
    let (first, other) = (lines(&differing.first), lines(&differing.other));
    let _ = write!(
        out,
        "<div class=\"pair\" data-first=\"{first}\" data-other=\"{other}\"><div class=\"muted\">lines {first} ↔ {other} · similarity {:.2}</div>",
        differing.similarity
    );
    let side = |span: &Option<Span>| span.as_ref().map_or("", |s| &text[s.bytes.clone()]);
    let (old, new) = (side(&differing.first), side(&differing.other));
    let too_long = old.chars().count().max(new.chars().count()) > DIFF_CHARS;
    if too_long {
        let _ = write!(
            out,
            "<p class=\"note\">Segments of {} and {} characters: too long to compare here (<code>--show-diffs</code> shows the changes).</p>",
            thousands(old.chars().count()),
            thousands(new.chars().count())
        );
    } else {
        diff_box(out, old, new);
    }
    out.push_str("</div>\n");
}

/// The diff of `old` and `new` in a `<pre class="text diff">`, or a note
/// when its changes would take more than [`MAX_DIFF_MARKUP`].
pub(crate) fn diff_box(out: &mut String, old: &str, new: &str) {
    let mut markup = String::new();
    diff_markup(&mut markup, old, new);
    if markup.len() > MAX_DIFF_MARKUP {
        let _ = write!(
            out,
            "<p class=\"note\">The changes between these {} and {} characters are too large to show here.</p>",
            thousands(old.chars().count()),
            thousands(new.chars().count())
        );
        return;
    }
    out.push_str("<pre class=\"text diff\">");
    out.push_str(&markup);
    out.push_str("</pre>");
}

/// `old` with each change marked: removed text in `<del>`, inserted text
/// in `<ins>`, unchanged stretches longer than twice [`CONTEXT`] folded.
fn diff_markup(out: &mut String, old: &str, new: &str) {
    let mut at = 0;
    let changes = changes(old, new);
    let count = changes.len();
    for (
        index,
        Change {
            old: removed,
            new: inserted,
        },
    ) in changes.into_iter().enumerate()
    {
        unchanged(
            out,
            &old[at.min(removed.start)..removed.start],
            index == 0,
            false,
        );
        if !removed.is_empty() {
            out.push_str("<del>");
            escape_into(out, &old[removed.clone()]);
            out.push_str("</del>");
        }
        if !inserted.is_empty() {
            out.push_str("<ins>");
            escape_into(out, &new[inserted]);
            out.push_str("</ins>");
        }
        at = at.max(removed.end);
    }
    unchanged(out, &old[at.min(old.len())..], count == 0, true);
}

/// Unchanged text between changes: whole when short, else its ends.
fn unchanged(out: &mut String, text: &str, first: bool, last: bool) {
    let chars = text.chars().count();
    let keep_head = if first { 0 } else { CONTEXT };
    let keep_tail = if last { 0 } else { CONTEXT };
    if chars <= keep_head + keep_tail + 8 {
        escape_into(out, text);
        return;
    }
    let head_end = text
        .char_indices()
        .nth(keep_head)
        .map_or(text.len(), |(i, _)| i);
    let tail_start = text
        .char_indices()
        .nth(chars - keep_tail)
        .map_or(text.len(), |(i, _)| i);
    escape_into(out, &text[..head_end]);
    let _ = write!(
        out,
        "<span class=\"skip\" title=\"unchanged\">[… {} unchanged characters …]</span>",
        thousands(chars - keep_head - keep_tail)
    );
    escape_into(out, &text[tail_start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(old: &str, new: &str) -> String {
        let mut out = String::new();
        diff_markup(&mut out, old, new);
        out
    }

    #[test]
    fn one_changed_character_is_one_mark() {
        let old = "群團事業是黨的事業的重要組成部分，群團工作是黨的一項經常性工作";
        let new = old.replacen("經常", "?j常", 1);
        assert_eq!(
            marked(old, &new),
            "群團事業是黨的事業的重要組成部分，群團工作是黨的一項<del>經</del><ins>?j</ins>常性工作"
        );
    }

    #[test]
    fn changed_text_is_escaped() {
        assert_eq!(
            marked("a <b> c", "a <i> c"),
            "a &lt;<del>b</del><ins>i</ins>&gt; c"
        );
    }

    #[test]
    fn long_unchanged_stretches_fold() {
        let old = format!("{} X {}", "a ".repeat(250), "b ".repeat(250));
        let new = format!("{} Y {}", "a ".repeat(250), "b ".repeat(250));
        let shown = marked(&old, &new);
        assert!(shown.contains("<del>X</del><ins>Y</ins>"), "{shown}");
        assert!(shown.contains("[… 461 unchanged characters …]"), "{shown}");
        assert!(shown.len() < 300, "{shown}");
    }

    #[test]
    fn a_diff_too_large_to_show_is_described() {
        let old: String = (0..20_000)
            .map(|n| if n % 2 == 0 { 'a' } else { 'b' })
            .collect();
        let new: String = (0..20_000)
            .map(|n| if n % 2 == 0 { 'a' } else { 'c' })
            .collect();
        let mut out = String::new();
        diff_box(&mut out, &old, &new);
        assert!(
            out.contains("too large to show here"),
            "{}",
            &out[..200.min(out.len())]
        );
        let mut small = String::new();
        diff_box(&mut small, "a b", "a c");
        assert_eq!(
            small,
            "<pre class=\"text diff\">a <del>b</del><ins>c</ins></pre>"
        );
    }

    #[test]
    fn equal_texts_are_shown_folded() {
        let shown = marked("same", "same");
        assert_eq!(shown, "same");
    }
}
