"""Managed Instances for ``async def`` handlers: N forked workers against one event loop.

An I/O-bound ``async def`` handler (``await asyncio.sleep(0.05)``) under the local emulator at
AWS_LAMBDA_MAX_CONCURRENCY N = 1, 2, 4, 8, served both ways the runtime offers
(NATIVE_LAMBDA_ASYNC_CONCURRENCY=fork | loop):

* throughput: invocations per second with 2N client threads, the two modes run alternately
  (paired rounds, median of the rounds), so machine load hits both alike; and at N = 8 with
  waits spread over 25-75 ms, so that invocations do not all end at the same moment;
* CPU: the runtime's own user + system time per invocation (its whole process tree);
* memory: PSS (``/proc/<pid>/smaps_rollup``) of the runtime's whole process tree, with
  ~20 MB of objects built at init (``CONC_BALLAST``), the total for the environment.

N = 1 is the plain one-process runtime (the variable unset), the same for both modes.
The runtime runs on CPython (``python -m native_lambda``); the figures are this machine's.
``--rounds`` and ``--seconds`` trade time for steadier figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from native_lambda_toolchain.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
HANDLER = "tests.concurrency.handlers.conc_fns.async_sleepy"
COMMAND = [sys.executable, "-m", "native_lambda"]
BASE_ENV = {"LAMBDA_TASK_ROOT": str(ROOT), "PYTHONPATH": str(ROOT / "src"), "_HANDLER": HANDLER}
MODES = ("fork", "loop")
SLEEP = 0.05


def emulator(n: int, mode: str, **env: str) -> Emulator:
    extra = {"AWS_LAMBDA_MAX_CONCURRENCY": str(n), "NATIVE_LAMBDA_ASYNC_CONCURRENCY": mode}
    emu = Emulator(COMMAND, env=dict(BASE_ENV, **(extra if n > 1 else {}), **env), cwd=str(ROOT))
    emu.start()
    assert emu.wait_ready(60), emu.logs()
    return emu


def throughput(n: int, mode: str, seconds: float, jitter: bool = False) -> tuple[float, float]:
    """(invocations per second, the runtime's CPU milliseconds per invocation). Without
    ``jitter`` every wait is 50 ms, so invocations started together end together; with it
    they wait 25-75 ms (50 on average) and end spread out."""
    total = max(20, int(n * seconds / SLEEP))
    spread = [SLEEP * (0.5 + random.random()) if jitter else SLEEP for _ in range(total)]
    events = [json.dumps({"sleep": wait}) for wait in spread]
    with emulator(n, mode) as emu, ThreadPoolExecutor(2 * n) as pool:
        list(pool.map(lambda e: emu.invoke(e), events[: n * 4]))  # warm
        assert emu.pid is not None
        cpu = cpu_s(emu.pid)
        start = time.monotonic()
        results = list(pool.map(lambda e: emu.invoke(e), events))
        took = time.monotonic() - start
        cpu = cpu_s(emu.pid) - cpu
    assert all(r.function_error is None for r in results), results[0].body
    return total / took, cpu * 1000 / total


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of ``pid`` and its descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in tree(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def pss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise RuntimeError("no Pss line")


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(p) for p in path.read_text().split()] if path.exists() else []
    return [pid] + [p for kid in kids for p in tree(kid)]


def memory_mb(n: int, mode: str) -> float:
    with emulator(n, mode, CONC_BALLAST="1") as emu, ThreadPoolExecutor(n) as pool:
        list(pool.map(lambda _: emu.invoke(b'{"sleep": 0.01}'), range(n * 8)))
        assert emu.pid is not None
        return sum(pss_kb(p) for p in tree(emu.pid)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="per throughput run")
    args = parser.parse_args()
    figures: dict[str, object] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
    }
    rates: dict[int, dict[str, list[float]]] = {}
    cpu: dict[int, dict[str, list[float]]] = {}
    for n in (1, 2, 4, 8):
        rates[n] = {mode: [] for mode in MODES}
        cpu[n] = {mode: [] for mode in MODES}
        for _ in range(args.rounds):
            for mode in MODES if n > 1 else MODES[:1]:
                rate, cpu_ms = throughput(n, mode, args.seconds)
                rates[n][mode].append(rate)
                cpu[n][mode].append(cpu_ms)
    figures["throughput_per_s"] = {
        n: {mode: round(statistics.median(r), 1) for mode, r in by.items() if r}
        for n, by in rates.items()
    }
    figures["runtime_cpu_ms_per_invocation"] = {
        n: {mode: round(statistics.median(c), 2) for mode, c in by.items() if c}
        for n, by in cpu.items()
    }
    jittered: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(args.rounds):
        for mode in MODES:
            jittered[mode].append(throughput(8, mode, args.seconds, jitter=True)[0])
    figures["throughput_per_s_n8_jittered_waits"] = {
        mode: round(statistics.median(r), 1) for mode, r in jittered.items()
    }
    figures["loop_to_fork_throughput"] = {
        n: round(statistics.median(by["loop"]) / statistics.median(by["fork"]), 2)
        for n, by in rates.items()
        if by["loop"]
    }
    memory = {n: {mode: round(memory_mb(n, mode), 1) for mode in MODES} for n in (2, 4, 8)}
    figures["pss_total_mb"] = memory
    figures["one_init_pss_mb"] = round(memory_mb(1, "fork"), 1)
    figures["load_after"] = os.getloadavg()[0]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
