"""Fixtures of the container tests: the stand-in base image, one container build, a TLS server.

The container build compiles a small project (the runtime, the example and an httpx
handler, copied from this repository) with ``native-lambda build --target al2023`` in the
bullseye stand-in (glibc 2.31, Python 3.9), once per session. Caches under
``~/.cache/native-lambda`` (base image tag, ccache, Nuitka's module cache) make it about a
minute after the first run on a machine; the first run compiles for several minutes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from local_tls import LocalCA, https_server, make_ca

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BULLSEYE_IMAGE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")
BULLSEYE_PYTHON = "3.9"
EXAMPLE_HANDLER = "examples.greeting.handler"
NET_HANDLER = "net_check.handler"

PYPROJECT = f"""\
[project]
name = "container-build-check"
version = "0"

[tool.native-lambda]
handler = "{EXAMPLE_HANDLER}"
handlers = ["{NET_HANDLER}"]
"""


@dataclass
class ContainerBuild:
    project: Path
    dist_dir: Path
    function_zip: Path
    layer_zip: Path
    output: str
    seconds: float


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    """``native-lambda ARGS`` as a real subprocess; a CompletedProcess with text output."""
    return subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def make_project(dest: Path) -> Path:
    """A project outside this repository: runtime + example + the httpx handler."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    shutil.copytree(ROOT / "examples", dest / "examples", ignore=ignore)
    shutil.copyfile(HERE / "handlers" / "net_check.py", dest / "net_check.py")
    (dest / "pyproject.toml").write_text(PYPROJECT)
    return dest


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_cli(*args, cwd=..., env=..., timeout=...)``: the real CLI as a subprocess."""
    return cli


@pytest.fixture(scope="session")
def container_build(tmp_path_factory: pytest.TempPathFactory) -> ContainerBuild:
    """The project built for al2023 in the bullseye stand-in through the real CLI."""
    base = tmp_path_factory.mktemp("container-build")
    project = make_project(base / "project")
    dist = base / "dist"
    start = time.monotonic()
    proc = cli(
        "build",
        "--target",
        "al2023",
        "--base-image",
        BULLSEYE_IMAGE,
        "--python-version",
        BULLSEYE_PYTHON,
        "--out",
        str(dist),
        cwd=project,
    )
    seconds = time.monotonic() - start
    output = proc.stdout + proc.stderr
    (base / "build-output.log").write_text(output)
    assert proc.returncode == 0, output[-6000:]
    return ContainerBuild(
        project=project,
        dist_dir=dist,
        function_zip=dist / "function.zip",
        layer_zip=dist / "layer.zip",
        output=output,
        seconds=seconds,
    )


@pytest.fixture(scope="session")
def container_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    """A throwaway CA and a certificate for 127.0.0.1 signed by it."""
    return make_ca(tmp_path_factory.mktemp("container-ca"))


@pytest.fixture
def https_url(container_ca: LocalCA) -> Iterator[str]:
    """Base URL of an HTTPS server on 127.0.0.1 with a certificate from ``container_ca``."""
    with https_server(container_ca) as url:
        yield url
