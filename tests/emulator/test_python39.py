"""The emulator runs on Python 3.9, the build image's Python (and ``requires-python``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.emulator.helpers import HERE

import py39

REPO = HERE.parents[1]

ROUND_TRIP = """
import sys
from native_lambda_toolchain.emulator import Emulator
assert sys.version_info[:2] == (3, 9), sys.version
with Emulator([sys.executable, sys.argv[1]], inherit_env=False) as emu:
    result = emu.invoke(b'{"hello": 39}')
    assert result.status == 200 and result.body == b'{"hello": 39}', result
    assert emu.reports[-1].status == "success"
    # the runtime's next /next may be recorded after its /response: look for it, not last
    assert any(r.path.endswith("/response") for r in emu.records), emu.records
print("ok")
"""


def _works(python: str) -> bool:
    code = "import sys; assert sys.version_info[:2] == (3, 9)"
    try:
        return subprocess.run([python, "-c", code], capture_output=True).returncode == 0
    except OSError:
        return False


def local_python39() -> str | None:
    """A local 3.9: the suite's own, else pyenv's (the emulator needs only the stdlib)."""
    if py39.LOCAL:
        return py39.LOCAL
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(root.glob("versions/3.9*/bin/python3.9"), reverse=True)
    which = shutil.which("python3.9")
    for candidate in [*map(str, candidates), *([which] if which else [])]:
        if _works(candidate):
            return candidate
    return None


LOCAL39 = local_python39()
MARKS = [] if LOCAL39 else py39.MARKS


@pytest.mark.parametrize("python", [pytest.param(LOCAL39, marks=MARKS, id="py39")])
def test_emulator_round_trip_on_python39(python: str | None) -> None:
    python = python or py39.interpreter()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join([str(REPO / "toolchain"), str(REPO / "src")]),
    }
    proc = subprocess.run(
        [python, "-c", ROUND_TRIP, str(HERE / "echo_runtime.py")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=str(REPO),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
