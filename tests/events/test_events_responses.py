"""Response Structs encode to exactly what each service expects."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from native_lambda.events.alb import ALBResponse
from native_lambda.events.apigateway import APIGatewayProxyResponse, APIGatewayV2Response
from native_lambda.events.authorizer import PolicyResponse, SimpleResponse
from native_lambda.events.firehose import FirehoseResponse, FirehoseResponseRecord


def _json(value: object) -> Any:
    return json.loads(msgspec.json.encode(value))


def test_policy_response() -> None:
    arn = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/GET/items"
    assert _json(PolicyResponse.allow("user-7", arn, tenant="acme", tier=2)) == {
        "principalId": "user-7",
        "policyDocument": {
            "Statement": [{"Effect": "Allow", "Resource": arn, "Action": "execute-api:Invoke"}],
            "Version": "2012-10-17",
        },
        "context": {"tenant": "acme", "tier": 2},
    }
    denied = _json(PolicyResponse.deny("anonymous", [arn]))
    assert denied["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert denied["policyDocument"]["Statement"][0]["Resource"] == [arn]
    assert "context" not in denied


def test_simple_authorizer_response() -> None:
    assert _json(SimpleResponse(is_authorized=True, context={"user": "u"})) == {
        "isAuthorized": True,
        "context": {"user": "u"},
    }
    assert _json(SimpleResponse(is_authorized=False)) == {"isAuthorized": False}


def test_firehose_response() -> None:
    response = FirehoseResponse(
        records=[
            FirehoseResponseRecord.ok("r1", b'{"order": 1}\n'),
            FirehoseResponseRecord.dropped("r2"),
            FirehoseResponseRecord.failed("r3", b"raw"),
        ]
    )
    assert _json(response) == {
        "records": [
            {"recordId": "r1", "result": "Ok", "data": "eyJvcmRlciI6IDF9Cg=="},
            {"recordId": "r2", "result": "Dropped", "data": ""},
            {"recordId": "r3", "result": "ProcessingFailed", "data": "cmF3"},
        ]
    }
    with pytest.raises(msgspec.ValidationError, match=r"\$\.records\[0\]\.result"):
        msgspec.json.decode(
            b'{"records": [{"recordId": "r", "result": "Maybe"}]}', type=FirehoseResponse
        )


def test_http_responses() -> None:
    assert _json(APIGatewayProxyResponse(status_code=204)) == {"statusCode": 204}
    assert _json(APIGatewayV2Response(status_code=200, body="hi", cookies=["a=1"])) == {
        "statusCode": 200,
        "body": "hi",
        "cookies": ["a=1"],
    }
    # ALB wants statusDescription and isBase64Encoded always: both are required fields
    alb = ALBResponse(status_code=200, status_description="200 OK", is_base64_encoded=False)
    assert _json(alb) == {
        "statusCode": 200,
        "statusDescription": "200 OK",
        "isBase64Encoded": False,
    }
    with pytest.raises(TypeError):
        ALBResponse(status_code=200)
