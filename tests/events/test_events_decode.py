"""Every event Struct against the project's own fixtures and real sample events (Powertools'
test events, copied into tests/events/powertools): strict decoding, faithful re-encoding,
errors that name the field."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from tests.events.samples import (
    COGNITO,
    COVERED,
    NOT_COVERED,
    OWN,
    UNMODELLED,
    OrderLine,
    OrderPlaced,
)
from tests.events.support import POWERTOOLS, REPO, fixture, reencode_check

from native_lambda.events.apigateway import APIGatewayProxyEvent, APIGatewayV2Event
from native_lambda.events.authorizer import (
    RequestAuthorizerEventV2,
    TokenAuthorizerEvent,
)
from native_lambda.events.cloudwatch_logs import CloudWatchLogsEvent, LogsData, decode_logs
from native_lambda.events.dynamodb import DynamoDBStreamEvent
from native_lambda.events.eventbridge import EventBridgeEvent, ScheduledEvent
from native_lambda.events.firehose import FirehoseEvent
from native_lambda.events.function_url import FunctionUrlEvent
from native_lambda.events.kinesis import KinesisEvent
from native_lambda.events.s3 import S3Event, S3EventBridgeEvent
from native_lambda.events.sns import SNSEvent, SNSNotification
from native_lambda.events.sqs import SQSEvent


@pytest.mark.parametrize("name", sorted(OWN))
def test_own_fixture_decodes_and_reencodes(name: str) -> None:
    raw = fixture(name)
    event = msgspec.json.decode(raw, type=OWN[name])
    assert reencode_check(raw, event) == []


def test_sqs_fields() -> None:
    event = msgspec.json.decode(fixture("sqs.json"), type=SQSEvent)
    first = event.records[0]
    assert first.message_id == "00000000-0000-4000-8000-000000000001"
    assert first.event_source_arn == "arn:aws:sqs:eu-west-1:123456789012:orders"
    assert first.attributes.approximate_receive_count == "1"
    assert first.attributes.aws_trace_header.startswith("Root=1-")
    assert first.message_attributes["tenant"].string_value == "acme"
    assert first.message_attributes["blob"].binary == b"\x00\x01binary"
    assert first.json() == {"order": 1, "amount": "9.99"}
    assert not first.from_fifo_queue
    fifo = msgspec.json.decode(fixture("sqs_fifo.json"), type=SQSEvent)
    assert fifo.records[0].from_fifo_queue
    assert fifo.records[0].attributes.message_group_id == "a"


def test_sns_fields() -> None:
    record = msgspec.json.decode(fixture("sns.json"), type=SNSEvent).records[0]
    assert record.sns.timestamp == datetime(2026, 11, 28, 1, 2, 3, 456000, tzinfo=timezone.utc)
    assert record.sns.subject is None
    assert record.sns.message_attributes["tenant"].value == "acme"
    assert record.sns.json() == {"order": 7}
    assert record.sns.signing_cert_url.endswith(".pem")


def test_s3_fields() -> None:
    created, deleted, restored = msgspec.json.decode(fixture("s3.json"), type=S3Event).records
    assert created.s3.object.key == "reports/q3+summary%282%29.pdf"
    assert created.s3.object.decoded_key == "reports/q3 summary(2).pdf"
    assert created.s3.object.size == 1048576
    assert created.request_parameters.source_ip_address == "198.51.100.7"
    assert created.response_elements.x_amz_request_id == "C3D13FE58DE4C810"
    assert deleted.s3.object.size is None and deleted.s3.object.e_tag is None
    assert deleted.s3.object.decoded_key == "reports/old.pdf"
    data = restored.glacier_event_data.restore_event_data
    assert data.lifecycle_restore_storage_class == "GLACIER"
    via_eb = msgspec.json.decode(fixture("s3_eventbridge.json"), type=S3EventBridgeEvent)
    assert via_eb.detail_type == "Object Created"
    assert via_eb.detail.object.version_id == "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"
    assert via_eb.detail.source_ip_address == "198.51.100.7"


def test_kinesis_data_is_decoded_bytes() -> None:
    records = msgspec.json.decode(fixture("kinesis.json"), type=KinesisEvent).records
    assert records[0].kinesis.data == b'{"order": 1, "amount": "9.99"}'
    assert records[0].kinesis.json() == {"order": 1, "amount": "9.99"}
    assert records[2].kinesis.data == b"\x00\x01\x02 not json"
    assert records[0].event_id.startswith("shardId-000000000000:")
    assert records[0].kinesis.approximate_arrival_timestamp == pytest.approx(1795827724.123)


def test_firehose_fields() -> None:
    event = msgspec.json.decode(fixture("firehose.json"), type=FirehoseEvent)
    assert [r.data for r in event.records] == [b'{"order": 1}', b"drop me"]
    assert event.records[0].kinesis_record_metadata.shard_id == "shardId-000000000000"
    assert event.records[1].kinesis_record_metadata is None


def test_eventbridge_detail_is_typed_by_the_user() -> None:
    event = msgspec.json.decode(fixture("eventbridge.json"), type=EventBridgeEvent[OrderPlaced])
    assert event.detail == OrderPlaced("o-7", 19.99, [OrderLine("w-1", 2)])
    assert event.time == datetime(2026, 11, 28, 1, 2, 3, tzinfo=timezone.utc)
    untyped = msgspec.json.decode(fixture("eventbridge.json"), type=EventBridgeEvent)
    assert untyped.detail["items"] == [{"sku": "w-1", "qty": 2}]
    bad = json.loads(fixture("eventbridge.json"))
    bad["detail"]["items"][0]["qty"] = "two"
    with pytest.raises(msgspec.ValidationError, match=r"\$\.detail\.items\[0\]\.qty"):
        msgspec.json.decode(json.dumps(bad), type=EventBridgeEvent[OrderPlaced])
    scheduled = msgspec.json.decode(fixture("scheduled.json"), type=ScheduledEvent)
    assert scheduled.detail == {} and scheduled.resources[0].endswith("rule/nightly")


def test_cloudwatch_logs_are_unpacked() -> None:
    event = msgspec.json.decode(fixture("cloudwatch_logs.json"), type=CloudWatchLogsEvent)
    expected = msgspec.json.decode(fixture("cloudwatch_logs_decoded.json"), type=LogsData)
    assert event.logs() == expected
    assert event.logs().log_events[1].extracted_fields == {"level": "error"}


def test_authorizer_fields() -> None:
    token = msgspec.json.decode(fixture("authorizer_token.json"), type=TokenAuthorizerEvent)
    assert token.authorization_token == "Bearer allow-me"
    v2 = msgspec.json.decode(fixture("authorizer_v2.json"), type=RequestAuthorizerEventV2)
    assert v2.identity_source == ["Bearer allow-me"]
    assert v2.request_context.http.method == "POST"


def test_http_event_fields() -> None:
    v1 = msgspec.json.decode(fixture("apigw_v1.json"), type=APIGatewayProxyEvent)
    assert v1.multi_value_headers["X-Tag"] == ["one", "two"]
    assert v1.request_context.authorizer == {
        "principalId": "user-7",
        "tenant": "acme",
        "integrationLatency": 12,
    }
    assert v1.request_context.identity.source_ip == "198.51.100.7"
    assert v1.stage_variables is None
    v2 = msgspec.json.decode(fixture("apigw_v2.json"), type=APIGatewayV2Event)
    assert v2.request_context.authorizer.jwt.claims["email_verified"] is True
    furl = msgspec.json.decode(fixture("function_url.json"), type=FunctionUrlEvent)
    assert furl.request_context.authorizer.iam.user_arn.endswith(":user/alice")
    assert furl.is_base64_encoded


# --- the real sample events (tests/events/powertools) ---------------------------------

TRUNCATED = "apiGatewayProxyEventPrincipalId.json"


def _shared(name: str) -> bytes:
    return (POWERTOOLS / name).read_bytes()


def test_shared_samples_live_in_the_repository() -> None:
    """A clone runs the sample tests as they are: nothing read from outside the repository,
    and the samples carry their licence and origin."""
    assert POWERTOOLS.resolve().is_relative_to(REPO)
    assert {"LICENSE", "NOTICE"} <= {p.name for p in POWERTOOLS.iterdir()}
    assert "MIT No Attribution" in (POWERTOOLS / "LICENSE").read_text()


def test_every_shared_sample_is_classified() -> None:
    """The copy holds exactly the samples the tests use; each was decided on once."""
    names = {p.name for p in POWERTOOLS.glob("*.json")}
    assert names == set(COVERED) | {TRUNCATED}
    assert not set(COVERED) & set(NOT_COVERED) and TRUNCATED in NOT_COVERED
    assert not any(n.startswith(COGNITO) for n in set(COVERED) | set(NOT_COVERED))


@pytest.mark.parametrize("name", sorted(COVERED))
def test_shared_sample_decodes_strictly(name: str) -> None:
    raw = _shared(name)
    event = msgspec.json.decode(raw, type=COVERED[name])
    assert reencode_check(raw, event) == UNMODELLED.get(name, [])


def test_shared_samples_nested_payloads() -> None:
    """Payloads inside payloads: SNS and S3 through SQS, CloudWatch Logs through Kinesis."""
    sns_via_sqs = msgspec.json.decode(_shared("snsSqsFifoEvent.json"), type=SQSEvent)
    notification = sns_via_sqs.records[0].json(SNSNotification)
    assert notification.sequence_number == "10000000000000004000"
    assert notification.json() == {"message": "hello world", "username": "lessa"}
    s3_via_sqs = msgspec.json.decode(_shared("s3SqsEvent.json"), type=SQSEvent)
    assert s3_via_sqs.records[0].json(S3Event).records[0].s3.object.key == "test.pdf"
    logs_via_kinesis = msgspec.json.decode(
        _shared("kinesisStreamCloudWatchLogsEvent.json"), type=KinesisEvent
    )
    for record in logs_via_kinesis.records:
        logs = decode_logs(record.kinesis.data)
        assert logs.message_type == "DATA_MESSAGE" and logs.log_events
    for name in ("cloudWatchLogEvent.json", "cloudWatchLogEventWithPolicyLevel.json"):
        logs = msgspec.json.decode(_shared(name), type=CloudWatchLogsEvent).logs()
        assert [e.message for e in logs.log_events] == [
            "[ERROR] First test message",
            "[ERROR] Second test message",
        ]
    ddb = msgspec.json.decode(_shared("dynamoStreamEvent.json"), type=DynamoDBStreamEvent)
    assert ddb.records[1].dynamodb.new_item == {
        "Message": "This item has changed",
        "Id": Decimal(101),
    }


def test_truncated_shared_sample_names_the_missing_field() -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.json.decode(_shared(TRUNCATED), type=APIGatewayProxyEvent)
    assert str(caught.value) == "Object missing required field `accountId` - at `$.requestContext`"


# --- malformed events ----------------------------------------------------------------------


def _mutated(name: str, mutate: Any) -> bytes:
    event = json.loads(fixture(name))
    mutate(event)
    return json.dumps(event).encode()


@pytest.mark.parametrize(
    ("name", "type_", "mutate", "where"),
    [
        (
            "sqs.json",
            SQSEvent,
            lambda e: e["Records"][1].update(messageId=42),
            "Expected `str`, got `int` - at `$.Records[1].messageId`",
        ),
        (
            "sqs.json",
            SQSEvent,
            lambda e: e["Records"][0]["attributes"].pop("SentTimestamp"),
            "Object missing required field `SentTimestamp` - at `$.Records[0].attributes`",
        ),
        (
            "kinesis.json",
            KinesisEvent,
            lambda e: e["Records"][0]["kinesis"].update(data="not base64!"),
            "Invalid base64 encoded string - at `$.Records[0].kinesis.data`",
        ),
        (
            "dynamodb.json",
            DynamoDBStreamEvent,
            lambda e: e["Records"][1]["dynamodb"]["NewImage"]["total"].update(N="lots"),
            "Invalid decimal string - at `$.Records[1].dynamodb.NewImage[...].N`",
        ),
        (
            "apigw_v2.json",
            APIGatewayV2Event,
            lambda e: e["requestContext"].pop("http"),
            "Object missing required field `http` - at `$.requestContext`",
        ),
        (
            "s3.json",
            S3Event,
            lambda e: e["Records"][0].update(eventTime="yesterday"),
            "Invalid RFC3339 encoded datetime - at `$.Records[0].eventTime`",
        ),
    ],
)
def test_malformed_event_names_the_field(name: str, type_: Any, mutate: Any, where: str) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.json.decode(_mutated(name, mutate), type=type_)
    assert str(caught.value) == where


def test_unknown_fields_are_tolerated() -> None:
    raw = _mutated("sqs.json", lambda e: e["Records"][0].update(newAwsField={"x": 1}))
    event = msgspec.json.decode(raw, type=SQSEvent)
    assert reencode_check(raw, event) == ["$.Records[0].newAwsField"]
