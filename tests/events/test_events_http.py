"""The HTTP adapter and router: one handler behind REST APIs, HTTP APIs, Function URLs and
ALB (single- and multi-value), answering in each source's response shape."""

from __future__ import annotations

import base64
import json
from typing import Any, Dict

import msgspec
import pytest
from tests.events import http_app
from tests.events.support import POWERTOOLS, fixture

from native_lambda import FaultError
from native_lambda.events.alb import ALBResponse
from native_lambda.events.apigateway import (
    APIGatewayProxyEvent,
    APIGatewayProxyResponse,
    APIGatewayV2Response,
)
from native_lambda.events.function_url import FunctionUrlResponse
from native_lambda.events.http import (
    ALB,
    API_GATEWAY_V1,
    API_GATEWAY_V2,
    FUNCTION_URL,
    Headers,
    Request,
    Response,
    Router,
    detect_source,
)

FRONT_DOORS = {
    "apigw_v1.json": (API_GATEWAY_V1, APIGatewayProxyResponse),
    "apigw_v2.json": (API_GATEWAY_V2, APIGatewayV2Response),
    "function_url.json": (FUNCTION_URL, FunctionUrlResponse),
    "alb.json": (ALB, ALBResponse),
    "alb_multi_value.json": (ALB, ALBResponse),
}


def _invoke(handler: Any, event: Any) -> Dict[str, Any]:
    """Call like the runtime does and give back the JSON it would send."""
    result = handler(event, None)
    return json.loads(msgspec.json.encode(result))


def _body(answer: Dict[str, Any]) -> bytes:
    body = answer.get("body") or ""
    return base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()


def _header(answer: Dict[str, Any], name: str) -> Any:
    """A response header however the source carries it, as a list of values."""
    for key, value in (answer.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower():
            return value
    for key, value in (answer.get("headers") or {}).items():
        if key.lower() == name.lower():
            return [value]
    return []


@pytest.mark.parametrize("name", sorted(FRONT_DOORS))
@pytest.mark.parametrize("as_", ["bytes", "raw", "dict"])
def test_same_handler_every_front_door(name: str, as_: str) -> None:
    raw = fixture(name)
    event: Any = {"bytes": raw, "raw": msgspec.Raw(raw), "dict": json.loads(raw)}[as_]
    source, response_type = FRONT_DOORS[name]
    assert detect_source(event) == source
    result = http_app.handler(event, None)
    assert type(result) is response_type
    answer = json.loads(msgspec.json.encode(result))
    assert answer["statusCode"] == 201
    item = json.loads(_body(answer))
    multi = name != "alb.json"  # single-value ALB keeps only the last repeated value
    assert item == {
        "id": "42",
        "name": "widget",
        "count": 3,
        "tags": ["a", "b"] if multi else ["b"],
        "source": source,
        "session": "abc",
    }
    assert _header(answer, "content-type") == ["application/json"]
    x_tag = {
        "apigw_v1.json": ["one", "two"],  # multiValueHeaders
        "apigw_v2.json": ["one,two"],  # v2 joins repeated request headers with commas
        "function_url.json": ["one,two"],
        "alb.json": ["two"],
        "alb_multi_value.json": ["one", "two"],
    }[name]
    sent = _header(answer, "x-tag")
    assert sent == x_tag or sent == [", ".join(x_tag)]
    if source == ALB:
        assert answer["statusDescription"] == "201 Created"
        assert answer["isBase64Encoded"] is False
        assert ("multiValueHeaders" in answer) == (name == "alb_multi_value.json")
        assert ("headers" in answer) == (name == "alb.json")


def test_request_model_across_sources() -> None:
    requests = {n: Request.from_event(fixture(n)) for n in FRONT_DOORS}
    for name, request in requests.items():
        assert request.method == "POST", name
        assert request.path == "/items/42", name
        assert request.json() == {"name": "widget", "count": 3}, name
        assert request.cookies == {"session": "abc", "theme": "dark"}, name
        assert request.headers["Content-Type"] == "application/json", name
        assert request.query.get("q") == "a b", name  # ALB's %20 and v2's + decoded
    assert requests["function_url.json"].event.is_base64_encoded  # base64 body undone
    assert requests["alb_multi_value.json"].event.is_base64_encoded
    assert requests["apigw_v1.json"].headers.get_all("x-tag") == ["one", "two"]
    assert requests["apigw_v1.json"].path_params == {"id": "42"}
    assert requests["apigw_v2.json"].event.request_context.authorizer.jwt.scopes == ["items/write"]


def test_typed_struct_events_are_accepted() -> None:
    event = msgspec.json.decode(fixture("apigw_v1.json"), type=APIGatewayProxyEvent)
    answer = _invoke(http_app.handler, event)
    assert answer["statusCode"] == 201


@pytest.mark.parametrize("name", sorted(FRONT_DOORS))
def test_binary_and_cookie_answers(name: str) -> None:
    event = json.loads(fixture(name))
    _retarget(event, "GET", "/files/a/b%20c.bin")
    answer = _invoke(http_app.handler, event)
    assert answer["statusCode"] == 200 and answer["isBase64Encoded"] is True
    path = "a/b c.bin" if name != "apigw_v2.json" else "a/b%20c.bin"  # see _retarget
    assert _body(answer) == path.encode() + b"\x00\xff"

    _retarget(event, "GET", "/login")
    answer = _invoke(http_app.handler, event)
    assert _body(answer) == b"hi"
    cookies = ["session=s1; HttpOnly", "theme=dark"]
    if name in ("apigw_v2.json", "function_url.json"):
        assert answer["cookies"] == cookies
    elif name == "alb.json":
        assert answer["headers"]["Set-Cookie"] == "theme=dark"  # one value per header
    else:
        assert answer["multiValueHeaders"]["Set-Cookie"] == cookies


def _retarget(event: Dict[str, Any], method: str, path: str) -> None:
    """Point a fixture at another route, as that front door would send it. (HTTP APIs
    decode the path before Lambda sees it; here the literal %20 stays for the test.)"""
    event.pop("body", None)
    event["isBase64Encoded"] = False
    if "rawPath" in event:
        event["rawPath"] = path
        event["requestContext"]["http"].update(method=method, path=path)
    else:
        event["path"] = path
        event["httpMethod"] = method


@pytest.mark.parametrize("name", sorted(FRONT_DOORS))
def test_not_found_method_not_allowed_head_and_errors(name: str) -> None:
    event = json.loads(fixture(name))
    _retarget(event, "GET", "/nope")
    answer = _invoke(http_app.handler, event)
    assert answer["statusCode"] == 404 and json.loads(_body(answer)) == {"message": "Not Found"}

    _retarget(event, "PUT", "/items/1")
    answer = _invoke(http_app.handler, event)
    assert answer["statusCode"] == 405
    assert _header(answer, "allow") == ["DELETE, GET, POST"]

    _retarget(event, "HEAD", "/health/")  # trailing slash, HEAD served by GET
    answer = _invoke(http_app.handler, event)
    assert answer["statusCode"] == 200 and "body" not in answer

    _retarget(event, "GET", "/items/9")
    answer = _invoke(http_app.handler, event)
    assert answer["statusCode"] == 404 and json.loads(_body(answer)) == {"message": "no item 9"}

    _retarget(event, "DELETE", "/items/9")
    assert _invoke(http_app.handler, event)["statusCode"] == 204


def test_bad_body_answers_400_naming_the_field() -> None:
    event = json.loads(fixture("apigw_v2.json"))
    event["body"] = '{"name": "widget", "count": "three"}'
    answer = _invoke(http_app.handler, event)
    assert answer["statusCode"] == 400
    assert json.loads(_body(answer)) == {
        "message": "Invalid request body: Expected `int`, got `str` - at `$.count`"
    }


def test_malformed_event_is_an_unmarshal_error_naming_the_field() -> None:
    event = json.loads(fixture("apigw_v2.json"))
    event["requestContext"]["http"]["method"] = 7
    with pytest.raises(FaultError) as caught:
        http_app.handler(json.dumps(event).encode(), None)
    assert caught.value.error_type == "Runtime.UnmarshalError"
    assert "Expected `str`, got `int` - at `$.requestContext.http.method`" in caught.value.message
    with pytest.raises(FaultError, match="Not an HTTP event"):
        http_app.handler(fixture("sqs.json"), None)


def test_v2_named_stage_is_not_part_of_the_route() -> None:
    event = json.loads(fixture("apigw_v2.json"))
    event["requestContext"]["stage"] = "prod"
    event["rawPath"] = "/prod/items/42"
    assert Request.from_event(event).path == "/items/42"
    assert _invoke(http_app.handler, event)["statusCode"] == 201


def test_response_body_encoding_rules() -> None:
    request = Request.from_event(fixture("apigw_v2.json"))
    text = Response(b"caf\xc3\xa9", content_type="text/plain; charset=utf-8").to_event(request)
    assert (text.body, text.is_base64_encoded) == ("café", False)
    binary = Response(b"\x89PNG", content_type="image/png").to_event(request)
    assert (binary.body, binary.is_base64_encoded) == ("iVBORw==", True)
    invalid_utf8 = Response(b"\xff", content_type="application/json").to_event(request)
    assert invalid_utf8.is_base64_encoded
    assert Response("plain").to_event(request).body == "plain"


def test_headers_and_routes() -> None:
    headers = Headers({"Accept": ["a", "b"], "X-One": "1"})
    assert headers["accept"] == "a" and headers.get_all("ACCEPT") == ["a", "b"]
    assert "x-one" in headers and "x-two" not in headers and headers.get("x-two") is None
    assert list(headers.items()) == [("accept", "a"), ("accept", "b"), ("x-one", "1")]
    router = Router()

    @router.get("/a/{x}/c")
    def one(request: Request, x: str) -> str:
        return x

    @router.get("/a/b/c")
    def static(request: Request) -> str:
        return "static"

    assert router.resolve("GET", "/a/b/c")[0] is static  # static routes win
    assert router.resolve("GET", "/a/z/c") == (one, {"x": "z"})
    with pytest.raises(ValueError, match="only the last segment"):
        router.get("/{a+}/b")(one)


# --- the real sample events (tests/events/powertools) ---------------------------------

SAMPLES = {
    "apiGatewayProxyEvent.json": API_GATEWAY_V1,
    "apiGatewayProxyEventAnotherPath.json": API_GATEWAY_V1,
    "apiGatewayProxyEventNoOrigin.json": API_GATEWAY_V1,
    "apiGatewayProxyEventPathTrailingSlash.json": API_GATEWAY_V1,
    "apiGatewayProxyEvent_noVersionAuth.json": API_GATEWAY_V1,
    "apiGatewayProxyOtherEvent.json": API_GATEWAY_V1,
    "apigatewayeSchemaMiddlwareValidEvent.json": API_GATEWAY_V1,
    "apiGatewayProxyV2Event.json": API_GATEWAY_V2,
    "apiGatewayProxyV2EventPathTrailingSlash.json": API_GATEWAY_V2,
    "apiGatewayProxyV2Event_GET.json": API_GATEWAY_V2,
    "apiGatewayProxyV2IamEvent.json": API_GATEWAY_V2,
    "apiGatewayProxyV2LambdaAuthorizerEvent.json": API_GATEWAY_V2,
    "apiGatewayProxyV2OtherGetEvent.json": API_GATEWAY_V2,
    "apiGatewayProxyV2SchemaMiddlwareValidEvent.json": API_GATEWAY_V2,
    "lambdaFunctionUrlEvent.json": FUNCTION_URL,
    "lambdaFunctionUrlEventPathTrailingSlash.json": FUNCTION_URL,
    "lambdaFunctionUrlEventWithHeaders.json": FUNCTION_URL,
    "lambdaFunctionUrlIAMEvent.json": FUNCTION_URL,
    "albEvent.json": ALB,
    "albEventPathTrailingSlash.json": ALB,
    "albMultiValueHeadersEvent.json": ALB,
    "albMultiValueQueryStringEvent.json": ALB,
}

echo = Router()


@echo.route("/", methods=("GET", "POST", "PUT"))
@echo.route("/{path+}", methods=("GET", "POST", "PUT"))
def _echo(request: Request, path: str = "") -> Dict[str, Any]:
    return {"method": request.method, "path": request.path, "query": request.query.to_dict()}


def _expected(event: Dict[str, Any], source: str) -> Dict[str, Any]:
    """What the request is, read from the raw event without the adapter."""
    if source in (API_GATEWAY_V2, FUNCTION_URL):
        method, path = event["requestContext"]["http"]["method"], event["rawPath"]
        query: Dict[str, Any] = {}
        for pair in filter(None, event["rawQueryString"].split("&")):
            name, _, value = pair.partition("=")
            query.setdefault(name, []).append(value)
    else:
        method, path = event["httpMethod"], event["path"]
        multi = event.get("multiValueQueryStringParameters")
        single = event.get("queryStringParameters") or {}
        query = multi if multi else {k: [v] for k, v in single.items()}
    return {"method": method, "path": path, "query": query}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_router_serves_shared_samples(name: str) -> None:
    raw = (POWERTOOLS / name).read_bytes()
    event = json.loads(raw)
    source = SAMPLES[name]
    assert detect_source(raw) == detect_source(event) == source
    answer = _invoke(echo, raw)
    assert answer["statusCode"] == 200
    assert json.loads(_body(answer)) == _expected(event, source)
    if source == ALB:
        assert answer["statusDescription"] == "200 OK"
        assert ("multiValueHeaders" in answer) == ("multiValueHeaders" in event)


def test_each_front_door_owns_its_struct_builder_and_encoder() -> None:
    """One record per source: its event Struct loads under the name typed dispatch uses,
    and a typed Struct goes through the same builder and encoder as the raw event."""
    from native_lambda.events.http._front_doors import DOORS

    assert sorted(door.source for door in DOORS) == sorted(
        [ALB, API_GATEWAY_V1, API_GATEWAY_V2, FUNCTION_URL]
    )
    for name, (source, response_type) in FRONT_DOORS.items():
        door = next(d for d in DOORS if d.source == source)
        assert door.event_type().__name__ == door.event_name
        typed = msgspec.json.decode(fixture(name), type=door.event_type())
        from_raw, from_typed = Request.from_event(fixture(name)), Request.from_event(typed)
        assert (from_typed.source, from_typed.path) == (source, from_raw.path)
        assert isinstance(Response("ok").to_event(from_typed), response_type)
