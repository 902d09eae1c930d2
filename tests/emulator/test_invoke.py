"""The invoke endpoint and the Runtime API, driven over real HTTP by a scripted runtime."""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time

from tests.emulator.helpers import SCRIPTED, report_lines


def test_echo_round_trip_carries_lambda_headers(emulator_factory):
    emu = emulator_factory(SCRIPTED, timeout_s=30, function_name="greeter")
    before_ms = time.time() * 1000
    result = emu.invoke(b'{"action": "echo", "n": 1}')
    assert result.status == 200
    assert result.function_error is None
    assert result.headers["X-Amz-Executed-Version"] == "$LATEST"
    answer = result.json()
    assert answer["event"] == {"action": "echo", "n": 1}
    headers = answer["headers"]
    assert headers["Lambda-Runtime-Aws-Request-Id"] == result.request_id
    assert (
        headers["Lambda-Runtime-Invoked-Function-Arn"]
        == "arn:aws:lambda:us-east-1:012345678912:function:greeter"
    )
    deadline = int(headers["Lambda-Runtime-Deadline-Ms"])
    assert before_ms + 29_000 < deadline < time.time() * 1000 + 30_000
    # Nothing was forwarded that the caller did not send.
    assert "Lambda-Runtime-Trace-Id" not in headers
    assert "Lambda-Runtime-Client-Context" not in headers


def test_child_environment(emulator_factory, tmp_path):
    script = tmp_path / "env_runtime.py"
    script.write_text(
        "import json, os, sys\n"
        "keys = [k for k in os.environ if k.startswith(('AWS_', 'LAMBDA_', 'MY_'))]\n"
        "print(json.dumps({k: os.environ[k] for k in keys}), flush=True)\n"
    )
    emu = emulator_factory(
        [SCRIPTED[0], str(script)],
        function_name="fn",
        memory_mb=256,
        timeout_s=7,
        env={"MY_VAR": "1", "AWS_REGION": "eu-west-1"},
    )
    emu.invoke(b"{}")  # the script exits without polling: a Runtime.ExitError, env printed
    env = json.loads(emu.logs().splitlines()[0])
    assert env["AWS_LAMBDA_RUNTIME_API"] == emu.runtime_api
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "7"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn"
    assert "[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["MY_VAR"] == "1"


def test_any_function_name_and_raw_http(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=30)
    for name in ("function", "my-function", "arn:aws:lambda:us-east-1:1:function:x"):
        conn.request("POST", f"/2015-03-31/functions/{name}/invocations", b'{"action":"echo"}')
        response = conn.getresponse()
        assert response.status == 200, name
        assert json.loads(response.read())["event"] == {"action": "echo"}
    conn.request("GET", "/2015-03-31/functions/function")
    response = conn.getresponse()
    assert response.status == 404
    response.read()
    conn.close()


def test_client_context_trace_cognito_and_tenant_are_forwarded(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    context = {"client": {"app_title": "t"}, "custom": {"k": "v"}}
    result = emu.invoke(
        b'{"action": "echo"}',
        client_context=context,
        trace_id="Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
        cognito_identity={"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool"},
        tenant_id="tenant-7",
    )
    headers = result.json()["headers"]
    assert json.loads(headers["Lambda-Runtime-Client-Context"]) == context
    assert (
        headers["Lambda-Runtime-Trace-Id"] == "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    )
    assert json.loads(headers["Lambda-Runtime-Cognito-Identity"])["cognitoIdentityId"] == "id-1"
    assert headers["Lambda-Runtime-Aws-Tenant-Id"] == "tenant-7"
    # The next invocation without them gets none of them (nothing sticks).
    headers = emu.invoke(b'{"action": "echo"}').json()["headers"]
    assert not {"Lambda-Runtime-Client-Context", "Lambda-Runtime-Trace-Id"} & set(headers)


def test_bad_client_context_is_rejected_like_the_invoke_api(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=30)
    conn.request(
        "POST",
        "/2015-03-31/functions/function/invocations",
        b"{}",
        {"X-Amz-Client-Context": "%%% not base64 %%%"},
    )
    response = conn.getresponse()
    assert response.status == 400
    assert response.getheader("X-Amzn-ErrorType") == "InvalidRequestContentException"
    assert "Base64" in json.loads(response.read())["message"]
    conn.close()
    emu.invoke(b'{"action": "echo"}')  # the rejected request never reached the runtime
    assert len(emu.reports) == 1
    assert sum(r.path.endswith("/response") for r in emu.records) == 1


def test_function_error_is_answered_like_the_invoke_api(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    result = emu.invoke(b'{"action": "error"}')
    assert result.status == 200
    assert result.function_error == "Unhandled"
    assert result.json() == {
        "errorMessage": "it failed",
        "errorType": "TestError",
        "stackTrace": ["line 1"],
    }
    error_post = [r for r in emu.records if r.path.endswith("/error")][-1]
    assert error_post.headers["lambda-runtime-function-error-type"] == "Function.TestError"
    # The runtime keeps serving.
    assert emu.invoke(b'{"action": "echo"}').function_error is None
    assert emu.reports[0].status == "error" and emu.reports[0].error_type == "Function.TestError"


def test_log_tail_is_the_last_4kb_of_that_invocation(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    emu.invoke(b'{"action": "print", "text": "from the first invocation"}')
    result = emu.invoke(b'{"action": "print", "text": "hello tail"}', log_tail=True)
    tail = result.log_result
    assert tail is not None
    lines = tail.splitlines()
    assert lines[0] == f"START RequestId: {result.request_id} Version: $LATEST"
    assert lines[1] == "hello tail"
    assert lines[2] == f"END RequestId: {result.request_id}"
    assert lines[3].startswith(f"REPORT RequestId: {result.request_id}\t")
    assert "from the first invocation" not in tail

    long_text = "".join(f"{i:05d}" for i in range(2000))  # 10,000 characters
    result = emu.invoke(json.dumps({"action": "print", "text": long_text}), log_tail=True)
    raw = base64.b64decode(result.headers["X-Amz-Log-Result"])
    assert len(raw) == 4096
    assert raw.decode().rstrip("\n").splitlines()[-1].startswith("REPORT RequestId:")
    assert long_text.endswith(raw.decode().split("\nEND RequestId")[0])
    # Without Tail, no header.
    assert "X-Amz-Log-Result" not in emu.invoke(b'{"action": "echo"}').headers


def test_report_lines(emulator_factory):
    emu = emulator_factory(SCRIPTED, memory_mb=512)
    first = emu.invoke(b'{"action": "echo"}')
    second = emu.invoke(b'{"action": "sleep", "seconds": 0.2}')
    log = emu.lambda_log()
    reports = report_lines(log)
    assert [m["id"] for m in reports] == [first.request_id, second.request_id]
    assert f"START RequestId: {first.request_id} Version: $LATEST" in log
    assert f"END RequestId: {first.request_id}" in log
    one, two = reports
    assert one["init"] is not None and two["init"] is None  # Init Duration only once
    assert one["size"] == two["size"] == "512"
    assert int(one["used"]) > 0
    # provided.* runtimes are billed for init as well.
    assert int(one["billed"]) >= float(one["duration"]) + float(one["init"])
    assert float(two["duration"]) >= 200
    assert emu.reports[1].duration_ms >= 200
    assert emu.reports[0].init_duration_ms == float(one["init"])
    # START, output, END, REPORT are in order in the combined log.
    assert log.index(f"START RequestId: {first.request_id}") < log.index(
        f"END RequestId: {first.request_id}"
    )


def test_concurrent_invokes_are_queued_and_served_one_at_a_time(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    emu.wait_ready()
    results: dict[int, object] = {}

    def call(i: int) -> None:
        results[i] = emu.invoke(json.dumps({"action": "sleep", "seconds": 0.3, "i": i}))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(5)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert elapsed >= 1.5  # five 0.3 s invocations, never two at once
    assert all(r.status == 200 and r.function_error is None for r in results.values())
    ids = {r.request_id for r in results.values()}
    assert len(ids) == 5
    # The runtime saw next, response, next, response... : never two invocations in flight.
    kinds = [
        "next" if r.path.endswith("/next") else "response"
        for r in emu.records
        if r.path.endswith(("/next", "/response"))
    ]
    assert kinds[:10] == ["next", "response"] * 5
    assert kinds[10:] in ([], ["next"])  # the last /next may still be on its way


def test_thousand_sequential_invocations_none_lost_or_duplicated(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    seen = set()
    for i in range(1000):
        result = emu.invoke(json.dumps({"action": "echo", "i": i}))
        answer = result.json()
        assert answer["event"]["i"] == i
        assert answer["headers"]["Lambda-Runtime-Aws-Request-Id"] == result.request_id
        seen.add(result.request_id)
    assert len(seen) == 1000
    assert len(emu.reports) == 1000
    assert emu.process_exits == []


def test_event_and_dry_run_invocation_types(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    queued = emu.invoke(b'{"action": "print", "text": "async one"}', invocation_type="Event")
    assert queued.status == 202 and queued.body == b""
    dry = emu.invoke(b'{"action": "print", "text": "dry"}', invocation_type="DryRun")
    assert dry.status == 204
    emu.invoke(b'{"action": "echo"}')  # served after the queued Event invocation
    assert "async one" in emu.logs()
    assert "dry" not in emu.logs()


def test_oversized_invoke_request_is_rejected(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    result = emu.invoke(b"x" * (6291456 + 1))
    assert result.status == 413
    assert result.headers["X-Amzn-ErrorType"] == "RequestEntityTooLargeException"
    assert emu.invoke(b'{"action": "echo"}').status == 200


def test_lazy_start_spawns_on_first_invoke(emulator_factory):
    emu = emulator_factory(SCRIPTED, eager=False)
    time.sleep(0.2)
    assert emu.pid is None and emu.logs() == ""
    result = emu.invoke(b'{"action": "echo"}')
    assert result.function_error is None
    assert emu.pid is not None
    assert emu.reports[0].init_duration_ms is not None


def test_records_keep_every_runtime_api_request(emulator_factory):
    emu = emulator_factory(SCRIPTED)
    result = emu.invoke(b'{"action": "echo"}')
    emu.invoke(b'{"action": "echo"}')
    posts = [r for r in emu.records if r.method == "POST"]
    assert posts[0].path == f"/2018-06-01/runtime/invocation/{result.request_id}/response"
    assert json.loads(posts[0].body)["event"] == {"action": "echo"}
    assert all(r.path.startswith("/2018-06-01/") for r in emu.records)
    assert [r.at for r in emu.records] == sorted(r.at for r in emu.records)
