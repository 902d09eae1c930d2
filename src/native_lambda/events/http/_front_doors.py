"""The HTTP front doors, one :class:`FrontDoor` record each, and the one registry.

A record owns everything its source needs: how to recognise the raw event, its event
Struct (imported only when that source is first seen), the builder that fills a
:class:`Request` from that Struct and the encoder that gives a :class:`Response` back in
the source's shape. Adding a front door is adding one section and one entry in
``DOORS``; detection, decoding, typed-Struct dispatch and encoding read the registry.
"""

from __future__ import annotations

from collections.abc import Mapping as _Mapping  # isinstance: faster than typing's
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Type, TypeVar

import msgspec

from .request import Headers, MultiDict, Request, _parse_cookies, _parse_query, _unquote
from .response import HeaderValue, Response, _status_line

T = TypeVar("T")

API_GATEWAY_V1 = "apigateway-v1"
API_GATEWAY_V2 = "apigateway-v2"
FUNCTION_URL = "function-url"
ALB = "alb"


class FrontDoor:
    """What the adapter knows about one HTTP event source.

    ``matches(version, has_http_method, has_elb, domain_name)`` recognises the raw event
    (the registry asks in order, first match wins); ``event_type()`` imports and returns
    the event Struct, named ``event_name``; ``request(event, context)`` builds the Request
    from it; ``response(response, request)`` answers in the source's response Struct.
    ``path_decoded`` is true when the source hands the path over percent-decoded already.
    """

    __slots__ = (
        "event_name",
        "event_type",
        "matches",
        "path_decoded",
        "request",
        "response",
        "source",
    )

    def __init__(
        self,
        source: str,
        *,
        matches: Callable[[Any, bool, bool, Any], bool],
        event_name: str,
        event_type: Callable[[], Type[Any]],
        request: Callable[[Any, Any], Request],
        response: Callable[[Response, Request], Any],
        path_decoded: bool = False,
    ) -> None:
        self.source = source
        self.matches = matches
        self.event_name = event_name
        self.event_type = event_type
        self.request = request
        self.response = response
        self.path_decoded = path_decoded

    def __repr__(self) -> str:
        return f"<FrontDoor {self.source}>"


def _single_or_multi(
    single: Optional[Dict[str, str]], multi: Optional[Dict[str, List[str]]]
) -> Iterable[Tuple[str, HeaderValue]]:
    if multi:
        return multi.items()
    return (single or {}).items()


def _payload_v2_request(event: Any, context: Any, source: str) -> Request:
    """HTTP APIs and Function URLs send the same payload format 2.0 fields."""
    path = event.raw_path
    stage = event.request_context.stage
    # HTTP APIs put a named stage in front of the path; routes are written without it.
    if stage and stage != "$default" and path.startswith("/" + stage):
        rest = path[len(stage) + 1 :]
        if not rest or rest.startswith("/"):
            path = rest or "/"
    return Request(
        event.request_context.http.method,
        path,
        headers=Headers(event.headers or {}),
        query=_parse_query(event.raw_query_string),
        cookies=_parse_cookies(event.cookies or ()),
        wire_body=(event.body, event.is_base64_encoded),
        path_params=dict(getattr(event, "path_parameters", None) or {}),
        source=source,
        event=event,
        context=context,
    )


def _payload_v2_response(struct: Type[Any], response: Response) -> Any:
    """HTTP APIs and Function URLs answer with the same payload format 2.0 fields."""
    body, is_base64 = response._encoded_body()
    return struct(
        status_code=response.status,
        headers=response._joined_headers() or None,
        body=body,
        is_base64_encoded=is_base64,
        cookies=response.cookies or None,
    )


# --- API Gateway REST APIs (payload format 1.0) ---------------------------------------------


def _v1_event() -> Type[Any]:
    from ..apigateway import APIGatewayProxyEvent

    return APIGatewayProxyEvent


def _v1_request(event: Any, context: Any) -> Request:
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


def _v1_response(response: Response, request: Request) -> Any:
    from ..apigateway import APIGatewayProxyResponse

    body, is_base64 = response._encoded_body()
    multi = response._multi_headers()
    single = {name: values[0] for name, values in multi.items() if len(values) == 1}
    repeated = {name: values for name, values in multi.items() if len(values) > 1}
    return APIGatewayProxyResponse(
        status_code=response.status,
        headers=single or None,
        multi_value_headers=repeated or None,
        body=body,
        is_base64_encoded=is_base64,
    )


# --- API Gateway HTTP APIs (payload format 2.0) ---------------------------------------------


def _v2_event() -> Type[Any]:
    from ..apigateway import APIGatewayV2Event

    return APIGatewayV2Event


def _v2_request(event: Any, context: Any) -> Request:
    return _payload_v2_request(event, context, API_GATEWAY_V2)


def _v2_response(response: Response, request: Request) -> Any:
    from ..apigateway import APIGatewayV2Response

    return _payload_v2_response(APIGatewayV2Response, response)


# --- Lambda Function URLs (payload format 2.0 on a *.lambda-url.* domain) -------------------


def _function_url_event() -> Type[Any]:
    from ..function_url import FunctionUrlEvent

    return FunctionUrlEvent


def _function_url_request(event: Any, context: Any) -> Request:
    return _payload_v2_request(event, context, FUNCTION_URL)


def _function_url_response(response: Response, request: Request) -> Any:
    from ..function_url import FunctionUrlResponse

    return _payload_v2_response(FunctionUrlResponse, response)


# --- Application Load Balancer target groups ------------------------------------------------


def _alb_event() -> Type[Any]:
    from ..alb import ALBEvent

    return ALBEvent


def _alb_request(event: Any, context: Any) -> Request:
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


def _alb_response(response: Response, request: Request) -> Any:
    from ..alb import ALBResponse

    body, is_base64 = response._encoded_body()
    description = _status_line(response.status)
    if request.multi_value:
        return ALBResponse(
            status_code=response.status,
            status_description=description,
            is_base64_encoded=is_base64,
            multi_value_headers=response._multi_headers(),
            body=body,
        )
    headers = response._joined_headers()
    if response.cookies:
        # One value per header without multi-value headers: enable them on the target
        # group to set several cookies.
        headers["Set-Cookie"] = response.cookies[-1]
    return ALBResponse(
        status_code=response.status,
        status_description=description,
        is_base64_encoded=is_base64,
        headers=headers,
        body=body,
    )


# --- the registry, in detection order -------------------------------------------------------

DOORS: Tuple[FrontDoor, ...] = (
    FrontDoor(
        ALB,
        matches=lambda version, http_method, elb, domain: elb,
        event_name="ALBEvent",
        event_type=_alb_event,
        request=_alb_request,
        response=_alb_response,
    ),
    FrontDoor(
        FUNCTION_URL,
        matches=lambda version, http_method, elb, domain: (
            version == "2.0" and isinstance(domain, str) and ".lambda-url." in domain
        ),
        event_name="FunctionUrlEvent",
        event_type=_function_url_event,
        request=_function_url_request,
        response=_function_url_response,
    ),
    FrontDoor(
        API_GATEWAY_V2,
        matches=lambda version, http_method, elb, domain: version == "2.0",
        event_name="APIGatewayV2Event",
        event_type=_v2_event,
        request=_v2_request,
        response=_v2_response,
        path_decoded=True,  # HTTP APIs percent-decode the path before Lambda sees it
    ),
    FrontDoor(
        API_GATEWAY_V1,
        matches=lambda version, http_method, elb, domain: http_method,
        event_name="APIGatewayProxyEvent",
        event_type=_v1_event,
        request=_v1_request,
        response=_v1_response,
    ),
)
_BY_SOURCE = {door.source: door for door in DOORS}
_BY_EVENT_NAME = {door.event_name: door for door in DOORS}


# --- detection and dispatch -----------------------------------------------------------------


class _ProbeContext(msgspec.Struct, rename="camel"):
    elb: Optional[Dict[str, Any]] = None  # tiny; msgspec.Raw cannot be Optional
    domain_name: Optional[str] = None


class _Probe(msgspec.Struct, rename="camel"):
    version: Optional[str] = None
    http_method: Optional[str] = None
    request_context: Optional[_ProbeContext] = None


def _classify(version: Any, http_method: bool, elb: bool, domain: Any) -> FrontDoor:
    for door in DOORS:
        if door.matches(version, http_method, elb, domain):
            return door
    raise msgspec.ValidationError(
        "Not an HTTP event: expected an API Gateway, Function URL or ALB request "
        "(`version` 2.0, `httpMethod` or `requestContext.elb`)"
    )


def detect(event: Any) -> FrontDoor:
    """The front door of a raw event (a mapping, or JSON as bytes, str or ``msgspec.Raw``)."""
    if isinstance(event, (dict, _Mapping)):
        context = event.get("requestContext")
        context = context if isinstance(context, (dict, _Mapping)) else {}
        return _classify(
            event.get("version"),
            "httpMethod" in event,
            context.get("elb") is not None,
            context.get("domainName"),
        )
    try:
        probe = msgspec.json.decode(event, type=_Probe)
    except msgspec.ValidationError:
        probe = _Probe()
    context_ = probe.request_context or _ProbeContext()
    return _classify(
        probe.version, probe.http_method is not None, context_.elb is not None,
        context_.domain_name,
    )  # fmt: skip


def detect_source(event: Any) -> str:
    """Which front door sent ``event``: ``alb`` (``requestContext.elb``), ``function-url``
    (payload 2.0 on a ``*.lambda-url.*`` domain), ``apigateway-v2`` (other 2.0) or
    ``apigateway-v1`` (``httpMethod`` at the top)."""
    return detect(event).source


def _decode(event: Any, type_: Type[T]) -> T:
    if isinstance(event, (bytes, bytearray, memoryview, str, msgspec.Raw)):
        return msgspec.json.decode(event, type=type_)
    return msgspec.convert(event, type_)


def request_from_event(event: Any, context: Any = None) -> Request:
    """The Request of a raw event or of a front door's typed event Struct."""
    if isinstance(event, msgspec.Struct):
        door = _BY_EVENT_NAME.get(type(event).__name__)
        if door is None:
            raise TypeError(f"not an HTTP event Struct: {type(event).__name__}")
        return door.request(event, context)
    door = detect(event)
    return door.request(_decode(event, door.event_type()), context)


def response_to_event(response: Response, request: Request) -> Any:
    """``response`` in the shape of the front door ``request`` came through."""
    door = _BY_SOURCE.get(request.source)
    if door is None:
        raise ValueError(f"unknown request source {request.source!r}")
    return door.response(response, request)


def path_is_decoded(source: str) -> bool:
    """True when ``source`` hands the path over percent-decoded (HTTP APIs)."""
    door = _BY_SOURCE.get(source)
    return door is not None and door.path_decoded
