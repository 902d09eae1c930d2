"""A lean, benchmark-only Lambda Runtime API server that hands out pre-made invocations.

Why not the project's emulator: the emulator is built for fidelity (invoke endpoint, logs,
extensions, timeouts); here the server's own per-request cost is added to every runtime's
round trip and compresses the ratios we want to read. This one does the minimum: blocking
sockets, one thread per connection, responses prepared before the clock starts, and a
``perf_counter_ns`` timestamp taken right after each request is fully read / each event is
fully written. ``run.py --server-overhead`` measures both servers with the C floor client.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

NEXT_PATH = b"/2018-06-01/runtime/invocation/next"
_ACCEPTED = (
    b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
    b'Content-Length: 16\r\n\r\n{"status":"OK"}\n'
)
_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


@dataclass
class Invocation:
    """One event, with its HTTP response to ``GET /invocation/next`` pre-rendered."""

    request_id: str
    body: bytes
    wire: bytes = b""

    def __post_init__(self) -> None:
        head = (
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            f"Lambda-Runtime-Aws-Request-Id: {self.request_id}\r\n"
            "Lambda-Runtime-Deadline-Ms: 4102444800000\r\n"
            "Lambda-Runtime-Invoked-Function-Arn: "
            "arn:aws:lambda:us-east-1:123456789012:function:bench\r\n"
            "Lambda-Runtime-Trace-Id: "
            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=1;Sampled=0\r\n"
            f"Content-Length: {len(self.body)}\r\n\r\n"
        )
        self.wire = head.encode() + self.body


@dataclass
class Outcome:
    """What the runtime answered for one invocation, with server-side timestamps (ns)."""

    request_id: str
    kind: str  # "response" | "error"
    body: bytes | bytearray
    sent_ns: int  # event fully written to the runtime's socket
    answered_ns: int  # response body fully read


@dataclass
class Timeline:
    """Server-side clock readings for one runtime process."""

    next_requests_ns: list[int] = field(default_factory=list)  # each GET /next, once read
    sent_ns: dict[str, int] = field(default_factory=dict)
    init_errors: list[bytes] = field(default_factory=list)


class BenchServer:
    """Runtime API subset: ``next``, ``response``, ``error``, ``init/error``.

    Use ``push()`` to queue invocations (before or after the runtime starts) and
    ``take()`` to collect outcomes in order. ``reset()`` between runtime processes.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(64)
        host_, port_ = self._sock.getsockname()
        self.address = f"{host_}:{port_}"
        self._pending: queue.Queue[Invocation | None] = queue.Queue()
        self._outcomes: queue.Queue[Outcome] = queue.Queue()
        self.timeline = Timeline()
        self._first_next = threading.Event()
        #: called in the server thread when the first GET /next has been read, before the
        #: event is sent (the runtime is then blocked: a quiet moment to sample it)
        self.on_first_next: Callable[[], None] | None = None
        self._closed = False
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept_loop, daemon=True, name="bench-accept").start()

    # -- harness side -------------------------------------------------------------------
    def push(self, inv: Invocation) -> None:
        self._pending.put(inv)

    def take(self, timeout: float = 60.0) -> Outcome:
        return self._outcomes.get(timeout=timeout)

    def wait_first_next(self, timeout: float = 30.0) -> int:
        """Clock reading of the runtime's first ``GET /next`` (its init is over)."""
        if not self._first_next.wait(timeout):
            raise TimeoutError("runtime never asked for an invocation")
        return self.timeline.next_requests_ns[0]

    def reset(self) -> None:
        """Forget the previous runtime: drop its connections, queued events and clocks."""
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        old, self._pending = self._pending, queue.Queue()
        for _ in range(16):  # release connection threads still waiting for an event
            old.put(None)
        self._outcomes = queue.Queue()
        self.timeline = Timeline()
        self._first_next.clear()

    def close(self) -> None:
        self._closed = True
        self.reset()
        self._sock.close()

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- server side --------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        timeline, pending, outcomes = self.timeline, self._pending, self._outcomes
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, _, buf = buf.partition(b"\r\n\r\n")
                request_line, *header_lines = head.split(b"\r\n")
                method, path, _ = request_line.split(b" ", 2)
                length = 0
                chunked = False
                for line in header_lines:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"transfer-encoding" and b"chunked" in value.lower():
                        chunked = True
                body: bytes | bytearray
                if chunked:
                    body, buf = _read_chunked(conn, buf)
                elif len(buf) >= length:
                    body, buf = buf[:length], buf[length:]
                else:
                    body, buf = _read_exact(conn, buf, length), b""
                now = time.perf_counter_ns()
                if method == b"GET" and path == NEXT_PATH:
                    timeline.next_requests_ns.append(now)
                    if len(timeline.next_requests_ns) == 1 and self.on_first_next is not None:
                        self.on_first_next()
                    self._first_next.set()
                    inv = pending.get()
                    if inv is None:
                        return
                    conn.sendall(inv.wire)
                    timeline.sent_ns[inv.request_id] = time.perf_counter_ns()
                elif method == b"POST" and path.endswith((b"/response", b"/error")):
                    parts = path.split(b"/")
                    if parts[-2] == b"init":
                        timeline.init_errors.append(bytes(body))
                    else:
                        rid = parts[-2].decode()
                        kind = "response" if parts[-1] == b"response" else "error"
                        sent = timeline.sent_ns.get(rid, 0)
                        outcomes.put(Outcome(rid, kind, body, sent, now))
                    conn.sendall(_ACCEPTED)
                else:
                    conn.sendall(_NOT_FOUND)
        except OSError:
            return
        finally:
            conn.close()


def _read_chunked(conn: socket.socket, buf: bytes) -> tuple[bytes, bytes]:
    """Read a chunked body (the contenders send Content-Length; here for completeness)."""
    body = bytearray()
    while True:
        while b"\r\n" not in buf:
            buf += conn.recv(65536)
        size_line, _, buf = buf.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        while len(buf) < size + 2:
            buf += conn.recv(max(65536, size + 2 - len(buf)))
        body += buf[:size]
        buf = buf[size + 2 :]
        if size == 0:
            return bytes(body), buf


def _read_exact(conn: socket.socket, head: bytes, length: int) -> bytearray:
    """Read a body of known length into one buffer (no quadratic ``bytes +=``)."""
    body = bytearray(length)
    view = memoryview(body)
    view[: len(head)] = head
    got = len(head)
    while got < length:
        n = conn.recv_into(view[got:])
        if n == 0:
            raise ConnectionResetError("runtime closed the connection mid-body")
        got += n
    return body
