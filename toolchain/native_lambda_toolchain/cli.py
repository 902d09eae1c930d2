"""``native-lambda`` command line: one sub-command per module in ``commands/``.

Each command module exposes ``register(subparsers)`` and imports only argparse-level things
at registration; its heavy dependencies (nuitka, docker, httpx, from the ``toolchain`` extra)
load inside the command function. So ``--help`` works on a bare install, and a command whose
dependency is missing says which extra to install instead of printing a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any, Optional, Sequence

from .errors import ToolchainError, render_error

# Order is the order shown in --help.
COMMANDS = ("build", "emulate", "run", "deploy", "invoke", "clients")
#: The oldest Python the CLI runs on (the build core also runs on the build image's 3.9).
MIN_PYTHON = (3, 9)
#: Top-level modules of the ``toolchain`` extra: missing, they name the extra to install.
EXTRA_MODULES = frozenset({"httpx", "httpcore", "docker", "nuitka", "elftools", "ordered_set"})
EXTRA_INSTALL = "pip install 'native-lambda[toolchain]'"


def missing_extra(exc: ModuleNotFoundError, command: str) -> Optional[ToolchainError]:
    """The error for a command whose ``toolchain``-extra dependency is not installed; None
    when ``exc`` is about some other module (a real bug: let its traceback show)."""
    top = (exc.name or "").partition(".")[0]
    if top not in EXTRA_MODULES:
        return None
    return ToolchainError(
        f"`native-lambda {command}` needs the {top} package, which is not installed",
        hint=f"install the toolchain extra: {EXTRA_INSTALL}",
    )


def _register_unavailable(sub: Any, name: str, error: ToolchainError) -> None:
    """A command whose registration needs a missing extra: listed, and says what to install."""

    def unavailable(args: argparse.Namespace) -> int:
        raise error

    parser = sub.add_parser(name, help=error.hint)
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(func=unavailable)


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
        try:
            module.register(sub)
        except ModuleNotFoundError as exc:
            error = missing_extra(exc, name)
            if error is None:
                raise
            _register_unavailable(sub, name, error)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    if sys.version_info < MIN_PYTHON:
        floor = ".".join(map(str, MIN_PYTHON))
        sys.stderr.write(
            f"native-lambda: error: needs Python {floor} or newer; this is "
            f"{sys.version.split()[0]}\n  hint: run it with a newer interpreter, "
            "e.g. python3.13 -m native_lambda_toolchain\n"
        )
        return 1
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        try:
            return int(args.func(args) or 0)
        except ModuleNotFoundError as exc:
            error = missing_extra(exc, args.command)
            if error is None:
                raise
            raise error from None
    except ToolchainError as exc:
        render_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("native-lambda: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
