"""``native-lambda run``: run built artifacts in the Lambda-like sandbox behind the emulator.

``--payload JSON`` invokes once and prints the function's log (START/END/REPORT lines) and
the result; ``--serve`` keeps the emulator's invoke endpoint open
(``POST /2015-03-31/functions/function/invocations``) until Ctrl-C.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run dist/ artifacts in a Lambda-like sandbox and invoke them",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument(
        "--dist", type=Path, default=Path("dist"), help="artifact directory (default: dist/)"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--payload", help="invoke once with this event (JSON text)")
    mode.add_argument("--payload-file", type=Path, help="invoke once with this file's event")
    mode.add_argument("--serve", action="store_true", help="serve the invoke endpoint")
    parser.add_argument("--port", type=int, default=0, help="emulator port (--serve: 8080)")
    parser.add_argument("--handler", help="_HANDLER value (default: from dist/build.json)")
    parser.add_argument(
        "--target", default=None, help="policy whose libraries the root gets (default: build's)"
    )
    parser.add_argument("--timeout", type=float, default=None, help="function timeout, seconds")
    parser.add_argument("--memory", type=int, default=128, help="memory size, MB")
    parser.add_argument(
        "--no-layer", action="store_true", help="leave layer.zip out (shows what breaks)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from native_lambda_toolchain.builder import read_info
    from native_lambda_toolchain.emulator import Emulator
    from native_lambda_toolchain.errors import BuildError
    from native_lambda_toolchain.policy import load_policy
    from native_lambda_toolchain.sandbox import Sandbox

    _exit_on_sigterm()
    info = read_info(args.dist)
    target = args.target or str(info.get("target") or "al2023")
    handler = args.handler or info.get("handler")
    try:
        box = Sandbox.from_dist(args.dist, policy=load_policy(target), handler=handler)
        if args.no_layer:
            box.layer_zip = None
        box.prepare()
    except BuildError as exc:
        print(f"native-lambda run: error: {exc}", file=sys.stderr)
        return 1
    with box:
        port = args.port or (8080 if args.serve else 0)
        emulator = Emulator(
            command=box.command(),
            env=box.lambda_env(),
            inherit_env=False,  # the sandbox gets Lambda's environment, not this shell's
            port=port,
            memory_mb=args.memory,
            timeout_s=args.timeout,
            echo=args.serve,
        )
        with emulator as emu:
            if args.serve:
                return _serve(emu)
            payload = (
                args.payload_file.read_bytes() if args.payload_file else (args.payload or "{}")
            )
            result = emu.invoke(payload, timeout=(args.timeout or 300) + 30)
            log = emu.lambda_log()  # the function's output with START/END/REPORT lines
            sys.stdout.write(log if log.endswith("\n") or not log else log + "\n")
            body = result.body.decode("utf-8", "replace")
            error = result.function_error
            print(f"status: {result.status}" + (f" (function error: {error})" if error else ""))
            print(body)
            return 0 if result.status == 200 and not error else 1


def _exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C: the emulator stops its runtime, the sandbox root goes."""

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _serve(emu: Any) -> int:
    print(f"invoke endpoint: {emu.url}/2015-03-31/functions/function/invocations", flush=True)
    print("(Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
