//! The Arrow schema of signature files: columns, their types and the
//! metadata keys, shared by the writer and the reader.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};

use crate::SketchParams;

/// Schema metadata key holding the format version.
pub const FORMAT_KEY: &str = "doppel.signatures";
/// The format version this code writes and reads.
pub const FORMAT_VERSION: &str = "1";
/// Schema metadata key holding the [`SketchParams`] as JSON.
pub const PARAMS_KEY: &str = "doppel.sketch_params";
/// Footer metadata: xxh3-64 (16 hex digits) of every byte of the file
/// before the end-of-stream marker that precedes the footer, so damage
/// inside a well-formed file (a flipped band key or shingle) is found.
pub const CHECKSUM_KEY: &str = "doppel.checksum";

/// Column positions.
pub(crate) mod col {
    pub const KIND: usize = 0;
    pub const PATH: usize = 1;
    pub const RECORD_ID: usize = 2;
    pub const RECORD_LINE: usize = 3;
    pub const ENCODING: usize = 4;
    pub const DETECTION: usize = 5;
    pub const BOM: usize = 6;
    pub const MALFORMED: usize = 7;
    pub const INPUT_BYTES: usize = 8;
    pub const BYTES: usize = 9;
    pub const LINES: usize = 10;
    pub const SEGMENTS: usize = 11;
    pub const MESSAGE: usize = 12;
    pub const EXACT: usize = 13;
    pub const UNITS: usize = 14;
    pub const BANDS: usize = 15;
    pub const SHINGLES: usize = 16;
}

/// Row kinds, as the `kind` column spells them.
pub(crate) mod kind {
    pub const DOCUMENT: &str = "document";
    pub const ERROR: &str = "error";
    pub const INPUT_ERROR: &str = "input_error";
    pub const SKIPPED: &str = "skipped";
}

/// The list element field both list columns use (Arrow's default name).
pub(crate) fn item(data_type: DataType) -> Arc<Field> {
    Arc::new(Field::new("item", data_type, true))
}

/// The columns, in order, without metadata.
pub(crate) fn fields() -> Vec<Field> {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    let number = |name: &str| Field::new(name, DataType::UInt64, true);
    vec![
        text("kind", false),
        text("path", true),
        text("record_id", true),
        number("record_line"),
        text("encoding", true),
        text("detection", true),
        Field::new("bom", DataType::Boolean, true),
        number("malformed"),
        number("input_bytes"),
        number("bytes"),
        number("lines"),
        number("segments"),
        text("message", true),
        number("exact"),
        number("units"),
        Field::new("bands", DataType::List(item(DataType::UInt64)), true),
        Field::new("shingles", DataType::List(item(DataType::UInt32)), true),
    ]
}

/// The schema of a file whose sketches were made with `params`.
pub(crate) fn schema(params: &SketchParams) -> Schema {
    let params = serde_json::to_string(params).unwrap_or_default();
    let metadata = HashMap::from([
        (FORMAT_KEY.to_owned(), FORMAT_VERSION.to_owned()),
        (PARAMS_KEY.to_owned(), params),
    ]);
    Schema::new_with_metadata(fields(), metadata)
}
