"""The HTTP example under ``python -m native_lambda`` behind the emulator, over real HTTP:
create, read, filter, 404, 400 naming the field, delete."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from native_lambda_toolchain.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]


def v2_event(method: str, path: str, body: str | None = None, query: str = "") -> bytes:
    """A minimal API Gateway HTTP API (v2) request, as the service sends it."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"content-type": "application/json", "host": "api.example.com"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.example.com",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.7",
                "userAgent": "test",
            },
            "requestId": "r1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "28/Nov/2026:01:02:03 +0000",
            "timeEpoch": 1795827723000,
        },
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body
    return json.dumps(event).encode()


@pytest.fixture(scope="module")
def todo_api() -> Iterator[Emulator]:
    command = [sys.executable, "-m", "native_lambda", "examples.http_api.handler"]
    with Emulator(command, cwd=str(REPO)) as emulator:
        yield emulator


def call(api: Emulator, *args: Any, **kwargs: Any) -> dict[str, Any]:
    result = api.invoke(v2_event(*args, **kwargs))
    assert result.status == 200 and result.function_error is None, result.body
    answer: dict[str, Any] = result.json()
    return answer


def test_todo_lifecycle(todo_api: Emulator) -> None:
    created = call(todo_api, "POST", "/todos", json.dumps({"title": "write tests"}))
    assert created["statusCode"] == 201
    assert created["headers"]["Location"] == "/todos/1"
    assert json.loads(created["body"]) == {"id": 1, "title": "write tests", "done": False}

    fetched = call(todo_api, "GET", "/todos/1")
    assert fetched["statusCode"] == 200 and json.loads(fetched["body"])["title"] == "write tests"

    call(todo_api, "POST", "/todos", json.dumps({"title": "ship", "done": True}))
    done = call(todo_api, "GET", "/todos", query="done=true")
    assert [t["title"] for t in json.loads(done["body"])] == ["ship"]

    assert call(todo_api, "DELETE", "/todos/1")["statusCode"] == 204
    assert call(todo_api, "GET", "/todos/1")["statusCode"] == 404


def test_bad_body_answers_400_naming_the_field(todo_api: Emulator) -> None:
    answer = call(todo_api, "POST", "/todos", json.dumps({"title": 7}))
    assert answer["statusCode"] == 400
    assert "$.title" in answer["body"]


def test_unknown_route_and_method(todo_api: Emulator) -> None:
    assert call(todo_api, "GET", "/nowhere")["statusCode"] == 404
    assert call(todo_api, "PUT", "/todos")["statusCode"] == 405
