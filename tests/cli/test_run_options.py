"""``native-lambda run``: what the user typed and the build record are checked before any
sandbox or emulator starts, each with one clear error (real CLI subprocesses, no compile)."""

from __future__ import annotations

import platform
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from native_lambda_toolchain.dist import ARCHITECTURES, BuildRecord, write_record

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def one_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The single ``native-lambda: error:`` report of a failed command, without traceback."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output, output
    assert output.count("native-lambda: error:") == 1, output
    return output


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A dist/ folder with a record for this machine and two compiled-in handlers."""
    folder = tmp_path / "dist"
    folder.mkdir()
    with zipfile.ZipFile(folder / "function.zip", "w") as zf:
        zf.writestr("bootstrap", "#!/bin/sh\n")
    here = ARCHITECTURES.get(platform.machine(), platform.machine())
    record = BuildRecord(
        handler="examples.greeting.handler",
        handlers=("examples.greeting.handler", "examples.http_api.handler"),
        target="host",
        architecture=here,
        python_version="3.13",
    )
    write_record(folder, record)
    return folder


def test_missing_payload_file_is_one_error(dist: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-event.json"
    output = one_error(cli("run", "--dist", str(dist), "--payload-file", str(missing)))
    assert f"--payload-file {missing}: cannot read it" in output, output


def test_empty_payload_is_an_error_not_an_empty_object(dist: Path) -> None:
    output = one_error(cli("run", "--dist", str(dist), "--payload", ""))
    assert "--payload is empty" in output and "--payload '{}'" in output, output


def test_payload_that_is_not_json(dist: Path, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text("{name: World}")
    output = one_error(cli("run", "--dist", str(dist), "--payload-file", str(event)))
    assert f"--payload-file {event} is not JSON" in output, output


def test_handler_not_compiled_in_is_refused(dist: Path) -> None:
    """The bootstrap would fall back to its default handler without a word: say so here."""
    output = one_error(cli("run", "--dist", str(dist), "--handler", "examples.other.handler"))
    assert "--handler examples.other.handler: not compiled into" in output, output
    assert "examples.greeting.handler, examples.http_api.handler" in output, output
    assert "native-lambda build --handler examples.other.handler" in output, output


def test_malformed_handler_is_refused(dist: Path) -> None:
    output = one_error(cli("run", "--dist", str(dist), "--handler", "nodot"))
    assert "--handler: Bad handler 'nodot'" in output, output


def test_bad_env_pair(dist: Path) -> None:
    output = one_error(cli("run", "--dist", str(dist), "--env", "1BAD"))
    assert "--env wants KEY=VALUE, got '1BAD'" in output, output


def test_a_build_for_another_architecture_is_refused(
    dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without qemu binfmt emulation for the other architecture (an empty binfmt folder)."""
    monkeypatch.setenv("NATIVE_LAMBDA_BINFMT_DIR", str(tmp_path))
    record = (dist / "build.json").read_text()
    here = ARCHITECTURES.get(platform.machine(), platform.machine())
    other = "arm64" if here == "x86_64" else "x86_64"
    (dist / "build.json").write_text(record.replace(f'"{here}"', f'"{other}"'))
    output = one_error(cli("run", "--dist", str(dist), "--payload", "{}"))
    assert f"was built for {other}; this machine is {here}" in output, output


def test_no_dist_says_to_build(tmp_path: Path) -> None:
    output = one_error(cli("run", "--dist", str(tmp_path / "dist"), "--payload", "{}"))
    assert "function.zip not found" in output and "native-lambda build" in output, output


@pytest.mark.root
def test_serve_on_a_port_in_use_suggests_another(dist: Path) -> None:
    import socket

    with zipfile.ZipFile(dist / "function.zip", "w") as zf:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        zf.writestr(info, "#!/bin/sh\nsleep 30\n")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        output = one_error(cli("run", "--dist", str(dist), "--serve", "--port", str(port)))
    assert f"cannot listen on 127.0.0.1:{port}: the address is already in use" in output, output
    assert "--port" in output, output
