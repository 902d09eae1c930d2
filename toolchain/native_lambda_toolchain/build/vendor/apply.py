"""Carry out a vendoring plan: fill the layer's ``lib/``, write the function tree, rewrite
rpaths, then read everything back and resolve it in a simulated target.

The simulated target holds only ``/var/task``, ``/opt/lib`` and the policy's libraries; any
NEEDED that would resolve elsewhere fails the build.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from ... import dist
from ...errors import BuildError
from ..elf import read_elf
from ..lddtree import Closure, Layout, resolve
from ..policy import Policy
from .analyse import analyse, elves_in, guess_main
from .patcher import find_patchelf, set_rpath
from .plan import LAYER_RPATH, LayerLib, plan


@dataclass
class VendorReport:
    """What :func:`vendor` did; ``function_files`` is what ``function.zip`` must hold."""

    function_dir: Path
    layer_lib_dir: Path
    main: Path  # the main executable inside function_dir
    function_files: List[Path]  # relative to function_dir, sorted
    function_elves: List[Path]  # absolute, patched
    layer_libs: Dict[str, LayerLib]
    system_libs: List[str]  # NEEDED names left to the target
    rpaths: Dict[Path, str] = field(default_factory=dict)  # patched file -> rpath written
    removed_from_function: List[Path] = field(default_factory=list)  # libs moved out of dist
    closure: Optional[Closure] = None  # host closure before patching
    target_closure: Optional[Closure] = None  # simulated target closure after patching


def vendor(
    dist_dir: Path,
    policy: Policy,
    layer_lib_dir: Path,
    rpath: str = dist.LAYER_LIB,
    *,
    function_dir: Optional[Path] = None,
    main: Optional[Path] = None,
    extra_dirs: Sequence[Path] = (),
    patchelf: Optional[str] = None,
) -> VendorReport:
    """Bundle every non-system library of ``dist_dir``'s ELFs into ``layer_lib_dir`` and patch.

    ``layer_lib_dir`` is emptied first (it is build output: what ``layer.zip`` holds as lib/).
    ``function_dir``: where the function tree is written (a fresh copy of ``dist_dir`` without
    the moved libraries); default: ``dist_dir`` itself is modified in place. ``main`` is
    relative to / inside ``dist_dir`` (default: ``bootstrap`` or the only top-level executable).
    ``extra_dirs`` are searched for libraries after rpaths (at LD_LIBRARY_PATH's place);
    ``dist_dir`` itself always is, because Nuitka puts the libraries it copies there.
    Raises BuildError for unresolved libraries, SONAME clashes, and failed verification.
    """
    dist_dir = Path(dist_dir).absolute()
    layer_lib_dir = Path(layer_lib_dir).absolute()
    patchelf = patchelf or find_patchelf()
    found = analyse(dist_dir, policy, main=main, extra_dirs=extra_dirs)
    decided = plan(found, layer_lib_dir)

    # Layer first: in-place mode deletes the dist's copies of the libraries next. The layer
    # dir is recreated so that no library of an earlier build lingers in layer.zip.
    if layer_lib_dir.exists():
        shutil.rmtree(layer_lib_dir)
    layer_lib_dir.mkdir(parents=True)
    for entry in decided.layer.values():
        shutil.copyfile(entry.source, entry.dest)
        os.chmod(entry.dest, 0o755)

    if function_dir is None:
        function_dir = dist_dir
        for p in decided.moved:
            p.unlink()
    else:
        function_dir = Path(function_dir).absolute()
        if function_dir.exists():
            shutil.rmtree(function_dir)
        skip = set(decided.moved)
        shutil.copytree(dist_dir, function_dir, symlinks=True, ignore=_ignore(skip))
    fn_elves = sorted(function_dir / p.relative_to(dist_dir) for p in decided.stay)
    fn_main = function_dir / found.main.relative_to(dist_dir)

    rpaths: Dict[Path, str] = {}
    for p in fn_elves:
        if read_elf(p).has_dynamic:
            set_rpath(p, rpath, patchelf=patchelf)
            rpaths[p] = rpath
    for entry in decided.layer.values():
        if read_elf(entry.dest).has_dynamic:
            set_rpath(entry.dest, LAYER_RPATH, patchelf=patchelf)
            rpaths[entry.dest] = LAYER_RPATH

    report = VendorReport(
        function_dir=function_dir,
        layer_lib_dir=layer_lib_dir,
        main=fn_main,
        function_files=sorted(
            p.relative_to(function_dir)
            for p in function_dir.rglob("*")
            if p.is_file() or p.is_symlink()
        ),
        function_elves=fn_elves,
        layer_libs=decided.layer,
        system_libs=decided.system,
        rpaths=rpaths,
        removed_from_function=[p.relative_to(dist_dir) for p in decided.moved],
        closure=found.closure,
    )
    report.target_closure = verify(
        function_dir, layer_lib_dir, policy, main=fn_main, layer_mount=rpath.split(":")[0]
    )
    return report


def _ignore(skip: Set[Path]) -> Callable[[str, List[str]], List[str]]:
    def ignore(directory: str, names: List[str]) -> List[str]:
        return [n for n in names if Path(directory, n) in skip]

    return ignore


def verify(
    function_dir: Path,
    layer_lib_dir: Path,
    policy: Policy,
    *,
    main: Optional[Path] = None,
    task_root: str = dist.TASK_ROOT,
    layer_mount: str = dist.LAYER_LIB,
) -> Closure:
    """Resolve every ELF as it will sit on the target; fail on anything outside layer + policy.

    No ``LD_LIBRARY_PATH`` is applied: the rpaths alone must do the job (Lambda's adds only
    dirs that hold nothing else of ours). Returns the simulated closure.
    """
    function_dir = Path(function_dir).absolute()
    layer_lib_dir = Path(layer_lib_dir).absolute()
    layout = Layout(
        {task_root: function_dir, layer_mount: layer_lib_dir},
        provided=policy.system_libraries,
        system_dirs=policy.system_dirs,
    )
    fn_elves = elves_in(function_dir)
    layer_elves = elves_in(layer_lib_dir)
    if main is None:
        main = guess_main(function_dir, fn_elves, {p: read_elf(p) for p in fn_elves})
    roots = [Path(main).absolute(), *[p for p in fn_elves if p != Path(main).absolute()]]
    closure = resolve([*roots, *layer_elves], layout=layout, main=roots[0])
    problems: List[str] = []
    for name, requesters in sorted(closure.unresolved.items()):
        for requester in requesters:
            problems.append(
                f"{layout.to_target(requester)} needs {name}, which is neither in "
                f"{layer_mount} nor provided by {policy.name}"
            )
    for lib in closure.libraries.values():
        if lib.provided:
            continue
        if not lib.target_path.startswith(layer_mount.rstrip("/") + "/"):
            who = ", ".join(layout.to_target(p) for p in lib.needed_by)
            problems.append(
                f"{who} would load {lib.name} from {lib.target_path}, outside {layer_mount}"
            )
    if problems:
        raise BuildError(
            "the bundle would not load on the target:\n  " + "\n  ".join(problems),
            hint="a library is missing from the layer or an rpath was not rewritten; "
            "rerun the build, and report this if it persists",
        )
    return closure


def layer_entries(layer_lib_dir: Path) -> List[Tuple[str, Path]]:
    """``("lib/NAME", path)`` pairs for :func:`package.write_zip`."""
    return [(f"lib/{p.name}", p) for p in sorted(Path(layer_lib_dir).iterdir()) if p.is_file()]
