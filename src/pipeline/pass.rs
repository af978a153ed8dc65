//! The document driver every pass over the inputs runs on: a scan, a
//! signing run, the scan's second look at documents whose verification
//! sets were not kept, and each of `clean`'s passes.
//!
//! [`Engine::pass`] reads the entries in batches, decodes each document,
//! hands it to the pass's `work` in parallel (rayon) and each batch's
//! results, in input order, to the pass's `each`. While one batch is worked
//! on, the previous batch's results are handed on and the next batch is
//! read, so the sequential work overlaps the parallel work; memory holds
//! three batches at most. Results do not depend on the batch size or the
//! number of threads.
//!
//! A pass reads every document ([`Which::All`]), including those that
//! cannot be read or decoded, and numbers them itself; or it reads again
//! documents a scan numbered ([`Which::Numbered`]): then only the entries
//! holding them are read, of a JSON Lines file only those lines are
//! parsed, and each document comes with its number.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::{Engine, Located, Problem};
use crate::decode::{decode_vec, DecodeError, Decoded, Detection};
use crate::document::{Document, Origin};
use crate::input::{Content, DocReader, Entry, Loaded, LoadedDoc};

/// Most documents read into one batch, whatever their size.
const BATCH_DOCS: usize = 4096;

/// Which documents a pass reads.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Which<'a> {
    /// Every document of the entries, in input order.
    All,
    /// The documents a scan numbered `docs`, found where `located` says
    /// they came from; others, and inputs that cannot be read, are passed
    /// over.
    Numbered {
        docs: &'a [u32],
        located: Located<'a>,
    },
}

/// One document as a pass's `work` gets it.
#[derive(Debug)]
pub(crate) struct PassDoc {
    /// Its scan number with [`Which::Numbered`]; `None` with
    /// [`Which::All`], where the pass numbers documents itself.
    pub number: Option<u32>,
    pub outcome: ReadOutcome,
}

/// What reading and decoding a document gave.
#[derive(Debug)]
pub(crate) enum ReadOutcome {
    Decoded(DecodedDoc),
    /// It could not be read or decoded.
    Failed(Problem),
    /// A binary file found in a folder walk, passed over quietly.
    SkippedBinary(Origin),
}

/// A document read and decoded, with what a pass needs to check it against
/// its input.
#[derive(Debug)]
pub(crate) struct DecodedDoc {
    pub document: Document,
    /// Index of the entry it came from.
    pub entry: u32,
    /// The group its boilerplate is counted in.
    pub group: String,
    /// For a record, its line as read (empty for a Parquet row).
    pub raw_line: Option<String>,
    /// xxh3 of the bytes read: a file's bytes, or a record's line without
    /// its line end.
    pub input_xxh3: u64,
    /// Length of those bytes.
    pub input_len: usize,
}

impl PassDoc {
    /// Its scan number and decoded text, when it has both.
    pub(crate) fn numbered_text(&self) -> Option<(u32, &str)> {
        match (&self.outcome, self.number) {
            (ReadOutcome::Decoded(decoded), Some(number)) => {
                Some((number, decoded.document.text()))
            }
            _ => None,
        }
    }
}

/// The documents a [`Which::Numbered`] pass wants: each by its entry and
/// its line in the entry (0 for a whole file).
struct Wanted {
    docs: HashMap<(u32, usize), u32>,
    entries: HashSet<u32>,
}

impl Wanted {
    fn new(docs: &[u32], located: Located<'_>) -> Wanted {
        let mut wanted = HashMap::with_capacity(docs.len());
        for &doc in docs {
            if let (Some(&entry), Some(origin)) = (
                located.entry_of.get(doc as usize),
                located.origins.get(doc as usize),
            ) {
                wanted.insert((entry, origin.record_line().unwrap_or(0)), doc);
            }
        }
        let entries = wanted.keys().map(|(entry, _)| *entry).collect();
        Wanted {
            docs: wanted,
            entries,
        }
    }

    /// The number of a loaded document, if it is wanted.
    fn number_of(&self, loaded: &Loaded) -> Option<u32> {
        let key = match loaded {
            Loaded::Doc(doc) => (doc.entry, doc.origin.record_line().unwrap_or(0)),
            Loaded::Pending(pending) => (pending.entry, pending.line()),
            Loaded::Problem(_) => return None,
        };
        self.docs.get(&key).copied()
    }
}

impl Engine {
    /// Runs a pass over the documents of `entries` that `which` names:
    /// each is read and decoded and given to `work`, in parallel; each
    /// batch's results go to `each` in input order. The pass stops at the
    /// first error `each` returns.
    pub(crate) fn pass<T, E>(
        &self,
        entries: &[Entry],
        which: Which<'_>,
        work: impl Fn(PassDoc) -> T + Sync,
        mut each: impl FnMut(Vec<T>) -> Result<(), E> + Send,
    ) -> Result<(), E>
    where
        T: Send,
        E: Send,
    {
        let wanted = match which {
            Which::All => None,
            Which::Numbered { docs, located } => Some(Wanted::new(docs, located)),
        };
        let wants_entry = |at: usize| {
            wanted
                .as_ref()
                .is_none_or(|wanted| wanted.entries.contains(&(at as u32)))
        };
        let mut reader = match wanted {
            None => DocReader::new(entries),
            Some(_) => DocReader::only(entries, &wants_entry),
        };
        let work_on = |batch: Vec<Loaded>| -> Vec<T> {
            batch
                .into_par_iter()
                .filter_map(|loaded| {
                    let number = match &wanted {
                        None => None,
                        Some(wanted) => Some(wanted.number_of(&loaded)?),
                    };
                    let outcome = self.read_outcome(loaded);
                    Some(work(PassDoc { number, outcome }))
                })
                .collect()
        };
        let mut handed_on = |results: Vec<T>| {
            if results.is_empty() {
                Ok(())
            } else {
                each(results)
            }
        };
        let mut done: Vec<T> = Vec::new();
        let mut batch = reader.batch(self.batch_bytes, BATCH_DOCS);
        while !batch.is_empty() {
            // One thread hands the previous batch's results on and reads the
            // next batch while the others work on this one.
            let previous = std::mem::take(&mut done);
            let ((handed, next), results) = rayon::join(
                || {
                    let handed = handed_on(previous);
                    (handed, reader.batch(self.batch_bytes, BATCH_DOCS))
                },
                || work_on(batch),
            );
            handed?;
            done = results;
            batch = next;
        }
        handed_on(done)
    }

    /// Reads (a pending record is parsed here) and decodes one document.
    fn read_outcome(&self, loaded: Loaded) -> ReadOutcome {
        let doc = match loaded.into_doc() {
            Ok(doc) => doc,
            Err(err) => return ReadOutcome::Failed(err.into()),
        };
        let walked = doc.walked;
        let origin = doc.origin.clone();
        match self.decode_loaded(doc) {
            Ok(decoded) => ReadOutcome::Decoded(decoded),
            Err(DecodeError::Binary { .. }) if walked => ReadOutcome::SkippedBinary(origin),
            Err(err) => ReadOutcome::Failed(Problem {
                origin,
                message: err.to_string(),
            }),
        }
    }

    /// Decodes a loaded document, noting the bytes it was decoded from.
    pub(super) fn decode_loaded(&self, doc: LoadedDoc) -> Result<DecodedDoc, DecodeError> {
        let input_bytes = doc.input_bytes();
        let read: &[u8] = match &doc.content {
            Content::Bytes(bytes) => bytes,
            Content::Record { raw, .. } => raw.as_bytes(),
        };
        let (input_xxh3, input_len) = (xxh3_64(read), read.len());
        let (decoded, raw_line) = match doc.content {
            Content::Bytes(bytes) => (decode_vec(bytes, self.encoding)?, None),
            Content::Record { text, raw } => (
                Decoded {
                    text,
                    encoding: encoding_rs::UTF_8,
                    detection: Detection::Json,
                    bom: false,
                    malformed: 0,
                },
                Some(raw),
            ),
        };
        Ok(DecodedDoc {
            document: Document {
                origin: doc.origin,
                input_bytes,
                decoded,
            },
            entry: doc.entry,
            group: doc.group,
            raw_line,
            input_xxh3,
            input_len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{expand, InputOptions};
    use crate::EngineBuilder;

    /// What a pass hands on, per document: its number, where it came from
    /// and its text (or the problem's message).
    type Seen = (Option<u32>, String, String);

    fn seen(doc: PassDoc) -> Seen {
        match doc.outcome {
            ReadOutcome::Decoded(decoded) => (
                doc.number,
                decoded.document.origin.to_string(),
                decoded.document.text().to_owned(),
            ),
            ReadOutcome::Failed(problem) => (
                doc.number,
                problem.origin.to_string(),
                format!("problem: {}", problem.message),
            ),
            ReadOutcome::SkippedBinary(origin) => (doc.number, origin.to_string(), "binary".into()),
        }
    }

    /// Runs a pass with batches of `batch_bytes` on `threads` threads,
    /// noting each batch handed on.
    fn run(
        entries: &[Entry],
        which: Which<'_>,
        batch_bytes: usize,
        threads: usize,
    ) -> (Vec<Seen>, usize) {
        let engine = EngineBuilder::new()
            .batch_bytes(batch_bytes)
            .build()
            .expect("valid settings");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let (mut all, mut batches) = (Vec::new(), 0);
        let done: Result<(), std::convert::Infallible> = pool.install(|| {
            engine.pass(entries, which, seen, |results| {
                batches += 1;
                all.extend(results);
                Ok(())
            })
        });
        let Ok(()) = done;
        (all, batches)
    }

    /// A folder of 40 text files, a JSON Lines file of 30 records (one
    /// broken) and a binary file, expanded in input order.
    fn corpus(dir: &std::path::Path) -> Vec<Entry> {
        for at in 0..40 {
            let text = format!("File {at:02} says {}.\n", "something ".repeat(at % 7 + 1));
            std::fs::write(dir.join(format!("f{at:02}.txt")), text).unwrap();
        }
        let mut lines = String::new();
        for at in 0..30 {
            match at {
                13 => lines.push_str("{\"text\": broken\n"),
                _ => lines.push_str(&format!("{{\"text\":\"record {at} of the file\"}}\n")),
            }
        }
        std::fs::write(dir.join("m.jsonl"), lines).unwrap();
        std::fs::write(dir.join("z.bin"), [0u8, 159, 146, 150, 0, 0, 1, 2]).unwrap();
        let (entries, problems) = expand(&[dir.to_path_buf()], &InputOptions::default());
        assert!(problems.is_empty(), "{problems:?}");
        entries
    }

    #[test]
    fn results_come_in_input_order_whatever_the_batch_size_and_threads() {
        let dir = tempfile::tempdir().unwrap();
        let entries = corpus(dir.path());
        let (expected, one_batch) = run(&entries, Which::All, 1 << 30, 1);
        assert_eq!(one_batch, 1);
        assert_eq!(expected.len(), 40 + 30 + 1);
        assert!(expected[..40]
            .iter()
            .enumerate()
            .all(
                |(at, (_, origin, text))| origin.ends_with(&format!("f{at:02}.txt"))
                    && text.starts_with(&format!("File {at:02} "))
            ));
        let (_, broken, message) = &expected[40 + 13];
        assert!(broken.ends_with("m.jsonl:14"), "{broken}");
        assert!(message.starts_with("problem: "), "{message}");
        assert_eq!(expected[40 + 14].2, "record 14 of the file");
        assert_eq!(expected[70].2, "binary", "{:?}", expected[70]);
        assert!(expected.iter().all(|(number, _, _)| number.is_none()));
        for batch_bytes in [1, 64, 1000] {
            for threads in [1, 3] {
                let (all, batches) = run(&entries, Which::All, batch_bytes, threads);
                assert_eq!(all, expected, "{batch_bytes} bytes, {threads} threads");
                assert!(batches > 1, "{batch_bytes} bytes make several batches");
            }
        }
    }

    #[test]
    fn numbered_documents_are_exactly_those_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let entries = corpus(dir.path());
        let (everything, _) = run(&entries, Which::All, 1 << 30, 1);
        // Number the documents as a scan would: the broken record and the
        // binary file are not documents.
        let (mut origins, mut entry_of, mut texts) = (Vec::new(), Vec::new(), Vec::new());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let engine = EngineBuilder::new().build().unwrap();
        let done: Result<(), std::convert::Infallible> = pool.install(|| {
            engine.pass(
                &entries,
                Which::All,
                |doc| doc.outcome,
                |outcomes| {
                    for outcome in outcomes {
                        if let ReadOutcome::Decoded(decoded) = outcome {
                            origins.push(decoded.document.origin.clone());
                            entry_of.push(decoded.entry);
                            texts.push(decoded.document.text().to_owned());
                        }
                    }
                    Ok(())
                },
            )
        });
        let Ok(()) = done;
        assert_eq!(origins.len(), 40 + 29);
        assert_eq!(everything.len(), 40 + 30 + 1);
        let located = Located {
            origins: &origins,
            entry_of: &entry_of,
        };
        // Files, records on both sides of the broken line, and the last one.
        let docs = [0, 7, 39, 40, 52, 53, 61, 68];
        for batch_bytes in [1, 64, 1 << 30] {
            for threads in [1, 3] {
                let (found, _) = run(
                    &entries,
                    Which::Numbered {
                        docs: &docs,
                        located,
                    },
                    batch_bytes,
                    threads,
                );
                let expected: Vec<Seen> = docs
                    .iter()
                    .map(|&doc| {
                        let doc = doc as usize;
                        (
                            Some(doc as u32),
                            origins[doc].to_string(),
                            texts[doc].clone(),
                        )
                    })
                    .collect();
                assert_eq!(found, expected, "{batch_bytes} bytes, {threads} threads");
            }
        }
        assert_eq!(texts[52], "record 12 of the file");
        assert_eq!(texts[53], "record 14 of the file");
    }

    #[test]
    fn a_pass_stops_at_the_first_error_it_is_handed_back() {
        let dir = tempfile::tempdir().unwrap();
        let entries = corpus(dir.path());
        let engine = EngineBuilder::new().batch_bytes(64).build().unwrap();
        let mut calls = 0;
        let result = engine.pass(&entries, Which::All, seen, |results| {
            calls += 1;
            match calls {
                2 => Err(results.len()),
                _ => Ok(()),
            }
        });
        assert!(matches!(result, Err(handed) if handed > 0), "{result:?}");
        assert_eq!(calls, 2, "nothing is handed on after the error");
    }
}
