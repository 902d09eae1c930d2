"""Check the handler before compiling: the module is found, it parses, the function is there.

A broken handler otherwise compiles for minutes and fails only at the first invocation (a
syntax error is just a Nuitka warning). This check takes milliseconds and fails with the
error type the runtime would report (``Runtime.ImportModuleError``,
``Runtime.UserCodeSyntaxError``, ``Runtime.HandlerNotFound``), the file and line. Nothing is
imported or executed: modules are located as Python's path search would and read with ``ast``.
"""

from __future__ import annotations

import ast
import difflib
import importlib.machinery
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from native_lambda.handler_ref import HandlerRef

from ..errors import BuildError

IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"


def _hint(project: Path) -> str:
    return (
        f"pass --handler module.function naming a top-level function of a module under "
        f"{project} (or its src/), or fix handler under [tool.native-lambda]"
    )


def _find(name: str, path: Sequence[str]) -> Tuple[Optional[Path], List[str]]:
    """Python's path search for one name, without importing: (file or None, package dirs).

    The first directory holding a regular package or a module wins; otherwise every
    directory of that name is a portion of a namespace package."""
    portions: List[str] = []
    for entry in path:
        base = Path(entry or ".") / name
        init = [base / f"__init__{s}" for s in importlib.machinery.all_suffixes()]
        found = next((f for f in init if f.is_file()), None)
        if base.is_dir() and found is not None:
            return found, [str(base)]
        module = [base.with_name(name + s) for s in importlib.machinery.all_suffixes()]
        found = next((f for f in module if f.is_file()), None)
        if found is not None:
            return found, []
        if base.is_dir():
            portions.append(str(base))
    return None, portions


def find_module_files(module: str, search: Sequence[str]) -> List[Path]:
    """The files executed by importing ``module`` (package ``__init__``s, then the module
    itself; namespace packages have none). Raises BuildError (ImportModuleError) when a part
    cannot be found."""
    files: List[Path] = []
    path: List[str] = list(dict.fromkeys(search))
    parts = module.split(".")
    for i in range(len(parts)):
        name = ".".join(parts[: i + 1])
        found, portions = _find(parts[i], path)
        if found is None and not portions:
            shown = ", ".join(path[:3]) + (" ..." if len(path) > 3 else "")
            raise BuildError(
                f"{IMPORT_MODULE_ERROR}: Unable to import module '{module}': "
                f"No module named '{name}' (searched {shown})",
            )
        if found is not None:
            files.append(found)
        if not portions and i < len(parts) - 1:
            raise BuildError(
                f"{IMPORT_MODULE_ERROR}: Unable to import module '{module}': "
                f"'{name}' is not a package ({found})",
            )
        path = portions
    return files


def top_level_names(tree: ast.Module) -> Dict[str, int]:
    """Names a module binds at its top level (also inside top-level if/try), -> line."""
    names: Dict[str, int] = {}

    def visit(body: Sequence[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.setdefault(node.name, node.lineno)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            names.setdefault(sub.id, node.lineno)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    names.setdefault(bound, node.lineno)
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(node, block, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return names


def _parse(path: Path) -> ast.Module:
    try:
        source = path.read_bytes()
        return ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        where = f"{path}:{exc.lineno}" if exc.lineno else str(path)
        raise BuildError(f"{SYNTAX_ERROR}: {where}: {exc.msg}") from None


def check_handler(handler: HandlerRef, project_dir: Path, search: Sequence[str] = ()) -> Path:
    """Fail (BuildError) unless ``handler`` can be imported and names a top-level object;
    ``search`` precedes the build interpreter's own path. Returns the module's file."""
    project_dir = Path(project_dir)
    paths = [*search, *sys.path]
    try:
        files = find_module_files(handler.module, paths)
    except BuildError as exc:
        raise BuildError(exc.message, hint=_hint(project_dir)) from None
    for path in files:
        if path.suffix == ".py":
            try:
                _parse(path)
            except BuildError as exc:
                raise BuildError(exc.message, hint=_hint(project_dir)) from None
    if not files or files[-1].suffix != ".py":
        return files[-1] if files else project_dir  # an extension or namespace: no source
    module_file = files[-1]
    tree = _parse(module_file)
    names = top_level_names(tree)
    star = any(
        isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)
        for n in ast.walk(tree)
    )
    if handler.function not in names and not star and "__getattr__" not in names:
        close = difflib.get_close_matches(handler.function, list(names), n=1)
        maybe = f"; did you mean '{close[0]}' (line {names[close[0]]})?" if close else ""
        raise BuildError(
            f"{HANDLER_NOT_FOUND}: {module_file}: Handler '{handler.function}' missing on "
            f"module '{handler.module}'{maybe}",
            hint=_hint(project_dir),
        )
    return module_file
