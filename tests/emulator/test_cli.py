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
