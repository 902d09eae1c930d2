"""Helpers for tests that run compiled artifacts (function.zip + layer.zip)."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from native_lambda_toolchain.build.policy import load_policy
from native_lambda_toolchain.emulator import Emulator
from native_lambda_toolchain.sandbox import Sandbox

#: glibc's own libraries (x86_64): all a Lambda-like root may hold; the layer never ships them
GLIBC_FAMILY = frozenset(
    {
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
        "libutil.so.1",
        "ld-linux-x86-64.so.2",
        "libmvec.so.1",
        "libresolv.so.2",
        "libanl.so.1",
    }
)


def unpack(zip_path: Path, into: Path) -> None:
    """Extract ``zip_path`` under ``into``, keeping the file modes (the bootstrap's x bit)."""
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            archive.extract(info, into)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(into / info.filename, mode)


@contextmanager
def sandboxed(
    function_zip: Path,
    layer_zip: Path | None,
    *,
    target: str = "host",
    env: Mapping[str, str] | None = None,
    files: Mapping[str, bytes] | None = None,
    timeout_s: float = 30,
) -> Iterator[tuple[Sandbox, Emulator]]:
    """The artifacts in the sandbox (``target``'s policy) behind a real emulator.

    The emulator spawns the bootstrap on the first invoke, like a cold start.
    """
    box = Sandbox(
        function_zip,
        layer_zip,
        policy=load_policy(target),
        handler="examples.greeting.handler",
        env=env,
        files=files,
    )
    with (
        box,
        Emulator(
            command=box.command(),
            env=box.lambda_env(),
            inherit_env=False,
            timeout_s=timeout_s,
            eager=False,
        ) as emu,
    ):
        yield box, emu
