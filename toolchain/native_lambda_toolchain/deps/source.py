"""Where a function's dependencies come from, read into one requirements text.

Detected in the project folder in this order: ``uv.lock``, ``pylock.toml`` (PEP 751),
``requirements.txt``, ``[project].dependencies`` of ``pyproject.toml`` (plus the optional
extras named by ``[tool.native-lambda] extras``); or one file named with ``--requirements``.
Locks become exact pins (``name==version ; marker``) installed without resolving again
(``no_deps``); the other sources are resolved for the target by the installer.

Pure logic: reads files, runs nothing. Python 3.9-clean (``tomllib`` on 3.11+, else tomli,
else the copy pip carries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from ..build.config import toml_parser
from ..errors import BuildError

#: The files looked for, in order of preference.
SOURCES = ("uv.lock", "pylock.toml", "requirements.txt", "pyproject.toml")


@dataclass(frozen=True)
class DependencySet:
    """What to install: ``text`` is a requirements file's content."""

    source: str  # e.g. "requirements.txt", "uv.lock", "pyproject.toml [project].dependencies"
    path: Path
    text: str
    #: exact pins from a lock: install as listed, no new resolution
    no_deps: bool = False

    @property
    def requirements(self) -> List[str]:
        return [line for line in self.text.splitlines() if line and not line.startswith("#")]


def toml_loads() -> Callable[[str], Dict[str, Any]]:
    """A TOML parser on any supported Python (3.9 has none in its standard library)."""
    loads = toml_parser()
    if loads is not None:
        return loads
    try:
        from pip._vendor import tomli as pip_tomli  # every pip since 21.2 carries one

        return pip_tomli.loads
    except ImportError:  # pragma: no cover - no pip either
        raise BuildError(
            "reading a TOML lock needs a TOML parser", hint="pip install tomli"
        ) from None


def _load(path: Path) -> Dict[str, Any]:
    try:
        return toml_loads()(path.read_text(encoding="utf-8"))
    except BuildError:
        raise
    except Exception as exc:  # the parsers' own decode errors
        raise BuildError(f"{path}: not valid TOML: {exc}") from None


def detect(
    project_dir: Path, requirements: Optional[Path] = None, extras: Sequence[str] = ()
) -> Optional[DependencySet]:
    """The function's dependencies, or None when the project declares none."""
    if requirements is not None:
        path = Path(requirements)
        if not path.is_file():
            raise BuildError(f"--requirements {path}: no such file")
        return _read_named(path, extras)
    for name in SOURCES:
        path = Path(project_dir) / name
        if not path.is_file():
            continue
        found = _read_named(path, extras)
        if found is not None:
            return found
    return None


def _read_named(path: Path, extras: Sequence[str]) -> Optional[DependencySet]:
    name = path.name
    if name == "uv.lock":
        return from_uv_lock(path, extras)
    if name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
        return from_pylock(path)
    if name == "pyproject.toml":
        return from_pyproject(path, extras)
    return from_requirements(path)


def from_requirements(path: Path) -> DependencySet:
    """A requirements file, as pip reads it (options and all)."""
    text = path.read_text(encoding="utf-8")
    lines = [ln.rstrip() for ln in text.splitlines()]
    nested = [ln for ln in lines if ln.strip().startswith(("-r ", "-c ", "--requirement"))]
    if nested:
        raise BuildError(
            f"{path}: {nested[0].strip()!r}: nested requirement files are not followed",
            hint="list the requirements in this one file (the build reads only it)",
        )
    return DependencySet(
        "requirements.txt" if path.name == "requirements.txt" else str(path),
        path,
        "\n".join(lines).strip() + "\n",
    )


def from_pyproject(path: Path, extras: Sequence[str]) -> Optional[DependencySet]:
    """``[project].dependencies`` plus the optional-dependencies groups named in ``extras``."""
    project = _load(path).get("project", {})
    deps = list(project.get("dependencies", []) or [])
    optional = project.get("optional-dependencies", {}) or {}
    for extra in extras:
        if extra not in optional:
            raise BuildError(
                f"{path}: [tool.native-lambda] extras names {extra!r}, which is not in "
                f"[project.optional-dependencies] ({', '.join(sorted(optional)) or 'none'})"
            )
        deps += list(optional[extra])
    if not deps:
        return None
    what = "pyproject.toml [project].dependencies"
    if extras:
        what += f" + extras {', '.join(extras)}"
    return DependencySet(what, path, "\n".join(deps) + "\n")


def from_pylock(path: Path) -> DependencySet:
    """PEP 751: every ``[[packages]]`` entry pinned, with its marker."""
    data = _load(path)
    lines = []
    for pkg in data.get("packages", []):
        if "name" not in pkg or "version" not in pkg:
            raise BuildError(f"{path}: a [[packages]] entry lacks name or version: {pkg!r}")
        lines.append(_pin(pkg["name"], pkg["version"], pkg.get("marker")))
    return DependencySet("pylock.toml", path, "\n".join(sorted(lines)) + "\n", no_deps=True)


def from_uv_lock(path: Path, extras: Sequence[str] = ()) -> DependencySet:
    """uv's lock: the packages the project reaches (not its dev groups), pinned.

    A package is needed when every edge on some path from the project to it holds: its marker
    is the "or" over its paths of the "and" of their edges' markers, so a package reached
    only through a Windows-only dependency stays Windows-only however it is reached.
    """
    packages = _load(path).get("package", [])
    by_name = {_norm(p["name"]): p for p in packages if "name" in p}
    roots = [p for p in packages if _is_project(p)]
    if not roots:
        raise BuildError(f"{path}: no package with source editable/virtual '.' (the project)")
    #: per package, the conditions under which some path reaches it (each a set of markers,
    #: all of which must hold; the empty set is "always")
    reached: Dict[str, List[FrozenSet[str]]] = {}
    todo: List[Tuple[Any, FrozenSet[str]]] = []
    for root in roots:
        edges = list(root.get("dependencies", []))
        for extra in extras:
            edges += root.get("optional-dependencies", {}).get(extra, [])
        todo += [(edge, frozenset()) for edge in edges]
    while todo:
        edge, path_marker = todo.pop()
        name = _norm(edge["name"])
        pkg = by_name.get(name)
        if pkg is None:
            raise BuildError(f"{path}: the lock names {edge['name']!r} but holds no entry for it")
        condition = path_marker | ({edge["marker"]} if edge.get("marker") else set())
        optional = pkg.get("optional-dependencies", {})
        # the package itself, and each extra the edge asks for, as nodes of their own
        nodes = [(name, pkg.get("dependencies", []))]
        nodes += [(f"{name}[{extra}]", optional.get(extra, [])) for extra in edge.get("extra", [])]
        for node, deps in nodes:
            known = reached.setdefault(node, [])
            if any(old <= condition for old in known):
                continue  # an already known path holds whenever this one does
            known[:] = [old for old in known if not condition <= old] + [condition]
            todo += [(dep, condition) for dep in deps]
    lines = []
    for name, conditions in sorted(reached.items()):
        pkg = by_name.get(name)
        if pkg is None or _is_project(pkg):
            continue  # an extra's node ("name[extra]"), or the project itself
        lines.append(_pin(pkg["name"], pkg["version"], _marker(conditions)))
    return DependencySet("uv.lock", path, "\n".join(lines) + "\n", no_deps=True)


def _marker(conditions: List[FrozenSet[str]]) -> Optional[str]:
    """PEP 508 text for "any of these conditions", each "all of its markers"; None: always."""
    if any(not c for c in conditions):
        return None
    alternatives = sorted(" and ".join(f"({m})" for m in sorted(c)) for c in conditions)
    if len(alternatives) == 1:
        return alternatives[0]
    return " or ".join(f"({a})" for a in alternatives)


def _is_project(pkg: Dict[str, Any]) -> bool:
    source = pkg.get("source", {})
    return source.get("editable") == "." or source.get("virtual") == "."


def _pin(name: str, version: str, marker: Optional[str]) -> str:
    return f"{name}=={version}" + (f" ; {marker}" if marker else "")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
