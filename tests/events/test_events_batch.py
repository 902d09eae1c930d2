"""process_batch: failures collected per record, FIFO ordering kept."""

from __future__ import annotations

import json
from typing import Any, List

import msgspec
import pytest
from tests.events.support import fixture

from native_lambda.events.batch import BatchResponse, item_identifier, process_batch
from native_lambda.events.dynamodb import DynamoDBStreamEvent
from native_lambda.events.kinesis import KinesisEvent
from native_lambda.events.sqs import SQSEvent


def _fails_on_bad_amount(payload: Any) -> None:
    if payload["amount"] == "fail":
        raise ValueError(f"order {payload['order']}: bad amount")


def _ids(response: BatchResponse) -> List[str]:
    return [failure.item_identifier for failure in response.batch_item_failures]


def test_sqs_standard_queue_reports_only_failures(capsys: pytest.CaptureFixture[str]) -> None:
    event = msgspec.json.decode(fixture("sqs.json"), type=SQSEvent)
    seen: List[str] = []

    def handle(record: Any) -> None:
        seen.append(record.message_id)
        _fails_on_bad_amount(record.json())

    response = process_batch(event, handle)
    assert seen == [r.message_id for r in event.records]  # all processed
    assert _ids(response) == ["00000000-0000-4000-8000-000000000002"]
    assert json.loads(msgspec.json.encode(response)) == {
        "batchItemFailures": [{"itemIdentifier": "00000000-0000-4000-8000-000000000002"}]
    }
    err = capsys.readouterr().err
    assert "batch item 00000000-0000-4000-8000-000000000002 failed" in err
    assert "ValueError: order 2: bad amount" in err


def test_all_success_is_an_empty_list() -> None:
    event = msgspec.json.decode(fixture("sqs.json"), type=SQSEvent)
    response = process_batch(event, lambda record: None)
    assert msgspec.json.encode(response) == b'{"batchItemFailures":[]}'


def test_fifo_stops_at_first_failure() -> None:
    event = msgspec.json.decode(fixture("sqs_fifo.json"), type=SQSEvent)
    seen: List[str] = []

    def handle(record: Any) -> None:
        seen.append(record.json()["order"])
        _fails_on_bad_amount(record.json())

    response = process_batch(event, handle, on_error=None)
    assert seen == [1, 2]  # 3 and 4 never ran
    assert _ids(response) == [r.message_id for r in event.records[1:]]


def test_fifo_skip_group_keeps_other_groups_going() -> None:
    event = msgspec.json.decode(fixture("sqs_fifo.json"), type=SQSEvent)
    seen: List[int] = []

    def handle(record: Any) -> None:
        seen.append(record.json()["order"])
        _fails_on_bad_amount(record.json())

    response = process_batch(event, handle, skip_group_on_error=True, on_error=None)
    assert seen == [1, 2, 3]  # 4 is in group "a" after the failure
    assert _ids(response) == [event.records[1].message_id, event.records[3].message_id]


def test_kinesis_uses_sequence_numbers() -> None:
    event = msgspec.json.decode(fixture("kinesis.json"), type=KinesisEvent)
    response = process_batch(event, lambda r: _fails_on_bad_amount(r.kinesis.json()), on_error=None)
    # record 2 has a bad amount, record 3 is not JSON at all
    assert _ids(response) == [r.kinesis.sequence_number for r in event.records[1:]]


def test_dynamodb_records_and_plain_lists() -> None:
    event = msgspec.json.decode(fixture("dynamodb.json"), type=DynamoDBStreamEvent)

    def handle(record: Any) -> None:
        if record.event_name == "REMOVE":
            raise RuntimeError("no deletes")

    response = process_batch(list(event.records), handle, on_error=None)
    assert _ids(response) == [event.records[2].dynamodb.sequence_number]


def test_unknown_record_type_is_refused() -> None:
    with pytest.raises(TypeError, match="not an SQS, Kinesis or DynamoDB"):
        item_identifier(object())
