"""AWS Signature Version 4: Authorization headers and presigned URLs.

Pure functions over (method, URL, headers, payload). ``hashlib``/``hmac`` are imported on
the first signature, not at import, so a function that never signs never pays for them.
Rules followed (and tested against AWS's suite and botocore):

* canonical URI: the wire path, dot segments and empty segments removed and then encoded
  again (each segment "double-encoded") for every service except S3; S3 keys are used as
  they are, only normalised to single encoding;
* canonical query: each key and value decoded, re-encoded with only unreserved characters
  left alone, sorted by key then value, repeated keys kept;
* canonical headers: lower-cased names, values trimmed with inner runs of whitespace
  collapsed to one space, repeated headers joined with ``,``; hop-by-hop headers and
  ``user-agent``/trace headers are never signed because proxies may rewrite them.
"""

from __future__ import annotations

import time

from ._encoding import (
    canonical_query,
    query_pairs,
    remove_dot_segments,
    split_url,
    uri_decode,
    uri_encode,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterable, List, Mapping, Optional, Tuple, Union

    from ._types import Credentials

    HeadersLike = Union[Mapping[str, str], Iterable[Tuple[str, str]]]

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# Never signed: rewritten by proxies/clients, or the signature itself.
UNSIGNED_HEADERS = frozenset(
    (
        "authorization",
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    )
)

_KEY_CACHE: Dict[Tuple[str, str, str, str], bytes] = {}


def amz_date(now: Optional[float] = None) -> str:
    """``YYYYMMDDTHHMMSSZ`` for ``now`` (seconds since the epoch, default: the clock)."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))


def payload_hash(body: Union[bytes, str, None]) -> str:
    """Hex SHA-256 of the request body, as SigV4 wants it in the canonical request."""
    if not body:
        return EMPTY_SHA256
    import hashlib

    data = body.encode("utf-8") if isinstance(body, str) else body
    return hashlib.sha256(data).hexdigest()


def _pairs(headers: Optional[HeadersLike]) -> List[Tuple[str, str]]:
    if headers is None:
        return []
    if hasattr(headers, "items"):  # a mapping (typing.Mapping would cost an import)
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(str(k), str(v)) for k, v in headers]


def canonical_uri(path: str, *, s3: bool = False) -> str:
    """Canonical URI of a wire path (see module docstring)."""
    if s3:
        return uri_encode(uri_decode(path), safe="/") or "/"
    return uri_encode(remove_dot_segments(path), safe="/")


def _canonical_headers(pairs: List[Tuple[str, str]], host: str) -> Tuple[str, str]:
    grouped: Dict[str, List[str]] = {}
    for name, value in pairs:
        lname = name.strip().lower()
        if lname in UNSIGNED_HEADERS:
            continue
        grouped.setdefault(lname, []).append(" ".join(value.split()))
    if "host" not in grouped:
        grouped["host"] = [host]
    names = sorted(grouped)
    lines = "".join(n + ":" + ",".join(grouped[n]) + "\n" for n in names)
    return lines, ";".join(names)


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    cache_key = (secret, date, region, service)
    key = _KEY_CACHE.get(cache_key)
    if key is None:
        import hmac

        key = ("AWS4" + secret).encode("utf-8")
        for part in (date, region, service, "aws4_request"):
            key = hmac.new(key, part.encode("utf-8"), "sha256").digest()
        if len(_KEY_CACHE) > 16:  # one entry per day/region/service: stays tiny
            _KEY_CACHE.clear()
        _KEY_CACHE[cache_key] = key
    return key


def _signature(
    credentials: Credentials, stamp: str, region: str, service: str, canonical: str
) -> str:
    import hashlib
    import hmac

    scope = stamp[:8] + "/" + region + "/" + service + "/aws4_request"
    string_to_sign = "\n".join(
        (ALGORITHM, stamp, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest())
    )
    key = _signing_key(credentials.secret_access_key, stamp[:8], region, service)
    return hmac.new(key, string_to_sign.encode("utf-8"), "sha256").hexdigest()


def canonical_request(
    method: str,
    url: str,
    headers: Optional[HeadersLike],
    body_hash: str,
    *,
    s3: bool = False,
    extra_query: Optional[List[Tuple[str, str]]] = None,
) -> Tuple[str, str]:
    """The canonical request and its signed-header list (exposed for tests and debugging)."""
    parts = split_url(url)
    pairs = query_pairs(parts.query)
    if extra_query:
        pairs.extend(extra_query)
    lines, signed = _canonical_headers(_pairs(headers), parts.canonical_host)
    canonical = "\n".join(
        (
            method.upper(),
            canonical_uri(parts.path, s3=s3),
            canonical_query(pairs),
            lines,
            signed,
            body_hash,
        )
    )
    return canonical, signed


def sign_headers(
    method: str,
    url: str,
    headers: Optional[HeadersLike] = None,
    body: Union[bytes, str, None] = b"",
    *,
    credentials: Credentials,
    region: str,
    service: str,
    now: Optional[float] = None,
    body_hash: Optional[str] = None,
    unsigned_payload: bool = False,
    s3: Optional[bool] = None,
) -> Dict[str, str]:
    """Return the headers to add to a request so that AWS accepts it.

    Always ``X-Amz-Date`` and ``Authorization``; ``X-Amz-Security-Token`` with temporary
    credentials; ``X-Amz-Content-SHA256`` for S3 (which requires it) or when the payload
    is not signed. A caller's ``X-Amz-Content-SHA256`` header is taken as the body hash.
    Headers in ``headers`` that these replace are dropped from the signature.
    """
    if s3 is None:
        s3 = service == "s3"
    stamp = amz_date(now)
    replaced = {"x-amz-date", "x-amz-security-token", "authorization", "date"}
    given = _pairs(headers)
    for name, value in given:
        if name.lower() == "x-amz-content-sha256" and body_hash is None:
            body_hash = value
    if unsigned_payload:
        body_hash = UNSIGNED_PAYLOAD
    if body_hash is None:
        body_hash = payload_hash(body)
    added: Dict[str, str] = {"X-Amz-Date": stamp}
    if credentials.session_token:
        added["X-Amz-Security-Token"] = credentials.session_token
    if s3 or unsigned_payload:
        added["X-Amz-Content-SHA256"] = body_hash
        replaced.add("x-amz-content-sha256")
    signed_pairs = [(k, v) for k, v in given if k.lower() not in replaced]
    signed_pairs.extend(added.items())
    canonical, signed = canonical_request(method, url, signed_pairs, body_hash, s3=s3)
    signature = _signature(credentials, stamp, region, service, canonical)
    scope = stamp[:8] + "/" + region + "/" + service + "/aws4_request"
    added["Authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return added


def presign_url(
    method: str,
    url: str,
    *,
    credentials: Credentials,
    region: str,
    service: str,
    expires: int = 3600,
    headers: Optional[HeadersLike] = None,
    now: Optional[float] = None,
    body_hash: Optional[str] = None,
    s3: Optional[bool] = None,
) -> str:
    """A URL that carries its signature in the query (``X-Amz-Signature``).

    The payload is ``UNSIGNED-PAYLOAD`` for S3 (the body is unknown when presigning) and the
    hash of an empty body otherwise, unless ``body_hash`` says different. ``headers`` (if
    any) must be sent with the URL; ``host`` is always signed.
    """
    if not 1 <= expires <= 604800:
        raise ValueError("expires must be between 1 second and 7 days")
    if s3 is None:
        s3 = service == "s3"
    if body_hash is None:
        body_hash = UNSIGNED_PAYLOAD if s3 else EMPTY_SHA256
    stamp = amz_date(now)
    scope = stamp[:8] + "/" + region + "/" + service + "/aws4_request"
    parts = split_url(url)
    _, signed = _canonical_headers(_pairs(headers), parts.canonical_host)
    auth: List[Tuple[str, str]] = [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", credentials.access_key_id + "/" + scope),
        ("X-Amz-Date", stamp),
        ("X-Amz-Expires", str(expires)),
        ("X-Amz-SignedHeaders", signed),
    ]
    if credentials.session_token:
        auth.append(("X-Amz-Security-Token", credentials.session_token))
    base = url.partition("#")[0]
    auth_query = "&".join(uri_encode(k) + "=" + uri_encode(v) for k, v in auth)
    signed_url = base + ("&" if parts.query else ("" if base.endswith("?") else "?")) + auth_query
    canonical, _ = canonical_request(method, signed_url, headers, body_hash, s3=s3)
    signature = _signature(credentials, stamp, region, service, canonical)
    return signed_url + "&X-Amz-Signature=" + signature
