"""Kinesis Data Firehose data-transformation requests and responses.

``data`` is ``bytes`` both ways (base64 on the wire). Answer every ``record_id`` once with
``Ok``, ``Dropped`` or ``ProcessingFailed``.
"""

from typing import Any, Dict, List, Literal, Optional, Type, TypeVar

import msgspec

from ._base import CamelStruct

__all__ = [
    "FirehoseEvent",
    "FirehoseRecord",
    "FirehoseResponse",
    "FirehoseResponseRecord",
    "FirehoseResult",
    "KinesisRecordMetadata",
]

T = TypeVar("T")
FirehoseResult = Literal["Ok", "Dropped", "ProcessingFailed"]


class KinesisRecordMetadata(CamelStruct):
    """Present when the delivery stream reads from a Kinesis data stream."""

    shard_id: str
    partition_key: str
    sequence_number: str
    approximate_arrival_timestamp: int
    subsequence_number: Optional[int] = None


class FirehoseRecord(CamelStruct):
    record_id: str
    data: bytes
    approximate_arrival_timestamp: int
    kinesis_record_metadata: Optional[KinesisRecordMetadata] = None

    def json(self, type: "Type[T]" = Any) -> "T":  # type: ignore[assignment]
        return msgspec.json.decode(self.data, type=type)


class FirehoseEvent(CamelStruct):
    invocation_id: str
    delivery_stream_arn: str
    region: str
    records: List[FirehoseRecord]
    source_kinesis_stream_arn: Optional[str] = None


class FirehoseResponseMetadata(CamelStruct):
    """Dynamic partitioning keys for this record."""

    partition_keys: Dict[str, str]


class FirehoseResponseRecord(CamelStruct):
    record_id: str
    result: FirehoseResult
    data: Optional[bytes] = None
    metadata: Optional[FirehoseResponseMetadata] = None

    @classmethod
    def ok(cls, record_id: str, data: bytes) -> "FirehoseResponseRecord":
        return cls(record_id=record_id, result="Ok", data=data)

    @classmethod
    def dropped(cls, record_id: str) -> "FirehoseResponseRecord":
        # Firehose expects a data member on every record, even a dropped one.
        return cls(record_id=record_id, result="Dropped", data=b"")

    @classmethod
    def failed(cls, record_id: str, data: bytes) -> "FirehoseResponseRecord":
        """Failed records go to the error output with the ``data`` given (the original)."""
        return cls(record_id=record_id, result="ProcessingFailed", data=data)


class FirehoseResponse(CamelStruct):
    records: List[FirehoseResponseRecord]
