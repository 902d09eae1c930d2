"""Reuse the import scan's answer when no import changed: a third of every rebuild.

``stdlib_scan`` runs ``modulefinder`` over the program's whole import graph (stdlib included)
to find the extension and optional modules nothing reaches: 8 s of CPU on a small handler,
11-14 s of a 36-39 s rebuild (README "Benchmarks", rebuild time). Its answer depends only
on the graph, and a one-line handler change rarely touches an import. So the work folder
keeps the last answer with what it was computed from:

* the inputs: the interpreter, the roots, the exclusions, ``PYTHONPATH``, the entry and the
  scanner's own sources;
* every file the scan visited, with its size and mtime and, for a changed file, a digest of
  its import statements (all of them, also inside functions, as ``modulefinder`` sees them);
* the names in every folder those files live in, so a new module that could now resolve an
  import (or shadow one) is noticed.

Anything different runs the scan again. Python 3.9-compatible (runs in the build container).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Sequence

CACHE_NAME = "stdlib-scan-cache.json"
#: Written by ``stdlib_scan.py`` beside its spec file: the files the scan visited.
VISITED_SUFFIX = ".visited"
_SOURCES = ("stdlib_scan.py", "compile.py", "report.py", "scan_cache.py")


def import_digest(path: Path) -> str:
    """sha256 of a module's import statements (or of its bytes when it does not parse)."""
    data = path.read_bytes()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return "bytes:" + hashlib.sha256(data).hexdigest()
    nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    text = "\n".join(ast.dump(n, annotate_fields=False) for n in nodes)
    return hashlib.sha256(text.encode()).hexdigest()


def scan_inputs(
    python: str, roots: Sequence[str], excludes: Sequence[str], pythonpath: str, entry: Path
) -> Dict[str, object]:
    """What the scan's answer depends on besides the files it reads."""
    real = Path(os.path.realpath(python))
    return {
        "python": str(real),
        "python_stat": _stat(real) if real.is_file() else [],
        "roots": sorted(roots),
        "excludes": sorted(excludes),
        "pythonpath": pythonpath,
        "entry": entry.read_text(encoding="utf-8"),
    }


def inputs_key(inputs: Mapping[str, object]) -> str:
    here = Path(__file__).resolve().parent
    parts = dict(inputs)
    parts["sources"] = [hashlib.sha256((here / n).read_bytes()).hexdigest() for n in _SOURCES]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _stat(path: Path) -> List[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _listing(folder: Path) -> str:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return ""
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def record(files: Sequence[str], own: Path) -> Dict[str, Dict[str, object]]:
    """What to compare next time, for the files a scan visited; ``own`` is the work folder
    (the generated entry's, whose other files change on every build and import nothing)."""
    out: Dict[str, Dict[str, object]] = {}
    folders = set()
    for name in sorted(set(files)):
        path = Path(name)
        if path.is_dir():  # a namespace package
            folders.add(path)
            continue
        if not path.is_file():
            continue
        folders.add(path.parent)
        entry: Dict[str, object] = {"stat": _stat(path)}
        if path.suffix == ".py":
            entry["imports"] = import_digest(path)
        out[name] = entry
    for folder in sorted(folders - {own}):
        out[str(folder) + os.sep] = {"listing": _listing(folder)}
    return out


def unchanged(recorded: Mapping[str, Mapping[str, object]]) -> bool:
    """True when every recorded file and folder still looks as the scan saw it."""
    for name, entry in recorded.items():
        path = Path(name)
        if "listing" in entry:
            if _listing(path) != entry["listing"]:
                return False
            continue
        if not path.is_file():
            return False
        if _stat(path) == entry["stat"]:
            continue
        if "imports" not in entry or import_digest(path) != entry["imports"]:
            return False
    return True


def cached(
    work_dir: Path, spec_path: Path, inputs: Mapping[str, object], run: Callable[[], List[str]]
) -> List[str]:
    """``run()``'s answer, from the cache when nothing it depends on changed."""
    cache = work_dir / CACHE_NAME
    key = inputs_key(inputs)
    try:
        saved = json.loads(cache.read_text())
        if saved["key"] == key and unchanged(saved["files"]):
            return list(saved["result"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    visited = Path(str(spec_path) + VISITED_SUFFIX)
    if visited.exists():
        visited.unlink()  # never pair a new answer with an older scan's files
    result = run()
    try:
        files = json.loads(visited.read_text())
    except (OSError, ValueError):
        return result  # an old scanner or a failed scan: nothing to cache
    cache.write_text(json.dumps({"key": key, "files": record(files, work_dir), "result": result}))
    return result
