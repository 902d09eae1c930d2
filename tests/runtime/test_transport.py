"""The hand-written HTTP/1.1 client against a scripted raw-socket server: keep-alive,
reconnects, chunked bodies, large bodies, and the one-retry limit."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator

import pytest
from independent_api import PYTHON, ROOT

from native_lambda._client import Connection, RuntimeApi, RuntimeApiError

Script = Callable[[socket.socket, int], None]


class RawServer:
    """Accepts connections; ``script(conn, index)`` talks raw bytes on each one."""

    def __init__(self, script: Script) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.requests: list[bytes] = []
        self._script = script
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            index = self.connections
            self.connections += 1
            threading.Thread(target=self._run, args=(conn, index), daemon=True).start()

    def _run(self, conn: socket.socket, index: int) -> None:
        with conn, contextlib.suppress(OSError):
            self._script(conn, index)

    def read_request(self, conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return b""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            body += conn.recv(65536)
        self.requests.append(head + b"\r\n\r\n" + body)
        return head

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Script], RawServer]]:
    servers: list[RawServer] = []

    def make(script: Script) -> RawServer:
        server = RawServer(script)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


OK = b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}"


def test_keep_alive_one_connection_one_send_per_request(raw_server) -> None:
    def script(conn: socket.socket, index: int) -> None:
        while server.read_request(conn):
            conn.sendall(OK)

    server = raw_server(script)
    client = Connection(server.address)
    for _ in range(5):
        response = client.request(b"POST", b"/x", b'{"a":1}', b"X-Test: 1\r\n")
        assert (response.status, response.body) == (202, b"{}")
    assert server.connections == 1
    assert server.requests[0] == (
        b"POST /x HTTP/1.1\r\nHost: "
        + server.address.encode()
        + b'\r\nX-Test: 1\r\nContent-Length: 7\r\n\r\n{"a":1}'
    )


def test_chunked_response(raw_server) -> None:
    def script(conn: socket.socket, index: int) -> None:
        server.read_request(conn)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n4\r\nWiki\r\n"
        )
        conn.sendall(b"6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\n")
        server.read_request(conn)
        conn.sendall(OK)

    server = raw_server(script)
    client = Connection(server.address)
    response = client.request(b"GET", b"/next")
    assert response.body == b"Wikipedia in \r\n\r\nchunks."
    assert response.headers["x-a"] == "b"
    assert client.request(b"POST", b"/r", b"x").status == 202  # same connection still usable
    assert server.connections == 1


def test_reconnects_once_when_idle_connection_was_dropped(raw_server) -> None:
    def script(conn: socket.socket, index: int) -> None:
        server.read_request(conn)
        conn.sendall(OK)
        if index == 0:
            return  # close the keep-alive connection after one exchange
        while server.read_request(conn):
            conn.sendall(OK)

    server = raw_server(script)
    client = Connection(server.address)
    assert client.request(b"GET", b"/1").status == 202
    assert client.request(b"GET", b"/2").status == 202
    assert client.request(b"GET", b"/3").status == 202
    assert server.connections == 2


def test_connection_close_header_is_honoured(raw_server) -> None:
    def script(conn: socket.socket, index: int) -> None:
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")

    server = raw_server(script)
    client = Connection(server.address)
    for _ in range(3):
        assert client.request(b"POST", b"/r", b"x").status == 202
    assert server.connections == 3


def test_gives_up_after_one_retry(raw_server) -> None:
    def script(conn: socket.socket, index: int) -> None:
        server.read_request(conn)  # and close without answering, every time

    server = raw_server(script)
    client = Connection(server.address)
    with pytest.raises(RuntimeApiError, match="closed the connection during /next"):
        client.request(b"GET", b"/next")
    assert server.connections == 2


def test_large_bodies_both_ways(raw_server) -> None:
    payload = bytes(range(256)) * 40000  # 10 MB

    def script(conn: socket.socket, index: int) -> None:
        head = server.read_request(conn)
        assert b"Content-Length: %d" % len(payload) in head
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)

    server = raw_server(script)
    response = Connection(server.address).request(b"POST", b"/big", payload)
    assert response.body == payload
    assert server.requests[0].endswith(payload)


def test_early_413_while_sending_is_still_read(raw_server) -> None:
    body = b"x" * (32 * 1024 * 1024)

    def script(conn: socket.socket, index: int) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        conn.sendall(
            b"HTTP/1.1 413 Too Large\r\nContent-Length: 5\r\nConnection: close\r\n\r\nlarge"
        )
        conn.shutdown(socket.SHUT_WR)
        for _ in range(10):  # read a little of the body, then close: the client's send fails
            conn.recv(65536)

    server = raw_server(script)
    response = Connection(server.address).request(b"POST", b"/response", body)
    assert (response.status, response.body) == (413, b"large")


def test_unreachable_and_bad_address() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(RuntimeApiError, match=r"cannot connect to 127\.0\.0\.1"):
        RuntimeApi(f"127.0.0.1:{port}").next()
    with pytest.raises(RuntimeApiError, match="bad Runtime API address"):
        Connection("no-port")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            b"HTTP/1.1 2x0 OK\r\n\r\n",
            "malformed HTTP status line from the Runtime API: 'HTTP/1.1 2x0 OK'",
        ),
        (b"SPDY 200 OK\r\n\r\n", "malformed HTTP status line"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}",
            "malformed Content-Length from the Runtime API: '-1'",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1_0\r\n\r\n{}",
            "malformed Content-Length from the Runtime API: '1_0'",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\n{}", "malformed Content-Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" * 5000, "chunk-size line"),
        (
            b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 200_000,
            "response headers from the Runtime API exceed 64 KiB",
        ),
        (b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 70_000 + b"\r\n\r\n", "exceed 64 KiB"),
    ],
)
def test_malformed_responses_are_runtime_api_errors(
    raw_server, answer: bytes, message: str
) -> None:
    def script(conn: socket.socket, index: int) -> None:
        server.read_request(conn)
        conn.sendall(answer)
        # Then close: a client that kept reading would fail differently ("closed ... mid-...").

    server = raw_server(script)
    with pytest.raises(RuntimeApiError) as raised:
        Connection(server.address).request(b"GET", b"/next")
    assert message in str(raised.value)


def test_malformed_next_exits_with_one_line(raw_server) -> None:
    """The loop turns a garbled Runtime API answer into its one-line exit 2, no traceback."""

    def script(conn: socket.socket, index: int) -> None:
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}")
        server.read_request(conn)

    server = raw_server(script)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_LAMBDA_RUNTIME_API=server.address, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [PYTHON, "-m", "native_lambda", "examples.greeting.handler"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"native_lambda: Runtime API at {server.address} failed: malformed Content-Length "
        "from the Runtime API: '-1'; exiting"
    ]
