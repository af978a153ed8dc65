//! The word format: hunks whose text is written once, with removed text as
//! `[-old-]` and inserted text as `{+new+}`. A moved block is written
//! `[<m1:text>]` where it left and `{>m1:text<}` where it arrived, the
//! latter with the edits made to it after the move marked inside. Markup
//! closes before a line break that ends the marked text.
//!
//! Whitespace is not a word: as in `git diff --word-diff`, whitespace comes
//! from the new text, unmarked. Removed whitespace is not shown, inserted
//! whitespace is written as it is, and a change of whitespace alone (a
//! re-wrapped paragraph) marks nothing. No marker is ever empty.

use std::io::{self, Write};

use super::hunks::hunks;
use super::{DocHeader, Printer, APPROXIMATE};
use crate::diff::compare::Tag;
use crate::diff::comparison::{Comparison, Op};
use crate::diff::refine::InlineChange;

pub(crate) fn document(
    printer: &Printer,
    out: &mut dyn Write,
    header: &DocHeader<'_>,
    comparison: &Comparison<'_>,
) -> io::Result<()> {
    writeln!(out, "--- {}", header.old_name())?;
    writeln!(out, "+++ {}", header.new_name())?;
    if comparison.is_approximate() {
        writeln!(out, "# {APPROXIMATE}")?;
    }
    let mut w = Writer {
        out,
        at_line_start: true,
    };
    for hunk in hunks(comparison.ops(), printer.context) {
        w.end_line()?;
        w.raw(&hunk.header())?;
        w.raw("\n")?;
        for piece in &hunk.pieces {
            let op = &comparison.ops()[piece.op];
            if piece.tag == Tag::Equal {
                w.raw(&comparison.old_text()[comparison.old_bytes(piece.old.clone())])?;
            } else {
                change(&mut w, comparison, op)?;
            }
        }
    }
    w.end_line()
}

fn change(w: &mut Writer<'_>, c: &Comparison<'_>, op: &Op) -> io::Result<()> {
    let old = &c.old_text()[c.old_bytes(op.old.clone())];
    let new = &c.new_text()[c.new_bytes(op.new.clone())];
    if op.moved.is_none() && same_words(old, new) {
        return w.raw(new);
    }
    match (op.tag, op.moved, &op.inline) {
        (Tag::Delete, Some(m), _) => w.wrap(&format!("[<m{}:", c.moves()[m].id), old, ">]"),
        (Tag::Insert, Some(m), _) => {
            let m = &c.moves()[m];
            w.raw(&format!("{{>m{}:", m.id))?;
            match &m.inline {
                Some(changes) => {
                    let source = c.old_bytes(m.old.clone());
                    inline(w, c, source, changes, "<}")
                }
                None => w.wrap("", new, "<}"),
            }
        }
        (Tag::Replace, _, Some(changes)) => inline(w, c, c.old_bytes(op.old.clone()), changes, ""),
        (Tag::Replace, _, None) => match (old.strip_suffix('\n'), new.strip_suffix('\n')) {
            (Some(o), Some(n)) => {
                w.removed(o)?;
                w.inserted(n)?;
                w.raw("\n")
            }
            _ => {
                w.removed(old)?;
                w.inserted(new)
            }
        },
        (Tag::Delete, None, _) => w.removed(old),
        _ => w.inserted(new),
    }
}

/// Whether two texts have the same words, told apart by whitespace alone
/// (both may be empty or only whitespace).
fn same_words(old: &str, new: &str) -> bool {
    old.split_whitespace().eq(new.split_whitespace())
}

/// Whether a text is empty or only whitespace.
fn blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

/// Writes the old block `block` with its inline changes marked, then `end`.
fn inline(
    w: &mut Writer<'_>,
    c: &Comparison<'_>,
    block: std::ops::Range<usize>,
    changes: &[InlineChange],
    end: &str,
) -> io::Result<()> {
    let (old, new) = (c.old_text(), c.new_text());
    let mut at = block.start;
    for change in changes {
        w.raw(&old[at..change.old.start])?;
        let (removed, inserted) = (&old[change.old.clone()], &new[change.new.clone()]);
        if !blank(removed) {
            w.raw(&format!("[-{removed}-]"))?;
        }
        if blank(inserted) {
            w.raw(inserted)?;
        } else {
            w.raw(&format!("{{+{inserted}+}}"))?;
        }
        at = change.old.end;
    }
    let rest = &old[at..block.end];
    match rest.strip_suffix('\n') {
        Some(body) if !end.is_empty() => {
            w.raw(body)?;
            w.raw(end)?;
            w.raw("\n")
        }
        _ => {
            w.raw(rest)?;
            w.raw(end)
        }
    }
}

struct Writer<'o> {
    out: &'o mut dyn Write,
    at_line_start: bool,
}

impl Writer<'_> {
    fn raw(&mut self, text: &str) -> io::Result<()> {
        if !text.is_empty() {
            self.out.write_all(text.as_bytes())?;
            self.at_line_start = text.ends_with('\n');
        }
        Ok(())
    }

    /// `open text close`, the close before a final line break.
    fn wrap(&mut self, open: &str, text: &str, close: &str) -> io::Result<()> {
        self.raw(open)?;
        match text.strip_suffix('\n') {
            Some(body) => {
                self.raw(body)?;
                self.raw(close)?;
                self.raw("\n")
            }
            None => {
                self.raw(text)?;
                self.raw(close)
            }
        }
    }

    /// Removed text, marked; nothing when it is only whitespace.
    fn removed(&mut self, text: &str) -> io::Result<()> {
        if blank(text) {
            return Ok(());
        }
        self.wrap("[-", text, "-]")
    }

    /// Inserted text, marked; as it is when it is only whitespace.
    fn inserted(&mut self, text: &str) -> io::Result<()> {
        if blank(text) {
            return self.raw(text);
        }
        self.wrap("{+", text, "+}")
    }

    fn end_line(&mut self) -> io::Result<()> {
        if !self.at_line_start {
            self.raw("\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::blank;
    use crate::diff::{Comparison, DiffOptions, DocHeader, Format, Printer};

    /// The word output of `old` → `new` after its `---`/`+++` header.
    fn word(old: &str, new: &str) -> String {
        let comparison = Comparison::new(old, new, &DiffOptions::new());
        let mut out = Vec::new();
        Printer::new(Format::Word)
            .document(&mut out, &DocHeader::files("a", "b"), &comparison)
            .expect("written to memory");
        let out = String::from_utf8(out).expect("UTF-8");
        out.lines().skip(2).map(|l| format!("{l}\n")).collect()
    }

    const WRAPPED: &str = "The quick brown fox jumps over the lazy dog and then\n\
                           runs away into the forest where nobody can find it\n\
                           again.\n";
    const REWRAPPED: &str = "The quick brown fox jumps over the lazy dog\n\
                             and then runs away into the forest where nobody\n\
                             can find it again.\n";

    #[test]
    fn a_rewrapped_paragraph_is_printed_as_the_new_text_with_nothing_marked() {
        assert_eq!(
            word(WRAPPED, REWRAPPED),
            format!("@@ -1,3 +1,3 @@\n{REWRAPPED}")
        );
        // Joined into one line, and split again.
        let one_line = WRAPPED.replace('\n', " ").trim_end().to_owned() + "\n";
        assert_eq!(
            word(WRAPPED, &one_line),
            format!("@@ -1,3 +1 @@\n{one_line}")
        );
        assert_eq!(
            word(&one_line, WRAPPED),
            format!("@@ -1 +1,3 @@\n{WRAPPED}")
        );
    }

    #[test]
    fn a_word_changed_in_a_rewrapped_paragraph_is_the_only_mark() {
        let new = REWRAPPED.replace("forest", "woods");
        let out = word(WRAPPED, &new);
        assert_eq!(
            out,
            "@@ -1,3 +1,3 @@\n\
             The quick brown fox jumps over the lazy dog\n\
             and then runs away into the [-forest-]{+woods+} where nobody\n\
             can find it again.\n"
        );
    }

    #[test]
    fn whitespace_alone_is_never_marked() {
        // An inserted blank line, a blank line of spaces, a space doubled,
        // a final line break added, a blank line removed.
        for (old, new) in [
            ("a\nb\n", "a\n\nb\n"),
            ("a\nb\n", "a\n  \nb\n"),
            ("x y\n", "x  y\n"),
            ("a\nend", "a\nend\n"),
            ("a\n\nb\n", "a\nb\n"),
            ("a\tb\n", "a b\n"),
        ] {
            let out = word(old, new);
            assert!(out.starts_with("@@ "), "{old:?} → {new:?}: {out:?}");
            for marker in ["[-", "-]", "{+", "+}"] {
                assert!(!out.contains(marker), "{old:?} → {new:?}: {out:?}");
            }
            let body: String = out.lines().skip(1).map(|l| format!("{l}\n")).collect();
            let expected = if new.ends_with('\n') {
                new.to_owned()
            } else {
                format!("{new}\n")
            };
            assert_eq!(body, expected, "{old:?} → {new:?}");
        }
    }

    #[test]
    fn no_marker_is_ever_empty() {
        for (old, new) in [
            ("a\n\nb\n", "a\nx\nb\n"),
            ("a\nx\nb\n", "a\n\nb\n"),
            ("a-b\n", "a b\n"),
            ("a b\n", "a-b\n"),
            ("one\n", "\n"),
            ("\n", "one\n"),
            ("a\n  \nb\n", "a\nword\nb\n"),
        ] {
            let out = word(old, new);
            for empty in ["[--]", "{++}"] {
                assert!(!out.contains(empty), "{old:?} → {new:?}: {out:?}");
            }
            assert!(
                out.contains("[-") || out.contains("{+"),
                "{old:?} → {new:?}: {out:?}"
            );
            for (open, close) in [("[-", "-]"), ("{+", "+}")] {
                for (at, _) in out.match_indices(open) {
                    let inside = &out[at + 2..];
                    let inside = &inside[..inside.find(close).expect("closed")];
                    assert!(!blank(inside), "{old:?} → {new:?}: {out:?}");
                }
            }
        }
    }
}
