"""The runtime under the project's emulator, invoked over its RIE-compatible endpoint:
what a caller of the Invoke API sees, plus timeouts and restarts only the emulator does."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

emulator = pytest.importorskip("native_lambda_toolchain.emulator")
Emulator = emulator.Emulator

from independent_api import PYTHON  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = str(Path(__file__).parent / "handlers")
SRC = str(ROOT / "src")  # so that NATIVE_LAMBDA_TEST_PYTHON interpreters find the runtime


def runtime(handler: str) -> list[str]:
    return [PYTHON, "-m", "native_lambda", handler]


def test_greeting_through_the_invoke_endpoint() -> None:
    with Emulator(
        runtime("examples.greeting.handler"), cwd=str(ROOT), env={"PYTHONPATH": SRC}
    ) as emu:
        ok = emu.invoke(json.dumps({"name": "Ana", "times": 2}))
        assert ok.status == 200
        assert ok.json()["message"] == "Hello, Ana! Hello, Ana!"
        assert "x-amz-function-error" not in ok.headers
        failed = emu.invoke(json.dumps({"name": ""}))
        assert failed.status == 200
        assert failed.headers["x-amz-function-error"] == "Unhandled"
        body = failed.json()
        assert (body["errorType"], body["errorMessage"]) == (
            "EmptyNameError",
            "name must not be empty",
        )
        wrong = emu.invoke(json.dumps({"name": "Ana", "times": "2"})).json()
        assert wrong["errorType"] == "Runtime.UnmarshalError"
        assert wrong["errorMessage"].endswith("Expected `int`, got `str` - at `$.times`")
        assert emu.invoke(json.dumps({"name": "Bo"})).json()["message"] == "Hello, Bo!"
        assert emu.process_exits == []


def test_client_context_trace_and_identity_forwarded() -> None:
    env = {"LAMBDA_TASK_ROOT": HANDLERS, "PYTHONPATH": SRC}
    with Emulator(runtime("fns.context_fields"), env=env, function_name="ctx") as emu:
        trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
        out = emu.invoke(
            "{}",
            client_context={"custom": {"k": "v"}, "env": {"e": 1}, "client": {"app_title": "T"}},
            trace_id=trace,
            cognito_identity={"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"},
        ).json()
        assert out["function_name"] == "ctx"
        assert out["memory_limit_in_mb"] == "128"
        assert out["env_trace"] == trace
        assert out["client_context"]["custom"] == {"k": "v"}
        assert out["client_context"]["env"] == {"e": 1}
        assert out["client_context"]["client"]["app_title"] == "T"
        assert out["identity"] == ["id-1", "pool-1"]
        assert out["aws_request_id"] == out["aws_request_id"].lower()
        second = emu.invoke("{}").json()
        assert second["env_trace"] != trace


def test_timeout_kills_and_the_next_invocation_is_served() -> None:
    env = {"LAMBDA_TASK_ROOT": HANDLERS, "PYTHONPATH": SRC}
    # The restarted runtime's init counts against the next invocation's timeout, as in Lambda:
    # 3 s leaves room for a slow start (the 3.9 run starts python in a container).
    with Emulator(runtime("fns.sleepy"), env=env, timeout_s=3) as emu:
        slow = emu.invoke(json.dumps({"seconds": 30}))
        assert slow.headers["x-amz-function-error"] == "Unhandled"
        assert slow.json()["errorType"] == "Sandbox.Timedout"
        fast = emu.invoke(json.dumps({"seconds": 0}))
        assert fast.json() == "woke"
        assert len(emu.process_exits) == 1


def test_oversize_response_under_the_emulator() -> None:
    env = {"LAMBDA_TASK_ROOT": HANDLERS, "PYTHONPATH": SRC}
    with Emulator(runtime("fns.huge"), env=env) as emu:
        big = emu.invoke(json.dumps({"size": 7_000_000}))
        assert big.headers["x-amz-function-error"] == "Unhandled"
        assert big.json()["errorType"] == "Function.ResponseSizeTooLarge"
        assert emu.invoke(json.dumps({"size": 2})).json() == "xx"
        # The runtime's own log has the error record and no complaint about the 403.
        assert "[ERROR] Function.ResponseSizeTooLarge" in emu.logs()
        assert "answered 403" not in emu.logs()


def test_init_error_reported_to_the_caller() -> None:
    with Emulator(
        runtime("examples.greeting.nothere"), cwd=str(ROOT), env={"PYTHONPATH": SRC}
    ) as emu:
        out = emu.invoke("{}")
        assert out.headers["x-amz-function-error"] == "Unhandled"
        assert out.json()["errorType"] == "Runtime.HandlerNotFound"
        assert 1 in emu.process_exits


def test_log_tail_has_the_text_records() -> None:
    env = {"LAMBDA_TASK_ROOT": HANDLERS, "AWS_LAMBDA_LOG_LEVEL": "INFO", "PYTHONPATH": SRC}
    with Emulator(runtime("fns.logs"), env=env) as emu:
        out = emu.invoke("{}", log_tail=True)
        tail = base64.b64decode(out.headers["x-amz-log-result"]).decode()
        assert "printed line" in tail
        assert "\tinfo one\rsecond line" in tail


def test_sigterm_hook_when_the_emulator_stops() -> None:
    env = {"LAMBDA_TASK_ROOT": HANDLERS, "PYTHONPATH": SRC}
    emu = Emulator(runtime("graceful.handler"), env=env)
    with emu:
        assert emu.invoke("{}").json() == "ready"
    assert "shutdown hook ran" in emu.logs()
    assert emu.process_exits == [0]
