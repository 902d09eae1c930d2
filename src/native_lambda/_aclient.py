"""The Runtime API on an asyncio event loop: one keep-alive connection per concurrent slot.

Used only when ``async def`` handlers serve ``AWS_LAMBDA_MAX_CONCURRENCY`` invocations on one
loop (``_aloop``): each slot keeps its own ``/next`` long-poll in flight on its own
connection, as Lambda Managed Instances expects. Same bytes as the blocking ``_client``
(both build and read them with ``_wire``).
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from ._wire import (
    CRLF2,
    JSON,
    MAX_HEAD,
    NEXT,
    UA,
    Response,
    RuntimeApiError,
    content_length,
    error_headers,
    error_path,
    parse_head,
    request_head,
    response_path,
)


class _Dropped(Exception):
    """The peer closed an idle keep-alive connection before answering."""


class AsyncRuntimeApi:
    """``next``, ``respond`` and ``error`` over one connection of its own."""

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise RuntimeApiError(f"bad Runtime API address {address!r} (expected host:port)")
        self.address = address
        self._target = (host.strip("[]"), int(port))
        self._host = address.encode("latin-1")
        self._reader: Optional[asyncio.StreamReader] = None
        self._writer: Optional[asyncio.StreamWriter] = None

    async def next(self) -> Response:
        """Long-poll for the next invocation (no timeout: Lambda freezes us while waiting)."""
        response = await self._request(b"GET", NEXT, b"", UA)
        if response.status != 200:
            raise RuntimeApiError(
                f"GET /runtime/invocation/next answered {response.status}: "
                f"{response.body[:200].decode('utf-8', 'replace')}"
            )
        return response

    async def respond(self, request_id: str, body: bytes, content_type: bytes = JSON) -> Response:
        return await self._request(b"POST", response_path(request_id), body, UA + content_type)

    async def error(
        self, request_id: str, body: bytes, error_type: str, xray_cause: bytes = b""
    ) -> Response:
        headers = error_headers(error_type, xray_cause)
        return await self._request(b"POST", error_path(request_id), body, headers)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def _request(self, method: bytes, path: bytes, body: bytes, headers: bytes) -> Response:
        """One request; retried once on a fresh connection when the kept-alive one was found
        closed before any byte of the answer (the usual keep-alive race)."""
        head = request_head(method, path, self._host, headers, len(body))
        for attempt in (0, 1):
            try:
                if self._writer is None:
                    await self._connect()
                assert self._reader is not None and self._writer is not None
                self._writer.write(head + body if len(body) < 65536 else head)
                if len(body) >= 65536:
                    self._writer.write(body)
                await self._writer.drain()
                return await self._read(self._reader)
            except (_Dropped, ConnectionError):
                self.close()
                if attempt:
                    raise RuntimeApiError(
                        f"the Runtime API closed the connection during {path.decode()}"
                    ) from None
        raise AssertionError("unreachable")

    async def _connect(self) -> None:
        try:
            self._reader, self._writer = await asyncio.open_connection(
                *self._target, limit=MAX_HEAD + 4
            )
        except OSError as exc:
            raise RuntimeApiError(f"cannot connect to {self.address}: {exc}") from None

    async def _read(self, reader: asyncio.StreamReader) -> Response:
        try:
            head = await reader.readuntil(CRLF2)
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                raise _Dropped from None
            raise RuntimeApiError("the Runtime API closed the connection mid-response") from None
        except asyncio.LimitOverrunError:
            raise RuntimeApiError(
                f"response headers from the Runtime API exceed {MAX_HEAD // 1024} KiB"
            ) from None
        status, headers = parse_head(head[:-4])
        size = content_length(headers)
        try:
            if size is not None:
                body = await reader.readexactly(size)
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                body = await _read_chunked(reader)
            elif status in (204, 304) or 100 <= status < 200:
                body = b""
            else:
                body = await reader.read()
                self.close()
        except asyncio.IncompleteReadError:
            raise RuntimeApiError("the Runtime API closed the connection mid-body") from None
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, headers, body)


async def _read_chunked(reader: Any) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        digits = size_line[:-2].split(b";", 1)[0].strip()
        if not digits or digits.strip(b"0123456789abcdefABCDEF"):
            raise RuntimeApiError(f"malformed chunk size from the Runtime API: {size_line[:200]!r}")
        size = int(digits, 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then a blank line
                pass
            return bytes(body)
        body += (await reader.readexactly(size + 2))[:size]
