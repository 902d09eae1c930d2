"""A response body read on demand, framed by Content-Length, chunked encoding or the
connection's end; the connection goes back to its pool once the body is fully read."""

from __future__ import annotations

import _socket

from ._result import TransportError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional


class StreamingBody:
    """A response body read on demand (``read``, iteration in chunks, ``close``); the
    connection goes back to the pool once the body is fully read."""

    def __init__(self, conn: Any, framing: str, length: int, release: Any) -> None:
        self._conn = conn
        self._framing = framing  # "length", "chunked" or "close"
        self._left = length  # bytes left of the body ("length") or of the chunk ("chunked")
        self._release = release
        self._done = framing == "length" and length == 0
        if self._done:
            release(True)

    def read(self, amt: Optional[int] = None) -> bytes:
        if self._done:
            return b""
        try:
            if amt is None:
                out = []
                while not self._done:
                    out.append(self._next(1 << 20))
                return b"".join(out)
            data = b""
            while not data and not self._done:
                data = self._next(amt)
            return data
        except OSError as exc:
            self._finish(reuse=False)
            if isinstance(exc, TransportError):
                raise
            raise TransportError(f"reading the body failed: {_what(exc)}", sent=True) from None

    def _take(self, limit: int) -> bytes:
        """Up to ``limit`` bytes: buffered ones first, else one ``recv``."""
        conn = self._conn
        if not conn.buf:
            conn.buf = conn.recv() if self._framing == "close" else conn.more()
        data, conn.buf = conn.buf[:limit], conn.buf[limit:]
        return data

    def _next(self, amt: int) -> bytes:
        framing = self._framing
        if framing == "close":
            data = self._take(amt)
            if not data:
                self._finish(reuse=False)
            return data
        if framing == "chunked" and self._left == 0:
            self._left = self._chunk_size()
            if self._left == 0:
                self._finish(reuse=True)
                return b""
        data = self._take(min(amt, self._left))
        self._left -= len(data)
        if self._left == 0:
            if framing == "length":
                self._finish(reuse=True)
            else:
                self._line()  # the CRLF after the chunk's data
        return data

    def _line(self) -> bytes:
        conn = self._conn
        while b"\r\n" not in conn.buf:
            if len(conn.buf) > 4096:
                raise TransportError("malformed chunked body", sent=True)
            conn.buf += conn.more()
        line, _, conn.buf = conn.buf.partition(b"\r\n")
        return line

    def _chunk_size(self) -> int:
        digits = self._line().split(b";", 1)[0].strip()
        try:
            size = int(digits, 16)
        except ValueError:
            raise TransportError(f"malformed chunk size {digits[:40]!r}", sent=True) from None
        if size == 0:
            while self._line():  # trailers end with an empty line
                pass
        return size

    def iter_chunks(self, size: int = 65536) -> Any:
        while True:
            chunk = self.read(size)
            if not chunk:
                return
            yield chunk

    __iter__ = iter_chunks

    def close(self) -> None:
        self._finish(reuse=False)

    def _finish(self, reuse: bool) -> None:
        if not self._done:
            self._done = True
            self._release(reuse)

    def __enter__(self) -> StreamingBody:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _what(exc: BaseException) -> str:
    if isinstance(exc, (_socket.timeout, TimeoutError)):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"
