"""The CLI's Python floor: ``--help`` and a light command run on Python 3.9 (the build image's
Python), and an older Python gets one clear message instead of a syntax error or traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import py39

ROOT = Path(__file__).resolve().parents[2]
PATHS = os.pathsep.join([str(ROOT / "toolchain"), str(ROOT / "src")])


def cli(python: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": PATHS}
    return subprocess.run(
        [python, "-m", "native_lambda_toolchain", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


@py39.requires
def test_help_and_a_light_command_on_python_39(tmp_path: Path) -> None:
    python = py39.interpreter()
    helped = cli(python, "--help")
    assert helped.returncode == 0, helped.stderr
    for command in ("build", "emulate", "run", "deploy", "invoke"):
        assert command in helped.stdout, helped.stdout
    for command in ("build", "run", "emulate"):
        sub = cli(python, command, "--help")
        assert sub.returncode == 0 and "usage:" in sub.stdout, sub.stderr
    missing = tmp_path / "event.json"
    proc = cli(python, "run", "--dist", str(tmp_path), "--payload-file", str(missing))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(f"native-lambda: error: --payload-file {missing}"), proc.stderr


def test_an_older_python_gets_one_message() -> None:
    """``cli.main`` on a Python below its floor (simulated by raising the floor: no 3.8 here)."""
    code = (
        "import sys, native_lambda_toolchain.cli as cli; cli.MIN_PYTHON = (99, 0); "
        "sys.exit(cli.main(['--help']))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": PATHS},
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith("native-lambda: error: needs Python 99.0 or newer"), proc.stderr
    assert "Traceback" not in proc.stderr
