"""Measure the emulator's cost per invoke round trip (not a test; run it by hand).

    .venv/bin/python tests/emulator/bench_emulator.py [N] [ROUNDS]

A tiny echo runtime (raw socket) serves; a client in *another process* invokes N times over
one keep-alive connection. Printed per invoke: the client's wall time, and the CPU the
server process used. Compared with two minimal relays that only do what any Runtime API
server must (asyncio.Protocol, and asyncio streams), which bound what Python can do.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ECHO = [sys.executable, str(HERE / "echo_runtime.py")]
ROOT = HERE.parents[1]


def client(port: int, n: int) -> float:
    """Wall µs per invoke over one raw keep-alive connection (after a warm-up)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = (
        b"POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
        b'Host: x\r\nContent-Length: 7\r\n\r\n{"a":1}'
    )

    def once() -> None:
        sock.sendall(request)
        data = b""
        while not data.endswith(b'{"a":1}'):
            data += sock.recv(65536)

    for _ in range(300):
        once()
    started = time.perf_counter()
    for _ in range(n):
        once()
    return (time.perf_counter() - started) / n * 1e6


def serve_emulator(port: int, ready: socket.socket) -> None:
    sys.path.insert(0, str(ROOT / "toolchain"))
    from native_lambda_toolchain.emulator import Emulator

    with Emulator(ECHO, port=port) as emu:
        emu.wait_ready()
        _measure_cpu(ready)


def _measure_cpu(ready: socket.socket) -> None:
    ready.sendall(b"r")
    ready.recv(1)  # client starts timing
    cpu = time.process_time()
    ready.recv(1)  # client done
    ready.sendall(f"{time.process_time() - cpu}".encode())


def serve_relay(port: int, ready: socket.socket, streams: bool) -> None:
    """The least a Runtime API server does: relay invoke → next, response → invoke answer."""
    waiting: list = []  # runtime /next writer waiting
    clients: list = []  # invoke writers waiting for an answer
    queue: list = []

    def parse(buf: bytes):
        head, sep, rest = buf.partition(b"\r\n\r\n")
        if not sep:
            return None
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if len(rest) < length:
            return None
        return head.split(b" ", 2)[1], rest[:length], rest[length:]

    def handle(target: bytes, body: bytes, write) -> None:
        if target.endswith(b"/next"):
            if queue:
                event, client_write = queue.pop(0)
                clients.append(client_write)
                write(_event(event))
            else:
                waiting.append(write)
        elif target.endswith(b"/response"):
            write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            clients.pop(0)(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        elif waiting:
            clients.append(write)
            waiting.pop(0)(_event(body))
        else:
            queue.append((body, write))

    class Relay(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport
            self.buf = b""

        def data_received(self, data):
            self.buf += data
            while parsed := parse(self.buf):
                target, body, self.buf = parsed
                handle(target, body, self.transport.write)

    async def on_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
                return
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length) if length else b""
            handle(head.split(b" ", 2)[1], body, writer.write)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        if streams:
            server = await asyncio.start_server(on_stream, "127.0.0.1", port)
        else:
            server = await loop.create_server(Relay, "127.0.0.1", port)
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}")
        runtime = subprocess.Popen(ECHO, env=env)
        await asyncio.sleep(0.3)
        await loop.run_in_executor(None, _measure_cpu, ready)
        runtime.kill()
        server.close()

    asyncio.run(main())


def _event(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: 0\r\nContent-Length: %d\r\n\r\n%s"
        % (len(body), body)
    )


def run(kind: str, n: int) -> tuple[float, float]:
    """One server in a forked process, timed by this one: (wall µs, server CPU µs) per invoke."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    parent, child = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        parent.close()
        try:
            if kind == "emulator":
                serve_emulator(port, child)
            else:
                serve_relay(port, child, streams=(kind == "streams"))
        finally:
            os._exit(0)
    child.close()
    parent.recv(1)
    parent.sendall(b"s")
    wall = client(port, n)
    parent.sendall(b"d")
    cpu = float(parent.recv(64).decode())
    os.waitpid(pid, 0)
    return wall, cpu / (n + 300) * 1e6


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    kinds = {
        "protocol": "minimal asyncio.Protocol",
        "streams": "minimal asyncio streams",
        "emulator": "native-lambda emulator",
    }
    results: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    for _ in range(rounds):  # interleaved, so a busy machine hurts all alike
        for kind in kinds:
            results[kind].append(run(kind, n))
    print(f"{'server':<28}{'wall µs/invoke: median':>24}{'min':>8}{'server CPU µs':>16}")
    for kind, label in kinds.items():
        walls = sorted(w for w, _ in results[kind])
        cpus = sorted(c for _, c in results[kind])
        print(
            f"{label:<28}{walls[len(walls) // 2]:>24.0f}{walls[0]:>8.0f}"
            f"{cpus[len(cpus) // 2]:>16.0f}"
        )


if __name__ == "__main__":
    main()
