"""Nuitka user plugin (``--user-plugin=this file``): start compiled programs without ``inspect``.

Why: Nuitka's ``main()`` calls ``patchInspectModule()`` unconditionally (MainProgram.c),
which imports ``inspect`` and with it ast, dis, enum, re, tokenize, collections ... (63
modules at start instead of 34) and compiles patch code on every start: ~3x the start time
of an empty program (bench-findings F1). No Nuitka option guards it, but ``MainProgram.c``
is *copied* into the build folder before SCons compiles it, so this plugin edits the copy.

What is lost: ``inspect.getgeneratorstate``/``getcoroutinestate``, ``types.coroutine`` and
``inspect._get_code_position`` do not know compiled generators/coroutines. Lambda handlers
do not call these; ``async def`` handlers are unaffected.

Loaded inside Nuitka's own process (after its self re-exec), so patching at import works.
An upgrade of Nuitka that changes the line fails the build loudly instead of silently.
"""

from __future__ import annotations

import os

import nuitka.build.SconsInterface as _scons
from nuitka.plugins.PluginBase import NuitkaPluginBase

CALL = "    patchInspectModule(tstate);\n"
_original = _scons._provideStaticSourceFiles


def _provide(source_dir: str, filenames: list[str]) -> None:
    _original(source_dir, filenames)
    if "MainProgram.c" not in filenames:
        return
    path = os.path.join(source_dir, "static_src", "MainProgram.c")
    with open(path) as f:
        text = f.read()
    if CALL not in text:
        raise RuntimeError(f"native-lambda startup plugin: {CALL.strip()!r} not in {path}")
    # Nuitka "copies" static sources as *symlinks* into its installation: replace the link
    # with a regular file, never write through it (that would edit Nuitka itself).
    os.unlink(path)
    with open(path, "w") as f:
        f.write(text.replace(CALL, "    /* native-lambda: patchInspectModule() skipped */\n"))


_scons._provideStaticSourceFiles = _provide


class NativeLambdaStartup(NuitkaPluginBase):
    plugin_name = "native-lambda-startup"
    plugin_desc = "Skip patchInspectModule() at program start (imports inspect, re, ast ...)."
