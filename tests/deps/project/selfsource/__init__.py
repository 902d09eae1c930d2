"""Reads its own source file at run time, as template and plugin systems sometimes do.

Compiled, its ``__file__`` names a ``.py`` that is not there; listed under
``bytecode-packages`` it ships as source and bytecode beside the binary and works.
"""

from pathlib import Path


def describe():
    text = Path(__file__).read_text(encoding="utf-8")
    return {
        "first_line": text.splitlines()[0],
        "lines": len(text.splitlines()),
        "compiled": "__compiled__" in globals(),
    }
