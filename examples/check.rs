//! Runs the CI gate on a small generated documentation tree: one paragraph
//! copied word for word between two pages (which fails the default policy)
//! and one copied and then edited (reported as a near copy, which does not
//! fail unless the policy says `fail_on: near`). Prints the human report
//! and the exit status `doppel check` would give.
//!
//! Run with `cargo run --example check`.

use std::fs;
use std::path::Path;

use doppel::check::report::human;
use doppel::check::{Collector, Context, Kind, Policy, Verdict};
use doppel::input::{expand, InputOptions};
use doppel::{EngineBuilder, Problem};

const INSTALL: &str = "\
# Install

Download the archive for your platform, unpack it anywhere on your path, and run the command once with no arguments to see its help.

Every release is signed with the project key; check the signature against the key published on the project page, and the checksum against the one in the release notes, before you unpack the archive or run anything in it.
";

const QUICKSTART: &str = "\
# Quick start

Download the archive for your platform, unpack it anywhere on your path, and run the command once with no arguments to see its help.

Then point it at a folder of text files and read the report it prints.
";

const FAQ: &str = "\
# Questions

Is every release signed? Yes.

Every release is signed with the project key; check the signature against the key published on the project website, and the checksum against the one in the release notes, before you unpack the archive or run anything in it.
";

fn write_tree(root: &Path) -> std::io::Result<()> {
    fs::create_dir_all(root.join("docs"))?;
    fs::write(root.join("docs/install.md"), INSTALL)?;
    fs::write(root.join("docs/quickstart.md"), QUICKSTART)?;
    fs::write(root.join("docs/faq.md"), FAQ)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tree = tempfile::tempdir()?;
    write_tree(tree.path())?;

    let policy = Policy::default();
    let engine = EngineBuilder::new()
        .threshold(policy.threshold)
        .keep_fingerprints(true)
        .across_documents(false)
        .build()?;
    let (entries, input_errors) = expand(&[tree.path().join("docs")], &InputOptions::default());
    let problems: Vec<Problem> = input_errors.into_iter().map(Problem::from).collect();
    let mut collector = Collector::new(policy.clone(), tree.path());
    let summary = engine.scan(&entries, problems, &mut collector)?;
    let context = Context {
        errors: summary.errors,
        ..Context::default()
    };
    let verdict = Verdict::judge(collector.finish(), &policy, context);

    human::write(&verdict, &mut std::io::stdout())?;
    println!("exit status: {}", verdict.exit_code());

    let kinds: Vec<(Kind, bool)> = verdict.findings.iter().map(|f| (f.kind, f.fails)).collect();
    assert_eq!(
        kinds,
        [(Kind::Exact, true), (Kind::Near, false)],
        "the exact copy fails, the edited copy is only reported"
    );
    assert_eq!(
        verdict.exit_code(),
        1,
        "an exact copy fails the default policy"
    );
    Ok(())
}
