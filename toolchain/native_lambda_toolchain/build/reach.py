"""What a program needs beyond the synchronous runtime: asyncio and TLS, read from the handler
modules' syntax and imports, so that a synchronous handler's bootstrap leaves them out.

Standalone Nuitka follows imports made inside functions, so every bootstrap used to carry
asyncio (the runtime imports it only to run an ``async def`` handler) and ``ssl``/``_ssl``/
``_hashlib`` with libssl and libcrypto (``http.client`` imports ``ssl`` in a try block). For a
handler with no ``async def`` they are dead weight in the zips and in the bytecode blob that
is walked at every start.

* **asyncio** is needed when a handler module (or a module of the project it imports) has
  ``async def``/``await``/``async for``/``async with``, or imports asyncio itself.
* **TLS** (``ssl``, ``_ssl``, ``_hashlib``: libssl and libcrypto) is needed when those modules
  import anything TLS-capable (``TLS_IMPORTS``: ``http.client``, ``urllib``, ``hashlib`` ...)
  or ``native_lambda.aws`` (signed AWS calls over HTTPS).
* A third-party package (neither the stdlib nor ``native_lambda``/``msgspec``) keeps both:
  its needs are not read, and clients commonly import asyncio and ssl lazily.

Without ``_hashlib``, ``hashlib`` still works on CPython's built-in digests.

* **the httpx adapter** (``native_lambda.aws._httpx``, reached only through
  ``aws.sigv4_auth``) is left out unless a scanned module names ``sigv4_auth`` or imports
  httpx: ``native_lambda.aws``'s door mentions it, and following it would pull httpx, anyio
  and asyncio into every bootstrap that signs AWS calls or uses the generated clients.

After the compile, ``check_report`` fails the build when something other than the runtime's
``async def`` path still imports asyncio (Nuitka's report names the importer): the bootstrap
would fail at that import. Python 3.9-compatible (runs in the build container).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Sequence, Set, Tuple

from ..errors import BuildError
from .report import ReportSummary

ASYNC_MODULES = ("asyncio", "_asyncio")
TLS_MODULES = ("ssl", "_ssl", "_hashlib")
#: Imports that mean "this code may speak TLS or wants OpenSSL's digests".
TLS_IMPORTS = frozenset(
    {
        "ssl",
        "_ssl",
        "_hashlib",
        "hashlib",
        "hmac",
        "http",
        "urllib",
        "smtplib",
        "imaplib",
        "poplib",
        "ftplib",
        "xmlrpc",
        "socketserver",
        "asyncio",  # asyncio's streams and loops take an ssl context
    }
)
#: Packages that never open TLS connections on a handler's behalf at init.
QUIET_PACKAGES = frozenset({"native_lambda", "msgspec", "__future__"})
#: Who may import asyncio lazily in a synchronous program: the runtime, to run ``async def``
#: (``_aloop`` and ``_aclient`` serve ``async def`` handlers concurrently, loaded only for them).
RUNTIME_ASYNC_IMPORTERS = frozenset(
    {"native_lambda._loop", "native_lambda._aloop", "native_lambda._aclient"}
)
#: The runtime's httpx adapter and the one public name that reaches it.
HTTPX_ADAPTER = "native_lambda.aws._httpx"
HTTPX_ENTRY = "sigv4_auth"


@dataclass
class Reach:
    """What the handler modules need, and why (file:line of the first evidence)."""

    asyncio: bool = False
    tls: bool = False
    httpx_adapter: bool = False
    why: Dict[str, str] = field(default_factory=dict)
    scanned: List[str] = field(default_factory=list)

    def left_out(self) -> Tuple[str, ...]:
        """The modules a build of these handlers leaves out (``--nofollow-import-to``)."""
        out: Tuple[str, ...] = ()
        if not self.asyncio:
            out += ASYNC_MODULES
        if not self.tls:
            out += TLS_MODULES
        if not self.httpx_adapter:
            out += (HTTPX_ADAPTER,)
        return out


def _stdlib_names() -> FrozenSet[str]:
    names = getattr(sys, "stdlib_module_names", None)  # 3.10+
    if names:
        return frozenset(names)
    import sysconfig

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    found = {p.stem for p in stdlib.glob("*.py")} | {p.name for p in stdlib.iterdir() if p.is_dir()}
    return frozenset(found | set(sys.builtin_module_names) | {"_ssl", "_hashlib", "_asyncio"})


def _imports(tree: ast.AST, package: str) -> Iterable[Tuple[str, int]]:
    """Absolute names of the modules imported anywhere in ``tree`` (with line numbers)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - node.level + 1] if node.level > 1 else base
                prefix = ".".join(base)
                name = f"{prefix}.{node.module}" if node.module else prefix
                for alias in node.names:  # ``from . import mod`` imports a submodule
                    yield (f"{name}.{alias.name}" if not node.module else name), node.lineno
            elif node.module:
                yield node.module, node.lineno


_ASYNC_NODES = (ast.AsyncFunctionDef, ast.Await, ast.AsyncFor, ast.AsyncWith)


def _module_file(name: str, search: Sequence[str]) -> Path:
    """The project file of module ``name`` (a package's ``__init__.py``), or a non-file."""
    rel = Path(*name.split("."))
    for base in search:
        for candidate in (Path(base) / rel.with_suffix(".py"), Path(base) / rel / "__init__.py"):
            if candidate.is_file():
                return candidate
    return Path()


def scan(modules: Sequence[str], search: Sequence[str]) -> Reach:
    """Walk the handler modules and the project modules they import (``search``: the
    project's source folders only; installed packages are judged by name)."""
    stdlib = _stdlib_names()
    found = Reach()
    for name in modules:  # asked for by name (include-modules)
        top = name.split(".")[0]
        if top in ASYNC_MODULES:
            found.asyncio = True
            found.why.setdefault("asyncio", f"include-modules: {name}")
        if top in TLS_MODULES or top in TLS_IMPORTS:
            found.tls = True
            found.why.setdefault("tls", f"include-modules: {name}")
    todo = list(dict.fromkeys(modules))
    seen: Set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name, search)
        if not path.is_file():
            continue
        found.scanned.append(name)
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError):
            continue  # the handler check reports syntax errors of handler modules
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, _ASYNC_NODES) and not found.asyncio:
                found.asyncio = True
                found.why.setdefault("asyncio", f"{path}:{node.lineno}: async syntax")
            if _names_httpx_entry(node) and not found.httpx_adapter:
                found.httpx_adapter = True
                found.why.setdefault(
                    "httpx_adapter", f"{path}:{getattr(node, 'lineno', 0)}: {HTTPX_ENTRY}"
                )
        for imported, line in _imports(tree, package):
            top = imported.split(".")[0]
            where = f"{path}:{line}: imports {imported}"
            if imported == "native_lambda.aws" or imported.startswith("native_lambda.aws."):
                found.tls = True  # signed AWS calls over HTTPS
                found.why.setdefault("tls", where)
            if top == "httpx" or imported == HTTPX_ADAPTER:
                found.httpx_adapter = True
                found.why.setdefault("httpx_adapter", where)
            if top in QUIET_PACKAGES:
                continue  # the runtime and msgspec: known not to need either at init
            if _module_file(imported, search).is_file() or _module_file(top, search).is_file():
                todo.append(imported)  # the project's own module: look inside instead
                parts = imported.split(".")
                todo += [".".join(parts[:i]) for i in range(1, len(parts))]
                continue
            third_party = top not in stdlib
            if top == "asyncio" or third_party:
                found.asyncio = True  # a third-party package's needs are not read: kept
                found.why.setdefault("asyncio", where)
            if top in TLS_IMPORTS or third_party:
                found.tls = True
                found.why.setdefault("tls", where)
    return found


def _names_httpx_entry(node: ast.AST) -> bool:
    """``sigv4_auth`` as a name, an attribute or an imported name."""
    if isinstance(node, ast.Name):
        return node.id == HTTPX_ENTRY
    if isinstance(node, ast.Attribute):
        return node.attr == HTTPX_ENTRY
    if isinstance(node, ast.ImportFrom):
        return any(alias.name == HTTPX_ENTRY for alias in node.names)
    return False


def check_report(report: ReportSummary, reach: Reach) -> None:
    """Fail when the compiled program still imports what was left out on its behalf."""
    if reach.asyncio:
        return
    importers = sorted(
        name
        for name, used in report.usages.items()
        if "asyncio" in used
        and name not in RUNTIME_ASYNC_IMPORTERS
        and name.split(".")[0] not in ASYNC_MODULES
    )
    if importers:
        raise BuildError(
            "the handlers have no `async def`, so asyncio was left out of the bootstrap, but "
            f"{', '.join(importers[:5])} import(s) asyncio: that import would fail at run time",
            hint="make the handler `async def`, or import asyncio in the handler module to "
            "keep it (native-lambda detects asyncio from the handler modules' syntax and imports)",
        )
