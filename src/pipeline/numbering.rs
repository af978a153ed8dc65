//! Document numbers: each document a scan delivers to the corpus-wide
//! indexes gets the next number, the `u32` they key documents by (half the
//! memory of a `usize` in every pair, band and posting).
//!
//! The numbers are handed out here, checked, so the indexes' own `u32`
//! arithmetic can never wrap: the document after the last number is an
//! error, not document 0 again.

use std::io;

/// More documents than corpus-wide detection can number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "more than {} documents in one scan: finding duplicates across documents numbers them with 32 bits \
     (split the input, or look only inside documents with --find blocks)",
    u32::MAX
)]
pub struct TooManyDocuments;

impl From<TooManyDocuments> for io::Error {
    fn from(err: TooManyDocuments) -> io::Error {
        io::Error::other(err)
    }
}

/// Hands out document numbers in order from 0.
#[derive(Clone, Debug, Default)]
pub(crate) struct DocNumbers {
    next: u32,
}

impl DocNumbers {
    /// The number of the next document, or an error once they run out.
    pub fn next_number(&mut self) -> Result<u32, TooManyDocuments> {
        let number = self.next;
        self.next = number.checked_add(1).ok_or(TooManyDocuments)?;
        Ok(number)
    }

    /// Numbers that continue from `next` (for tests of the limit).
    #[cfg(test)]
    pub(crate) fn starting_at(next: u32) -> DocNumbers {
        DocNumbers { next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_run_in_order_from_zero() {
        let mut numbers = DocNumbers::default();
        assert_eq!(numbers.next_number(), Ok(0));
        assert_eq!(numbers.next_number(), Ok(1));
    }

    #[test]
    fn the_number_after_the_last_is_an_error_not_zero() {
        let mut numbers = DocNumbers::starting_at(u32::MAX - 2);
        assert_eq!(numbers.next_number(), Ok(u32::MAX - 2));
        assert_eq!(numbers.next_number(), Ok(u32::MAX - 1));
        assert_eq!(numbers.next_number(), Err(TooManyDocuments));
        assert_eq!(numbers.next_number(), Err(TooManyDocuments));
        let err = io::Error::from(TooManyDocuments);
        assert!(err
            .to_string()
            .starts_with("more than 4294967295 documents"));
    }
}
