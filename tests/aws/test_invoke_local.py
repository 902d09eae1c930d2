"""Invoke through the Lambda Invoke API against the emulator's endpoint: the same signed
client as for AWS, pointed at the emulator with --endpoint-url (it ignores signatures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from native_lambda import aws
from native_lambda_toolchain.deploy import LambdaClient

emulator = pytest.importorskip("native_lambda_toolchain.emulator")

REPO = Path(__file__).resolve().parents[2]
HANDLER = [sys.executable, "-m", "native_lambda", "examples.greeting.handler"]


@pytest.fixture
def local_function():
    with emulator.Emulator(HANDLER, cwd=str(REPO), function_name="greeting") as emu:
        yield emu


def test_client_invokes_the_emulator(local_function):
    creds = aws.Credentials("AKIALOCAL00000000001", "local-secret")
    with LambdaClient(endpoint=local_function.url, region="us-east-1", credentials=creds) as c:
        out = c.invoke("any-name-at-all", b'{"name": "world", "times": 2}')
        assert out.status == 200 and out.function_error is None
        assert b'"message":"Hello, world! Hello, world!"' in out.payload
        assert out.log_tail is not None and out.log_tail.startswith("START RequestId: ")
        assert "REPORT RequestId: " in out.log_tail

        out = c.invoke("greeting", b'{"name": ""}')
        assert out.function_error == "Unhandled"
        assert b'"errorType":"EmptyNameError"' in out.payload
        assert "EmptyNameError: name must not be empty" in (out.log_tail or "")

        out = c.invoke("greeting", b'{"name": "x"}', log_tail=False)
        assert out.log_tail is None and out.function_error is None
    # The runtime saw exactly our three events.
    nexts = [r for r in local_function.records if r.path.endswith("/invocation/next")]
    assert len(nexts) >= 3


def _cli(args: list[str], env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/nonexistent"}
    env.update(env_extra or {})
    return subprocess.run(
        args, env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


def test_cli_invoke_local_prints_result_log_tail_and_function_error(local_function):
    base = [sys.executable, "-m", "native_lambda_toolchain", "invoke"]
    ok = _cli(
        [*base, "greeting", '{"name": "CLI"}', "--local", "--endpoint-url", local_function.url]
    )
    assert ok.returncode == 0, ok.stderr
    assert '"message":"Hello, CLI!"' in ok.stdout
    assert "START RequestId:" in ok.stderr and "REPORT RequestId:" in ok.stderr

    failed = _cli(
        [*base, "greeting", '{"name": ""}', "--local", "--endpoint-url", local_function.url]
    )
    assert failed.returncode == 1
    assert '"errorType":"EmptyNameError"' in failed.stdout
    assert "function error (Unhandled)" in failed.stderr

    bad_json = _cli(
        [*base, "greeting", "{not json", "--local", "--endpoint-url", local_function.url]
    )
    assert bad_json.returncode == 2 and "not valid JSON" in bad_json.stderr


def test_invoke_script_against_local_endpoint(local_function):
    done = _cli(
        [
            str(REPO / "scripts/invoke.sh"),
            "greeting",
            '{"name": "script"}',
            "--local",
            "--endpoint-url",
            local_function.url,
        ]
    )
    assert done.returncode == 0, done.stderr
    assert '"message":"Hello, script!"' in done.stdout


def test_aws_endpoint_url_env_points_invoke_at_the_emulator(local_function):
    done = _cli(
        [sys.executable, "-m", "native_lambda_toolchain", "invoke", "greeting", '{"name": "env"}'],
        {
            "AWS_ENDPOINT_URL_LAMBDA": local_function.url,
            "AWS_ACCESS_KEY_ID": "AKIAX",
            "AWS_SECRET_ACCESS_KEY": "y",
            "AWS_REGION": "eu-central-1",
        },
    )
    assert done.returncode == 0, done.stderr
    assert '"message":"Hello, env!"' in done.stdout


def test_local_invoke_without_anything_running_is_a_clear_error():
    done = _cli(
        [
            sys.executable,
            "-m",
            "native_lambda_toolchain",
            "invoke",
            "greeting",
            "{}",
            "--local",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ]
    )
    assert done.returncode == 2
    assert "cannot reach the Lambda endpoint http://127.0.0.1:9" in done.stderr
