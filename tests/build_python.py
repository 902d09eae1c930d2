"""The Python the shared compiled build is made with: ``NATIVE_LAMBDA_TEST_BUILD_PYTHON``.

Unset (or the test venv's own ``X.Y``), ``built_example`` compiles in this process, with the
test venv's Python. Set to another version, the same handlers are compiled by Nuitka running
under that Python, since a bootstrap can only be built by the interpreter it embeds:

* ``3.9``: the container build for al2023 in the bullseye stand-in (glibc 2.31, Python 3.9,
  the build image's own Nuitka), from a copy of the runtime, the example and the test
  handlers;
* any other ``X.Y``: a host build in that version's venv (``scripts/bench/pyenvs.py``:
  pyenv's interpreter with Nuitka and msgspec at the dev venv's versions).

``nox -s compiled -- 3.13`` runs the compiled runtime suite against such a build. These
builds are minutes each, so ``nox -s tests`` never makes them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
ENV = "NATIVE_LAMBDA_TEST_BUILD_PYTHON"
#: The version the container build uses (the bullseye stand-in's system Python).
CONTAINER_PYTHON = "3.9"
BULLSEYE_IMAGE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")

HOST_BUILD = """
import json, sys
from pathlib import Path
from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build.config import BuildConfig
from native_lambda_toolchain.build.pipeline import BuildRequest, build
root, out, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
refs = [HandlerRef.parse(h) for h in sys.argv[4:]]
config = BuildConfig(project_dir=root, handler=refs[0], handlers=tuple(refs[1:]))
result = build(BuildRequest(config=config, target="host", out_dir=out, work_dir=work,
                            progress=lambda line: print(line, flush=True)))
print(json.dumps({"python": result.record.python_version}))
"""


def requested() -> Optional[str]:
    """The ``X.Y`` asked for, or None for the test venv's own Python."""
    value = os.environ.get(ENV, "").strip()
    if not value or value == "{}.{}".format(*sys.version_info[:2]):
        return None
    parts = value.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{ENV}={value!r}: expected a Python version such as 3.13")
    return value


def build_in_venv(version: str, out: Path, work: Path, handlers: tuple[str, ...]) -> None:
    """Host build of ``handlers`` (the first is the default) by Nuitka under ``version``."""
    from scripts.bench import pyenvs

    python = pyenvs.ensure_env(version)
    proc = subprocess.run(
        [str(python), "-c", HOST_BUILD, str(ROOT), str(out), str(work), *handlers],
        env=dict(os.environ, PYTHONPATH=pyenvs.project_pythonpath(), PYTHONUNBUFFERED="1"),
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"the {version} build of the shared example failed (output above)")


def _module_files(handler: str) -> Path:
    """The repository file that holds ``handler``'s module."""
    from native_lambda.handler_ref import HandlerRef

    return ROOT.joinpath(*HandlerRef.parse(handler).module.split(".")).with_suffix(".py")


def make_project(dest: Path, handlers: tuple[str, ...]) -> Path:
    """A project holding the runtime, the handlers' modules and a pyproject naming them."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    for handler in handlers:
        source = _module_files(handler)
        target = dest / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    listed = ", ".join(json.dumps(h) for h in handlers[1:])
    (dest / "pyproject.toml").write_text(
        '[project]\nname = "shared-example"\nversion = "0"\n\n[tool.native-lambda]\n'
        f"handler = {json.dumps(handlers[0])}\nhandlers = [{listed}]\n"
    )
    return dest


def build_in_container(base: Path, out: Path, work: Path, handlers: tuple[str, ...]) -> None:
    """al2023 build of ``handlers`` in the bullseye stand-in (Python 3.9) through the CLI,
    with its Nuitka work folder at ``work`` (where the tests look at the edited C)."""
    project = make_project(base / "project", handlers)
    command = [sys.executable, "-m", "native_lambda_toolchain", "build", "--target", "al2023"]
    command += ["--base-image", BULLSEYE_IMAGE, "--python-version", CONTAINER_PYTHON]
    command += ["--work-dir", str(work), "--out", str(out)]
    proc = subprocess.run(command, cwd=project, env=dict(os.environ), check=False)
    if proc.returncode != 0:
        raise AssertionError("the container build of the shared example failed (output above)")
