"""``native-lambda invoke --local --stream`` prints the chunks of a live emulator."""

from __future__ import annotations

import subprocess
import sys
from typing import Any, Callable

import pytest


@pytest.mark.parametrize("handler", ["five", "fails"])
def test_invoke_local_stream_prints_chunks(
    emulator_factory: Callable[..., Any], handler: str
) -> None:
    from launch_runtime import ROOT

    env = {
        "LAMBDA_TASK_ROOT": str(ROOT),
        "_HANDLER": f"tests.streaming.handlers.stream_fns.{handler}",
    }
    emu = emulator_factory([sys.executable, "-m", "native_lambda"], env=env, cwd=str(ROOT))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "native_lambda_toolchain.cli",
            "invoke",
            "f",
            '{"sleep": 0.01}',
            "--local",
            "--stream",
            "--endpoint-url",
            emu.url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if handler == "five":
        assert run.returncode == 0, run.stderr
        assert run.stdout.count("chunk ") == 5
        assert "REPORT RequestId:" in run.stderr
    else:
        assert run.returncode == 1
        assert run.stdout.startswith("one,two,")
        assert "Function.ValueError" in run.stderr
