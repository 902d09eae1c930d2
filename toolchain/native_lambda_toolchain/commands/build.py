"""``native-lambda build``: compile the handler into ``bootstrap`` and package the zips.

Target choice: ``al2023``/``al2`` build inside the target's container when a Docker engine
answers (``native_lambda_toolchain.container``, which runs the build core's own entry
``python -m native_lambda_toolchain.build`` there); with ``--no-docker`` or without an
engine, the build runs on this machine and the ABI check decides whether the result can run
on the target. Without ``--target``: al2023 in a container when an
engine answers, else ``host`` (artifacts for the local sandbox).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Optional

TARGETS = ("host", "al2023", "al2")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "build",
        help="compile a handler into a native bootstrap and package function.zip + layer.zip",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument(
        "--handler",
        metavar="MODULE.FUNCTION",
        help="handler to build (default: [tool.native-lambda] handler in pyproject.toml)",
    )
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default=None,
        help="what the artifacts must run on (default: al2023 in a container when a Docker "
        "engine answers, else host)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("dist"), help="artifact directory (default: dist/)"
    )
    parser.add_argument(
        "--project", type=Path, default=None, help="project directory (default: the cwd's)"
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="Nuitka build directory, kept for incremental builds (default: .build/<target>)",
    )
    parser.add_argument(
        "--no-docker",
        action="store_true",
        help="build on this machine even for al2023/al2 (what the build container runs)",
    )
    parser.add_argument(
        "--lto",
        choices=("no", "yes", "auto"),
        default="no",
        help="gcc link time optimisation (slower builds, see README Design)",
    )
    parser.add_argument("--jobs", type=int, default=None, help="parallel C compiler jobs")
    parser.add_argument(
        "--requirements",
        type=Path,
        default=None,
        metavar="FILE",
        help="the function's dependencies (requirements.txt, pylock.toml, uv.lock or "
        "pyproject.toml); default: detected in the project folder in that order",
    )
    parser.add_argument(
        "--no-startup-tuning",
        dest="startup_tuning",
        action="store_false",
        help="build with Nuitka's default start-up (inspect patching, eager imports): "
        "for comparison, or to rule the tuning out",
    )
    from native_lambda_toolchain.build.profiles import DEFAULT_PROFILE, PROFILES

    parser.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default=DEFAULT_PROFILE,
        help="release (default): C optimised, what to deploy; dev: C at -O0, several times "
        "faster to compile (a cold build with dependencies), slower to run",
    )
    try:  # the container build's own options (--base-image, --python-version, ...)
        from native_lambda_toolchain.container import add_arguments
    except ImportError:
        pass
    else:
        add_arguments(parser)
    parser.set_defaults(func=run)


def _engine_reachable() -> bool:
    try:
        from native_lambda_toolchain.container import engine_reachable
    except ImportError:
        return False
    try:
        return bool(engine_reachable())
    except Exception:
        return False


def choose(args: argparse.Namespace) -> tuple[str, bool]:
    """(target, in_container) for these arguments."""
    target: Optional[str] = args.target
    if args.no_docker:
        return target or "host", False
    if target == "host":
        return "host", False
    if _engine_reachable():
        return target or "al2023", True
    if target is None:
        print(
            "native-lambda: no Docker engine reachable: building for this machine "
            "(--target host); the artifacts run in `native-lambda run`'s sandbox. For Lambda "
            "(al2023), start an engine (`sudo systemctl start docker`, or `sudo dockerd &`; "
            "scripts/start-dockerd.sh does this and waits) and build again",
            file=sys.stderr,
        )
        return "host", False
    # An explicit Lambda target with no engine: the container stage prints the one message
    # saying how to start an engine or use --no-docker.
    return target, True


def run(args: argparse.Namespace) -> int:
    implicit_target = args.target is None
    target, in_container = choose(args)
    args.target = target
    if in_container:
        from native_lambda_toolchain.container import build_in_container

        def build_for_host() -> int:
            args.target = "host"
            return build_on_this_machine(args)

        fallback = build_for_host if implicit_target else None
        return int(build_in_container(args, host_fallback=fallback))
    return build_on_this_machine(args)


def build_on_this_machine(args: argparse.Namespace) -> int:
    """The build core's pipeline in this process; a BuildError reaches ``cli.main`` (exit 1)."""
    from native_lambda_toolchain.build.config import load_config
    from native_lambda_toolchain.build.pipeline import BuildRequest, build, render
    from native_lambda_toolchain.build.profiles import DEFAULT_PROFILE

    config = load_config(args.handler, args.project)
    deps_dirs = install_dependencies(config, args)
    result = build(
        BuildRequest(
            config=config,
            target=args.target,
            out_dir=args.out,
            work_dir=args.work_dir,
            lto=args.lto,
            jobs=args.jobs,
            startup_tuning=getattr(args, "startup_tuning", True),
            profile=getattr(args, "profile", DEFAULT_PROFILE),
            deps_dirs=deps_dirs,
        )
    )
    print(render(result), flush=True)
    return 0


def install_dependencies(config: Any, args: argparse.Namespace) -> tuple[Path, ...]:
    """The dependency stage on this machine: the same resolution as in the container, into
    this machine's own cache (never the active virtual environment)."""
    from native_lambda_toolchain.deps import default_cache_root, detect, install, target_platform

    requirements = getattr(args, "requirements", None)
    found = detect(config.project_dir, requirements, config.extras)
    if found is None:
        print("dependencies: none declared", file=sys.stderr, flush=True)
        return ()
    print(f"dependencies: from {found.source} ({found.path})", file=sys.stderr, flush=True)
    plat = target_platform(args.target)
    installed = install(
        found,
        plat,
        default_cache_root() / "deps",
        say=lambda text: print(text, file=sys.stderr, flush=True),
    )
    return (installed.site,)
