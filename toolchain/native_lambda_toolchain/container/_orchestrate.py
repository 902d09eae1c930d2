"""``build_in_container(args)``: engine -> base image -> compile stage -> exit status."""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, TextIO

from ..build.config import BuildConfig
from ..deps import DependencySet
from ._definition import DEFAULT_BASE_IMAGE, DEFAULT_PYTHON_VERSION, BaseImageSpec
from ._deps import DEPS_MOUNT, deps_cache, run_deps_stage
from ._engine import BaseImageUnavailable, connect, native_platform, rootless
from ._image import ensure_base_image
from ._options import cache_root
from ._run import BuildStagePlan, invoking_user, run_build_stage

#: ``native-lambda build`` options that mean the same inside the container (flag -> attr).
FORWARD_VALUES = (("--lto", "lto"), ("--jobs", "jobs"), ("--profile", "profile"))
#: ``native-lambda build`` switches to repeat inside the container: (flag, attr, default)
FORWARD_SWITCHES = (("--no-startup-tuning", "startup_tuning", True),)


def forward_args(args: argparse.Namespace) -> List[str]:
    """The host command's build options to repeat inside the container."""
    out: List[str] = []
    for flag, attr in FORWARD_VALUES:
        value = getattr(args, attr, None)
        if value not in (None, ""):
            out += [flag, str(value)]
    for flag, attr, default in FORWARD_SWITCHES:
        if getattr(args, attr, default) != default:
            out.append(flag)
    return out


def _package_dirs() -> Dict[str, Path]:
    """Folders of the toolchain and runtime packages this process runs from."""
    import native_lambda
    import native_lambda_toolchain

    return {
        "native_lambda_toolchain": Path(native_lambda_toolchain.__file__).resolve().parent,
        "native_lambda": Path(native_lambda.__file__).resolve().parent,
    }


def _config(args: argparse.Namespace) -> BuildConfig:
    """The build configuration, resolved once here; the stage receives it as JSON."""
    from ..build.config import load_config

    start = getattr(args, "project", None) or getattr(args, "project_dir", None)
    return load_config(getattr(args, "handler", None), Path(start) if start else None)


def plan_for(
    args: argparse.Namespace, image: str, platform: Optional[str], as_root: bool
) -> BuildStagePlan:
    """Host folders and the in-container command for one build."""
    config = _config(args)
    project_dir, handler = config.project_dir, str(config.handler)
    target = getattr(args, "target", None) or "al2023"
    out_dir = Path(getattr(args, "out", None) or project_dir / "dist").resolve()
    # Keyed by what shapes the compiled output, not by the project's path: a fresh clone
    # (CI) or a copy reuses the Nuitka work folder, and disk use stays bounded. Builds that
    # share a folder take turns (run_build_stage locks it).
    # A dev build (C at -O0) keeps its own folder, so switching profiles recompiles neither.
    shape = [str(handler), target, image]
    if getattr(args, "profile", "release") != "release":
        shape.append(str(args.profile))
    key = hashlib.sha256("\0".join(shape).encode()).hexdigest()[:16]
    state = cache_root() / "container" / key
    work_dir = getattr(args, "work_dir", None)
    build_args = ["--target", target, "--out", "/out", "--work-dir", "/work"]
    build_args += forward_args(args)
    return BuildStagePlan(
        image=image,
        project_dir=project_dir,
        out_dir=out_dir,
        work_dir=Path(work_dir).resolve() if work_dir else state / "work",
        # Nuitka's own caches (module cache, downloads) live under $HOME/.cache/Nuitka:
        # shared by every project built on this image, they cut the Python-level phase of
        # a first build in a new checkout (CI's fresh clone) from minutes to seconds.
        home_dir=cache_root() / "home" / hashlib.sha256(image.encode()).hexdigest()[:16],
        ccache_dir=cache_root() / "ccache",
        build_args=build_args,
        platform=platform,
        user=None if as_root else invoking_user(),
        packages=_package_dirs(),
        config=config,
    )


def plan_target(plan: BuildStagePlan) -> str:
    """The ``--target`` the plan builds for."""
    args = plan.build_args
    return args[args.index("--target") + 1] if "--target" in args else "al2023"


def _dependencies(args: argparse.Namespace, plan: BuildStagePlan) -> Optional[DependencySet]:
    """The function's dependencies (``deps.detect``), said aloud either way."""
    from ..deps import detect

    requirements = getattr(args, "requirements", None)
    extras = plan.config.extras if plan.config is not None else ()
    found = detect(plan.project_dir, Path(requirements) if requirements else None, extras)
    if found is None:
        sys.stderr.write(
            "dependencies: none declared (no uv.lock, pylock.toml, requirements.txt or "
            "[project].dependencies)\n"
        )
    else:
        sys.stderr.write(f"dependencies: from {found.source} ({found.path})\n")
    return found


def spec_for(args: argparse.Namespace, engine_platform: str) -> BaseImageSpec:
    return BaseImageSpec(
        base_image=getattr(args, "base_image", None) or DEFAULT_BASE_IMAGE,
        python_version=getattr(args, "python_version", None) or DEFAULT_PYTHON_VERSION,
        platform=getattr(args, "platform", None) or engine_platform,
    )


def build_in_container(
    args: argparse.Namespace,
    out: Optional[TextIO] = None,
    *,
    host_fallback: Optional[Callable[[], int]] = None,
) -> int:
    """Run ``native-lambda build`` inside the base image; 0 when artifacts are in ``--out``.

    Errors the user must act on (no engine, base image not pullable, image build failed)
    raise :class:`BuildError` (exit 1, as a build on this machine); ``cli.main`` prints them.
    The compile stage's own failures keep its exit status. ``host_fallback`` (used when the
    user named no target) builds for this machine instead when the base image cannot be
    had, saying so.
    """
    err = out or sys.stderr
    start = time.monotonic()
    try:
        client = connect()
        try:
            spec = spec_for(args, native_platform(client))
            # the project and handler first: a typo fails before minutes of image build
            plan = plan_for(
                args, spec.tag, getattr(args, "platform", None), as_root=rootless(client)
            )
            deps = _dependencies(args, plan)  # a bad dependency source fails before the image
            image = ensure_base_image(
                client, spec, rebuild=bool(getattr(args, "rebuild_base", False)), out=err
            )
            deps_start = time.monotonic()
            if deps is not None:
                plan.deps_dir = run_deps_stage(
                    client, plan, deps, plan_target(plan), deps_cache(cache_root()), err
                )
                plan.deps_mount = DEPS_MOUNT
            deps_seconds = time.monotonic() - deps_start
            ready = time.monotonic()
            err.write(f"compile stage in {image}: project {plan.project_dir} -> {plan.out_dir}\n")
            err.flush()
            status = run_build_stage(client, plan)
        finally:
            client.close()
    except BaseImageUnavailable as exc:
        if host_fallback is None:
            raise
        err.write(
            f"native-lambda build: warning: {exc.message}\n"
            "native-lambda build: no --target given: building for this machine instead "
            "(--target host); pass --target al2023 to make this an error\n"
        )
        err.flush()
        return host_fallback()
    total = time.monotonic() - start
    err.write(
        f"container build {'done' if status == 0 else 'FAILED'}: base image "
        f"{ready - start - deps_seconds:.1f}s, dependencies {deps_seconds:.1f}s, "
        f"compile stage {total - (ready - start):.1f}s, "
        f"total {total:.1f}s\n"
    )
    err.flush()
    return status
