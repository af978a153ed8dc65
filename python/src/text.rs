//! Work on single texts from Python: `decode` (bytes to text, the encoding
//! detected as the command line detects it), `diff` (two versions of a
//! text compared, as `doppel diff` compares them) and `find_blocks` (the
//! regions each text of a batch repeats inside itself, as `doppel scan`
//! reports them).
//!
//! Every offset handed to Python is a character offset, so that
//! `text[start:end]` is the piece it names; byte offsets are given beside
//! them where they are cheap.

use std::ops::Range;

use doppel::diff::render::Begin;
use doppel::diff::{
    Algorithm, Comparison, DiffOptions, DocHeader, DocStatus, Format, Granularity, Printer, Tag,
};
use doppel::{CharIndex, FoundBlock, TextSpan};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use rayon::prelude::*;

use crate::settings::Settings;
use crate::texts::{type_name, Texts};

/// A byte range as a `(start, end)` character range: Python's indices.
fn char_range(chars: &CharIndex<'_>, bytes: &Range<usize>) -> (usize, usize) {
    (chars.char_of(bytes.start), chars.char_of(bytes.end))
}

/// `text` as Python's `repr` writes it (`'café'`), for `__repr__`s and
/// messages.
pub fn py_repr(py: Python<'_>, text: &str) -> String {
    PyString::new(py, text)
        .repr()
        .map(|quoted| quoted.to_string())
        .unwrap_or_else(|_| format!("{text:?}"))
}

// ---------------------------------------------------------------- decode

/// Bytes decoded to text, and how.
#[pyclass(module = "doppel", frozen, get_all)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    text: String,
    /// WHATWG name of the encoding used (``UTF-8``, ``windows-1252``,
    /// ``Shift_JIS``…).
    encoding: &'static str,
    /// How it was chosen, as the JSON report spells it: ``forced``,
    /// ``bom``, ``valid-utf8``, ``utf16-pattern`` or ``guessed``.
    detection: &'static str,
    /// Whether the bytes started with a byte-order mark.
    bom: bool,
    /// Malformed sequences, each replaced by U+FFFD.
    malformed: usize,
}

#[pymethods]
impl Decoded {
    fn __repr__(&self, py: Python<'_>) -> String {
        const SHOWN: usize = 40;
        let mut shown: String = self.text.chars().take(SHOWN).collect();
        if self.text.chars().nth(SHOWN).is_some() {
            shown.push('…');
        }
        format!(
            "Decoded(encoding={}, detection={}, bom={}, malformed={}, text={})",
            py_repr(py, self.encoding),
            py_repr(py, self.detection),
            if self.bom { "True" } else { "False" },
            self.malformed,
            py_repr(py, &shown)
        )
    }

    fn __str__(&self) -> &str {
        &self.text
    }
}

/// Decodes bytes to text as the command line does: a byte-order mark,
/// else UTF-16 told by where its NUL bytes fall, else valid UTF-8, else
/// the encoding ``chardetng`` guesses. ``encoding`` (a WHATWG label such
/// as ``"gbk"`` or ``"shift_jis"``) forces one instead. Malformed
/// sequences become U+FFFD and are counted.
///
/// Raises ``ValueError`` for an unknown label, binary data, or bytes too
/// much of which is malformed in the encoding chosen. The GIL is released
/// while decoding.
#[pyfunction]
#[pyo3(signature = (data, encoding=None))]
pub fn decode(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    encoding: Option<&str>,
) -> PyResult<Decoded> {
    let forced = match encoding {
        Some(label) => Some(doppel::decode::encoding_for_label(label).ok_or_else(|| {
            PyValueError::new_err(format!(
                "encoding: {label:?} is not an encoding label (see the WHATWG Encoding Standard: \"utf-8\", \"gbk\", \"shift_jis\", \"windows-1252\"…)"
            ))
        })?),
        None => None,
    };
    let decoded = if let Ok(bytes) = data.cast::<PyBytes>() {
        let bytes = bytes.as_bytes();
        py.detach(|| doppel::decode(bytes, forced))
    } else if let Ok(array) = data.cast::<PyByteArray>() {
        let bytes = array.to_vec();
        py.detach(|| doppel::decode_vec(bytes, forced))
    } else {
        return Err(PyTypeError::new_err(format!(
            "data: a {}, not bytes or bytearray",
            type_name(data)
        )));
    }
    .map_err(|err| PyValueError::new_err(format!("data: {err}")))?;
    Ok(Decoded {
        text: decoded.text,
        encoding: decoded.encoding.name(),
        detection: decoded.detection.as_str(),
        bom: decoded.bom,
        malformed: decoded.malformed,
    })
}

// ------------------------------------------------------------------ diff

/// A block deleted in one place and inserted in another, maybe edited.
#[pyclass(module = "doppel", frozen, get_all)]
pub struct Move {
    /// Characters of the block in the old text, ``(start, end)``.
    old: (usize, usize),
    /// Characters of the block in the new text, ``(start, end)``.
    new: (usize, usize),
    /// Similarity of the two blocks (1.0 when equal).
    similarity: f64,
}

#[pymethods]
impl Move {
    fn __repr__(&self) -> String {
        format!(
            "Move(old={:?}, new={:?}, similarity={:.3})",
            self.old, self.new, self.similarity
        )
    }
}

/// One operation in character offsets: `(tag, old_start, old_end,
/// new_start, new_end)`.
type PyOp = (&'static str, usize, usize, usize, usize);

/// Two versions of a text compared.
#[pyclass(module = "doppel", frozen)]
pub struct Diff {
    old: String,
    new: String,
    /// Operations in byte offsets, covering both texts in order.
    byte_ops: Vec<(Tag, Range<usize>, Range<usize>)>,
    /// The same in character offsets.
    ops: Vec<PyOp>,
    moves: Vec<Py<Move>>,
    similarity: f64,
    approximate: bool,
    text: String,
    format: &'static str,
}

#[pymethods]
impl Diff {
    /// The operations that turn ``old`` into ``new``, in order, covering
    /// both texts: ``(tag, old_start, old_end, new_start, new_end)`` in
    /// character offsets (``old[old_start:old_end]``), ``tag`` one of
    /// ``equal``, ``delete``, ``insert``, ``replace``. Changed lines are
    /// cut into the words or characters that changed (``by``); a moved
    /// block is a ``delete`` where it was and an ``insert`` where it went
    /// (see ``moves``).
    #[getter]
    fn ops(&self) -> Vec<PyOp> {
        self.ops.clone()
    }

    /// The moved blocks, in order of where they were in the old text.
    #[getter]
    fn moves(&self, py: Python<'_>) -> Vec<Py<Move>> {
        self.moves.iter().map(|m| m.clone_ref(py)).collect()
    }

    /// Whether the texts are equal (under the ignore options).
    #[getter]
    fn is_equal(&self) -> bool {
        self.byte_ops.iter().all(|(tag, _, _)| *tag == Tag::Equal)
    }

    /// Similarity of the two texts, 0.0 to 1.0.
    #[getter]
    fn similarity(&self) -> f64 {
        self.similarity
    }

    /// Whether the deadline passed: the diff is correct but may be coarser
    /// than it could be.
    #[getter]
    fn approximate(&self) -> bool {
        self.approximate
    }

    /// The diff written in the format asked for (no colour); empty for
    /// equal texts in the text formats.
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }

    /// The format ``text`` is written in.
    #[getter]
    fn format(&self) -> &'static str {
        self.format
    }

    /// Rebuilds the new text from the old one and the operations: equal
    /// parts from the old text, the rest from the new. Equal to ``new``
    /// unless an ignore option made unequal text count as equal.
    fn apply(&self, py: Python<'_>) -> String {
        py.detach(|| {
            let mut out = String::with_capacity(self.new.len());
            for (tag, old, new) in &self.byte_ops {
                match tag {
                    Tag::Equal => out.push_str(&self.old[old.clone()]),
                    Tag::Delete => {}
                    Tag::Insert | Tag::Replace => out.push_str(&self.new[new.clone()]),
                }
            }
            out
        })
    }

    fn __bool__(&self) -> bool {
        !self.is_equal()
    }

    fn __repr__(&self) -> String {
        let changed = self
            .byte_ops
            .iter()
            .filter(|(tag, _, _)| *tag != Tag::Equal)
            .count();
        format!(
            "Diff({} changes, {} moves, similarity={:.3}{})",
            changed,
            self.moves.len(),
            self.similarity,
            if self.approximate {
                ", approximate"
            } else {
                ""
            }
        )
    }
}

/// Accepted values of `by`.
const BY: [(&str, Granularity); 4] = [
    ("auto", Granularity::Auto),
    ("line", Granularity::Line),
    ("word", Granularity::Word),
    ("char", Granularity::Char),
];

/// Accepted values of `format` (no `color`: `text` has no colour).
const FORMATS: [(&str, Format); 5] = [
    ("unified", Format::Unified),
    ("word", Format::Word),
    ("side-by-side", Format::SideBySide),
    ("stat", Format::Stat),
    ("json", Format::Json),
];

const ALGORITHMS: [(&str, Algorithm); 3] = [
    ("myers", Algorithm::Myers),
    ("patience", Algorithm::Patience),
    ("histogram", Algorithm::Histogram),
];

/// The value `name` stands for among `choices`, or a `ValueError` naming
/// the argument and listing what it accepts.
fn choose<T: Copy>(
    py: Python<'_>,
    what: &str,
    name: &str,
    choices: &[(&'static str, T)],
) -> PyResult<T> {
    choices
        .iter()
        .find(|(choice, _)| *choice == name)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<String> = choices.iter().map(|(c, _)| py_repr(py, c)).collect();
            PyValueError::new_err(format!(
                "{what}: {} is not one of {}",
                py_repr(py, name),
                names.join(", ")
            ))
        })
}

/// Compares two versions of a text as ``doppel diff`` does: lines
/// aligned, changed lines refined into words or characters (``by``:
/// ``auto``, ``line``, ``word`` or ``char``; ``auto`` is words for spaced
/// scripts and characters for Chinese, Japanese and Korean), moved blocks
/// found (``moves``). ``format`` (``unified``, ``word``,
/// ``side-by-side``, ``stat`` or ``json``) is what ``Diff.text`` is
/// written in; ``context`` and ``width`` are its context lines and the
/// side-by-side width, ``old_name`` and ``new_name`` the names it shows.
/// ``deadline`` is a time budget in seconds (``None`` for none): past it
/// the diff is coarser but still correct, and marked approximate.
///
/// Bad choices raise ``ValueError`` listing the accepted ones. The GIL is
/// released while comparing.
#[pyfunction]
#[pyo3(signature = (
    old, new, *, by="auto", format="unified", algorithm="myers",
    ignore_whitespace=false, ignore_case=false, normalize=false, moves=true,
    context=3, width=120, deadline=Some(5.0), old_name="old", new_name="new",
), text_signature = "(old, new, *, by='auto', format='unified', algorithm='myers', \
    ignore_whitespace=False, ignore_case=False, normalize=False, moves=True, context=3, \
    width=120, deadline=5.0, old_name='old', new_name='new')")]
#[allow(clippy::too_many_arguments)]
pub fn diff(
    py: Python<'_>,
    old: String,
    new: String,
    by: &str,
    format: &str,
    algorithm: &str,
    ignore_whitespace: bool,
    ignore_case: bool,
    normalize: bool,
    moves: bool,
    context: i64,
    width: i64,
    deadline: Option<f64>,
    old_name: &str,
    new_name: &str,
) -> PyResult<Diff> {
    let granularity = choose(py, "by", by, &BY)?;
    let format = choose(py, "format", format, &FORMATS)?;
    let algorithm = choose(py, "algorithm", algorithm, &ALGORITHMS)?;
    let deadline = match deadline {
        None => None,
        Some(seconds) if seconds > 0.0 && seconds.is_finite() => Some(
            std::time::Duration::try_from_secs_f64(seconds).map_err(|_| {
                PyValueError::new_err(format!("deadline: {seconds} seconds is too long"))
            })?,
        ),
        Some(seconds) => {
            return Err(PyValueError::new_err(format!(
                "deadline: {seconds} is not a positive number of seconds (None for no deadline)"
            )))
        }
    };
    // (Taken as signed numbers, so that a negative one is named here
    // rather than refused as an overflow that names nothing.)
    let context = usize::try_from(context)
        .map_err(|_| PyValueError::new_err(format!("context: {context} is not 0 or more lines")))?;
    let width = usize::try_from(width)
        .ok()
        .filter(|width| (20..=10_000).contains(width))
        .ok_or_else(|| {
            PyValueError::new_err(format!("width: {width} is not from 20 to 10000 columns"))
        })?;
    let mut options = DiffOptions::new();
    options
        .granularity(granularity)
        .algorithm(algorithm)
        .ignore_whitespace(ignore_whitespace)
        .ignore_case(ignore_case)
        .normalize(normalize)
        .deadline(deadline)
        .detect_moves(moves);
    options
        .validate()
        .map_err(|err| PyValueError::new_err(err.to_string()))?;
    let compared = py.detach(|| {
        let comparison = Comparison::new(&old, &new, &options);
        let text = render(
            &comparison,
            &options,
            format,
            context,
            width,
            old_name,
            new_name,
        );
        let byte_ops = flatten(&comparison);
        let (old_chars, new_chars) = (CharIndex::new(&old), CharIndex::new(&new));
        let ops: Vec<PyOp> = byte_ops
            .iter()
            .map(|(tag, o, n)| {
                let (o, n) = (char_range(&old_chars, o), char_range(&new_chars, n));
                (tag.as_str(), o.0, o.1, n.0, n.1)
            })
            .collect();
        let moves: Vec<Move> = comparison
            .moves()
            .iter()
            .map(|m| Move {
                old: char_range(&old_chars, &comparison.old_bytes(m.old.clone())),
                new: char_range(&new_chars, &comparison.new_bytes(m.new.clone())),
                similarity: m.similarity,
            })
            .collect();
        (
            byte_ops,
            ops,
            moves,
            comparison.similarity(),
            comparison.is_approximate(),
            text,
        )
    });
    let (byte_ops, ops, moves, similarity, approximate, text) = compared;
    let moves = moves
        .into_iter()
        .map(|m| Py::new(py, m))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Diff {
        old,
        new,
        byte_ops,
        ops,
        moves,
        similarity,
        approximate,
        text: text.map_err(|err| PyValueError::new_err(err.to_string()))?,
        format: format.as_str(),
    })
}

/// The comparison written in `format`, as `doppel diff` writes it for two
/// files, without colour.
fn render(
    comparison: &Comparison<'_>,
    options: &DiffOptions,
    format: Format,
    context: usize,
    width: usize,
    old_name: &str,
    new_name: &str,
) -> std::io::Result<String> {
    let mut printer = Printer::new(format);
    printer.context(context).width(width).color(false);
    let mut header = DocHeader::files(old_name, new_name);
    if comparison.is_equal() {
        header.status = DocStatus::Unchanged;
    }
    let begin = Begin {
        old: old_name,
        new: new_name,
        options,
    };
    let mut out = Vec::new();
    printer.begin(&mut out, &begin)?;
    printer.document(&mut out, &header, comparison)?;
    printer.finish(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The comparison's operations with every refined block cut into its
/// changes and the equal text between them, in byte offsets; neighbouring
/// equal operations are joined and empty ones left out.
fn flatten(comparison: &Comparison<'_>) -> Vec<(Tag, Range<usize>, Range<usize>)> {
    let mut flat: Vec<(Tag, Range<usize>, Range<usize>)> = Vec::new();
    let mut push = |tag: Tag, old: Range<usize>, new: Range<usize>| {
        if old.is_empty() && new.is_empty() {
            return;
        }
        if let Some((Tag::Equal, last_old, last_new)) = flat.last_mut() {
            if tag == Tag::Equal && last_old.end == old.start && last_new.end == new.start {
                last_old.end = old.end;
                last_new.end = new.end;
                return;
            }
        }
        flat.push((tag, old, new));
    };
    for op in comparison.ops() {
        let old = comparison.old_bytes(op.old.clone());
        let new = comparison.new_bytes(op.new.clone());
        match (op.tag, &op.inline) {
            (Tag::Replace, Some(changes)) => {
                let (mut at_old, mut at_new) = (old.start, new.start);
                for change in changes {
                    push(
                        Tag::Equal,
                        at_old..change.old.start,
                        at_new..change.new.start,
                    );
                    push(change.tag, change.old.clone(), change.new.clone());
                    at_old = change.old.end;
                    at_new = change.new.end;
                }
                push(Tag::Equal, at_old..old.end, at_new..new.end);
            }
            (tag, _) => push(tag, old, new),
        }
    }
    flat
}

// ----------------------------------------------------------- find_blocks

/// A region of text that occurs two or more times in one text.
#[pyclass(module = "doppel", frozen, get_all)]
pub struct Block {
    /// Every occurrence, in order, as ``(start, end)`` character offsets:
    /// ``text[start:end]`` is the copy.
    copies: Vec<(usize, usize)>,
    /// The same occurrences as byte offsets into the UTF-8 text.
    byte_copies: Vec<(usize, usize)>,
    /// The same occurrences as ``(first, last)`` lines, from 1, inclusive.
    lines: Vec<(usize, usize)>,
    /// Segments (paragraphs, lines or sentences) in the first copy.
    segments: usize,
    /// Every copy is the same text, byte for byte.
    exact: bool,
    /// Mean similarity of the other copies to the first (1.0 when exact).
    similarity: f64,
    /// Where a copy departs from the first: ``(copy, first, other,
    /// similarity)``, ``copy`` an index into ``copies`` (1 or more),
    /// ``first`` and ``other`` the ``(start, end)`` characters that differ
    /// in the first copy and in that copy (``None`` where a segment is in
    /// one copy only), ``similarity`` that of the two segments.
    differing: Vec<Differing>,
}

/// `(copy, first, other, similarity)` of a `Block.differing`.
type Differing = (usize, Option<(usize, usize)>, Option<(usize, usize)>, f64);

#[pymethods]
impl Block {
    fn __len__(&self) -> usize {
        self.copies.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Block(copies={:?}, exact={}, similarity={:.3})",
            self.copies,
            if self.exact { "True" } else { "False" },
            self.similarity
        )
    }
}

fn chars(span: &TextSpan) -> (usize, usize) {
    (span.chars.start, span.chars.end)
}

impl Block {
    fn of(found: FoundBlock) -> Block {
        Block {
            copies: found.copies.iter().map(chars).collect(),
            byte_copies: found
                .copies
                .iter()
                .map(|s| (s.bytes.start, s.bytes.end))
                .collect(),
            lines: found
                .copies
                .iter()
                .map(|s| (s.lines.first, s.lines.last))
                .collect(),
            segments: found.segments,
            exact: found.exact,
            similarity: found.similarity,
            differing: found
                .differing
                .iter()
                .map(|d| {
                    (
                        d.copy,
                        d.first.as_ref().map(chars),
                        d.other.as_ref().map(chars),
                        d.similarity,
                    )
                })
                .collect(),
        }
    }
}

/// The regions each text repeats inside itself, as ``doppel scan``
/// reports them: one list of ``Block`` per text, in order. Texts are a
/// pyarrow array or a sequence of ``str``, scanned in parallel with the
/// GIL released.
#[pyfunction]
#[pyo3(signature = (texts, *, settings=None))]
pub fn find_blocks(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    settings: Option<Settings>,
) -> PyResult<Vec<Vec<Block>>> {
    let settings = Settings::or_default(settings)?;
    let texts = Texts::from_python(texts, "texts")?;
    let found: Vec<Vec<Block>> = py.detach(|| {
        let engine = settings.engine();
        texts
            .rows()
            .par_iter()
            .map(|text| {
                engine
                    .find_blocks(text)
                    .into_iter()
                    .map(Block::of)
                    .collect()
            })
            .collect()
    });
    Ok(found)
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(decode, module)?)?;
    module.add_class::<Decoded>()?;
    module.add_function(wrap_pyfunction!(diff, module)?)?;
    module.add_class::<Diff>()?;
    module.add_class::<Move>()?;
    module.add_function(wrap_pyfunction!(find_blocks, module)?)?;
    module.add_class::<Block>()?;
    Ok(())
}
