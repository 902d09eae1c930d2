"""Retries never duplicate a write: the proxy lets moto apply a write and then loses its
answer (5xx, dropped connection), and the test counts at moto what was really written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from native_lambda_toolchain.deploy import (
    DeployError,
    DeploySpec,
    LambdaClient,
    RetryPolicy,
    UncertainOutcome,
    deploy,
)

REPO = Path(__file__).resolve().parents[2]
_count = iter(range(10**6))


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_count)}-retry"


def client_for(url: str, creds, **kwargs) -> LambdaClient:
    kwargs.setdefault("retry", RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.02))
    return LambdaClient(endpoint=url, region="us-east-1", credentials=creds, **kwargs)


def test_lost_publish_answer_does_not_publish_a_second_layer_version(
    moto_url, creds, role_arn, dist_factory, fault_proxy
):
    name = unique("layer")
    with fault_proxy(moto_url, 1, 502, "ServiceException", mode="after", match="POST /2018") as p:
        with client_for(p.url, creds) as client:
            result = deploy(client, DeploySpec(name, dist=dist_factory(), role=role_arn))
        assert result.layer_published and result.created
    publishes = [w for w in p.writes() if "/layers/" in w]
    assert len(publishes) == 1, p.forwarded
    with client_for(moto_url, creds) as client:
        versions = list(client.list_layer_versions(f"{name}-libs"))
        assert [v["Version"] for v in versions] == [1]
        assert client.get_function(name)["Layers"][0]["Arn"] == result.layer_version_arn


def test_lost_create_answer_is_confirmed_by_code_sha(
    moto_url, creds, role_arn, dist_factory, fault_proxy
):
    name = unique("create")
    with (
        fault_proxy(
            moto_url, 1, 503, "ServiceException", mode="after", match="POST /2015-03-31/functions "
        ) as p,
        client_for(p.url, creds) as client,
    ):
        lines: list[str] = []
        result = deploy(
            client, DeploySpec(name, dist=dist_factory(), role=role_arn), log=lines.append
        )
    assert result.created
    creates = [w for w in p.writes() if w == "POST /2015-03-31/functions"]
    assert len(creates) == 1, p.forwarded
    assert any("confirmed after" in line for line in lines)


def test_create_that_was_not_applied_is_sent_again(
    moto_url, creds, role_arn, dist_factory, fault_proxy
):
    """A 5xx *before* moto saw the request: GetFunction finds nothing, so create again."""
    name = unique("create-again")
    with (
        fault_proxy(
            moto_url, 1, 500, "ServiceException", mode="before", match="POST /2015-03-31/functions "
        ) as p,
        client_for(p.url, creds) as client,
    ):
        result = deploy(client, DeploySpec(name, dist=dist_factory(), role=role_arn))
    assert result.created
    assert [w for w in p.writes() if w == "POST /2015-03-31/functions"] == [
        "POST /2015-03-31/functions"
    ]
    assert p.seen.count("POST /2015-03-31/functions") == 2


@pytest.mark.parametrize("mode", ["after", "drop"])
def test_invoke_is_never_repeated_after_the_request_was_sent(
    moto_url, creds, role_arn, dist_factory, fault_proxy, mode
):
    name = unique(f"invoke-{mode}")
    with client_for(moto_url, creds) as client:
        deploy(client, DeploySpec(name, dist=dist_factory(), role=role_arn))
    proxy = fault_proxy(moto_url, 1, 502, "ServiceException", mode=mode, match="/invocations")
    with proxy as p, client_for(p.url, creds) as client, pytest.raises(DeployError) as info:
        client.invoke(name, b"{}")
    invocations = [line for line in p.seen if "/invocations" in line]
    assert len(invocations) == 1, p.seen
    assert "not repeated" in str(info.value) and f"Invoke of {name}" in str(info.value)


def test_read_timeout_on_a_read_is_retried_then_reported(moto_url, creds, fault_proxy):
    waits: list[float] = []
    with (
        fault_proxy(moto_url, 100, mode="hang", delay=1.0) as p,
        client_for(p.url, creds, timeout=0.3, sleep=waits.append) as client,
        pytest.raises(DeployError) as info,
    ):
        client.get_function("anything")
    message = str(info.value)
    assert "no answer within 0.3 s (read timeout)" in message and "4 attempts" in message
    assert len(p.seen) == 4 and len(waits) == 3


def test_read_timeout_on_a_write_is_not_retried(moto_url, creds, fault_proxy):
    with (
        fault_proxy(moto_url, 100, mode="hang", delay=1.0) as p,
        client_for(p.url, creds, timeout=0.3) as client,
        pytest.raises(UncertainOutcome),
    ):
        client.create_function({"FunctionName": "x"}, b"PK")
    assert len(p.seen) == 1


def test_cli_reports_a_dropped_invoke_without_a_traceback(aws_env, fault_proxy, moto_url):
    with fault_proxy(moto_url, 1, mode="drop", match="/invocations") as p:
        done = subprocess.run(
            [sys.executable, "-m", "native_lambda_toolchain", "invoke", "f", "{}"],
            env=dict(aws_env, AWS_ENDPOINT_URL=p.url),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "native-lambda: error: Invoke of f: the exchange broke off" in done.stderr
    assert "hint: look at the function's logs" in done.stderr
    assert len([line for line in p.seen if "/invocations" in line]) == 1
