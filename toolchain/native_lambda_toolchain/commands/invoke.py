"""``native-lambda invoke NAME 'JSON'``: invoke a deployed function (or, with ``--local``,
the emulator's invoke endpoint) through the Lambda Invoke API; prints the result on stdout
and the log tail on stderr."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    from native_lambda_toolchain.deploy import add_aws_arguments

    parser = subparsers.add_parser(
        "invoke", help="invoke a function (remote, or --local)", description=__doc__
    )
    parser.add_argument("name", help="function name or ARN (any name for --local)")
    parser.add_argument(
        "payload",
        nargs="?",
        default="{}",
        help="event JSON, '@file' to read a file, '-' for stdin (default {})",
    )
    parser.add_argument(
        "--local",
        action="store_true",
        help="invoke the emulator at http://127.0.0.1:8080 (or --endpoint-url)",
    )
    parser.add_argument("--no-log", action="store_true", help="do not request the log tail")
    parser.add_argument(
        "--stream",
        action="store_true",
        help="InvokeWithResponseStream: print chunks as they arrive (with --local)",
    )
    add_aws_arguments(parser)
    parser.set_defaults(func=run)


def _payload(spec: str) -> bytes:
    from native_lambda_toolchain.deploy import DeployError

    if spec == "-":
        return sys.stdin.buffer.read()
    if spec.startswith("@"):
        try:
            return Path(spec[1:]).read_bytes()
        except OSError as exc:
            raise DeployError(f"cannot read the payload file {spec[1:]}: {exc.strerror}") from None
    return spec.encode("utf-8")


def run(args: argparse.Namespace) -> int:
    import json

    from native_lambda_toolchain.deploy import (
        LOCAL_ENDPOINT,
        DeployError,
        make_client,
        service_failure,
    )
    from native_lambda_toolchain.errors import ToolchainError

    payload = _payload(args.payload)
    try:
        json.loads(payload or b"null")
    except ValueError as exc:
        raise DeployError(f"payload is not valid JSON: {exc}") from None
    endpoint = (args.endpoint_url or LOCAL_ENDPOINT) if args.local else None
    if args.stream:
        return _stream(args, payload, endpoint)
    with make_client(args, local=args.local, endpoint=endpoint) as client:
        output = client.invoke(args.name, payload, log_tail=not args.no_log)
        where = client.endpoint
    failed = service_failure(output)
    if failed:
        raise ToolchainError(
            f"invoke {args.name} at {where}: {failed}",
            hint="run the function here instead: `native-lambda run --serve` (or "
            "`native-lambda emulate`) and `native-lambda invoke --local`",
            exit_code=1,
        )
    if output.log_tail:
        sys.stderr.write(
            output.log_tail if output.log_tail.endswith("\n") else output.log_tail + "\n"
        )
    sys.stdout.write(output.payload.decode("utf-8", "replace") + "\n")
    sys.stdout.flush()
    if output.function_error:
        raise ToolchainError(
            f"function {args.name}: function error ({output.function_error}); "
            "its error object is on stdout",
            exit_code=1,
        )
    return 0


def _stream(args: argparse.Namespace, payload: bytes, endpoint: str | None) -> int:
    """Print each PayloadChunk the moment its frame arrives; the log tail goes to stderr."""
    import base64
    from urllib.parse import urlsplit

    from native_lambda_toolchain.emulator import invoke_stream
    from native_lambda_toolchain.errors import ToolchainError

    if endpoint is None:
        raise ToolchainError(
            "invoke --stream works with the local emulator only in this version",
            hint="add --local (and --endpoint-url if the emulator is not on 127.0.0.1:8080)",
        )
    where = urlsplit(endpoint)
    out = sys.stdout.buffer

    def show(chunk: bytes) -> None:
        out.write(chunk)
        out.flush()

    headers = {"Content-Type": "application/json"}
    if not args.no_log:
        headers["X-Amz-Log-Type"] = "Tail"
    path = f"/2021-11-15/functions/{args.name}/response-streaming-invocations"
    try:
        result = invoke_stream(
            where.hostname or "127.0.0.1", where.port or 80, path, payload, headers, 900.0, show
        )
    except OSError as exc:
        raise ToolchainError(f"invoke {args.name} at {endpoint}: {exc}") from None
    if result.status != 200:
        raise ToolchainError(
            f"invoke {args.name} at {endpoint}: HTTP {result.status}: "
            f"{result.body.decode('utf-8', 'replace')[:300]}"
        )
    complete = result.complete or {}
    if complete.get("LogResult"):
        sys.stderr.write(base64.b64decode(complete["LogResult"]).decode("utf-8", "replace"))
    if complete.get("ErrorCode"):
        sys.stdout.write(str(complete.get("ErrorDetails", "")) + "\n")
        raise ToolchainError(
            f"function {args.name}: {complete['ErrorCode']} (its error object is on stdout)"
        )
    return 0
