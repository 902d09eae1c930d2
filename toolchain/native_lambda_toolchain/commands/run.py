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
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from native_lambda_toolchain.dist import BuildRecord


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
    mode.add_argument("--payload", help="invoke once with this event (JSON text; default {})")
    mode.add_argument("--payload-file", type=Path, help="invoke once with this file's event")
    mode.add_argument("--serve", action="store_true", help="serve the invoke endpoint")
    parser.add_argument("--port", type=int, default=0, help="emulator port (--serve: 8080)")
    parser.add_argument(
        "--handler",
        metavar="MODULE.FUNCTION",
        help="_HANDLER value: one of the handlers compiled in (default: the build's)",
    )
    parser.add_argument(
        "--target", default=None, help="policy whose libraries the root gets (default: build's)"
    )
    parser.add_argument("--timeout", type=float, default=None, help="function timeout, seconds")
    parser.add_argument("--memory", type=int, default=128, help="memory size, MB")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="K=V",
        help="environment variable for the function (repeatable)",
    )
    parser.add_argument(
        "--no-layer", action="store_true", help="leave layer.zip out (shows what breaks)"
    )
    parser.add_argument(
        "--glibc-image",
        metavar="IMAGE",
        help="for a bundle of another architecture (arm64 on x86_64): the image whose glibc "
        "the sandbox gets (default: native-lambda/bullseye-base-arm64, env "
        "NATIVE_LAMBDA_BULLSEYE_ARM64_IMAGE)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from native_lambda_toolchain.dist import read_record

    from ._options import parse_env_pairs

    # what the user typed and the build record are checked first, in a fraction of a second
    payload = None if args.serve else read_payload(args.payload, args.payload_file)
    env = parse_env_pairs(args.env)
    record = read_record(args.dist)
    architecture = check_architecture(args.dist, record)
    handler = choose_handler(args.handler, args.dist, record)
    target = args.target or (record.target if record else "al2023")

    from native_lambda_toolchain.binfmt import host_architecture
    from native_lambda_toolchain.build.policy import load_policy
    from native_lambda_toolchain.sandbox import Sandbox

    policy = load_policy(target)
    glibc_dir = None
    if architecture != host_architecture():
        from native_lambda_toolchain.container import export_glibc

        glibc_dir = export_glibc(architecture, policy.system_libraries, args.glibc_image)
        sys.stderr.write(
            f"native-lambda run: {architecture} bundle on {host_architecture()}: running under "
            f"qemu emulation with the glibc of {args.glibc_image or 'the arm64 base image'} "
            "(correctness only: times are not Lambda's)\n"
        )
    box = Sandbox.from_dist(
        args.dist,
        policy=policy,
        handler=handler,
        env=env,
        architecture=architecture,
        glibc_dir=glibc_dir,
    )
    if args.no_layer:
        box.layer_zip = None
    _exit_on_sigterm()
    with box:
        return _invoke(args, box, payload)


def read_payload(text: Optional[str], file: Optional[Path]) -> bytes:
    """The event to send: ``--payload``, ``--payload-file`` or ``{}``; it must be JSON, as
    Lambda's Invoke API requires (InvalidRequestContentException otherwise)."""
    import json

    from native_lambda_toolchain.errors import ToolchainError

    if file is not None:
        where = f"--payload-file {file}"
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ToolchainError(
                f"{where}: cannot read it ({exc.strerror or exc})",
                hint="give the path of a file holding the event as JSON",
            ) from None
    elif text is not None:
        where, data = "--payload", text.encode()
    else:
        return b"{}"
    if not data.strip():
        raise ToolchainError(
            f"{where} is empty: Lambda's Invoke API wants a JSON event",
            hint="send an empty object with --payload '{}'",
        )
    try:
        json.loads(data)
    except ValueError as exc:
        raise ToolchainError(
            f"{where} is not JSON ({exc})",
            hint="""quote the event for the shell, e.g. --payload '{"name": "World"}'""",
        ) from None
    return data


def check_architecture(dist: Path, record: Optional[BuildRecord]) -> str:
    """The bundle's architecture (Lambda's name), from its record and its bootstrap's ELF
    header; a bundle this machine cannot start, natively or under qemu binfmt emulation, is
    refused here rather than with "Exec format error"."""
    import zipfile

    from native_lambda_toolchain.binfmt import (
        elf_architecture,
        emulation_entry,
        host_architecture,
    )
    from native_lambda_toolchain.dist import BOOTSTRAP, FUNCTION_ZIP, RECORD
    from native_lambda_toolchain.errors import ToolchainError

    try:
        with zipfile.ZipFile(dist / FUNCTION_ZIP) as zf, zf.open(BOOTSTRAP) as fh:
            built_for = elf_architecture(fh.read(20))
    except (OSError, KeyError, zipfile.BadZipFile):
        built_for = None  # the sandbox reports a missing or broken zip in its own words
    recorded = record.architecture if record is not None else None
    if built_for and recorded and built_for != recorded:
        raise ToolchainError(
            f"{dist / RECORD} says {recorded}, but the bootstrap in {dist / FUNCTION_ZIP} is "
            f"built for {built_for}",
            hint="the folder mixes two builds: rebuild with `native-lambda build`",
        )
    architecture = recorded or built_for or host_architecture()
    here = host_architecture()
    if architecture != here and emulation_entry(architecture) is None:
        raise ToolchainError(
            f"{dist / BOOTSTRAP} was built for {architecture}; this machine is {here} and "
            f"has no qemu binfmt emulation for {architecture}",
            hint="set it up with `sudo scripts/setup-binfmt.sh` (apt-get install "
            "qemu-user-static binfmt-support), run it on an "
            f"{architecture} machine, or rebuild for this one (native-lambda build "
            f"--platform linux/{'amd64' if here == 'x86_64' else here})",
        )
    return architecture


def choose_handler(
    requested: Optional[str], dist: Path, record: Optional[BuildRecord]
) -> Optional[str]:
    """The ``_HANDLER`` value: ``--handler`` when it names a compiled-in handler, else the
    build's. A handler the build did not compile in would be silently replaced by the
    default in the bootstrap, so it is an error here."""
    from native_lambda.handler_ref import HandlerRef, HandlerRefError
    from native_lambda_toolchain.dist import BOOTSTRAP
    from native_lambda_toolchain.errors import ToolchainError

    if requested is None:
        return record.handler if record else None
    try:
        wanted = str(HandlerRef.parse(requested))
    except HandlerRefError as exc:
        raise ToolchainError(f"--handler: {exc}") from None
    if record is not None:
        compiled = record.handlers or (record.handler,)
        if wanted not in compiled:
            raise ToolchainError(
                f"--handler {requested}: not compiled into {dist / BOOTSTRAP} "
                f"(it holds {', '.join(compiled)})",
                hint=f"rebuild with `native-lambda build --handler {wanted}`",
            )
    return wanted


def _invoke(args: argparse.Namespace, box: Any, payload: Optional[bytes]) -> int:
    from native_lambda_toolchain._terminal import for_stream
    from native_lambda_toolchain.emulator import Emulator, listen_error

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
    try:
        emulator.start()
    except OSError as exc:
        raise listen_error(emulator.host, port, exc) from None
    with emulator as emu:
        if payload is None:
            return _serve(emu)
        result = emu.invoke(payload, timeout=(args.timeout or 300) + 30)
        log = emu.lambda_log()  # the function's output with START/END/REPORT lines
        log = log if log.endswith("\n") or not log else log + "\n"
        sys.stdout.write(for_stream(log, sys.stdout))
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
