"""Kinesis Data Streams records delivered to Lambda.

``data`` is declared ``bytes``: msgspec decodes the base64 text straight into bytes while
decoding the event, and encodes it back to base64.
"""

from typing import Any, List, Optional, Type, TypeVar

import msgspec

from ._base import CamelStruct

__all__ = ["KinesisData", "KinesisEvent", "KinesisRecord"]

T = TypeVar("T")


class KinesisData(CamelStruct):
    partition_key: str
    sequence_number: str
    data: bytes
    approximate_arrival_timestamp: float
    kinesis_schema_version: Optional[str] = None
    encryption_type: Optional[str] = None

    def text(self, encoding: str = "utf-8") -> str:
        return self.data.decode(encoding)

    def json(self, type: "Type[T]" = Any) -> "T":  # type: ignore[assignment]
        """The record's data decoded as JSON, strictly into ``type`` when given."""
        return msgspec.json.decode(self.data, type=type)


class KinesisRecord(CamelStruct):
    kinesis: KinesisData
    event_source: str
    event_id: str = msgspec.field(name="eventID")
    event_source_arn: str = msgspec.field(name="eventSourceARN")
    event_name: Optional[str] = None
    event_version: Optional[str] = None
    invoke_identity_arn: Optional[str] = None
    aws_region: Optional[str] = None


class KinesisEvent(msgspec.Struct, omit_defaults=True):
    records: List[KinesisRecord] = msgspec.field(name="Records")
