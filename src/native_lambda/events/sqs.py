"""SQS messages delivered to Lambda (standard and FIFO queues).

Answer with :class:`native_lambda.events.batch.BatchResponse` (or use
:func:`native_lambda.events.batch.process_batch`) when the event source mapping reports
batch item failures.
"""

from typing import Any, Dict, List, Optional, Type, TypeVar

import msgspec

from ._base import CamelStruct, PascalStruct

__all__ = ["SQSAttributes", "SQSEvent", "SQSMessageAttribute", "SQSRecord"]

T = TypeVar("T")


class SQSMessageAttribute(CamelStruct):
    """A message attribute; binary values stay base64 text (see :attr:`binary`)."""

    data_type: str
    string_value: Optional[str] = None
    binary_value: Optional[str] = None
    string_list_values: Optional[List[str]] = None
    binary_list_values: Optional[List[str]] = None

    @property
    def binary(self) -> "Optional[bytes]":
        """``binary_value`` decoded from base64."""
        if self.binary_value is None:
            return None
        import binascii

        return binascii.a2b_base64(self.binary_value)


class SQSAttributes(PascalStruct):
    """System attributes. Values are strings, as SQS sends them (timestamps in ms)."""

    approximate_receive_count: str
    sent_timestamp: str
    sender_id: Optional[str] = None
    approximate_first_receive_timestamp: Optional[str] = None
    # FIFO queues
    sequence_number: Optional[str] = None
    message_group_id: Optional[str] = None
    message_deduplication_id: Optional[str] = None
    dead_letter_queue_source_arn: Optional[str] = None
    aws_trace_header: Optional[str] = msgspec.field(default=None, name="AWSTraceHeader")


class SQSRecord(CamelStruct):
    message_id: str
    receipt_handle: str
    body: str
    attributes: SQSAttributes
    event_source: str
    event_source_arn: str = msgspec.field(name="eventSourceARN")
    message_attributes: Dict[str, SQSMessageAttribute] = {}
    md5_of_body: Optional[str] = None
    md5_of_message_attributes: Optional[str] = None
    aws_region: Optional[str] = None

    @property
    def from_fifo_queue(self) -> bool:
        return self.event_source_arn.endswith(".fifo")

    def json(self, type: "Type[T]" = Any) -> "T":  # type: ignore[assignment]
        """The body decoded as JSON, strictly into ``type`` when given."""
        return msgspec.json.decode(self.body, type=type)


class SQSEvent(msgspec.Struct, omit_defaults=True):
    records: List[SQSRecord] = msgspec.field(name="Records")
