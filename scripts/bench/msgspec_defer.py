"""Upper bound of what deferring msgspec's eager imports could save at init.

    python scripts/bench/msgspec_defer.py --python 3.13 [--runs 40]

msgspec's C module imports typing, re, enum, collections, datetime, decimal and uuid when it
loads. A typed handler needs ``typing`` (and with it ``re``, ``enum``, ``collections``) at
init anyway: the runtime builds the event decoder from the handler's annotations. A patch that
defers them in ``_core``'s init can therefore save at most what ``datetime``, ``decimal`` and
``uuid`` cost on top. Interleaved fresh processes of ``python -S -I`` import the two sets;
the medians of their CPU time (``wait4``) and their difference are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench import pyenvs  # noqa: E402

NEEDED = "import typing, re, enum, collections"
DEFERRABLE = NEEDED + ", datetime, decimal, uuid"


def cpu_ms(python: str, code: str) -> float:
    proc = subprocess.Popen([python, "-S", "-I", "-c", code], env={})
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{python} -c {code!r} failed")
    return (usage.ru_utime + usage.ru_stime) * 1e3


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--python", default=pyenvs.DEFAULT_VERSIONS[0])
    p.add_argument("--runs", type=int, default=40)
    args = p.parse_args(argv)
    python = pyenvs.find_interpreter(args.python)
    base, full, diff = [], [], []
    for _ in range(args.runs):
        a, b = cpu_ms(python, NEEDED), cpu_ms(python, DEFERRABLE)
        base.append(a)
        full.append(b)
        diff.append(b - a)
    print(
        f"Python {args.python}, {args.runs} interleaved pairs, CPU ms medians: "
        f"[{NEEDED}] {statistics.median(base):.1f}; + datetime, decimal, uuid "
        f"{statistics.median(full):.1f}; paired difference {statistics.median(diff):.1f} ms "
        "(upper bound of the deferral's gain for a typed handler)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
