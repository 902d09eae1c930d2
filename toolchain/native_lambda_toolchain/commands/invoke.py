"""``native-lambda invoke NAME 'JSON'``: invoke a deployed function (or, with ``--local``,
the emulator's invoke endpoint) through the Lambda Invoke API; prints the result on stdout
and the log tail on stderr. ``--stream`` uses InvokeWithResponseStream and prints each chunk
as it arrives."""

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
        help="InvokeWithResponseStream: print chunks as they arrive",
    )
    parser.add_argument("--qualifier", help="version or alias to invoke")
    parser.add_argument(
        "--client-context",
        metavar="JSON",
        help="client context for the function (context.client_context); sent base64-encoded",
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
    if args.client_context is not None:
        try:
            json.loads(args.client_context)
        except ValueError as exc:
            raise DeployError(f"--client-context is not valid JSON: {exc}") from None
    endpoint = (args.endpoint_url or LOCAL_ENDPOINT) if args.local else None
    options = {
        "log_tail": not args.no_log,
        "qualifier": args.qualifier,
        "client_context": args.client_context,
    }
    if args.stream:
        return _stream(args, payload, endpoint, options)
    with make_client(args, local=args.local, endpoint=endpoint) as client:
        output = client.invoke(args.name, payload, **options)
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


def _stream(
    args: argparse.Namespace, payload: bytes, endpoint: str | None, options: dict[str, Any]
) -> int:
    """Print each PayloadChunk the moment its frame arrives; the log tail goes to stderr.

    The same signed InvokeWithResponseStream call for AWS and (``--local``) the emulator."""
    from native_lambda_toolchain.deploy import make_client
    from native_lambda_toolchain.errors import ToolchainError

    out = sys.stdout.buffer

    def show(chunk: bytes) -> None:
        out.write(chunk)
        out.flush()

    with make_client(args, local=args.local, endpoint=endpoint) as client:
        result = client.invoke_stream(args.name, payload, show, **options)
    if result.log_tail:
        tail = result.log_tail
        sys.stderr.write(tail if tail.endswith("\n") else tail + "\n")
    if result.error_code:
        out.write(b"\n" if result.size else b"")
        sys.stdout.write(str(result.error_details or "") + "\n")
        sys.stdout.flush()
        raise ToolchainError(
            f"function {args.name}: {result.error_code} after {result.chunks} chunks "
            "(its error object is on stdout)",
            exit_code=1,
        )
    return 0
