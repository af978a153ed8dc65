//! A small corpus with every kind of removal `clean` makes, generated the
//! same way in every process, and `clean` run over a folder.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use doppel::clean::restore::restore;
use doppel::clean::run::{clean, CleanOptions, CleanReport, Silent};
use doppel::clean::Keep;
use doppel::input::{expand, InputOptions};
use doppel::{Engine, EngineBuilder, Findings};

use crate::{snapshot, write_tree, Node, Sandbox, Tree};

const HARBOUR: &str = "The harbour opened at dawn and the cranes began to move the first containers of the day.\nShips waited in a long line beyond the breakwater while the pilots went out one by one.";
const MARKET: &str =
    "At the market the traders set out fish, bread and early strawberries on long wooden tables.";
const NOTICE: &str =
    "Notice: the council will close the river bridge for repairs from Monday to Friday next week.";
const ZH: &str = "新华社北京7月9日电，中共中央关于加强和改进党的群团工作的意见发布。群团事业是党的事业的重要组成部分。";
const ZH_MORE: &str = "今天港口的工人在码头上装卸货物，城市的河流上有一座新的大桥。";

/// The documents, by path relative to the folder holding `corpus/`.
pub fn documents() -> Vec<(&'static str, Vec<u8>)> {
    let a =
        format!("{HARBOUR}\n\n{MARKET}\n\n{NOTICE}\n\n{HARBOUR}\n\nThe end of the first report.\n");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            format!("{ZH}\n\n{ZH_MORE}\n\n{ZH}\n")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let gb_text = format!("{ZH_MORE}\n\n{ZH}\n\n{ZH_MORE}\n");
    let gb = encoding_rs::GB18030.encode(&gb_text).0.into_owned();
    let crlf =
        format!("{MARKET}\r\n\r\nA different closing line for this one.\r\n\r\n{NOTICE}\r\n");
    let record = |id: u32, text: &str| {
        format!(
            "{{\"id\":{id},\"text\":{},\"lang\":\"en\"}}\n",
            serde_json::to_string(text).expect("a JSON string")
        )
    };
    let jsonl = [
        record(1, &format!("{NOTICE}\n\n{MARKET}")),
        record(
            2,
            &format!("{HARBOUR}\n\nA record of its own.\n\n{HARBOUR}"),
        ),
        record(3, &format!("{NOTICE}\n\n{MARKET}")),
        record(4, "Short one."),
    ]
    .concat();
    vec![
        ("corpus/a.txt", a.clone().into_bytes()),
        ("corpus/b.txt", a.into_bytes()),
        ("corpus/sub/c.txt", utf16),
        ("corpus/sub/d.txt", gb),
        ("corpus/e.txt", crlf.into_bytes()),
        ("corpus/f.jsonl", jsonl.into_bytes()),
    ]
}

/// The engine `clean` runs with: small blocks count, so short documents
/// have some.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        // Contained documents too, so `clean` makes every kind of removal
        // (reason `contained` included) and restore is fuzzed on each.
        let mut find = Findings::default();
        find.contained = true;
        EngineBuilder::new()
            .min_units(3)
            .find(find)
            .build()
            .expect("valid settings")
    })
}

/// Cleans the files under `inputs_root/corpus` into `out`.
pub fn clean_folder(inputs_root: &Path, out: &Path) -> CleanReport {
    clean_paths(&[inputs_root.join("corpus")], out)
}

/// Cleans `inputs` into `out` with every kind of removal.
pub fn clean_paths(inputs: &[PathBuf], out: &Path) -> CleanReport {
    let (entries, problems) = expand(inputs, &InputOptions::default());
    assert!(problems.is_empty(), "inputs unreadable: {problems:?}");
    let options = CleanOptions {
        out: out.to_path_buf(),
        keep: Keep::First,
        documents: true,
        blocks: true,
        segments: true,
        boilerplate: false,
        dry_run: false,
        // Lossy documents are cleaned too, so restore's text path is fuzzed.
        allow_lossy: true,
        repair: false,
        drop_damaged: None,
    };
    clean(engine(), inputs, &entries, Vec::new(), &options, &Silent).expect("clean runs")
}

/// The generated corpus and what `clean` made of it.
pub struct Baseline {
    /// The inputs, by path relative to the folder holding `corpus/`.
    pub originals: Tree,
    /// The cleaned folder, manifest included.
    pub cleaned: Tree,
}

/// The baseline, made once per process; checked to restore exactly.
pub fn baseline() -> &'static Baseline {
    static BASELINE: OnceLock<Baseline> = OnceLock::new();
    BASELINE.get_or_init(|| {
        let sandbox = Sandbox::new();
        // Short, so the manifest's `path` fields are: seeds stay small.
        let inputs_folder = tempfile::Builder::new()
            .prefix("doppel-fuzz-in-")
            .tempdir_in(if Path::new("/dev/shm").is_dir() {
                "/dev/shm"
            } else {
                "/tmp"
            })
            .expect("a temporary folder");
        let inputs = inputs_folder.path().to_path_buf();
        let mut originals = Tree::new();
        for (path, bytes) in documents() {
            originals.insert(PathBuf::from(path), Node::File(bytes));
        }
        std::fs::create_dir_all(&inputs).expect("a sandbox folder");
        write_tree(&inputs, &originals).expect("the corpus");
        let out = sandbox.root().join("out");
        let report = clean_folder(&inputs, &out);
        assert!(
            report.manifest.removed_documents >= 2,
            "{:?}",
            report.manifest
        );
        assert!(report.manifest.removals >= 4, "{:?}", report.manifest);
        let cleaned = snapshot(&out);
        let dir = sandbox.root().join("dir");
        let restored = restore(&out, &dir).expect("the baseline restores");
        assert!(restored.is_complete(), "{restored:?}");
        assert_eq!(restored.exact, restored.documents, "{restored:?}");
        let originals = snapshot(&inputs);
        assert_eq!(
            files(&snapshot(&dir)),
            files(&originals),
            "the baseline restores exactly"
        );
        Baseline { originals, cleaned }
    })
}

/// The files of a tree (folders left out).
pub fn files(tree: &Tree) -> Tree {
    tree.iter()
        .filter(|(_, node)| !matches!(node, Node::Dir))
        .map(|(path, node)| (path.clone(), node.clone()))
        .collect()
}
