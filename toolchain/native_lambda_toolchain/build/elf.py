"""Read what the dynamic loader will read from an ELF file, without ever running it.

We use pyelftools rather than ``ldd``/``readelf`` because target binaries may not run here
(other glibc, other architecture) and ``ldd`` executes the loader. Everything the library
closure, the rpath patcher and the ABI check need comes from this one pass over the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, Optional, Tuple, cast

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerDefSection, GNUVerNeedSection, GNUVerSymSection
from elftools.elf.sections import SymbolTableSection

from ..errors import BuildError

ELF_MAGIC = b"\x7fELF"

#: e_machine -> the architecture names Lambda (and ``uname -m``) use.
ARCH_BY_MACHINE = {
    "EM_X86_64": "x86_64",
    "EM_AARCH64": "aarch64",
    "EM_386": "i686",
    "EM_ARM": "armv7l",
}


@dataclass(frozen=True)
class ElfInfo:
    """The loader-relevant facts of one ELF file."""

    path: Path
    elf_class: int  # 32 or 64
    little_endian: bool
    machine: str  # e_machine, e.g. "EM_X86_64"
    osabi: str
    elf_type: str  # "ET_EXEC", "ET_DYN", ...
    interpreter: str | None
    soname: str | None
    needed: Tuple[str, ...]
    rpath: Tuple[str, ...]  # DT_RPATH entries (ignored by the loader when runpath is set)
    runpath: Tuple[str, ...]  # DT_RUNPATH entries
    #: library -> symbol versions this file needs from it ("GLIBC_2.34", "GLIBCXX_3.4.29" ...)
    version_needs: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    #: (library, version) -> the undefined symbols bound to that version, so errors name them
    version_symbols: Dict[Tuple[str, str], Tuple[str, ...]] = field(default_factory=dict)
    #: versions this file defines itself (a bundled libstdc++ defines GLIBCXX_3.4.x ...)
    version_defs: FrozenSet[str] = frozenset()
    has_dynamic: bool = True

    @property
    def arch(self) -> str:
        """``x86_64``/``aarch64``/... (the raw e_machine when unknown)."""
        return ARCH_BY_MACHINE.get(self.machine, self.machine)

    @property
    def effective_rpath(self) -> Tuple[str, ...]:
        """DT_RPATH as the loader sees it: glibc ignores it when DT_RUNPATH is present."""
        return () if self.runpath else self.rpath

    def compatible_with(self, other: ElfInfo) -> bool:
        """Whether the loader would accept ``other`` as a dependency of this file."""
        return (
            self.elf_class == other.elf_class
            and self.little_endian == other.little_endian
            and self.machine == other.machine
        )

    def symbols_for(self, library: str, version: str) -> Tuple[str, ...]:
        """The symbols this file binds to ``version`` of ``library`` (may be empty)."""
        return self.version_symbols.get((library, version), ())


def is_elf(path: Path) -> bool:
    """Cheap magic-number test; symlinks are followed, directories and unreadables are False."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == ELF_MAGIC
    except OSError:
        return False


def _split_path_list(value: str) -> Tuple[str, ...]:
    return tuple(p for p in value.split(":") if p)


#: (path, dev, inode, size, mtime) -> info: closures and checks read the same files many
#: times; a patched file has a new mtime/size and is read again.
_CACHE: Dict[Tuple[str, int, int, int, int], ElfInfo] = {}


def read_elf(path: Path | str) -> ElfInfo:
    """Parse ``path``'s ELF header, dynamic section and GNU symbol versioning.

    Raises BuildError when the file is not a readable ELF file.
    """
    path = Path(path)
    try:
        st = path.stat()
        key = (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        with open(path, "rb") as fh:
            info = _read(path, ELFFile(fh))
        if len(_CACHE) > 4096:
            _CACHE.clear()
        _CACHE[key] = info
        return info
    except (ELFError, OSError, ValueError) as exc:
        raise BuildError(
            f"{path}: cannot read it as an ELF file ({exc})",
            hint="remove it from the bundle or rebuild it; only ELF binaries can be linked",
        ) from exc


def _read(path: Path, elf: ELFFile) -> ElfInfo:
    interpreter = None
    for seg in elf.iter_segments():
        if seg["p_type"] == "PT_INTERP":
            interpreter = cast(Any, seg).get_interp_name()

    # One pass over the sections: pyelftools re-parses headers on every iteration.
    dynamic = verneed = versym = verdef = dynsym = None
    for section in elf.iter_sections():
        if isinstance(section, DynamicSection) and dynamic is None:
            dynamic = section
        elif isinstance(section, GNUVerNeedSection):
            verneed = section
        elif isinstance(section, GNUVerSymSection):
            versym = section
        elif isinstance(section, GNUVerDefSection):
            verdef = section
        elif isinstance(section, SymbolTableSection) and section["sh_type"] == "SHT_DYNSYM":
            dynsym = section

    soname = None
    needed: list[str] = []
    rpath: Tuple[str, ...] = ()
    runpath: Tuple[str, ...] = ()
    if dynamic is not None:
        for raw_tag in dynamic.iter_tags():
            tag = cast(Any, raw_tag)  # pyelftools sets .needed/.soname/.rpath dynamically
            kind = tag.entry.d_tag
            if kind == "DT_NEEDED":
                needed.append(tag.needed)
            elif kind == "DT_SONAME":
                soname = tag.soname
            elif kind == "DT_RPATH":
                rpath = _split_path_list(tag.rpath)
            elif kind == "DT_RUNPATH":
                runpath = _split_path_list(tag.runpath)

    version_needs, version_symbols = _version_needs(elf, verneed, versym, dynsym)
    version_defs: set[str] = set()
    if verdef is not None:
        for _vd, auxs in verdef.iter_versions():
            for aux in auxs:
                version_defs.add(aux.name)

    return ElfInfo(
        path=path,
        elf_class=elf.elfclass,
        little_endian=elf.little_endian,
        machine=elf["e_machine"],
        osabi=elf["e_ident"]["EI_OSABI"],
        elf_type=elf["e_type"],
        interpreter=interpreter,
        soname=soname,
        needed=tuple(needed),
        rpath=rpath,
        runpath=runpath,
        version_needs={lib: frozenset(v) for lib, v in version_needs.items()},
        version_symbols={k: tuple(sorted(v)) for k, v in version_symbols.items()},
        version_defs=frozenset(version_defs),
        has_dynamic=dynamic is not None,
    )


def _version_needs(
    elf: ELFFile,
    verneed: Optional[GNUVerNeedSection],
    versym: Optional[GNUVerSymSection],
    dynsym: Optional[SymbolTableSection],
) -> Tuple[Dict[str, set[str]], Dict[Tuple[str, str], set[str]]]:
    """Map .gnu.version_r entries to libraries and .gnu.version indexes back to symbols."""
    needs: Dict[str, set[str]] = {}
    symbols: Dict[Tuple[str, str], set[str]] = {}
    if verneed is None:
        return needs, symbols
    by_index: Dict[int, Tuple[str, str]] = {}
    for vn, auxs in verneed.iter_versions():
        lib = str(vn.name)
        for aux in auxs:
            needs.setdefault(lib, set()).add(str(aux.name))
            by_index[aux["vna_other"]] = (lib, str(aux.name))
            symbols.setdefault((lib, str(aux.name)), set())
    if versym is None or dynsym is None:
        return needs, symbols
    # Raw struct decoding: pyelftools' per-symbol parsing takes ~1 s for libcrypto.
    order = "<" if elf.little_endian else ">"
    versions = versym.data()
    table = dynsym.data()
    entsize = dynsym["sh_entsize"] or (24 if elf.elfclass == 64 else 16)
    strtab = dynsym.stringtable
    count = min(len(versions) // 2, len(table) // entsize)
    for i, (ndx,) in enumerate(struct.iter_unpack(order + "H", versions[: count * 2])):
        key = by_index.get(ndx & 0x7FFF)  # top bit = "hidden"
        if key is None or i == 0:
            continue
        # A vernaux index means "bound to that library's version" even for a symbol defined
        # here by a copy relocation (data objects such as _dl_argv, stdout in non-PIE code).
        (name_off,) = struct.unpack_from(order + "I", table, i * entsize)
        symbols[key].add(strtab.get_string(name_off))
    return needs, symbols
