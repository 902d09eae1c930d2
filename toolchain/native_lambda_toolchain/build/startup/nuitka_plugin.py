"""Nuitka user plugin (``--user-plugin=<this file>``): start compiled programs without ``inspect``.

Why: Nuitka's ``main()`` (``MainProgram.c``) calls ``patchInspectModule()`` unconditionally;
it imports ``inspect`` and with it ast, dis, enum, re, tokenize ... (63 modules at start of an
empty program instead of 34) and compiles patch code with ``Py_CompileString`` on every
start. No Nuitka option guards the call, but Nuitka provides ``MainProgram.c`` and
``CompiledFunctionType.c`` to the build folder before SCons compiles them, so this plugin
edits the build folder's copies:

* Python < 3.12: the call is removed from ``MainProgram.c``; it only does inspect work there.
* Python 3.12+: the same C function also replaces ``sys._getframemodulename`` (CPython's
  reads a function object out of the caller's frame, which compiled frames do not have:
  ``namedtuple``, ``TypeVar``, ``TypedDict`` ... call it), patches ``typing``'s ``TypeVar``
  family, and on 3.13 registers compiled frames' ``f_locals`` proxy as a ``Mapping``. Those
  stay. Only its inspect part (the ``#if PYTHON_VERSION >= 0x300`` block that opens the
  function body: ``inspect``/``types`` patching and the compiled patch code) is turned into
  ``#if 0``. ``InspectPatcher.c`` is ``#include``d by ``CompiledFunctionType.c``, so the
  edited text is inlined into the build folder's ``CompiledFunctionType.c`` (an ``#include``
  next to a symlink would depend on how the compiler resolves it).

What is lost: ``inspect.getgeneratorstate``/``getcoroutinestate``, ``types.coroutine`` and
``inspect._get_code_position`` do not recognise *compiled* generators and coroutines.
Lambda handlers do not call these; ``async def`` handlers run unaffected.

Safety: Nuitka "copies" static sources as *symlinks* into its own installation, so the link is
removed and a regular file written in its place; writing through it would edit Nuitka itself.
If a Nuitka upgrade changes an expected text, the build fails loudly rather than silently
losing the tuning. Loaded by file inside Nuitka's own process (after its self re-exec), so
patching the provider function at import works. Python 3.9-compatible (runs in the build
container).
"""

from __future__ import annotations

import os
import sys
from typing import List

import nuitka.build.SconsInterface as _scons
from nuitka.plugins.PluginBase import NuitkaPluginBase

CALL = "    patchInspectModule(tstate);\n"
REPLACEMENT = "    /* native-lambda: patchInspectModule() skipped (start-up tuning) */\n"
#: Python 3.12+: the include of the patcher in CompiledFunctionType.c, and the opening of
#: patchInspectModule()'s inspect block in InspectPatcher.c (each must occur exactly once).
INCLUDE = '#include "InspectPatcher.c"\n'
INSPECT_PART = "    CHECK_OBJECT(dict_builtin);\n\n#if PYTHON_VERSION >= 0x300\n"
INSPECT_SKIPPED = (
    "    CHECK_OBJECT(dict_builtin);\n\n"
    "#if 0 /* native-lambda: inspect part of patchInspectModule() skipped (start-up tuning) */\n"
)
#: Nuitka compiles for the Python it runs on: the target's version.
SKIPS_CALL = sys.version_info < (3, 12)
_original = _scons._provideStaticSourceFiles


def _provide(source_dir: str, filenames: List[str]) -> None:
    _original(source_dir, filenames)
    static = os.path.join(source_dir, "static_src")
    if SKIPS_CALL and "MainProgram.c" in filenames:
        skip_inspect_patch(os.path.join(static, "MainProgram.c"))
    if not SKIPS_CALL and "CompiledFunctionType.c" in filenames:
        skip_inspect_part(os.path.join(static, "CompiledFunctionType.c"))


def _read(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _expect_once(text: str, needle: str, path: str) -> None:
    if text.count(needle) != 1:
        raise RuntimeError(
            f"native-lambda start-up plugin: expected exactly one {needle.strip()!r} in {path} "
            "(Nuitka changed?): update toolchain/native_lambda_toolchain/build/startup/ or build "
            "with --no-startup-tuning"
        )


def _replace_file(path: str, text: str) -> None:
    os.unlink(path)  # never write through the link into Nuitka's installation
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def skip_inspect_patch(path: str) -> None:
    """Python < 3.12: replace ``path`` (a link to ``MainProgram.c``) by a copy without the call."""
    text = _read(path)
    _expect_once(text, CALL, path)
    _replace_file(path, text.replace(CALL, REPLACEMENT))


def skip_inspect_part(path: str) -> None:
    """Python 3.12+: replace ``path`` (a link to ``CompiledFunctionType.c``) by a copy with
    ``InspectPatcher.c`` inlined, its inspect block compiled out."""
    text = _read(path)
    _expect_once(text, INCLUDE, path)
    patcher_path = os.path.join(os.path.dirname(os.path.realpath(path)), "InspectPatcher.c")
    patcher = _read(patcher_path)
    _expect_once(patcher, INSPECT_PART, patcher_path)
    inlined = "/* native-lambda: InspectPatcher.c inlined, inspect part skipped */\n" + (
        patcher.replace(INSPECT_PART, INSPECT_SKIPPED)
    )
    _replace_file(path, text.replace(INCLUDE, inlined + "\n"))


_scons._provideStaticSourceFiles = _provide


class NativeLambdaStartup(NuitkaPluginBase):
    plugin_name = "native-lambda-startup"
    plugin_desc = "Skip the inspect part of Nuitka's start-up patching (imports inspect, re, ast)."

    def onCompilationStartChecks(self) -> None:
        if not SKIPS_CALL:
            self.info(
                "Python 3.12+: only the inspect part of Nuitka's start-up patching is skipped "
                "(its sys._getframemodulename and typing patches stay: compiled code needs them)"
            )
