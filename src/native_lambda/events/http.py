"""One HTTP model over every front door, and a small router.

API Gateway REST APIs (payload 1.0), HTTP APIs (2.0), Lambda Function URLs and ALB target
groups each send a different event and want a different answer. :class:`Request` and
:class:`Response` hide that: a :class:`Router` takes the raw event (a dict, bytes or
``msgspec.Raw``), detects where it came from, decodes it strictly into that source's
Struct, calls the matching route and answers in the source's response shape (ALB's
``statusDescription``, multi-value headers when the request used them, cookies as v2
``cookies`` or ``Set-Cookie`` headers, base64 bodies both ways)::

    app = Router()

    @app.get("/items/{id}")
    def get_item(request: Request, id: str) -> dict:
        return {"id": id}

    handler = app  # python -m native_lambda module.handler
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping as _Mapping  # isinstance: faster than typing's
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)

import msgspec

__all__ = [
    "ALB",
    "API_GATEWAY_V1",
    "API_GATEWAY_V2",
    "FUNCTION_URL",
    "HTTPError",
    "Headers",
    "MultiDict",
    "Request",
    "Response",
    "Router",
    "detect_source",
]

T = TypeVar("T")

API_GATEWAY_V1 = "apigateway-v1"
API_GATEWAY_V2 = "apigateway-v2"
FUNCTION_URL = "function-url"
ALB = "alb"

# The error type the runtime gives an event that does not decode into the handler's type.
UNMARSHAL_ERROR = "Runtime.UnmarshalError"

Handler = Callable[..., Any]
HeaderValue = Union[str, Sequence[str]]

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

_TEXT_TYPES = ("json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "csv")


def _unquote(text: str, plus: bool) -> str:
    """Percent-decoding; ``urllib.parse`` is imported only when there is some to do."""
    if plus and "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    from urllib.parse import unquote

    return unquote(text)


class MultiDict:
    """A mapping of name → values keeping every repeated value, in order.

    ``m[name]``/``get`` give the first value, ``get_all`` every value. Iteration yields
    each name once.
    """

    __slots__ = ("_items",)
    _fold = False

    def __init__(
        self, items: Union[Mapping[str, HeaderValue], Iterable[Tuple[str, HeaderValue]]] = ()
    ) -> None:
        self._items: Dict[str, List[str]] = {}
        pairs = items.items() if isinstance(items, (dict, _Mapping)) else items
        for name, value in pairs:
            if isinstance(value, str):
                self.add(name, value)
            else:
                for one in value:
                    self.add(name, one)

    def _key(self, name: str) -> str:
        return name.lower() if self._fold else name

    def add(self, name: str, value: str) -> None:
        key = self._key(name)
        values = self._items.get(key)
        if values is None:
            self._items[key] = [value]
        else:
            values.append(value)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        values = self._items.get(self._key(name))
        return values[0] if values else default

    def get_all(self, name: str) -> List[str]:
        return list(self._items.get(self._key(name), ()))

    def __getitem__(self, name: str) -> str:
        values = self._items.get(self._key(name))
        if not values:
            raise KeyError(name)
        return values[0]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> Iterator[Tuple[str, str]]:
        """Every (name, value) pair, repeated names included."""
        for name, values in self._items.items():
            for value in values:
                yield name, value

    def to_dict(self) -> Dict[str, List[str]]:
        return {name: list(values) for name, values in self._items.items()}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MultiDict):
            return self._items == other._items
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"


class Headers(MultiDict):
    """Case-insensitive :class:`MultiDict`; names are kept lower-case.

    HTTP APIs and Function URLs join repeated headers with commas before Lambda sees them,
    so there a repeated header is one comma-separated value.
    """

    __slots__ = ()
    _fold = True


def _parse_query(raw: str) -> MultiDict:
    query = MultiDict()
    if raw:
        for part in raw.split("&"):
            if part:
                name, _, value = part.partition("=")
                query.add(_unquote(name, True), _unquote(value, True))
    return query


def _parse_cookies(values: Iterable[str]) -> Dict[str, str]:
    """``Cookie`` header values (``a=1; b=2``) or v2's list of ``a=1`` pairs."""
    cookies: Dict[str, str] = {}
    for value in values:
        for pair in value.split(";"):
            name, sep, val = pair.strip().partition("=")
            if sep and name:
                cookies[name] = val
    return cookies


def _body_bytes(body: Optional[str], is_base64: bool) -> bytes:
    if not body:
        return b""
    if not is_base64:
        return body.encode("utf-8")
    try:
        return binascii.a2b_base64(body)
    except binascii.Error as exc:
        raise ValueError(f"the event's body is flagged isBase64Encoded but: {exc}") from None


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


class Request:
    """An HTTP request, whatever front door it came through.

    ``body`` is bytes (base64 already undone); ``text``/``json`` decode it. ``event`` is
    the source's typed Struct (for authorizer claims, stage variables, ...), ``source`` one
    of ``apigateway-v1``, ``apigateway-v2``, ``function-url``, ``alb``.
    """

    __slots__ = (
        "_body",
        "_wire_body",
        "context",
        "cookies",
        "event",
        "headers",
        "method",
        "multi_value",
        "path",
        "path_params",
        "query",
        "source",
    )

    def __init__(
        self,
        method: str,
        path: str,
        *,
        headers: Optional[Headers] = None,
        query: Optional[MultiDict] = None,
        cookies: Optional[Dict[str, str]] = None,
        body: bytes = b"",
        wire_body: Optional[Tuple[Optional[str], bool]] = None,
        path_params: Optional[Dict[str, str]] = None,
        source: str = "",
        event: Any = None,
        context: Any = None,
        multi_value: bool = False,
    ) -> None:
        self.method = method.upper()
        self.path = path
        self.headers = headers if headers is not None else Headers()
        self.query = query if query is not None else MultiDict()
        self.cookies = cookies if cookies is not None else {}
        # The event's (body, isBase64Encoded), decoded on first access to ``body``.
        self._wire_body = wire_body
        self._body: Optional[bytes] = None if wire_body is not None else body
        self.path_params = path_params if path_params is not None else {}
        self.source = source
        self.event = event
        self.context = context
        # True when the request came with multi-value maps (ALB answers the same way).
        self.multi_value = multi_value

    @property
    def body(self) -> bytes:
        if self._body is None:
            self._body = _body_bytes(*self._wire_body) if self._wire_body else b""
        return self._body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self, type: Type[T] = Any) -> T:  # type: ignore[assignment]
        """The body decoded strictly into ``type``; bad input answers 400 naming the field."""
        try:
            return msgspec.json.decode(self.body, type=type)
        except msgspec.DecodeError as exc:  # ValidationError included
            raise HTTPError(400, f"Invalid request body: {exc}") from None

    @classmethod
    def from_event(cls, event: Any, context: Any = None) -> Request:
        """Detect the source of a raw event (dict, bytes, ``msgspec.Raw`` or a typed
        Struct) and build the request. Raises ``msgspec.ValidationError`` naming the field
        when the event does not match its source's shape."""
        if isinstance(event, msgspec.Struct):
            source = _STRUCT_SOURCES.get(type(event).__name__)
            if source is None:
                raise TypeError(f"not an HTTP event Struct: {type(event).__name__}")
            return _BUILDERS[source](event, context)
        source = detect_source(event)
        typed = _decode(event, _event_type(source))
        return _BUILDERS[source](typed, context)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path} from {self.source or '?'}>"


def _event_type(source: str) -> Type[Any]:
    if source == API_GATEWAY_V1:
        from .apigateway import APIGatewayProxyEvent

        return APIGatewayProxyEvent
    if source == API_GATEWAY_V2:
        from .apigateway import APIGatewayV2Event

        return APIGatewayV2Event
    if source == FUNCTION_URL:
        from .function_url import FunctionUrlEvent

        return FunctionUrlEvent
    from .alb import ALBEvent

    return ALBEvent


def _decode(event: Any, type_: Type[T]) -> T:
    if isinstance(event, (bytes, bytearray, memoryview, str, msgspec.Raw)):
        return msgspec.json.decode(event, type=type_)
    return msgspec.convert(event, type_)


class _ProbeContext(msgspec.Struct, rename="camel"):
    elb: Optional[Dict[str, Any]] = None  # tiny; msgspec.Raw cannot be Optional
    domain_name: Optional[str] = None


class _Probe(msgspec.Struct, rename="camel"):
    version: Optional[str] = None
    http_method: Optional[str] = None
    request_context: Optional[_ProbeContext] = None


def _classify(
    version: Any, has_http_method: bool, has_elb: bool, domain_name: Any
) -> Optional[str]:
    if has_elb:
        return ALB
    if version == "2.0":
        if isinstance(domain_name, str) and ".lambda-url." in domain_name:
            return FUNCTION_URL
        return API_GATEWAY_V2
    if has_http_method:
        return API_GATEWAY_V1
    return None


def detect_source(event: Any) -> str:
    """Which front door sent ``event``: ``alb`` (``requestContext.elb``), ``function-url``
    (payload 2.0 on a ``*.lambda-url.*`` domain), ``apigateway-v2`` (other 2.0) or
    ``apigateway-v1`` (``httpMethod`` at the top)."""
    if isinstance(event, (dict, _Mapping)):
        context = event.get("requestContext")
        context = context if isinstance(context, (dict, _Mapping)) else {}
        source = _classify(
            event.get("version"),
            "httpMethod" in event,
            context.get("elb") is not None,
            context.get("domainName"),
        )
    else:
        try:
            probe = msgspec.json.decode(event, type=_Probe)
        except msgspec.ValidationError:
            probe = _Probe()
        context_ = probe.request_context or _ProbeContext()
        source = _classify(
            probe.version, probe.http_method is not None, context_.elb is not None,
            context_.domain_name,
        )  # fmt: skip
    if source is None:
        raise msgspec.ValidationError(
            "Not an HTTP event: expected an API Gateway, Function URL or ALB request "
            "(`version` 2.0, `httpMethod` or `requestContext.elb`)"
        )
    return source


def _single_or_multi(
    single: Optional[Dict[str, str]], multi: Optional[Dict[str, List[str]]]
) -> Iterable[Tuple[str, HeaderValue]]:
    if multi:
        return multi.items()
    return (single or {}).items()


def _from_v1(event: Any, context: Any) -> Request:
    headers = Headers(_single_or_multi(event.headers, event.multi_value_headers))
    query = MultiDict(
        _single_or_multi(event.query_string_parameters, event.multi_value_query_string_parameters)
    )
    return Request(
        event.http_method,
        event.path,
        headers=headers,
        query=query,
        cookies=_parse_cookies(headers.get_all("cookie")),
        wire_body=(event.body, event.is_base64_encoded),
        path_params=dict(event.path_parameters or {}),
        source=API_GATEWAY_V1,
        event=event,
        context=context,
        multi_value=event.multi_value_headers is not None,
    )


def _from_v2(event: Any, context: Any, source: str = API_GATEWAY_V2) -> Request:
    path = event.raw_path
    stage = event.request_context.stage
    # HTTP APIs put a named stage in front of the path; routes are written without it.
    if stage and stage != "$default" and path.startswith("/" + stage):
        rest = path[len(stage) + 1 :]
        if not rest or rest.startswith("/"):
            path = rest or "/"
    headers = Headers(event.headers or {})
    return Request(
        event.request_context.http.method,
        path,
        headers=headers,
        query=_parse_query(event.raw_query_string),
        cookies=_parse_cookies(event.cookies or ()),
        wire_body=(event.body, event.is_base64_encoded),
        path_params=dict(getattr(event, "path_parameters", None) or {}),
        source=source,
        event=event,
        context=context,
    )


def _from_function_url(event: Any, context: Any) -> Request:
    return _from_v2(event, context, FUNCTION_URL)


def _from_alb(event: Any, context: Any) -> Request:
    headers = Headers(_single_or_multi(event.headers, event.multi_value_headers))
    query = MultiDict()
    # ALB hands the query over as the client sent it: still percent-encoded.
    for name, value in _single_or_multi(
        event.query_string_parameters, event.multi_value_query_string_parameters
    ):
        for one in (value,) if isinstance(value, str) else value:
            query.add(_unquote(name, True), _unquote(one, True))
    return Request(
        event.http_method,
        event.path,
        headers=headers,
        query=query,
        cookies=_parse_cookies(headers.get_all("cookie")),
        wire_body=(event.body, event.is_base64_encoded),
        source=ALB,
        event=event,
        context=context,
        multi_value=event.multi_value_headers is not None,
    )


_BUILDERS: Dict[str, Callable[[Any, Any], Request]] = {
    API_GATEWAY_V1: _from_v1,
    API_GATEWAY_V2: _from_v2,
    FUNCTION_URL: _from_function_url,
    ALB: _from_alb,
}
_STRUCT_SOURCES = {
    "APIGatewayProxyEvent": API_GATEWAY_V1,
    "APIGatewayV2Event": API_GATEWAY_V2,
    "FunctionUrlEvent": FUNCTION_URL,
    "ALBEvent": ALB,
}


def _is_text(content_type: Optional[str]) -> bool:
    if not content_type:
        return False
    content_type = content_type.lower()
    return content_type.startswith("text/") or any(t in content_type for t in _TEXT_TYPES)


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
        multi = {
            name: [value] if isinstance(value, str) else list(value)
            for name, value in self.headers.items()
        }
        if self.cookies:
            multi.setdefault("Set-Cookie", []).extend(self.cookies)
        return multi

    def _joined_headers(self) -> Dict[str, str]:
        return {
            name: value if isinstance(value, str) else ", ".join(value)
            for name, value in self.headers.items()
        }

    def _payload_v2(self, struct: Any, body: Optional[str], is_base64: bool) -> Any:
        """Function URLs and HTTP APIs answer with the same payload format 2.0 fields."""
        return struct(
            status_code=self.status,
            headers=self._joined_headers() or None,
            body=body,
            is_base64_encoded=is_base64,
            cookies=self.cookies or None,
        )

    def to_event(self, request: Request) -> Any:
        """This response in the shape ``request.source`` expects, as its Struct."""
        body, is_base64 = self._encoded_body()
        source = request.source
        if source == FUNCTION_URL:
            from .function_url import FunctionUrlResponse

            return self._payload_v2(FunctionUrlResponse, body, is_base64)
        if source == API_GATEWAY_V2:
            from .apigateway import APIGatewayV2Response

            return self._payload_v2(APIGatewayV2Response, body, is_base64)
        if source == API_GATEWAY_V1:
            from .apigateway import APIGatewayProxyResponse

            multi = self._multi_headers()
            single = {name: values[0] for name, values in multi.items() if len(values) == 1}
            repeated = {name: values for name, values in multi.items() if len(values) > 1}
            return APIGatewayProxyResponse(
                status_code=self.status,
                headers=single or None,
                multi_value_headers=repeated or None,
                body=body,
                is_base64_encoded=is_base64,
            )
        if source == ALB:
            from .alb import ALBResponse

            description = f"{self.status} {_REASONS.get(self.status, '')}".rstrip()
            if request.multi_value:
                return ALBResponse(
                    status_code=self.status,
                    status_description=description,
                    is_base64_encoded=is_base64,
                    multi_value_headers=self._multi_headers(),
                    body=body,
                )
            headers = self._joined_headers()
            if self.cookies:
                # One value per header without multi-value headers: enable them on the
                # target group to set several cookies.
                headers["Set-Cookie"] = self.cookies[-1]
            return ALBResponse(
                status_code=self.status,
                status_description=description,
                is_base64_encoded=is_base64,
                headers=headers,
                body=body,
            )
        raise ValueError(f"unknown request source {source!r}")

    def __repr__(self) -> str:
        return f"<Response {self.status}>"


def _as_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status=204)
    if isinstance(result, str):
        return Response.text(result)
    if isinstance(result, (bytes, bytearray)):
        return Response(bytes(result), content_type="application/octet-stream")
    return Response.json(result)


def _split(path: str) -> List[str]:
    return [segment for segment in path.split("/") if segment]


class _Route:
    __slots__ = ("greedy", "handlers", "pattern", "segments")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.segments = _split(pattern)
        self.handlers: Dict[str, Handler] = {}
        last = self.segments[-1] if self.segments else ""
        self.greedy = last.startswith("{") and last.endswith("+}")
        for segment in self.segments[:-1] if self.greedy else self.segments:
            if segment.endswith("+}"):
                raise ValueError(f"{pattern}: only the last segment may be greedy ({{name+}})")

    def match(self, parts: List[str], decode: bool) -> Optional[Dict[str, str]]:
        segments = self.segments
        fixed = len(segments) - 1 if self.greedy else len(segments)
        if len(parts) < fixed + (1 if self.greedy else 0) or (
            not self.greedy and len(parts) != fixed
        ):
            return None
        params: Dict[str, str] = {}
        for segment, part in zip(segments[:fixed], parts):
            if segment.startswith("{") and segment.endswith("}"):
                params[segment[1:-1]] = _unquote(part, False) if decode else part
            elif segment != part:
                return None
        if self.greedy:
            rest = "/".join(parts[fixed:])
            params[segments[-1][1:-2]] = _unquote(rest, False) if decode else rest
        return params


class Router:
    """Routes by method and path template: ``/items/{id}`` (one segment) and
    ``/files/{path+}`` (the rest of the path). Routes are called ``fn(request, **params)``
    and may return a :class:`Response`, a str (text), bytes, ``None`` (204) or anything
    msgspec encodes (JSON). Unknown paths answer 404, known paths with another method 405
    (with ``Allow``); HEAD falls back to GET without the body.

    The router is itself a Lambda handler: ``handler = Router()`` then
    ``handler(event, context)`` answers in the event source's response shape.
    """

    def __init__(self) -> None:
        self._static: Dict[str, _Route] = {}
        self._dynamic: List[_Route] = []

    def route(self, path: str, methods: Sequence[str] = ("GET",)) -> Callable[[Handler], Handler]:
        if not path.startswith("/"):
            raise ValueError(f"route {path!r} must start with '/'")
        normalized = "/" + "/".join(_split(path))

        def register(fn: Handler) -> Handler:
            route = self._static.get(normalized) if "{" not in normalized else None
            if route is None:
                route = next((r for r in self._dynamic if r.pattern == normalized), None)
            if route is None:
                route = _Route(normalized)
                if "{" in normalized:
                    self._dynamic.append(route)
                else:
                    self._static[normalized] = route
            for method in methods:
                route.handlers[method.upper()] = fn
            return fn

        return register

    def get(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("GET",))

    def post(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("POST",))

    def put(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("PUT",))

    def patch(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("PATCH",))

    def delete(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("DELETE",))

    def head(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("HEAD",))

    def options(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("OPTIONS",))

    def resolve(
        self, method: str, path: str, decode: bool = True
    ) -> Tuple[Handler, Dict[str, str]]:
        """The route for ``method path`` and its parameters; HTTPError 404/405 otherwise."""
        method = method.upper()
        parts = _split(path)
        allowed: List[str] = []
        candidates: List[Tuple[_Route, Dict[str, str]]] = []
        static = self._static.get("/" + "/".join(parts))
        if static is not None:
            candidates.append((static, {}))
        for route in self._dynamic:
            params = route.match(parts, decode)
            if params is not None:
                candidates.append((route, params))
        for route, params in candidates:
            fn = route.handlers.get(method)
            if fn is None and method == "HEAD":
                fn = route.handlers.get("GET")
            if fn is not None:
                return fn, params
            allowed.extend(m for m in route.handlers if m not in allowed)
        if allowed:
            raise HTTPError(405, headers={"Allow": ", ".join(sorted(allowed))})
        raise HTTPError(404)

    def handle(self, request: Request) -> Response:
        """Route ``request`` and turn the result (or an HTTPError) into a Response."""
        try:
            # HTTP APIs hand over the path percent-decoded already; REST APIs, Function
            # URLs and ALB pass it as the client sent it.
            fn, params = self.resolve(
                request.method, request.path, decode=request.source != API_GATEWAY_V2
            )
            request.path_params = params
            response = _as_response(fn(request, **params))
        except HTTPError as exc:
            response = exc.to_response()
        if request.method == "HEAD":
            response.body = None
        return response

    def __call__(self, event: msgspec.Raw, context: Any = None) -> Any:
        """The Lambda handler: raw event in, the source's response Struct out."""
        try:
            request = Request.from_event(event, context)
        except msgspec.ValidationError as exc:
            raise _unmarshal_error(exc) from None
        return self.handle(request).to_event(request)


def _unmarshal_error(exc: Exception) -> Exception:
    """Report an event that does not fit its source as the runtime reports any event that
    does not fit the handler's type: a ``Runtime.UnmarshalError``."""
    from native_lambda import FaultError

    return FaultError(UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}")
