"""The httpx integration signs what is really sent: a local HTTP server receives the
request and botocore recomputes the signature from the bytes on the wire."""

from __future__ import annotations

import datetime
import http.server
import threading

import pytest
from botocore import auth as bauth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from native_lambda import aws
from native_lambda_toolchain.deploy import LambdaClient, RetryPolicy, resolve_endpoint

KEY, SECRET, TOKEN = "AKIAWIRE000000000001", "wire/secret+key", "wire-token"


class Recorder:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, list[tuple[str, str]], bytes]] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                recorder.requests.append((self.command, self.path, self.headers.items(), body))
                data = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _verify(monkeypatch, url: str, method: str, path: str, headers, body: bytes, service: str):
    """Recompute with botocore from what the server received; return (ours, theirs)."""
    received = {k.lower(): v for k, v in headers}
    authorization = received["authorization"]
    signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    stamp = received["x-amz-date"]
    when = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
    monkeypatch.setattr(bauth, "get_current_datetime", lambda *a, **k: when)
    request = AWSRequest(method=method, url=url + path, data=body)
    for name, value in headers:
        if name.lower() in signed and name.lower() not in ("x-amz-date", "x-amz-security-token"):
            request.headers[name] = value
    bauth.SigV4Auth(BotoCredentials(KEY, SECRET, TOKEN), service, "eu-west-1").add_auth(request)
    return authorization, request.headers["Authorization"]


def _signed_headers(authorization: str) -> list[str]:
    return authorization.split("SignedHeaders=")[1].split(",")[0].split(";")


def _botocore_choice(url: str, method: str, path: str, headers, body: bytes) -> list[str]:
    """The headers botocore signs when handed everything that was on the wire (minus the
    ones it computes itself), so that our selection is checked, not assumed."""
    request = AWSRequest(method=method, url=url + path, data=body)
    own = ("authorization", "x-amz-date", "x-amz-security-token")
    for name, value in headers:
        if name.lower() not in own:
            request.headers[name] = value
    bauth.SigV4Auth(BotoCredentials(KEY, SECRET, TOKEN), "lambda", "eu-west-1").add_auth(request)
    return _signed_headers(request.headers["Authorization"])


def test_lambda_client_requests_carry_valid_signatures(monkeypatch):
    recorder = Recorder()
    creds = aws.Credentials(KEY, SECRET, TOKEN)
    try:
        with LambdaClient(
            endpoint=recorder.url,
            region="eu-west-1",
            credentials=creds,
            retry=RetryPolicy(max_attempts=1),
        ) as client:
            client.invoke("arn:aws:lambda:eu-west-1:123456789012:function:f x", b'{"a": [1, 2]}')
            client.update_function_configuration("my fn", {"MemorySize": 256})
            list(client.list_layer_versions("layer name"))
            client.delete_function("gone")
    finally:
        recorder.server.shutdown()
    assert len(recorder.requests) == 4
    for method, path, headers, body in recorder.requests:
        ours, theirs = _verify(monkeypatch, recorder.url, method, path, headers, body, "lambda")
        assert ours == theirs, (method, path)
        chosen = _botocore_choice(recorder.url, method, path, headers, body)
        assert _signed_headers(ours) == chosen, (method, path)
        assert "user-agent" not in chosen and "connection" not in chosen
        assert "x-amz-date" in chosen and "host" in chosen
        assert dict((k.lower(), v) for k, v in headers)["x-amz-security-token"] == TOKEN
    # ARN colons and spaces are percent-encoded in the path (and double-encoded when signing).
    assert recorder.requests[0][1].startswith(
        "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Af%20x/"
    )
    assert recorder.requests[2][1].startswith("/2018-10-31/layers/layer%20name/versions?")


def test_endpoint_resolution_order():
    env = {"AWS_ENDPOINT_URL": "http://general:1", "AWS_ENDPOINT_URL_LAMBDA": "http://lambda:2/"}
    assert resolve_endpoint("http://flag:3", "eu-west-1", env) == "http://flag:3"
    assert resolve_endpoint(None, "eu-west-1", env) == "http://lambda:2"
    assert resolve_endpoint(None, "eu-west-1", {"AWS_ENDPOINT_URL": "http://g:1"}) == "http://g:1"
    assert resolve_endpoint(None, "eu-west-1", {}) == "https://lambda.eu-west-1.amazonaws.com"
    assert resolve_endpoint(None, "cn-north-1", {}).endswith(".amazonaws.com.cn")


@pytest.mark.parametrize("attempt", [1, 2, 3, 6, 20])
def test_backoff_grows_and_is_capped(attempt):
    policy = RetryPolicy(base_delay=0.2, max_delay=3.0)
    ceiling = min(3.0, 0.2 * 2 ** (attempt - 1))
    delays = [policy.delay(attempt) for _ in range(50)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert policy.delay(attempt, retry_after="2") >= min(2.0, 3.0)
    assert policy.delay(1, retry_after="999") <= 3.0
