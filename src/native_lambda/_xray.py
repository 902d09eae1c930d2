"""The X-Ray error cause sent with an invocation error.

``Lambda-Runtime-Function-XRay-Error-Cause`` is read by Lambda into the function's trace
segment, so the trace shows the exception, its frames and the files they are in.
The shape is awslambdaric's: ``{"working_directory",
"exceptions": [{"message", "type", "stack": [{"label", "path", "line"}]}], "paths"}``.

It travels as an HTTP header, so it is kept to one ASCII line of at most
:data:`CAUSE_LIMIT` bytes: a long message is cut, then the outermost frames are dropped
(the innermost, where the error was raised, are kept). Loaded only when an invocation fails.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import msgspec.json

#: Header value size cap. awslambdaric drops causes of 1 MiB or more; a header that large is
#: refused by common HTTP servers (64 KiB line limits), so we cap well below and trim instead.
CAUSE_LIMIT = 32 * 1024
_MESSAGE_LIMIT = 1024


def cause(error_type: str, message: str, frames: Sequence[Any]) -> bytes:
    """The header value for ``frames`` (``traceback.FrameSummary``s, outermost first);
    empty when even a frameless cause does not fit."""
    cwd = _cwd()
    value = _encode(cwd, error_type, message, frames)
    if len(value) <= CAUSE_LIMIT:
        return value
    if len(message) > _MESSAGE_LIMIT:
        message = message[:_MESSAGE_LIMIT] + "..."
    kept = list(frames)
    while True:
        value = _encode(cwd, error_type, message, kept)
        if len(value) <= CAUSE_LIMIT:
            return value
        if not kept:
            return b""
        kept = kept[(len(kept) + 1) // 2 :]


def _encode(cwd: str, error_type: str, message: str, frames: Sequence[Any]) -> bytes:
    stack = [{"label": f.name, "path": f.filename, "line": f.lineno} for f in frames]
    document = {
        "working_directory": cwd,
        "exceptions": [{"message": message, "type": error_type, "stack": stack}],
        "paths": list(dict.fromkeys(f.filename for f in frames)),
    }
    return _ascii(msgspec.json.encode(document))


def _ascii(data: bytes) -> bytes:
    """JSON with every non-ASCII character as a ``\\uXXXX`` escape: header values are bytes
    in latin-1 at best, and msgspec writes UTF-8. Control characters are already escaped."""
    if data.isascii():
        return data
    out = []
    for char in data.decode("utf-8"):
        code = ord(char)
        if code < 0x80:
            out.append(char)
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            high, low = 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)
            out.append(f"\\u{high:04x}\\u{low:04x}")
    return "".join(out).encode("ascii")


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # the working directory was removed
        return ""
