"""How a function's log lines are shown on a terminal.

Lambda's text-format error lines join a traceback's lines with ``\r`` so CloudWatch keeps
them as one record. Printed raw to a terminal, each ``\r`` returns to column 0 and the next
line overwrites the error type; on a terminal each becomes a new, indented line instead.
Pipes and files get the bytes unchanged.
"""

from __future__ import annotations

from typing import TextIO

INDENT = "    "


def expand_carriage_returns(text: str, indent: str = INDENT) -> str:
    """Each lone ``\r`` becomes a newline plus ``indent``; ``\r\n`` stays one line end."""
    return text.replace("\r\n", "\n").replace("\r", "\n" + indent)


def for_stream(text: str, stream: TextIO) -> str:
    """``text`` as it should be written to ``stream``: expanded on a TTY, unchanged otherwise."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        tty = False
    return expand_carriage_returns(text) if tty else text
