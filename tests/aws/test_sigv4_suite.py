"""Vectors from AWS's published SigV4 test suite and the S3 SigV4 documentation examples.

Facts only (request, expected canonical request and signature), restated as data: the
suite signs with key AKIDEXAMPLE at 2015-08-30T12:36:00Z for us-east-1/"service".
"""

from __future__ import annotations

import calendar

import pytest

from native_lambda import aws

SUITE_CREDS = aws.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_TIME = calendar.timegm((2015, 8, 30, 12, 36, 0, 0, 0, 0))
HOST = "example.amazonaws.com"
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
STS_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmx"
    "fpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0"
    "KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lI"
    "ZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)
UNRESERVED = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# name: (method, path+query as on the wire, extra headers, body,
#        expected canonical URI, expected canonical query, expected signature)
CASES = {
    "get-vanilla": (
        "GET",
        "/",
        [],
        b"",
        "/",
        "",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    "get-vanilla-empty-query-key": (
        "GET",
        "/?Param1=value1",
        [],
        b"",
        "/",
        "Param1=value1",
        "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
    ),
    "get-vanilla-query-order-key": (
        "GET",
        "/?Param1=value2&Param1=Value1",
        [],
        b"",
        "/",
        "Param1=Value1&Param1=value2",
        "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1",
    ),
    "get-vanilla-query-order-key-case": (
        "GET",
        "/?Param2=value2&Param1=value1",
        [],
        b"",
        "/",
        "Param1=value1&Param2=value2",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ),
    "get-vanilla-query-order-value": (
        "GET",
        "/?Param1=value2&Param1=value1",
        [],
        b"",
        "/",
        "Param1=value1&Param1=value2",
        "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694",
    ),
    "get-vanilla-query-unreserved": (
        "GET",
        f"/?{UNRESERVED}={UNRESERVED}",
        [],
        b"",
        "/",
        f"{UNRESERVED}={UNRESERVED}",
        "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    ),
    "get-vanilla-utf8-query": (
        "GET",
        "/?\u1234=bar",
        [],
        b"",
        "/",
        "%E1%88%B4=bar",
        "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    ),
    "get-unreserved": (
        "GET",
        f"/{UNRESERVED}",
        [],
        b"",
        f"/{UNRESERVED}",
        "",
        "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    ),
    "get-utf8": (
        "GET",
        "/\u1234",
        [],
        b"",
        "/%E1%88%B4",
        "",
        "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    ),
    # Repeated header lines keep their order and join with commas.
    "get-header-key-duplicate": (
        "GET",
        "/",
        [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
        b"",
        "/",
        "",
        "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
    ),
    # The suite's obs-folded lines "value1 / value2 / value3" canonicalise as three values.
    "get-header-value-multiline": (
        "GET",
        "/",
        [("My-Header1", "value1"), ("My-Header1", "  value2"), ("My-Header1", "     value3")],
        b"",
        "/",
        "",
        "ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790",
    ),
    "get-header-value-order": (
        "GET",
        "/",
        [
            ("My-Header1", "value4"),
            ("My-Header1", "value1"),
            ("My-Header1", "value3"),
            ("My-Header1", "value2"),
        ],
        b"",
        "/",
        "",
        "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
    ),
    # Leading/trailing spaces trimmed, inner runs of spaces collapsed (even inside quotes).
    "get-header-value-trim": (
        "GET",
        "/",
        [("My-Header1", " value1"), ("My-Header2", ' "a   b   c"')],
        b"",
        "/",
        "",
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    ),
    "post-vanilla": (
        "POST",
        "/",
        [],
        b"",
        "/",
        "",
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ),
    "post-vanilla-query": (
        "POST",
        "/?Param1=value1",
        [],
        b"",
        "/",
        "Param1=value1",
        "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
    ),
    "post-header-key-sort": (
        "POST",
        "/",
        [("My-Header1", "value1")],
        b"",
        "/",
        "",
        "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
    ),
    "post-header-value-case": (
        "POST",
        "/",
        [("My-Header1", "VALUE1")],
        b"",
        "/",
        "",
        "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    ),
    "post-x-www-form-urlencoded": (
        "POST",
        "/",
        [("Content-Type", "application/x-www-form-urlencoded")],
        b"Param1=value1",
        "/",
        "",
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ),
    # AWS's own files spell the charset "utf8"; one repackaging of the suite says "utf-8".
    "post-x-www-form-urlencoded-parameters": (
        "POST",
        "/",
        [("Content-Type", "application/x-www-form-urlencoded; charset=utf8")],
        b"Param1=value1",
        "/",
        "",
        "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
    ),
    # normalize-path group: dot segments and empty segments go, then the path is encoded.
    "get-relative": (
        "GET",
        "/example/..",
        [],
        b"",
        "/",
        "",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    "get-relative-relative": (
        "GET",
        "/example1/example2/../..",
        [],
        b"",
        "/",
        "",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    "get-slash": (
        "GET",
        "//",
        [],
        b"",
        "/",
        "",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    "get-slash-dot-slash": (
        "GET",
        "/./",
        [],
        b"",
        "/",
        "",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    "get-slash-pointless-dot": (
        "GET",
        "/./example",
        [],
        b"",
        "/example",
        "",
        "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5",
    ),
    "get-slashes": (
        "GET",
        "//example//",
        [],
        b"",
        "/example/",
        "",
        "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
    ),
    "get-space": (
        "GET",
        "/example space/",
        [],
        b"",
        "/example%20space/",
        "",
        "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
    ),
}


def _sign(method, target, headers, body, creds=SUITE_CREDS):
    url = f"https://{HOST}{target}"
    return url, aws.sign_headers(
        method,
        url,
        [("Host", HOST), *headers],
        body,
        credentials=creds,
        region="us-east-1",
        service="service",
        now=SUITE_TIME,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_suite_signature(name: str) -> None:
    method, target, headers, body, _uri, _query, signature = CASES[name]
    _, added = _sign(method, target, headers, body)
    names = sorted({"host", "x-amz-date", *(h.lower() for h, _ in headers)})
    assert added["X-Amz-Date"] == "20150830T123600Z"
    assert added["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_suite_canonical_request(name: str) -> None:
    method, target, headers, body, uri, query, _sig = CASES[name]
    url = f"https://{HOST}{target}"
    canonical, _ = aws.canonical_request(
        method,
        url,
        [("Host", HOST), *headers, ("X-Amz-Date", "20150830T123600Z")],
        aws.payload_hash(body),
    )
    lines = canonical.split("\n")
    assert lines[:3] == [method, uri, query]
    assert lines[3] == f"host:{HOST}" or lines[3].startswith("content-")
    assert lines[-1] == (
        EMPTY if not body else "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
    )


def test_suite_canonical_header_lines() -> None:
    _m, _t, headers, _b, _u, _q, _s = CASES["get-header-value-trim"]
    canonical, signed = aws.canonical_request(
        "GET",
        f"https://{HOST}/",
        [("Host", HOST), *headers, ("X-Amz-Date", "20150830T123600Z")],
        EMPTY,
    )
    assert 'my-header1:value1\nmy-header2:"a b c"\n' in canonical
    assert signed == "host;my-header1;my-header2;x-amz-date"
    canonical, _ = aws.canonical_request(
        "GET", f"https://{HOST}/", [("Host", HOST), *CASES["get-header-value-order"][2]], EMPTY
    )
    assert "my-header1:value4,value1,value3,value2\n" in canonical


def test_suite_session_token_is_signed() -> None:
    """post-sts-header-before: the token goes in X-Amz-Security-Token and is signed."""
    creds = aws.Credentials(SUITE_CREDS.access_key_id, SUITE_CREDS.secret_access_key, STS_TOKEN)
    _, added = _sign("POST", "/", [], b"", creds)
    assert added["X-Amz-Security-Token"] == STS_TOKEN
    assert added["Authorization"].endswith(
        "SignedHeaders=host;x-amz-date;x-amz-security-token, "
        "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
    )


# --- S3 documentation examples (key AKIAIOSFODNN7EXAMPLE, 2013-05-24T00:00:00Z) ---------

S3_CREDS = aws.Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
S3_TIME = calendar.timegm((2013, 5, 24, 0, 0, 0, 0, 0, 0))


def test_s3_get_object_example() -> None:
    added = aws.sign_headers(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        {"Range": "bytes=0-9"},
        b"",
        credentials=S3_CREDS,
        region="us-east-1",
        service="s3",
        now=S3_TIME,
    )
    assert added["X-Amz-Content-SHA256"] == EMPTY
    assert added["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_s3_presigned_url_example() -> None:
    url = aws.presign_url(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        credentials=S3_CREDS,
        region="us-east-1",
        service="s3",
        expires=86400,
        now=S3_TIME,
    )
    assert url == (
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )


def test_s3_keys_are_not_double_encoded_or_normalised() -> None:
    assert (
        aws.canonical_request(
            "GET", "https://b.s3.amazonaws.com/a%20b//c/../d", [], EMPTY, s3=True
        )[0].split("\n")[1]
        == "/a%20b//c/../d"
    )
    assert (
        aws.canonical_request("GET", "https://h/a%20b//c/../d", [], EMPTY)[0].split("\n")[1]
        == "/a%2520b/d"
    )


def test_unsigned_payload_is_declared_and_signed() -> None:
    added = aws.sign_headers(
        "PUT",
        "https://examplebucket.s3.amazonaws.com/big",
        {},
        b"x" * 10,
        credentials=S3_CREDS,
        region="us-east-1",
        service="s3",
        now=S3_TIME,
        unsigned_payload=True,
    )
    assert added["X-Amz-Content-SHA256"] == aws.UNSIGNED_PAYLOAD
    assert "x-amz-content-sha256" in added["Authorization"]


def test_payload_hash() -> None:
    assert aws.payload_hash(b"") == EMPTY
    assert aws.payload_hash("Param1=value1") == (
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
    )
