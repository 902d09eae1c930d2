"""Helpers shared by the events tests: fixture paths and the re-encoding check."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parents[1]
# Real sample events: Powertools' test events (MIT-0; see NOTICE and LICENSE there).
POWERTOOLS = HERE / "powertools"

_EMPTY: tuple[Any, ...] = (None, "", [], {}, False)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _same_scalar(ours: Any, theirs: Any) -> bool:
    if ours == theirs and type(ours) is type(theirs):
        return True
    if isinstance(ours, float) and isinstance(theirs, int) and not isinstance(theirs, bool):
        return ours == theirs  # 1693997155.0 may be written as 1693997155
    if isinstance(ours, str) and isinstance(theirs, str):
        # datetimes re-encode in RFC 3339 with microseconds: "...27.192Z" -> "...27.192000Z"
        try:
            parse = msgspec.json.Decoder(datetime).decode
            return parse(json.dumps(ours)) == parse(json.dumps(theirs))
        except msgspec.ValidationError:
            return False
    return False


def _compare(ours: Any, theirs: Any, path: str, dropped: list[str]) -> None:
    if isinstance(ours, dict):
        assert isinstance(theirs, dict), f"{path}: wrote an object, the event has {theirs!r}"
        for key, value in ours.items():
            assert key in theirs, f"{path}.{key}: written but not in the event"
            _compare(value, theirs[key], f"{path}.{key}", dropped)
        for key, value in theirs.items():
            if key not in ours and value not in _EMPTY:
                dropped.append(f"{path}.{key}")
    elif isinstance(ours, list):
        assert isinstance(theirs, list), f"{path}: wrote a list, the event has {theirs!r}"
        assert len(ours) == len(theirs), f"{path}: {len(ours)} items written, {len(theirs)} sent"
        if ours and all(not isinstance(v, (dict, list)) for v in ours + theirs):
            # sets (DynamoDB SS/NS/BS) come back in any order
            ours, theirs = sorted(ours, key=repr), sorted(theirs, key=repr)
        for index, (mine, sent) in enumerate(zip(ours, theirs)):
            _compare(mine, sent, f"{path}[{index}]", dropped)
    else:
        assert _same_scalar(ours, theirs), f"{path}: wrote {ours!r}, the event has {theirs!r}"


def reencode_check(raw: bytes, value: Any) -> list[str]:
    """Encode ``value`` again and compare it with the event it was decoded from.

    Everything written must equal what was sent (numbers, strings, base64, datetimes up to
    formatting); returns the paths of non-empty fields the Structs do not model.
    """
    ours = msgspec.json.decode(msgspec.json.encode(value))
    dropped: list[str] = []
    _compare(ours, json.loads(raw), "$", dropped)
    return dropped


#: The routed handler's fixtures and the front door each one comes through.
FRONT_DOORS = [
    ("apigw_v1.json", "apigateway-v1"),
    ("apigw_v2.json", "apigateway-v2"),
    ("function_url.json", "function-url"),
    ("alb.json", "alb"),
    ("alb_multi_value.json", "alb"),
]


def check_routed_answer(answer: dict[str, Any], source: str) -> None:
    """What ``tests.events.http_app`` answers to each FRONT_DOORS fixture, in its shape."""
    assert answer["statusCode"] == 201, answer
    body = answer.get("body") or ""
    raw = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
    item = json.loads(raw)
    assert item["id"] == "42" and item["source"] == source and item["session"] == "abc"
    if source == "alb":
        assert answer["statusDescription"] == "201 Created"


def check_malformed_http_event(function: Any) -> None:
    """A v2 event without ``requestContext.http`` is an UnmarshalError naming the field, and
    ``function`` (an Emulator) keeps serving afterwards."""
    event = json.loads(fixture("apigw_v2.json"))
    del event["requestContext"]["http"]
    result = function.invoke(json.dumps(event))
    assert result.function_error == "Unhandled"
    error = result.json()
    assert error["errorType"] == "Runtime.UnmarshalError"
    assert "Object missing required field `http` - at `$.requestContext`" in error["errorMessage"]
    assert function.invoke(fixture("apigw_v1.json")).json()["statusCode"] == 201
