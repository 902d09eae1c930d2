"""The emulator's HTTP server over raw sockets: limits enforced while reading, strict parsing.

Every test talks bytes to a real emulator, the way a hostile or broken local client would.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from native_lambda_toolchain.emulator import MAX_INVOKE_REQUEST_BYTES, Emulator

INVOKE = "/2015-03-31/functions/function/invocations"
NEXT = "/2018-06-01/runtime/invocation/next"


def rss_kb() -> int:
    """This process's resident memory (the emulator runs on a thread in it)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def connect(emu: Emulator) -> socket.socket:
    return socket.create_connection(("127.0.0.1", emu.port), timeout=10)


def read_answer(sock: socket.socket, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """One response (Content-Length framed), read to the end of its body."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before an answer; got {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split(" ")[1]), headers, body[:length]


def is_closed(sock: socket.socket, timeout: float = 5) -> bool:
    """True when the server closed (or reset) the connection within ``timeout``."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not sock.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
    return False


def trickle(sock: socket.socket, total: int, seconds: float) -> int:
    """Send up to ``total`` bytes in 64 KiB pieces for at most ``seconds``; bytes accepted."""
    piece = b"x" * 65536
    sent = 0
    sock.settimeout(0.5)
    deadline = time.monotonic() + seconds
    try:
        while sent < total and time.monotonic() < deadline:
            sent += sock.send(piece)
    except (socket.timeout, BlockingIOError, BrokenPipeError, ConnectionResetError):
        pass
    return sent


@pytest.fixture
def external(emulator_factory) -> Emulator:
    """An emulator whose runtime is the test (no process): requests stay where we put them."""
    return emulator_factory(None, timeout_s=30)


def test_huge_declared_invoke_body_is_answered_413_without_buffering(external):
    before = rss_kb()
    with connect(external) as sock:
        sock.sendall(
            f"POST {INVOKE} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n".encode()
        )
        sent = trickle(sock, 32 * 1024 * 1024, seconds=3)
        status, headers, body = read_answer(sock)
        assert status == 413
        assert headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
        assert json.loads(body)["message"] == (
            f"Request must be smaller than {MAX_INVOKE_REQUEST_BYTES} bytes "
            "for the InvokeFunction operation"
        )
        assert headers["connection"] == "close"
        assert is_closed(sock)
    assert sent > 0
    assert rss_kb() - before < 16 * 1024, "the trickled body was buffered"


def test_chunked_invoke_body_over_the_limit_is_stopped_while_reading(external):
    before = rss_kb()
    with connect(external) as sock:
        sock.sendall(
            f"POST {INVOKE} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        piece = b"x" * 65536
        frame = b"%x\r\n%s\r\n" % (len(piece), piece)
        sock.settimeout(0.5)
        sent = 0
        try:
            while sent < 24 * 1024 * 1024:
                sock.sendall(frame)
                sent += len(frame)
        except (socket.timeout, BrokenPipeError, ConnectionResetError):
            pass
        status, headers, _ = read_answer(sock)
        assert status == 413
        assert headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
        assert is_closed(sock)
    assert rss_kb() - before < 16 * 1024


def test_bytes_behind_a_parked_next_are_not_buffered(external):
    """A long poll holds the connection's request slot; what follows must not pile up."""
    before = rss_kb()
    with connect(external) as sock:
        sock.sendall(f"GET {NEXT} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(0.2)  # parked: no invocation yet
        sent = trickle(sock, 64 * 1024 * 1024, seconds=4)
    assert sent < 48 * 1024 * 1024, "the server kept reading behind an unanswered request"
    assert rss_kb() - before < 16 * 1024


def test_headers_over_64_kib_get_431_and_close(external):
    with connect(external) as sock:
        sock.sendall(f"POST {INVOKE} HTTP/1.1\r\nHost: x\r\n".encode())
        trickle(sock, 200 * 1024, seconds=3)  # one endless header block
        status, _, _ = read_answer(sock)
        assert status == 431
        assert is_closed(sock)


def test_a_chunk_size_line_is_bounded(external):
    with connect(external) as sock:
        sock.sendall(
            f"POST {INVOKE} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1".encode()
        )
        sock.sendall(b"0" * 10000)
        status, _, _ = read_answer(sock)
        assert status == 400
        assert is_closed(sock)


@pytest.mark.parametrize(
    "header",
    [
        "Content-Length: -1",
        "Content-Length: 1_0",
        "Content-Length: +5",
        "Content-Length: 0x5",
        "Content-Length: 5\r\nContent-Length: 6",
        "Transfer-Encoding: gzip",
        "X-Amzn-Trace-Id: abc\nInjected: yes",
        "X-Amzn-Trace-Id: abc\rInjected: yes",
        "X-Amzn-Trace-Id: abc\x00",
        "Bad Name: value",
        "NoColon",
    ],
)
def test_malformed_requests_get_400_like_go(external, header):
    with connect(external) as sock:
        request = f"POST {INVOKE} HTTP/1.1\r\nHost: x\r\n{header}\r\n\r\nhello"
        sock.sendall(request.encode("latin-1"))
        status, headers, body = read_answer(sock)
        assert status in (400, 501), body
        assert body.startswith(b"%d " % status)
        assert headers["connection"] == "close"
        assert is_closed(sock)


def test_no_header_injection_into_the_runtimes_next(external):
    with connect(external) as runtime:
        runtime.sendall(f"GET {NEXT} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        with connect(external) as caller:
            caller.sendall(
                f"POST {INVOKE} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                "X-Amzn-Trace-Id: abc\nInjected: yes\r\n\r\n{}".encode()
            )
            assert read_answer(caller)[0] == 400
        # The parked /next got nothing; a clean invoke is what it receives next.
        runtime.settimeout(0.3)
        with pytest.raises(socket.timeout):
            runtime.recv(1)
        with connect(external) as caller:
            caller.sendall(
                f"POST {INVOKE} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                "X-Amzn-Trace-Id: Root=1-clean\r\n\r\n{}".encode()
            )
            status, headers, _ = read_answer(runtime)
            assert status == 200
            assert headers["lambda-runtime-trace-id"] == "Root=1-clean"
            assert "injected" not in headers
