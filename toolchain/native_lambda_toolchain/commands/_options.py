"""Option parsing shared by the commands (argparse-level only: nothing heavy here)."""

from __future__ import annotations

import re
from typing import Dict, Iterable

from ..errors import ToolchainError

#: What Lambda accepts as an environment variable name.
ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def parse_env_pairs(pairs: Iterable[str], option: str = "--env") -> Dict[str, str]:
    """``["K=V", ...]`` as a dict; a pair without ``=`` or with a bad name is a ToolchainError."""
    env: Dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not ENV_NAME.match(key):
            raise ToolchainError(
                f"{option} wants KEY=VALUE, got {pair!r}",
                hint=f"KEY is letters, digits and _, starting with a letter: "
                f"e.g. {option} LOG_LEVEL=debug",
            )
        env[key] = value
    return env
