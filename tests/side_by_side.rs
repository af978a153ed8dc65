//! End-to-end tests of `doppel diff --format side-by-side` on long English
//! and Chinese lines: every row fills the width exactly, each column stays
//! within its cells, no word that fits a column is broken, CJK lines wrap
//! between characters without cutting one, and the line numbers on both
//! sides name the lines the rows show.

use std::path::Path;
use std::process::Command;

use unicode_width::UnicodeWidthChar;

const ENGLISH: &str = "Shingles of five words are hashed into a MinHash signature, \
and documents whose signatures agree in enough bands become candidate pairs that \
are then checked exactly before anything is reported as a near-duplicate of \
anything else in the corpus, whatever its size or encoding happens to be.";

const CHINESE: &str = "中华人民共和国是工人阶级领导的、以工农联盟为基础的人民民主专政的\
社会主义国家。社会主义制度是中华人民共和国的根本制度。中国共产党领导是中国特色社会主义\
最本质的特征。禁止任何组织或者个人破坏社会主义制度。";

/// Eleven lines (so numbers take two cells), two of them long.
fn old_text() -> String {
    let mut lines = vec!["A short first line.".to_owned(), ENGLISH.to_owned()];
    lines.extend((3..=9).map(|i| format!("line {i}")));
    lines.push(CHINESE.to_owned());
    lines.push("The last line.".to_owned());
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// One word changed in the English line, one character in the Chinese
/// one, and a long line added.
fn new_text() -> String {
    old_text()
        .replace("candidate pairs", "candidate couples")
        .replace("根本制度", "基本制度")
        .replace("The last line.\n", &format!("The last line.\n{ENGLISH}\n"))
}

fn side_by_side(dir: &Path, width: usize, color: &str) -> String {
    let old = dir.join("old.txt");
    let new = dir.join("new.txt");
    std::fs::write(&old, old_text()).expect("write");
    std::fs::write(&new, new_text()).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["diff", "--format", "side-by-side", "-U", "100"])
        .args(["--width", &width.to_string(), "--color", color])
        .arg(&old)
        .arg(&new)
        .env_remove("NO_COLOR")
        .output()
        .expect("run doppel");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// One row cut into its fields at their cell positions.
#[derive(Debug)]
struct Row {
    left_number: String,
    left: String,
    gutter: char,
    right_number: String,
    right: String,
}

/// Cuts `row` at cell offsets: a character that crosses a cut, or a row
/// of another width than `width`, fails the test.
fn cut(row: &str, width: usize, number: usize) -> Row {
    let text = width - 2 * number - 5;
    let (left, right) = (text / 2, text - text / 2);
    let widths = [number, 1, left, 3, number, 1, right];
    let mut fields = vec![String::new(); widths.len()];
    let (mut field, mut used) = (0, 0);
    for c in row.chars() {
        while field < widths.len() && used == widths[field] {
            (field, used) = (field + 1, 0);
        }
        assert!(field < widths.len(), "row wider than {width}: {row:?}");
        let w = c.width().unwrap_or(0);
        assert!(
            used + w <= widths[field],
            "{c:?} crosses the edge of field {field}: {row:?}"
        );
        fields[field].push(c);
        used += w;
    }
    assert!(
        field == widths.len() - 1 && used == widths[field],
        "row narrower than {width}: {row:?}"
    );
    assert_eq!(fields[1], " ", "{row:?}");
    assert_eq!(fields[5], " ", "{row:?}");
    let gutter: Vec<char> = fields[3].chars().collect();
    assert_eq!((gutter[0], gutter[2]), (' ', ' '), "{row:?}");
    assert!(" |<>".contains(gutter[1]), "{row:?}");
    Row {
        left_number: fields[0].trim().to_owned(),
        left: fields[2].clone(),
        gutter: gutter[1],
        right_number: fields[4].trim().to_owned(),
        right: fields[6].clone(),
    }
}

/// One side's lines as the rows show them: (number, rows of text).
fn lines(rows: &[Row], left: bool) -> Vec<(usize, Vec<String>)> {
    let mut lines: Vec<(usize, Vec<String>)> = Vec::new();
    for row in rows {
        let (number, text) = if left {
            (&row.left_number, &row.left)
        } else {
            (&row.right_number, &row.right)
        };
        match number.as_str() {
            "" => assert!(text.trim().is_empty(), "text without a number: {row:?}"),
            "↪" => lines
                .last_mut()
                .expect("a continued line")
                .1
                .push(text.clone()),
            n => {
                let n = n.parse().expect("a line number");
                lines.push((n, vec![text.clone()]));
            }
        }
    }
    lines
}

fn unmarked(text: &str) -> String {
    ["[-", "-]", "{+", "+}"]
        .iter()
        .fold(text.to_owned(), |t, m| t.replace(m, ""))
}

/// Cells of the left or the right text column at `width` (line numbers
/// of two cells).
fn column(width: usize, left: bool) -> usize {
    let text = width - 2 * 2 - 5;
    if left {
        text / 2
    } else {
        text - text / 2
    }
}

fn cells(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The rows of a plain run at `width`, checked cell by cell.
fn rows_at(width: usize) -> Vec<Row> {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = side_by_side(dir.path(), width, "never");
    // The names (long temporary paths, wrapped too), then the hunk.
    let (names, hunk) = out.split_once("\n@@ ").expect("a hunk");
    let names: Vec<Row> = names.lines().map(|r| cut(r, width, 2)).collect();
    let old_name: String = names.iter().map(|r| r.left.trim_end()).collect();
    assert!(old_name.ends_with("old.txt"), "{old_name}");
    hunk.lines().skip(1).map(|r| cut(r, width, 2)).collect()
}

const WIDTHS: [usize; 5] = [40, 61, 80, 99, 140];

#[test]
fn every_row_fills_the_width_and_each_column_stays_within_its_cells() {
    for width in WIDTHS {
        let rows = rows_at(width);
        assert!(rows.len() > 13, "{width}: long lines take several rows");
        assert!(rows.iter().any(|r| r.gutter == '|'));
        assert!(rows.iter().any(|r| r.gutter == '>'));
    }
}

#[test]
fn line_numbers_on_both_sides_name_the_lines_shown() {
    for width in WIDTHS {
        let rows = rows_at(width);
        for (left, text) in [(true, old_text()), (false, new_text())] {
            let file: Vec<&str> = text.lines().collect();
            let shown = lines(&rows, left);
            let numbers: Vec<usize> = shown.iter().map(|(n, _)| *n).collect();
            assert_eq!(numbers, (1..=file.len()).collect::<Vec<_>>(), "{width}");
            for (n, parts) in &shown {
                let line = file[n - 1];
                // English wraps at spaces (dropped there), Chinese anywhere.
                let joined = unmarked(&parts.join(if line.is_ascii() { " " } else { "" }));
                // Spaces where rows wrap are dropped: compare the words, and
                // the characters for Chinese.
                let words: Vec<&str> = joined.split_whitespace().collect();
                let expected: Vec<&str> = line.split_whitespace().collect();
                if line.is_ascii() {
                    assert_eq!(words, expected, "{width}: line {n}");
                } else {
                    assert_eq!(words.concat(), expected.concat(), "{width}: line {n}");
                }
            }
        }
    }
}

#[test]
fn long_english_lines_wrap_between_words_and_only_when_the_next_word_does_not_fit() {
    for width in WIDTHS {
        let rows = rows_at(width);
        for left in [true, false] {
            let column = column(width, left);
            let english: Vec<Vec<String>> = lines(&rows, left)
                .into_iter()
                .map(|(_, parts)| parts)
                .filter(|parts| parts[0].starts_with("Shingles"))
                .collect();
            assert_eq!(english.len(), if left { 1 } else { 2 }, "{width}");
            for pair in english.iter().flat_map(|parts| parts.windows(2)) {
                assert!(pair.len() == 2, "{width}: wrapped");
                let row = unmarked(pair[0].trim_end());
                let next = unmarked(&pair[1]);
                // Every word of the row is a whole word of the text.
                for word in row.split_whitespace() {
                    assert!(
                        ENGLISH.split_whitespace().any(|w| w == word)
                            || new_text().split_whitespace().any(|w| w == word),
                        "{width}: {word:?} is a piece of a word: {row:?}"
                    );
                }
                // The next row's first word (with its markers) did not fit.
                let first = pair[1].split_whitespace().next().expect("a word");
                assert!(
                    cells(pair[0].trim_end()) + 1 + cells(first) > column,
                    "{width}: {first:?} fits after {row:?}, {next:?}"
                );
            }
        }
    }
}

#[test]
fn long_chinese_lines_wrap_between_characters_and_fill_their_rows() {
    for width in WIDTHS {
        let rows = rows_at(width);
        for left in [true, false] {
            let column = column(width, left);
            let chinese = lines(&rows, left)
                .into_iter()
                .find(|(n, _)| *n == 10)
                .expect("line 10")
                .1;
            assert!(chinese.len() >= 2, "{width}");
            assert!(unmarked(&chinese.concat())
                .trim_end()
                .starts_with("中华人民共和国"));
            for row in &chinese[..chinese.len() - 1] {
                // Full but for the next character (2 cells), one more
                // kept with punctuation that may not start a row, or a
                // marked character with its markers.
                let used = cells(row);
                assert!(used <= column, "{width}: {row:?}");
                assert!(used + 6 > column, "{width}: a short row {row:?}");
            }
            // No row starts with closing punctuation.
            for row in &chinese[1..] {
                let first = row.chars().next().expect("text");
                assert!(!"、。，".contains(first), "{width}: {row:?}");
            }
        }
    }
}

#[test]
fn in_colour_rows_fill_the_same_width() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = side_by_side(dir.path(), 80, "always");
    assert!(out.contains("\x1b["), "coloured");
    for row in out.lines().filter(|r| !r.contains("@@ ")) {
        let plain = strip_ansi(row);
        cut(&plain, 80, 2);
    }
}

/// `text` without its ANSI escape sequences.
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
