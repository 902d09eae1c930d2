"""Handlers whose annotations make the runtime decode the event into a Struct."""

from typing import Any

from native_lambda.events.batch import BatchResponse, process_batch
from native_lambda.events.sqs import SQSEvent, SQSRecord


def _record(record: SQSRecord) -> None:
    if record.json()["amount"] == "fail":
        raise ValueError(f"bad amount in {record.message_id}")


def sqs_batch(event: SQSEvent, context: Any) -> BatchResponse:
    return process_batch(event, _record)
