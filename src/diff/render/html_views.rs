//! One document's changes as HTML: a side-by-side view (old | new, line
//! numbers) and an inline view (unified-like), built from the same hunks,
//! each change one `<tbody class="chg">`, moved blocks linked both ways
//! between where they left and where they arrived.
//!
//! A page has a budget of rows and of text bytes ([`Budget`]); a document
//! is shown up to where its share of the budget runs out, with a note
//! saying how many changes it leaves out. The cut is planned before any
//! markup is written, so a move's link is only written when the other end
//! is on the page.

use std::fmt::Write as _;
use std::ops::Range;

use super::html_line::{shown_bytes, write_line};
use super::hunks::{hunks, Hunk, Piece};
use super::marks::marks_of;
use crate::diff::compare::Tag;
use crate::diff::comparison::{Comparison, Op};
use crate::diff::op_damage;
use crate::report::thousands;

/// What is left of the page's budget.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    /// Side-by-side rows.
    pub rows: usize,
    /// Bytes of document text (the inline view repeats about as much).
    pub text: usize,
    /// Bytes of one line shown before it is cut to windows.
    pub line: usize,
}

/// How much of a document the page shows and leaves out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LeftOut {
    /// Rows of the side-by-side view shown.
    pub shown: usize,
    /// Changes (non-equal operations) with no row on the page.
    pub changes: usize,
    /// Rows of the side-by-side view not shown.
    pub rows: usize,
}

/// Writes the two views of `c` (which differs) for the document numbered
/// `doc`, spending `budget`; returns what they show and leave out.
pub(crate) fn write_views(
    out: &mut String,
    doc: usize,
    c: &Comparison<'_>,
    context: usize,
    budget: &mut Budget,
) -> LeftOut {
    let hunks = hunks(c.ops(), context);
    let plan = Plan::new(c, &hunks, budget);
    let views = Views {
        c,
        doc,
        hunks: &hunks,
        plan: &plan,
        line_max: budget.line,
    };
    out.push_str(
        "<div class=\"view side\"><table class=\"diff sbs\"><colgroup><col class=\"n\"><col>\
         <col class=\"n\"><col></colgroup>",
    );
    views.write(out, View::Side);
    out.push_str("</table></div>\n<details class=\"view inline\"><summary>Inline view</summary>");
    out.push_str(
        "<table class=\"diff uni\"><colgroup><col class=\"n\"><col class=\"n\"><col class=\"s\">\
         <col></colgroup>",
    );
    views.write(out, View::Inline);
    out.push_str("</table></details>\n");
    plan.left_out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    Side,
    Inline,
}

impl View {
    /// Its letter in element ids.
    fn letter(self) -> char {
        match self {
            View::Side => 's',
            View::Inline => 'i',
        }
    }
}

/// Where the budget stops a document: hunk, piece in it, and rows of that
/// piece shown; everything before is shown.
struct Plan {
    stop: (usize, usize, usize),
    /// For each operation that is a change, the (hunk, piece) showing it.
    place: Vec<Option<(usize, usize)>>,
    /// For each move, its source and destination operations.
    moves: Vec<(Option<usize>, Option<usize>)>,
    left_out: LeftOut,
}

impl Plan {
    fn new(c: &Comparison<'_>, hunks: &[Hunk], budget: &mut Budget) -> Plan {
        let mut stop = (hunks.len(), 0, 0);
        let (mut shown, mut left_rows) = (0, 0);
        'hunks: for (h, hunk) in hunks.iter().enumerate() {
            for (p, piece) in hunk.pieces.iter().enumerate() {
                for k in 0..rows_of(piece) {
                    let cost = cost(c.old_text(), c.old_lines(), &piece.old, k, budget.line)
                        + cost(c.new_text(), c.new_lines(), &piece.new, k, budget.line);
                    if budget.rows == 0 || budget.text < cost {
                        stop = (h, p, k);
                        break 'hunks;
                    }
                    budget.rows -= 1;
                    budget.text -= cost;
                    shown += 1;
                }
            }
        }
        let mut place = vec![None; c.ops().len()];
        for (h, hunk) in hunks.iter().enumerate() {
            for (p, piece) in hunk.pieces.iter().enumerate() {
                if piece.tag != Tag::Equal {
                    place[piece.op] = Some((h, p));
                }
                if (h, p) >= (stop.0, stop.1) {
                    left_rows += rows_of(piece)
                        - if (h, p) == (stop.0, stop.1) {
                            stop.2
                        } else {
                            0
                        };
                }
            }
        }
        let mut moves = vec![(None, None); c.moves().len()];
        for (i, op) in c.ops().iter().enumerate() {
            if let Some(m) = op.moved {
                match op.tag {
                    Tag::Delete => moves[m].0 = Some(i),
                    _ => moves[m].1 = Some(i),
                }
            }
        }
        let mut plan = Plan {
            stop,
            place,
            moves,
            left_out: LeftOut::default(),
        };
        let changes = (0..c.ops().len())
            .filter(|&i| c.ops()[i].tag != Tag::Equal && !plan.op_shown(i))
            .count();
        plan.left_out = LeftOut {
            shown,
            changes,
            rows: left_rows,
        };
        plan
    }

    /// Rows shown of piece `p` of hunk `h`, which has `rows` rows.
    fn rows_shown(&self, h: usize, p: usize, rows: usize) -> usize {
        let (sh, sp, sk) = self.stop;
        match (h, p).cmp(&(sh, sp)) {
            std::cmp::Ordering::Less => rows,
            std::cmp::Ordering::Equal => sk.min(rows),
            std::cmp::Ordering::Greater => 0,
        }
    }

    /// Whether operation `op` (a change) has a row on the page.
    fn op_shown(&self, op: usize) -> bool {
        self.place[op].is_some_and(|(h, p)| self.rows_shown(h, p, 1) > 0)
    }

    fn is_cut(&self) -> bool {
        self.left_out.rows > 0
    }
}

/// Side-by-side rows of a piece.
fn rows_of(piece: &Piece) -> usize {
    piece.old.len().max(piece.new.len())
}

/// What row `k` of lines `range` costs the text budget (1 when the side
/// has no such line).
fn cost(text: &str, lines: &[Range<usize>], range: &Range<usize>, k: usize, max: usize) -> usize {
    if k < range.len() {
        1 + shown_bytes(text, lines[range.start + k].clone(), max)
    } else {
        1
    }
}

/// The markup of one document's two views.
struct Views<'v, 'c> {
    c: &'v Comparison<'c>,
    doc: usize,
    hunks: &'v [Hunk],
    plan: &'v Plan,
    line_max: usize,
}

impl Views<'_, '_> {
    fn write(&self, out: &mut String, view: View) {
        let columns = 4;
        'hunks: for (h, hunk) in self.hunks.iter().enumerate() {
            if self.plan.rows_shown(h, 0, 1) == 0 {
                break;
            }
            let _ = write!(
                out,
                "<tbody class=\"hunk\"><tr><td colspan=\"{columns}\">{}</td></tr></tbody>",
                hunk.header()
            );
            for (p, piece) in hunk.pieces.iter().enumerate() {
                let shown = self.plan.rows_shown(h, p, rows_of(piece));
                if shown == 0 {
                    break 'hunks;
                }
                let op = &self.c.ops()[piece.op];
                if piece.tag == Tag::Equal {
                    out.push_str("<tbody class=\"ctx\">");
                } else {
                    self.open_change(out, view, piece.op, op);
                }
                match view {
                    View::Side => self.side_rows(out, op, piece, shown),
                    View::Inline => self.inline_rows(out, op, piece, shown),
                }
                out.push_str("</tbody>");
            }
        }
        if self.plan.is_cut() {
            let left = self.plan.left_out;
            let _ = write!(
                out,
                "<tbody class=\"cut\"><tr><td colspan=\"{columns}\" class=\"note\">The page ends \
                 this document here: {} more rows and {} more changes are not shown (the figures \
                 above count them all; <code>--format unified</code> prints everything).\
                 </td></tr></tbody>",
                thousands(left.rows),
                thousands(left.changes)
            );
        }
    }

    /// Opens the `<tbody>` of a change, with its id, its classes and, for
    /// a moved block, the link to its other end.
    fn open_change(&self, out: &mut String, view: View, index: usize, op: &Op) {
        // Not `del` or `ins`: the base style colours those classes.
        let kind = match op.tag {
            Tag::Delete => "removed",
            Tag::Insert => "added",
            _ => "replaced",
        };
        let (doc, v) = (self.doc, view.letter());
        let Some(m) = op.moved else {
            let Some(side) = op_damage(self.c, op) else {
                let _ = write!(
                    out,
                    "<tbody class=\"chg {kind}\" id=\"d{doc}-{v}-c{index}\">"
                );
                return;
            };
            // Encoding damage on one side, the clean text on the other:
            // not an edit, and said so.
            let _ = write!(
                out,
                "<tbody class=\"chg {kind} damage\" id=\"d{doc}-{v}-c{index}\" data-damage=\"{0}\">\
                 <tr class=\"damagenote\"><td colspan=\"4\">encoding damage in the {0} text, \
                 not an edit</td></tr>",
                side.as_str()
            );
            return;
        };
        let moved = &self.c.moves()[m];
        let (source, destination) = self.plan.moves[m];
        let from = op.tag == Tag::Delete;
        let (here, there, partner) = if from {
            ("from", "to", destination)
        } else {
            ("to", "from", source)
        };
        let _ = write!(
            out,
            "<tbody class=\"chg {kind} mv\" id=\"d{doc}-{v}-m{}-{here}\" data-move=\"{}\">",
            moved.id, moved.id
        );
        let (arrow, words, line) = if from {
            ("\u{2192}", "moved to new line", moved.new.start + 1)
        } else {
            ("\u{2190}", "moved here from old line", moved.old.start + 1)
        };
        let _ = write!(
            out,
            "<tr class=\"mvlink\"><td colspan=\"4\">{arrow} block {} ",
            moved.id
        );
        if partner.is_some_and(|p| self.plan.op_shown(p)) {
            let _ = write!(
                out,
                "<a href=\"#d{doc}-{v}-m{}-{there}\">{words} {line}</a>",
                moved.id
            );
        } else {
            let _ = write!(out, "{words} {line} (not shown on this page)");
        }
        if moved.inline.is_some() {
            let _ = write!(
                out,
                ", edited ({}% alike)",
                (moved.similarity * 100.0).round()
            );
        }
        out.push_str("</td></tr>");
    }

    fn side_rows(&self, out: &mut String, op: &Op, piece: &Piece, shown: usize) {
        let c = self.c;
        let changed = piece.tag != Tag::Equal;
        let (old_marks, new_marks) = marks(c, op, changed);
        for k in 0..shown {
            out.push_str("<tr>");
            let old = (k < piece.old.len()).then(|| piece.old.start + k);
            let new = (k < piece.new.len()).then(|| piece.new.start + k);
            self.side_cell(out, Side::Old, old, &old_marks, changed);
            self.side_cell(out, Side::New, new, &new_marks, changed);
            out.push_str("</tr>");
        }
    }

    /// A line number and a text cell; both empty when the side has no line.
    fn side_cell(
        &self,
        out: &mut String,
        side: Side,
        line: Option<usize>,
        marks: &[Range<usize>],
        changed: bool,
    ) {
        let Some(line) = line else {
            out.push_str("<td class=\"n\"></td><td class=\"t none\"></td>");
            return;
        };
        let class = if changed { side.class() } else { "" };
        let _ = write!(
            out,
            "<td class=\"n\">{}</td><td class=\"t {class}\">",
            line + 1
        );
        self.text(out, side, line, marks);
        out.push_str("</td>");
    }

    fn inline_rows(&self, out: &mut String, op: &Op, piece: &Piece, shown: usize) {
        if piece.tag == Tag::Equal {
            for k in 0..shown {
                let (o, n) = (piece.old.start + k, piece.new.start + k);
                let _ = write!(
                    out,
                    "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"s\"></td>\
                     <td class=\"t\">",
                    o + 1,
                    n + 1
                );
                self.text(out, Side::Old, o, &[]);
                out.push_str("</td></tr>");
            }
            return;
        }
        let (old_marks, new_marks) = marks(self.c, op, true);
        for line in piece.old.start..piece.old.start + shown.min(piece.old.len()) {
            let _ = write!(
                out,
                "<tr><td class=\"n\">{}</td><td class=\"n\"></td><td class=\"s\">\u{2212}</td>\
                 <td class=\"t del\">",
                line + 1
            );
            self.text(out, Side::Old, line, &old_marks);
            out.push_str("</td></tr>");
        }
        for line in piece.new.start..piece.new.start + shown.min(piece.new.len()) {
            let _ = write!(
                out,
                "<tr><td class=\"n\"></td><td class=\"n\">{}</td><td class=\"s\">+</td>\
                 <td class=\"t ins\">",
                line + 1
            );
            self.text(out, Side::New, line, &new_marks);
            out.push_str("</td></tr>");
        }
    }

    /// The text of line `line` (0-based) of a side, marks highlighted.
    fn text(&self, out: &mut String, side: Side, line: usize, marks: &[Range<usize>]) {
        let c = self.c;
        let (text, lines) = match side {
            Side::Old => (c.old_text(), c.old_lines()),
            Side::New => (c.new_text(), c.new_lines()),
        };
        write_line(
            out,
            text,
            lines[line].clone(),
            marks,
            side.class(),
            self.line_max,
        );
    }
}

#[derive(Clone, Copy)]
enum Side {
    Old,
    New,
}

impl Side {
    /// The class of its changed cells, and the element of its marks.
    fn class(self) -> &'static str {
        match self {
            Side::Old => "del",
            Side::New => "ins",
        }
    }
}

/// The highlighted byte ranges of a change on both sides (none for equal
/// lines).
fn marks(c: &Comparison<'_>, op: &Op, changed: bool) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    if changed {
        (marks_of(c, op, true), marks_of(c, op, false))
    } else {
        (Vec::new(), Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::DiffOptions;

    fn views(old: &str, new: &str, budget: &mut Budget) -> (String, LeftOut) {
        let c = Comparison::new(old, new, &DiffOptions::new());
        let mut out = String::new();
        let left = write_views(&mut out, 1, &c, 3, budget);
        (out, left)
    }

    fn roomy() -> Budget {
        Budget {
            rows: 100_000,
            text: 1 << 24,
            line: 1 << 14,
        }
    }

    #[test]
    fn each_change_is_one_tbody_in_each_view() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n";
        let new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nk\nl\n";
        let (html, left) = views(old, new, &mut roomy());
        assert_eq!((left.rows, left.changes), (0, 0));
        assert_eq!(left.shown, 11);
        let c = Comparison::new(old, new, &DiffOptions::new());
        let changes = c.ops().iter().filter(|op| op.tag != Tag::Equal).count();
        assert_eq!(html.matches("<tbody class=\"chg ").count(), 2 * changes);
        assert_eq!(html.matches("id=\"d1-s-c").count(), changes);
        assert_eq!(html.matches("id=\"d1-i-c").count(), changes);
    }

    #[test]
    fn a_move_links_to_its_other_end_in_each_view() {
        let block = "A block of text that is long enough to move somewhere.\n";
        let old = format!("one\n{block}two\nthree\nfour\nfive\n");
        let new = format!("one\ntwo\nthree\nfour\n{block}five\n");
        let (html, _) = views(&old, &new, &mut roomy());
        for v in ['s', 'i'] {
            assert!(html.contains(&format!("id=\"d1-{v}-m1-from\"")), "{html}");
            assert!(html.contains(&format!("id=\"d1-{v}-m1-to\"")), "{html}");
            assert!(html.contains(&format!("href=\"#d1-{v}-m1-to\"")), "{html}");
            assert!(
                html.contains(&format!("href=\"#d1-{v}-m1-from\"")),
                "{html}"
            );
        }
    }

    #[test]
    fn the_budget_cuts_a_document_and_counts_what_it_leaves_out() {
        let old: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let new: String = (0..100).map(|i| format!("line {i} changed\n")).collect();
        let mut budget = Budget {
            rows: 10,
            ..roomy()
        };
        let (html, left) = views(&old, &new, &mut budget);
        assert_eq!(budget.rows, 0);
        assert_eq!((left.shown, left.rows), (10, 90));
        // One replace of 100 lines: it has rows, so it is not left out.
        assert_eq!(left.changes, 0);
        assert_eq!(html.matches("<tr><td class=\"n\">").count(), 10 + 20);
        assert!(html.contains("90 more rows"), "{html}");
        // A spent budget shows nothing.
        let (html, left) = views(&old, &new, &mut budget);
        assert_eq!((left.shown, left.rows, left.changes), (0, 100, 1));
        assert!(!html.contains("class=\"chg"));
    }

    #[test]
    fn a_link_to_a_move_end_past_the_cut_is_not_written() {
        let block = "A block of text that is long enough to move somewhere.\n";
        let filler: String = (0..40).map(|i| format!("filler {i}\n")).collect();
        let old = format!("{block}{filler}");
        let new = format!("{filler}{block}");
        let mut budget = Budget { rows: 3, ..roomy() };
        let (html, left) = views(&old, &new, &mut budget);
        assert!(html.contains("id=\"d1-s-m1-from\""), "{html}");
        assert!(!html.contains("href=\"#d1-s-m1-to\""), "{html}");
        assert!(html.contains("not shown on this page"), "{html}");
        assert_eq!(left.changes, 1);
    }
}
