"""Start-up and memory experiments: variants of the compiled bench function, raced side by side.

    python scripts/bench/variants.py                    # Python 3.13, every variant
    python scripts/bench/variants.py --python 3.11 --cold 21

Each variant is the bench function built with extra Nuitka options, or the default build
started with extra environment variables. Every cold round starts each variant once, plus
awslambdaric on the same interpreter, in a shuffled order (``Session``: init wall and CPU
time, PSS and page faults at the first ``GET /next``, VmHWM). The table gives medians and
the ratio of each variant to the default build; the verdict (keep or drop) is in README
"Benchmarks". Writes ``bench-results/variants.md`` and ``variants.json``.

Variants:

* ``default``: what ``native-lambda build`` ships (start-up tuning on, libpython static
  where the build Python has ``libpython3.x.a``, which pyenv and Debian's -dev packages do);
* ``shared-libpython``: ``--static-libpython=no``, to measure what the static link gives;
* ``stdlib-trim``: also ``--nofollow-import-to`` every stdlib top-level module that Nuitka
  bundles "just in case" and the program's import graph (``modulefinder``, as the build's
  import scan) never reaches;
* ``arena-1``: the default build with ``MALLOC_ARENA_MAX=1``;
* ``trim-0``: the default build with ``MALLOC_TOP_PAD_=0`` and ``MALLOC_TRIM_THRESHOLD_=0``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench import payloads, pyenvs  # noqa: E402
from scripts.bench.runtimes import Artifact, Runtime, native_runtime, python_contenders  # noqa: E402
from scripts.bench.session import Session, SessionError  # noqa: E402

#: Lists the stdlib modules a build bundles that the import scan never reaches.
_UNREACHED = """
import json, sys
sys.path.insert(0, sys.argv[3])
import stdlib_scan
spec = json.load(open(sys.argv[1]))
finder = stdlib_scan.reach(spec, list(spec["excludes"]))
reached = {m.split(".")[0] for m in finder.modules} | {m.split(".")[0] for m in finder.badmodules}
bundled = json.load(open(sys.argv[2]))
names = set(getattr(sys, "stdlib_module_names", ()))
print(json.dumps(sorted(t for t in bundled if t in names and t not in reached)))
"""


def log(msg: str) -> None:
    print(f"[variants {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def build(env_python: Path, work: Path, name: str, nuitka_args: list[str]) -> dict[str, Any]:
    cmd = [str(env_python), str(REPO / "scripts" / "bench" / "native_build.py")]
    cmd += ["--work", str(work), "--name", name, "--targets", "host"]
    cmd += [f"--nuitka-arg={a}" for a in nuitka_args]
    env = dict(os.environ, PYTHONPATH=pyenvs.project_pythonpath())
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(
            f"variants: build {name} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def unreached_stdlib(env_python: Path, work: Path, name: str) -> list[str]:
    """Top-level stdlib modules in build ``name``'s report that the import scan never reaches
    (Nuitka's start-up modules are left alone: it keeps those whatever the options)."""
    nuitka = work / f"build-{name}" / "nuitka"
    root = ET.parse(str(nuitka / "nuitka-report.xml")).getroot()
    bundled = {
        m.get("name", "").split(".")[0]
        for m in root.iter("module")
        if "Technically required" not in m.get("reason", "")
    }
    early = {
        m.get("name", "").split(".")[0]
        for m in root.iter("module")
        if "Technically required" in m.get("reason", "")
    }
    listed = work / "bundled.json"
    listed.write_text(json.dumps(sorted(bundled - early)))
    scan_dir = REPO / "toolchain" / "native_lambda_toolchain" / "build"
    out = subprocess.run(
        [
            str(env_python),
            "-c",
            _UNREACHED,
            str(nuitka / "stdlib-scan.json"),
            str(listed),
            str(scan_dir),
        ],
        env=dict(
            os.environ,
            PYTHONPATH=pyenvs.project_pythonpath()
            + os.pathsep
            + str(REPO / "scripts" / "bench" / "function"),
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def artifact(out: dict[str, Any]) -> Artifact:
    return Artifact(Path(out["task_dir"]), Path(out["opt_dir"]), None, None)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--python", default=pyenvs.DEFAULT_VERSIONS[0])
    p.add_argument("--cold", type=int, default=15)
    p.add_argument("--out", type=Path, default=REPO / "bench-results")
    p.add_argument("--seed", type=int, default=11)
    args = p.parse_args(argv)
    version = args.python
    env_python = pyenvs.ensure_env(version)
    work = (args.out / "work" / f"variants-py{version}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    logs = args.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    log(f"Python {version}: building the default variant")
    default = build(env_python, work, "default", [])
    trim = unreached_stdlib(env_python, work, "default")
    log(f"{len(trim)} bundled stdlib modules the import scan never reaches: {' '.join(trim)}")
    builds = {
        "default": default,
        "shared-libpython": build(env_python, work, "shared", ["--static-libpython=no"]),
        "stdlib-trim": build(env_python, work, "trim", [f"--nofollow-import-to={m}" for m in trim]),
    }
    rts: list[Runtime] = []
    for name, out in builds.items():
        rt = native_runtime("native", artifact(out), python=version, tuning=True, target="host")
        rt.name, rt.label = name, f"compiled, {name}"
        rts.append(rt)
    for name, env in (
        ("arena-1", {"MALLOC_ARENA_MAX": "1"}),
        ("trim-0", {"MALLOC_TOP_PAD_": "0", "MALLOC_TRIM_THRESHOLD_": "0"}),
    ):
        rt = native_runtime("native", artifact(default), python=version, tuning=True, target="host")
        rt.name, rt.label = (
            name,
            f"compiled, default build, {' '.join(f'{k}={v}' for k, v in env.items())}",
        )
        rt.env.update(env)
        rts.append(rt)
    rts += [r for r in python_contenders(work, env_python, version) if r.kind == "awslambdaric"]

    keys = ("init_ms", "init_cpu_ms", "pss_init_kb", "minflt_init", "rss_init_kb")
    samples: dict[str, dict[str, list[float]]] = {r.name: {k: [] for k in keys} for r in rts}
    rng = random.Random(args.seed)
    event = payloads.make(payloads.SIZES["1KB"])
    for i in range(args.cold):
        order = rts[:]
        rng.shuffle(order)
        for rt in order:
            try:
                with Session(rt, logs) as s:
                    s.start(event)
                    r = s.result
                    for k, v in zip(
                        keys,
                        (r.init_ms, r.init_cpu_ms, r.pss_init_kb, r.minflt_init, r.rss_kb["init"]),
                    ):
                        samples[rt.name][k].append(float(v))
            except SessionError as exc:
                log(f"FAILED {exc}")
                return 1
        log(f"cold round {i + 1}/{args.cold} done")

    med = {n: {k: statistics.median(v) for k, v in s.items()} for n, s in samples.items()}
    base = med["default"]
    sizes = {n: out["sizes"] for n, out in builds.items()}
    lines = [
        f"Python {version}, host target, start-up tuning on; {args.cold} interleaved cold rounds "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}); medians, "
        "ratio to the default build.",
        "",
        "| variant | init CPU ms | init wall ms | PSS at init MB | minor faults | VmHWM MB "
        "| zips MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, m in med.items():

        def cell(k: str, scale: float = 1.0, fmt: str = ".1f", m: dict[str, float] = m) -> str:
            return f"{m[k] / scale:{fmt}} ({m[k] / base[k]:.2f}x)"

        zips = f"{sizes[n]['zipped_total'] / 1e6:.2f}" if n in sizes else "-"
        lines.append(
            f"| {n} | {cell('init_cpu_ms')} | {cell('init_ms')} | "
            f"{cell('pss_init_kb', 1024, '.2f')} | "
            f"{cell('minflt_init', 1, '.0f')} | {cell('rss_init_kb', 1024, '.2f')} | {zips} |"
        )
    lines += ["", f"stdlib-trim left out: {', '.join(trim)}"]
    text = "\n".join(lines) + "\n"
    (args.out / "variants.md").write_text(text)
    (args.out / "variants.json").write_text(
        json.dumps({"samples": samples, "median": med, "trim": trim}, indent=1)
    )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
