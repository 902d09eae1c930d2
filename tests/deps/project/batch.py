"""Powertools' SQS batch processor and parser (pydantic v2 models)."""

from __future__ import annotations

from typing import Any, Dict, List

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import SqsModel
from pydantic import BaseModel, Field

processor = BatchProcessor(event_type=EventType.SQS)


class Payment(BaseModel):
    order_id: str = Field(min_length=1)
    amount_cents: int = Field(ge=0)


def record_handler(record: SQSRecord) -> int:
    return Payment.model_validate_json(record.body).amount_cents


def handler(event: Dict[str, Any], context: Any) -> Dict[str, Any]:
    parsed = parse(event=event, model=SqsModel)
    result = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    totals: List[int] = [
        Payment.model_validate_json(r.body).amount_cents
        for r in parsed.Records
        if r.messageId not in failed
    ]
    return {
        "batchItemFailures": result["batchItemFailures"],
        "records": len(parsed.Records),
        "first_sent": parsed.Records[0].attributes.SentTimestamp.isoformat(),
        "total_cents": sum(totals),
    }
