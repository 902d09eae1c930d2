"""The shared dependency project of the tests (``tests/deps/project``) and how to build it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent / "deps" / "project"
#: The README's dependency example, built and compared as one of the project's handlers
#: (copied in by ``copy_project``; the CPython runner imports it from ``examples/``).
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "orders_api.py"
BULLSEYE_IMAGE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")
HANDLERS = ("orders_api.handler", "batch.handler", "net.handler", "native.handler")

CONTEXT = """
import importlib, json, sys
class Context:
    function_name = "function"
    function_version = "$LATEST"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:function"
    aws_request_id = "cpython-request"
    log_group_name = "/aws/lambda/function"
    log_stream_name = "stream"
    def get_remaining_time_in_millis(self):
        return 3000
module, _, name = sys.argv[1].rpartition(".")
handler = getattr(importlib.import_module(module), name)
print(json.dumps(handler(json.loads(sys.argv[2]), Context())))
"""


def cli(*args: str, cwd: Path, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def copy_project(dest: Path) -> Path:
    shutil.copytree(PROJECT, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copyfile(EXAMPLE, dest / EXAMPLE.name)
    return dest


def container_build_args(out: Path) -> list[str]:
    """``native-lambda build`` for al2023 in the bullseye stand-in (Python 3.9) into ``out``.

    The dev profile (C at -O0) compiles the ~600 modules of this project about five times
    faster than release, which is what lets the suite build it on a cold 2-core machine; what
    these tests check (resolution, package data, libraries, handlers, sizes) does not depend
    on the C optimisation level."""
    return [
        *("build", "--target", "al2023", "--base-image", BULLSEYE_IMAGE),
        *("--python-version", "3.9", "--profile", "dev", "--out", str(out)),
    ]


@dataclass
class DepsBuild:
    project: Path
    dist_dir: Path
    function_zip: Path
    layer_zip: Path
    output: str
    seconds: float
