"""``python -m native_lambda_toolchain.deps``: the dependency stage's own entry.

The container build runs it in the build image (network on, the cache mounted): it reads the
requirements text the host detected, decides the target platform from the image's own glibc
and Python, installs (or reuses) the tree, and prints its result as the last line
(``RESULT_PREFIX`` + JSON) for the host to mount into the compile stage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from ..errors import ToolchainError, render_error
from .install import RESULT_PREFIX, install
from .source import DependencySet
from .target import target_platform


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m native_lambda_toolchain.deps")
    p.add_argument("--requirements", type=Path, required=True, help="requirements text")
    p.add_argument("--source", required=True, help="where the host found it (for messages)")
    p.add_argument("--no-deps", action="store_true", help="exact pins from a lock")
    p.add_argument("--target", required=True)
    p.add_argument("--cache-dir", type=Path, required=True)
    args = p.parse_args(argv)
    try:
        deps = DependencySet(
            args.source, args.requirements, args.requirements.read_text(), args.no_deps
        )
        result = install(deps, target_platform(args.target), args.cache_dir, say=_say)
    except ToolchainError as exc:
        render_error(exc)
        return exc.exit_code
    print(RESULT_PREFIX + json.dumps(result.to_json(), sort_keys=True), flush=True)
    return 0


def _say(text: str) -> None:
    print(text, flush=True)


if __name__ == "__main__":
    sys.exit(main())
