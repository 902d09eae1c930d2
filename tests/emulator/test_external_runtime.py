"""With no command, the test itself is the runtime: every protocol detail, step by step."""

from __future__ import annotations

import http.client
import json
import socket
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from native_lambda_toolchain.emulator import Emulator

NEXT = "/2018-06-01/runtime/invocation/next"


class Client:
    """One keep-alive connection to the emulator, as a runtime (or extension) holds."""

    def __init__(self, emu: Emulator) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def json(self, method, path, body=None, headers=None):
        status, headers, data = self.call(method, path, body, headers)
        return status, headers, json.loads(data) if data else None


@pytest.fixture
def pool():
    with ThreadPoolExecutor(4) as executor:
        yield executor


def test_next_long_polls_until_an_invocation_arrives(emulator_factory, pool):
    emu = emulator_factory(None, timeout_s=5)
    runtime = Client(emu)
    polled: Future = pool.submit(runtime.call, "GET", NEXT)
    time.sleep(0.3)
    assert not polled.done()
    invoked = pool.submit(emu.invoke, b'{"hello": 1}', trace_id="Root=1-a")
    status, headers, body = polled.result(10)
    assert status == 200 and body == b'{"hello": 1}'
    assert headers["lambda-runtime-trace-id"] == "Root=1-a"
    request_id = headers["lambda-runtime-aws-request-id"]
    status, _, reply = runtime.json(
        "POST", f"/2018-06-01/runtime/invocation/{request_id}/response", b'"done"'
    )
    assert (status, reply) == (202, {"status": "OK"})
    assert invoked.result(10).body == b'"done"'
    # A second /next while the first is still pending is an invalid transition.
    pending = pool.submit(runtime.call, "GET", NEXT)
    time.sleep(0.1)
    other = Client(emu)
    status, _, reply = other.json("GET", NEXT)
    assert status == 403 and reply["errorType"] == "InvalidStateTransition"
    emu.invoke(b"{}", invocation_type="Event")
    assert pending.result(10)[0] == 200


def test_runtime_api_errors(emulator_factory, pool):
    emu = emulator_factory(None)
    runtime = Client(emu)
    status, _, reply = runtime.json("POST", "/2018-06-01/runtime/invocation/nope/response", b"{}")
    assert (status, reply) == (
        400,
        {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"},
    )
    status, _, _ = runtime.call("GET", "/2018-06-01/runtime/nothing-here")
    assert status == 404
    polled = pool.submit(runtime.call, "GET", NEXT)
    invoked = pool.submit(emu.invoke, b"{}")
    request_id = polled.result(10)[1]["lambda-runtime-aws-request-id"]
    # init/error is only valid during init.
    status, _, reply = runtime.json("POST", "/2018-06-01/runtime/init/error", b"{}")
    assert status == 403
    assert reply["errorMessage"] == (
        "State transition from Running to InitError failed for runtime. "
        "Error: State transition is not allowed"
    )
    status, _, _ = runtime.call(
        "POST",
        f"/2018-06-01/runtime/invocation/{request_id}/error",
        b'{"errorMessage": "x", "errorType": "Y"}',
        {"Lambda-Runtime-Function-Error-Type": "not valid"},
    )
    assert status == 202
    assert invoked.result(10).function_error == "Unhandled"
    assert emu.reports[-1].error_type == "Runtime.Unknown"  # unlisted types are scrubbed


def test_extension_registration_rules(emulator_factory, pool):
    emu = emulator_factory(None, external_extensions=["ext-external"])
    ext = Client(emu)
    register = "/2020-01-01/extension/register"
    status, _, reply = ext.json("POST", register, b'{"events": ["INVOKE"]}')
    assert (status, reply["errorType"]) == (403, "Extension.InvalidExtensionName")
    status, _, reply = ext.json(
        "POST", register, b'{"events": ["SHUTDOWN"]}', {"Lambda-Extension-Name": "internal"}
    )
    assert (status, reply) == (
        403,
        {
            "errorMessage": "SHUTDOWN: ShutdownEventNotSupportedForInternalExtension",
            "errorType": "Extension.InvalidEventType",
        },
    )
    status, headers, reply = ext.json(
        "POST",
        register,
        b'{"events": ["INVOKE", "SHUTDOWN"]}',
        {"Lambda-Extension-Name": "ext-external"},
    )
    assert status == 200
    assert reply == {"functionName": "function", "functionVersion": "$LATEST", "handler": ""}
    ext_id = headers["lambda-extension-identifier"]
    status, _, reply = ext.json(
        "POST", register, b'{"events": []}', {"Lambda-Extension-Name": "ext-external"}
    )
    assert (status, reply["errorType"]) == (403, "Extension.InvalidExtensionState")

    next_path = "/2020-01-01/extension/event/next"
    assert ext.json("GET", next_path)[2]["errorType"] == "Extension.MissingExtensionIdentifier"
    bad = ext.json("GET", next_path, None, {"Lambda-Extension-Identifier": "zzz"})[2]
    assert bad["errorType"] == "Extension.InvalidExtensionIdentifier"
    unknown = "00000000-0000-0000-0000-000000000000"
    reply = ext.json("GET", next_path, None, {"Lambda-Extension-Identifier": unknown})[2]
    assert reply == {
        "errorMessage": f"Unknown extension {unknown}",
        "errorType": "Extension.UnknownExtensionIdentifier",
    }

    # The runtime polls first; the invocation waits for the extension's /next (init gate).
    runtime = Client(emu)
    polled = pool.submit(runtime.call, "GET", NEXT)
    invoked = pool.submit(emu.invoke, b"{}", trace_id="Root=1-b")
    time.sleep(0.3)
    assert not polled.done()
    late = Client(emu).json(
        "POST", register, b'{"events": []}', {"Lambda-Extension-Name": "too-late"}
    )
    assert late[2] == {
        "errorMessage": "Extension registration closed already",
        "errorType": "Extension.RegistrationClosed",
    }
    status, headers, event = ext.json(
        "GET", next_path, None, {"Lambda-Extension-Identifier": ext_id}
    )
    assert status == 200 and "lambda-extension-event-identifier" in headers
    assert event["eventType"] == "INVOKE"
    assert event["tracing"] == {"type": "X-Amzn-Trace-Id", "value": "Root=1-b"}
    assert event["invokedFunctionArn"].endswith(":function:function")
    request_id = polled.result(10)[1]["lambda-runtime-aws-request-id"]
    assert event["requestId"] == request_id
    runtime.call("POST", f"/2018-06-01/runtime/invocation/{request_id}/response", b"1")
    assert invoked.result(10).body == b"1"

    # On stop, an extension subscribed to SHUTDOWN gets it.
    shutdown = pool.submit(
        ext.json, "GET", next_path, None, {"Lambda-Extension-Identifier": ext_id}
    )
    time.sleep(0.1)
    emu.stop()
    status, _, event = shutdown.result(10)
    assert status == 200
    assert event["eventType"] == "SHUTDOWN" and event["shutdownReason"] == "spindown"


def test_timeout_with_an_external_runtime_resets_its_state(emulator_factory, pool):
    emu = emulator_factory(None, timeout_s=0.5)
    runtime = Client(emu)
    polled = pool.submit(runtime.call, "GET", NEXT)
    result = emu.invoke(b"{}")
    assert result.json()["errorType"] == "Sandbox.Timedout"
    request_id = polled.result(10)[1]["lambda-runtime-aws-request-id"]
    status, _, _ = runtime.call(
        "POST", f"/2018-06-01/runtime/invocation/{request_id}/response", b"late"
    )
    assert status == 400  # that invocation is gone
    again = pool.submit(emu.invoke, b'"second"')
    status, headers, body = runtime.call("GET", NEXT)
    assert body == b'"second"'
    runtime.call(
        "POST",
        f"/2018-06-01/runtime/invocation/{headers['lambda-runtime-aws-request-id']}/response",
        b"ok",
    )
    assert again.result(10).body == b"ok"
    assert emu.reports[-1].init_duration_ms is not None  # a new "sandbox" after the reset


def test_chunked_and_pipelined_requests(emulator_factory, pool):
    emu = emulator_factory(None)
    runtime = Client(emu)
    polled = pool.submit(runtime.call, "GET", NEXT)
    invoked = pool.submit(emu.invoke, b"{}")
    request_id = polled.result(10)[1]["lambda-runtime-aws-request-id"]
    # A chunked response body and a pipelined /next in the same write.
    sock = socket.create_connection(("127.0.0.1", emu.port))
    sock.sendall(
        (
            f"POST /2018-06-01/runtime/invocation/{request_id}/response HTTP/1.1\r\n"
            "Host: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
        ).encode()
    )
    assert invoked.result(10).body == b"hello world"
    data = b""
    while b"202 Accepted" not in data:
        data += sock.recv(4096)
    emu.invoke(b"{}", invocation_type="Event")
    deadline = time.monotonic() + 10
    while b"Lambda-Runtime-Aws-Request-Id" not in data and time.monotonic() < deadline:
        data += sock.recv(4096)
    assert b"HTTP/1.1 200 OK" in data
    sock.close()


def test_curl_style_expect_100_continue(emulator_factory, pool):
    emu = emulator_factory(None)
    runtime = Client(emu)
    polled = pool.submit(runtime.call, "GET", NEXT)
    sock = socket.create_connection(("127.0.0.1", emu.port))
    body = b'{"x": "' + b"y" * 2000 + b'"}'
    sock.sendall(
        b"POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\n"
        b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    assert sock.recv(4096).startswith(b"HTTP/1.1 100 Continue")
    sock.sendall(body)
    _, headers, got = polled.result(10)
    assert got == body
    runtime.call(
        "POST",
        f"/2018-06-01/runtime/invocation/{headers['lambda-runtime-aws-request-id']}/response",
        b"{}",
    )
    data = b""
    while not data.endswith(b"{}"):
        data += sock.recv(4096)
    assert data.startswith(b"HTTP/1.1 200 OK")
    sock.close()


def test_a_runtime_that_stops_polling_times_the_next_invocation_out(emulator_factory, pool):
    emu = emulator_factory(None, timeout_s=0.5)
    runtime = Client(emu)
    polled = pool.submit(runtime.call, "GET", NEXT)
    invoked = pool.submit(emu.invoke, b"{}")
    request_id = polled.result(10)[1]["lambda-runtime-aws-request-id"]
    runtime.call("POST", f"/2018-06-01/runtime/invocation/{request_id}/response", b"1")
    assert invoked.result(10).body == b"1"
    # The runtime never asks for the next invocation: that one times out, not hangs.
    started = time.monotonic()
    stuck = emu.invoke(b"{}")
    assert stuck.json()["errorType"] == "Sandbox.Timedout"
    assert 0.4 < time.monotonic() - started < 5
