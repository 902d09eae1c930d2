"""What a Lambda target's base image guarantees, kept as data in ``policies/<target>.json``.

A policy answers two questions: which libraries may be left to the target (``system``) and
which symbol versions those libraries provide at most. Everything else in a closure is bundled
into the layer. By default only glibc's own libraries are ``system``: they must match the
image's glibc exactly (they share GLIBC_PRIVATE interfaces), so bundling them is never an option,
while everything else (libpython, libssl, libstdc++, libgcc_s, libcrypt ...) is safer shipped.
"""

from __future__ import annotations

import json
import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Tuple

from ..errors import BuildError
from .lddtree import Closure, Library

POLICY_DIR = Path(__file__).with_name("policies")

_VERSION_RE = re.compile(r"^([A-Z][A-Z_]*?)_(\d+(?:\.\d+)*)$")


def parse_symbol_version(version: str) -> Optional[Tuple[str, Tuple[int, ...]]]:
    """``"GLIBC_2.34"`` -> ``("GLIBC", (2, 34))``; None for ``GLIBC_PRIVATE`` and the like."""
    m = _VERSION_RE.match(version)
    if not m:
        return None
    return m.group(1), tuple(int(x) for x in m.group(2).split("."))


def format_version(numbers: Tuple[int, ...]) -> str:
    return ".".join(str(n) for n in numbers)


def available_targets() -> List[str]:
    return sorted(p.stem for p in POLICY_DIR.glob("*.json"))


@dataclass(frozen=True)
class Classification:
    """A closure split by the policy: what the target provides vs what we must ship."""

    system: List[Library] = field(default_factory=list)
    bundle: List[Library] = field(default_factory=list)
    unresolved: Dict[str, List[Path]] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    name: str
    description: str
    architectures: Tuple[str, ...]
    #: version family ("GLIBC", "GLIBCXX", "CXXABI") -> highest version the target provides
    max_versions: Dict[str, Tuple[int, ...]]
    system_libraries: FrozenSet[str]
    system_dirs: Tuple[str, ...]
    interpreters: Dict[str, str]
    ld_library_path: Tuple[str, ...]
    notes: Tuple[str, ...] = ()

    @property
    def glibc(self) -> Tuple[int, ...]:
        return self.max_versions["GLIBC"]

    def is_system(self, soname: str) -> bool:
        return soname in self.system_libraries

    def classify(self, closure: Closure) -> Classification:
        """Split ``closure.libraries`` into system and bundle (sorted by name)."""
        result = Classification(unresolved=dict(closure.unresolved))
        for lib in sorted(closure.libraries.values(), key=lambda lib: (lib.name, lib.target_path)):
            if self.is_system(lib.name) or self.is_system(lib.soname):
                result.system.append(lib)
            else:
                result.bundle.append(lib)
        return result

    def check_arch(self, arch: str, what: str) -> None:
        if arch not in self.architectures:
            raise BuildError(
                f"{what} is built for {arch}, but target {self.name} runs "
                f"{' or '.join(self.architectures)}",
                hint="build on (or in a container for) the target's architecture",
            )


def load_policy(target: str, *, policy_dir: Path = POLICY_DIR) -> Policy:
    """Load ``policies/<target>.json``; ``"detect"`` values are filled from this machine."""
    path = policy_dir / f"{target}.json"
    if not path.is_file():
        raise BuildError(
            f"unknown target {target!r}: no policy file {path}",
            hint=f"choose one of: {', '.join(available_targets())}",
        )
    data = json.loads(path.read_text())
    archs = tuple(platform.machine() if a == "detect" else a for a in data["architectures"])
    max_versions: Dict[str, Tuple[int, ...]] = {}
    for family, value in data.get("symbol_versions", {}).items():
        if value is None:
            continue
        if value == "detect":
            value = host_glibc() if family == "GLIBC" else None
            if value is None:
                continue
        max_versions[family] = tuple(int(x) for x in str(value).split("."))
    if "GLIBC" not in max_versions:
        raise BuildError(f"{path}: symbol_versions.GLIBC is required")
    return Policy(
        name=data["name"],
        description=data.get("description", ""),
        architectures=archs,
        max_versions=max_versions,
        system_libraries=frozenset(data["system_libraries"]),
        system_dirs=tuple(data.get("system_dirs", ["/lib64", "/usr/lib64"])),
        interpreters=dict(data.get("interpreters", {})),
        ld_library_path=tuple(data.get("ld_library_path", [])),
        notes=tuple(data.get("notes", [])),
    )


def host_glibc() -> Optional[str]:
    """``"2.36"`` on this Debian 12 host (None when the C library is not glibc)."""
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError, AttributeError):
        return None
    if not value or not value.startswith("glibc "):
        return None
    return value.split()[1]
