"""doppel: find, clean and diff duplicate text in any language and encoding.

The native core works on batches: texts cross into Rust as Arrow arrays
(read in place) or lists of ``str``, and the GIL is released while it works.

- ``Settings``: what is compared and how (picklable; the command line's
  defaults).
- ``sign`` / ``cluster``: the staged format of ``doppel sign`` and the
  clusters of ``doppel cluster``, as pyarrow tables.
- ``Deduplicator``: batches of texts in, clusters and keep/remove decisions
  out.
- ``doppel.ray`` and ``doppel.spark``: the same clusters on Ray Data and
  PySpark, when one machine is not enough.
"""

from doppel._doppel import (
    Block,
    Cluster,
    Decoded,
    Deduplication,
    Deduplicator,
    Diff,
    Index,
    Match,
    Move,
    Settings,
    __version__,
    cluster,
    decode,
    diff,
    find_blocks,
    sign,
)

__all__ = [
    "Block",
    "Cluster",
    "Decoded",
    "Deduplication",
    "Deduplicator",
    "Diff",
    "Index",
    "Match",
    "Move",
    "Settings",
    "__version__",
    "cluster",
    "decode",
    "diff",
    "find_blocks",
    "sign",
]
