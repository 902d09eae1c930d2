"""For which platform the dependencies are installed, and the key of the cached tree.

The wheels must run on the target (manylinux_2_34 on al2023, manylinux_2_26 on al2) *and* in
the build environment, because the build imports them (Nuitka follows the installed tree):
the glibc cap is the lower of the target's and the build environment's. On the bullseye
stand-in (glibc 2.31) an al2023 build takes manylinux_2_31 wheels at most.

When the build environment's glibc is not newer than the target's, the installer's own tags
are already the right ones and sdists may be built there (``native``); otherwise the tags are
given explicitly and only wheels qualify (an sdist built there could need the newer glibc).

Pure logic, Python 3.9-clean.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform as _platform
import sys
from dataclasses import dataclass
from typing import List, Optional, Tuple

from .source import DependencySet

#: The glibc each Lambda target guarantees (its manylinux level).
TARGET_GLIBC = {"al2023": (2, 34), "al2": (2, 26)}
#: Lambda's architectures as the wheel tags spell them.
ARCHES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
#: Bump when the layout of a cached tree changes: old trees are then never reused.
LAYOUT_VERSION = "1"


@dataclass(frozen=True)
class TargetPlatform:
    """The platform one dependency tree is installed for."""

    target: str  # al2023 | al2 | host
    arch: str  # x86_64 | aarch64
    python: str  # "3.9"
    glibc: Tuple[int, int]  # the cap: min(target's, build environment's)
    native: bool  # the installer's own tags are right; sdists may be built

    @property
    def manylinux(self) -> str:
        return f"manylinux_{self.glibc[0]}_{self.glibc[1]}_{self.arch}"

    def platform_tags(self) -> List[str]:
        """Every manylinux tag up to the cap, newest first (pip's ``--platform`` values)."""
        major, top = self.glibc
        tags = [f"manylinux_{major}_{minor}_{self.arch}" for minor in range(top, 16, -1)]
        tags.append(f"manylinux2014_{self.arch}")
        if self.arch == "x86_64":
            tags += ["manylinux_2_12_x86_64", "manylinux2010_x86_64"]
            tags += ["manylinux_2_5_x86_64", "manylinux1_x86_64"]
        return tags

    def describe(self) -> str:
        """``al2023 (manylinux_2_31_x86_64, CPython 3.9)``: what error messages name."""
        return f"{self.target} ({self.manylinux}, CPython {self.python})"


def build_glibc() -> Tuple[int, int]:
    """This machine's glibc, e.g. (2, 31)."""
    text = ""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        text = os.confstr("CS_GNU_LIBC_VERSION") or ""
    version = text.split()[-1] if text else _platform.libc_ver()[1]
    parts = version.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return (2, 17)  # no glibc to read: the manylinux floor


def target_platform(
    target: str,
    *,
    arch: Optional[str] = None,
    python: Optional[str] = None,
    glibc: Optional[Tuple[int, int]] = None,
) -> TargetPlatform:
    """The platform for ``target`` as seen from this build environment (or the values given)."""
    machine = arch or _platform.machine()
    arch_tag = ARCHES.get(machine.lower(), machine.lower())
    here = glibc or build_glibc()
    wanted = TARGET_GLIBC.get(target, here)
    cap = min(wanted, here)
    return TargetPlatform(
        target=target,
        arch=arch_tag,
        python=python or "{}.{}".format(*sys.version_info[:2]),
        glibc=cap,
        native=here <= wanted,
    )


def cache_key(deps: DependencySet, plat: TargetPlatform, installer: str) -> str:
    """sha256 of the requirements text and everything that shapes the installed tree."""
    digest = hashlib.sha256()
    for part in (
        LAYOUT_VERSION,
        installer,
        deps.text,
        "no-deps" if deps.no_deps else "resolve",
        plat.target,
        plat.arch,
        plat.python,
        plat.manylinux,
        "native" if plat.native else "tags",
    ):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:20]
