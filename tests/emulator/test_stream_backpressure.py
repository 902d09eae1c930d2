"""A streamed response to a caller that reads slowly: the emulator holds the runtime back
(backpressure) instead of buffering the body, so its memory stays bounded, and every byte
arrives exactly."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from native_lambda_toolchain.eventstream import Decoder

ROOT = Path(__file__).resolve().parents[2]
MB = 50
BLOCK = 64 * 1024


def _vm_hwm_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    assert match, status
    return int(match.group(1))


_SERVE = """
import sys
from native_lambda_toolchain.emulator import Emulator

env = {"_HANDLER": sys.argv[1], "LAMBDA_TASK_ROOT": sys.argv[2], "PYTHONPATH": sys.argv[3]}
emu = Emulator([sys.executable, "-m", "native_lambda"], env=env, cwd=sys.argv[2], echo=False)
emu.start()
assert emu.wait_ready(60), emu.logs()
print(emu.url, flush=True)
sys.stdin.read()  # until the test closes it
emu.stop()
"""


def _start_emulator() -> tuple[subprocess.Popen[str], int]:
    """The emulator in a process of its own, whose memory is measured alone."""
    handler = "tests.streaming.handlers.stream_fns.big"
    command = [sys.executable, "-c", _SERVE, handler, str(ROOT), str(ROOT / "src")]
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(ROOT)
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    assert found, f"the emulator printed no address: {line!r} (exit {proc.poll()})"
    return proc, int(found.group(1))


def _invoke_stream(port: int, event: bytes, pause: float) -> tuple[bytes, dict[str, str]]:
    """InvokeWithResponseStream over a raw socket that reads 64 KiB, then sleeps ``pause``."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.connect(("127.0.0.1", port))
    path = "/2021-11-15/functions/function/response-streaming-invocations"
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(event)}\r\n\r\n"
    sock.sendall(head.encode() + event)
    raw = bytearray()
    while b"\r\n0\r\n\r\n" not in raw[-16:]:
        data = sock.recv(BLOCK)
        assert data, "connection closed before the end of the stream"
        raw += data
        if pause:
            time.sleep(pause)
    sock.close()
    head_end = raw.index(b"\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 200"), bytes(raw[:200])
    body, rest = bytearray(), memoryview(raw)[head_end + 4 :]
    while True:  # the HTTP chunked framing
        line_end = bytes(rest[:20]).index(b"\r\n")
        size = int(bytes(rest[:line_end]), 16)
        if size == 0:
            break
        body += rest[line_end + 2 : line_end + 2 + size]
        rest = rest[line_end + 4 + size :]
    payload, complete = bytearray(), {}
    for headers, data in Decoder().feed(bytes(body)):
        if headers[":event-type"] == "PayloadChunk":
            payload += data
        else:
            complete = json.loads(data)
    return bytes(payload), complete


def test_a_slow_reader_holds_the_runtime_back_and_memory_stays_bounded() -> None:
    proc, port = _start_emulator()
    try:
        warm, _ = _invoke_stream(port, b'{"mb": 1}', 0)
        assert len(warm) == 1 << 20
        before = _vm_hwm_kb(proc.pid)
        start = time.monotonic()
        payload, complete = _invoke_stream(port, json.dumps({"mb": MB}).encode(), 0.002)
        took = time.monotonic() - start
        grown_mb = (_vm_hwm_kb(proc.pid) - before) / 1024
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # the emulator stops its runtime and exits
        if proc.wait(30) is None:
            proc.kill()
    assert complete == {}  # InvokeComplete without an error
    expected = b"".join(bytes([i % 251]) * BLOCK for i in range(MB * 1024 * 1024 // BLOCK))
    assert payload == expected
    assert took > 1  # the reader really was slow: 800 reads with a pause after each
    assert grown_mb < 12, f"the emulator's peak RSS grew by {grown_mb:.1f} MB for {MB} MB"
