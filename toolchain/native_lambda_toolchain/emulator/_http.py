"""A small HTTP/1.1 server on ``asyncio.Protocol``: keep-alive, Content-Length, chunked bodies.

Why not ``http.server`` or asyncio streams: the emulator sits on the hot path of every
benchmark round trip (invoke → next → response), so it parses requests straight out of
the receive buffer and answers from plain callbacks, with no task per request. A handler
receives a :class:`Request` and answers it with :meth:`Request.respond` — at once or later
(long polls such as ``/next``); requests pipelined behind an unanswered one wait, so
answers always leave in order.

The parser is as strict as Go's net/http (which AWS's emulator uses): a malformed request
line, header or Content-Length is answered with 400 and the connection is closed. Sizes are
limited while reading (see ``_limits``): a body over its limit is never buffered; the
handler gets the request with ``oversize`` set, answers with Lambda's error, and the
connection is closed after the answer.
"""

from __future__ import annotations

import asyncio
import re
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus

from ._chunked import ChunkError, ChunkReader
from ._flow import FlowControl
from ._limits import (
    DISCARD_GRACE_S,
    MAX_DISCARD_BYTES,
    MAX_HEAD_BYTES,
    MAX_RESPONSE_BYTES,
)
from ._request import Request, error_json, render

_REASONS = {s.value: s.phrase for s in HTTPStatus}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_VERSION = re.compile(r"HTTP/(\d)\.(\d)\Z")
_DIGITS = re.compile(r"[0-9]{1,18}\Z")
# Control characters other than tab never belong in a header value (no header injection).
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

Handler = Callable[["Request"], None]
BodyLimit = Callable[[str, str], int]  # (method, path) -> largest body accepted
#: (method, path, headers) -> the limit of a body handed over chunk by chunk, or 0 to buffer it
StreamedBody = Callable[[str, str, "dict[str, str]"], int]


def no_streamed_bodies(method: str, path: str, headers: dict[str, str]) -> int:
    return 0


def default_body_limit(method: str, path: str) -> int:
    return MAX_RESPONSE_BYTES


class _Reject(Exception):
    """A malformed request: answer ``status`` with ``message`` and close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class HttpConnection(FlowControl, asyncio.Protocol):
    """Parses requests from one connection and hands them to the handler, one at a time."""

    def __init__(
        self,
        handler: Handler,
        body_limit: BodyLimit = default_body_limit,
        streamed_body: StreamedBody = no_streamed_bodies,
    ) -> None:
        self._handler = handler
        self._body_limit = body_limit
        self._streamed_body = streamed_body
        self._reader: ChunkReader | None = None  # reading a streamed body
        self._buffered: ChunkReader | None = None  # reading a buffered chunked body
        self._streamed: Request | None = None
        self._chunked_out: Request | None = None  # answering with a chunked body
        self._buf = bytearray()
        self._transport: asyncio.Transport | None = None
        self._current: Request | None = None  # handed to the handler, not yet answered
        self._head: tuple[str, str, str, str, dict[str, str]] | None = None
        self._body_len = -1  # Content-Length of the request being read; -2 = chunked
        self._limit = MAX_RESPONSE_BYTES  # body limit of the request being read
        self._chunks: list[bytes] = []
        self._chunked_size = 0
        self._close_after = False
        self._paused = False
        self._drained: list[Callable[[], None]] = []  # FlowControl.when_drained's callbacks
        self._discarding = False  # answered an over-limit request: drop what still comes
        self._discarded = 0
        self.closed = False

    # asyncio.Protocol -------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._transport = None
        self._wake()  # a runtime held back for this caller goes on (into the void)

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            self._discarded += len(data)
            if self._discarded > MAX_DISCARD_BYTES:
                self._drop()
            return
        self._buf += data
        if self._reader is not None:
            self._pump_streamed()
        elif self._current is None:
            self._parse()
        elif len(self._buf) > MAX_HEAD_BYTES and self._transport is not None:
            # Bytes behind an unanswered request (a long poll): stop reading until it is
            # answered, so a client cannot grow our buffer while it waits.
            self._transport.pause_reading()
            self._paused = True

    # parsing ---------------------------------------------------------------------
    def _parse(self) -> None:
        try:
            self._parse_requests()
        except _Reject as exc:
            self._fail(exc.status, str(exc))

    def _parse_requests(self) -> None:
        buf = self._buf
        while self._current is None and not self.closed and not self._discarding:
            if self._head is None:
                end = buf.find(b"\r\n\r\n", 0, MAX_HEAD_BYTES + 4)
                if end < 0:
                    if len(buf) > MAX_HEAD_BYTES:
                        raise _Reject(431, "Request Header Fields Too Large")
                    return
                self._read_head(bytes(buf[:end]))
                del buf[: end + 4]
                if self._body_len == -2 and self._start_streamed():
                    return
            oversize = 0
            if self._body_len > self._limit:
                oversize = self._body_len
                body = b""
            elif self._body_len >= 0:
                if len(buf) < self._body_len:
                    return
                body = bytes(buf[: self._body_len])
                del buf[: self._body_len]
            else:
                chunked = self._read_chunks()
                if chunked is None:
                    if self._chunked_size <= self._limit:
                        return
                    oversize = self._chunked_size
                    body = b""
                else:
                    body = chunked
            method, path, query, version, headers = self._head  # type: ignore[misc]
            self._head = None
            if oversize:
                self._chunks = []
                self._close_after = True
                self._discarding = True
                self._discarded = len(buf)
                buf.clear()
            request = Request(self, method, path, query, version, headers, body, oversize)
            self._current = request
            try:
                self._handler(request)
            except Exception as exc:  # a handler bug must not hang the client or the loop
                traceback.print_exc()
                body = error_json("InternalServerError", repr(exc))
                self.respond(request, 500, body, (), "application/json")

    def _start_streamed(self) -> bool:
        """Hand a chunked body the handler wants as it comes to the handler at once."""
        method, path, query, version, headers = self._head  # type: ignore[misc]
        limit = self._streamed_body(method, path, headers)
        if not limit:
            return False
        self._head = None
        request = Request(self, method, path, query, version, headers, b"")
        self._current = self._streamed = request
        self._reader = ChunkReader(limit)
        self._handler(request)
        self._pump_streamed()
        return True

    def _pump_streamed(self) -> None:
        reader, request = self._reader, self._streamed
        assert reader is not None and request is not None
        try:
            chunks = reader.read(self._buf)
        except ChunkError as exc:
            self._reader = self._streamed = None
            if request.on_end is not None:
                request.on_end({}, -1)
            self._current = None
            self._fail(exc.status, str(exc))
            return
        for chunk in chunks:
            if request.on_chunk is not None:
                request.on_chunk(chunk)
        if reader.oversize:
            self._reader = self._streamed = None
            self._close_after = self._discarding = True
            self._discarded = len(self._buf)
            self._buf.clear()
            request.oversize = reader.size
            if request.on_end is not None:
                request.on_end({}, reader.size)
        elif reader.trailers is not None:
            self._reader = self._streamed = None
            if request.on_end is not None:
                request.on_end(reader.trailers, 0)

    def _read_head(self, head: bytes) -> None:
        text = head.decode("latin-1")
        unframed = text.replace("\r\n", "")
        if "\r" in unframed or "\n" in unframed:
            raise _Reject(400, "bare CR or LF in the request head")
        lines = text.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not _TOKEN.match(parts[0]) or not parts[1]:
            raise _Reject(400, "malformed request line")
        method, target, version = parts
        match = _VERSION.match(version)
        if match is None:
            raise _Reject(400, "malformed HTTP version")
        if match.group(1) != "1":
            raise _Reject(505, "unsupported protocol version")
        headers: dict[str, str] = {}
        for field in lines[1:]:
            name, sep, value = field.partition(":")
            if not sep or not _TOKEN.match(name):
                raise _Reject(400, "invalid header name")
            value = value.strip(" \t")
            if _BAD_VALUE.search(value):
                raise _Reject(400, "invalid header value")
            key = name.lower()
            if key in headers:
                if key == "content-length":
                    if headers[key] != value:
                        raise _Reject(400, "conflicting Content-Length headers")
                    continue
                headers[key] += ", " + value
            else:
                headers[key] = value
        path, _, query = target.partition("?")
        self._limit = self._body_limit(method, path)
        encoding = headers.get("transfer-encoding")
        if encoding is not None:
            if encoding.lower() != "chunked":
                raise _Reject(501, "unsupported transfer encoding")
            self._body_len = -2
            self._chunks = []
            self._chunked_size = 0
            self._buffered = ChunkReader(self._limit)
        else:
            raw = headers.get("content-length", "0")
            if not _DIGITS.match(raw):  # Go's ParseUint: no sign, no "_", no spaces inside
                raise _Reject(400, f"bad Content-Length {raw!r}")
            self._body_len = int(raw)
        connection = headers.get("connection", "").lower()
        self._close_after = connection == "close" or (
            version == "HTTP/1.0" and connection != "keep-alive"
        )
        expects = headers.get("expect", "").lower() == "100-continue"
        if expects and self._transport and self._body_len <= self._limit:
            self._transport.write(_CONTINUE)
        self._head = (method, path, query, version, headers)

    def _read_chunks(self) -> bytes | None:
        """Consume complete chunks from the buffer; the body once the last chunk is in."""
        reader = self._buffered
        assert reader is not None
        try:
            self._chunks += reader.read(self._buf)
        except ChunkError as exc:
            raise _Reject(exc.status, str(exc)) from None
        self._chunked_size = reader.size
        if reader.oversize or reader.trailers is None:
            return None
        body = b"".join(self._chunks)
        self._chunks = []
        return body

    def _fail(self, status: int, message: str) -> None:
        """Answer a malformed request as Go's net/http does (plain text), then close."""
        if self._transport is not None:
            body = f"{status} {_REASONS.get(status, 'Bad Request')}: {message}".encode()
            self._transport.write(render(status, body, (), "text/plain; charset=utf-8", close=True))
        self._buf.clear()
        self._close_gracefully()

    def _close_gracefully(self) -> None:
        """Half-close after the answer, drop what the client still sends, then close.

        Closing with unread bytes makes the kernel send a reset, which can destroy the
        answer before the client reads it; a grace period lets it arrive.
        """
        self._discarding = True
        self.closed = True
        transport = self._transport
        if transport is None:
            return
        if self._paused:
            transport.resume_reading()
            self._paused = False
        if transport.can_write_eof():
            transport.write_eof()
            asyncio.get_running_loop().call_later(DISCARD_GRACE_S, self._drop)
        else:
            transport.close()

    def close(self) -> None:
        """Close after what is already written (a SHUTDOWN event) has been sent."""
        if self._transport is not None:
            self._transport.close()

    def _drop(self) -> None:
        if self._transport is not None:
            self._transport.close()

    # answering -------------------------------------------------------------------
    def start_chunked(
        self,
        request: Request,
        status: int,
        headers: Iterable[tuple[str, str]],
        content_type: str,
    ) -> None:
        if request is not self._current or self._transport is None:
            return
        self._chunked_out = request
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}"]
        lines.append(f"Content-Type: {content_type}")
        lines.extend(f"{k}: {v}" for k, v in headers)
        lines.append("Transfer-Encoding: chunked\r\n\r\n")
        self._transport.write("\r\n".join(lines).encode("latin-1"))

    def write_chunk(self, request: Request, data: bytes) -> None:
        if request is self._chunked_out and self._transport is not None:
            self._transport.write(data)

    def end_chunked(self, request: Request) -> None:
        if request is not self._chunked_out:
            return
        self._chunked_out = None
        if self._transport is not None:
            self._transport.write(b"0\r\n\r\n")
        self._current = None
        if self._transport is None:
            return
        if self._close_after:
            self._transport.close()
            self.closed = True
            return
        if self._buf:
            self._parse()

    def respond(
        self,
        request: Request,
        status: int,
        body: bytes,
        headers: Iterable[tuple[str, str]],
        content_type: str | None,
    ) -> None:
        if request is not self._current or request is self._chunked_out:
            return
        self._current = None
        transport = self._transport
        if transport is None:
            return
        close = self._close_after
        transport.write(render(status, body, headers, content_type, close))
        if close:
            if request.oversize:
                self._close_gracefully()
            else:
                transport.close()
                self.closed = True
            return
        if self._paused:
            if not self._held:
                transport.resume_reading()
            self._paused = False
        if self._buf:
            self._parse()
