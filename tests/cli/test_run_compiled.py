"""``native-lambda run`` on the shared compiled example: ``--handler`` reaches the bootstrap,
and a handler error's text-format log line is readable on a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures_build import TUNING_PROBE, Built

pytestmark = [pytest.mark.compile, pytest.mark.root, pytest.mark.timeout(2400)]

ROOT = Path(__file__).resolve().parents[2]
RUN = [sys.executable, "-m", "native_lambda_toolchain", "run"]


def test_handler_option_selects_a_compiled_in_handler(built_example: Built) -> None:
    """Lambda's slash form, as a user would type it; without --handler the default serves."""
    slashed = TUNING_PROBE.replace(".", "/", TUNING_PROBE.count(".") - 1)
    args = ["--dist", str(built_example.dist_dir), "--payload", "{}"]
    probe = subprocess.run(
        [*RUN, *args, "--handler", slashed], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert "at_init" in json.loads(probe.stdout.strip().splitlines()[-1]), probe.stdout
    greeting = ["--dist", str(built_example.dist_dir), "--payload", '{"name": "World"}']
    default = subprocess.run(
        [*RUN, *greeting],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert default.returncode == 0, default.stdout + default.stderr
    assert json.loads(default.stdout.strip().splitlines()[-1])["message"] == "Hello, World!"


def test_error_lines_on_a_terminal_are_split(built_example: Built) -> None:
    """stdout is a pseudo-terminal: no raw ``\\r`` reaches it, the traceback is indented."""
    main, follower = pty.openpty()
    proc = subprocess.Popen(
        [*RUN, "--dist", str(built_example.dist_dir), "--payload", '{"name": ""}'],
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert proc.wait(timeout=300) == 1, proc.stderr.read() if proc.stderr else ""
    shown = b"".join(chunks).decode().replace("\r\n", "\n")  # the tty's own line ends
    assert "\r" not in shown, shown
    lines = shown.splitlines()
    error = next(i for i, line in enumerate(lines) if "EmptyNameError" in line)
    assert lines[error + 1].startswith("    Traceback"), shown
