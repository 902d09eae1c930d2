"""DynamoDB Streams records, with AttributeValues as typed Structs and plain values.

``AttributeValue`` mirrors the wire shape (``{"N": "101"}``), so re-encoding a record gives
back what DynamoDB sent, and msgspec does the typing while decoding: numbers become
``Decimal``, binaries ``bytes`` (from base64), ``SS``/``NS``/``BS`` sets. ``.value``,
:func:`to_python` and the ``StreamRecord.new_item``/``old_item``/``key_item`` views turn
them into plain Python values; :func:`from_python` goes the other way.
"""

from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Set

import msgspec

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
        if self.S is not None:
            return self.S
        if self.N is not None:
            return self.N
        if self.M is not None:
            return {k: v.value for k, v in self.M.items()}
        if self.L is not None:
            return [v.value for v in self.L]
        if self.BOOL is not None:
            return self.BOOL
        if self.B is not None:
            return self.B
        if self.SS is not None:
            return self.SS
        if self.NS is not None:
            return self.NS
        if self.BS is not None:
            return self.BS
        return None  # NULL


def to_python(item: "Optional[Mapping[str, AttributeValue]]") -> "Optional[Dict[str, Any]]":
    """An item (``Keys``/``NewImage``/``OldImage``) as a dict of plain values."""
    if item is None:
        return None
    return {name: value.value for name, value in item.items()}


def from_python(value: Any) -> AttributeValue:
    """The AttributeValue for a plain value (the inverse of ``.value``)."""
    if isinstance(value, str):
        return AttributeValue(S=value)
    if isinstance(value, bool):
        return AttributeValue(BOOL=value)
    if isinstance(value, (int, float, Decimal)):
        return AttributeValue(N=Decimal(str(value)))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return AttributeValue(B=bytes(value))
    if value is None:
        return AttributeValue(NULL=True)
    if isinstance(value, Mapping):
        return AttributeValue(M={str(k): from_python(v) for k, v in value.items()})
    if isinstance(value, (set, frozenset)):
        if not value:
            raise ValueError("DynamoDB has no empty sets")
        if all(isinstance(v, str) for v in value):
            return AttributeValue(SS=set(value))
        if all(isinstance(v, (bytes, bytearray)) for v in value):
            return AttributeValue(BS={bytes(v) for v in value})
        if all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in value):
            return AttributeValue(NS={Decimal(str(v)) for v in value})
        raise TypeError(f"a DynamoDB set holds only strings, numbers or binaries: {value!r}")
    if isinstance(value, (list, tuple)):
        return AttributeValue(L=[from_python(v) for v in value])
    raise TypeError(f"no DynamoDB type for {type(value).__name__}: {value!r}")


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
