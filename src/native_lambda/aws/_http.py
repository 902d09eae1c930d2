"""One HTTP exchange over ``http.client`` for the credential sources (container endpoint,
instance metadata, STS, the SSO portal), so that functions need no httpx for credentials.

Loaded only when such a source is used; never at import of ``native_lambda.aws``.
"""

from __future__ import annotations

from ._encoding import split_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional, Tuple


class HttpFailure(Exception):
    """The exchange did not complete (refused, timed out, reset); the message says how."""


def exchange(
    method: str,
    url: str,
    *,
    headers: Optional[Mapping[str, str]] = None,
    body: Optional[bytes] = None,
    timeout: float = 5.0,
    limit: int = 1 << 20,
) -> Tuple[int, bytes]:
    """(status, body) of one request; at most ``limit`` bytes of the answer are read."""
    import http.client
    import socket

    parts = split_url(url)
    if parts.scheme not in ("http", "https"):
        raise HttpFailure(f"unsupported URL scheme {parts.scheme!r}")
    conn_type = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    conn = conn_type(parts.netloc, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        data = response.read(limit + 1)
    except (OSError, http.client.HTTPException) as exc:
        timed_out = isinstance(exc, (TimeoutError, socket.timeout))
        kind = "timed out" if timed_out else type(exc).__name__
        detail = str(exc)
        raise HttpFailure(kind + (f": {detail}" if detail and detail != kind else "")) from None
    finally:
        conn.close()
    if len(data) > limit:
        raise HttpFailure(f"answer larger than {limit} bytes")
    return response.status, data


def form_encode(pairs: Mapping[str, str]) -> bytes:
    """``application/x-www-form-urlencoded`` with SigV4's percent-encoding (``%20``)."""
    from ._encoding import uri_encode

    return "&".join(uri_encode(k) + "=" + uri_encode(v) for k, v in pairs.items()).encode()
