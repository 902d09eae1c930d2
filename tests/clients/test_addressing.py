"""Where requests go: S3 virtual-hosted and path-style addressing and operation host
prefixes, compared with the URL botocore builds, and seen at a real local server.

No DNS is needed: the server is the client's HTTP proxy (``HTTP_PROXY``, as botocore reads
it), so each request arrives in absolute form (``GET http://bucket.s3.example.test/key``)
with its Host header, whatever host name the endpoint has.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Tuple
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore.config import Config

from native_lambda.aws.clients import s3
from native_lambda.aws.protocols import _endpoint, _transport

from .scripted import ScriptedServer, sequence

ENDPOINT = "http://s3.example.test"
KEYS = {"aws_access_key_id": "AKIDADDRESSING000001", "aws_secret_access_key": "secret"}
OK = ("answer", 200, {"ETag": '"e"'}, b"")


class _Stop(Exception):
    pass


def _botocore_url(
    style: str, method: str, params: Dict[str, Any], endpoint: Optional[str] = ENDPOINT
) -> str:
    client = botocore.session.get_session().create_client(
        "s3",
        region_name="us-east-1" if endpoint else "eu-west-1",
        endpoint_url=endpoint,
        config=Config(s3={"addressing_style": style}),
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )
    seen = {}

    def grab(request: Any, **_: Any) -> None:
        seen["url"] = request.url
        raise _Stop

    client.meta.events.register("before-send", grab)
    with pytest.raises(_Stop):
        getattr(client, method)(**params)
    return seen["url"]


@pytest.fixture()
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    _transport.close_all()
    with ScriptedServer(sequence([], OK)) as server:
        monkeypatch.setenv("HTTP_PROXY", f"127.0.0.1:{server.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        yield server
    _transport.close_all()


def _ours(server: ScriptedServer, style: str, method: str, params: Dict[str, Any]) -> Tuple:
    client = s3.Client(
        region_name="us-east-1", endpoint_url=ENDPOINT, addressing_style=style, **KEYS
    )
    getattr(client, method)(**params)
    seen = server.requests[-1]
    return seen.path, seen.headers["host"]


CASES = [
    ("put_object", {"Bucket": "my-bucket", "Key": "a/b c.txt", "Body": b"x"}),
    ("put_object", {"Bucket": "dotted.bucket.name", "Key": "k", "Body": b"x"}),
    ("put_object", {"Bucket": "Upper_Case", "Key": "k", "Body": b"x"}),
    ("get_object", {"Bucket": "abc", "Key": "~tilde/ü"}),
    ("delete_object", {"Bucket": "my-bucket", "Key": "k"}),
]


# "Upper_Case" is no DNS name: botocore refuses it in virtual style, so that pair is left out.
STYLED = [
    (style, method, params)
    for style in ("auto", "virtual", "path")
    for method, params in CASES
    if not (style == "virtual" and params["Bucket"] == "Upper_Case")
]


@pytest.mark.parametrize(("style", "method", "params"), STYLED)
def test_bucket_addressing_matches_botocore(
    proxy: ScriptedServer, style: str, method: str, params: Dict[str, Any]
) -> None:
    path, host = _ours(proxy, style, method, params)
    expected = urlsplit(_botocore_url(style, method, params))
    got = urlsplit(path)
    assert (got.scheme, got.netloc, got.path) == (expected.scheme, expected.netloc, expected.path)
    assert host == expected.netloc


def test_virtual_hosted_request_carries_the_bucket_in_host(proxy: ScriptedServer) -> None:
    path, host = _ours(proxy, "virtual", "put_object", {"Bucket": "my-bucket", "Key": "k"})
    assert host == "my-bucket.s3.example.test"
    assert path == "http://my-bucket.s3.example.test/k"
    path, host = _ours(proxy, "path", "put_object", {"Bucket": "my-bucket", "Key": "k"})
    assert (path, host) == ("http://s3.example.test/my-bucket/k", "s3.example.test")


@pytest.mark.parametrize("bucket", ["my-bucket", "dotted.bucket", "Upper_Case"])
def test_auto_addressing_on_aws_endpoints_matches_botocore(bucket: str) -> None:
    """On AWS's own endpoint "auto" means virtual-hosted where the name allows: the host our
    (presigned) request uses is the one botocore sends its request to."""
    ours = s3.Client(region_name="eu-west-1", **KEYS).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"}
    )
    theirs = _botocore_url("auto", "get_object", {"Bucket": bucket, "Key": "k"}, None)
    got, expected = urlsplit(ours), urlsplit(theirs)
    assert (got.netloc, got.path) == (expected.netloc, expected.path)


def test_host_prefix_matches_botocore(proxy: ScriptedServer) -> None:
    params = {"RequestRoute": "route-1", "RequestToken": "token", "Body": b"data"}
    path, host = _ours(proxy, "auto", "write_get_object_response", params)
    expected = urlsplit(_botocore_url("auto", "write_get_object_response", params))
    assert host == expected.netloc == "route-1.s3.example.test"
    assert urlsplit(path).path == expected.path


def test_no_proxy_and_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128/")
    monkeypatch.setenv("NO_PROXY", "localhost, .example.test")
    assert _endpoint.proxy_for("https", "s3.amazonaws.com") == "proxy.internal:3128"
    assert _endpoint.proxy_for("https", "b.s3.example.test") is None
    assert _endpoint.proxy_for("https", "example.test") is None
    monkeypatch.setenv("NO_PROXY", "*")
    assert _endpoint.proxy_for("https", "s3.amazonaws.com") is None
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("HTTPS_PROXY", "http://user:pw@proxy.internal:3128")
    with pytest.raises(ValueError, match=r"HTTPS_PROXY=.*proxy credentials are not supported"):
        s3.Client(region_name="us-east-1", **KEYS)
