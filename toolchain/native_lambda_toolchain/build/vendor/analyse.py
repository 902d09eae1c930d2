"""Which libraries a standalone build needs: its ELFs, their closure, split by the policy.

Read-only: nothing is copied or patched here (that is ``plan`` and ``apply``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ... import dist
from ...errors import BuildError
from ..elf import ElfInfo, is_elf, read_elf
from ..lddtree import Closure, resolve
from ..policy import Classification, Policy


@dataclass
class Analysis:
    """A dist folder's ELFs and what they need, as the build machine resolves them."""

    dist_dir: Path
    main: Path
    elves: List[Path]
    closure: Closure
    classified: Classification


def elves_in(tree: Path) -> List[Path]:
    """Every ELF file (not symlink) under ``tree``, sorted."""
    return [p for p in sorted(tree.rglob("*")) if p.is_file() and not p.is_symlink() and is_elf(p)]


def guess_main(dist_dir: Path, elves: Sequence[Path], infos: Dict[Path, ElfInfo]) -> Path:
    """``bootstrap``, else the only top-level executable of ``dist_dir``."""
    bootstrap = dist_dir / dist.BOOTSTRAP
    if bootstrap in infos:
        return bootstrap
    top = [p for p in elves if p.parent == dist_dir and infos[p].interpreter]
    if len(top) == 1:
        return top[0]
    raise BuildError(
        f"{dist_dir}: cannot tell the main executable among {[p.name for p in top] or 'no ELF'}",
        hint="name it 'bootstrap' or pass main= explicitly",
    )


def analyse(
    dist_dir: Path,
    policy: Policy,
    *,
    main: Optional[Path] = None,
    extra_dirs: Sequence[Path] = (),
) -> Analysis:
    """Resolve every ELF of ``dist_dir`` and classify the libraries by ``policy``.

    Raises BuildError for a wrong architecture or interpreter, unresolved libraries, and
    glibc libraries inside the dist folder (they must come from the target).
    """
    dist_dir = Path(dist_dir).absolute()
    elves = elves_in(dist_dir)
    infos = {p: read_elf(p) for p in elves}
    main = (dist_dir / main).absolute() if main else guess_main(dist_dir, elves, infos)
    main_info = infos[main]
    policy.check_arch(main_info.arch, str(main))
    expected_interp = policy.interpreters.get(main_info.arch)
    if expected_interp and main_info.interpreter and main_info.interpreter != expected_interp:
        raise BuildError(
            f"{main}: its ELF interpreter is {main_info.interpreter}, but {policy.name} has "
            f"{expected_interp}",
            hint="build with the target's toolchain (the container build)",
        )
    closure = resolve(
        [main, *[p for p in elves if p != main]],
        extra_dirs=[dist_dir, *extra_dirs],
        main=main,
    )
    classified = policy.classify(closure)
    if classified.unresolved:
        raise BuildError(
            "cannot find these libraries on the build machine: "
            + "; ".join(closure.explain(n) for n in sorted(classified.unresolved)),
            hint="install them (or pass their directory), or remove the module that needs them",
        )
    system_in_dist = [
        lib for lib in classified.system if lib.path is not None and _inside(lib.path, dist_dir)
    ]
    if system_in_dist:
        raise BuildError(
            f"{system_in_dist[0].path}: the dist folder ships {system_in_dist[0].name}, which "
            f"target {policy.name} provides (glibc must come from the target)",
            hint="do not bundle glibc libraries; rebuild without copying them",
        )
    return Analysis(dist_dir, main, elves, closure, classified)


def _inside(path: Path, tree: Path) -> bool:
    try:
        path.relative_to(tree)
    except ValueError:
        return False
    return True
