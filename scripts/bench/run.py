"""Benchmark native-lambda against awslambdaric, the shell+curl bootstrap and a C floor.

    python scripts/bench/run.py                 # build the bench function, race, report
    python scripts/bench/run.py --python 3.13,3.11   # the Pythons raced (default: the
                                                # default target's 3.13, then 3.11)
    python scripts/bench/run.py --quick         # fewer rounds/invocations (smoke run)
    python scripts/bench/run.py --build-times   # also clean vs incremental build (minutes)
    python scripts/bench/run.py --untuned       # also race a build without the start-up
                                                # tuning (Nuitka's default start, to compare)
    python scripts/bench/run.py --dist DIR      # prebuilt function.zip + layer.zip of
                                                # bench_echo.handler (function/ folder)
    python scripts/bench/run.py --report-only   # re-render results.md/chart from results.json

Method: one lean Runtime API server (server.py) in this process; every runtime serves the
same typed echo function. Each Python version is a column: its compiled bootstrap is built
by Nuitka running under that Python (``pyenvs``: one venv per version), and awslambdaric and
native-lambda on CPython run on the same interpreter, so every ratio compares like with like.
Rounds are interleaved (each round runs every runtime once, in a shuffled order) so the
noise of a shared machine spreads over all of them; the table shows medians over rounds.
Writes bench-results/results.md, results.json and chart.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench import native_build, payloads, pyenvs, report  # noqa: E402
from scripts.bench.runtimes import (  # noqa: E402
    Artifact,
    Runtime,
    machine_contenders,
    native_runtime,
    python_contenders,
    unpack_dist,
)
from scripts.bench.session import Session, SessionError, bare_start, rss_of_bare  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--out", type=Path, default=REPO / "bench-results", help="results folder")
    p.add_argument("--cold", type=int, default=15, help="cold-start rounds (default 15)")
    p.add_argument("--rounds", type=int, default=3, help="warm rounds (default 3)")
    p.add_argument("--warm", type=int, default=1000, help="1 KB invocations per warm round")
    p.add_argument(
        "--large",
        type=int,
        nargs=3,
        default=(100, 30, 10),
        metavar=("N100K", "N1M", "N5M"),
        help="invocations per warm round of the 100 KB, 1 MB, 5 MB events",
    )
    p.add_argument("--quick", action="store_true", help="3 cold, 1 round, 200 warm, 10/5/3 large")
    p.add_argument(
        "--only", help="comma-separated runtimes: native,cpython,awslambdaric,shell,floor"
    )
    p.add_argument(
        "--dist",
        type=Path,
        help="prebuilt dist folder (function.zip, layer.zip) of the bench function",
    )
    p.add_argument("--no-native", action="store_true", help="skip the compiled runtime")
    p.add_argument(
        "--nuitka-arg", action="append", default=[], help="extra Nuitka option for the build"
    )
    p.add_argument(
        "--untuned",
        action="store_true",
        help="also race a build with the start-up tuning off (BuildRequest.startup_tuning="
        "False: Nuitka's inspect patching and msgspec's eager imports at start)",
    )
    p.add_argument(
        "--build-times", action="store_true", help="measure clean and incremental builds"
    )
    p.add_argument(
        "--target",
        default="al2023,host",
        help="build targets to try in order (a host build fails al2023's ABI check)",
    )
    p.add_argument(
        "--python",
        default=",".join(pyenvs.DEFAULT_VERSIONS),
        help="Python versions raced, one column each (default: %(default)s; the first is "
        "the default target's); every version gets its own build and awslambdaric",
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--report-only", action="store_true", help="re-render results.md/chart from results.json"
    )
    args = p.parse_args(argv)
    if args.quick:
        args.cold, args.rounds, args.warm, args.large = 3, 1, 200, (10, 5, 3)
    return args


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def build_native(
    args: argparse.Namespace, work: Path, env_python: Path, name: str, untuned: bool
) -> dict[str, Any]:
    """Build the bench function with ``env_python`` (Nuitka compiles for the Python it runs
    under) through ``native_build.py``; returns its JSON description of the build."""
    cmd = [
        str(env_python),
        str(REPO / "scripts" / "bench" / "native_build.py"),
        "--work",
        str(work),
        "--name",
        name,
        "--targets",
        args.target,
    ]
    cmd += ["--untuned"] if untuned else []
    cmd += [f"--nuitka-arg={a}" for a in args.nuitka_arg]
    env = dict(os.environ, PYTHONPATH=pyenvs.project_pythonpath())
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench: build {name} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def prepare_native(
    args: argparse.Namespace, work: Path, raw: dict[str, Any], version: str, env_python: Path
) -> list[Runtime]:
    """Compiled contenders of one Python version (their artifact sizes recorded in ``raw``)."""
    builds: list[tuple[str, Artifact, dict[str, Any]]] = []
    if args.dist:
        art = unpack_dist(args.dist, work / "unpacked-dist")
        builds.append(("native", art, {"target": "prebuilt", "tuning": True}))
    else:
        variants = [("native", False)] + ([("native-untuned", True)] if args.untuned else [])
        for name, untuned in variants:
            log(f"Python {version}: building {name} (ccache keeps reruns fast)")
            out = build_native(args, work, env_python, name, untuned)
            log(f"Python {version}: built {name} for {out['target']} in {out['seconds']:.1f}s")
            art = Artifact(
                Path(out["task_dir"]),
                Path(out["opt_dir"]),
                Path(out["function_zip"]) if out["function_zip"] else None,
                Path(out["layer_zip"]) if out["layer_zip"] else None,
            )
            builds.append((name, art, out))
    rts = []
    for name, art, out in builds:
        rt = native_runtime(
            name, art, python=version, tuning=bool(out["tuning"]), target=str(out["target"])
        )
        sizes = native_build.sizes_of(art)
        raw.setdefault("artifact_bytes", {})[rt.name] = sizes
        raw.setdefault("artifact", {})[f"{rt.name}: function.zip + layer.zip (unzipped)"] = (
            f"{sizes['function_zip'] / 1e6:.2f} + {sizes['layer_zip'] / 1e6:.2f} MB "
            f"({sizes['unzipped_total'] / 1e6:.2f} MB), bootstrap {sizes['bootstrap'] / 1e6:.2f} MB"
        )
        rts.append(rt)
    if args.build_times and version == "{}.{}".format(*sys.version_info[:2]):
        log("timing a clean build (empty ccache) and an incremental one (one-line change)")
        raw["build_times"] = native_build.build_times(work, tuple(args.nuitka_arg))
        bt = raw["build_times"]
        raw["artifact"]["clean build"] = f"{bt['clean_s']:.0f} s (empty ccache)"
        raw["artifact"]["incremental rebuild"] = (
            f"{bt['incremental_s']:.0f} s (one-line change, warm ccache)"
        )
    return rts


def empty_record() -> dict[str, Any]:
    return {
        "init_ms": [],
        "init_cpu_ms": [],
        "pss_init_kb": [],
        "minflt_init": [],
        "majflt_init": [],
        "first_ms": [],
        "rss_init_kb": [],
        "round_trips_us": {},
        "rss_kb": {},
    }


def write_results(out: Path, raw: dict[str, Any], failures: list[str]) -> None:
    """results.md (also printed), results.json (raw samples + summary) and chart.png."""
    summary = report.summarize(raw)
    text = report.markdown(raw, summary)
    text += report.columns(raw, summary)
    if failures:
        text += "\nFailures:\n\n" + "\n".join(f"- {f.splitlines()[0]}" for f in failures) + "\n"
    (out / "results.md").write_text(text)
    (out / "results.json").write_text(json.dumps({"raw": raw, "summary": summary}, indent=1))
    report.chart(raw, summary, out / "chart.png")
    print(text)
    log(f"wrote {out / 'results.md'}, results.json, chart.png")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    out = args.out.resolve()
    if args.report_only:
        saved = json.loads((out / "results.json").read_text())
        write_results(out, saved["raw"], saved["raw"].get("failures", []))
        return 0
    work = out / "work"
    logs = out / "logs"
    work.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("*.log"):
        old.unlink()
    only = args.only.split(",") if args.only else None

    raw: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        "groups": list(payloads.SIZES),
        "labels": {},
        "config": {},
        "runtimes": {},
        "pythons": args.python.split(","),
    }
    rts: list[Runtime] = []
    bare: dict[str, str] = {}
    for version in raw["pythons"]:
        env_python = pyenvs.ensure_env(version)
        vwork = work / f"py{version}"
        vwork.mkdir(parents=True, exist_ok=True)
        bare[version] = pyenvs.base_interpreter(env_python)
        if not args.no_native and (only is None or any(n.startswith("native") for n in only)):
            rts += prepare_native(args, vwork, raw, version, env_python)
        rts += python_contenders(vwork, env_python, version)
    rts += machine_contenders(work)
    if only:
        rts = [r for r in rts if r.kind.startswith("native") or r.kind in only]
    if not rts:
        log("nothing to run")
        return 2
    for rt in rts:
        raw["labels"][rt.name] = rt.label
        raw["config"][rt.name] = {
            "kind": rt.kind,
            "python": rt.python,
            "tuning": rt.tuning,
            "target": rt.target,
        }
        raw["runtimes"][rt.name] = empty_record()
    raw["method"] = (
        f"{args.cold} cold rounds + {args.rounds} warm rounds interleaved, runtimes shuffled "
        f"per round; warm = {args.warm}x 1 KB, then {args.large[0]}x 100 KB, "
        f"{args.large[1]}x 1 MB, {args.large[2]}x 5 MB "
        "per round; medians over rounds; times measured by the bench's own Runtime API server."
    )
    events = {name: payloads.make(size) for name, size in payloads.SIZES.items()}
    counts = dict(zip(payloads.SIZES, (args.warm, *args.large)))
    failures: list[str] = []

    def race(warm: Optional[Callable[[Session, Dict[str, Any]], None]]) -> None:
        """One round: every runtime once, in a shuffled order; init figures always recorded."""
        order = rts[:]
        rng.shuffle(order)
        for rt in order:
            rec = raw["runtimes"][rt.name]
            try:
                with Session(rt, logs) as s:
                    s.start(events["1KB"])
                    rec["init_ms"].append(s.result.init_ms)
                    rec["init_cpu_ms"].append(s.result.init_cpu_ms)
                    rec["first_ms"].append(s.result.first_ms)
                    rec["pss_init_kb"].append(s.result.pss_init_kb)
                    rec["minflt_init"].append(s.result.minflt_init)
                    rec["majflt_init"].append(s.result.majflt_init)
                    if warm is None:
                        rec["rss_init_kb"].append(s.result.rss_kb["init"])
                    else:
                        warm(s, rec)
            except SessionError as exc:
                failures.append(str(exc))
                log(f"FAILED {exc}")

    def warm_groups(s: Session, rec: Dict[str, Any]) -> None:
        for group, count in counts.items():
            s.run_group(group, events[group], count)
        for group, samples in s.result.round_trips_us.items():
            rec["round_trips_us"].setdefault(group, []).append(samples)
        for group, kb in s.result.rss_kb.items():
            rec["rss_kb"].setdefault(group, []).append(kb)

    log(f"runtimes: {', '.join(r.name for r in rts)}")
    for i in range(args.cold):
        race(None)
        for version, python in bare.items():
            wall, cpu = bare_start(python)
            raw.setdefault("bare_start_ms", {}).setdefault(version, []).append(wall)
            raw.setdefault("bare_start_cpu_ms", {}).setdefault(version, []).append(cpu)
        log(f"cold round {i + 1}/{args.cold} done")
    raw["bare_rss_kb"] = {version: rss_of_bare(python) for version, python in bare.items()}
    for i in range(args.rounds):
        race(warm_groups)
        log(f"warm round {i + 1}/{args.rounds} done")

    raw["failures"] = failures
    write_results(out, raw, failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
