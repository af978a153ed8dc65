//! doppel finds, removes and shows duplicated text.
pub mod check;
pub mod clean;
mod config;
pub mod decode;
pub mod detect;
pub mod diff;
pub mod document;
mod fingerprint;
pub mod index;
pub mod input;
mod normalize;
mod params;
mod pipeline;
pub mod quality;
pub mod report;
pub mod script;
mod segment;
mod shingle;
pub mod sketch;

pub use config::ConfigError;
pub use decode::{decode, decode_vec, DecodeError, Decoded};
pub use detect::within::{find_blocks, Block, Copy, Differing, WithinConfig};
pub use diff::{Comparison, DiffOptions};
pub use fingerprint::{jaccard, Fingerprint, Fingerprinter};
pub use normalize::Normalizer;
pub use params::{Incompatible, SketchParams, SKETCH_FORMAT};
pub use pipeline::{
    CorpusReport, Engine, EngineBuilder, Findings, Located, Problem, ScannedDoc, Sink, Summary,
    TooManyDocuments,
};
pub use quality::{Damage, Preference, Variant};
pub use segment::{Granularity, Segmenter};
pub use shingle::{ShingleConfig, Shingler};
