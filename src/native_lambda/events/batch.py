"""Partial batch responses for SQS, Kinesis and DynamoDB Streams, and a helper to run one.

With ``ReportBatchItemFailures`` on the event source mapping, Lambda retries (or, for
streams, re-reads from) only the items named in ``batchItemFailures``; an empty list means
the whole batch succeeded. :func:`process_batch` runs a record handler over the records,
turns exceptions into failures and keeps FIFO ordering: after a failure in a FIFO queue no
later message may be processed, so the rest are failed without running.
"""

import sys
from typing import Any, Callable, Iterable, List, Optional, Sequence, Union

from ._base import CamelStruct

__all__ = ["BatchItemFailure", "BatchResponse", "item_identifier", "process_batch"]


class BatchItemFailure(CamelStruct):
    """SQS: the message id. Kinesis / DynamoDB Streams: the record's sequence number."""

    item_identifier: str


# Not omit_defaults: an empty list is written out, which reads plainly in logs and tests.
class BatchResponse(CamelStruct, omit_defaults=False):
    batch_item_failures: List[BatchItemFailure] = []


def item_identifier(record: Any) -> str:
    """The identifier Lambda expects for a record of SQS, Kinesis or DynamoDB Streams."""
    message_id = getattr(record, "message_id", None)
    if message_id is not None:
        return message_id
    for member in ("kinesis", "dynamodb"):
        inner = getattr(record, member, None)
        if inner is not None:
            return inner.sequence_number
    raise TypeError(f"not an SQS, Kinesis or DynamoDB stream record: {type(record).__name__}")


def _group(record: Any) -> "Optional[str]":
    attributes = getattr(record, "attributes", None)
    return getattr(attributes, "message_group_id", None)


def _report(record: Any, exc: BaseException) -> None:
    """The default ``on_error``: the traceback on stderr, which Lambda sends to CloudWatch."""
    import traceback

    sys.stderr.write(f"batch item {item_identifier(record)} failed: ")
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)


def process_batch(
    event: "Union[Any, Iterable[Any]]",
    handler: "Callable[[Any], Any]",
    *,
    fifo: Optional[bool] = None,
    skip_group_on_error: bool = False,
    on_error: "Optional[Callable[[Any, BaseException], None]]" = _report,
) -> BatchResponse:
    """Call ``handler(record)`` for each record; records whose call raised are reported.

    ``event`` is an ``SQSEvent``/``KinesisEvent``/``DynamoDBStreamEvent`` or a list of
    their records. ``fifo`` defaults to whether the SQS queue's ARN ends in ``.fifo``: then
    the first failure fails every later record unprocessed, or with
    ``skip_group_on_error`` only the later records of the same message group.
    """
    records: Sequence[Any] = event.records if hasattr(event, "records") else list(event)
    if fifo is None:
        fifo = bool(records) and getattr(records[0], "event_source_arn", "").endswith(".fifo")
    failures: List[BatchItemFailure] = []
    failed_groups: set = set()
    stopped = False
    for record in records:
        if stopped or (failed_groups and _group(record) in failed_groups):
            failures.append(BatchItemFailure(item_identifier=item_identifier(record)))
            continue
        try:
            handler(record)
        except Exception as exc:
            if on_error is not None:
                on_error(record, exc)
            failures.append(BatchItemFailure(item_identifier=item_identifier(record)))
            if fifo:
                if skip_group_on_error:
                    failed_groups.add(_group(record))
                else:
                    stopped = True
    return BatchResponse(batch_item_failures=failures)
