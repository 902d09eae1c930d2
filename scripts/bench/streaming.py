"""Response streaming and Managed Instances concurrency, measured under the local emulator.

* Streaming: time to first byte of a 1 MiB answer produced in 16 pieces (10 ms of work each),
  streamed (InvokeWithResponseStream) against buffered (Invoke).
* Concurrency: throughput of an I/O-bound handler (50 ms sleep) at AWS_LAMBDA_MAX_CONCURRENCY
  N = 1, 2, 4, 8, and the memory of N pre-forked workers (PSS from /proc/<pid>/smaps_rollup,
  so shared copy-on-write pages are split between the processes that share them) against N
  independent processes that each ran init (the managed Python runtime's model).

The runtime runs on CPython (``python -m native_lambda``); the figures are this machine's.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from native_lambda_toolchain.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
STREAM = "tests.streaming.handlers.stream_fns"
SLEEPY = "tests.concurrency.handlers.conc_fns.sleepy"
COMMAND = [sys.executable, "-m", "native_lambda"]
BASE_ENV = {"LAMBDA_TASK_ROOT": str(ROOT), "PYTHONPATH": str(ROOT / "src")}


def emulator(handler: str, **env: str) -> Emulator:
    emu = Emulator(COMMAND, env=dict(BASE_ENV, _HANDLER=handler, **env), cwd=str(ROOT))
    emu.start()
    assert emu.wait_ready(60), emu.logs()
    return emu


def ttfb(rounds: int = 10) -> dict[str, float]:
    streamed, buffered = [], []
    with emulator(f"{STREAM}.one_mb_streamed") as emu:
        for _ in range(rounds):
            start = time.monotonic()
            result = emu.invoke_stream(b"{}")
            assert len(result.payload) == 1 << 20
            streamed.append((result.chunks[0][0] - start) * 1000)
    with emulator(f"{STREAM}.one_mb_buffered") as emu:
        for _ in range(rounds):
            start = time.monotonic()
            result = emu.invoke(b"{}")
            assert len(result.body) == 1 << 20
            buffered.append((time.monotonic() - start) * 1000)
    return {
        "streamed_ttfb_ms": round(statistics.median(streamed), 1),
        "buffered_ttfb_ms": round(statistics.median(buffered), 1),
    }


def throughput(n: int, total: int = 400) -> float:
    with emulator(SLEEPY, AWS_LAMBDA_MAX_CONCURRENCY=str(n)) as emu:
        event = json.dumps({"sleep": 0.05})
        with ThreadPoolExecutor(max(n, 1) * 2) as pool:
            list(pool.map(lambda _: emu.invoke(event), range(n * 4)))  # warm
            start = time.monotonic()
            results = list(pool.map(lambda _: emu.invoke(event), range(total)))
        took = time.monotonic() - start
        assert all(r.function_error is None for r in results)
    return round(total / took, 1)


def pss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise RuntimeError("no Pss line")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def memory(n: int) -> dict[str, float]:
    env = {"CONC_BALLAST": "1"}
    with emulator(SLEEPY, AWS_LAMBDA_MAX_CONCURRENCY=str(n), **env) as emu:
        list(ThreadPoolExecutor(n).map(lambda _: emu.invoke(b"{}"), range(n * 4)))
        assert emu.pid is not None
        workers = children(emu.pid)
        forked = pss_kb(emu.pid) + sum(pss_kb(p) for p in workers)
    separate = []
    emus = [emulator(SLEEPY, **env) for _ in range(n)]
    try:
        for emu in emus:
            emu.invoke(b"{}")
        separate = [pss_kb(emu.pid) for emu in emus if emu.pid is not None]
    finally:
        for emu in emus:
            emu.stop()
    return {
        "forked_total_mb": round(forked / 1024, 1),
        "forked_per_worker_mb": round(forked / 1024 / n, 1),
        "separate_total_mb": round(sum(separate) / 1024, 1),
        "separate_per_process_mb": round(sum(separate) / 1024 / n, 1),
    }


def main() -> None:
    figures: dict[str, object] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    figures["streaming_1mb"] = ttfb()
    figures["throughput_per_s"] = {n: throughput(n) for n in (1, 2, 4, 8)}
    figures["memory"] = {n: memory(n) for n in (2, 4, 8)}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
