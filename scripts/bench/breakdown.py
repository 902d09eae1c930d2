"""Where init time and memory go: an import-time profile and an smaps breakdown at init.

    python scripts/bench/breakdown.py [--python 3.13]   # after run.py, which builds it

Starts the compiled bench function and awslambdaric (same interpreter) against the bench's
Runtime API server, answers the first event, and while each waits for the second reads
``/proc/<pid>/smaps``: resident (Rss) and proportional (Pss) kB summed by what is mapped
(the bootstrap ELF's text, read-only data and data; libpython; other shared libraries;
extension modules; heap and anonymous memory). Then it starts the compiled bootstrap again
with ``PYTHONPROFILEIMPORTTIME=1`` (CPython's import profiler, which a Nuitka program
honours) and lists the imports with the largest self time. Writes
``bench-results/breakdown.md``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench import payloads, pyenvs  # noqa: E402
from scripts.bench.runtimes import (  # noqa: E402
    HANDLER,
    Artifact,
    Runtime,
    make_clean_venv,
    native_runtime,
)
from scripts.bench.session import Session  # noqa: E402

_HEADER = re.compile(r"^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \d+\s*(.*)$")


def category(path: str, perms: str) -> str:
    name = Path(path).name
    if not path:
        return "anonymous"
    if path.startswith("["):
        return path  # [heap], [stack], [vdso] ...
    if name == "bootstrap":
        kind = {"r-xp": "text", "r--p": "read-only data (.rodata: constants, bytecode)"}
        return f"bootstrap ELF: {kind.get(perms, 'data / relro')}"
    if name.startswith("libpython"):
        return "libpython"
    if ".cpython-" in name or name.endswith(".abi3.so"):
        return "extension modules"
    if ".so" in name:
        return f"shared library {name.split('.so')[0]}"
    return f"file {name}"


def smaps(pid: int) -> dict[str, list[int]]:
    """category -> [Rss kB, Pss kB]."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    current = "anonymous"
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = _HEADER.match(line)
            if m:
                current = category(m.group(2).strip(), m.group(1))
            elif line.startswith("Rss:"):
                out[current][0] += int(line.split()[1])
            elif line.startswith("Pss:"):
                out[current][1] += int(line.split()[1])
    return dict(out)


def table(rows: dict[str, dict[str, list[int]]]) -> list[str]:
    names = list(rows)
    cats = sorted(
        {c for r in rows.values() for c in r},
        key=lambda c: -max(r.get(c, [0, 0])[0] for r in rows.values()),
    )
    lines = ["| mapping | " + " | ".join(f"{n} Rss / Pss MiB" for n in names) + " |"]
    lines.append("|---|" + "---|" * len(names))
    for c in cats:
        cells = [
            f"{rows[n].get(c, [0, 0])[0] / 1024:.2f} / {rows[n].get(c, [0, 0])[1] / 1024:.2f}"
            for n in names
        ]
        if any(rows[n].get(c, [0, 0])[0] >= 100 for n in names):
            lines.append(f"| {c} | " + " | ".join(cells) + " |")
    rss = {n: sum(v[0] for v in rows[n].values()) / 1024 for n in names}
    pss = {n: sum(v[1] for v in rows[n].values()) / 1024 for n in names}
    totals = [f"{rss[n]:.2f} / {pss[n]:.2f}" for n in names]
    lines.append("| **total** | " + " | ".join(totals) + " |")
    return lines


#: What a msgspec patch deferring its eager imports in ``_core``'s init could leave out of a
#: typed handler's init (``typing``, ``re``, ``enum`` are needed for the typed decoder anyway).
DEFERRABLE = ("datetime", "_datetime", "decimal", "_decimal", "numbers", "uuid", "_uuid")


def section_sizes(binary: Path) -> dict[str, int]:
    """Sizes of the bootstrap's ``.text`` and ``.rodata`` (``readelf -SW``), to set beside
    what of them is resident."""
    out = subprocess.run(
        ["readelf", "-SW", str(binary)], capture_output=True, text=True, check=True
    )
    sizes = {}
    for line in out.stdout.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 5 and parts[1] in (".text", ".rodata"):
            sizes[parts[1]] = int(parts[5], 16)
    return sizes


def import_profile(rt: Runtime, logs: Path, top: int, runs: int) -> list[str]:
    """Median self and cumulative import times over ``runs`` fresh starts of ``rt`` with
    ``PYTHONPROFILEIMPORTTIME=1`` (a compiled bootstrap honours it too)."""
    rt = Runtime(
        f"{rt.name}-importtime",
        rt.label,
        rt.command,
        cwd=rt.cwd,
        env={**rt.env, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    event = payloads.make(payloads.SIZES["1KB"])
    own: dict[str, list[int]] = defaultdict(list)
    cum: dict[str, list[int]] = defaultdict(list)
    depth: dict[str, int] = {}
    log_path = logs / f"{rt.name}.log"
    for _ in range(runs):
        if log_path.exists():
            log_path.unlink()
        with Session(rt, logs) as s:
            s.start(event)
        for line in log_path.read_text(errors="replace").splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)", line)
            if m:
                own[m.group(4)].append(int(m.group(1)))
                cum[m.group(4)].append(int(m.group(2)))
                depth[m.group(4)] = len(m.group(3))

    def med(xs: list[int]) -> float:
        return statistics.median(xs) / 1000

    total = sum(med(cum[k]) for k in cum if depth[k] == 1)
    deferrable = sum(med(own[k]) for k in DEFERRABLE if k in own)
    lines = [
        f"{len(own)} modules imported; top-level imports {total:.1f} ms in all (medians of "
        f"{runs} starts, measured with the profiler on, which slows imports). Self time of "
        f"what a msgspec deferral could leave out ({', '.join(DEFERRABLE)}): {deferrable:.1f} ms.",
        "",
        "| module (largest self time) | self ms | cumulative ms |",
        "|---|---|---|",
    ]
    for name in sorted(own, key=lambda k: -med(own[k]))[:top]:
        lines.append(f"| {name} | {med(own[name]):.1f} | {med(cum[name]):.1f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--dist-dir",
        type=Path,
        help="unpacked build: task/ and opt/ (default: run.py's build of that Python)",
    )
    p.add_argument("--python", default=pyenvs.DEFAULT_VERSIONS[0])
    p.add_argument("--out", type=Path, default=REPO / "bench-results")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--runs", type=int, default=7, help="starts profiled (medians)")
    args = p.parse_args(argv)
    env_python = pyenvs.ensure_env(args.python)
    work = (args.out / "work" / f"py{args.python}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    logs = args.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    python = str(make_clean_venv(work, env_python))
    dist = (args.dist_dir or work / "unpacked-native").resolve()
    art = Artifact(dist / "task", dist / "opt", None, None)
    rts = [
        native_runtime("native", art, python=args.python, tuning=True, target="host"),
        Runtime("awslambdaric", "awslambdaric", [python, "-m", "awslambdaric", HANDLER]),
    ]
    event = payloads.make(payloads.SIZES["1KB"])
    rows = {}
    for rt in rts:
        with Session(rt, logs) as s:
            s.start(event)
            time.sleep(0.2)  # the runtime is back at GET /next, waiting
            assert s.proc is not None
            rows[rt.name] = smaps(s.proc.pid)
    text = [f"Python {args.python}, after init and one 1 KB invocation:", "", *table(rows)]
    sizes = section_sizes(art.bootstrap)
    text += [
        "",
        "bootstrap ELF sections: "
        + ", ".join(f"{name} {size / 2**20:.2f} MB" for name, size in sizes.items()),
    ]
    text += ["", f"Import-time profile of the compiled bootstrap, Python {args.python}:", ""]
    text += import_profile(rts[0], logs, args.top, args.runs)
    out = "\n".join(text) + "\n"
    (args.out / "breakdown.md").write_text(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
