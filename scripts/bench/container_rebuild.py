"""Time a clean container build against a rebuild after a one-line handler change.

    python scripts/bench/container_rebuild.py            # bullseye stand-in (offline CI)
    python scripts/bench/container_rebuild.py --check    # exit 1 when the speed-up is < 3x
    python scripts/bench/container_rebuild.py \\
        --base-image public.ecr.aws/amazonlinux/amazonlinux:2023 --python-version 3.13

Issue 4 asks that a second ``native-lambda build --target al2023`` after a one-line change
to the handler be at least 3x faster than the first. What makes it fast is the state the
container build keeps under ``$NATIVE_LAMBDA_CACHE_DIR``: ccache, Nuitka's module cache (the
builder's ``$HOME``) and the Nuitka work folder. So the bench points that variable at an
empty folder and runs the real CLI as a user would:

1. the base image is made ready first (built once when missing) and is not timed: it is
   reused across every project and is not what a rebuild is about;
2. clean build: a copy of the example project, empty caches;
3. one-line change: the greeting text of ``examples/greeting.py``; rebuild, same caches;
4. no-change rebuild (skip with ``--no-noop``): the floor a rebuild cannot go below.

Each build's artifacts are run in the Lambda-like sandbox behind the emulator
(``native-lambda run``), and the rebuilt ones must answer with the new greeting: a fast
rebuild that ships the old code would be worthless. Writes ``container-rebuild.md`` and
``.json`` to ``--out`` (``bench-results/``) and the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parent.parent.parent

#: the Debian bullseye stand-in CI creates (glibc 2.31, Python 3.9); AL2023 needs internet
DEFAULT_BASE_IMAGE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")
DEFAULT_PYTHON = "3.9"
TARGET = "al2023"
HANDLER = "examples.greeting.handler"
#: the line the one-line change edits, and the word it puts in place of "Hello"
GREETING = 'f"Hello, {event.name}!"'
NEW_WORD = "Howdy"
#: the issue's target: clean / incremental
TARGET_RATIO = 3.0

PYPROJECT = f"""\
[project]
name = "container-rebuild-bench"
version = "0"

[tool.native-lambda]
handler = "{HANDLER}"
"""

_DONE = re.compile(
    r"container build done: base image ([\d.]+)s, (?:dependencies [\d.]+s, )?"
    r"compile stage ([\d.]+)s, total ([\d.]+)s"
)


class BenchError(RuntimeError):
    """A build or a check failed; the message says which and where its log is."""


@dataclass
class BuildTiming:
    """One ``native-lambda build`` run."""

    step: str
    wall_s: float  # the whole CLI process, as the user waits for it
    base_image_s: Optional[float]  # from the CLI's own "container build done" line
    compile_s: Optional[float]
    total_s: Optional[float]
    reply: str = ""  # the greeting the artifacts answered with
    log: str = ""  # path of the build's output


@dataclass
class Results:
    base_image: str
    python_version: str
    platform: Optional[str]
    builder_image: str
    base_image_ready_s: float
    cache_dir: str
    builds: list[BuildTiming] = field(default_factory=list)
    machine: dict[str, Any] = field(default_factory=dict)

    def timing(self, step: str) -> Optional[BuildTiming]:
        return next((b for b in self.builds if b.step == step), None)

    def ratio(self, attr: str = "wall_s", step: str = "one-line change") -> Optional[float]:
        clean, other = self.timing("clean"), self.timing(step)
        if clean is None or other is None:
            return None
        a, b = getattr(clean, attr), getattr(other, attr)
        return a / b if a and b else None


# -- the project -----------------------------------------------------------------------------
def make_project(dest: Path, root: Path = REPO) -> Path:
    """A project outside the repository: the runtime's sources, the example, a pyproject."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(root / "src", dest / "src", ignore=ignore)
    shutil.copytree(root / "examples", dest / "examples", ignore=ignore)
    (dest / "pyproject.toml").write_text(PYPROJECT)
    return dest


def change_greeting(project: Path, word: str) -> None:
    """The one-line change: ``Hello, NAME!`` becomes ``WORD, NAME!`` in the handler."""
    path = project / "examples" / "greeting.py"
    text = path.read_text()
    if text.count(GREETING) != 1:
        raise BenchError(f"{path}: expected exactly one {GREETING} to change")
    path.write_text(text.replace(GREETING, GREETING.replace("Hello", word)))


# -- the engine ------------------------------------------------------------------------------
def ensure_base(
    base_image: str, python_version: str, platform_: Optional[str] = None
) -> tuple[str, float]:
    """(builder image tag, seconds): the base image step, done before any timing."""
    from native_lambda_toolchain.container import BaseImageSpec, connect, ensure_base_image
    from native_lambda_toolchain.container._engine import native_platform

    start = time.monotonic()
    client = connect()
    try:
        spec = BaseImageSpec(
            base_image=base_image,
            python_version=python_version,
            platform=platform_ or native_platform(client),
        )
        tag = ensure_base_image(client, spec, out=sys.stderr)
    finally:
        client.close()
    return tag, time.monotonic() - start


def build(
    step: str,
    project: Path,
    dist: Path,
    *,
    base_image: str,
    python_version: str,
    cache_dir: Optional[Path],
    log_dir: Path,
    platform_: Optional[str] = None,
) -> BuildTiming:
    """``native-lambda build --target al2023`` in ``project`` as a real subprocess, timed.

    ``cache_dir`` becomes ``NATIVE_LAMBDA_CACHE_DIR``; None keeps this machine's own caches.
    """
    env = dict(os.environ)
    if cache_dir is not None:
        env["NATIVE_LAMBDA_CACHE_DIR"] = str(cache_dir)
    cmd = [sys.executable, "-m", "native_lambda_toolchain", "build", "--target", TARGET]
    cmd += ["--base-image", base_image, "--python-version", python_version, "--out", str(dist)]
    if platform_:
        cmd += ["--platform", platform_]
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"container-rebuild-{step.replace(' ', '-')}.log"
    start = time.monotonic()
    with open(log, "w") as handle:
        proc = subprocess.run(
            cmd, cwd=project, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False
        )
    wall = time.monotonic() - start
    output = log.read_text(errors="replace")
    if proc.returncode != 0:
        raise BenchError(
            f"{step} build failed with {proc.returncode} (log {log}):\n{output[-4000:]}"
        )
    done = _DONE.search(output)
    base_s, compile_s, total_s = (float(x) for x in done.groups()) if done else (None,) * 3
    return BuildTiming(step, wall, base_s, compile_s, total_s, log=str(log))


def greet(dist: Path, name: str = "World") -> str:
    """The message the artifacts in ``dist`` answer with, run in the sandbox + emulator."""
    payload = json.dumps({"name": name})
    cmd = [sys.executable, "-m", "native_lambda_toolchain", "run", "--dist", str(dist)]
    proc = subprocess.run(
        [*cmd, "--payload", payload],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        raise BenchError(f"`native-lambda run --dist {dist}` failed ({proc.returncode}):\n{out}")
    try:
        return str(json.loads(lines[-1])["message"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BenchError(f"no greeting in the reply of {dist}:\n{out}") from exc


def expect_greeting(dist: Path, word: str, name: str = "World") -> str:
    message = greet(dist, name)
    if message != f"{word}, {name}!":
        raise BenchError(f"artifacts in {dist} answered {message!r}, expected '{word}, {name}!'")
    return message


# -- the measurement -------------------------------------------------------------------------
def measure(
    work: Path,
    *,
    base_image: str = DEFAULT_BASE_IMAGE,
    python_version: str = DEFAULT_PYTHON,
    platform_: Optional[str] = None,
    cache_dir: Optional[Path] = None,
    new_word: str = NEW_WORD,
    noop: bool = True,
    log_dir: Optional[Path] = None,
) -> Results:
    """Base image ready, then clean build, one-line change rebuild, no-change rebuild."""
    log_dir = log_dir or work / "logs"
    tag, ready = ensure_base(base_image, python_version, platform_)
    project = make_project(work / "project")
    res = Results(
        base_image=base_image,
        python_version=python_version,
        platform=platform_,
        builder_image=tag,
        base_image_ready_s=ready,
        cache_dir=str(cache_dir) if cache_dir else "(this machine's caches)",
        machine={"cpus": os.cpu_count(), "python": platform.python_version()},
    )
    common: dict[str, Any] = dict(
        base_image=base_image,
        python_version=python_version,
        cache_dir=cache_dir,
        log_dir=log_dir,
        platform_=platform_,
    )
    steps = [("clean", "Hello"), ("one-line change", new_word)]
    if noop:
        steps.append(("no change", new_word))
    for step, word in steps:
        if step == "one-line change":
            change_greeting(project, word)
        _say(f"{step} build ...")
        timing = build(step, project, work / f"dist-{step.replace(' ', '-')}", **common)
        timing.reply = expect_greeting(work / f"dist-{step.replace(' ', '-')}", word)
        _say(f"{step} build: {timing.wall_s:.1f}s, artifacts answer {timing.reply!r}")
        res.builds.append(timing)
    return res


def _say(text: str) -> None:
    sys.stderr.write(f"[container-rebuild] {text}\n")
    sys.stderr.flush()


def _s(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.1f}"


def _x(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.1f}x"


def markdown(res: Results) -> str:
    """The results as a markdown table plus the ratio against the 3x target."""
    lines = [
        "# Container build: clean vs. rebuild after a one-line handler change",
        "",
        f"`native-lambda build --target {TARGET} --base-image {res.base_image} "
        f"--python-version {res.python_version}`"
        + (f" `--platform {res.platform}`" if res.platform else "")
        + f"; builder image `{res.builder_image}` made ready beforehand "
        f"({res.base_image_ready_s:.1f}s, not counted); caches: {res.cache_dir}; "
        f"{res.machine.get('cpus')} CPUs.",
        "",
        "| build | wall (s) | compile stage (s) | CLI total (s) | vs. clean (wall) "
        "| artifacts answer |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for b in res.builds:
        lines.append(
            f"| {b.step} | {_s(b.wall_s)} | {_s(b.compile_s)} | {_s(b.total_s)} "
            f"| {_x(res.ratio(step=b.step)) if b.step != 'clean' else '1.0x'} | {b.reply} |"
        )
    ratio = res.ratio()
    verdict = "meets" if ratio is not None and ratio >= TARGET_RATIO else "MISSES"
    lines += [
        "",
        f"Clean / one-line-change rebuild: **{_x(ratio)}** wall, "
        f"{_x(res.ratio('compile_s'))} compile stage; target ≥ {TARGET_RATIO:.0f}x: {verdict}.",
        "",
    ]
    return "\n".join(lines)


def write(res: Results, out_dir: Path) -> str:
    out_dir.mkdir(parents=True, exist_ok=True)
    text = markdown(res)
    (out_dir / "container-rebuild.md").write_text(text)
    doc = asdict(res)
    doc["ratio_wall"] = res.ratio()
    doc["ratio_compile_stage"] = res.ratio("compile_s")
    doc["target_ratio"] = TARGET_RATIO
    (out_dir / "container-rebuild.json").write_text(json.dumps(doc, indent=2) + "\n")
    return text


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--base-image", default=DEFAULT_BASE_IMAGE, help="FROM image of the builder")
    p.add_argument("--python-version", default=DEFAULT_PYTHON, help="Python in the builder")
    p.add_argument("--platform", default=None, help="linux/amd64 or linux/arm64")
    p.add_argument("--out", type=Path, default=REPO / "bench-results", help="results folder")
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="NATIVE_LAMBDA_CACHE_DIR of the builds (default: a new empty folder, removed "
        "afterwards; an existing one makes the 'clean' build warm)",
    )
    p.add_argument("--keep", action="store_true", help="keep the work folder and caches")
    p.add_argument(
        "--noop",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time a rebuild with no change (default: yes)",
    )
    p.add_argument(
        "--check", action="store_true", help=f"exit 1 when clean/rebuild < {TARGET_RATIO:.0f}x"
    )
    return p.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="native-lambda-rebuild-"))
    cache = args.cache_dir or work / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    try:
        res = measure(
            work,
            base_image=args.base_image,
            python_version=args.python_version,
            platform_=args.platform,
            cache_dir=cache.resolve(),
            noop=args.noop,
            log_dir=args.out / "logs",
        )
    except BenchError as exc:
        print(f"container-rebuild: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            _say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.cache_dir is None:
        res.cache_dir = "a new empty NATIVE_LAMBDA_CACHE_DIR (ccache, Nuitka cache, work folder)"
    print(write(res, args.out))
    ratio = res.ratio()
    if args.check and (ratio is None or ratio < TARGET_RATIO):
        print(f"container-rebuild: speed-up {_x(ratio)} is under {TARGET_RATIO:.0f}x")
        return 1
    return 0


if __name__ == "__main__":
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    sys.exit(main())
