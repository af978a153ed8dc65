//! Printers: one per format, each a [`Sink`](crate::Sink) writing to any
//! `io::Write`.
//!
//! - [`JsonPrinter`]: JSON Lines, the stable machine-readable report (schema 1,
//!   documented in the README).
//! - [`HumanPrinter`]: per document its encoding and duplicate ratio, each
//!   block as line ranges with a short preview; colour on request.

mod human;
pub mod inline;
mod json;

pub use human::HumanPrinter;
pub use json::JsonPrinter;

/// Rounds a ratio to four decimals for printing.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
