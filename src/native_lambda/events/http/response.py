"""The answer side of the HTTP model: :class:`Response` and :class:`HTTPError`.

A Response knows its status, headers, cookies and body, and how to put the body on the
wire (text or base64). The shape each front door wants is built by that door's encoder
in ``_front_doors``.
"""

from __future__ import annotations

import binascii
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import msgspec

if TYPE_CHECKING:
    from .request import Request

__all__ = ["HTTPError", "Response", "StreamingResponse"]

#: The content type Lambda reads as "JSON prelude, 8 NUL bytes, then the body".
HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"
_DELIMITER = b"\0" * 8

# Reason phrases for ALB's statusDescription; a table avoids importing http.HTTPStatus.
_REASONS = {
    100: "Continue", 101: "Switching Protocols", 200: "OK", 201: "Created",
    202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
    205: "Reset Content", 206: "Partial Content", 300: "Multiple Choices",
    301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
    307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request",
    401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout",
    409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed",
    413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
    416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a teapot",
    422: "Unprocessable Content", 425: "Too Early", 426: "Upgrade Required",
    428: "Precondition Required", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
}  # fmt: skip

HeaderValue = Union[str, Sequence[str]]

_TEXT_TYPES = ("json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "csv")


def _status_line(status: int) -> str:
    """``"200 OK"``: the status with its reason phrase, when there is one."""
    return f"{status} {_REASONS.get(status, '')}".rstrip()


def _is_text(content_type: Optional[str]) -> bool:
    if not content_type:
        return False
    content_type = content_type.lower()
    return content_type.startswith("text/") or any(t in content_type for t in _TEXT_TYPES)


class HTTPError(Exception):
    """Raise from a route to answer ``status`` with ``{"message": ...}`` as JSON."""

    def __init__(
        self,
        status: int,
        message: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.status = status
        self.message = message or _REASONS.get(status, "Error")
        self.headers = dict(headers or {})
        super().__init__(f"{status} {self.message}")

    def to_response(self) -> Response:
        return Response.json({"message": self.message}, status=self.status, headers=self.headers)


class Response:
    """An HTTP answer. ``body`` may be str or bytes: bytes of a non-text content type go
    out base64-encoded (``isBase64Encoded``). Header values may be lists (repeated
    headers); ``cookies`` are ``Set-Cookie`` values."""

    __slots__ = ("body", "cookies", "headers", "status")

    def __init__(
        self,
        body: Union[str, bytes, None] = None,
        status: int = 200,
        headers: Optional[Mapping[str, HeaderValue]] = None,
        cookies: Sequence[str] = (),
        content_type: Optional[str] = None,
    ) -> None:
        self.body = body
        self.status = status
        self.headers: Dict[str, HeaderValue] = dict(headers or {})
        self.cookies = list(cookies)
        if content_type is not None:
            self.headers["Content-Type"] = content_type

    @classmethod
    def json(
        cls,
        value: Any,
        status: int = 200,
        headers: Optional[Mapping[str, HeaderValue]] = None,
        cookies: Sequence[str] = (),
    ) -> Response:
        """``value`` (Structs, dicts, lists, ...) encoded by msgspec as application/json."""
        response = cls(msgspec.json.encode(value), status, headers, cookies)
        if response._content_type() is None:
            response.headers["Content-Type"] = "application/json"
        return response

    @classmethod
    def text(
        cls,
        text: str,
        status: int = 200,
        headers: Optional[Mapping[str, HeaderValue]] = None,
        cookies: Sequence[str] = (),
    ) -> Response:
        response = cls(text, status, headers, cookies)
        if response._content_type() is None:
            response.headers["Content-Type"] = "text/plain; charset=utf-8"
        return response

    def _content_type(self) -> Optional[str]:
        for name, value in self.headers.items():
            if name.lower() == "content-type":
                return value if isinstance(value, str) else (value[0] if value else None)
        return None

    def _encoded_body(self) -> Tuple[Optional[str], bool]:
        """The body as the front doors carry it: (text or base64, isBase64Encoded)."""
        body = self.body
        if body is None:
            return None, False
        if isinstance(body, str):
            return body, False
        if _is_text(self._content_type()):
            try:
                return body.decode("utf-8"), False
            except UnicodeDecodeError:
                pass
        return binascii.b2a_base64(body, newline=False).decode("ascii"), True

    def _multi_headers(self) -> Dict[str, List[str]]:
        """Every header as a list of values, the cookies as ``Set-Cookie`` values."""
        multi = {
            name: [value] if isinstance(value, str) else list(value)
            for name, value in self.headers.items()
        }
        if self.cookies:
            multi.setdefault("Set-Cookie", []).extend(self.cookies)
        return multi

    def _joined_headers(self) -> Dict[str, str]:
        """Every header as one value, repeated values comma-joined (cookies left out)."""
        return {
            name: value if isinstance(value, str) else ", ".join(value)
            for name, value in self.headers.items()
        }

    def to_event(self, request: Request) -> Any:
        """This response in the shape ``request.source`` expects, as its Struct."""
        from ._front_doors import response_to_event  # imports this module: not at the top

        return response_to_event(self, request)

    def __repr__(self) -> str:
        return f"<Response {self.status}>"


class StreamingResponse:
    """A streamed HTTP answer for Function URLs in ``RESPONSE_STREAM`` mode: ``body`` is an
    iterable of ``str``/``bytes`` chunks, each sent to the client as it is produced.

    The prelude (``statusCode``, ``headers``, ``cookies`` as JSON) goes out first, followed by
    the 8 NUL bytes that end it, as Lambda's ``http-integration-response`` format expects.
    """

    __slots__ = ("body", "cookies", "headers", "status")

    def __init__(
        self,
        body: Iterable[Union[str, bytes]],
        status: int = 200,
        headers: Optional[Mapping[str, HeaderValue]] = None,
        cookies: Sequence[str] = (),
        content_type: Optional[str] = None,
    ) -> None:
        self.body = body
        self.status = status
        self.headers: Dict[str, HeaderValue] = dict(headers or {})
        self.cookies = list(cookies)
        if content_type is not None:
            self.headers["Content-Type"] = content_type

    def prelude(self) -> bytes:
        """The JSON prelude and its delimiter: what a Function URL reads before the body."""
        headers = {
            name: value if isinstance(value, str) else ", ".join(value)
            for name, value in self.headers.items()
        }
        prelude: Dict[str, Any] = {"statusCode": self.status, "headers": headers}
        if self.cookies:
            prelude["cookies"] = self.cookies
        return msgspec.json.encode(prelude) + _DELIMITER

    def __lambda_stream__(self) -> Tuple[str, Iterator[Union[str, bytes]]]:
        """The runtime's streaming protocol: (content type, chunks)."""
        return HTTP_INTEGRATION, self._chunks()

    def _chunks(self) -> Iterator[Union[str, bytes]]:
        yield self.prelude()
        yield from self.body

    def __repr__(self) -> str:
        return f"<StreamingResponse {self.status}>"
