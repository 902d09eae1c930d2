"""The one exception a build raises when the user has something to fix.

Every message says *which* file, library or symbol is at fault and *what to do*, so the CLI can
print it as-is (no traceback) and the user knows the next step.
"""

from __future__ import annotations


class BuildError(Exception):
    """A build cannot produce correct artifacts; ``str(err)`` is the user-facing message."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message}\n  -> {hint}")
