"""Generated clients compiled into a bootstrap: a handler reading DynamoDB and writing SQS,
run in the Lambda-like sandbox against a real moto server on this machine's loopback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from artifacts import sandboxed
from fixtures_build import CLIENTS_HANDLER, Built
from native_lambda.aws.clients import dynamodb, sqs

pytestmark = [pytest.mark.compile, pytest.mark.root, pytest.mark.timeout(2400)]


def test_compiled_handler_reads_dynamodb_and_writes_sqs(built_example: Built, aws_env: str) -> None:
    ddb, queue = dynamodb.Client(), sqs.Client()
    ddb.create_table(
        TableName="compiled-src",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName="compiled-src", Item={"pk": {"S": "k1"}, "body": {"S": "from ddb"}})
    url = queue.create_queue(QueueName="compiled-dst").queue_url
    env = {
        "_HANDLER": CLIENTS_HANDLER,
        "AWS_ACCESS_KEY_ID": "AKIDCLIENTTESTS00001",
        "AWS_SECRET_ACCESS_KEY": "client-tests-secret",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": aws_env,
    }
    event = json.dumps({"table": "compiled-src", "key": "k1", "queue_url": url})
    with sandboxed(built_example.function_zip, built_example.layer_zip, env=env) as (_, emu):
        replies: list[Any] = []
        for _ in range(2):  # cold, then warm on the kept-alive connections
            result = emu.invoke(event)
            assert result.status == 200 and result.function_error is None, (
                result.body,
                emu.lambda_log(),
            )
            replies.append(result.json())
    first = replies[0]
    assert first["compiled"] is True
    assert first["body"] == "from ddb"
    assert first["init"]["heavy_loaded"] == []
    print("compiled import+construction:", first["init"], "warm call ms:", replies[1]["call_ms"])
    got = queue.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    bodies = sorted(m.body for m in got.messages)
    assert bodies == ["from ddb", "from ddb"]
    assert {m.message_id for m in got.messages} == {r["message_id"] for r in replies}
