"""Import cost of each events module, on top of what the runtime already loaded.

``python tests/events/import_cost.py [--python PY] [--runs N]`` prints, per module, the
best (minimum over the runs) CPU and wall time ``import native_lambda.events.<module>``
adds, each run in a fresh interpreter after ``msgspec`` and ``native_lambda`` are imported
(the runtime has both loaded before a handler module imports an events module). The
minimum is the number to trust on a busy machine. Bytecode is cached (in a temporary
``PYTHONPYCACHEPREFIX``) so compiling the source is not counted: a Nuitka bootstrap has no
compile step either. ``measure_all()`` returns ``{module: (cpu_us, wall_us)}``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Tuple

if __package__ in (None, ""):  # run as a script: make `tests.events` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.events.import_probe import MODULES  # the same list the compiled probe knows

_PROBE = """
import time, msgspec, msgspec.json, native_lambda
cpu, wall = time.process_time_ns(), time.perf_counter_ns()
import native_lambda.events.{module}
print(time.process_time_ns() - cpu, time.perf_counter_ns() - wall)
"""


def measure(module: str, python: str = sys.executable, runs: int = 9) -> Tuple[float, float]:
    """Best (CPU µs, wall µs) that ``import native_lambda.events.<module>`` adds."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cpu, wall = [], []
    with tempfile.TemporaryDirectory(prefix="events-pyc-") as cache:
        env["PYTHONPYCACHEPREFIX"] = cache
        for run in range(runs + 1):
            out = subprocess.run(
                [python, "-c", _PROBE.format(module=module)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            ).stdout.split()
            if run:  # the first run writes the bytecode
                cpu.append(int(out[0]) / 1000)
                wall.append(int(out[1]) / 1000)
    return min(cpu), min(wall)


def measure_all(python: str = sys.executable, runs: int = 9) -> Dict[str, Tuple[float, float]]:
    return {module: measure(module, python, runs) for module in MODULES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print(f"{'module':<38} {'cpu µs':>8} {'wall µs':>8}")
    for module, (cpu, wall) in measure_all(args.python, args.runs).items():
        print(f"native_lambda.events.{module:<17} {cpu:8.0f} {wall:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
