"""Echoing the runtime's output to our stdout."""

from __future__ import annotations

import re
import sys
from typing import Any

_BARE_CR = re.compile(rb"\r(?!\n)")


def default_echo(data: bytes) -> None:
    """Echo to our stdout as raw bytes (text only when stdout has no buffer).

    Lambda's text-mode error lines separate traceback lines with ``\\r`` (one CloudWatch
    event per error); on a terminal a bare ``\\r`` would overwrite the error type with the
    traceback, so there it becomes a newline and an indent.
    """
    out = sys.stdout
    if b"\r" in data and _isatty(out):
        data = _BARE_CR.sub(b"\n  ", data)
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode("utf-8", "replace"))
        out.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
