//! The diff of two texts.
//!
//! The first byte chooses the options, the second the printer's width and
//! context; the rest is the old and the new text, split at the first NUL
//! byte (each read as UTF-8, invalid sequences replaced). Invariants: the
//! operations cover both texts in order; equal lines are equal; the new
//! text is rebuilt from the old one and the operations (equal lines, moved
//! blocks and the unchanged parts of inline-refined blocks from the old text,
//! only inserted text from the new one), and `Comparison::apply` agrees;
//! every output format renders, and the JSON one is JSON Lines.
#![no_main]

use std::ops::Range;

use doppel::diff::{
    Algorithm, Begin, Comparison, DiffOptions, DocHeader, Format, Granularity, InlineChange,
    Printer, Tag,
};
use libfuzzer_sys::fuzz_target;

const GRANULARITIES: [Granularity; 4] = [
    Granularity::Auto,
    Granularity::Line,
    Granularity::Word,
    Granularity::Char,
];
const ALGORITHMS: [Algorithm; 4] = [
    Algorithm::Myers,
    Algorithm::Patience,
    Algorithm::Histogram,
    Algorithm::Myers,
];
const FORMATS: [Format; 6] = [
    Format::Unified,
    Format::Color,
    Format::Word,
    Format::SideBySide,
    Format::Stat,
    Format::Json,
];

fuzz_target!(|data: &[u8]| {
    let [options_byte, print_byte, rest @ ..] = data else {
        return;
    };
    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let old = String::from_utf8_lossy(&rest[..split]);
    let new = String::from_utf8_lossy(rest.get(split + 1..).unwrap_or_default());

    let mut options = DiffOptions::new();
    options
        .granularity(GRANULARITIES[usize::from(options_byte & 3)])
        .algorithm(ALGORITHMS[usize::from(options_byte >> 2 & 3)])
        .detect_moves(options_byte & 0x10 == 0)
        .min_move_letters(if options_byte & 0x20 == 0 { 20 } else { 3 })
        // No wall clock: a run must be repeatable.
        .deadline(None);
    match options_byte >> 6 {
        1 => {
            options.ignore_whitespace(true);
        }
        2 => {
            options.ignore_case(true);
        }
        3 => {
            options.normalize(true);
        }
        _ => {}
    }
    let comparison = Comparison::new(&old, &new, &options);
    check_ops(&comparison);
    // Inline changes are in order inside their blocks whatever the options.
    let rebuilt = rebuild(&comparison, options.is_exact());
    if options.is_exact() {
        assert!(
            rebuilt == new,
            "the operations do not rebuild the new text:\n{rebuilt:?}\n{new:?}"
        );
        assert!(
            comparison.apply() == new,
            "apply does not give the new text"
        );
        assert_eq!(comparison.is_equal(), old == new, "is_equal");
    }
    assert!(
        (0.0..=1.0).contains(&comparison.similarity()),
        "similarity {}",
        comparison.similarity()
    );

    for format in FORMATS {
        let mut printer = Printer::new(format);
        printer
            .color(print_byte & 1 == 1)
            .context(usize::from(print_byte >> 1 & 7))
            .width(usize::from(print_byte >> 4) * 16);
        let mut out = Vec::new();
        let begin = Begin {
            old: "old.txt",
            new: "new.txt",
            options: &options,
        };
        printer.begin(&mut out, &begin).expect("writing to memory");
        printer
            .document(
                &mut out,
                &DocHeader::files("old.txt", "new.txt"),
                &comparison,
            )
            .expect("writing to memory");
        printer.finish(&mut out).expect("writing to memory");
        if format == Format::Json {
            let text = std::str::from_utf8(&out).expect("JSON output is UTF-8");
            for line in text.lines() {
                serde_json::from_str::<serde_json::Value>(line)
                    .unwrap_or_else(|e| panic!("JSON output line is not JSON ({e}): {line}"));
            }
        }
    }
});

/// The operations cover both texts' lines, in order, without gaps; each
/// tag has the sides it should.
fn check_ops(comparison: &Comparison<'_>) {
    let (mut o, mut n) = (0, 0);
    for op in comparison.ops() {
        assert_eq!(
            (op.old.start, op.new.start),
            (o, n),
            "operations leave a gap: {op:?}"
        );
        assert!(
            op.old.start <= op.old.end && op.new.start <= op.new.end,
            "{op:?}"
        );
        match op.tag {
            Tag::Equal => assert_eq!(op.old.len(), op.new.len(), "{op:?}"),
            Tag::Delete => assert!(op.new.is_empty(), "{op:?}"),
            Tag::Insert => assert!(op.old.is_empty(), "{op:?}"),
            Tag::Replace => {}
        }
        if let Some(m) = op.moved {
            let m = &comparison.moves()[m];
            match op.tag {
                Tag::Delete => assert_eq!(m.old, op.old, "move source {m:?} / {op:?}"),
                Tag::Insert => assert_eq!(m.new, op.new, "move destination {m:?} / {op:?}"),
                _ => panic!("a moved {:?}", op.tag),
            }
        }
        (o, n) = (op.old.end, op.new.end);
    }
    assert_eq!(
        (o, n),
        (comparison.old_lines().len(), comparison.new_lines().len()),
        "operations stop short"
    );
}

/// The new text from the old one and the operations; inserted text is the
/// only thing taken from the new text.
fn rebuild(comparison: &Comparison<'_>, exact: bool) -> String {
    let (old, new) = (comparison.old_text(), comparison.new_text());
    let mut out = String::new();
    for op in comparison.ops() {
        let o = comparison.old_bytes(op.old.clone());
        let n = comparison.new_bytes(op.new.clone());
        match (op.tag, op.moved, &op.inline) {
            (Tag::Equal, _, _) => {
                assert!(!exact || old[o.clone()] == new[n], "equal lines differ");
                out.push_str(&old[o]);
            }
            (Tag::Delete, _, _) => {}
            (Tag::Insert, Some(m), _) => {
                let m = &comparison.moves()[m];
                let source = comparison.old_bytes(m.old.clone());
                let dest = comparison.new_bytes(m.new.clone());
                match &m.inline {
                    Some(changes) => {
                        apply_changes(old, new, source, dest, changes, exact, &mut out)
                    }
                    // Equal blocks, or edited ones the refiner gave up on:
                    // then the block is taken whole from the new text.
                    None if old[source.clone()] == new[dest.clone()] => out.push_str(&old[source]),
                    None => {
                        assert!(
                            m.similarity < 1.0,
                            "an edited move with similarity 1: {m:?}"
                        );
                        out.push_str(&new[dest]);
                    }
                }
            }
            (Tag::Replace, _, Some(changes)) => {
                apply_changes(old, new, o, n, changes, exact, &mut out)
            }
            _ => out.push_str(&new[n]),
        }
    }
    out
}

/// `block` of the old text with inline `changes` made: each change's old
/// range inside the block, in order, replaced by its new range inside
/// `dest`; the text between changes kept from the old side.
fn apply_changes(
    old: &str,
    new: &str,
    block: Range<usize>,
    dest: Range<usize>,
    changes: &[InlineChange],
    exact: bool,
    out: &mut String,
) {
    let mut at = block.start;
    let mut new_at = dest.start;
    for c in changes {
        assert!(
            at <= c.old.start && c.old.start <= c.old.end && c.old.end <= block.end,
            "inline change {c:?} outside its block {block:?} or out of order"
        );
        assert!(
            new_at <= c.new.start && c.new.start <= c.new.end && c.new.end <= dest.end,
            "inline change {c:?} outside its new block {dest:?} or out of order"
        );
        match c.tag {
            Tag::Delete => assert!(c.new.is_empty(), "{c:?}"),
            Tag::Insert => assert!(c.old.is_empty(), "{c:?}"),
            Tag::Equal => assert!(!exact || old[c.old.clone()] == new[c.new.clone()], "{c:?}"),
            Tag::Replace => {}
        }
        out.push_str(&old[at..c.old.start]);
        out.push_str(&new[c.new.clone()]);
        at = c.old.end;
        new_at = c.new.end;
    }
    out.push_str(&old[at..block.end]);
}
