"""Which architecture a program is for, and whether this machine can run it (natively or
through qemu binfmt emulation). Read from ELF headers and ``/proc``; nothing is executed.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Optional

from .dist import ARCHITECTURES

#: e_machine (ELF header offset 18) -> Lambda's architecture name
LAMBDA_ARCH_BY_MACHINE = {62: "x86_64", 183: "arm64"}
#: Lambda's architecture name -> the qemu binfmt entry that runs it on another machine
BINFMT_ENTRY = {"arm64": "qemu-aarch64", "x86_64": "qemu-x86_64"}
#: Where binfmt_misc entries are read (tests point it at an empty folder: no emulation)
BINFMT_DIR_ENV = "NATIVE_LAMBDA_BINFMT_DIR"


def host_architecture() -> str:
    """This machine's architecture in Lambda's words (``x86_64`` or ``arm64``)."""
    return ARCHITECTURES.get(platform.machine(), platform.machine())


def elf_architecture(head: bytes) -> Optional[str]:
    """Lambda's architecture name of an ELF header; None for a script or another machine."""
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    return LAMBDA_ARCH_BY_MACHINE.get(int.from_bytes(head[18:20], "little"))


def emulation_entry(architecture: str) -> Optional[Path]:
    """The enabled binfmt entry that runs ``architecture`` programs here, else None."""
    name = BINFMT_ENTRY.get(architecture)
    if name is None:
        return None
    entry = Path(os.environ.get(BINFMT_DIR_ENV) or "/proc/sys/fs/binfmt_misc") / name
    try:
        with open(entry) as fh:
            return entry if fh.readline().strip() == "enabled" else None
    except OSError:
        return None
