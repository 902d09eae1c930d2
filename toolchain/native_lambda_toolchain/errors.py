"""The one error shape of the toolchain: what went wrong, what to do, and the exit code.

Commands raise :class:`ToolchainError` (or a subclass) and never print errors themselves;
``cli.main`` renders it once, in one format, without a traceback. Every message says *which*
file, package, library or symbol is at fault, and the hint says *what to do*.
"""

from __future__ import annotations

import sys
from typing import Optional, TextIO


class ToolchainError(Exception):
    """A user-fixable failure; ``str(err)`` is the message plus the hint."""

    exit_code = 1

    def __init__(
        self, message: str, *, hint: Optional[str] = None, exit_code: Optional[int] = None
    ) -> None:
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(message if not hint else f"{message}\n  -> {hint}")


class BuildError(ToolchainError):
    """A build cannot produce correct artifacts (exit 1, on the host and in the container)."""


def render_error(exc: ToolchainError, stream: Optional[TextIO] = None) -> None:
    """The one format a toolchain error is printed in: ``native-lambda: error: <message>``,
    then the hint. Used by ``cli.main`` and by the build core's own entry in the container."""
    out = stream or sys.stderr
    out.write(f"native-lambda: error: {exc.message}\n")
    if exc.hint:
        out.write(f"  hint: {exc.hint}\n")
