//! Checking settings: the ranges the library's options accept, and
//! [`ConfigError`], which names a setting and the value it was given.
//!
//! Option types are checked when they are turned into a worker
//! ([`EngineBuilder::build`](crate::EngineBuilder::build)) or on request
//! ([`DiffOptions::validate`](crate::DiffOptions::validate)), so a value out
//! of range is an error the caller can report, never a panic or a silently
//! different result later.
//!
//! ```
//! use doppel::{ConfigError, EngineBuilder};
//! let err = EngineBuilder::new().threshold(f64::NAN).build().unwrap_err();
//! assert!(matches!(err, ConfigError::Fraction { setting: "threshold", .. }));
//! assert_eq!(err.to_string(), "threshold: NaN is not a number in (0, 1]");
//! ```

/// The default similarity threshold: the Jaccard similarity of shingle sets
/// from which two documents (or segments) are near duplicates.
///
/// Chosen with the default shingling (character 5-grams, see
/// [`ShingleConfig`](crate::ShingleConfig)) on licence texts and Chinese
/// and Japanese man pages (`benches/shingle_choice.sh`): copies with 1% of
/// their characters edited score about 0.9 and copies with 3% about 0.74,
/// nearly all above 0.65, while two versions of a licence (GPL-2.0 and
/// GPL-3.0, MPL-1.1 and MPL-2.0) or one man page in two translations score
/// below 0.5.
pub const DEFAULT_THRESHOLD: f64 = 0.65;

/// A setting given a value outside what it accepts.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A fraction (a similarity or a share) outside its interval, or NaN.
    #[error("{setting}: {value} is not a number in {range}")]
    Fraction {
        /// The setting, named as its builder method (`threshold`) or as
        /// `section.field` (`boilerplate.min_share`).
        setting: &'static str,
        /// The value it was given.
        value: f64,
        /// The accepted interval, written as in the documentation.
        range: &'static str,
    },
    /// A count below its least value.
    #[error("{setting}: {value} is less than {least}")]
    TooSmall {
        /// The setting, named as in [`ConfigError::Fraction`].
        setting: &'static str,
        /// The value it was given.
        value: usize,
        /// The least value it accepts.
        least: usize,
    },
    /// A count outside its range.
    #[error("{setting}: {value} is not a whole number from {least} to {most}")]
    OutOfRange {
        /// The setting, named as in [`ConfigError::Fraction`].
        setting: &'static str,
        /// The value it was given.
        value: usize,
        /// The least value it accepts.
        least: usize,
        /// The greatest value it accepts.
        most: usize,
    },
    /// A time budget that ends past what the clock can count.
    #[error("{setting}: {seconds} seconds ends past what the clock can count")]
    TooLong {
        /// The setting, named as in [`ConfigError::Fraction`].
        setting: &'static str,
        /// The budget it was given, in seconds.
        seconds: f64,
    },
}

/// `value` if it lies in `(0, 1]`.
pub(crate) fn positive_fraction(setting: &'static str, value: f64) -> Result<f64, ConfigError> {
    if value > 0.0 && value <= 1.0 {
        Ok(value)
    } else {
        Err(ConfigError::Fraction {
            setting,
            value,
            range: "(0, 1]",
        })
    }
}

/// `value` if it lies in `[0, 1]`.
pub(crate) fn fraction(setting: &'static str, value: f64) -> Result<f64, ConfigError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError::Fraction {
            setting,
            value,
            range: "[0, 1]",
        })
    }
}

/// `value` if it is at least `least`.
pub(crate) fn at_least(
    setting: &'static str,
    value: usize,
    least: usize,
) -> Result<usize, ConfigError> {
    if value >= least {
        Ok(value)
    } else {
        Err(ConfigError::TooSmall {
            setting,
            value,
            least,
        })
    }
}

/// `value` if it lies in `least..=most`.
pub(crate) fn within(
    setting: &'static str,
    value: usize,
    least: usize,
    most: usize,
) -> Result<usize, ConfigError> {
    if (least..=most).contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError::OutOfRange {
            setting,
            value,
            least,
            most,
        })
    }
}

/// `budget` if the clock can count to its end from now.
pub(crate) fn reachable(
    setting: &'static str,
    budget: std::time::Duration,
) -> Result<std::time::Duration, ConfigError> {
    match std::time::Instant::now().checked_add(budget) {
        Some(_) => Ok(budget),
        None => Err(ConfigError::TooLong {
            setting,
            seconds: budget.as_secs_f64(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_reject_nan_infinity_and_the_open_end() {
        for bad in [f64::NAN, f64::INFINITY, -0.5, 1.5, 0.0] {
            assert!(positive_fraction("x", bad).is_err(), "{bad}");
        }
        assert_eq!(positive_fraction("x", 1.0), Ok(1.0));
        assert_eq!(fraction("x", 0.0), Ok(0.0));
        assert!(fraction("x", f64::NAN).is_err());
        assert!(fraction("x", -0.0 - 1e-9).is_err());
    }

    #[test]
    fn an_error_names_the_setting_and_the_value() {
        let err = at_least("min_units", 0, 1).unwrap_err();
        assert_eq!(err.to_string(), "min_units: 0 is less than 1");
        let err = fraction("move_similarity", 2.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "move_similarity: 2 is not a number in [0, 1]"
        );
    }
}
