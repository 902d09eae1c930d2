"""A keep-alive HTTP/1.1 client on ``http.client``: one idle-connection pool per host,
kept at module level so that warm invocations reuse the connections of earlier ones.

Timeouts: ``connect_timeout`` for the TCP (and TLS) connect, ``read_timeout`` for each
socket read after it. A pooled connection the server closed while idle is replaced once,
transparently; any other failure is a :class:`TransportError` that says whether the
request may have reached the service.
"""

from __future__ import annotations

import http.client
import socket

from ._result import TransportError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

_IDLE: Dict[Tuple[str, str], List[http.client.HTTPConnection]] = {}
_MAX_IDLE = 8
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class Response:
    """Status, reason, header pairs and the body (bytes, or a :class:`StreamingBody`)."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, reason: str, headers: List[Tuple[str, str]], body: Any) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body


class StreamingBody:
    """A response body read on demand (``read``, iteration in chunks, ``close``); the
    connection goes back to the pool once the body is fully read."""

    def __init__(self, response: http.client.HTTPResponse, release: Any) -> None:
        self._response = response
        self._release = release
        self._done = False

    def read(self, amt: Optional[int] = None) -> bytes:
        if self._done:
            return b""
        try:
            data = self._response.read() if amt is None else self._response.read(amt)
        except (OSError, http.client.HTTPException) as exc:
            self._finish(reuse=False)
            raise TransportError(f"reading the body failed: {exc}", sent=True) from None
        if amt is None or not data or self._response.isclosed():
            self._finish(reuse=True)
        return data

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
            self._release(reuse and not self._response.will_close)

    def __enter__(self) -> StreamingBody:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _connect(scheme: str, netloc: str, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(netloc, timeout=timeout)
    return http.client.HTTPConnection(netloc, timeout=timeout)


def send(
    scheme: str,
    netloc: str,
    method: str,
    target: str,
    headers: Dict[str, str],
    body: Any,
    *,
    connect_timeout: float = 60.0,
    read_timeout: float = 60.0,
    stream: bool = False,
) -> Response:
    """One exchange; ``stream`` leaves the body unread (a :class:`StreamingBody`)."""
    key = (scheme, netloc)
    idle = _IDLE.setdefault(key, [])
    for attempt in (0, 1):
        reused = bool(idle) and attempt == 0
        conn = idle.pop() if reused else _connect(scheme, netloc, connect_timeout)
        sent = False
        try:
            if conn.sock is None:
                conn.connect()
                # Headers and body may leave in two writes: no Nagle/delayed-ACK stall.
                sock: Any = conn.sock
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.sock.settimeout(read_timeout)
            if hasattr(body, "seek") and attempt:
                body.seek(0)
            conn.request(method, target, body=body, headers=headers)
            sent = True
            response = conn.getresponse()
        except _STALE as exc:
            conn.close()
            if reused:
                continue  # the server closed the idle connection: once more, fresh
            raise TransportError(f"{type(exc).__name__}: {exc}", sent=sent) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            timed_out = isinstance(exc, (socket.timeout, TimeoutError))
            what = "timed out" if timed_out else f"{type(exc).__name__}: {exc}"
            raise TransportError(f"{netloc}: {what}", sent=sent) from None
        pairs = response.getheaders()

        def release(reuse: bool, conn: http.client.HTTPConnection = conn) -> None:
            if reuse and len(idle) < _MAX_IDLE:
                idle.append(conn)
            else:
                conn.close()

        if stream and response.status < 300:
            return Response(
                response.status, response.reason, pairs, StreamingBody(response, release)
            )
        try:
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise TransportError(f"{netloc}: reading the answer failed: {exc}", sent=True) from None
        release(not response.will_close)
        return Response(response.status, response.reason, pairs, data)
    raise AssertionError("unreachable")


def close_all() -> None:
    """Close every pooled connection (tests; a function never needs to)."""
    for idle in _IDLE.values():
        while idle:
            idle.pop().close()
