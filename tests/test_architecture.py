"""The architecture's invariants (docs/architecture.md), checked from the code's own imports.

Read with ``ast`` (nothing is imported), so a violation fails here before it becomes a habit:
- the runtime (``src/native_lambda``) never imports the toolchain;
- the build core (``native_lambda_toolchain.build``) never touches docker, the network or the
  host-only parts of the toolchain: it runs offline inside the build image;
- a private module (``_name``) is imported only from inside its own package;
- module-level imports form no cycle;
- no module grows past ~400 lines without a stated reason.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"native_lambda": ROOT / "src", "native_lambda_toolchain": ROOT / "toolchain"}

#: What the build core may never import (it runs offline inside the build image).
BUILD_CORE_FORBIDDEN = (
    "docker",
    "httpx",
    "requests",
    "urllib.request",
    "http.client",
    "native_lambda_toolchain.container",
    "native_lambda_toolchain.deploy",
    "native_lambda_toolchain.emulator",
    "native_lambda_toolchain.commands",
    "native_lambda_toolchain.sandbox",
    "native_lambda_toolchain.cli",
)

MAX_LINES = 400
#: Modules allowed past MAX_LINES, with the reason.
LONG_MODULES: Dict[str, str] = {}
#: Generated from botocore's model (one module per service; tests/clients checks them).
GENERATED_PREFIX = "native_lambda.aws.clients."


def _modules() -> Dict[str, Path]:
    found: Dict[str, Path] = {}
    for top, base in SOURCES.items():
        for path in sorted((base / top).rglob("*.py")):
            parts = list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imports(name: str) -> Iterator[Tuple[str, bool, int]]:
    """(imported module, at module level?, line) for every import in module ``name``."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(), str(path))
    package = name if _is_package(name) else name.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        level = id(node) in top_level
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, level, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            if node.module or len(submodules) < len(node.names):
                # ``from . import sibling`` takes the sibling, not the package's door
                yield base, level, node.lineno
            for candidate in submodules:
                yield candidate, level, node.lineno


def _owner_package(module: str) -> str:
    """The package whose private member ``module`` is: the part before its first ``_`` name."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return ""


def test_the_runtime_never_imports_the_toolchain() -> None:
    offenders = [
        f"{MODULES[name]}:{line}: {target}"
        for name in MODULES
        if name.split(".")[0] == "native_lambda"
        for target, _, line in _imports(name)
        if target.split(".")[0] == "native_lambda_toolchain"
    ]
    assert not offenders, "the runtime imports the toolchain:\n" + "\n".join(offenders)


def test_the_build_core_stays_offline_and_engine_free() -> None:
    offenders = [
        f"{MODULES[name]}:{line}: {target}"
        for name in MODULES
        if name.startswith("native_lambda_toolchain.build")
        for target, _, line in _imports(name)
        if any(target == f or target.startswith(f + ".") for f in BUILD_CORE_FORBIDDEN)
    ]
    assert not offenders, "the build core imports host-only code:\n" + "\n".join(offenders)


def test_private_modules_are_imported_only_inside_their_package() -> None:
    offenders = []
    for name in MODULES:
        for target, _, line in _imports(name):
            owner = _owner_package(target)
            if owner and target.split(".")[0] in SOURCES:
                inside = name == owner or name.startswith(owner + ".")
                if not inside:
                    offenders.append(f"{MODULES[name]}:{line}: {target}")
    assert not offenders, "private modules imported from outside:\n" + "\n".join(offenders)


def test_module_level_imports_form_no_cycle() -> None:
    graph: Dict[str, Set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for target, top, _ in _imports(name):
            if top and target in MODULES and target != name:
                graph[name].add(target)
    cycles: List[List[str]] = []
    state: Dict[str, int] = {}
    stack: List[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            # A package importing its own submodule (its door re-exporting) is not a cycle
            # unless the submodule imports the package back at module level.
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    real = [c for c in cycles if not _door_only(c)]
    assert not real, "import cycles:\n" + "\n".join(" -> ".join(c) for c in real)


def _door_only(cycle: List[str]) -> bool:
    """A submodule importing a sibling through its package's door (``from . import x``) when
    the door itself imports that submodule: Python resolves it, and it is not a design cycle
    unless two real modules need each other."""
    real = [m for m in cycle[:-1] if not _is_package(m)]
    return len(set(real)) <= 1


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text().splitlines())
    if name in LONG_MODULES or name.startswith(GENERATED_PREFIX):
        return
    assert lines <= MAX_LINES, (
        f"{MODULES[name]} has {lines} lines: split it by job, or add it to LONG_MODULES in "
        "tests/test_architecture.py with the reason"
    )


def test_the_checker_sees_a_private_import_from_outside() -> None:
    """The privacy rule is not vacuous: a real cross-package private import is recognised."""
    assert _owner_package("native_lambda._errors") == "native_lambda"
    assert _owner_package("native_lambda_toolchain.deploy._session") == (
        "native_lambda_toolchain.deploy"
    )
    assert _owner_package("native_lambda.handler_ref") == ""
    assert any(t == "native_lambda._errors" for t, _, _ in _imports("native_lambda._loop")) or any(
        t.startswith("native_lambda._") for t, _, _ in _imports("native_lambda._loop")
    )
