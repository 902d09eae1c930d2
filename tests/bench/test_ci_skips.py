"""Under ``CI=true`` a missing gcc or curl fails the bench harness tests instead of skipping
them (a green CI must mean they ran); elsewhere they skip with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = "tests/bench/test_bench_harness.py"
KEEP = ("-k", "floor_serves or shell_bootstrap")


def run_without_tools(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    """The harness tests that need gcc and curl, with a PATH that has neither."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(tmp_path)  # an empty folder: no gcc, no curl
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", TESTS, "-q", "-p", "no:cacheprovider", "-rsf", *KEEP],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )


@pytest.mark.parametrize("ci", [True, False], ids=["ci", "laptop"])
def test_missing_gcc_and_curl(tmp_path: Path, ci: bool) -> None:
    proc = run_without_tools(tmp_path, ci)
    output = proc.stdout + proc.stderr
    if ci:
        assert proc.returncode == 1, output
        assert "gcc is not installed (CI=true" in output, output
        assert "curl is not installed (CI=true" in output, output
        assert "skipped" not in output, output
    else:
        assert proc.returncode == 0, output
        assert "2 skipped" in output, output
