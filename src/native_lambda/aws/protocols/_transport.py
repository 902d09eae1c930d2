"""A keep-alive HTTP/1.1 client on raw sockets: one idle-connection pool per host, kept at
module level so that warm invocations reuse the connections of earlier ones.

Why not ``http.client``: it imports ``email.parser``, ``ssl`` and ``socket.py`` (about
20 ms under CPython), which is most of a client's import cost. AWS endpoints speak plain
HTTP/1.1, so a blocking socket, one ``sendall`` per small request and a hand-written
response reader are enough. ``ssl`` (and ``socket.py``, which it needs) is imported only
when the first ``https`` connection is opened.

An HTTP proxy (``proxy``, host:port) gets plain requests in absolute form and a
``CONNECT`` tunnel for TLS ones.

Timeouts: ``connect_timeout`` for the TCP (and TLS) connect, ``read_timeout`` for each
socket read and write after it. An idle pooled connection the server closed is noticed
before it is used, and a send that fails on a reused connection is repeated once on a
fresh one (nothing was answered). Any other failure is a :class:`TransportError` that says
whether the request may have reached the service.
"""

from __future__ import annotations

import _socket

from ._body import StreamingBody, _what
from ._result import TransportError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

_IDLE: Dict[Tuple[str, str, Optional[str]], List[_Conn]] = {}
_MAX_IDLE = 8
_CRLF2 = b"\r\n\r\n"
_RECV = 65536
_MAX_HEAD = 64 * 1024
_JOIN = 65536  # bodies below this leave in the same send as the head
_TLS: List[Any] = []  # the SSL context, made once


class _Closed(Exception):
    """The peer closed the connection before any byte of the answer."""


class Response:
    """Status, reason, header pairs and the body (bytes, or a :class:`StreamingBody`)."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, reason: str, headers: List[Tuple[str, str]], body: Any) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body


class _Conn:
    """One socket and the bytes read past the last response."""

    __slots__ = ("buf", "sock")

    def __init__(self, scheme: str, netloc: str, timeout: float, proxy: Optional[str]) -> None:
        host, port = _split(netloc, scheme)
        if proxy is None:
            self.sock: Any = (_tls if scheme == "https" else _open)(host, port, timeout)
        elif scheme == "https":
            self.sock = _tls(host, port, timeout, proxy)
        else:  # requests go to the proxy in absolute form
            self.sock = _open(*_split(proxy, "http"), timeout)
        self.buf = b""

    def close(self) -> None:
        self.sock.close()

    def recv(self) -> bytes:
        try:
            return self.sock.recv(_RECV)
        except ConnectionResetError:
            return b""

    def more(self) -> bytes:
        data = self.recv()
        if not data:
            raise TransportError("the server closed the connection mid-answer", sent=True)
        return data

    def dropped(self) -> bool:
        """An idle connection with something to read has been closed (or misbehaves)."""
        import select

        try:
            return bool(select.select([self.sock], [], [], 0)[0])
        except (OSError, ValueError):
            return True


def _split(netloc: str, scheme: str) -> Tuple[str, int]:
    host, sep, port = netloc.rpartition(":")
    if not sep or not port.isdigit() or (host.startswith("[") and not host.endswith("]")):
        host, port = netloc, ""
    return host.strip("[]"), int(port) if port else (443 if scheme == "https" else 80)


def _open(host: str, port: int, timeout: float) -> Any:
    """``socket.create_connection`` on ``_socket``: each resolved address in turn."""
    # A bytes host skips the IDNA codec (encodings.idna, unicodedata) for ASCII names.
    name: Any = host.encode("ascii") if host.isascii() else host
    error: Optional[OSError] = None
    for family, kind, proto, _, address in _socket.getaddrinfo(name, port, 0, _socket.SOCK_STREAM):
        sock = _socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        return sock
    raise error if error is not None else OSError(f"no address found for {host}")


def _tls(host: str, port: int, timeout: float, proxy: Optional[str] = None) -> Any:
    import socket
    import ssl

    if not _TLS:
        _TLS.append(ssl.create_default_context())
    raw = socket.create_connection(_split(proxy, "http") if proxy else (host, port), timeout)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        if proxy:
            _tunnel(raw, f"{host}:{port}", proxy)
        return _TLS[0].wrap_socket(raw, server_hostname=host)
    except BaseException:
        raw.close()
        raise


def _tunnel(sock: Any, target: str, proxy: str) -> None:
    """Ask an HTTP proxy for a tunnel to ``target`` (``CONNECT``) and check its answer."""
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode("latin-1"))
    head = b""
    while _CRLF2 not in head:
        data = sock.recv(4096)
        if not data or len(head) > _MAX_HEAD:
            raise OSError(f"the proxy {proxy} closed the connection during CONNECT")
        head += data
    status = head.split(b" ", 2)[1:2]
    if status != [b"200"]:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        raise OSError(f"the proxy {proxy} refused a tunnel to {target}: {line}")


def _head(method: str, target: str, headers: Dict[str, str], body: Any) -> bytes:
    lines = [f"{method} {target} HTTP/1.1"]
    names = set()
    for name, value in headers.items():
        names.add(name.lower())
        lines.append(f"{name}: {value}")
    if "content-length" not in names and isinstance(body, (bytes, bytearray)):
        lines.append(f"Content-Length: {len(body)}")
    if "accept-encoding" not in names:
        lines.append("Accept-Encoding: identity")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


def _write(sock: Any, head: bytes, body: Any) -> None:
    if isinstance(body, (bytes, bytearray)):
        if len(body) < _JOIN:
            sock.sendall(head + body)
        else:
            sock.sendall(head)
            sock.sendall(memoryview(body))
        return
    sock.sendall(head)
    while True:  # a binary file, from its current position
        chunk = body.read(_RECV)
        if not chunk:
            return
        sock.sendall(chunk)


def _read_head(conn: _Conn) -> Tuple[int, str, List[Tuple[str, str]], bool]:
    """(status, reason, header pairs, keep-alive) of the next final response."""
    buf = conn.buf
    while True:
        started = bool(buf)
        while True:
            end = buf.find(_CRLF2)
            if end >= 0:
                break
            if len(buf) > _MAX_HEAD:
                raise TransportError("the answer's headers exceed 64 KiB", sent=True)
            data = conn.recv()
            if not data:
                if started:
                    raise TransportError("the server closed the connection mid-answer", sent=True)
                raise _Closed
            started = True
            buf += data
        lines = buf[:end].decode("latin-1").split("\r\n")
        buf = buf[end + 4 :]
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise TransportError(f"malformed status line {lines[0][:100]!r}", sent=True)
        status = int(parts[1])
        if 100 <= status < 200:
            continue  # an interim answer (100 Continue): the final one follows
        conn.buf = buf
        pairs = []
        keep = parts[0] != "HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip(), value.strip()
            pairs.append((name, value))
            if name.lower() == "connection":
                token = value.lower()
                keep = token == "keep-alive" or (keep and token != "close")
        return status, parts[2] if len(parts) > 2 else "", pairs, keep


def _framing(method: str, status: int, headers: List[Tuple[str, str]]) -> Tuple[str, int]:
    if method == "HEAD" or status in (204, 304):
        return "length", 0
    length = None
    for name, value in headers:
        lower = name.lower()
        if lower == "transfer-encoding" and "chunked" in value.lower():
            return "chunked", 0
        if lower == "content-length":
            if not value.isdigit():
                raise TransportError(f"malformed Content-Length {value[:40]!r}", sent=True)
            length = int(value)
    return ("close", 0) if length is None else ("length", length)


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
    proxy: Optional[str] = None,
) -> Response:
    """One exchange; ``stream`` leaves a successful answer's body unread (a
    :class:`StreamingBody`)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    key = (scheme, netloc, proxy)
    idle = _IDLE.setdefault(key, [])
    if proxy is not None and scheme == "http":
        target = f"http://{netloc}{target}"
    head = _head(method, target, headers, body)
    start = body.tell() if hasattr(body, "tell") else 0
    fresh = False
    while True:
        conn = None
        while idle and conn is None:
            conn = idle.pop()
            if conn.dropped():
                conn.close()
                conn = None
        if conn is None:
            fresh = True
            try:
                conn = _Conn(scheme, netloc, connect_timeout, proxy)
            except OSError as exc:
                raise TransportError(f"{netloc}: {_what(exc)}", sent=False) from None
        sent = False
        try:
            conn.sock.settimeout(read_timeout)
            if hasattr(body, "seek"):
                body.seek(start)
            try:
                _write(conn.sock, head, body)
            except (BrokenPipeError, ConnectionResetError):
                if fresh:
                    raise
                conn.close()  # closed by the server as we sent: nothing was answered
                fresh = True
                continue
            sent = True
            status, reason, pairs, keep = _read_head(conn)
            framing, length = _framing(method, status, pairs)
        except _Closed:
            conn.close()
            raise TransportError(
                f"{netloc}: the server closed the connection without answering", sent=True
            ) from None
        except TransportError as exc:
            conn.close()
            raise TransportError(f"{netloc}: {exc}", sent=True) from None
        except OSError as exc:
            conn.close()
            raise TransportError(f"{netloc}: {_what(exc)}", sent=sent) from None

        def release(reuse: bool, conn: _Conn = conn, keep: bool = keep) -> None:
            if reuse and keep and not conn.buf and len(idle) < _MAX_IDLE:
                idle.append(conn)
            else:
                conn.close()

        reader = StreamingBody(conn, framing, length, release)
        if stream and status < 300:
            return Response(status, reason, pairs, reader)
        return Response(status, reason, pairs, reader.read())


def close_all() -> None:
    """Close every pooled connection (tests; a function never needs to)."""
    for idle in _IDLE.values():
        while idle:
            idle.pop().close()
