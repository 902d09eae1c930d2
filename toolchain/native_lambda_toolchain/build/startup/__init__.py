"""Start-up tuning of every bootstrap: what a compiled program runs before the handler's init.

Two files handed to Nuitka (measured in README "Design", start-up tuning):

* ``nuitka_plugin.py`` (``--user-plugin``): skips the inspect part of Nuitka's start-up
  patching (``patchInspectModule()``), which imports ``inspect`` (and ast, dis, tokenize ...)
  and compiles patch code on every start. Python < 3.12: the call goes; 3.12+: the call stays
  for the ``sys._getframemodulename`` and ``typing`` patches compiled code needs, and only
  its inspect block is compiled out (see the plugin);
* ``anti_bloat.yml`` (``--user-package-configuration-file``): source edits that defer
  imports nobody needs at start (``uuid`` without ``platform``; msgspec's rarely used
  submodules on first use). The deferred modules still ship.

Kept as plain files inside the package so the build container, which mounts this package,
finds them at the same relative place. Python 3.9-compatible (runs in the container).
"""

from __future__ import annotations

from pathlib import Path
from typing import Tuple

HERE = Path(__file__).resolve().parent
PLUGIN = HERE / "nuitka_plugin.py"
PACKAGE_CONFIG = HERE / "anti_bloat.yml"


def nuitka_options() -> Tuple[str, ...]:
    """The Nuitka options that apply the tuning."""
    return (
        f"--user-plugin={PLUGIN}",
        f"--user-package-configuration-file={PACKAGE_CONFIG}",
    )


__all__ = ["PACKAGE_CONFIG", "PLUGIN", "nuitka_options"]
