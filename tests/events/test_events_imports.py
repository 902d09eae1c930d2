"""Imports of the events package point one way: a private module (``_name``) is imported only
by modules of its own package, so the runtime's internals can change without breaking events."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, Tuple

import native_lambda.events

EVENTS = Path(native_lambda.events.__file__).resolve().parent
SRC = EVENTS.parents[1]


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(path: Path, package: str) -> Iterator[Tuple[int, str]]:
    """Every module (or name that may be a module) ``path`` imports, as an absolute name."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _private_owner(module: str, src: Path) -> str | None:
    """The package a private module (or a module's private name) belongs to, or None when
    ``module`` is public."""
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            owner = parts[:index]
            if not src.joinpath(*owner).is_dir():  # a private name of a module
                owner = owner[:-1]
            return ".".join(owner)
    return None


def wrong_way_imports(root: Path, src: Path = SRC) -> List[str]:
    """``file:line: module`` for each private module imported from outside its package."""
    found = []
    for path in sorted(root.rglob("*.py")):
        name = _module_name(path, src)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for line, module in _imported(path, package):
            owner = _private_owner(module, src)
            if owner is not None and owner.startswith("native_lambda") and owner != package:
                found.append(f"{path.relative_to(src).as_posix()}:{line}: {module}")
    return found


def test_events_import_no_private_module_of_another_package() -> None:
    assert wrong_way_imports(EVENTS) == []


def test_the_check_sees_a_wrong_way_import(tmp_path: Path) -> None:
    """The check itself: the runtime's ``_errors`` imported from events is reported, the
    events package's own ``_base`` and the public ``native_lambda.FaultError`` are not."""
    events = tmp_path / "native_lambda" / "events"
    (events / "http").mkdir(parents=True)
    (events / "__init__.py").write_text("from . import _base\n")
    (events / "http" / "__init__.py").write_text(
        "from ... import FaultError\nfrom ..._errors import UNMARSHAL_ERROR\n"
        "from ._front import X\nimport native_lambda._loop\n"
    )
    (events / "http" / "request.py").write_text("from .response import _REASONS\n")
    (events / "http" / "response.py").write_text("from ...events._base import CamelStruct\n")
    assert wrong_way_imports(events, tmp_path) == [
        "native_lambda/events/http/__init__.py:2: native_lambda._errors",
        "native_lambda/events/http/__init__.py:2: native_lambda._errors.UNMARSHAL_ERROR",
        "native_lambda/events/http/__init__.py:4: native_lambda._loop",
        "native_lambda/events/http/response.py:1: native_lambda.events._base",
        "native_lambda/events/http/response.py:1: native_lambda.events._base.CamelStruct",
    ]
