"""The build's one progress sink: every stage reports through :func:`say`."""

from __future__ import annotations

from typing import Callable, Optional

#: Receives one progress line; None means silence.
Progress = Optional[Callable[[str], None]]


def echo(message: str) -> None:
    """Default sink: flushed at once, so a piped or logged build shows progress."""
    print(message, flush=True)


def say(progress: Progress, message: str) -> None:
    """Hand ``message`` to ``progress`` unless the build is silent."""
    if progress is not None:
        progress(message)
