"""A client for the streaming invoke path: reads the event stream as it arrives.

Used by ``Emulator.invoke_stream`` (``native-lambda invoke --stream`` reads with
``deploy._stream``): each ``PayloadChunk`` is handed over the moment its frame is complete,
with its arrival time, so tests can tell a stream from a buffered answer.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..eventstream import INVOKE_COMPLETE, PAYLOAD_CHUNK, Decoder


@dataclass
class StreamResult:
    """What InvokeWithResponseStream answered: the chunks (with arrival times, from
    ``time.monotonic()``) and the ``InvokeComplete`` summary."""

    status: int
    headers: dict[str, str]  # lower-case names
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    complete: dict[str, Any] | None = None
    body: bytes = b""  # a non-event-stream answer (an error before the stream began)

    @property
    def payload(self) -> bytes:
        return b"".join(data for _, data in self.chunks)

    @property
    def error_code(self) -> str | None:
        return (self.complete or {}).get("ErrorCode")

    @property
    def error_details(self) -> Any:
        details = (self.complete or {}).get("ErrorDetails")
        try:
            return json.loads(details) if details else details
        except ValueError:
            return details


def invoke_stream(
    host: str,
    port: int,
    path: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    on_chunk: Callable[[bytes], None] | None = None,
) -> StreamResult:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
        lines.extend(f"{k}: {v}" for k, v in headers.items())
        lines.append(f"Content-Length: {len(body)}\r\n\r\n")
        sock.sendall("\r\n".join(lines).encode("latin-1") + body)
        reader = _Reader(sock)
        status, head = reader.head()
        result = StreamResult(status, head)
        if head.get("transfer-encoding", "").lower() != "chunked":
            result.body = reader.rest(int(head.get("content-length", "0")))
            return result
        decoder = Decoder()
        for data in reader.chunks():
            for event, payload in decoder.feed(data):
                kind = event.get(":event-type")
                if kind == PAYLOAD_CHUNK:
                    result.chunks.append((time.monotonic(), payload))
                    if on_chunk is not None:
                        on_chunk(payload)
                elif kind == INVOKE_COMPLETE:
                    result.complete = json.loads(payload or b"{}")
        return result


class _Reader:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = bytearray()

    def _fill(self) -> None:
        data = self._sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection mid-answer")
        self._buf += data

    def head(self) -> tuple[int, dict[str, str]]:
        while b"\r\n\r\n" not in self._buf:
            self._fill()
        end = self._buf.index(b"\r\n\r\n")
        lines = bytes(self._buf[:end]).decode("latin-1").split("\r\n")
        del self._buf[: end + 4]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split(" ", 2)[1]), headers

    def rest(self, length: int) -> bytes:
        while len(self._buf) < length:
            self._fill()
        return bytes(self._buf[:length])

    def chunks(self) -> Iterator[bytes]:
        while True:
            while b"\r\n" not in self._buf:
                self._fill()
            eol = self._buf.index(b"\r\n")
            size = int(bytes(self._buf[:eol]).split(b";")[0], 16)
            del self._buf[: eol + 2]
            if size == 0:
                return
            while len(self._buf) < size + 2:
                self._fill()
            yield bytes(self._buf[:size])
            del self._buf[: size + 2]
