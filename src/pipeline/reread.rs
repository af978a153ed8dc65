//! Reading scanned documents again by number: for what a scan could not
//! keep (damage scores, cleaned texts, edit scripts, and verification sets
//! when no spill file could be written).

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::{Engine, Located};
use crate::input::{DocReader, Entry, Loaded};

impl Engine {
    /// Reads documents `docs` (numbered as in a scan) again, decodes them and
    /// maps each text with `f` in parallel, keeping only the results: memory
    /// holds two batches of texts. Only the entries holding them are read,
    /// and of a JSON Lines file only the wanted lines are parsed.
    pub(crate) fn reread<T, F>(
        &self,
        entries: &[Entry],
        located: Located<'_>,
        docs: &[u32],
        f: F,
    ) -> HashMap<u32, T>
    where
        T: Send,
        F: Fn(u32, &str) -> Option<T> + Sync,
    {
        let mut out = HashMap::with_capacity(docs.len());
        let all: Result<(), std::convert::Infallible> =
            self.reread_batches(entries, located, docs, f, |found| {
                out.extend(found);
                Ok(())
            });
        match all {
            Ok(()) => out,
        }
    }

    /// Like [`Engine::reread`], but hands each batch's results, in document
    /// order, to `each` as soon as they are made, and stops at its first
    /// error: nothing is held between batches.
    pub(crate) fn reread_batches<T, F, E>(
        &self,
        entries: &[Entry],
        located: Located<'_>,
        docs: &[u32],
        f: F,
        mut each: impl FnMut(Vec<(u32, T)>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        T: Send,
        F: Fn(u32, &str) -> Option<T> + Sync,
    {
        // A document is found again by its entry and its line in the entry
        // (0 for a whole file).
        let mut wanted_docs: HashMap<(u32, usize), u32> = HashMap::with_capacity(docs.len());
        for &doc in docs {
            if let (Some(&entry), Some(origin)) = (
                located.entry_of.get(doc as usize),
                located.origins.get(doc as usize),
            ) {
                wanted_docs.insert((entry, origin.record_line().unwrap_or(0)), doc);
            }
        }
        let wanted_entries: HashSet<u32> = wanted_docs.keys().map(|(entry, _)| *entry).collect();
        let wanted = |at: usize| wanted_entries.contains(&(at as u32));
        let mut reader = DocReader::only(entries, &wanted);
        let number_of = |loaded: &Loaded| match loaded {
            Loaded::Doc(doc) => {
                wanted_docs.get(&(doc.entry, doc.origin.record_line().unwrap_or(0)))
            }
            Loaded::Pending(pending) => wanted_docs.get(&(pending.entry, pending.line())),
            Loaded::Problem(_) => None,
        };
        let map_batch = |batch: Vec<Loaded>| -> Vec<(u32, T)> {
            let mut found: Vec<(u32, T)> = batch
                .into_par_iter()
                .filter_map(|loaded| {
                    let number = *number_of(&loaded)?;
                    let document = self.decode_document(loaded.into_doc().ok()?).ok()?;
                    Some((number, f(number, document.text())?))
                })
                .collect();
            found.sort_by_key(|(number, _)| *number);
            found
        };
        let mut batch = reader.batch(self.batch_bytes, 4096);
        while !batch.is_empty() {
            // The next batch is read while this one is mapped.
            let (next, found) =
                rayon::join(|| reader.batch(self.batch_bytes, 4096), || map_batch(batch));
            each(found)?;
            batch = next;
        }
        Ok(())
    }
}
