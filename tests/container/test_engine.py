"""No engine reachable: one clear message, a non-zero exit, no traceback, no fallback build."""

from __future__ import annotations

import argparse
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest

from native_lambda_toolchain.container import EngineUnavailable, build_in_container, connect

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_HANDLER = "examples.greeting.handler"


@pytest.fixture
def dead_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """DOCKER_HOST pointing at a socket nothing listens on."""
    address = f"unix://{tmp_path / 'no-engine.sock'}"
    monkeypatch.setenv("DOCKER_HOST", address)
    return address


def test_connect_names_the_address_and_the_ways_out(dead_engine: str) -> None:
    with pytest.raises(EngineUnavailable) as info:
        connect()
    text = str(info.value)
    assert dead_engine in text
    assert "systemctl start docker" in text and "dockerd" in text
    assert "--no-docker" in text


def test_build_in_container_raises_instead_of_printing(dead_engine: str) -> None:
    """One error path: the container build raises, ``cli.main`` alone prints."""
    args = argparse.Namespace(
        handler=EXAMPLE_HANDLER, target="al2023", out=None, project=ROOT, work_dir=None
    )
    err = io.StringIO()
    with pytest.raises(EngineUnavailable) as info:
        build_in_container(args, out=err)
    assert info.value.exit_code == 1  # as a failed build on this machine
    assert "no container engine reachable" in info.value.message
    assert "--no-docker" in (info.value.hint or "")
    assert err.getvalue() == ""


def test_cli_build_without_engine_says_what_to_do(
    dead_engine: str, tmp_path: Path, run_cli: Any
) -> None:
    """``native-lambda build --target al2023`` with no engine stops at once with the message."""
    try:
        proc = run_cli(
            "build",
            "--target",
            "al2023",
            "--handler",
            EXAMPLE_HANDLER,
            "--out",
            str(tmp_path / "dist"),
            "--work-dir",
            str(tmp_path / "work"),
            cwd=ROOT,
            env={"DOCKER_HOST": dead_engine},
            timeout=90,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("build did not stop at the missing engine (it went on to build on the host)")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert output.count("error:") == 1, output
    assert "native-lambda: error: no container engine reachable" in output, output
    assert "systemctl start docker" in output and "--no-docker" in output, output
    assert "Traceback" not in output, output
    assert not (tmp_path / "dist" / "function.zip").exists()


def test_fallback_to_this_machine_names_every_way_to_start_an_engine(
    dead_engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from native_lambda_toolchain.commands.build import choose

    args = argparse.Namespace(target=None, no_docker=False)
    assert choose(args) == ("host", False)
    message = capsys.readouterr().err
    assert "systemctl start docker" in message, message
    assert "dockerd" in message and "scripts/start-dockerd.sh" in message, message
