"""One parsed HTTP request, and the ways its handler answers it (at once, later, or in chunks)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._http import HttpConnection

REASONS = {s.value: s.phrase for s in HTTPStatus}


class Request:
    """One parsed request; ``headers`` keys are lower-case.

    ``oversize`` is 0, or the body size that broke the limit (declared, or read so far for
    a chunked body); ``body`` is then empty and the connection closes after the answer.
    """

    __slots__ = (
        "_conn",
        "body",
        "headers",
        "method",
        "on_chunk",
        "on_end",
        "oversize",
        "path",
        "query",
        "version",
    )

    def __init__(
        self,
        conn: HttpConnection,
        method: str,
        path: str,
        query: str,
        version: str,
        headers: dict[str, str],
        body: bytes,
        oversize: int = 0,
    ) -> None:
        self._conn = conn
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.oversize = oversize
        # A streamed body: the handler sets these; on_end(trailers, oversize) ends it.
        self.on_chunk: Callable[[bytes], None] | None = None
        self.on_end: Callable[[dict[str, str], int], None] | None = None

    @property
    def closed(self) -> bool:
        """True once the client's connection is gone (a long poll nobody waits for)."""
        return self._conn.closed

    def respond(
        self,
        status: int,
        body: bytes = b"",
        headers: Iterable[tuple[str, str]] = (),
        content_type: str | None = "application/json",
    ) -> None:
        """Send the answer; later calls for the same request are ignored."""
        self._conn.respond(self, status, body, headers, content_type)

    def start_chunked(
        self, status: int, headers: Iterable[tuple[str, str]], content_type: str
    ) -> None:
        """Begin a chunked answer: each :meth:`write` leaves at once; :meth:`end` ends it."""
        self._conn.start_chunked(self, status, headers, content_type)

    def write(self, data: bytes) -> None:
        if data:
            self._conn.write_chunk(self, b"%x\r\n%s\r\n" % (len(data), data))

    def end(self) -> None:
        self._conn.end_chunked(self)

    def when_drained(self, callback: Callable[[], None]) -> bool:
        """True while the client reads slower than the answer is written; ``callback``
        runs once it has caught up (or is gone). See ``_flow``."""
        return self._conn.when_drained(callback)

    def hold(self) -> None:
        """Stop reading this request's connection (its body waits in the socket)."""
        self._conn.hold_reading()

    def release(self) -> None:
        self._conn.release_reading()


def render(
    status: int,
    body: bytes,
    headers: Iterable[tuple[str, str]],
    content_type: str | None,
    close: bool,
) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.extend(f"{k}: {v}" for k, v in headers)
    lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    lines.append("\r\n")
    head = "\r\n".join(lines).encode("latin-1")
    return head + body if body else head


def error_json(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()
