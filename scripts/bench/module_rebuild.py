"""Can a handler change avoid recompiling the handler's dependency? One mid-size package.

    python scripts/bench/module_rebuild.py [--python 3.13]

A function whose handler imports ``requests`` (with urllib3, idna, charset_normalizer and
certifi), installed with pip into a folder of its own and handed to the build core as its
dependency tree (``deps_dirs``, as the dependency stage does). Two ways to build it, each
built once (kept work folder, warm ccache), then again after a one-line handler change:

* **compiled**: the default; Nuitka follows the handler into requests and compiles it all;
* **not followed**: the same packages left out of the Nuitka run (``bytecode-packages``),
  so the build never analyses them. Nuitka's ``--mode=module`` per package would give the
  handler build exactly this work (the packages are not followed either way; only what is
  placed beside the binary differs), so its rebuild is the floor for that approach.

Then the once-per-lock cost of the per-package way: ``--mode=module`` compiles of each
package, timed, and a check that the not-followed bootstrap answers an event with
requests' compiled extension module beside it instead of its source. Writes
``bench-results/module-rebuild.md``.
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
from scripts.bench.rebuild_phases import phases  # noqa: E402

PACKAGES = ("requests", "urllib3", "idna", "charset_normalizer", "certifi")
#: certifi (one function and its CA file) stays source: Nuitka 4.3's anti-bloat rule for it
#: fails in ``--mode=module`` ("failed to evaluate condition 'version("certifi") < (2025,)'").
MODULE_PACKAGES = PACKAGES[:-1]
HANDLER_SOURCE = '''"""Prepares a request with requests (no network), then echoes the event."""
import sys

import requests

print("requests from", requests.__spec__.origin, file=sys.stderr)


def handler(event, context):
    prepared = requests.Request("GET", "http://example.invalid/", params={"q": "1"}).prepare()
    assert prepared.url.startswith("http://example.invalid/")
    return event
'''
PYPROJECT = '[project]\nname = "requests-fn"\nversion = "0"\n'

_BUILD = """
import json, sys, time
from pathlib import Path
from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build.config import BuildConfig
from native_lambda_toolchain.build.pipeline import BuildRequest, build
fn, work, site = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
lines = []
start = time.monotonic()
bytecode = tuple(json.loads(sys.argv[4]))
config = BuildConfig(project_dir=fn, handler=HandlerRef.parse("fn.handler"),
                     bytecode_packages=bytecode,
                     include_modules=tuple(json.loads(sys.argv[5])) if bytecode else ())
result = build(BuildRequest(config=config, target="host", out_dir=work / "dist",
    work_dir=work / "build", progress=lines.append, deps_dirs=(site,)))
print(json.dumps({"total": time.monotonic() - start, "lines": lines}))
"""


_STDLIB_IMPORTS = """
import ast, importlib.util, json, pathlib, sys
names = set()
for path in pathlib.Path(sys.argv[1]).rglob("*.py"):
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
def here(name):  # not platform modules (winreg), built-ins, or what the build keeps out
    if name.split(".")[0] in ("unittest", "pydoc"):
        return False
    try:
        spec = importlib.util.find_spec(name)
    except ImportError:
        return False
    return spec is not None and spec.origin != "built-in"
std = [n for n in names if n.split(".")[0] in sys.stdlib_module_names and here(n)]
print(json.dumps(sorted(std)))
"""


def stdlib_imports(python: Path, site: Path) -> list[str]:
    """The stdlib modules the packages import: a build that does not follow the packages
    must compile these in by name, or the packages' imports fail at run time."""
    found: set[str] = set()
    for name in PACKAGES:
        out = subprocess.run(
            [str(python), "-c", _STDLIB_IMPORTS, str(site / name)],
            capture_output=True,
            text=True,
            check=True,
        )
        found.update(json.loads(out.stdout))
    return sorted(found)


def build(
    python: Path, fn: Path, work: Path, site: Path, bytecode: tuple[str, ...], stdlib: list[str]
) -> Any:
    """One build of ``fn`` through the build core; its time and progress lines."""
    env = dict(os.environ, PYTHONPATH=pyenvs.project_pythonpath())
    command = [str(python), "-c", _BUILD, str(fn), str(work), str(site), json.dumps(bytecode)]
    command.append(json.dumps(stdlib))
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(
            f"module_rebuild: build failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compiled_modules(report: Path, packages: tuple[str, ...]) -> int:
    """How many of ``packages``' modules the Nuitka report lists (compiled into the binary)."""
    text = report.read_text()
    names = re.findall(r'<module name="([^"]+)"', text)
    return sum(1 for n in names if n.split(".")[0] in packages)


def analysis_seconds(res: Any) -> float:
    return sum(s for name, s in phases(res["lines"]) if "nalys" in name or "ptimi" in name)


def module_compiles(python: Path, site: Path, out: Path) -> list[tuple[str, float]]:
    """``nuitka --mode=module`` of each package once (what a per-lock cache would hold)."""
    out.mkdir(parents=True, exist_ok=True)
    times = []
    for name in MODULE_PACKAGES:
        start = time.monotonic()
        cmd = [str(python), "-m", "nuitka", "--mode=module", f"--include-package={name}"]
        cmd += [f"--output-dir={out}", "--remove-output", "--assume-yes-for-downloads"]
        cmd += ["--progress-bar=none", str(site / name)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(
                f"module_rebuild: module build of {name} failed:\n{proc.stderr[-2000:]}"
            )
        times.append((name, time.monotonic() - start))
        print(f"--mode=module {name}: {times[-1][1]:.1f} s", flush=True)
    return times


def serves_with_module(work: Path, modules: Path, python: str) -> str:
    """Unpack the not-followed build, put each package's compiled module where its source
    was, answer one event; returns the file requests was loaded from (the handler prints it)."""
    from scripts.bench.runtimes import native_runtime, unpack_dist
    from scripts.bench.session import Session

    art = unpack_dist(work / "dist", work / "unpacked")
    for name in MODULE_PACKAGES:
        shutil.rmtree(art.task_dir / name)
        shutil.copy2(next(modules.glob(f"{name}.*.so")), art.task_dir)
    rt = native_runtime("requests-module", art, python=python, tuning=True, target="host")
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    (logs / f"{rt.name}.log").unlink(missing_ok=True)
    with Session(rt, logs) as s:
        s.start(b'{"a": "1"}')
    # the packages' source is gone from the task root and nothing else on the path has them
    left = [n for n in MODULE_PACKAGES if (art.task_dir / n).exists()]
    found = re.findall(r"requests from (\S+)", (logs / f"{rt.name}.log").read_text())
    if left or not found:
        raise SystemExit(f"module_rebuild: source left {left}, requests imported: {found}")
    return next(modules.glob("requests.*.so")).name


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--python", default=pyenvs.DEFAULT_VERSIONS[0])
    p.add_argument("--out", type=Path, default=REPO / "bench-results")
    args = p.parse_args(argv)
    python = pyenvs.ensure_env(args.python)
    work = (args.out / "work" / f"module-rebuild-py{args.python}").resolve()
    shutil.rmtree(work, ignore_errors=True)
    site = work / "site"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--target", str(site), "requests"], check=True
    )
    versions = sorted(d.name for d in site.glob("*.dist-info"))
    stdlib = stdlib_imports(python, site)
    rows = []
    for label, bytecode in (("compiled", ()), ("not followed", PACKAGES)):
        fn, out = work / label.replace(" ", "-") / "function", work / label.replace(" ", "-")
        fn.mkdir(parents=True)
        (fn / "pyproject.toml").write_text(PYPROJECT)
        (fn / "fn.py").write_text(HANDLER_SOURCE)
        first = build(python, fn, out, site, bytecode, stdlib)
        (fn / "fn.py").write_text(
            HANDLER_SOURCE.replace("    return event\n", "    return dict(event)\n")
        )
        changed = build(python, fn, out, site, bytecode, stdlib)
        modules = compiled_modules(out / "build" / "nuitka" / "nuitka-report.xml", PACKAGES)
        rows.append((label, first["total"], changed["total"], analysis_seconds(changed), modules))
        print(f"{label}: {rows[-1]}; phases of the rebuild: {phases(changed['lines'])}", flush=True)
    module_times = module_compiles(python, site, work / "modules")
    served = serves_with_module(work / "not-followed", work / "modules", args.python)
    lines = [
        f"Python {args.python}, host target, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{', '.join(versions)}; kept work folder, warm ccache; seconds.",
        "",
        "| build | first build | one-line handler change | of which Nuitka analysis | "
        "dependency modules compiled in |",
        "|---|---|---|---|---|",
    ]
    for label, first_s, changed_s, analysis, modules in rows:
        lines.append(f"| {label} | {first_s:.1f} | {changed_s:.1f} | {analysis:.1f} | {modules} |")
    lines += [
        "",
        "Once per lock: `--mode=module` compile of each package: "
        + ", ".join(f"{n} {s:.1f}" for n, s in module_times)
        + f" ({sum(s for _, s in module_times):.1f} s in all).",
        "",
        f"Check: the not-followed bootstrap answered an event with requests loaded from its "
        f"`--mode=module` extension (`{Path(served).name}`) instead of its source.",
    ]
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "module-rebuild.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
