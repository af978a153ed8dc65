"""The README's Python example runs as written, against the installed wheel."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def example() -> str:
    """The first Python block of the README's "Python, Ray and Spark" section."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Python, Ray and Spark") :]
    start = section.index("```python\n") + len("```python\n")
    return section[start : section.index("```", start)]


def test_the_readme_example_runs_and_prints_what_it_says() -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example(), str(README), "exec"), {})
    lines = printed.getvalue().splitlines()
    assert lines[0] == '[Cluster(["a", "c", "d"], exact=False, similarity=0.960)]'
    assert "c False exact-duplicate a" in lines
    assert "d False near-duplicate a" in lines
    assert "The quick [-brown-]{+red+} fox." in lines
