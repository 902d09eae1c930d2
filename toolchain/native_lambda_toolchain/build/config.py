"""Which handler to build: the command line, else ``[tool.native-lambda]`` in the pyproject.

Runs inside the build container too (Python 3.9 there), so ``tomllib`` is optional: on 3.9 we
use ``tomli`` when installed, else a small reader that understands the flat keys this table
uses (strings, booleans, integers, one-line string arrays).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from native_lambda.handler_ref import HandlerRef, HandlerRefError

from ..errors import BuildError

TABLE = "tool.native-lambda"


@dataclass(frozen=True)
class BuildConfig:
    """What ``native-lambda build`` compiles, resolved from CLI and pyproject."""

    project_dir: Path
    handler: HandlerRef
    #: further handlers compiled in; ``_HANDLER`` selects one of them at start
    handlers: Tuple[HandlerRef, ...] = ()
    #: extra modules to compile in (imported dynamically by the handler, invisible to Nuitka)
    include_modules: Tuple[str, ...] = ()
    #: packages whose data files must ship (Nuitka knows the common ones, e.g. certifi)
    include_package_data: Tuple[str, ...] = ()
    #: modules never to compile in, on top of the toolchain's own list
    exclude_modules: Tuple[str, ...] = ()
    #: optional-dependency groups of ``[project]`` installed with its dependencies
    extras: Tuple[str, ...] = ()
    #: packages shipped as bytecode beside the binary instead of compiled in (they read their
    #: own source at run time, or otherwise break compiled)
    bytecode_packages: Tuple[str, ...] = ()
    #: Lambda's limits the build enforces (MiB): unzipped function + layer, zipped upload
    max_unzipped_mb: float = 250.0
    max_zipped_mb: float = 50.0
    pyproject: Optional[Path] = None
    source: str = "command line"
    raw: Dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> Dict[str, Any]:
        """The resolved values, for the build core's own entry (``--config FILE``)."""
        return {
            "project_dir": str(self.project_dir),
            "handler": str(self.handler),
            "handlers": [str(h) for h in self.handlers],
            "include_modules": list(self.include_modules),
            "include_package_data": list(self.include_package_data),
            "exclude_modules": list(self.exclude_modules),
            "extras": list(self.extras),
            "bytecode_packages": list(self.bytecode_packages),
            "max_unzipped_mb": self.max_unzipped_mb,
            "max_zipped_mb": self.max_zipped_mb,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Dict[str, Any], where: str) -> BuildConfig:
        """The inverse of :meth:`to_json`; ``where`` names the file in errors."""
        try:
            return cls(
                project_dir=Path(data["project_dir"]),
                handler=parse_handler(str(data["handler"]), where),
                handlers=tuple(parse_handler(h, where) for h in data.get("handlers", ())),
                include_modules=tuple(data.get("include_modules", ())),
                include_package_data=tuple(data.get("include_package_data", ())),
                exclude_modules=tuple(data.get("exclude_modules", ())),
                extras=tuple(data.get("extras", ())),
                bytecode_packages=tuple(data.get("bytecode_packages", ())),
                max_unzipped_mb=float(data.get("max_unzipped_mb", 250.0)),
                max_zipped_mb=float(data.get("max_zipped_mb", 50.0)),
                source=str(data.get("source", where)),
            )
        except (KeyError, TypeError) as exc:
            raise BuildError(f"{where}: not a build configuration ({exc!r})") from None

    @property
    def all_handlers(self) -> Tuple[HandlerRef, ...]:
        """The default handler first, then the others compiled in."""
        return (self.handler, *[h for h in self.handlers if h != self.handler])


def find_project(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding a pyproject.toml (else ``start``)."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    return start


def read_tool_table(pyproject: Path) -> Dict[str, Any]:
    """The ``[tool.native-lambda]`` table of ``pyproject`` ({} when absent)."""
    text = pyproject.read_text(encoding="utf-8")
    loads = toml_parser()
    if loads is not None:
        try:
            data = loads(text)
        except Exception as exc:  # tomllib.TOMLDecodeError and tomli's, without importing both
            raise BuildError(f"{pyproject}: not valid TOML: {exc}") from exc
        table = data.get("tool", {}).get("native-lambda", {})
        return dict(table) if isinstance(table, dict) else {}
    return _minimal_table(text, TABLE, pyproject)


def toml_parser() -> Optional[Callable[[str], Dict[str, Any]]]:
    """The standard library's TOML parser (3.11+), else tomli; None when neither is there."""
    try:
        import tomllib  # Python 3.11+

        return tomllib.loads
    except ImportError:
        pass
    try:
        import tomli

        return tomli.loads
    except ImportError:
        return None


def _minimal_table(text: str, table: str, where: Path) -> Dict[str, Any]:
    """Read ``key = value`` lines of one table; values as TOML literals Python can parse."""
    out: Dict[str, Any] = {}
    inside = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            inside = line.strip("[] \t") == table
            continue
        if not inside or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = _strip_comment(value.strip())
        literal = {"true": "True", "false": "False"}.get(value, value)
        try:
            out[key.strip().strip('"')] = ast.literal_eval(literal)
        except (ValueError, SyntaxError) as exc:
            raise BuildError(
                f"{where}:{number}: cannot read {line!r} without a TOML parser",
                hint="pip install tomli, or keep [tool.native-lambda] values on one line",
            ) from exc
    return out


def _strip_comment(value: str) -> str:
    quote = None
    for i, ch in enumerate(value):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return value[:i].strip()
    return value


def parse_handler(handler: str, source: str) -> HandlerRef:
    """Lambda's handler grammar (``dir/mod.fn`` or ``dir.mod.fn``), the runtime's own."""
    try:
        return HandlerRef.parse(handler)
    except HandlerRefError as exc:
        raise BuildError(
            f"handler {handler!r} (from {source}) is not of the form module.function: {exc}",
            hint="e.g. --handler examples.greeting.handler",
        ) from None


def _handlers(values: Sequence[str], where: str) -> Tuple[HandlerRef, ...]:
    return tuple(parse_handler(h, f"{where} [{TABLE}] handlers") for h in values)


def _strings(table: Dict[str, Any], key: str, where: str) -> Tuple[str, ...]:
    value = table.get(key, ())
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise BuildError(f"{where}: [{TABLE}] {key} must be a list of strings")
    return tuple(value)


def _megabytes(table: Dict[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise BuildError(
            f"{where}: [{TABLE}] {key} must be a positive number of MiB, not {value!r}"
        )
    return float(value)


def load_config(handler: Optional[str] = None, project_dir: Optional[Path] = None) -> BuildConfig:
    """Resolve the handler: ``handler`` argument, else the pyproject's, else a BuildError."""
    project = find_project(Path(project_dir) if project_dir else Path.cwd())
    pyproject = project / "pyproject.toml"
    table: Dict[str, Any] = read_tool_table(pyproject) if pyproject.is_file() else {}
    where = str(pyproject)
    if handler:
        source = "command line"
    elif table.get("handler"):
        handler = str(table["handler"])
        source = f"{pyproject} [{TABLE}]"
    else:
        raise BuildError(
            "no handler to build",
            hint=f'pass --handler module.function, or set handler = "module.function" under '
            f"[{TABLE}] in {pyproject}",
        )
    return BuildConfig(
        project_dir=project,
        handler=parse_handler(handler, source),
        handlers=_handlers(_strings(table, "handlers", where), where),
        include_modules=_strings(table, "include-modules", where),
        include_package_data=_strings(table, "include-package-data", where),
        exclude_modules=_strings(table, "exclude-modules", where),
        extras=_strings(table, "extras", where),
        bytecode_packages=_strings(table, "bytecode-packages", where),
        max_unzipped_mb=_megabytes(table, "max-unzipped-mb", 250.0, where),
        max_zipped_mb=_megabytes(table, "max-zipped-mb", 50.0, where),
        pyproject=pyproject if pyproject.is_file() else None,
        source=source,
        raw=table,
    )
