"""``deploy --url [--stream] [--url-auth]`` and the Managed Instances options, against a real
moto server over HTTP. Where moto drops a field (InvokeMode on update, CapacityProviderConfig),
the bytes that reached moto are compared with botocore's serialization of the same call."""

from __future__ import annotations

import base64
import http.client
import http.server
import itertools
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from botocore import serialize
from botocore.session import get_session

from native_lambda import aws
from native_lambda_toolchain.deploy import (
    DeployError,
    DeploySpec,
    LambdaClient,
    RetryPolicy,
    UrlSpec,
    capacity_config,
    deploy,
)

_names = itertools.count()
CAPACITY = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:fleet-1"


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}-{id(_names) % 10000}"


def client_for(url: str, creds: aws.Credentials) -> LambdaClient:
    retry = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
    return LambdaClient(endpoint=url, region="us-east-1", credentials=creds, retry=retry)


def botocore_request(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    model = get_session().get_service_model("lambda").operation_model(operation)
    return serialize.create_serializer("rest-json").serialize_to_request(params, model)


class Recording:
    """A real HTTP proxy in front of moto that keeps (method, path, body) of each request."""

    def __init__(self, upstream: str) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        recording = self
        host = upstream.removeprefix("http://")

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recording.requests.append((self.command, self.path, body))
                conn = http.client.HTTPConnection(host, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Recording:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def writes(self) -> list[tuple[str, str, bytes]]:
        return [r for r in self.requests if r[0] != "GET"]

    def the(self, method: str, suffix: str) -> tuple[str, bytes]:
        [found] = [(p, b) for m, p, b in self.requests if m == method and p.endswith(suffix)]
        return found


def same_as_botocore(path: str, body: bytes, operation: str, params: dict[str, Any]) -> None:
    expected = botocore_request(operation, params)
    assert path == expected["url_path"]
    assert json.loads(body) == json.loads(expected["body"])


def url_config(client: LambdaClient, name: str) -> dict[str, Any]:
    return client._call("GET", f"/2021-10-31/functions/{name}/url").json()


def policy_ids(client: LambdaClient, name: str) -> set[str]:
    from native_lambda_toolchain.deploy._url import _statement_ids

    return _statement_ids(client, name)


# --- function URL ------------------------------------------------------------------------


def test_url_stream_creates_response_stream_url_and_second_deploy_writes_nothing(
    moto_url, creds, role_arn, dist_factory
):
    name = unique("url")
    spec = DeploySpec(
        name, dist=dist_factory(), role=role_arn, url=UrlSpec("AWS_IAM", "RESPONSE_STREAM")
    )
    lines: list[str] = []
    with Recording(moto_url) as proxy, client_for(proxy.url, creds) as client:
        first = deploy(client, spec, log=lines.append)
        config = url_config(client, name)
    assert config["InvokeMode"] == "RESPONSE_STREAM" and config["AuthType"] == "AWS_IAM"
    assert first.function_url == config["FunctionUrl"] and first.url_written
    path, body = proxy.the("POST", "/url")
    same_as_botocore(
        path,
        body,
        "CreateFunctionUrlConfig",
        {"FunctionName": name, "AuthType": "AWS_IAM", "InvokeMode": "RESPONSE_STREAM"},
    )
    assert policy_ids(client_for(moto_url, creds), name) == set()  # not public: no statements

    with Recording(moto_url) as proxy, client_for(proxy.url, creds) as client:
        second = deploy(client, spec, log=lines.append)
    assert proxy.writes() == [] and not second.url_written
    assert second.function_url == first.function_url
    assert any("unchanged (AWS_IAM, RESPONSE_STREAM)" in line for line in lines)


def test_url_mode_switch_sends_update_and_public_url_gets_and_loses_its_statements(
    moto_url, creds, role_arn, dist_factory
):
    name = unique("url-switch")
    dist = dist_factory()
    with client_for(moto_url, creds) as client:
        deploy(client, DeploySpec(name, dist=dist, role=role_arn, url=UrlSpec()), log=print)
        assert url_config(client, name)["InvokeMode"] == "BUFFERED"  # the default stays

    public = DeploySpec(name, dist=dist, role=role_arn, url=UrlSpec("NONE", "RESPONSE_STREAM"))
    with Recording(moto_url) as proxy, client_for(proxy.url, creds) as client:
        deploy(client, public, log=print)
    # moto keeps InvokeMode on update, so the request itself is checked.
    path, body = proxy.the("PUT", "/url")
    same_as_botocore(
        path,
        body,
        "UpdateFunctionUrlConfig",
        {"FunctionName": name, "AuthType": "NONE", "InvokeMode": "RESPONSE_STREAM"},
    )
    with client_for(moto_url, creds) as client:
        assert url_config(client, name)["AuthType"] == "NONE"
        assert policy_ids(client, name) == {
            "native-lambda-url-public",
            "native-lambda-url-public-invoke",
        }
    adds = [b for m, p, b in proxy.requests if m == "POST" and p.endswith("/policy")]
    expected: list[dict[str, Any]] = [
        {
            "FunctionName": name,
            "StatementId": "native-lambda-url-public",
            "Action": "lambda:InvokeFunctionUrl",
            "Principal": "*",
            "FunctionUrlAuthType": "NONE",
        },
        {
            "FunctionName": name,
            "StatementId": "native-lambda-url-public-invoke",
            "Action": "lambda:InvokeFunction",
            "Principal": "*",
            "InvokedViaFunctionUrl": True,
        },
    ]
    assert len(adds) == len(expected)
    for body, params in zip(adds, expected):
        same_as_botocore(f"/2015-03-31/functions/{name}/policy", body, "AddPermission", params)

    with client_for(moto_url, creds) as client:  # back to signed callers only
        deploy(client, DeploySpec(name, dist=dist, role=role_arn, url=UrlSpec()), log=print)
        assert url_config(client, name)["AuthType"] == "AWS_IAM"
        assert policy_ids(client, name) == set()


# --- the CLI: refusals before any call, and the happy path ------------------------------


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("options", "message", "hint"),
    [
        (["--stream"], "--stream sets the function URL, and --url is not given", "add --url"),
        (["--url-auth", "NONE"], "--url-auth sets the function URL", "add --url"),
        (
            ["--max-concurrency", "8"],
            "--max-concurrency needs a capacity provider (Lambda Managed Instances), and none",
            "add --capacity-provider arn:aws:lambda:<region>:<account>:capacity-provider:",
        ),
        (["--memory-per-vcpu", "4"], "--memory-per-vcpu needs a capacity provider", "--capacity"),
        (
            ["--env", "AWS_LAMBDA_MAX_CONCURRENCY=4"],
            "--env AWS_LAMBDA_MAX_CONCURRENCY is set by Lambda on Managed Instances only",
            "--max-concurrency N",
        ),
        (
            ["--capacity-provider", CAPACITY, "--max-concurrency", "0"],
            "--max-concurrency 0 is out of range: Lambda accepts 1 to 1600",
            None,
        ),
        (
            ["--capacity-provider", CAPACITY, "--memory-per-vcpu", "3"],
            "--memory-per-vcpu 3 is not supported: Lambda accepts 2, 4 or 8 GiB per vCPU",
            None,
        ),
        (
            ["--capacity-provider", "fleet-1"],
            "--capacity-provider 'fleet-1' is not a capacity provider ARN",
            "arn:aws:lambda:<region>:<account>:capacity-provider:<name>",
        ),
    ],
)
def test_cli_refuses_before_any_call(
    aws_env, dist_factory, tmp_path, fault_proxy, moto_url, options, message, hint
):
    dist = dist_factory()
    with fault_proxy(moto_url, failures=0) as proxy:
        env = dict(aws_env, AWS_ENDPOINT_URL=proxy.url, LAMBDA_ROLE_ARN="arn:aws:iam::1:role/r")
        run = run_cli(["deploy", unique("refused"), "--dist", str(dist), *options], env, tmp_path)
    assert run.returncode == 2, run.stderr
    assert f"native-lambda: error: {message}" in run.stderr
    if hint:
        assert "  hint: " in run.stderr and hint in run.stderr.split("  hint: ")[1]
    assert "Traceback" not in run.stderr
    assert proxy.seen == []  # the server was never contacted


def test_cli_url_stream_prints_the_url(aws_env, role_arn, dist_factory, tmp_path):
    name = unique("cli-url")
    env = dict(aws_env, LAMBDA_ROLE_ARN=role_arn)
    run = run_cli(
        ["deploy", name, "--dist", str(dist_factory()), "--url", "--stream"], env, tmp_path
    )
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()
    assert last[-2].endswith(f"function:{name}")
    assert last[-1].startswith("https://") and ".lambda-url.us-east-1.on.aws" in last[-1]
    assert "created (AWS_IAM, RESPONSE_STREAM)" in run.stdout


# --- Managed Instances --------------------------------------------------------------------


def test_capacity_provider_create_sends_the_config_and_publishes_latest_published(
    moto_url, creds, role_arn, dist_factory
):
    name = unique("managed")
    capacity = capacity_config(CAPACITY, 16, 4, {})
    spec = DeploySpec(name, dist=dist_factory(), role=role_arn, capacity=capacity)
    with Recording(moto_url) as proxy, client_for(proxy.url, creds) as client:
        result = deploy(client, spec, log=print)
    assert result.created and result.published
    [create] = [b for m, p, b in proxy.requests if (m, p) == ("POST", "/2015-03-31/functions")]
    sent = json.loads(create)
    wanted = {
        "LambdaManagedInstancesCapacityProviderConfig": {
            "CapacityProviderArn": CAPACITY,
            "PerExecutionEnvironmentMaxConcurrency": 16,
            "ExecutionEnvironmentMemoryGiBPerVCpu": 4.0,
        }
    }
    assert sent["CapacityProviderConfig"] == wanted
    # botocore validates the whole request against the model and serializes it the same way.
    params = dict(sent, Code={"ZipFile": base64.b64decode(sent["Code"]["ZipFile"])})
    assert json.loads(botocore_request("CreateFunction", params)["body"]) == sent
    path, body = proxy.the("POST", f"/functions/{name}/versions")
    same_as_botocore(
        path, body, "PublishVersion", {"FunctionName": name, "PublishTo": "LATEST_PUBLISHED"}
    )


def test_capacity_provider_is_not_added_to_an_existing_function(
    moto_url, creds, role_arn, dist_factory
):
    name = unique("plain")
    dist = dist_factory()
    with client_for(moto_url, creds) as client:
        deploy(client, DeploySpec(name, dist=dist, role=role_arn), log=print)
    capacity = capacity_config(CAPACITY, None, None, {})
    spec = DeploySpec(name, dist=dist, role=role_arn, capacity=capacity)
    refused = pytest.raises(DeployError, match="exists without a capacity provider")
    with Recording(moto_url) as proxy, client_for(proxy.url, creds) as client, refused as caught:
        deploy(client, spec, log=print)
    assert "delete" in (caught.value.hint or "")
    assert proxy.writes() == []  # refused after GetFunction, before any write


def test_capacity_config_compares_only_what_is_sent():
    from native_lambda_toolchain.deploy._managed import differs

    wanted = capacity_config(CAPACITY, 8, None, {})
    assert wanted is not None
    have = {
        "LambdaManagedInstancesCapacityProviderConfig": {
            "CapacityProviderArn": CAPACITY,
            "PerExecutionEnvironmentMaxConcurrency": 8,
            "ExecutionEnvironmentMemoryGiBPerVCpu": 2.0,  # Lambda's default, not ours
        }
    }
    assert not differs(have, wanted)
    assert differs(have, capacity_config(CAPACITY, 9, None, {}) or {})
    assert capacity_config(None, None, None, {"A": "1"}) is None
