"""``native-lambda clients generate SERVICE_OR_MODEL_PATH [--out DIR] [--name MODULE]``:
write a typed AWS client module from a botocore model (a service name from the installed
botocore, or the path of a ``service-2.json``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "clients", help="generate AWS service clients from botocore models", description=__doc__
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    gen = actions.add_parser("generate", help="write one client module", description=__doc__)
    gen.add_argument("source", metavar="SERVICE_OR_MODEL_PATH", help="e.g. dynamodb, or a path")
    gen.add_argument("--out", type=Path, default=Path("."), help="folder to write into (.)")
    gen.add_argument("--name", help="module name (default: the service name)")
    gen.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from native_lambda_toolchain.clients import write

    path = write(args.source, args.out, args.name)
    print(path)
    return 0
