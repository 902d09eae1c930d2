"""A small HTTP/1.1 server on ``asyncio.Protocol``: keep-alive, Content-Length, chunked bodies.

Why not ``http.server`` or asyncio streams: the emulator sits on the hot path of every
benchmark round trip (invoke → next → response), so it parses requests straight out of
the receive buffer and answers from plain callbacks, with no task per request. A handler
receives a :class:`Request` and answers it with :meth:`Request.respond` — at once or later
(long polls such as ``/next``); requests pipelined behind an unanswered one wait, so
answers always leave in order.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus

MAX_HEAD_BYTES = 64 * 1024

_REASONS = {s.value: s.phrase for s in HTTPStatus}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

Handler = Callable[["Request"], None]


class Request:
    """One parsed request; ``headers`` keys are lower-case."""

    __slots__ = ("_conn", "body", "headers", "method", "path", "query", "version")

    def __init__(
        self,
        conn: HttpConnection,
        method: str,
        path: str,
        query: str,
        version: str,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        self._conn = conn
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body

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


class HttpConnection(asyncio.Protocol):
    """Parses requests from one connection and hands them to the handler, one at a time."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._buf = bytearray()
        self._transport: asyncio.Transport | None = None
        self._current: Request | None = None  # handed to the handler, not yet answered
        self._head: tuple[str, str, str, str, dict[str, str]] | None = None
        self._body_len = -1  # Content-Length of the request being read; -2 = chunked
        self._chunks: list[bytes] = []
        self._close_after = False
        self.closed = False

    # asyncio.Protocol -------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buf += data
        if self._current is None:
            self._parse()

    # parsing ---------------------------------------------------------------------
    def _parse(self) -> None:
        buf = self._buf
        while self._current is None and not self.closed:
            if self._head is None:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > MAX_HEAD_BYTES:
                        self._fail(431, "Request header fields too large")
                    return
                if not self._read_head(bytes(buf[:end])):
                    return
                del buf[: end + 4]
            if self._body_len >= 0:
                if len(buf) < self._body_len:
                    return
                body = bytes(buf[: self._body_len])
                del buf[: self._body_len]
            else:
                chunked = self._read_chunks()
                if chunked is None:
                    return
                body = chunked
            method, path, query, version, headers = self._head  # type: ignore[misc]
            self._head = None
            request = Request(self, method, path, query, version, headers, body)
            self._current = request
            try:
                self._handler(request)
            except Exception as exc:  # a handler bug must not hang the client or the loop
                traceback.print_exc()
                body = _error_json("InternalServerError", repr(exc))
                self.respond(request, 500, body, (), "application/json")

    def _read_head(self, head: bytes) -> bool:
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            self._fail(400, "Malformed request line")
            return False
        headers: dict[str, str] = {}
        for field in lines[1:]:
            name, sep, value = field.partition(":")
            if not sep:
                self._fail(400, "Malformed header line")
                return False
            key = name.lower()
            if key in headers:
                headers[key] += ", " + value.strip()
            else:
                headers[key] = value.strip()
        path, _, query = target.partition("?")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._body_len = -2
            self._chunks = []
        else:
            try:
                self._body_len = int(headers.get("content-length", "0"))
            except ValueError:
                self._fail(400, "Bad Content-Length")
                return False
        connection = headers.get("connection", "").lower()
        self._close_after = connection == "close" or (
            version == "HTTP/1.0" and connection != "keep-alive"
        )
        if headers.get("expect", "").lower() == "100-continue" and self._transport:
            self._transport.write(_CONTINUE)
        self._head = (method, path, query, version, headers)
        return True

    def _read_chunks(self) -> bytes | None:
        """Consume complete chunks from the buffer; the body once the last chunk is in."""
        buf = self._buf
        while True:
            eol = buf.find(b"\r\n")
            if eol < 0:
                return None
            try:
                size = int(bytes(buf[:eol]).split(b";", 1)[0], 16)
            except ValueError:
                self._fail(400, "Bad chunk size")
                return None
            if size == 0:
                if len(buf) < eol + 4:
                    return None
                if buf[eol + 2 : eol + 4] == b"\r\n":
                    del buf[: eol + 4]
                else:  # trailers: skip up to the blank line
                    end = buf.find(b"\r\n\r\n", eol + 2)
                    if end < 0:
                        return None
                    del buf[: end + 4]
                body = b"".join(self._chunks)
                self._chunks = []
                return body
            start = eol + 2
            if len(buf) < start + size + 2:
                return None
            self._chunks.append(bytes(buf[start : start + size]))
            del buf[: start + size + 2]

    def _fail(self, status: int, message: str) -> None:
        if self._transport is not None:
            body = _error_json("BadRequest", message)
            self._transport.write(_render(status, body, (), "application/json", close=True))
            self._transport.close()
        self.closed = True

    # answering -------------------------------------------------------------------
    def respond(
        self,
        request: Request,
        status: int,
        body: bytes,
        headers: Iterable[tuple[str, str]],
        content_type: str | None,
    ) -> None:
        if request is not self._current:
            return
        self._current = None
        transport = self._transport
        if transport is None:
            return
        close = self._close_after
        transport.write(_render(status, body, headers, content_type, close))
        if close:
            transport.close()
            self.closed = True
        elif self._buf:
            self._parse()


def _render(
    status: int,
    body: bytes,
    headers: Iterable[tuple[str, str]],
    content_type: str | None,
    close: bool,
) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.extend(f"{k}: {v}" for k, v in headers)
    lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    lines.append("\r\n")
    head = "\r\n".join(lines).encode("latin-1")
    return head + body if body else head


def _error_json(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()
