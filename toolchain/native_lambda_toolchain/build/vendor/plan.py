"""Where each file of a build goes: function (``/var/task``), layer (``/opt/lib``) or the
target system, and which rpath each ELF gets. Pure decisions; ``apply`` carries them out.

Function ELFs (bootstrap, extension modules) get DT_RPATH ``/opt/lib``; layer libraries get
``$ORIGIN`` (they sit together). Why DT_RPATH and not DT_RUNPATH: the loader searches
DT_RPATH *before* ``LD_LIBRARY_PATH`` and applies it to libraries loaded on the object's
behalf too. Lambda's ``LD_LIBRARY_PATH`` lists ``/usr/lib64`` before ``/opt/lib``, so with
RUNPATH a libssl or libz of the image would shadow the one we ship (built against our
libcrypto, our glibc floor); with RPATH our copies win, also for transitive lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

from ...errors import BuildError
from .analyse import Analysis

#: The rpath of the libraries in the layer: they find each other beside themselves.
LAYER_RPATH = "$ORIGIN"


@dataclass
class LayerLib:
    """A library copied into the layer."""

    name: str  # file name in the layer: the NEEDED string (normally the SONAME)
    source: Path  # where it came from (host system dir or the dist folder)
    dest: Path
    needed_by: List[str]
    size: int


@dataclass
class Plan:
    """``stay``: dist ELFs that stay with the function (main first); ``moved``: dist files
    that go to the layer instead; ``layer``: one entry per library file in the layer."""

    stay: List[Path]
    moved: List[Path]
    layer: Dict[str, LayerLib]
    system: List[str]


def plan(analysis: Analysis, layer_lib_dir: Path) -> Plan:
    """ELFs something NEEDs are libraries (to the layer); the rest (main executable,
    extension modules, dlopen'd helpers) stay with the function."""
    classified = analysis.classified
    needed_paths = {lib.path for lib in classified.bundle if lib.path is not None}
    needed_paths |= {lib.path for lib in classified.system if lib.path is not None}
    main = analysis.main
    stay = [p for p in analysis.elves if p not in needed_paths or p == main]
    moved = sorted(p for p in analysis.elves if p in needed_paths and p != main)
    return Plan(
        stay=stay,
        moved=moved,
        layer=plan_layer(analysis, Path(layer_lib_dir).absolute()),
        system=sorted({lib.name for lib in classified.system}),
    )


def plan_layer(analysis: Analysis, layer_lib_dir: Path) -> Dict[str, LayerLib]:
    """One file per NEEDED name (the loader looks files up by that name); clashes fail."""
    out: Dict[str, LayerLib] = {}
    for lib in analysis.classified.bundle:
        assert lib.path is not None
        source = lib.path.resolve()
        existing = out.get(lib.name)
        if existing is not None:
            if existing.source == source or _same_bytes(existing.source, source):
                existing.needed_by.extend(str(p) for p in lib.needed_by)
                continue
            raise BuildError(
                f"two different files are needed as {lib.name}: {existing.source} (by "
                f"{', '.join(existing.needed_by)}) and {source} (by "
                f"{', '.join(str(p) for p in lib.needed_by)}); one /opt/lib can hold only one",
                hint="make every module use the same copy (rebuild against one version)",
            )
        out[lib.name] = LayerLib(
            name=lib.name,
            source=source,
            dest=layer_lib_dir / lib.name,
            needed_by=[str(p) for p in lib.needed_by],
            size=source.stat().st_size,
        )
    return out


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    return a.read_bytes() == b.read_bytes()
