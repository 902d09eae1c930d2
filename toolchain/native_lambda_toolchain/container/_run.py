"""Run the compile stage: the build core's own entry (``python -m native_lambda_toolchain.build``)
inside the base image, on mounted folders, with the configuration the host resolved.

Mounts (host -> container):

* the project, read-only, at ``/project`` (the build's working directory);
* the toolchain and runtime packages this CLI runs from, read-only, under
  ``/opt/native-lambda/py`` (on ``PYTHONPATH``), so the container builds with exactly the
  host's toolchain code whatever the project is;
* the output folder at ``/out``;
* the installed dependency tree (``container/_deps``), read-only, at ``/deps``;
* a persistent Nuitka work folder at ``/work``, a persistent ccache at ``/ccache`` and a
  persistent ``$HOME`` (``/home/builder``, holding Nuitka's module cache): after a one-line
  handler change Nuitka re-analyses only what changed and ccache serves every unchanged
  object, which is what makes a rebuild fast.

The stage runs as the invoking user (uid:gid), so artifacts and caches are the user's, not
root's; on a rootless engine container root already is the invoking user. It has no
network: everything it needs is in the image. The container is always removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, TextIO

from ..build.config import BuildConfig
from ..errors import BuildError

if TYPE_CHECKING:
    import docker

PY_ROOT = "/opt/native-lambda/py"
LOCK_NAME = ".native-lambda-container.lock"

PROJECT_MOUNT = "/project"
#: The in-container entry: the build core's own (``native_lambda_toolchain.build``), which
#: imports nothing but the build core, so nothing newer than the image's Python (3.9 in the
#: bullseye stand-in) or needing docker/httpx is loaded there.
BUILD_ENTRY = ("-m", "native_lambda_toolchain.build")


@dataclass
class BuildStagePlan:
    """Everything the compile stage needs; host paths are absolute."""

    image: str
    project_dir: Path
    out_dir: Path
    work_dir: Path
    ccache_dir: Path
    home_dir: Path
    #: options of ``python -m native_lambda_toolchain.build`` (``--target``, ``--out`` ...)
    build_args: List[str]
    platform: Optional[str] = None
    user: Optional[str] = None
    env: Dict[str, str] = field(default_factory=dict)
    #: host package folders mounted under PY_ROOT (name -> folder)
    packages: Dict[str, Path] = field(default_factory=dict)
    #: the configuration the host resolved (handlers, modules); None: the stage reads the
    #: project's pyproject itself
    config: Optional[BuildConfig] = None
    #: the installed dependency tree (host path), mounted read-only at ``deps_mount``
    deps_dir: Optional[Path] = None
    deps_mount: str = "/deps"

    def command(self) -> List[str]:
        args = ["nl-python", *BUILD_ENTRY]
        if self.deps_dir is not None:
            args += ["--deps-dir", self.deps_mount]
        if self.config is not None:
            resolved = dict(self.config.to_json(), project_dir=PROJECT_MOUNT)
            args += ["--config-json", json.dumps(resolved, sort_keys=True)]
            args += ["--toolchain-version", _toolchain_version()]
        return [*args, *self.build_args]

    def environment(self) -> Dict[str, str]:
        return {
            "PYTHONPATH": PY_ROOT,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "HOME": "/home/builder",
            "XDG_CACHE_HOME": "/home/builder/.cache",
            "CCACHE_DIR": "/ccache",
            # the compiler's content, not its mtime: a rebuilt image keeps its cache hits
            "CCACHE_COMPILERCHECK": "content",
            "NATIVE_LAMBDA_IN_CONTAINER": "1",
            **self.env,
        }

    def mounts(self) -> List[docker.types.Mount]:
        from docker.types import Mount

        def bind(source: Path, target: str, read_only: bool = False) -> Mount:
            return Mount(target, str(source), type="bind", read_only=read_only)

        mounts = [
            bind(self.project_dir, PROJECT_MOUNT, read_only=True),
            bind(self.out_dir, "/out"),
            bind(self.work_dir, "/work"),
            bind(self.ccache_dir, "/ccache"),
            bind(self.home_dir, "/home/builder"),
        ]
        for name, folder in sorted(self.packages.items()):
            mounts.append(bind(folder, f"{PY_ROOT}/{name}", read_only=True))
        if self.deps_dir is not None:
            mounts.append(bind(self.deps_dir, self.deps_mount, read_only=True))
        return mounts


#: Label naming the host artifact folder of a compile container.
OUT_LABEL = "io.native-lambda.out"


def run_build_stage(
    client: docker.DockerClient, plan: BuildStagePlan, out: Optional[TextIO] = None
) -> int:
    """Create, start, stream and remove the compile container; its exit status."""
    out = out or sys.stdout
    for folder in (plan.out_dir, plan.work_dir, plan.ccache_dir, plan.home_dir):
        folder.mkdir(parents=True, exist_ok=True)
    with _exclusive(plan.work_dir / LOCK_NAME):
        return _run_locked(client, plan, out)


def _run_locked(client: docker.DockerClient, plan: BuildStagePlan, out: TextIO) -> int:
    from docker.errors import APIError, DockerException, NotFound

    start = time.monotonic()
    container = None
    try:
        container = client.containers.create(
            plan.image,
            command=plan.command(),
            environment=plan.environment(),
            working_dir=PROJECT_MOUNT,
            mounts=plan.mounts(),
            user=plan.user,
            platform=plan.platform,
            network_mode="none",
            # The artifact folder tells one build's container from a concurrent build's.
            labels={"io.native-lambda.stage": "compile", OUT_LABEL: str(plan.out_dir)},
        )
        container.start()
        for chunk in container.logs(stream=True, follow=True):
            out.write(chunk.decode("utf-8", errors="replace"))
            out.flush()
        status = int(container.wait().get("StatusCode", 1))
    except KeyboardInterrupt:
        if container is not None:
            _quietly(container.kill)
        raise
    except (APIError, DockerException, OSError) as exc:
        raise BuildError(
            f"the compile container failed to run: {exc}",
            hint="check that the engine can bind-mount the project folder "
            f"({plan.project_dir}) and the cache folders under {plan.work_dir.parent}",
        ) from exc
    finally:
        if container is not None:
            with contextlib.suppress(NotFound, APIError):
                container.remove(force=True)
    sys.stderr.write(f"compile stage exited with {status} after {time.monotonic() - start:.1f}s\n")
    return status


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (one build per work folder at a time)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent builds there are the user's call
        yield
        return
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            sys.stderr.write(f"waiting for another build using {path.parent} ...\n")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _quietly(action: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):
        action()


def _toolchain_version() -> str:
    """This toolchain's version, recorded in build.json by the stage (which has no metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("native-lambda")
    except PackageNotFoundError:
        return ""


def invoking_user() -> str:
    """``uid:gid`` of this process, what the stage runs as on a rootful engine."""
    return f"{os.getuid()}:{os.getgid()}"
