"""Measure the Runtime API transport candidates (numbers for README "Design").

    .venv/bin/python tests/runtime/measure_transport.py [--rounds 5000]

1. Per-invocation client cost: one ``GET next`` + one ``POST response`` against a
   minimal keep-alive Runtime API stub in another process, for the hand-written client,
   ``http.client`` (keep-alive) and ``httpx.Client`` (keep-alive).
2. Import cost of each client on a fresh interpreter (median wall time minus ``pass``),
   both alone and on top of ``msgspec.json`` (which the runtime imports anyway).
3. Runtime init, spawn -> first ``GET next``: ``python -m native_lambda`` vs
   ``python -m awslambdaric`` on the same handler.

Not a test: it prints a table. The stub answers with one ``sendall`` per response, so its
own cost is identical for every client.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

Queue = Any  # multiprocessing.Queue is not subscriptable on every supported Python

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = Path(__file__).resolve().parent / "handlers"
WARM = 2000  # invocations timed by the warm-loop measurement
# The floor: an interpreter that only connects and asks for the next invocation.
BARE = (
    "import os, socket; h, p = os.environ['AWS_LAMBDA_RUNTIME_API'].split(':');"
    "s = socket.create_connection((h.encode(), int(p)));"
    "s.sendall(b'GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\n\\r\\n'); s.recv(1)"
)
EVENT = b'{"name":"Ana","times":2}'
NEXT = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b"Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n"
    b"Lambda-Runtime-Deadline-Ms: 1542409706888\r\n"
    b"Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:1:function:f\r\n"
    b"Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(EVENT), EVENT)
)
ACCEPTED = (
    b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
    b'Content-Length: 16\r\n\r\n{"status":"OK"}\n'
)


def stub(sock: socket.socket, first_next: Queue) -> None:
    """Serve each connection on a thread; report the time of each connection's first GET."""
    import threading

    while True:
        conn, _ = sock.accept()
        threading.Thread(target=_serve_one, args=(conn, first_next), daemon=True).start()


def _serve_one(conn: socket.socket, first_next: Queue) -> None:
    with contextlib.suppress(OSError):  # the client under test was killed
        _exchange(conn, first_next)


def _exchange(conn: socket.socket, first_next: Queue) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    gets = 0
    buf = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, _, buf = buf.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            while len(buf) < length:
                buf += conn.recv(65536)
            buf = buf[length:]
            if head.startswith(b"GET"):
                gets += 1
                if gets == 1 or gets == WARM + 1:
                    first_next.put(time.time())
                conn.sendall(NEXT)
            else:
                conn.sendall(ACCEPTED)


def bench_ours(address: str, rounds: int) -> float:
    sys.path.insert(0, str(ROOT / "src"))
    from native_lambda._client import RuntimeApi

    api = RuntimeApi(address)
    start = time.perf_counter()
    for _ in range(rounds):
        api.next()
        api.respond("8476a536-e9f4-11e8-9739-2dfe598c3fcd", b'{"message":"Hello"}')
    elapsed = time.perf_counter() - start
    api.conn.close()
    return elapsed / rounds


def bench_http_client(address: str, rounds: int) -> float:
    import http.client

    conn = http.client.HTTPConnection(address)
    path = "/2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response"
    start = time.perf_counter()
    for _ in range(rounds):
        conn.request("GET", "/2018-06-01/runtime/invocation/next")
        r = conn.getresponse()
        r.read()
        dict(r.getheaders())
        conn.request("POST", path, b'{"message":"Hello"}', {"Content-Type": "application/json"})
        conn.getresponse().read()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed / rounds


def bench_httpx(address: str, rounds: int) -> float:
    import httpx

    client = httpx.Client(base_url=f"http://{address}", timeout=None)
    path = "/2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response"
    start = time.perf_counter()
    for _ in range(rounds):
        r = client.get("/2018-06-01/runtime/invocation/next")
        r.read()
        client.post(path, content=b'{"message":"Hello"}').read()
    elapsed = time.perf_counter() - start
    client.close()
    return elapsed / rounds


def import_ms(module: str, prefix: str = "", runs: int = 15) -> float:
    """Median ``-X importtime`` cumulative time of ``module`` (after ``prefix`` imports)."""
    code = f"{prefix}; import {module}" if prefix else f"import {module}"
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            check=True,
            env=_env(),
            capture_output=True,
            text=True,
        )
        total = 0
        for line in done.stderr.splitlines():
            parts = [p.strip() for p in line.split("|")]
            # Top-level entries of the measured import (no leading indentation).
            if len(parts) == 3 and parts[2] == module:
                total = int(parts[1])
        times.append(total)
    return statistics.median(times) / 1000


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = str(ROOT / "src")
    return env


def init_ms(commands: dict[str, list[str]], address: str, first_next: Queue, runs: int) -> None:
    """Spawn -> first GET next; the commands are interleaved so load drifts hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            env = {**_env(), "AWS_LAMBDA_RUNTIME_API": address}
            start = time.time()
            proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
            times[name].append(first_next.get(timeout=60) - start)
            proc.kill()
            proc.wait()
            while not first_next.empty():
                first_next.get()
    for name, values in times.items():
        print(
            f"  {name:20s} median {statistics.median(values) * 1000:6.1f} ms"
            f"   min {min(values) * 1000:6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    address = f"127.0.0.1:{sock.getsockname()[1]}"
    first_next: Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=stub, args=(sock, first_next), daemon=True)
    server.start()

    print(f"Per invocation (GET next + POST response), {args.rounds} rounds, median of 3:")
    benches = (
        ("raw socket (ours)", bench_ours),
        ("http.client", bench_http_client),
        ("httpx", bench_httpx),
    )
    for name, bench in benches:
        results = []
        for _ in range(3):
            results.append(bench(address, args.rounds))
            while not first_next.empty():
                first_next.get()
        print(f"  {name:20s} {statistics.median(results) * 1e6:8.1f} us")

    print(f"Import cost (-X importtime cumulative, median of {args.runs} interpreters):")
    modules = ("native_lambda._client", "http.client", "httpx", "msgspec.json", "logging")
    for module in modules:
        alone = import_ms(module, runs=args.runs)
        after = (
            import_ms(module, "import msgspec.json", runs=args.runs)
            if module != "msgspec.json"
            else 0.0
        )
        print(f"  {module:22s} alone {alone:6.1f} ms   after msgspec {after:6.1f} ms")

    print(f"Init, spawn -> first GET next ({args.runs} runs, interleaved):")
    init_ms(
        {
            "native_lambda": [sys.executable, "-m", "native_lambda", "examples.greeting.handler"],
            "awslambdaric": [sys.executable, "-m", "awslambdaric", "examples.greeting.handler"],
            "bare interpreter": [sys.executable, "-c", BARE],
        },
        address,
        first_next,
        args.runs,
    )
    print(f"Warm loop, whole runtime, echo handler (fns.untyped), {WARM} invocations:")
    for name, command in (
        ("native_lambda", [sys.executable, "-m", "native_lambda", "fns.untyped"]),
        ("awslambdaric", [sys.executable, "-m", "awslambdaric", "fns.untyped"]),
    ):
        print(f"  {name:20s} {warm_us(command, address, first_next):6.1f} us/invoke")
    server.terminate()


def warm_us(command: list[str], address: str, first_next: Queue) -> float:
    while not first_next.empty():
        first_next.get()
    env = {**_env(), "AWS_LAMBDA_RUNTIME_API": address}
    proc = subprocess.Popen(command, env=env, cwd=HANDLERS, stdout=subprocess.DEVNULL)
    try:
        first = first_next.get(timeout=60)
        last = first_next.get(timeout=300)
    finally:
        proc.kill()
        proc.wait()
    return (last - first) / WARM * 1e6


if __name__ == "__main__":
    main()
