"""Which ``lib-dynload`` extension modules a program's static import graph never reaches.

Run as a script by the build's Python (``python stdlib_scan.py SPEC``, SPEC being JSON with
``entry``, ``roots``, ``excludes``, ``c_imports`` and ``optional``), never imported: it must
see the interpreter the bootstrap is compiled with, and only the stdlib. Prints one JSON list:
the extension modules nothing reaches, plus the optional imports (``optional``: owner ->
modules) that nothing but their owner reaches. ``modulefinder`` over-approximates what Nuitka
follows, so what it calls unused is safe to leave out. Python 3.9-compatible.
"""

import contextlib
import importlib.machinery
import json
import modulefinder
import os
import sys
import sysconfig

if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # the build core's own modules must not shadow the program's


class Finder(modulefinder.ModuleFinder):
    """modulefinder that understands namespace packages (a handler folder without
    ``__init__.py``), which it predates."""

    def find_module(self, name, path, parent=None):
        try:
            return super().find_module(name, path, parent)
        except AttributeError:
            search = self.path if path is None else path
            spec = importlib.machinery.PathFinder.find_spec(name, search)
            if spec is None or not spec.submodule_search_locations:
                raise ImportError(name) from None
            where = next(iter(spec.submodule_search_locations))
            return None, where, ("", "", modulefinder._PKG_DIRECTORY)  # type: ignore[attr-defined]

    def load_package(self, fqname, pathname):
        if any(f.startswith("__init__.") for f in os.listdir(pathname)):
            return super().load_package(fqname, pathname)
        m = self.add_module(fqname)
        m.__file__ = pathname  # type: ignore[attr-defined]
        m.__path__ = [pathname]  # type: ignore[attr-defined]
        return m


def dynload_names() -> set:
    """Names of the interpreter's ``lib-dynload`` extension modules."""
    dyns = [p for p in sys.path if p.endswith("lib-dynload")]
    dyn = sysconfig.get_config_var("DESTSHARED") or (dyns[0] if dyns else "")
    names = set()
    if os.path.isdir(dyn):
        for f in os.listdir(dyn):
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                if f.endswith(suffix):
                    names.add(f[: -len(suffix)])
                    break
    return names


def reach(spec: dict, excludes: list) -> modulefinder.ModuleFinder:
    """Every module the entry and the roots import, with the imports made from C."""
    entry = spec["entry"]
    finder = Finder(path=[os.path.dirname(entry), *sys.path], excludes=excludes)
    finder.run_script(entry)
    for root in spec["roots"]:
        with contextlib.suppress(ImportError):
            finder.import_hook(root)
    done = set()
    c_imports = spec["c_imports"]
    while True:
        todo = [m for m in c_imports if m in finder.modules and m not in done]
        if not todo:
            return finder
        for m in todo:
            done.add(m)
            for dep in c_imports[m]:
                with contextlib.suppress(ImportError):
                    finder.import_hook(dep)


def unused(spec: dict, visited=None) -> list:
    """The extension and optional modules to leave out of the build; ``visited`` gets the
    files the scan read (``scan_cache`` compares them next time)."""
    excludes = list(spec["excludes"])
    finder = reach(spec, excludes)
    if visited is not None:
        visited.append(spec["entry"])
        files = (getattr(m, "__file__", None) for m in finder.modules.values())
        visited += [f for f in files if f]
    found = set(finder.modules) | set(finder.badmodules)
    out = [n for n in dynload_names() if n not in found]
    for owner, optional in sorted(spec["optional"].items()):
        if owner not in finder.modules:
            continue
        wanted = [m for m in optional if m in found]
        if not wanted:
            continue
        other = reach(spec, [*excludes, owner])
        again = set(other.modules) | set(other.badmodules)
        out += [m for m in wanted if m not in again]
    return sorted(set(out))


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        seen: list = []
        answer = unused(json.load(handle), seen)
    with open(sys.argv[1] + ".visited", "w", encoding="utf-8") as handle:
        json.dump(sorted(set(seen)), handle)
    print(json.dumps(answer))
