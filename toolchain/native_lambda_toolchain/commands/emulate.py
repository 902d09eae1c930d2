"""``native-lambda emulate``: run a function locally behind Lambda's Runtime API.

native-lambda emulate -- python -m native_lambda examples.greeting.handler
curl -XPOST localhost:8080/2015-03-31/functions/function/invocations -d '{"name":"x"}'
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from ._options import parse_env_pairs


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "emulate",
        help="serve a runtime locally (Runtime API + RIE-compatible invoke endpoint)",
        description=(
            "Spawn CMD as a Lambda runtime behind a local Runtime API and serve the invoke "
            "endpoint POST /2015-03-31/functions/{name}/invocations (any name). Without CMD, "
            "only the server runs and an external runtime connects to AWS_LAMBDA_RUNTIME_API."
        ),
    )
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than loopback (exposes the invoke and Runtime APIs, "
        "unauthenticated, to the network)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="function timeout in seconds (default $AWS_LAMBDA_FUNCTION_TIMEOUT or 300)",
    )
    parser.add_argument(
        "--memory", type=int, default=128, metavar="MB", help="memory size (default 128)"
    )
    parser.add_argument("--function-name", default="function", metavar="N")
    parser.add_argument(
        "--env",
        action="extend",
        nargs="+",
        default=[],
        metavar="K=V",
        help="environment variable for the runtime (repeatable)",
    )
    parser.add_argument(
        "--lazy",
        action="store_true",
        help="spawn the runtime on the first invoke (cold start) instead of at once",
    )
    parser.add_argument("--quiet", action="store_true", help="do not echo the runtime's output")
    parser.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        metavar="-- CMD...",
        help="the runtime command, after --",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from native_lambda_toolchain.emulator import Emulator, check_bind_host, listen_error

    check_bind_host(args.host, args.allow_remote)
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    emulator = Emulator(
        command or None,
        env=parse_env_pairs(args.env),
        host=args.host,
        port=args.port,
        function_name=args.function_name,
        memory_mb=args.memory,
        timeout_s=args.timeout,
        echo=not args.quiet,
        eager=not args.lazy,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        emulator.start()
    except OSError as exc:
        raise listen_error(args.host, args.port, exc) from None
    out = sys.stderr
    url = emulator.invoke_url(args.function_name)
    api = f"AWS_LAMBDA_RUNTIME_API={emulator.runtime_api}"
    print(f"native-lambda emulate: invoke with\n  curl -XPOST {url} -d '{{}}'", file=out)
    if command:
        print(f"native-lambda emulate: runtime {' '.join(command)} ({api})", file=out)
    else:
        print(f"native-lambda emulate: waiting for a runtime with {api}", file=out)
    out.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        print("native-lambda emulate: stopping", file=out)
        emulator.stop()
    return 0
