"""Type stubs of ``doppel._doppel``, the native module.

Texts come in as a pyarrow ``Array`` or ``ChunkedArray`` of strings
(``string``, ``large_string`` or ``string_view``; read in place) or any
sequence of ``str``; a null or a value that is not a string raises an
exception naming its row. Offsets handed back are character offsets:
``text[start:end]`` is the piece named.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence
from typing import Any, Literal, final

import pyarrow as pa

__all__ = [
    "__version__",
    "Settings",
    "_settings_from_dict",
    "sign",
    "cluster",
    "Cluster",
    "Deduplicator",
    "Deduplication",
    "sketches",
    "bucket_pairs",
    "verify_pairs",
    "resolve",
    "decode",
    "Decoded",
    "diff",
    "Diff",
    "Move",
    "find_blocks",
    "Block",
    "Index",
    "Match",
]

__version__: str

#: What a batch of texts may be.
_Texts = pa.Array | pa.ChunkedArray | Sequence[str]
#: Ids of a batch: ``str`` or ``int`` per text, any sequence or Arrow array.
_Ids = pa.Array | pa.ChunkedArray | Sequence[str | int]
_Path = str | os.PathLike[str]
_Granularity = Literal["auto", "paragraph", "line", "sentence"]

# ------------------------------------------------------------ settings

@final
class Settings:
    """How doppel segments, shingles and compares texts (the command line's
    defaults); every value is checked, a bad one raises ``ValueError``
    naming it. Picklable."""

    def __new__(
        cls,
        *,
        granularity: _Granularity | str = "auto",
        threshold: float = 0.65,
        min_units: int = 10,
        shingle: str = "chars:5",
    ) -> Settings: ...
    @property
    def granularity(self) -> str: ...
    @property
    def threshold(self) -> float: ...
    @property
    def min_units(self) -> int: ...
    @property
    def shingle(self) -> str:
        """The shingling in full: ``"spaced=chars:5,cjk=chars:5"``."""
    def as_dict(self) -> dict[str, Any]:
        """The settings as keyword arguments: ``Settings(**s.as_dict()) == s``."""
    def sketch_params(self) -> str:
        """The ``doppel.sketch_params`` JSON that signature tables carry."""
    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

def _settings_from_dict(kwargs: dict[str, Any]) -> Settings:
    """``Settings(**kwargs)``, for unpickling."""

# -------------------------------------------------------------- corpus

def sign(
    texts: _Texts,
    ids: _Ids | None = None,
    *,
    settings: Settings | None = None,
    source: str = "<memory>",
    first_row: int = 0,
) -> pa.Table:
    """One row per text in the staged format of ``doppel sign`` (schema
    metadata carries the settings); rows numbered from ``first_row``, ids
    the row numbers unless given."""

def cluster(tables: Sequence[pa.Table | _Path]) -> list[Cluster]:
    """The clusters of signature tables and files, in the order given, as
    ``doppel cluster`` finds them. ``ValueError`` names a bad table
    (``table 2``), ``OSError`` or ``ValueError`` a bad file."""

@final
class Cluster:
    """A group of duplicate documents."""

    @property
    def ids(self) -> list[str | None]: ...
    @property
    def rows(self) -> list[int | None]: ...
    @property
    def sources(self) -> list[str | None]: ...
    @property
    def exact(self) -> bool: ...
    @property
    def similarity(self) -> float:
        """Lowest verified similarity between two members (1.0 when exact)."""
    def __len__(self) -> int: ...

@final
class Deduplicator:
    """Batches of texts in; clusters and keep/remove decisions out, the
    same whatever the batch sizes."""

    def __new__(cls, settings: Settings | None = None) -> Deduplicator: ...
    def add(self, texts: _Texts, ids: _Ids | None = None) -> None:
        """Scans a batch; ``ValueError`` once finished."""
    @property
    def documents(self) -> int: ...
    @property
    def settings(self) -> Settings: ...
    def finish(self) -> Deduplication:
        """Verifies candidates; the deduplicator takes no more texts."""

@final
class Deduplication:
    """What a ``Deduplicator`` decided."""

    @property
    def clusters(self) -> list[Cluster]: ...
    @property
    def removed(self) -> int:
        """How many documents are removed (rows of ``decisions`` not kept)."""
    @property
    def decisions(self) -> pa.Table:
        """``id``, ``row``, ``keep``, ``reason``, ``duplicate_of``,
        ``cluster``, ``similarity``: one row per document. The decisions of
        ``doppel clean --keep first``: no two kept documents are
        duplicates; a removed one names in ``duplicate_of`` the kept
        document it is most similar to, with their ``similarity``."""

# ------------------------------------------------------------- engines

def sketches(texts: _Texts, *, settings: Settings | None = None) -> pa.RecordBatch:
    """Map step: ``exact`` (int64), ``units`` (int64), ``buckets``
    (list<int64>), ``shingles`` (list<int32>, sorted as unsigned)."""

def bucket_pairs(members: pa.Array | pa.ChunkedArray) -> pa.RecordBatch:
    """Pairs step: each bucket's (list<int64>) candidate pairs ``a`` < ``b``."""

def verify_pairs(
    a_sets: pa.Array | pa.ChunkedArray,
    b_sets: pa.Array | pa.ChunkedArray,
    threshold: float,
) -> pa.Array:
    """Verification step: a float64 similarity per pair of shingle sets."""

def resolve(
    threshold: float,
    twins: pa.Table | pa.RecordBatch,
    pairs: pa.Table | pa.RecordBatch,
    sets: pa.Table | pa.RecordBatch,
) -> pa.RecordBatch:
    """Resolution step: ``doc``, ``cluster`` (null outside clusters),
    ``keep``, ``exact``, ``similarity`` and ``duplicate_of`` (null for kept
    documents), one row per document in a cluster or removed."""

# ---------------------------------------------------------------- text

def decode(data: bytes | bytearray, encoding: str | None = None) -> Decoded:
    """Bytes to text, the encoding detected as the command line does (or
    forced by a WHATWG label); ``ValueError`` for an unknown label, binary
    data, or undecodable bytes."""

@final
class Decoded:
    """Bytes decoded to text, and how."""

    @property
    def text(self) -> str: ...
    @property
    def encoding(self) -> str:
        """WHATWG name of the encoding used."""
    @property
    def detection(self) -> Literal["forced", "bom", "valid-utf8", "utf16-pattern", "guessed"]: ...
    @property
    def bom(self) -> bool: ...
    @property
    def malformed(self) -> int:
        """Malformed sequences, each replaced by U+FFFD."""

_Op = tuple[Literal["equal", "delete", "insert", "replace"], int, int, int, int]

def diff(
    old: str,
    new: str,
    *,
    by: Literal["auto", "line", "word", "char"] = "auto",
    format: Literal["unified", "word", "side-by-side", "stat", "json"] = "unified",
    algorithm: Literal["myers", "patience", "histogram"] = "myers",
    ignore_whitespace: bool = False,
    ignore_case: bool = False,
    normalize: bool = False,
    moves: bool = True,
    context: int = 3,
    width: int = 120,
    deadline: float | None = 5.0,
    old_name: str = "old",
    new_name: str = "new",
) -> Diff:
    """Two versions compared as ``doppel diff`` compares them; a bad choice
    raises ``ValueError`` listing the accepted ones."""

@final
class Diff:
    """Two versions of a text compared."""

    @property
    def ops(self) -> list[_Op]:
        """``(tag, old_start, old_end, new_start, new_end)`` in characters,
        covering both texts in order."""
    @property
    def moves(self) -> list[Move]: ...
    @property
    def is_equal(self) -> bool: ...
    @property
    def similarity(self) -> float: ...
    @property
    def approximate(self) -> bool: ...
    @property
    def text(self) -> str:
        """The diff in the format asked for, without colour."""
    @property
    def format(self) -> str: ...
    def apply(self) -> str:
        """The new text rebuilt from the old one and ``ops``."""
    def __bool__(self) -> bool:
        """True when the texts differ."""

@final
class Move:
    """A block deleted in one place and inserted in another."""

    @property
    def old(self) -> tuple[int, int]: ...
    @property
    def new(self) -> tuple[int, int]: ...
    @property
    def similarity(self) -> float: ...

def find_blocks(texts: _Texts, *, settings: Settings | None = None) -> list[list[Block]]:
    """Per text, the regions it repeats inside itself."""

@final
class Block:
    """A region that occurs two or more times in one text."""

    @property
    def copies(self) -> list[tuple[int, int]]:
        """Each occurrence as ``(start, end)`` characters."""
    @property
    def byte_copies(self) -> list[tuple[int, int]]:
        """Each occurrence as byte offsets into the UTF-8 text."""
    @property
    def lines(self) -> list[tuple[int, int]]:
        """Each occurrence as ``(first, last)`` lines, from 1, inclusive."""
    @property
    def segments(self) -> int: ...
    @property
    def exact(self) -> bool: ...
    @property
    def similarity(self) -> float: ...
    @property
    def differing(
        self,
    ) -> list[tuple[int, tuple[int, int] | None, tuple[int, int] | None, float]]:
        """``(copy, first, other, similarity)`` where a copy departs from the first."""
    def __len__(self) -> int: ...

# --------------------------------------------------------------- index

@final
class Index:
    """A persistent index of stored documents (the command line's format)."""

    @staticmethod
    def create(path: _Path, settings: Settings | None = None) -> Index:
        """Makes a new index in an empty or missing folder."""
    @staticmethod
    def open(path: _Path, settings: Settings | None = None) -> Index:
        """Opens an index; with ``settings``, refused unless they match it."""
    def add(self, texts: _Texts, ids: _Ids | None = None, *, source: str = "<memory>") -> int:
        """Stores a batch as one new segment; gives the number added."""
    def query(self, texts: _Texts) -> list[Match | None]:
        """Per text, the stored document it duplicates."""
    def verify(self) -> None:
        """Checks every segment against its checksum."""
    @property
    def documents(self) -> int: ...
    @property
    def segments(self) -> int: ...
    @property
    def path(self) -> pathlib.Path: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def params(self) -> dict[str, Any]: ...
    @property
    def leftovers(self) -> list[str]: ...
    def __len__(self) -> int: ...

@final
class Match:
    """The stored document a new text duplicates."""

    @property
    def exact(self) -> bool: ...
    @property
    def similarity(self) -> float: ...
    @property
    def id(self) -> str | None: ...
    @property
    def row(self) -> int | None: ...
    @property
    def source(self) -> str: ...
