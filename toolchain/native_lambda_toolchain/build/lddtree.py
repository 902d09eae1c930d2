"""Resolve a dependency tree the way glibc's dynamic loader would, without running anything.

Search order for a NEEDED entry of object ``L`` (glibc ``_dl_map_object``):

1. if ``L`` has no DT_RUNPATH: the DT_RPATH of ``L``, then of the object that loaded ``L``,
   and so on up to the root, then the main executable's DT_RPATH (dlopen'd extension modules
   inherit it too);
2. ``LD_LIBRARY_PATH`` (only what the caller passes: the host environment is never read);
3. ``L``'s own DT_RUNPATH (never inherited: it does not apply to transitive lookups);
4. the ld.so cache, approximated by the directories of ``/etc/ld.so.conf`` (with ``include``);
5. the default directories (multiarch, ``lib64``, ``lib``).

``$ORIGIN`` expands to the directory of the object owning the path list. A candidate file is
taken only if its ELF class, byte order and machine match the requester, as the loader does.

Each requester's lookups are resolved independently (not "first loaded wins"), because the order
in which a program dlopens its extension modules is not known at build time: every module must
find its libraries on its own.

A :class:`Layout` maps target paths to host paths, so the same code checks a bundle as it will
sit on Lambda (``/var/task``, ``/opt/lib``) with only the policy's libraries in the system dirs,
without the host's libraries leaking in.
"""

from __future__ import annotations

import glob
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .elf import ElfInfo, is_elf, read_elf

#: Debian multiarch triplets per e_machine (for default dirs like /lib/x86_64-linux-gnu).
MULTIARCH = {
    "EM_X86_64": "x86_64-linux-gnu",
    "EM_AARCH64": "aarch64-linux-gnu",
    "EM_386": "i386-linux-gnu",
    "EM_ARM": "arm-linux-gnueabihf",
}


def parse_ld_so_conf(conf: str = "/etc/ld.so.conf", *, root: str = "/") -> List[str]:
    """Directories listed in ld.so.conf, following ``include`` globs; ``hwcap`` lines skipped.

    ``root`` is a sysroot the absolute paths are read under (the returned dirs are target
    paths, i.e. without the root prefix).
    """
    dirs: List[str] = []
    seen: set[str] = set()

    def visit(target_conf: str) -> None:
        if target_conf in seen:
            return
        seen.add(target_conf)
        try:
            text = Path(_under(root, target_conf)).read_text(errors="replace")
        except OSError:
            return
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("hwcap "):
                continue
            if line.startswith("include ") or line.startswith("include\t"):
                for pattern in line.split()[1:]:
                    if not pattern.startswith("/"):
                        pattern = posixpath.join(posixpath.dirname(target_conf), pattern)
                    matches = glob.glob(_under(root, pattern))
                    for match in sorted(matches):
                        visit("/" + os.path.relpath(match, root) if root != "/" else match)
                continue
            for entry in line.replace(",", " ").split():
                entry = posixpath.normpath(entry.split("=", 1)[0])  # old "dir=TYPE" syntax
                if entry not in dirs:
                    dirs.append(entry)

    visit(conf)
    return dirs


def default_dirs(machine: str, elf_class: int) -> List[str]:
    """The loader's built-in directories for an ELF of this machine/class (host layout)."""
    dirs = []
    triplet = MULTIARCH.get(machine)
    if triplet:
        dirs += [f"/lib/{triplet}", f"/usr/lib/{triplet}"]
    if elf_class == 64:
        dirs += ["/lib64", "/usr/lib64"]
    return [*dirs, "/lib", "/usr/lib"]


def _under(root: str, target_path: str) -> str:
    if root in ("", "/"):
        return target_path
    return os.path.join(root, target_path.lstrip("/"))


class Layout:
    """Where target paths live on this host.

    ``Layout()`` is the host itself. ``Layout(mounts={"/var/task": fn_dir, "/opt/lib": lib_dir},
    provided=policy.system_libraries, system_dirs=("/lib64", "/usr/lib64"))`` is a simulated
    target: only the mounted directories exist, and the system dirs hold exactly ``provided``.
    """

    def __init__(
        self,
        mounts: Optional[Mapping[str, Path]] = None,
        *,
        provided: Iterable[str] = (),
        system_dirs: Optional[Sequence[str]] = None,
    ) -> None:
        self.mounts = (
            None
            if mounts is None
            else {posixpath.normpath(k): Path(v).absolute() for k, v in mounts.items()}
        )
        self.provided = frozenset(provided)
        self._system_dirs = None if system_dirs is None else list(system_dirs)
        self._host_conf: Optional[List[str]] = None

    @property
    def is_host(self) -> bool:
        return self.mounts is None

    def system_dirs(self, info: ElfInfo) -> List[str]:
        """ld.so.conf + default dirs (host), or the configured dirs (simulated target)."""
        if self._system_dirs is not None:
            return self._system_dirs
        if self._host_conf is None:
            self._host_conf = parse_ld_so_conf()
        dirs = list(self._host_conf)
        for d in default_dirs(info.machine, info.elf_class):
            if d not in dirs:
                dirs.append(d)
        return dirs

    def to_host(self, target_path: str) -> Optional[Path]:
        """The host file behind ``target_path``; None if it does not exist in this layout."""
        if self.mounts is None:
            return Path(target_path)
        best = None
        for prefix in self.mounts:
            if (target_path == prefix or target_path.startswith(prefix + "/")) and (
                best is None or len(prefix) > len(best)
            ):
                best = prefix
        if best is None:
            return None
        rest = target_path[len(best) :].lstrip("/")
        return self.mounts[best] / rest if rest else self.mounts[best]

    def to_target(self, host_path: Path) -> str:
        """The target path of a host file (identity on the host layout)."""
        host_path = Path(host_path).absolute()
        if self.mounts is None:
            return str(host_path)
        best: Optional[Tuple[str, Path, Path]] = None
        for prefix, host_dir in self.mounts.items():
            try:
                rel = host_path.relative_to(host_dir)
            except ValueError:
                continue
            if best is None or len(str(host_dir)) > len(str(best[1])):
                best = (prefix, host_dir, rel)
        if best is None:
            raise ValueError(f"{host_path} is outside every mount of the layout {self.mounts}")
        return posixpath.normpath(posixpath.join(best[0], str(best[2])))


@dataclass
class Library:
    """One resolved dependency file."""

    name: str  # the NEEDED string that found it (usually the SONAME)
    path: Optional[Path]  # host path; None for a library the target's system provides
    target_path: str  # where the loader finds it on the target (host: same as path)
    info: Optional[ElfInfo]
    needed_by: List[Path] = field(default_factory=list)

    @property
    def provided(self) -> bool:
        """Provided by the (simulated) target's system dirs rather than by a file here."""
        return self.path is None

    @property
    def soname(self) -> str:
        return (self.info.soname if self.info else None) or self.name


@dataclass
class Closure:
    """The dependency closure of some roots: who needs what, and what was not found."""

    roots: Dict[Path, ElfInfo]
    #: every ELF file in the closure (roots and libraries) by host path
    elves: Dict[Path, ElfInfo]
    #: resolved libraries by host path (or by "name" key ``provided:NAME`` for virtual ones)
    libraries: Dict[str, Library]
    #: requester host path -> NEEDED name -> Library key (None = unresolved)
    edges: Dict[Path, Dict[str, Optional[str]]]
    #: NEEDED name -> requesters that could not find it
    unresolved: Dict[str, List[Path]]
    #: NEEDED name -> files of that name the loader would skip: another machine or ELF class
    #: (host path -> its architecture), so "not found" can say "found, but for x86_64"
    mismatched: Dict[str, Dict[Path, str]] = field(default_factory=dict)

    def libraries_named(self, name: str) -> List[Library]:
        return [lib for lib in self.libraries.values() if lib.name == name]

    def conflicts(self) -> Dict[str, List[Library]]:
        """NEEDED names that resolve to different files for different requesters."""
        by_name: Dict[str, List[Library]] = {}
        for lib in self.libraries.values():
            by_name.setdefault(lib.name, []).append(lib)
        return {n: libs for n, libs in by_name.items() if len(libs) > 1}

    def explain(self, name: str) -> str:
        """``libx.so.1 (needed by a, b)`` for error messages."""
        who = self.unresolved.get(name) or [
            p for lib in self.libraries_named(name) for p in lib.needed_by
        ]
        text = f"{name} (needed by {', '.join(str(p) for p in who) or '?'})"
        skipped = self.mismatched.get(name) if name in self.unresolved else None
        if skipped:
            text += ": skipped " + ", ".join(
                f"{path} (built for {arch}, wrong architecture)"
                for path, arch in sorted(skipped.items())
            )
        return text


def expand_origin(entry: str, origin: str) -> str:
    """Expand ``$ORIGIN``/``${ORIGIN}`` (``$LIB``/``$PLATFORM`` are left alone)."""
    return posixpath.normpath(entry.replace("${ORIGIN}", origin).replace("$ORIGIN", origin))


def resolve(
    roots: Sequence[Path],
    *,
    extra_dirs: Sequence[Path | str] = (),
    ld_library_path: Sequence[str] = (),
    layout: Optional[Layout] = None,
    main: Optional[Path] = None,
) -> Closure:
    """Resolve the dependency closure of ``roots`` (host paths).

    ``ld_library_path`` and then ``extra_dirs`` are searched at LD_LIBRARY_PATH's place.
    ``main`` is the executable whose DT_RPATH every lookup inherits (default: the first root
    with a PT_INTERP); the other roots are treated as dlopen'd by it.
    """
    layout = layout or Layout()
    lib_path = [str(d) for d in ld_library_path] + [str(Path(d).absolute()) for d in extra_dirs]
    root_infos: Dict[Path, ElfInfo] = {}
    for r in roots:
        p = Path(r).absolute()
        root_infos[p] = read_elf(p)
    if main is None:
        main = next((p for p, i in root_infos.items() if i.interpreter), None)
    else:
        main = Path(main).absolute()
    main_rpath: List[str] = []
    if main is not None:
        info = root_infos.get(main) or read_elf(main)
        origin = posixpath.dirname(layout.to_target(main))
        main_rpath = [expand_origin(e, origin) for e in info.effective_rpath]

    closure = Closure(
        roots=dict(root_infos), elves=dict(root_infos), libraries={}, edges={}, unresolved={}
    )
    cache: Dict[Tuple[str, ...], Optional[Tuple[Path, str]]] = {}
    # work items: (host path, inherited rpath dirs from the loader chain)
    todo: List[Tuple[Path, Tuple[str, ...]]] = [(p, ()) for p in root_infos]
    done: set[Tuple[Path, Tuple[str, ...]]] = set()
    while todo:
        item = todo.pop(0)
        if item in done:
            continue
        done.add(item)
        host, inherited = item
        info = closure.elves[host]
        target_origin = posixpath.dirname(layout.to_target(host))
        own_rpath = tuple(expand_origin(e, target_origin) for e in info.effective_rpath)
        chain = own_rpath + inherited  # what this object's own dependencies will inherit
        dirs: List[str] = []
        if not info.runpath:
            dirs += chain
            if host != main:
                dirs += main_rpath
        dirs += lib_path
        dirs += [expand_origin(e, target_origin) for e in info.runpath]
        dirs += layout.system_dirs(info)
        edges = closure.edges.setdefault(host, {})
        for name in info.needed:
            found = _find(name, dirs, info, layout, cache, closure.mismatched)
            if found is None:
                edges[name] = None
                who = closure.unresolved.setdefault(name, [])
                if host not in who:
                    who.append(host)
                continue
            lib_host, target_path = found
            key = f"provided:{name}" if lib_host is None else str(lib_host)
            lib = closure.libraries.get(key)
            if lib is None:
                lib_info = None if lib_host is None else read_elf(lib_host)
                lib = Library(name, lib_host, target_path, lib_info)
                closure.libraries[key] = lib
                if lib_host is not None and lib_info is not None:
                    closure.elves.setdefault(lib_host, lib_info)
            if host not in lib.needed_by:
                lib.needed_by.append(host)
            edges[name] = key
            if lib.path is not None and lib.path not in root_infos:
                todo.append((lib.path, chain))
    return closure


def _find(
    name: str,
    dirs: Sequence[str],
    requester: ElfInfo,
    layout: Layout,
    cache: Dict[Tuple[str, ...], Optional[Tuple[Path, str]]],
    mismatched: Optional[Dict[str, Dict[Path, str]]] = None,
) -> Optional[Tuple[Optional[Path], str]]:
    key = (name, requester.machine, str(requester.elf_class), *dirs)
    if key in cache:
        return cache[key]
    result: Optional[Tuple[Optional[Path], str]] = None
    if "/" in name:  # a path in DT_NEEDED is used as-is
        candidates = [posixpath.normpath(name)] if name.startswith("/") else []
    else:
        candidates = []
        seen: set[str] = set()
        for d in dirs:
            if d and d not in seen:
                seen.add(d)
                candidates.append(posixpath.join(d, name))
    system = set() if layout.is_host else set(layout.system_dirs(requester))
    for target_path in candidates:
        if name in layout.provided and posixpath.dirname(target_path) in system:
            result = (None, target_path)
            break
        host = layout.to_host(target_path)
        if host is None or not host.is_file() or not is_elf(host):
            continue
        try:
            info = read_elf(host)
        except Exception:
            continue
        if requester.compatible_with(info):
            result = (host, target_path)
            break
        if mismatched is not None:
            mismatched.setdefault(name, {})[host] = f"{info.arch} ({info.elf_class}-bit)"
    cache[key] = result  # type: ignore[assignment]
    return result
