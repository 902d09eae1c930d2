"""``python -m native_lambda_toolchain.build``: the build core's own entry.

The container build runs it with the configuration the host already resolved
(``--config-json``, from ``BuildConfig.to_json``), so the pyproject is read once, on the host.
Without it the entry resolves ``--handler``/``--project`` itself. Only the build core
is imported: nothing that needs docker, httpx or a Python newer than 3.9.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from ..errors import ToolchainError, render_error
from . import MIN_PYTHON
from .config import BuildConfig, load_config
from .profiles import DEFAULT_PROFILE, PROFILES


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m native_lambda_toolchain.build",
        description="Compile a handler into a native bootstrap and package function.zip, "
        "layer.zip and build.json on this machine (what the container build runs).",
    )
    p.add_argument(
        "--config-json",
        default=None,
        metavar="JSON",
        help="the resolved build configuration (BuildConfig.to_json); "
        "default: resolve --handler/--project and the pyproject here",
    )
    p.add_argument("--handler", default=None, help="MODULE.FUNCTION (without --config-json)")
    p.add_argument("--project", type=Path, default=None, help="project (without --config-json)")
    p.add_argument("--target", default="host", help="policy to build for (default: host)")
    p.add_argument("--out", type=Path, default=Path("dist"), help="artifact folder")
    p.add_argument("--work-dir", type=Path, default=None, help="Nuitka work folder, kept")
    p.add_argument("--lto", choices=("no", "yes", "auto"), default="no")
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--no-startup-tuning", dest="startup_tuning", action="store_false")
    p.add_argument("--profile", choices=tuple(PROFILES), default=DEFAULT_PROFILE)
    p.add_argument(
        "--nuitka-arg",
        action="append",
        default=[],
        metavar="OPTION",
        help="extra Nuitka option, appended as given (experiments; repeatable)",
    )
    p.add_argument(
        "--deps-dir",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="an installed dependency tree to compile against (the dependency stage's; repeatable)",
    )
    p.add_argument(
        "--toolchain-version", default=None, help="recorded in build.json (the host's version)"
    )
    return p


def _config(args: argparse.Namespace) -> BuildConfig:
    if args.config_json is None:
        return load_config(args.handler, args.project)
    try:
        data = json.loads(args.config_json)
    except ValueError as exc:
        raise ToolchainError(f"--config-json: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ToolchainError("--config-json: expected a JSON object")
    return BuildConfig.from_json(data, "--config-json")


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .pipeline import BuildRequest, build, render

    args = parser().parse_args(argv)
    try:
        if sys.version_info < MIN_PYTHON:
            raise ToolchainError(
                f"the build core needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; "
                f"this is {sys.version.split()[0]}",
                hint="build with a newer Python (the base image's nl-python)",
            )
        request = BuildRequest(
            config=_config(args),
            target=args.target,
            out_dir=args.out,
            work_dir=args.work_dir,
            lto=args.lto,
            jobs=args.jobs,
            startup_tuning=args.startup_tuning,
            profile=args.profile,
            nuitka_args=tuple(args.nuitka_arg),
            deps_dirs=tuple(args.deps_dir),
        )
        if args.toolchain_version is not None:
            request.toolchain_version = args.toolchain_version
        result = build(request)
    except ToolchainError as exc:
        render_error(exc)
        return exc.exit_code
    print(render(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
