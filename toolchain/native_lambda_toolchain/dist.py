"""The contract of a ``dist/`` folder: what a build produced, and where it goes in Lambda.

The build core writes a :class:`BuildRecord` next to the zips; ``run``, the sandbox and
``deploy`` read it instead of guessing (handler, architecture, Python version). The artifact
names and the in-Lambda paths live here once. Python 3.9-clean and light (msgspec only): the
build core imports it inside the build image.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

import msgspec

from .errors import ToolchainError

FUNCTION_ZIP = "function.zip"
LAYER_ZIP = "layer.zip"
BOOTSTRAP = "bootstrap"
RECORD = "build.json"
BUILD_LOG = "build.log"

#: Where Lambda unpacks the function code and the layers.
TASK_ROOT = "/var/task"
LAYER_ROOT = "/opt"
LAYER_LIB = "/opt/lib"

#: Lambda's names for the two instruction sets, keyed by ``uname -m``.
ARCHITECTURES = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


class BuildRecord(msgspec.Struct, forbid_unknown_fields=False, kw_only=True):
    """What one build produced. Unknown fields are ignored so older tools read newer records."""

    handler: str
    #: every handler compiled in; ``_HANDLER`` may select any of them at start
    handlers: Tuple[str, ...] = ()
    target: str
    architecture: str  # Lambda's name: x86_64 or arm64
    python_version: str  # "3.13"
    nuitka_version: str = ""
    toolchain_version: str = ""
    glibc_needed: str = ""
    layer_libraries: List[str] = []
    system_libraries: List[str] = []
    not_followed: List[str] = []
    removed_unimported: List[str] = []
    startup_tuning: bool = True
    #: build profile: ``release`` (what ships) or ``dev`` (C unoptimised, fast to compile)
    profile: str = "release"


def write_record(dist_dir: Path, record: BuildRecord) -> Path:
    """Write ``build.json`` (sorted, indented: diffable and reproducible)."""
    path = Path(dist_dir) / RECORD
    data = msgspec.to_builtins(record)
    path.write_bytes(
        msgspec.json.format(msgspec.json.encode(data, order="sorted"), indent=2) + b"\n"
    )
    return path


def read_record(dist_dir: Path) -> Optional[BuildRecord]:
    """The record of ``dist_dir``; None when absent (zips made elsewhere)."""
    path = Path(dist_dir) / RECORD
    if not path.is_file():
        return None
    try:
        return msgspec.json.decode(path.read_bytes(), type=BuildRecord)
    except msgspec.DecodeError as exc:
        raise ToolchainError(
            f"{path}: not a build record ({exc})",
            hint="rebuild with `native-lambda build`",
        ) from None
