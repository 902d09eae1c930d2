"""DynamoDB Streams records, with AttributeValues as typed Structs and plain values.

``AttributeValue`` mirrors the wire shape (``{"N": "101"}``), so re-encoding a record gives
back what DynamoDB sent, and msgspec does the typing while decoding: numbers become
``Decimal``, binaries ``bytes`` (from base64), ``SS``/``NS``/``BS`` sets. ``.value``,
:func:`to_python` and the ``StreamRecord.new_item``/``old_item``/``key_item`` views turn
them into plain Python values; :func:`from_python` goes the other way. The conversion
rules are :mod:`native_lambda.aws.dynamodb`'s, shared with the generated DynamoDB client.
"""

from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Set

import msgspec

from native_lambda.aws.dynamodb import classify, to_plain

from ._base import CamelStruct, PascalStruct

__all__ = [
    "AttributeValue",
    "DynamoDBRecord",
    "DynamoDBStreamEvent",
    "StreamRecord",
    "from_python",
    "item_from_python",
    "to_python",
]


class AttributeValue(msgspec.Struct, omit_defaults=True):
    """Exactly one member is set, named as on the wire."""

    S: Optional[str] = None
    N: Optional[Decimal] = None
    B: Optional[bytes] = None
    SS: Optional[Set[str]] = None
    NS: Optional[Set[Decimal]] = None
    BS: Optional[Set[bytes]] = None
    M: Optional[Dict[str, "AttributeValue"]] = None
    L: Optional[List["AttributeValue"]] = None
    NULL: Optional[bool] = None
    BOOL: Optional[bool] = None

    @property
    def value(self) -> Any:
        """The plain Python value: str, Decimal, bytes, set, dict, list, bool or None."""
        for member in _MEMBERS:
            payload = getattr(self, member)
            if payload is not None:
                return to_plain(member, payload, _value)
        return None  # NULL


_MEMBERS = ("S", "N", "M", "L", "BOOL", "B", "SS", "NS", "BS")


def _value(attribute: AttributeValue) -> Any:
    return attribute.value


def to_python(item: "Optional[Mapping[str, AttributeValue]]") -> "Optional[Dict[str, Any]]":
    """An item (``Keys``/``NewImage``/``OldImage``) as a dict of plain values."""
    if item is None:
        return None
    return {name: value.value for name, value in item.items()}


def from_python(value: Any) -> AttributeValue:
    """The AttributeValue for a plain value (the inverse of ``.value``)."""
    member, payload = classify(value)
    if member == "M":
        payload = {k: from_python(v) for k, v in payload.items()}
    elif member == "L":
        payload = [from_python(v) for v in payload]
    return AttributeValue(**{member: payload})


def item_from_python(item: "Mapping[str, Any]") -> "Dict[str, AttributeValue]":
    return {str(name): from_python(value) for name, value in item.items()}


class StreamRecord(PascalStruct):
    """The ``dynamodb`` member. Images are present per ``stream_view_type``."""

    keys: Dict[str, AttributeValue]
    sequence_number: str
    size_bytes: int
    stream_view_type: Optional[str] = None
    approximate_creation_date_time: Optional[float] = None
    new_image: Optional[Dict[str, AttributeValue]] = None
    old_image: Optional[Dict[str, AttributeValue]] = None

    @property
    def key_item(self) -> "Dict[str, Any]":
        return {name: value.value for name, value in self.keys.items()}

    @property
    def new_item(self) -> "Optional[Dict[str, Any]]":
        return to_python(self.new_image)

    @property
    def old_item(self) -> "Optional[Dict[str, Any]]":
        return to_python(self.old_image)


class StreamIdentity(CamelStruct):
    """Set for deletions made by TTL (``principal_id`` ``dynamodb.amazonaws.com``)."""

    type: str
    principal_id: str


class DynamoDBRecord(CamelStruct):
    event_name: str  # INSERT | MODIFY | REMOVE
    dynamodb: StreamRecord
    event_id: str = msgspec.field(name="eventID")
    event_source_arn: str = msgspec.field(name="eventSourceARN")
    event_version: Optional[str] = None
    event_source: Optional[str] = None
    aws_region: Optional[str] = None
    user_identity: Optional[StreamIdentity] = None


class DynamoDBStreamEvent(msgspec.Struct, omit_defaults=True):
    records: List[DynamoDBRecord] = msgspec.field(name="Records")
