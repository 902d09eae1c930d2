"""``native-lambda emulate`` in a real subprocess, answered over HTTP like curl would."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import time

from tests.emulator.helpers import SCRIPTED


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_emulate_command_serves_until_interrupted():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "native_lambda_toolchain", "emulate",
            "--port", str(port), "--timeout", "5", "--memory", "256",
            "--function-name", "cli-fn", "--env", "SCRIPTED_MARK=from-cli", "--", *SCRIPTED,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        banner = proc.stderr.readline() + proc.stderr.readline()
        assert f"curl -XPOST http://127.0.0.1:{port}/2015-03-31/functions/cli-fn/invocations" in (
            banner
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/2015-03-31/functions/function/invocations", b'{"action":"echo"}')
        response = conn.getresponse()
        answer = json.loads(response.read())
        assert response.status == 200
        arn = answer["headers"]["Lambda-Runtime-Invoked-Function-Arn"]
        assert arn.endswith(":function:cli-fn")
        conn.close()
    finally:
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "init pid=" in out  # the runtime's output is echoed
    assert "START RequestId:" in out and "END RequestId:" in out
    assert "Memory Size: 256 MB" in out
    assert "stopping" in err


def test_emulate_rejects_a_bad_env_pair():
    proc = subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", "emulate", "--env", "NOEQUALS", "--",
         "true"],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "KEY=VALUE" in proc.stderr


def emulate(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", "emulate", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_bad_env_pair_is_a_one_line_error():
    proc = emulate("--env", "NOEQUALS", "--", "true")
    assert proc.returncode == 1
    assert "native-lambda: error: --env wants KEY=VALUE, got 'NOEQUALS'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_non_loopback_host_needs_allow_remote():
    port = free_port()
    proc = emulate("--host", "0.0.0.0", "--port", str(port), "--", *SCRIPTED)
    assert proc.returncode == 1
    assert "native-lambda: error: --host 0.0.0.0 would expose" in proc.stderr
    assert "--allow-remote" in proc.stderr
    assert "init pid=" not in proc.stdout  # nothing was started


def test_allow_remote_binds_any_address():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "native_lambda_toolchain", "emulate", "--host", "0.0.0.0",
         "--allow-remote", "--port", str(port), "--quiet", "--", *SCRIPTED],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        proc.stderr.readline()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/2015-03-31/functions/function/invocations", b'{"action":"echo"}')
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_port_in_use_suggests_another_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = emulate("--port", str(port), "--", *SCRIPTED)
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: the address is already in use" in proc.stderr
    assert "hint: choose another port with --port" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_carriage_returns_become_indented_lines_on_a_terminal():
    """Text-mode error lines use \\r between traceback lines; a terminal would overwrite."""
    import os
    import pty

    port = free_port()
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "native_lambda_toolchain", "emulate", "--port", str(port),
         "--", *SCRIPTED],
        stdout=slave, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(slave)
    try:
        proc.stderr.readline()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        text = "[ERROR] Boom: bad\rTraceback (most recent call last):\r  File x"
        body = json.dumps({"action": "print", "text": text}).encode()
        conn.request("POST", "/2015-03-31/functions/function/invocations", body)
        assert conn.getresponse().status == 200
        conn.close()
        seen = b""
        deadline = time.monotonic() + 20
        while b"File x" not in seen and time.monotonic() < deadline:
            seen += os.read(master, 65536)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        os.close(master)
    # The pty turns our "\n" into "\r\n"; a bare "\r" would have reached it unchanged.
    assert b"[ERROR] Boom: bad\r\n  Traceback (most recent call last):\r\n    File x" in seen


def test_carriage_returns_pass_unchanged_to_a_pipe():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "native_lambda_toolchain", "emulate", "--port", str(port),
         "--", *SCRIPTED],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        proc.stderr.readline()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps({"action": "print", "text": "one\rtwo"}).encode()
        conn.request("POST", "/2015-03-31/functions/function/invocations", body)
        assert conn.getresponse().status == 200
        conn.close()
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert b"one\rtwo\n" in out  # CloudWatch's form, for whoever reads the pipe
