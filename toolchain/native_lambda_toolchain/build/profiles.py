"""Build profiles: how hard the C compiler works on Nuitka's generated code.

``release`` (the default) is what ships: Nuitka's own optimisation level (``-O3`` against a
shared libpython, ``-O2`` against a static one). ``dev`` passes ``-O0``: the C compile, which
is most of a cold build with dependencies, takes a fifth to a sixth of the time, and the code
runs slower. The profile is part of the build record, and ``deploy`` warns about a dev build.

Data only, so that the host's command line and the build core read the same table.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Tuple


class Profile(NamedTuple):
    name: str
    #: appended to Nuitka's C flags (``CFLAGS`` in its environment; the last ``-O`` wins)
    c_flags: Tuple[str, ...]
    summary: str


PROFILES: Dict[str, Profile] = {
    "release": Profile("release", (), "C optimised as Nuitka does (what to deploy)"),
    "dev": Profile(
        "dev",
        ("-O0",),
        "C unoptimised (-O0): several times faster to compile, slower to run; not for production",
    ),
}
DEFAULT_PROFILE = "release"


def profile(name: str) -> Profile:
    """The profile called ``name``; a ValueError naming the choices otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown build profile {name!r}: choose one of {', '.join(PROFILES)}"
        ) from None
