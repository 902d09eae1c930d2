"""A lean keep-alive HTTP/1.1 client for the invoke endpoint.

``Emulator.invoke`` runs in the test's (or benchmark's) process, sharing the GIL with the
emulator's loop thread, so its own cost adds straight to every measured round trip:
``http.client`` spends ~100 µs per request building and parsing messages; this spends a
fraction of that. It speaks only what the emulator answers: Content-Length bodies.
"""

from __future__ import annotations

import socket


class InvokeClient:
    """One connection; ``post`` returns (status, headers as (name, value) pairs, body)."""

    def __init__(self, host: str, port: int) -> None:
        self._address = (host, port)
        self._sock: socket.socket | None = None
        self._buf = bytearray()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._buf = bytearray()

    def post(
        self, path: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        fresh = self._sock is None
        try:
            return self._exchange(path, body, headers, timeout)
        except (ConnectionError, _Closed):
            self.close()
            if fresh:
                raise
        return self._exchange(path, body, headers, timeout)  # the kept-alive socket was stale

    def _exchange(
        self, path: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        sock = self._sock
        if sock is None:
            sock = self._sock = socket.create_connection(self._address, timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            sock.settimeout(timeout)
        lines = [f"POST {path} HTTP/1.1", f"Host: {self._address[0]}:{self._address[1]}"]
        lines.extend(f"{k}: {v}" for k, v in headers.items())
        lines.append(f"Content-Length: {len(body)}\r\n\r\n")
        sock.sendall("\r\n".join(lines).encode("latin-1") + body)
        while True:
            status, pairs, data = self._read_response(sock)
            if status != 100:  # skip interim answers
                return status, pairs, data

    def _read_response(self, sock: socket.socket) -> tuple[int, list[tuple[str, str]], bytes]:
        buf = self._buf
        end = buf.find(b"\r\n\r\n")
        while end < 0:
            chunk = sock.recv(65536)
            if not chunk:
                raise _Closed
            buf += chunk
            end = buf.find(b"\r\n\r\n")
        head = bytes(buf[:end]).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        pairs: list[tuple[str, str]] = []
        length = 0
        close = False
        for line in head[1:]:
            name, _, value = line.partition(":")
            value = value.strip()
            pairs.append((name, value))
            lower = name.lower()
            if lower == "content-length":
                length = int(value)
            elif lower == "connection" and value.lower() == "close":
                close = True
        start = end + 4
        while len(buf) < start + length:
            chunk = sock.recv(max(65536, start + length - len(buf)))
            if not chunk:
                raise _Closed
            buf += chunk
        data = bytes(buf[start : start + length])
        del buf[: start + length]
        if close:
            self.close()
        return status, pairs, data


class _Closed(ConnectionError):
    """The server closed the connection before a complete answer."""
