"""Differential test: our signer against botocore's on thousands of random requests.

botocore is the reference implementation (test-only dependency). Both sign the same wire
request at the same fixed time; the Authorization header / presigned URL must be equal.
"""

from __future__ import annotations

import calendar
import datetime
import random
from urllib.parse import quote

import pytest
from botocore import auth as bauth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from native_lambda import aws

FIXED = datetime.datetime(2026, 11, 28, 1, 2, 3)
FIXED_EPOCH = calendar.timegm(FIXED.timetuple())
N = 1200

METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"]
# Characters that are awkward in paths, queries or header values.
ODD = "aZ09-_.~ !\"#$&'()*+,;:=@[]{}|^`<>\\%\u00e9\u1234\U0001f600/"
SERVICES = ["lambda", "s3", "execute-api", "dynamodb", "sts"]


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore reads the time through this function: pin it, as our signer gets now=.
    monkeypatch.setattr(bauth, "get_current_datetime", lambda *a, **k: FIXED)


def _word(rng: random.Random, alphabet: str, lo: int = 0, hi: int = 8) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def _path(rng: random.Random) -> str:
    segments = []
    for _ in range(rng.randint(0, 5)):
        kind = rng.random()
        if kind < 0.1:
            segments.append(".")
        elif kind < 0.2:
            segments.append("..")
        elif kind < 0.3:
            segments.append("")
        else:
            segments.append(_word(rng, ODD.replace("/", ""), 1, 6))
    raw = "/" + "/".join(segments) + ("/" if rng.random() < 0.2 else "")
    return quote(raw, safe="/~")  # the wire form, as botocore's serializers produce it


def _query(rng: random.Random, unique: bool) -> str:
    keys = [_word(rng, ODD, 1, 5) for _ in range(rng.randint(1, 3))]
    pairs: list[tuple[str, str]] = []
    for _ in range(rng.randint(0, 5)):
        key = rng.choice(keys)  # repeated keys on purpose
        if unique and any(k == key for k, _ in pairs):
            continue
        pairs.append((key, _word(rng, ODD, 0, 6)))
    return "&".join(quote(k, safe="-_.~") + "=" + quote(v, safe="-_.~") for k, v in pairs)


def _headers(rng: random.Random) -> list[tuple[str, str]]:
    names = [
        "X-Custom",
        "x-amz-meta-tag",
        "Content-Type",
        "Accept",
        "My-Header",
        "Range",
        "User-Agent",
        "X-Amzn-Trace-Id",
        "Connection",
    ]
    headers = []
    for _ in range(rng.randint(0, 5)):
        name = rng.choice(names)
        if rng.random() < 0.3:
            name = name.upper()
        value = rng.choice(
            ["  spaced   out  ", "a\tb", "x", "", "  ", "v  a  l", '"q   u"', "a,b", "é"]
        ) + _word(rng, "ab ", 0, 4)
        headers.append((name, value))
    return headers


def _host(rng: random.Random) -> tuple[str, str]:
    scheme = rng.choice(["https", "http"])
    host = rng.choice(["example.amazonaws.com", "Lambda.US-East-1.amazonaws.com", "127.0.0.1"])
    port = rng.choice(["", ":443", ":80", ":8080", ":5000"])
    return scheme, host + port


def _creds(rng: random.Random) -> tuple[aws.Credentials, BotoCredentials]:
    key = "AKID" + _word(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 12, 16)
    secret = _word(rng, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789+/", 40, 40)
    token = _word(rng, "abcdefXYZ0123456789+/=", 20, 60) if rng.random() < 0.4 else None
    return aws.Credentials(key, secret, token), BotoCredentials(key, secret, token)


def _boto_request(method, url, headers, body) -> AWSRequest:
    request = AWSRequest(method=method, url=url, data=body)
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders appends: duplicates are kept
    return request


def test_authorization_header_equals_botocore() -> None:
    rng = random.Random(20261128)
    checked = 0
    for _ in range(N):
        method = rng.choice(METHODS)
        scheme, netloc = _host(rng)
        service = rng.choice(SERVICES)
        query = _query(rng, unique=False) if rng.random() < 0.7 else ""
        url = f"{scheme}://{netloc}{_path(rng)}" + (f"?{query}" if query else "")
        headers = _headers(rng)
        body = b"" if rng.random() < 0.5 else _word(rng, ODD, 1, 40).encode()
        unsigned = scheme == "https" and service != "s3" and rng.random() < 0.2
        ours, theirs = _creds(rng)

        signer_cls = bauth.S3SigV4Auth if service == "s3" else bauth.SigV4Auth
        request = _boto_request(method, url, headers, body)
        if unsigned:
            request.context["payload_signing_enabled"] = False
        signer_cls(theirs, service, "eu-west-3").add_auth(request)

        added = aws.sign_headers(
            method,
            url,
            headers,
            body,
            credentials=ours,
            region="eu-west-3",
            service=service,
            now=FIXED_EPOCH,
            unsigned_payload=unsigned,
        )
        context = f"{method} {url} headers={headers!r} body={body!r} service={service}"
        assert added["Authorization"] == request.headers["Authorization"], context
        assert added["X-Amz-Date"] == request.headers["X-Amz-Date"]
        assert added.get("X-Amz-Security-Token") == request.headers.get("X-Amz-Security-Token")
        assert added.get("X-Amz-Content-SHA256") == request.headers.get("X-Amz-Content-SHA256")
        checked += 1
    assert checked >= 1000


def test_presigned_url_equals_botocore() -> None:
    rng = random.Random(4242)
    for _ in range(N):
        method = rng.choice(["GET", "PUT", "HEAD", "DELETE"])
        scheme, netloc = _host(rng)
        service = rng.choice(SERVICES)
        query = _query(rng, unique=True) if rng.random() < 0.6 else ""
        url = f"{scheme}://{netloc}{_path(rng)}" + (f"?{query}" if query else "")
        headers = [h for h in _headers(rng) if h[0].lower() != "content-type"]
        expires = rng.choice([1, 60, 900, 3600, 604800])
        ours, theirs = _creds(rng)

        signer_cls = bauth.S3SigV4QueryAuth if service == "s3" else bauth.SigV4QueryAuth
        request = _boto_request(method, url, headers, b"")
        signer_cls(theirs, service, "ap-south-1", expires=expires).add_auth(request)

        signed = aws.presign_url(
            method,
            url,
            credentials=ours,
            region="ap-south-1",
            service=service,
            expires=expires,
            headers=headers,
            now=FIXED_EPOCH,
        )
        # botocore re-serialises the operation's own query; compare the canonical content.
        ours_sig = signed.rpartition("&X-Amz-Signature=")[2]
        theirs_sig = request.url.rpartition("&X-Amz-Signature=")[2]
        assert ours_sig == theirs_sig, f"{method} {url} headers={headers!r} service={service}"
        assert _query_set(signed) == _query_set(request.url)


def _query_set(url: str) -> list[str]:
    return sorted(url.partition("?")[2].split("&"))
