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
import json
import re
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus

from ._limits import (
    DISCARD_GRACE_S,
    MAX_CHUNK_LINE_BYTES,
    MAX_DISCARD_BYTES,
    MAX_HEAD_BYTES,
    MAX_RESPONSE_BYTES,
)

_REASONS = {s.value: s.phrase for s in HTTPStatus}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_VERSION = re.compile(r"HTTP/(\d)\.(\d)\Z")
_DIGITS = re.compile(r"[0-9]{1,18}\Z")
_HEX = re.compile(rb"[0-9a-fA-F]{1,15}\Z")
# Control characters other than tab never belong in a header value (no header injection).
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

Handler = Callable[["Request"], None]
BodyLimit = Callable[[str, str], int]  # (method, path) -> largest body accepted


def default_body_limit(method: str, path: str) -> int:
    return MAX_RESPONSE_BYTES


class Request:
    """One parsed request; ``headers`` keys are lower-case.

    ``oversize`` is 0, or the body size that broke the limit (declared, or read so far for
    a chunked body); ``body`` is then empty and the connection closes after the answer.
    """

    __slots__ = ("_conn", "body", "headers", "method", "oversize", "path", "query", "version")

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


class _Reject(Exception):
    """A malformed request: answer ``status`` with ``message`` and close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class HttpConnection(asyncio.Protocol):
    """Parses requests from one connection and hands them to the handler, one at a time."""

    def __init__(self, handler: Handler, body_limit: BodyLimit = default_body_limit) -> None:
        self._handler = handler
        self._body_limit = body_limit
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
        self._discarding = False  # answered an over-limit request: drop what still comes
        self._discarded = 0
        self.closed = False

    # asyncio.Protocol -------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._transport = None

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            self._discarded += len(data)
            if self._discarded > MAX_DISCARD_BYTES:
                self._drop()
            return
        self._buf += data
        if self._current is None:
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
                body = _error_json("InternalServerError", repr(exc))
                self.respond(request, 500, body, (), "application/json")

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
        buf = self._buf
        while True:
            eol = buf.find(b"\r\n", 0, MAX_CHUNK_LINE_BYTES + 2)
            if eol < 0:
                if len(buf) > MAX_CHUNK_LINE_BYTES:
                    raise _Reject(400, "chunk-size line too long")
                return None
            digits = bytes(buf[:eol]).split(b";", 1)[0].strip(b" \t")
            if not _HEX.match(digits):
                raise _Reject(400, "bad chunk size")
            size = int(digits, 16)
            if size == 0:
                if len(buf) < eol + 4:
                    return None
                if buf[eol + 2 : eol + 4] == b"\r\n":
                    del buf[: eol + 4]
                else:  # trailers: skip up to the blank line
                    end = buf.find(b"\r\n\r\n", eol + 2, MAX_HEAD_BYTES)
                    if end < 0:
                        if len(buf) > MAX_HEAD_BYTES:
                            raise _Reject(431, "Request Header Fields Too Large")
                        return None
                    del buf[: end + 4]
                body = b"".join(self._chunks)
                self._chunks = []
                return body
            if self._chunked_size + size > self._limit:
                self._chunked_size += size
                return None  # over the limit: the caller answers without reading more
            start = eol + 2
            if len(buf) < start + size + 2:
                return None
            if buf[start + size : start + size + 2] != b"\r\n":
                raise _Reject(400, "malformed chunk")
            self._chunks.append(bytes(buf[start : start + size]))
            self._chunked_size += size
            del buf[: start + size + 2]

    def _fail(self, status: int, message: str) -> None:
        """Answer a malformed request as Go's net/http does (plain text), then close."""
        if self._transport is not None:
            body = f"{status} {_REASONS.get(status, 'Bad Request')}: {message}".encode()
            self._transport.write(
                _render(status, body, (), "text/plain; charset=utf-8", close=True)
            )
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
            if request.oversize:
                self._close_gracefully()
            else:
                transport.close()
                self.closed = True
            return
        if self._paused:
            transport.resume_reading()
            self._paused = False
        if self._buf:
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
