"""How much of a measured round trip is the server's: the project emulator vs. server.py.

    python scripts/bench/overhead.py [--n 2000]

Runs the C floor (a runtime that costs ~nothing) against both servers and prints the median
and p99 round trip: emulator = client-side ``Emulator.invoke`` (invoke endpoint -> /next ->
/response -> reply), lean = the bench server's /next-to-/next turn. Whatever the floor shows
is pure server + kernel time that every contender's figure also contains.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench import payloads  # noqa: E402
from scripts.bench.report import p99  # noqa: E402
from scripts.bench.runtimes import Runtime, compile_floor  # noqa: E402
from scripts.bench.session import Session  # noqa: E402


def lean(floor: Path, n: int, event: bytes, logs: Path) -> list[float]:
    with Session(Runtime("floor", "C floor", [str(floor)]), logs) as s:
        s.start(event)
        s.run_group("x", event, n)
        return s.result.round_trips_us["x"]


def emulator(floor: Path, n: int, event: bytes) -> list[float]:
    from native_lambda_toolchain.emulator import Emulator

    out = []
    with Emulator([str(floor)]) as emu:
        emu.invoke(event)
        for _ in range(n):
            t0 = time.perf_counter_ns()
            res = emu.invoke(event)
            out.append((time.perf_counter_ns() - t0) / 1e3)
            assert res.status == 200, res
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    event = payloads.make(payloads.SIZES["1KB"])
    with tempfile.TemporaryDirectory() as tmp:
        floor = compile_floor(Path(tmp))
        rows = []
        for _ in range(3):  # interleaved
            rows.append(("lean bench server", lean(floor, args.n, event, Path(tmp))))
            rows.append(("project emulator", emulator(floor, args.n, event)))
    for name in ("lean bench server", "project emulator"):
        meds = [statistics.median(s) for n, s in rows if n == name]
        p99s = [p99(s) for n, s in rows if n == name]
        print(
            f"{name:20s} floor round trip median {statistics.median(meds):7.0f} µs, "
            f"p99 {statistics.median(p99s):7.0f} µs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
