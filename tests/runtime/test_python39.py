"""The runtime suite again, with the runtime process on Python 3.9.

AL2023's system Python and the bullseye build container are 3.9, and the runtime is
compiled from the same source, so every runtime test also runs with
``NATIVE_LAMBDA_TEST_PYTHON`` set to a 3.9 interpreter: a local python3.9, or python3.9 in
a bullseye container on hosts without one (tests/py39.py). The test server and the tests
stay on the host's Python; only ``python -m native_lambda`` changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import py39

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@py39.requires
def test_runtime_suite_passes_with_the_runtime_on_python39() -> None:
    python = py39.interpreter()
    probe = subprocess.run(
        [python, "-c", "import sys, native_lambda; print(sys.version_info[:2])"],
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "(3, 9)"
    # -x: a runtime that cannot start on 3.9 fails the first test, not each after a timeout
    inner = [str(HERE), f"--ignore={__file__}", "-x", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *inner],
        cwd=ROOT,
        env=dict(os.environ, NATIVE_LAMBDA_TEST_PYTHON=python),
        capture_output=True,
        text=True,
        check=False,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary, summary
