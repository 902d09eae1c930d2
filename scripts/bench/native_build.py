"""Get a compiled native-lambda bootstrap of the bench function, and time its builds.

Uses the project's own builder (``native_lambda_toolchain.build.pipeline``: function.zip +
layer.zip, exactly what ``native-lambda build`` ships, start-up tuning included). The work
directory is kept between runs, so a repeated bench rebuilds incrementally with a warm ccache.
``startup_tuning=False`` builds what Nuitka does by default, for comparison.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.bench.runtimes import FUNCTION_DIR, HANDLER, Artifact, unpack_dist


@dataclass
class BuildOutput:
    artifact: Artifact
    seconds: float
    sizes: dict[str, int]  # bytes: function_zip, layer_zip, zipped_total, unzipped_total
    target: str = "host"


def sizes_of(art: Artifact) -> dict[str, int]:
    def tree(p: Path) -> int:
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())

    fz = art.function_zip.stat().st_size if art.function_zip else 0
    lz = art.layer_zip.stat().st_size if art.layer_zip else 0
    return {
        "function_zip": fz,
        "layer_zip": lz,
        "zipped_total": fz + lz,
        "unzipped_total": tree(art.task_dir) + tree(art.opt_dir),
        "bootstrap": art.bootstrap.stat().st_size,
    }


def build(
    work: Path,
    *,
    function_dir: Path = FUNCTION_DIR,
    extra_args: tuple[str, ...] = (),
    name: str = "native",
    target: str = "al2023",
    startup_tuning: bool = True,
    quiet: bool = True,
) -> BuildOutput:
    """Build ``bench_echo.handler`` with the project's builder into ``work/dist-<name>``.

    Same pipeline as ``native-lambda build`` (compile, move libraries to the layer, ABI
    check, zips), then unpacked the way Lambda does it. ``extra_args`` go to Nuitka.
    """
    from native_lambda.handler_ref import HandlerRef
    from native_lambda_toolchain.build import pipeline
    from native_lambda_toolchain.build.config import BuildConfig

    config = BuildConfig(project_dir=function_dir, handler=HandlerRef.parse(HANDLER))
    req = pipeline.BuildRequest(
        config=config,
        target=target,
        out_dir=work / f"dist-{name}",
        work_dir=work / f"build-{name}",
        nuitka_args=extra_args,
        startup_tuning=startup_tuning,
        progress=None if quiet else print,
    )
    start = time.monotonic()
    result = pipeline.build(req)
    seconds = time.monotonic() - start
    art = unpack_dist(result.dist_dir, work / f"unpacked-{name}")
    return BuildOutput(art, seconds, sizes_of(art), target)


def build_for(work: Path, targets: tuple[str, ...], **kwargs: Any) -> BuildOutput:
    """``build`` for the first target whose ABI check passes on this machine.

    A host build (this machine's newer glibc) fails al2023's ABI check; the bench then
    measures the host build, which has the same code and the same Python.
    """
    from native_lambda_toolchain.errors import BuildError

    for i, target in enumerate(targets):
        try:
            return build(work, target=target, **kwargs)
        except BuildError as exc:
            if i == len(targets) - 1:
                raise
            print(
                f"bench: target {target} not buildable here ({str(exc).splitlines()[0]}); "
                f"trying {targets[i + 1]}"
            )
    raise AssertionError("unreachable")


def build_times(work: Path, extra_args: tuple[str, ...] = ()) -> dict[str, float]:
    """Clean build (empty ccache, empty work dir) vs. one-line handler change (warm ccache)."""
    scratch = work / "build-times"
    shutil.rmtree(scratch, ignore_errors=True)
    fn = scratch / "function"
    shutil.copytree(FUNCTION_DIR, fn, ignore=shutil.ignore_patterns("__pycache__"))
    old_ccache = os.environ.get("CCACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="bench-ccache-") as cc:
        os.environ["CCACHE_DIR"] = cc
        try:
            clean = build(
                scratch, function_dir=fn, extra_args=extra_args, name="t", target="host"
            ).seconds
            src = fn / "bench_echo.py"
            src.write_text(
                src.read_text().replace(
                    "    return event\n", "    event.request_id += ''\n    return event\n"
                )
            )
            incremental = build(
                scratch, function_dir=fn, extra_args=extra_args, name="t", target="host"
            ).seconds
        finally:
            if old_ccache is None:
                os.environ.pop("CCACHE_DIR", None)
            else:
                os.environ["CCACHE_DIR"] = old_ccache
    return {"clean_s": clean, "incremental_s": incremental}


def main(argv: list[str] | None = None) -> int:
    """Build in this interpreter and print the result as JSON: ``run.py`` starts this with
    each benchmarked Python, since Nuitka compiles for the Python it runs under."""
    import argparse
    import json
    import platform

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--name", default="native")
    p.add_argument("--targets", default="host")
    p.add_argument("--untuned", action="store_true", help="start-up tuning off")
    p.add_argument("--nuitka-arg", action="append", default=[])
    args = p.parse_args(argv)
    out = build_for(
        args.work,
        tuple(args.targets.split(",")),
        extra_args=tuple(args.nuitka_arg),
        name=args.name,
        startup_tuning=not args.untuned,
    )
    art = out.artifact
    print(
        json.dumps(
            {
                "task_dir": str(art.task_dir),
                "opt_dir": str(art.opt_dir),
                "function_zip": str(art.function_zip) if art.function_zip else None,
                "layer_zip": str(art.layer_zip) if art.layer_zip else None,
                "seconds": out.seconds,
                "sizes": out.sizes,
                "target": out.target,
                "python": platform.python_version(),
                "tuning": not args.untuned,
            }
        )
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
