"""``invoke --stream`` on the signed InvokeWithResponseStream path (the one used for AWS).

The real service is out of reach, so the same code runs against the emulator (which frames
the answer as Lambda does) and against a scripted server. The request is checked against
botocore's serialization and signature for the same call.
"""

from __future__ import annotations

import base64
import datetime
import http.server
import json
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path
from typing import Any, Callable

import pytest
from botocore import auth as bauth
from botocore import serialize
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from botocore.session import get_session

from native_lambda import aws
from native_lambda_toolchain.deploy import DeployError, LambdaApiError, LambdaClient, RetryPolicy
from native_lambda_toolchain.eventstream import INVOKE_COMPLETE, PAYLOAD_CHUNK, encode_event

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "native_lambda_toolchain.cli"]
KEY, SECRET, TOKEN = "AKIASTREAM0000000001", "stream/secret+key", "stream-token"
EVENTS = "application/vnd.amazon.eventstream"


def chunk(data: bytes) -> bytes:
    return encode_event(PAYLOAD_CHUNK, data, "application/octet-stream")


def complete(**fields: str) -> bytes:
    return encode_event(INVOKE_COMPLETE, json.dumps(fields).encode(), "application/json")


class Scripted:
    """A real HTTP server answering each request with the next scripted answer:
    ``(status, headers, [pieces])``; 200 answers are sent chunked, piece by piece, and
    status 0 closes the connection without an answer."""

    def __init__(self, answers: list[tuple[int, dict[str, str], list[bytes]]]) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[str, str, list[tuple[str, str]], bytes]] = []
        script = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                script.requests.append((self.command, self.path, self.headers.items(), body))
                status, headers, pieces = script.answers.pop(0)
                if status == 0:  # no answer at all
                    self.close_connection = True
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status >= 300:
                    data = b"".join(pieces)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for piece in pieces:
                    if piece == b"<drop>":
                        self.close_connection = True
                        return
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def client_for(url: str) -> LambdaClient:
    return LambdaClient(
        endpoint=url,
        region="eu-west-1",
        credentials=aws.Credentials(KEY, SECRET, TOKEN),
        retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02),
    )


def _signed(authorization: str) -> list[str]:
    return authorization.split("SignedHeaders=")[1].split(",")[0].split(";")


def test_request_matches_botocore_serialization_and_signature(monkeypatch) -> None:
    name = "arn:aws:lambda:eu-west-1:123456789012:function:f x"
    payload = b'{"a": [1, 2]}'
    context = '{"custom": {"k": "v"}}'
    ok = (200, {"Content-Type": EVENTS}, [chunk(b"hi"), complete(LogResult="")])
    server = Scripted([ok])
    got: list[bytes] = []
    try:
        with client_for(server.url) as client:
            out = client.invoke_stream(
                name, payload, got.append, qualifier="live", client_context=context
            )
    finally:
        server.close()
    assert got == [b"hi"] and out.chunks == 1 and out.error_code is None
    [(method, path, headers, body)] = server.requests
    wire = {k.lower(): v for k, v in headers}

    model = get_session().get_service_model("lambda")
    expected = serialize.create_serializer("rest-json").serialize_to_request(
        {
            "FunctionName": name,
            "Payload": payload,
            "Qualifier": "live",
            "LogType": "Tail",
            "InvocationType": "RequestResponse",
            "ClientContext": base64.b64encode(context.encode()).decode(),
        },
        model.operation_model("InvokeWithResponseStream"),
    )
    want_path = (
        expected["url_path"]
        + "?"
        + "&".join(f"{k}={v}" for k, v in expected["query_string"].items())
    )
    assert (method, path, body) == (expected["method"], want_path, expected["body"])
    for header, value in expected["headers"].items():
        assert wire[header.lower()] == value, header
    extra = {k for k in wire if k.startswith("x-amz-")} - {h.lower() for h in expected["headers"]}
    assert extra == {"x-amz-date", "x-amz-security-token", "x-amz-content-sha256"} & set(wire)

    # botocore, handed what went over the wire, signs the same headers to the same signature.
    when = datetime.datetime.strptime(wire["x-amz-date"], "%Y%m%dT%H%M%SZ")
    monkeypatch.setattr(bauth, "get_current_datetime", lambda *a, **k: when)
    request = AWSRequest(method=method, url=server.url + path, data=body)
    for header, value in headers:
        if header.lower() not in ("authorization", "x-amz-date", "x-amz-security-token"):
            request.headers[header] = value
    bauth.SigV4Auth(BotoCredentials(KEY, SECRET, TOKEN), "lambda", "eu-west-1").add_auth(request)
    assert request.headers["Authorization"] == wire["authorization"]
    assert "x-amz-client-context" in _signed(wire["authorization"])


def test_function_error_log_tail_and_throttling_retry() -> None:
    tail = base64.b64encode(b"START\nREPORT RequestId: x\n").decode()
    throttled = (
        429,
        {"x-amzn-ErrorType": "TooManyRequestsException", "Content-Type": "application/json"},
        [b'{"message": "Rate exceeded"}'],
    )
    failed = complete(ErrorCode="Function.ValueError", ErrorDetails='{"e": 1}', LogResult=tail)
    server = Scripted([throttled, (200, {"Content-Type": EVENTS}, [chunk(b"a"), failed])])
    got: list[bytes] = []
    try:
        with client_for(server.url) as client:
            out = client.invoke_stream("f", b"{}", got.append)
            assert client.retries == 1
    finally:
        server.close()
    assert len(server.requests) == 2  # refused once before anything ran, then sent again
    assert got == [b"a"]
    assert out.error_code == "Function.ValueError" and out.error_details == '{"e": 1}'
    assert out.log_tail == "START\nREPORT RequestId: x\n"


def exception_frame(code: str, message: str) -> bytes:
    """An ``exception`` message (how an event stream reports an error mid-way)."""
    heads = b""
    for name, value in (
        (":message-type", "exception"),
        (":exception-type", code),
        (":content-type", "application/json"),
    ):
        heads += bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(value))
        heads += value.encode()
    body = json.dumps({"message": message}).encode()
    prelude = struct.pack(">II", 16 + len(heads) + len(body), len(heads))
    frame = prelude + struct.pack(">I", zlib.crc32(prelude)) + heads + body
    return frame + struct.pack(">I", zlib.crc32(frame))


def test_no_answer_and_5xx_are_not_repeated() -> None:
    failure = (
        500,
        {"x-amzn-ErrorType": "ServiceException", "Content-Type": "application/json"},
        [b'{"message": "internal"}'],
    )
    server = Scripted([(0, {}, []), failure])
    try:
        with client_for(server.url) as client:
            with pytest.raises(DeployError, match=r"no answer .*RemoteProtocolError"):
                client.invoke_stream("f", b"{}", lambda data: None)
            with pytest.raises(DeployError, match=r"ServiceException \(HTTP 500\): internal"):
                client.invoke_stream("f", b"{}", lambda data: None)
    finally:
        server.close()
    assert len(server.requests) == 2  # one each: neither was sent again


def test_buffered_invoke_qualifier_and_client_context_match_botocore() -> None:
    server = Scripted([(200, {"Content-Type": "application/json"}, [b'{"ok": 1}'])])
    try:
        with client_for(server.url) as client:
            out = client.invoke("f", b"{}", qualifier="7", client_context='{"a": 1}')
    finally:
        server.close()
    assert out.payload == b'{"ok": 1}'
    [(method, path, headers, body)] = server.requests
    expected = serialize.create_serializer("rest-json").serialize_to_request(
        {
            "FunctionName": "f",
            "Payload": b"{}",
            "Qualifier": "7",
            "LogType": "Tail",
            "InvocationType": "RequestResponse",
            "ClientContext": base64.b64encode(b'{"a": 1}').decode(),
        },
        get_session().get_service_model("lambda").operation_model("Invoke"),
    )
    assert (method, path, body) == ("POST", expected["url_path"] + "?Qualifier=7", b"{}")
    wire = {k.lower(): v for k, v in headers}
    assert all(wire[k.lower()] == v for k, v in expected["headers"].items())


@pytest.mark.parametrize(
    ("pieces", "error", "text"),
    [
        ([chunk(b"a"), chunk(b"b")], DeployError, "2 chunks (2 bytes) without InvokeComplete"),
        ([chunk(b"a"), b"<drop>"], DeployError, "the stream broke off after 1 chunks"),
        ([b"<html>not an event stream</html>"], DeployError, "broke off after 0 chunks"),
        (
            [chunk(b"a"), exception_frame("ServiceException", "internal failure")],
            LambdaApiError,
            "ServiceException (HTTP 200): internal failure (in the stream, after 1 chunks)",
        ),
    ],
)
def test_broken_streams_are_errors_that_say_what_arrived(pieces, error, text) -> None:
    server = Scripted([(200, {"Content-Type": EVENTS}, pieces)])
    try:
        with client_for(server.url) as client, pytest.raises(error) as caught:
            client.invoke_stream("f", b"{}", lambda data: None)
    finally:
        server.close()
    assert text in str(caught.value)
    if error is DeployError:
        assert "not repeated" in str(caught.value)
    assert len(server.requests) == 1  # an invocation that may have run is never re-sent


def _cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=KEY,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_REGION="eu-west-1",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        PYTHONUNBUFFERED="1",
    )
    return env


def _emulator(factory: Callable[..., Any], handler: str) -> Any:
    env = {
        "LAMBDA_TASK_ROOT": str(ROOT),
        "_HANDLER": f"tests.streaming.handlers.stream_fns.{handler}",
    }
    emu = factory([sys.executable, "-m", "native_lambda"], env=env, cwd=str(ROOT))
    assert emu.wait_ready(60), emu.logs()
    return emu


def test_cli_stream_prints_each_chunk_as_it_arrives(
    emulator_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """Not --local: the AWS path (signed, credentials from the environment), pointed at the
    emulator. The first line is on our stdout before the handler has produced the last."""
    emu = _emulator(emulator_factory, "five")
    command = [*CLI, "invoke", "f", '{"sleep": 0.4}', "--stream", "--endpoint-url", emu.url]
    command += ["--qualifier", "$LATEST"]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_cli_env(tmp_path)
    )
    assert proc.stdout is not None
    arrivals: list[tuple[float, bytes]] = []
    for line in iter(proc.stdout.readline, b""):
        arrivals.append((time.time(), line))
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.wait(30) == 0, stderr
    lines = [line for _, line in arrivals]
    assert [line.split(b" at ")[0] for line in lines] == [b"chunk %d" % i for i in range(5)]
    produced_last = float(lines[-1].split(b" at ")[1])
    assert arrivals[0][0] < produced_last - 1.0, arrivals  # 4 x 0.4 s still to go
    assert "REPORT RequestId:" in stderr  # the log tail (LogType=Tail) on stderr


def test_cli_stream_function_error_exits_1_with_the_error(
    emulator_factory: Callable[..., Any], tmp_path: Path
) -> None:
    emu = _emulator(emulator_factory, "fails")
    run = subprocess.run(
        [*CLI, "invoke", "f", "{}", "--stream", "--endpoint-url", emu.url, "--no-log"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_cli_env(tmp_path),
        check=False,
    )
    assert run.returncode == 1, run.stderr
    first, _, details = run.stdout.partition("\n")
    assert first == "one,two,"
    assert json.loads(details)["errorMessage"] == "broke after two chunks"
    assert "Function.ValueError after 2 chunks" in run.stderr
    assert run.stderr.count("native-lambda: error:") == 1
    assert "REPORT" not in run.stderr  # --no-log: no tail asked for


def test_cli_stream_without_credentials_is_a_clear_error(tmp_path: Path) -> None:
    env = _cli_env(tmp_path)
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    run = subprocess.run(
        [*CLI, "invoke", "f", "--stream", "--endpoint-url", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "native-lambda: error: AWS credentials:" in run.stderr


def test_decoder_reads_headers_of_every_type() -> None:
    """Lambda sends string headers only; a frame with the format's other types still
    decodes (it used to be refused), so such a frame cannot break a stream."""
    from native_lambda_toolchain.eventstream import Decoder

    def header(name: str, kind: int, value: bytes) -> bytes:
        return bytes([len(name)]) + name.encode() + bytes([kind]) + value

    heads = b"".join(
        [
            header(":message-type", 7, struct.pack(">H", 5) + b"event"),
            header(":event-type", 7, struct.pack(">H", 12) + b"PayloadChunk"),
            header("t", 0, b""),
            header("f", 1, b""),
            header("b", 2, struct.pack(">b", -3)),
            header("s", 3, struct.pack(">h", 300)),
            header("i", 4, struct.pack(">i", -70000)),
            header("l", 5, struct.pack(">q", 2**40)),
            header("raw", 6, struct.pack(">H", 2) + b"\x01\xff"),
            header("ts", 8, struct.pack(">q", 1700000000000)),
            header("id", 9, bytes(range(16))),
        ]
    )
    prelude = struct.pack(">II", 16 + len(heads) + 3, len(heads))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + heads + b"abc"
    message += struct.pack(">I", zlib.crc32(message))
    [(event, body)] = list(Decoder().feed(message))
    assert body == b"abc" and event[":event-type"] == "PayloadChunk"
    assert (event["t"], event["f"], event["b"], event["s"]) == ("true", "false", "-3", "300")
    assert (event["i"], event["l"], event["ts"]) == ("-70000", str(2**40), "1700000000000")
    assert event["raw"] == "01ff" and event["id"] == bytes(range(16)).hex()
