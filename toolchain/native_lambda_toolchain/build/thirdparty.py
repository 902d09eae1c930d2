"""Third-party packages in a build: the files they need beside the binary, and who owns what.

Nuitka compiles a package's Python code into the bootstrap but copies only the data files its
own package configuration knows (certifi's ``cacert.pem`` ...). A compiled module's
``__file__`` still points into ``/var/task/<package>/``, so every other file a package reads
at run time (pydantic's, Powertools' JSON files, aws_xray_sdk's ``sampling_rule.json``) is
copied here from the installed tree, for the packages the program actually compiled in, with
their ``*.dist-info`` metadata (``importlib.metadata.version(...)`` at import time).

``bytecode-packages`` ship uncompiled: their source and ``.pyc`` (optimisation level 1, as the
bootstrap runs with ``-O``) are copied beside the binary, where the bootstrap's path finds them.

Python 3.9-clean; runs inside the build container.
"""

from __future__ import annotations

import compileall
import csv
import py_compile
import shutil
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set

from ..errors import BuildError

#: Never package data: code Nuitka compiled or copied, sources and build inputs.
CODE_SUFFIXES = {
    ".py",
    ".pyc",
    ".pyo",
    ".pyi",
    ".pyx",
    ".pxd",
    ".pxi",
    ".c",
    ".h",
    ".cc",
    ".cpp",
    ".hpp",
    ".a",
    ".lib",
    ".so",
    ".dylib",
    ".dll",
    ".exe",
}
#: The zips fix every mtime, so a timestamp-checked ``.pyc`` would look stale on Lambda.
UNCHECKED = py_compile.PycInvalidationMode.UNCHECKED_HASH
SKIP_DIRS = {"__pycache__", "tests"}
SKIP_NAMES = {"py.typed", "RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _is_data(path: Path) -> bool:
    if path.name in SKIP_NAMES or path.suffix in CODE_SUFFIXES or ".so." in path.name:
        return False
    return not any(part in SKIP_DIRS for part in path.parts)


def installed_top_levels(site_dirs: Sequence[Path]) -> Set[str]:
    """Names importable from the installed trees (packages and single-file modules)."""
    names: Set[str] = set()
    for site in site_dirs:
        for child in Path(site).iterdir():
            if child.is_dir() and (child / "__init__.py").is_file():
                names.add(child.name)
            elif child.is_dir() and "." not in child.name and child.name not in SKIP_DIRS:
                names.add(child.name)  # namespace package
            elif child.suffix in (".py", ".so"):
                names.add(child.name.split(".")[0])
    return names


def copy_package_data(
    site_dirs: Sequence[Path], dist_dir: Path, packages: Iterable[str]
) -> List[str]:
    """Copy the data files of ``packages`` that Nuitka did not; their names, relative."""
    copied: List[str] = []
    for name in sorted(set(packages)):
        for site in site_dirs:
            root = Path(site) / name
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                rel = path.relative_to(site)
                dest = dist_dir / rel
                if not path.is_file() or not _is_data(rel) or dest.exists():
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
                copied.append(rel.as_posix())
            break
    return copied


def owners(site_dirs: Sequence[Path]) -> Dict[str, str]:
    """``top-level name or file name -> "distribution version"`` from the wheels' RECORDs.

    Top-level names include auditwheel's ``<pkg>.libs`` folders, so a library found there
    (or only by its file name, where it was copied flat) names the wheel it came with.
    """
    out: Dict[str, str] = {}
    for site in site_dirs:
        for info in sorted(Path(site).glob("*.dist-info")):
            name, _, version = info.name[: -len(".dist-info")].partition("-")
            owner = f"{name} {version}"
            record = info / "RECORD"
            if not record.is_file():
                continue
            with open(record, newline="", encoding="utf-8") as handle:
                for row in csv.reader(handle):
                    if not row or row[0].startswith(("..", "/")):
                        continue
                    parts = row[0].split("/")
                    if parts[0].endswith(".dist-info") or parts[0] == "bin":
                        continue
                    top = parts[0][:-3] if parts[0].endswith(".py") else parts[0]
                    out.setdefault(top.split(".cpython")[0], owner)
                    if len(parts) > 1 and (".so" in parts[-1]):
                        out.setdefault(parts[-1], owner)
    return out


def owner_of(rel: str, table: Dict[str, str]) -> Optional[str]:
    """The wheel a dist-relative path (``numpy.libs/libopenblas.so``) came from, if any."""
    parts = rel.split("/")
    first = parts[0].split(".cpython")[0]
    return table.get(first) or table.get(parts[-1])


def copy_metadata(site_dirs: Sequence[Path], dist_dir: Path, packages: Iterable[str]) -> List[str]:
    """The ``*.dist-info`` (METADATA, entry points) of the distributions owning ``packages``."""
    wanted = set(packages)
    copied: List[str] = []
    for site in site_dirs:
        table = owners([site])
        for info in sorted(Path(site).glob("*.dist-info")):
            name, _, version = info.name[: -len(".dist-info")].partition("-")
            owned = {top for top, who in table.items() if who == f"{name} {version}"}
            if not owned & wanted:
                continue
            for item in ("METADATA", "entry_points.txt", "top_level.txt"):
                src = info / item
                dest = dist_dir / info.name / item
                if src.is_file() and not dest.exists():
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(src, dest)
                    copied.append(f"{info.name}/{item}")
    return copied


def ship_bytecode(search: Sequence[Path], dist_dir: Path, packages: Sequence[str]) -> List[str]:
    """Copy each named package (source, data, ``.pyc``) from the first path holding it."""
    shipped: List[str] = []
    for name in packages:
        found = None
        for base in search:
            for candidate in (Path(base) / name, Path(base) / f"{name}.py"):
                if candidate.exists():
                    found = candidate
                    break
            if found:
                break
        if found is None:
            raise BuildError(
                f"[tool.native-lambda] bytecode-packages names {name!r}, which is neither in "
                f"the project nor among the installed dependencies",
                hint="name an importable top-level package or module",
            )
        dest = dist_dir / found.name
        if found.is_dir():
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(found, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            ok = compileall.compile_dir(
                str(dest), quiet=1, optimize=1, workers=1, invalidation_mode=UNCHECKED
            )
        else:
            shutil.copyfile(found, dest)
            ok = compileall.compile_file(
                str(dest), quiet=1, optimize=1, invalidation_mode=UNCHECKED
            )
        if not ok:
            raise BuildError(f"{found}: does not compile to bytecode (a syntax error?)")
        shipped.append(found.name)
    return shipped
