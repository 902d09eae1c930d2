"""The dependency stage on this machine, with real packages from the index: a cached tree
is reused without running the installer, and a requirement that cannot be installed for the
target fails in seconds naming the package and the platform."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from native_lambda_toolchain.deps import DependencySet, install, target_platform
from native_lambda_toolchain.errors import BuildError

MISSING = "native-lambda-no-such-package-7c1e"


def _deps(tmp_path: Path, text: str) -> DependencySet:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return DependencySet("requirements.txt", path, text)


def test_unchanged_set_reuses_the_tree(tmp_path: Path) -> None:
    said: list[str] = []
    deps = _deps(tmp_path, "six==1.17.0\n")
    plat = target_platform("al2023")
    first = install(deps, plat, tmp_path / "cache", say=said.append)
    assert not first.cached and first.packages == {"six": "1.17.0"}
    assert (first.site / "six.py").is_file()
    start = time.monotonic()
    again = install(deps, plat, tmp_path / "cache", say=said.append)
    assert again.cached and again.site == first.site
    assert time.monotonic() - start < 1.0
    assert "unchanged" in said[-1] and "install skipped" in said[-1], said
    # another target is another tree
    other = install(
        deps, target_platform("al2", glibc=(2, 34)), tmp_path / "cache", say=said.append
    )
    assert not other.cached and other.site != first.site


def test_missing_package_names_it_and_the_platform(tmp_path: Path) -> None:
    plat = target_platform("al2023", python="3.9", glibc=(2, 31))
    start = time.monotonic()
    with pytest.raises(BuildError) as caught:
        install(_deps(tmp_path, f"{MISSING}==1.0\n"), plat, tmp_path / "cache", say=print)
    assert time.monotonic() - start < 60
    message = str(caught.value.message)
    assert MISSING in message and "al2023 (manylinux_2_31_" in message, message
    assert not list((tmp_path / "cache").glob("*/installed.json"))  # nothing half-cached


def test_version_without_a_wheel_for_the_target(tmp_path: Path) -> None:
    """numpy 2.3 has no CPython 3.9 wheel; with explicit tags (an image newer than the
    target) no sdist is built, so it fails, naming numpy and the platform."""
    plat = target_platform("al2", arch="x86_64", python="3.9", glibc=(2, 34))
    with pytest.raises(BuildError) as caught:
        install(_deps(tmp_path, "numpy==2.3.0\n"), plat, tmp_path / "cache", say=print)
    message = caught.value.message
    assert "numpy==2.3.0" in message and "al2 (manylinux_2_26_x86_64, CPython 3.9)" in message
    assert "sdists are not built" in (caught.value.hint or "")


def test_cli_host_build_fails_before_compiling(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\n\n[tool.native-lambda]\nhandler = "app.handler"\n'
    )
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "requirements.txt").write_text(f"{MISSING}\n")
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", "build", "--target", "host"],
        cwd=tmp_path,
        env={**os.environ, "NATIVE_LAMBDA_CACHE_DIR": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert time.monotonic() - start < 60
    assert "dependencies: from requirements.txt" in proc.stderr
    assert f"native-lambda: error: dependency {MISSING}" in proc.stderr
    assert "for target host (manylinux_" in proc.stderr
    assert "compiling" not in proc.stdout + proc.stderr
