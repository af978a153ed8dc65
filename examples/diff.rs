//! Compares two versions of a short text and prints them as a unified diff
//! and as a word diff: a sentence edited in English, a character changed in
//! Chinese, and a paragraph moved.
//!
//! Run with `cargo run --example diff`.

use doppel::diff::{Comparison, DiffOptions, DocHeader, Format, Printer, Tag};

const OLD: &str = "\
Release notes

Thanks to everyone who reported bugs and tested the betas this spring.

Version 2 reads Parquet files.

The quick brown fox jumps over the lazy dog.
北京是中国的首都。

Known issues: none so far.

Upgrading needs no change to your settings.
";

const NEW: &str = "\
Release notes

Version 2 reads Parquet files.

The quick red fox jumps over the lazy dog.
北京是中国的首府。

Known issues: none so far.

Upgrading needs no change to your settings.

Thanks to everyone who reported bugs and tested the betas this spring.
";

/// The comparison printed in `format`, as text.
fn render(format: Format, comparison: &Comparison<'_>) -> std::io::Result<String> {
    let mut out = Vec::new();
    let mut printer = Printer::new(format);
    printer.document(
        &mut out,
        &DocHeader::files("old/notes.txt", "new/notes.txt"),
        comparison,
    )?;
    printer.finish(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = DiffOptions::new();
    options.validate()?;
    let comparison = Comparison::new(OLD, NEW, &options);

    let unified = render(Format::Unified, &comparison)?;
    println!("unified:\n{unified}");
    let word = render(Format::Word, &comparison)?;
    println!("word:\n{word}");

    let changed = comparison
        .ops()
        .iter()
        .filter(|op| op.tag != Tag::Equal)
        .count();
    println!(
        "{changed} changed blocks, {} moved, similarity {:.2}",
        comparison.moves().len(),
        comparison.similarity()
    );

    assert_eq!(comparison.apply(), NEW, "the operations turn OLD into NEW");
    assert!(unified.contains("-The quick brown fox") && unified.contains("+The quick red fox"));
    assert!(
        word.contains("[-brown-]{+red+}"),
        "the word diff marks the word"
    );
    assert!(word.contains("首[-都-]{+府+}"), "and the Chinese character");
    assert_eq!(comparison.moves().len(), 1, "the thanks paragraph moved");
    Ok(())
}
