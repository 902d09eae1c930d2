"""Nuitka user plugin (``--user-plugin=<this file>``): start compiled programs without ``inspect``.

Why: Nuitka's ``main()`` (``MainProgram.c``) calls ``patchInspectModule()`` unconditionally;
it imports ``inspect`` and with it ast, dis, enum, re, tokenize ... (63 modules at start of an
empty program instead of 34) and compiles patch code with ``Py_CompileString`` on every
start: an empty program starts in ~13 ms instead of ~37 ms. No Nuitka option guards the call,
but ``MainProgram.c`` is provided to the build folder before SCons compiles it, so this plugin
edits the build folder's copy.

What is lost: ``inspect.getgeneratorstate``/``getcoroutinestate``, ``types.coroutine`` and
``inspect._get_code_position`` do not recognise *compiled* generators and coroutines.
Lambda handlers do not call these; ``async def`` handlers run unaffected.

Only for Python < 3.12: from 3.12 the same C function also replaces
``sys._getframemodulename`` (CPython's reads a function object out of the caller's frame,
which compiled frames do not have: ``namedtuple``, ``TypeVar``, ``TypedDict`` ... call it),
patches ``typing``, and on 3.13 registers compiled frames' ``f_locals`` proxy as a
``Mapping``. Compiled code needs those, so there the call stays (a note in the build log).

Safety: Nuitka "copies" static sources as *symlinks* into its own installation, so the link is
removed and a regular file written in its place; writing through it would edit Nuitka itself.
If a Nuitka upgrade changes the line, the build fails loudly rather than silently losing the
tuning. Loaded by file inside Nuitka's own process (after its self re-exec), so patching the
provider function at import works. Python 3.9-compatible (runs in the build container).
"""

from __future__ import annotations

import os
import sys
from typing import List

import nuitka.build.SconsInterface as _scons
from nuitka.plugins.PluginBase import NuitkaPluginBase

CALL = "    patchInspectModule(tstate);\n"
REPLACEMENT = "    /* native-lambda: patchInspectModule() skipped (start-up tuning) */\n"
#: Nuitka compiles for the Python it runs on: the target's version.
APPLIES = sys.version_info < (3, 12)
_original = _scons._provideStaticSourceFiles


def _provide(source_dir: str, filenames: List[str]) -> None:
    _original(source_dir, filenames)
    if APPLIES and "MainProgram.c" in filenames:
        skip_inspect_patch(os.path.join(source_dir, "static_src", "MainProgram.c"))


def skip_inspect_patch(path: str) -> None:
    """Replace ``path`` (a link into Nuitka's installation) by an edited regular file."""
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    if text.count(CALL) != 1:
        raise RuntimeError(
            f"native-lambda start-up plugin: expected exactly one {CALL.strip()!r} in {path} "
            "(Nuitka changed?): update toolchain/native_lambda_toolchain/build/startup/ or build "
            "with startup tuning off"
        )
    os.unlink(path)  # never write through the link
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text.replace(CALL, REPLACEMENT))


_scons._provideStaticSourceFiles = _provide


class NativeLambdaStartup(NuitkaPluginBase):
    plugin_name = "native-lambda-startup"
    plugin_desc = "Skip patchInspectModule() at program start (imports inspect, re, ast ...)."

    def onCompilationStartChecks(self) -> None:
        if not APPLIES:
            self.info(
                "Python 3.12+: Nuitka's start-up patching is kept (it also installs "
                "sys._getframemodulename and typing patches that compiled code needs)"
            )
