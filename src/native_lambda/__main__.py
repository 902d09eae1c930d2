"""``python -m native_lambda [module.function]``: serve the handler named like Lambda's
handler setting (argument, else ``_HANDLER``), found on ``LAMBDA_TASK_ROOT`` or the cwd.

A stable interface. The string is parsed by ``HandlerRef.parse`` when the runtime loads it,
so a malformed one is reported to the Runtime API as ``Runtime.MalformedHandlerName``."""

from __future__ import annotations

import os
import sys

from .handler_ref import HANDLER_ENV


def main(argv: list[str]) -> None:
    spec = argv[1] if len(argv) > 1 else os.environ.get(HANDLER_ENV, "")
    if len(argv) > 2 or spec in ("-h", "--help"):
        sys.stderr.write("usage: python -m native_lambda [module.function]\n")
        sys.exit(2 if len(argv) > 2 else 0)
    from ._loop import run_handler_string

    run_handler_string(spec)


if __name__ == "__main__":
    main(sys.argv)
