"""A minimal keep-alive HTTP/1.1 client for the Lambda Runtime API.

Why not ``http.client`` or httpx: this is the hot path of every invocation and part of
cold start. ``http.client`` pulls ``email.parser`` and friends (~25 ms import on a
Lambda-class CPU), httpx far more (~80 ms). The Runtime API is a local, well-behaved
HTTP/1.1 server, so one blocking socket, one ``sendall`` per request (head and body
joined) and a hand-written response reader are enough. Per invocation that is two
round trips (``next`` and ``response``) and usually four syscalls.

Why ``_socket`` and not ``socket``: ``socket.py`` turns its constants into ``IntEnum``s at
import and pulls in ``selectors``; the C module has every call used here (``sendall``,
``sendmsg``, ``recv_into`` ...). About 2 ms less cold start under CPython.
"""

from __future__ import annotations

import _socket

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

__all__ = ["MAX_HEAD", "Connection", "Response", "RuntimeApi", "RuntimeApiError"]

_RECV = 65536
_MAX_CHUNK_LINE = 1024


class Connection:
    """One keep-alive connection to ``host:port``; reconnects once when the peer dropped it."""

    __slots__ = ("_address", "_buf", "_host", "_sock")

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise RuntimeApiError(f"bad Runtime API address {address!r} (expected host:port)")
        # A bytes host: getaddrinfo() then skips the IDNA codec, whose import
        # (encodings.idna, stringprep, unicodedata) costs 1-5 ms of cold start.
        self._address = (host.strip("[]").encode("ascii"), int(port))
        self._host = address.encode("latin-1")
        self._sock: _socket.socket | None = None
        self._buf = b""

    def _connect(self) -> _socket.socket:
        try:
            sock = _open(*self._address)
        except OSError as exc:
            raise RuntimeApiError(f"cannot connect to {self._host.decode()}: {exc}") from None
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        self._sock = sock
        self._buf = b""
        return sock

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def request(
        self, method: bytes, path: bytes, body: bytes = b"", headers: bytes = b""
    ) -> Response:
        """Send one request and read its response.

        ``headers`` is pre-encoded ``Name: value\\r\\n`` lines. A request is retried once on
        a fresh connection only when the old one was found closed before any byte of the
        response arrived (the usual keep-alive race); a second failure is fatal.
        """
        head = request_head(method, path, self._host, headers, len(body))
        # Small bodies are joined with the head: one syscall, one segment. Large ones are
        # handed to sendmsg as two buffers, which avoids copying megabytes.
        message = head + body if len(body) < 65536 else None
        for attempt in (0, 1):
            sock = self._sock if self._sock is not None else self._connect()
            try:
                if message is not None:
                    sock.sendall(message)
                else:
                    _send_two(sock, head, body)
            except OSError:
                # The server may have answered (e.g. 413) and closed before reading it all.
                response = self._read_after_send_error()
                if response is not None:
                    return response
                self.close()
                if attempt:
                    raise RuntimeApiError(
                        f"connection to the Runtime API lost while sending {path.decode()}"
                    ) from None
                continue
            try:
                return self._read_response()
            except _Dropped:
                self.close()
                if attempt:
                    raise RuntimeApiError(
                        f"the Runtime API closed the connection during {path.decode()}"
                    ) from None
        raise AssertionError("unreachable")

    def open_chunked(self, path: bytes, headers: bytes, first: bytes) -> Response | None:
        """Start a chunked POST: the head and ``first`` (an encoded chunk) in one send.

        Retried once on a fresh connection when the kept-alive one was found dead; returns
        the server's early answer when it refused before reading the body, else None.
        """
        head = b"POST %s HTTP/1.1\r\nHost: %s\r\n%sTransfer-Encoding: chunked\r\n\r\n" % (
            path,
            self._host,
            headers,
        )
        for attempt in (0, 1):
            sock = self._sock if self._sock is not None else self._connect()
            try:
                sock.sendall(head + first)
                return None
            except OSError:
                response = self._read_after_send_error()
                if response is not None:
                    return response
                self.close()
                if attempt:
                    raise RuntimeApiError(
                        f"connection to the Runtime API lost while sending {path.decode()}"
                    ) from None
        raise AssertionError("unreachable")

    def send_chunk(self, data: bytes) -> Response | None:
        """Send raw bytes of a chunked body; the server's early answer if it stopped reading."""
        sock = self._sock
        if sock is None:
            raise RuntimeApiError("the Runtime API closed the connection mid-stream")
        try:
            if len(data) < 65536:
                sock.sendall(data)
            else:
                sock.sendall(memoryview(data))
            return None
        except OSError:
            response = self._read_after_send_error()
            if response is None:
                self.close()
                raise RuntimeApiError("the Runtime API closed the connection mid-stream") from None
            return response

    def finish_chunked(self, trailers: bytes = b"") -> Response:
        """End a chunked body (last chunk, ``trailers`` lines) and read the answer."""
        early = self.send_chunk(b"0\r\n" + trailers + b"\r\n")
        if early is not None:
            return early
        try:
            return self._read_response()
        except _Dropped:
            self.close()
            raise RuntimeApiError("the Runtime API closed the connection mid-stream") from None

    def send_only(self, method: bytes, path: bytes, headers: bytes = b"") -> None:
        """Send a request and never read the answer (the extension's parked ``event/next``)."""
        sock = self._sock if self._sock is not None else self._connect()
        sock.sendall(b"%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (method, path, self._host, headers))

    def _read_after_send_error(self) -> Response | None:
        sock = self._sock
        if sock is None:
            return None
        try:
            sock.settimeout(1.0)
            return self._read_response()
        except (OSError, _Dropped, RuntimeApiError):
            return None
        finally:
            if self._sock is not None:
                self._sock.settimeout(None)

    def _recv(self) -> bytes:
        assert self._sock is not None
        try:
            data = self._sock.recv(_RECV)
        except ConnectionResetError:
            data = b""
        return data

    def _read_response(self) -> Response:
        buf = self._buf
        started = bool(buf)
        while True:
            end = buf.find(CRLF2)
            if end >= 0:
                break
            if len(buf) > MAX_HEAD:
                raise RuntimeApiError(
                    f"response headers from the Runtime API exceed {MAX_HEAD // 1024} KiB"
                )
            data = self._recv()
            if not data:
                if started:
                    raise RuntimeApiError("the Runtime API closed the connection mid-response")
                raise _Dropped
            started = True
            buf += data
        status, headers = parse_head(buf[:end])
        rest = buf[end + 4 :]
        size = content_length(headers)
        if size is not None:
            if len(rest) < size:
                rest = self._read_exactly(rest, size)
            body, self._buf = rest[:size], rest[size:]
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked(rest)
        elif status in (204, 304) or 100 <= status < 200:
            body, self._buf = b"", rest
        else:
            body = self._read_to_close(rest)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, headers, body)

    def _read_exactly(self, have: bytes, size: int) -> bytes:
        out = bytearray(size)
        view = memoryview(out)
        n = len(have)
        view[:n] = have
        sock = self._sock
        assert sock is not None
        while n < size:
            got = sock.recv_into(view[n:])
            if not got:
                raise RuntimeApiError("the Runtime API closed the connection mid-body")
            n += got
        return bytes(out)

    def _read_chunked(self, rest: bytes) -> bytes:
        body = bytearray()
        while True:
            while b"\r\n" not in rest:
                if len(rest) > _MAX_CHUNK_LINE:
                    raise RuntimeApiError("chunk-size line from the Runtime API too long")
                rest += self._more()
            size_line, _, rest = rest.partition(b"\r\n")
            digits = size_line.split(b";", 1)[0].strip()
            if not digits or digits.strip(b"0123456789abcdefABCDEF"):
                raise RuntimeApiError(
                    f"malformed chunk size from the Runtime API: {size_line[:200]!r}"
                )
            size = int(digits, 16)
            if size == 0:
                # Trailers (if any) end with an empty line.
                while not (rest.startswith(b"\r\n") or CRLF2 in rest):
                    rest += self._more()
                self._buf = rest[2:] if rest.startswith(b"\r\n") else rest.split(CRLF2, 1)[1]
                return bytes(body)
            while len(rest) < size + 2:
                rest += self._more()
            body += rest[:size]
            rest = rest[size + 2 :]

    def _read_to_close(self, rest: bytes) -> bytes:
        chunks = [rest]
        while True:
            data = self._recv()
            if not data:
                break
            chunks.append(data)
        self.close()
        return b"".join(chunks)

    def _more(self) -> bytes:
        data = self._recv()
        if not data:
            raise RuntimeApiError("the Runtime API closed the connection mid-body")
        return data


class _Dropped(Exception):
    """The peer closed an idle keep-alive connection before answering."""


def _open(host: bytes, port: int) -> _socket.socket:
    """``socket.create_connection`` without ``socket.py``: each resolved address in turn."""
    error: OSError | None = None
    for family, kind, proto, _, address in _socket.getaddrinfo(host, port, 0, _socket.SOCK_STREAM):
        sock = _socket.socket(family, kind, proto)
        try:
            sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error if error is not None else OSError(f"no address found for {host!r}")


def _send_two(sock: _socket.socket, head: bytes, body: bytes) -> None:
    view = memoryview(body)
    sent = sock.sendmsg([head, view])
    if sent < len(head):
        sock.sendall(head[sent:])
        sent = len(head)
    sent -= len(head)
    if sent < len(body):
        sock.sendall(view[sent:])


class RuntimeApi:
    """The four Runtime API calls a runtime makes, over one keep-alive connection."""

    __slots__ = ("address", "conn")

    def __init__(self, address: str) -> None:
        self.address = address
        self.conn = Connection(address)

    def next(self) -> Response:
        """Long-poll for the next invocation (no timeout: Lambda freezes us while waiting)."""
        response = self.conn.request(b"GET", NEXT, b"", UA)
        if response.status != 200:
            raise RuntimeApiError(
                f"GET /runtime/invocation/next answered {response.status}: "
                f"{response.body[:200].decode('utf-8', 'replace')}"
            )
        return response

    def respond(self, request_id: str, body: bytes, content_type: bytes = JSON) -> Response:
        return self.conn.request(b"POST", response_path(request_id), body, UA + content_type)

    def error(
        self, request_id: str, body: bytes, error_type: str, xray_cause: bytes = b""
    ) -> Response:
        """Report a failed invocation; ``xray_cause`` is one line of ASCII JSON (or empty)."""
        headers = error_headers(error_type, xray_cause)
        return self.conn.request(b"POST", error_path(request_id), body, headers)

    def init_error(self, body: bytes, error_type: str) -> Response:
        path = b"/2018-06-01/runtime/init/error"
        return self.conn.request(b"POST", path, body, error_headers(error_type))
