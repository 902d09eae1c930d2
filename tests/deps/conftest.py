"""The one shared dependency build of a test session, and its CPython twin.

``deps_build``: ``tests/deps/project`` (Powertools, pydantic, requests, orjson, numpy,
cryptography, psycopg[binary], several handlers, one bytecode package) built once per session
with ``native-lambda build --target al2023 --profile dev`` in the bullseye stand-in, through
the real CLI: dependency stage with network, offline compile stage. The dev profile's -O0 C
compile is what makes a cold build fit CI (see ``deps_project.container_build_args``); ccache
and Nuitka's caches make a rerun much shorter.

``NATIVE_LAMBDA_TEST_DEPS_BUILD=FOLDER`` (outside CI) reuses a build made by hand into
FOLDER/dist with its output in FOLDER/build.log.

``cpython``: the same requirements installed into a fresh venv, and a runner that calls a
handler of the project under CPython, for the answers the compiled handlers must match.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deps_project import (
    CONTEXT,
    EXAMPLE,
    PROJECT,
    DepsBuild,
    cli,
    container_build_args,
    copy_project,
)
from local_tls import LocalCA, https_server, make_ca


@pytest.fixture(scope="session")
def deps_build(tmp_path_factory: pytest.TempPathFactory) -> DepsBuild:
    reuse = os.environ.get("NATIVE_LAMBDA_TEST_DEPS_BUILD")
    if reuse and os.environ.get("CI") != "true":  # a folder with project/, dist/, build.log
        folder = Path(reuse)
        dist = folder / "dist"
        output = (folder / "build.log").read_text()
        return DepsBuild(
            folder / "project", dist, dist / "function.zip", dist / "layer.zip", output, 0
        )
    base = tmp_path_factory.mktemp("deps-build")
    project = copy_project(base / "project")
    dist = base / "dist"
    start = time.monotonic()
    proc = cli(*container_build_args(dist), cwd=project)
    seconds = time.monotonic() - start
    output = proc.stdout + proc.stderr
    (base / "build-output.log").write_text(output)
    sys.stderr.write(f"\nshared dependency build: {seconds:.0f}s\n")
    assert proc.returncode == 0, output[-8000:]
    return DepsBuild(project, dist, dist / "function.zip", dist / "layer.zip", output, seconds)


def _python() -> str:
    """A CPython of the compiled bootstrap's version (3.9) when there is one, else this one."""
    found = sorted(glob.glob("/root/.pyenv/versions/3.9*/bin/python"))
    return os.environ.get("NATIVE_LAMBDA_DEPS_CPYTHON") or (found[-1] if found else sys.executable)


@pytest.fixture(scope="session")
def cpython(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """``cpython(handler, event, env=None) -> result``: the handler run by CPython with the
    same requirements installed (a fresh venv, not this test environment)."""
    venv = tmp_path_factory.mktemp("cpython-deps") / "venv"
    subprocess.run([_python(), "-m", "venv", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    requirements = str(PROJECT / "requirements.txt")
    subprocess.run(
        [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", requirements],
        check=True,
        timeout=600,
    )

    def run(handler: str, event: Any, env: dict[str, str] | None = None) -> Any:
        clean = {
            k: v
            for k, v in os.environ.items()
            if k not in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "PYTHONPATH")
        }
        proc = subprocess.run(
            [py, "-c", CONTEXT, handler, json.dumps(event)],
            cwd=PROJECT,
            env={
                **clean,
                "PYTHONPATH": os.pathsep.join([str(PROJECT), str(EXAMPLE.parent)]),
                **(env or {}),
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(proc.stdout.strip().splitlines()[-1])

    return run


@pytest.fixture(scope="session")
def deps_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    """A throwaway CA and a certificate for 127.0.0.1 signed by it."""
    return make_ca(tmp_path_factory.mktemp("deps-ca"))


@pytest.fixture
def deps_https_url(deps_ca: LocalCA) -> Iterator[str]:
    """Base URL of an HTTPS server on 127.0.0.1 with a certificate from ``deps_ca``."""
    with https_server(deps_ca) as url:
        yield url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the shared dependency build carry ``deps_build``, so that ``nox -s deps`` can
    run them alone; ``nox -s tests`` (CI) runs them with the rest."""
    for item in items:
        if "deps_build" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.deps_build)
