"""``native-lambda`` command line: one sub-command per module in ``commands/``.

Each command module exposes ``register(subparsers)``; it is imported only when the CLI
starts, so a command's heavy dependencies (nuitka, docker, httpx) load only when used.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from .errors import ToolchainError

# Order is the order shown in --help.
COMMANDS = ("build", "emulate", "run", "deploy", "invoke")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="native-lambda",
        description="Build, run and deploy Python functions as native provided.al2023 bootstraps.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"native_lambda_toolchain.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"native_lambda_toolchain.commands.{name}":
                continue  # command not part of this build of the toolchain
            raise
        module.register(sub)
    return parser


def render_error(exc: ToolchainError) -> None:
    """The one place a toolchain error is printed: ``native-lambda: <message>`` then the hint."""
    sys.stderr.write(f"native-lambda: error: {exc.message}\n")
    if exc.hint:
        sys.stderr.write(f"  hint: {exc.hint}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ToolchainError as exc:
        render_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("native-lambda: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
