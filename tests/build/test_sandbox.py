"""Built bootstraps in the Lambda-like sandbox (only glibc in the root) behind the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from artifacts import GLIBC_FAMILY
from fixtures_build import Built
from local_tls import CA_INSIDE
from native_lambda_toolchain.sandbox import Sandbox

# the first test here also compiles the httpx bundle: minutes on a cold ccache
pytestmark = [pytest.mark.compile, pytest.mark.root, pytest.mark.timeout(2400)]

ROOT = Path(__file__).resolve().parents[2]
TLS_HANDLER = "tests.build.handlers.tls_get.handler"


def test_root_holds_only_glibc_task_and_layer(built_example: Built) -> None:
    with Sandbox(built_example.function_zip, built_example.layer_zip) as box:
        libs = {p.name for p in (box.root / "usr" / "lib64").iterdir()}
        assert "libc.so.6" in libs and "ld-linux-x86-64.so.2" in libs
        assert libs <= GLIBC_FAMILY
        everything = {str(p.relative_to(box.root)) for p in box.root.rglob("*")}
        assert not [p for p in everything if "libpython" in p and not p.startswith("opt/")]
        assert not [p for p in everything if "libssl" in p and not p.startswith("opt/lib/")]
        assert not [p for p in everything if "libz.so" in p and not p.startswith("opt/lib/")]
        assert os.access(box.root / "var" / "task" / "bootstrap", os.X_OK)
        assert (box.root / "etc" / "ssl" / "certs" / "ca-bundle.crt").is_file()
        cmd = box.command()
        assert cmd[-1] == "/var/task/bootstrap"
        assert [c for c in cmd[:8] if c.endswith("bwrap")], cmd[:8]
        assert "--unshare-net" not in cmd  # the emulator is on this machine's loopback
    assert not box.root.exists()


def test_typed_invocation(built_example: Built, run_sandboxed: Any) -> None:
    with run_sandboxed(built_example.function_zip, built_example.layer_zip) as (_, emu):
        result = emu.invoke(json.dumps({"name": "World", "times": 2}))
        assert result.status == 200, (result.body, emu.lambda_log())
        assert result.function_error is None
        reply = result.json()
        assert reply["message"] == "Hello, World! Hello, World!"
        assert reply["request_id"] == result.request_id
        # a second invocation on the same (warm) process
        assert emu.invoke(json.dumps({"name": "again"})).json()["message"] == "Hello, again!"
        assert emu.process_exits == []
        assert "REPORT RequestId" in emu.lambda_log()


def test_handler_error(built_example: Built, run_sandboxed: Any) -> None:
    with run_sandboxed(built_example.function_zip, built_example.layer_zip) as (_, emu):
        result = emu.invoke(json.dumps({"name": ""}))
        assert result.function_error == "Unhandled"
        body = result.json()
        assert body["errorType"] == "EmptyNameError"
        assert "name must not be empty" in body["errorMessage"]
        # the process survives a handler error
        assert emu.invoke(json.dumps({"name": "x"})).status == 200


def test_init_error_for_a_bad_handler(built_tls: Built, run_sandboxed: Any) -> None:
    env = {"_HANDLER": "tests.build.handlers.init_error.handler"}
    with run_sandboxed(built_tls.function_zip, built_tls.layer_zip, env=env) as (_, emu):
        result = emu.invoke("{}")
        assert result.function_error == "Unhandled"
        body = result.json()
        assert body["errorType"].startswith("Runtime."), body
        assert "no_such_function" in body["errorMessage"]
        assert emu.process_exits, "the runtime should exit after an init error"


def test_tls_call_with_httpx(
    built_tls: Built, tls_server: str, test_ca: Any, run_sandboxed: Any
) -> None:
    env = {"_HANDLER": TLS_HANDLER, "SSL_CERT_FILE": CA_INSIDE}
    files = {CA_INSIDE: test_ca.ca_pem}
    with run_sandboxed(built_tls.function_zip, built_tls.layer_zip, env=env, files=files) as (
        _,
        emu,
    ):
        result = emu.invoke(json.dumps({"url": f"{tls_server}/hello"}))
        assert result.status == 200 and result.function_error is None, (
            result.body,
            emu.lambda_log(),
        )
        reply = result.json()
        assert reply["status"] == 200
        assert json.loads(reply["body"]) == {"path": "/hello", "tls": True}
        assert reply["certifi_where"].startswith("/var/task/"), reply["certifi_where"]
        assert reply["certifi_cas"] > 100  # certifi's bundle loaded inside the binary


def test_sigterm_reaches_the_runtime_through_the_sandbox(
    built_tls: Built, run_sandboxed: Any
) -> None:
    """bwrap forwards no signals: the shutdown hook must still run when the emulator stops."""
    env = {"_HANDLER": "tests.build.handlers.graceful.handler"}
    with run_sandboxed(built_tls.function_zip, built_tls.layer_zip, env=env) as (_, emu):
        assert emu.invoke("{}").json() == {"ok": True}
    assert "graceful: shutdown hook ran" in emu.logs(), emu.lambda_log()


def test_tls_bundle_carries_libssl_in_the_layer(built_tls: Built) -> None:
    with zipfile.ZipFile(built_tls.layer_zip) as zf:
        libs = {n[4:] for n in zf.namelist()}
    assert any(n.startswith("libssl.so") for n in libs), libs
    assert any(n.startswith("libcrypto.so") for n in libs), libs


def test_bundle_missing_a_library_fails_in_the_sandbox(
    built_tls: Built, tmp_path: Path, tls_server: str, test_ca: Any, run_sandboxed: Any
) -> None:
    """libssl dropped from the layer: the host has it, the sandbox (like Lambda) does not."""
    broken = tmp_path / "layer.zip"
    with zipfile.ZipFile(built_tls.layer_zip) as src, zipfile.ZipFile(broken, "w") as dst:
        dropped = [n for n in src.namelist() if n.startswith("lib/libssl.so")]
        assert dropped
        for info in src.infolist():
            if info.filename not in dropped:
                dst.writestr(info, src.read(info))
    env = {"_HANDLER": TLS_HANDLER, "SSL_CERT_FILE": CA_INSIDE}
    files = {CA_INSIDE: test_ca.ca_pem}
    with run_sandboxed(built_tls.function_zip, broken, env=env, files=files) as (_, emu):
        result = emu.invoke(json.dumps({"url": f"{tls_server}/hello"}))
        assert result.function_error == "Unhandled"
        text = result.body.decode() + emu.lambda_log()
        assert "libssl.so" in text, text
        assert emu.process_exits


def _run(dist: Path, payload: str) -> subprocess.CompletedProcess[str]:
    """``native-lambda run --dist DIST --payload PAYLOAD`` as a real subprocess."""
    command = [sys.executable, "-m", "native_lambda_toolchain", "run", "--dist", str(dist)]
    return subprocess.run(
        [*command, "--payload", payload],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_run_command_invokes_once(built_example: Built) -> None:
    """What `nox -s build` runs after building: native-lambda run --payload ..."""
    proc = _run(built_example.dist_dir, '{"name":"World"}')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    last = proc.stdout.strip().splitlines()[-1]  # the result, after the log
    assert json.loads(last)["message"] == "Hello, World!"
    assert "status: 200" in proc.stdout and "REPORT RequestId" in proc.stdout
    bad = _run(built_example.dist_dir, '{"name":""}')
    assert bad.returncode == 1 and "EmptyNameError" in bad.stdout
