//! The texts of kept documents that removed duplicates are rebuilt from,
//! kept out of memory.
//!
//! Each removed duplicate document gets an edit script against the document
//! kept in its place. The write pass reads every document in order, so it
//! appends the decoded text of each kept twin to an unnamed temporary file
//! ([`TwinTexts`]) as it passes; the twin pass then reads only the removed
//! documents again and fetches each one's twin from the file. Memory holds
//! an offset per kept twin, never their texts.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::detect::sets::read_exact_at;

/// Kept twins' texts, by document number.
#[derive(Debug)]
pub(super) struct TwinTexts {
    out: BufWriter<File>,
    written: u64,
    /// Document → byte range in the file.
    places: HashMap<u32, (u64, usize)>,
}

impl TwinTexts {
    /// Opens the file in `dir` (the output folder, so it is on the disk the
    /// output goes to), else in the system's temporary folder.
    pub(super) fn new(dir: Option<&Path>) -> io::Result<TwinTexts> {
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        Ok(TwinTexts {
            out: BufWriter::with_capacity(1 << 20, file),
            written: 0,
            places: HashMap::new(),
        })
    }

    /// Stores the text of kept document `doc`.
    pub(super) fn push(&mut self, doc: u32, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.places.insert(doc, (self.written, text.len()));
        self.written += text.len() as u64;
        Ok(())
    }

    /// Ends the writing; the texts can then be read from any thread.
    pub(super) fn finish(self) -> io::Result<TwinReader> {
        Ok(TwinReader {
            file: self.out.into_inner().map_err(|err| err.into_error())?,
            places: self.places,
        })
    }
}

/// Reads back what [`TwinTexts`] stored.
#[derive(Debug)]
pub(super) struct TwinReader {
    file: File,
    places: HashMap<u32, (u64, usize)>,
}

impl TwinReader {
    /// The text of kept document `doc`, if it was stored.
    pub(super) fn text(&self, doc: u32) -> io::Result<Option<String>> {
        let Some(&(start, len)) = self.places.get(&doc) else {
            return Ok(None);
        };
        let mut bytes = vec![0u8; len];
        read_exact_at(&self.file, &mut bytes, start)?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_by_document() {
        let dir = tempfile::tempdir().unwrap();
        let mut texts = TwinTexts::new(Some(dir.path())).unwrap();
        texts.push(7, "kept 七").unwrap();
        texts.push(2, "").unwrap();
        texts.push(40, "another").unwrap();
        let reader = texts.finish().unwrap();
        assert_eq!(reader.text(7).unwrap().as_deref(), Some("kept 七"));
        assert_eq!(reader.text(2).unwrap().as_deref(), Some(""));
        assert_eq!(reader.text(40).unwrap().as_deref(), Some("another"));
        assert_eq!(reader.text(3).unwrap(), None);
        // Unnamed: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
