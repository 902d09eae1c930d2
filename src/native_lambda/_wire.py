"""The Runtime API's HTTP/1.1 wire format: request heads and the response head parser.

Shared by the blocking client (``_client``, every invocation of a one-process runtime) and
the event-loop client (``_aclient``, ``async def`` handlers served concurrently on one loop),
so both speak exactly the same bytes and read answers the same way.
"""

from __future__ import annotations

CRLF2 = b"\r\n\r\n"
#: Largest response head (status line and headers) read before giving up on the peer.
MAX_HEAD = 64 * 1024
UA = b"User-Agent: native-lambda/0.1\r\n"
NEXT = b"/2018-06-01/runtime/invocation/next"
JSON = b"Content-Type: application/json\r\n"


class RuntimeApiError(Exception):
    """The Runtime API cannot be reached or answered in a way the runtime cannot go on from."""


class Response:
    """Status, lower-cased headers and body of one HTTP response."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def is_decimal(text: str) -> bool:
    """ASCII digits only: ``int()`` would also take ``-1``, ``+1``, ``1_0`` and ``" 1"``."""
    return text.isdigit() and text.isascii()


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """Status and lower-cased headers of a response head (without its final blank line)."""
    if len(head) > MAX_HEAD:
        raise RuntimeApiError(
            f"response headers from the Runtime API exceed {MAX_HEAD // 1024} KiB"
        )
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if (
        len(status_line) < 2
        or not status_line[0].startswith("HTTP/")
        or not is_decimal(status_line[1])
        or len(status_line[1]) != 3
    ):
        raise RuntimeApiError(
            f"malformed HTTP status line from the Runtime API: {lines[0][:200]!r}"
        )
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line[1]), headers


def content_length(headers: dict[str, str]) -> int | None:
    """The declared body size, None without the header; a malformed one is an error."""
    length = headers.get("content-length")
    if length is None:
        return None
    if not is_decimal(length):
        raise RuntimeApiError(f"malformed Content-Length from the Runtime API: {length[:200]!r}")
    return int(length)


def request_head(method: bytes, path: bytes, host: bytes, headers: bytes, size: int) -> bytes:
    return b"%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\n\r\n" % (
        method,
        path,
        host,
        headers,
        size,
    )


def response_path(request_id: str) -> bytes:
    return b"/2018-06-01/runtime/invocation/%s/response" % request_id.encode("latin-1")


def error_path(request_id: str) -> bytes:
    return b"/2018-06-01/runtime/invocation/%s/error" % request_id.encode("latin-1")


def error_headers(error_type: str, xray_cause: bytes = b"") -> bytes:
    """Headers of an ``/error`` post; ``xray_cause`` is one line of ASCII JSON (or empty)."""
    # Header values must be one line of latin-1; error types are identifiers in practice.
    safe = error_type.encode("latin-1", "replace").replace(b"\r", b"").replace(b"\n", b"")
    headers = UA + JSON + b"Lambda-Runtime-Function-Error-Type: " + safe + b"\r\n"
    if xray_cause:
        headers += b"Lambda-Runtime-Function-XRay-Error-Cause: " + xray_cause + b"\r\n"
    return headers
