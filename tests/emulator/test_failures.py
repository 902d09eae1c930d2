"""Everything that can go wrong in an invocation, answered as Lambda answers it."""

from __future__ import annotations

import json
import re
import signal

from tests.emulator.helpers import SCRIPTED, report_lines

from native_lambda_toolchain.emulator import MAX_RESPONSE_BYTES


def test_timeout_kills_answers_and_restarts(emulator_factory):
    emu = emulator_factory(SCRIPTED, timeout_s=1)
    emu.wait_ready()
    first_pid = emu.pid
    result = emu.invoke(b'{"action": "sleep", "seconds": 30}')
    assert result.status == 200
    assert result.function_error == "Unhandled"
    assert result.json() == {
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds",
        "errorType": "Sandbox.Timedout",
    }
    assert emu.process_exits == [-signal.SIGKILL]
    log = emu.lambda_log()
    assert re.search(
        rf"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z {result.request_id} "
        r"Task timed out after 1\.00 seconds$",
        log,
        re.M,
    )
    timed_out = report_lines(log)[-1]
    assert timed_out["status"] == "timeout"
    assert 1000 <= float(timed_out["duration"]) < 5000
    # The next invocation gets a fresh runtime, with its own Init Duration.
    again = emu.invoke(b'{"action": "echo"}')
    assert again.status == 200 and again.function_error is None
    assert emu.pid != first_pid
    assert report_lines(emu.lambda_log())[-1]["init"] is not None
    assert emu.logs().count("init pid=") == 2


def test_timeout_from_the_environment_variable(emulator_factory):
    emu = emulator_factory(SCRIPTED, env={"AWS_LAMBDA_FUNCTION_TIMEOUT": "1"})
    assert emu.timeout_s == 1.0
    result = emu.invoke(b'{"action": "sleep", "seconds": 30}')
    assert result.json()["errorType"] == "Sandbox.Timedout"


def test_oversized_response_gets_413_and_the_invocation_is_over(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    size = MAX_RESPONSE_BYTES + 1
    result = emu.invoke(json.dumps({"action": "big", "size": size}))
    assert result.status == 200
    assert result.function_error == "Unhandled"
    assert result.json() == {
        "errorType": "Function.ResponseSizeTooLarge",
        "errorMessage": f"Response payload size ({size} bytes) exceeded maximum allowed "
        f"payload size ({MAX_RESPONSE_BYTES} bytes).",
    }
    # It keeps serving.
    assert emu.invoke(b'{"action": "echo"}').function_error is None
    # What the runtime heard: 413 with RAPID's body; then, as on Lambda, the invocation is
    # closed, so an /error for it afterwards is an invalid state transition (403).
    logs = emu.logs()
    assert (
        'big response status 413 {"errorMessage": "Exceeded maximum allowed payload size '
        '(6291556 bytes).", "errorType": "RequestEntityTooLarge"}'
    ) in logs
    assert "error after 413 status 403" in logs
    assert "InvalidStateTransition" in logs


def test_response_of_exactly_the_limit_is_accepted(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    result = emu.invoke(json.dumps({"action": "big", "size": MAX_RESPONSE_BYTES}))
    assert result.status == 200
    assert result.function_error is None
    assert len(result.body) == MAX_RESPONSE_BYTES
    assert "big response status 202" in emu.logs()


def test_init_error_is_the_answer_and_the_runtime_restarts(emulator_factory, tmp_path):
    marker = tmp_path / "failed-once"
    emu = emulator_factory(SCRIPTED, env={"SCRIPTED_INIT": f"error_once:{marker}"})
    assert emu.wait_ready() is False
    result = emu.invoke(b'{"action": "echo"}', log_tail=True)
    assert result.status == 200
    assert result.function_error == "Unhandled"
    assert result.json() == {
        "errorMessage": "init went wrong",
        "errorType": "Runtime.TestInitError",
        "stackTrace": [],
    }
    assert "init error posted 202" in result.log_result
    assert emu.process_exits == [1]  # the runtime exited by itself after /init/error
    log = emu.lambda_log()
    assert re.search(
        r"^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\t"
        r"Error Type: Runtime\.TestInitError$",
        log,
        re.M,
    )
    assert report_lines(log)[-1]["etype"] == "Runtime.TestInitError"
    # A new runtime process for the next invocation; this one initialises fine.
    again = emu.invoke(b'{"action": "echo"}')
    assert again.function_error is None
    assert emu.logs().count("init pid=") == 2


def test_exit_during_init(emulator_factory):
    emu = emulator_factory(SCRIPTED, env={"SCRIPTED_INIT": "exit"})
    result = emu.invoke(b"{}")
    assert result.function_error == "Unhandled"
    assert result.json() == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: "
        "exit status 2",
    }
    assert emu.process_exits[0] == 2


def test_crash_mid_invocation_is_an_exit_error_then_restart(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    result = emu.invoke(b'{"action": "exit", "code": 3}')
    assert result.status == 200
    assert result.function_error == "Unhandled"
    assert result.json() == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: "
        "exit status 3",
    }
    assert emu.process_exits == [3]
    log = emu.lambda_log()
    assert (
        f"RequestId: {result.request_id} Error: Runtime exited with error: exit status 3\n" in log
    )
    assert report_lines(log)[-1]["etype"] == "Runtime.ExitError"
    assert emu.pid is None
    assert emu.wait_ready() is True  # spawns the replacement ahead of the next invoke
    assert emu.pid is not None
    assert emu.invoke(b'{"action": "echo"}').function_error is None
    assert emu.logs().count("init pid=") == 2


def test_unknown_request_id_and_double_response(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    answer = emu.invoke(b'{"action": "bogus_id"}').json()
    assert answer["status"] == 400 and answer["error_status"] == 400
    expected = {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
    assert answer["reply"] == answer["error_reply"] == expected

    result = emu.invoke(b'{"action": "twice"}')
    assert result.json() == {"first": True}
    emu.invoke(b'{"action": "echo"}')  # the runtime printed before polling again
    assert (
        "second response status 403 "
        '{"errorMessage": "State transition from RuntimeResponseSentState to '
        'InvocationResponse failed for runtime. Error: State transition is not allowed", '
        '"errorType": "InvalidStateTransition"}'
    ) in emu.logs()


def test_missing_entrypoint(emulator_factory, tmp_path):
    emu = emulator_factory([str(tmp_path / "bootstrap")])
    result = emu.invoke(b"{}")
    assert result.function_error == "Unhandled"
    body = result.json()
    assert body["errorType"] == "Runtime.InvalidEntrypoint"
    assert body["errorMessage"].startswith(f"RequestId: {result.request_id} Error: fork/exec")
    assert "no such file or directory" in body["errorMessage"]
