//! `restore` from a tampered cleaned folder.
//!
//! A small corpus is generated and cleaned once per process; each input is
//! a manifest plus changes to the cleaned files (see
//! `doppel_fuzz::restore_input`), written into a fresh sandbox and restored
//! into a new folder beside it. Invariants, whatever `restore` returns:
//! nothing is written outside the destination (the sandbox holds nothing
//! new, the cleaned folder is unchanged) and the destination holds no
//! symlink. When it reports success: no symlink leading out of the cleaned
//! folder stood on a path it had to read; as many files are back as went
//! in, each with the exact bytes of an input (at its path unless the
//! manifest's `output` names were changed: names are not checksummed).
//!
//! `DOPPEL_FUZZ_RESTORE=confined` checks only the first group, for runs
//! against a `restore` that does not verify what it rebuilds;
//! `DOPPEL_FUZZ_VERBOSE=1` prints what `restore` returned.
#![no_main]

use std::sync::OnceLock;

use doppel::clean::restore::restore;
use doppel_fuzz::corpus::{baseline, files};
use doppel_fuzz::restore_input::RestoreInput;
use doppel_fuzz::{snapshot, write_tree, Node, Sandbox};
use libfuzzer_sys::fuzz_target;

fn verify_success() -> bool {
    static VERIFY: OnceLock<bool> = OnceLock::new();
    *VERIFY.get_or_init(|| std::env::var("DOPPEL_FUZZ_RESTORE").as_deref() != Ok("confined"))
}

fuzz_target!(|data: &[u8]| {
    let baseline = baseline();
    if let Some(dir) = std::env::var_os("DOPPEL_FUZZ_DUMP_SEEDS") {
        dump_seeds(std::path::Path::new(&dir));
    }
    let input = RestoreInput::parse(data);
    let sandbox = Sandbox::new();
    let out = sandbox.root().join("out");
    let dir = sandbox.root().join("dir");
    std::fs::create_dir(&out).expect("the cleaned folder");
    let cleaned = input.cleaned_tree(&baseline.cleaned, &sandbox);
    if write_tree(&out, &cleaned).is_err() {
        // A change the file system refuses (a name too long, say).
        return;
    }
    let before = snapshot(&out);

    let result = restore(&out, &dir);
    if std::env::var_os("DOPPEL_FUZZ_VERBOSE").is_some() {
        eprintln!("restore: {result:?}");
    }

    let strays = sandbox.strays(&["out", "dir"]);
    assert!(
        strays.is_empty(),
        "restore wrote outside its destination: {strays:?} ({result:?})"
    );
    assert!(
        snapshot(&out) == before,
        "restore changed the cleaned folder ({result:?})"
    );
    let restored = snapshot(&dir);
    let links: Vec<_> = restored
        .iter()
        .filter(|(_, n)| matches!(n, Node::Link(_)))
        .collect();
    assert!(links.is_empty(), "restore left symlinks: {links:?}");
    if !verify_success() {
        return;
    }
    if let Some(report) = result.as_ref().ok().filter(|r| r.is_complete()) {
        for (name, node) in &cleaned {
            if let Node::Link(target) = node {
                let used = baseline.cleaned.keys().any(|p| p.starts_with(name));
                let leaves = target.is_absolute() && !target.starts_with(&out);
                assert!(
                    !(used && leaves),
                    "restore succeeded ({report:?}) reading through {} -> {}, which leaves the cleaned folder",
                    name.display(),
                    target.display()
                );
            }
        }
        let restored = files(&restored);
        let originals = files(&baseline.originals);
        // Names come from the manifest's `output`, which no checksum covers
        // (a known limit, fuzz/README.md): a changed name puts a verified
        // document elsewhere inside the destination. Its bytes must still be
        // an input's, and as many files must come back as went in.
        assert_eq!(
            restored.len(),
            originals.len(),
            "restore succeeded ({report:?}) with {} files for {} inputs",
            restored.len(),
            originals.len()
        );
        for (path, node) in &restored {
            match originals.get(path) {
                Some(original) => assert!(
                    original == node,
                    "restore succeeded ({report:?}) but {} differs from the input",
                    path.display()
                ),
                None => assert!(
                    originals.values().any(|original| original == node),
                    "restore succeeded ({report:?}) and wrote {}, whose bytes no input had",
                    path.display()
                ),
            }
        }
    }
});

/// Writes the seed inputs made from the baseline: its manifest alone, and
/// with each cleaned file given as a change (so mutations reach it).
fn dump_seeds(dir: &std::path::Path) {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let baseline = baseline();
        std::fs::create_dir_all(dir).expect("the seed folder");
        let Some(Node::File(manifest)) =
            baseline.cleaned.get(std::path::Path::new("manifest.jsonl"))
        else {
            panic!("the baseline has no manifest");
        };
        std::fs::write(dir.join("manifest"), manifest).expect("a seed");
        for (at, (path, node)) in baseline.cleaned.iter().enumerate() {
            let Node::File(bytes) = node else { continue };
            if path.as_os_str() == "manifest.jsonl" {
                continue;
            }
            let mut seed = manifest.clone();
            seed.push(0);
            seed.extend_from_slice(path.to_string_lossy().as_bytes());
            seed.push(b'\n');
            seed.extend_from_slice(bytes);
            std::fs::write(dir.join(format!("changed-{at}")), seed).expect("a seed");
        }
        let mut seed = manifest.clone();
        seed.extend_from_slice(b"\0@corpus/sub\n/\0@corpus/a.txt\n/elsewhere/a.txt");
        std::fs::write(dir.join("symlinks"), seed).expect("a seed");
    });
}
