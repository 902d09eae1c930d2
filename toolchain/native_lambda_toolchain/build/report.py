"""What went into a bootstrap, from Nuitka's ``--report`` XML, and the checks on it.

Nuitka's standalone mode carries a net of stdlib modules "just in case"; the extension
modules those import (``_csv`` via ``importlib.metadata``) come along although the program
never reaches them. :func:`unreachable_extensions` finds them from the report's import graph
so the pipeline can remove them. Python 3.9-compatible.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

from ..errors import BuildError

#: Never compiled into a bootstrap: the developer side, build tools and test tools.
FORBIDDEN = (
    "nuitka",
    "native_lambda_toolchain",
    "docker",
    "pytest",
    "_pytest",
    "zstandard",
    "setuptools",
    "pkg_resources",
    "pip",
)

#: Imports done from C by extension modules, invisible to a static import scan.
C_IMPORTS: Dict[str, Tuple[str, ...]] = {
    "msgspec._core": ("datetime", "decimal", "uuid", "typing", "enum", "dataclasses"),
    "_datetime": ("time", "_strptime"),
    "_pickle": ("copyreg", "_compat_pickle"),
    "_decimal": ("numbers", "collections", "contextvars"),
}


@dataclass
class ReportSummary:
    """What Nuitka's XML report says went in."""

    modules: Dict[str, str]  # name -> kind (CompiledPythonModule, PythonExtensionModule ...)
    reasons: Dict[str, str]  # name -> Nuitka's reason for including it
    usages: Dict[str, Set[str]]  # name -> modules it imports (as recorded by Nuitka)
    dlls: List[str] = field(default_factory=list)

    def extension_modules(self) -> List[str]:
        return sorted(n for n, k in self.modules.items() if k == "PythonExtensionModule")

    def reachable(self, roots: Sequence[str]) -> Set[str]:
        """Modules imported from ``roots``, with their parent packages and C imports."""
        seen: Set[str] = set()
        todo = [r for r in roots if r in self.modules]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            parts = name.split(".")
            parents = [".".join(parts[:i]) for i in range(1, len(parts))]
            for nxt in [*self.usages.get(name, ()), *parents, *C_IMPORTS.get(name, ())]:
                if nxt in self.modules and nxt not in seen:
                    todo.append(nxt)
        return seen


def read_report(path: Path) -> ReportSummary:
    """Modules, inclusion reasons and the import graph from Nuitka's ``--report`` XML."""
    root = ET.parse(str(path)).getroot()
    modules: Dict[str, str] = {}
    reasons: Dict[str, str] = {}
    usages: Dict[str, Set[str]] = {}
    for mod in root.iter("module"):
        name = mod.get("name", "")
        modules[name] = mod.get("kind", "")
        reasons[name] = mod.get("reason", "")
        used = usages.setdefault(name, set())
        for usage in mod.iter("module_usage"):
            target = usage.get("name")
            # "stdlib" edges are Nuitka's include-the-stdlib net, not imports of the program
            if target and usage.get("reason") != "stdlib":
                used.add(target)
    dlls = sorted({d.get("name", "") for d in root.iter("included_dll")} - {""})
    return ReportSummary(modules=modules, reasons=reasons, usages=usages, dlls=dlls)


def forbidden_modules(report: ReportSummary, extra: Sequence[str] = ()) -> List[str]:
    names = set(FORBIDDEN) | set(extra)
    return sorted(m for m in report.modules if m.split(".")[0] in names)


def unreachable_extensions(report: ReportSummary, roots: Sequence[str] = ()) -> List[str]:
    """Extension modules in the binary that nothing imports (kept by Nuitka's stdlib net).

    ``roots``: the modules compiled in on request (handler and include modules), which the
    runtime imports by name rather than the entry by an import statement."""
    starts = [n for n, why in report.reasons.items() if n == "__main__" or "startup" in why.lower()]
    seen = report.reachable([*starts, *roots])
    return [m for m in report.extension_modules() if m not in seen]


def check_report(
    report: ReportSummary, extra_forbidden: Sequence[str] = (), roots: Sequence[str] = ()
) -> List[str]:
    """Fail on forbidden modules; list the extension modules nothing imports (the pipeline
    removes them: they are in only because Nuitka ships some stdlib modules unasked)."""
    bad = forbidden_modules(report, extra_forbidden)
    if bad:
        raise BuildError(
            "the bootstrap would contain build/test-only modules: " + ", ".join(bad[:20]),
            hint="find who imports them (Nuitka report's module_usage) and make the import "
            "lazy or optional; exclude more with [tool.native-lambda] exclude-modules",
        )
    unused = unreachable_extensions(report, roots)
    if unused:
        return ["extension modules nothing imports (removed): " + ", ".join(unused)]
    return []
