"""Where a rebuild after a one-line handler change spends its time, phase by phase.

    python scripts/bench/rebuild_phases.py --python 3.13

Copies the bench function, builds it once (kept work folder, warm ccache: the state of a
developer's second build), changes one line of the handler and builds again, then once more
with no change. Each build's Nuitka phases are timed from its progress lines (``nuitka_run``
prints the elapsed seconds at every phase change); the pipeline's own stages (vendor, ABI,
zips) come from ``BuildResult.timings``. Writes ``bench-results/rebuild-phases.md``.
Runs the build with that Python's environment (``pyenvs``), like the benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench import pyenvs  # noqa: E402

_BUILD = """
import json, sys, time
from pathlib import Path
from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build.config import BuildConfig
from native_lambda_toolchain.build.pipeline import BuildRequest, build
fn, work = Path(sys.argv[1]), Path(sys.argv[2])
lines = []
start = time.monotonic()
def progress(line):
    lines.append(line)
result = build(BuildRequest(config=BuildConfig(project_dir=fn,
    handler=HandlerRef.parse("bench_echo.handler")), target="host", out_dir=work / "dist",
    work_dir=work / "build", progress=progress))
print(json.dumps({"total": time.monotonic() - start, "lines": lines,
                  "timings": result.timings}))
"""
_PHASE = re.compile(r"^\s*\[\s*([\d.]+)s\] (.+)$")
_DONE = re.compile(r"^compiled in ([\d.]+)s")


def phases(lines: list[str]) -> list[tuple[str, float]]:
    """(phase, seconds spent in it) from the progress lines' elapsed stamps: Nuitka's start
    up to its first phase, each phase, and after the last one (standalone collection) up to
    the end of the Nuitka run ("compiled in N s")."""
    marks = [(m.group(2), float(m.group(1))) for m in map(_PHASE.match, lines) if m]
    marks = [(name, t) for name, t in marks if not name.startswith("still ")]
    ends = [float(m.group(1)) for m in map(_DONE.match, lines) if m]
    end = ends[-1] if ends else (marks[-1][1] if marks else 0.0)
    out = [("Nuitka start", marks[0][1] if marks else 0.0)]
    for (name, t), (_, nxt) in zip(marks, [*marks[1:], ("end", end)]):
        out.append((name, nxt - t))
    return out


def outside_nuitka(res: dict[str, Any]) -> float:
    """Compile-stage seconds outside the Nuitka run: handler check, entry, import scan."""
    ends = [float(m.group(1)) for m in map(_DONE.match, res["lines"]) if m]
    return float(res["timings"].get("compile", 0.0)) - (ends[-1] if ends else 0.0)


def analysis_by_kind(report: Path) -> list[str]:
    """Nuitka's optimisation seconds per module kind in the last build (its report's
    ``optimization-time``): what the "analysing" phase spends on compiled code (the handler,
    the runtime, compiled packages) against the stdlib it ships as bytecode."""
    import xml.etree.ElementTree as ET

    seconds: dict[str, float] = {}
    count: dict[str, int] = {}
    for mod in ET.parse(str(report)).getroot().iter("module"):
        kind = mod.get("kind", "")
        spent = sum(float(t.get("time", 0)) for t in mod.iter("optimization-time"))
        seconds[kind] = seconds.get(kind, 0.0) + spent
        count[kind] = count.get(kind, 0) + 1
    out = ["| module kind (last build) | modules | optimisation s |", "|---|---|---|"]
    for kind in sorted(seconds, key=lambda k: -seconds[k]):
        out.append(f"| {kind} | {count[kind]} | {seconds[kind]:.1f} |")
    return out


def run(python: Path, fn: Path, work: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=pyenvs.project_pythonpath())
    proc = subprocess.run(
        [str(python), "-c", _BUILD, str(fn), str(work)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--python", default=pyenvs.DEFAULT_VERSIONS[0])
    p.add_argument("--out", type=Path, default=REPO / "bench-results")
    args = p.parse_args(argv)
    python = pyenvs.ensure_env(args.python)
    work = (args.out / "work" / f"rebuild-py{args.python}").resolve()
    shutil.rmtree(work, ignore_errors=True)
    fn = work / "function"
    shutil.copytree(REPO / "scripts" / "bench" / "function", fn)
    first = run(python, fn, work)
    src = fn / "bench_echo.py"
    src.write_text(
        src.read_text().replace(
            "    return event\n", "    event.request_id += ''\n    return event\n"
        )
    )
    changed = run(python, fn, work)
    same = run(python, fn, work)
    lines = [
        f"Python {args.python}, host target, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"kept work folder and warm ccache. First build {first['total']:.1f} s.",
        "",
        "| build | total s | import scan etc. | "
        + " | ".join(n for n, _ in phases(changed["lines"]))
        + " | after Nuitka (vendor, ABI, zips) s |",
        "|---|---|---|" + "---|" * (len(phases(changed["lines"])) + 1),
    ]
    for name, res in (("one-line change", changed), ("no change", same)):
        steps = dict(phases(res["lines"]))
        timings = res["timings"]
        after = sum(v for k, v in timings.items() if k != "compile")
        cells = [f"{steps.get(n, 0.0):.1f}" for n, _ in phases(changed["lines"])]
        lines.append(
            f"| {name} | {res['total']:.1f} | {outside_nuitka(res):.1f} | "
            + " | ".join(cells)
            + f" | {after:.1f} |"
        )
    lines += ["", *analysis_by_kind(work / "build" / "nuitka" / "nuitka-report.xml")]
    text = "\n".join(lines) + "\n"
    (args.out / "rebuild-phases.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
