"""DynamoDB values: plain Python values to AttributeValues and back.

One conversion for both sides of a function: the generated DynamoDB client (whose
parameters and ``to_dict()`` results use boto3's wire form, ``{"N": "7"}``) and the typed
stream records of :mod:`native_lambda.events.dynamodb`. The rules are boto3's
``TypeSerializer``/``TypeDeserializer`` ones: numbers come back as ``Decimal``, binaries as
``bytes``, string/number/binary sets as ``set``; ``int`` and ``float`` are accepted going in.

    from native_lambda.aws import dynamodb as values
    ddb.put_item(TableName="t", Item=values.serialize_item({"pk": "a", "n": 7}))
    item = values.deserialize_item(ddb.get_item(TableName="t", Key=key).to_dict()["Item"])
"""

from __future__ import annotations

from decimal import Decimal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Mapping, Tuple

__all__ = ["classify", "deserialize", "deserialize_item", "serialize", "serialize_item", "to_plain"]

_NUMBER = (int, float, Decimal)
_BINARY = (bytes, bytearray, memoryview)


def _number(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def classify(value: Any) -> Tuple[str, Any]:
    """(member, payload) for a plain value: ``("N", Decimal("7"))``, ``("SS", {"a"})``;
    ``M`` and ``L`` payloads still hold plain values for the caller to convert."""
    if isinstance(value, str):
        return "S", value
    if isinstance(value, bool):
        return "BOOL", value
    if isinstance(value, _NUMBER):
        return "N", _number(value)
    if isinstance(value, _BINARY):
        return "B", bytes(value)
    if value is None:
        return "NULL", True
    if isinstance(value, dict) or hasattr(value, "keys"):
        return "M", {str(k): v for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        if not value:
            raise ValueError("DynamoDB has no empty sets")
        if all(isinstance(v, str) for v in value):
            return "SS", set(value)
        if all(isinstance(v, _BINARY) for v in value):
            return "BS", {bytes(v) for v in value}
        if all(isinstance(v, _NUMBER) and not isinstance(v, bool) for v in value):
            return "NS", {_number(v) for v in value}
        raise TypeError(f"a DynamoDB set holds only strings, numbers or binaries: {value!r}")
    if isinstance(value, (list, tuple)):
        return "L", list(value)
    raise TypeError(f"no DynamoDB type for {type(value).__name__}: {value!r}")


def to_plain(member: str, payload: Any, inner: Callable[[Any], Any]) -> Any:
    """The plain value of one AttributeValue member; ``inner`` converts M/L elements."""
    if member in ("S", "BOOL"):
        return payload
    if member == "N":
        return _number(payload)
    if member == "B":
        return bytes(payload)
    if member == "M":
        return {k: inner(v) for k, v in payload.items()}
    if member == "L":
        return [inner(v) for v in payload]
    if member == "SS":
        return set(payload)
    if member == "NS":
        return {_number(v) for v in payload}
    if member == "BS":
        return {bytes(v) for v in payload}
    if member == "NULL":
        return None
    raise ValueError(f"unknown AttributeValue member {member!r}")


def serialize(value: Any) -> Dict[str, Any]:
    """The AttributeValue (wire form, as the client takes it) for a plain value."""
    member, payload = classify(value)
    if member == "M":
        payload = {k: serialize(v) for k, v in payload.items()}
    elif member == "L":
        payload = [serialize(v) for v in payload]
    elif member == "N":
        payload = str(payload)
    elif member in ("SS", "BS"):
        payload = sorted(payload)
    elif member == "NS":
        payload = [str(v) for v in sorted(payload)]
    return {member: payload}


def deserialize(attribute: Any) -> Any:
    """The plain value of an AttributeValue: a wire-form dict or a client result Struct."""
    if hasattr(attribute, "to_dict"):
        attribute = attribute.to_dict()
    if len(attribute) != 1:
        raise ValueError(f"an AttributeValue has exactly one member, got {sorted(attribute)}")
    ((member, payload),) = attribute.items()
    return to_plain(member, payload, deserialize)


def serialize_item(item: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """An item (or key) of plain values as the client's ``Item=``/``Key=`` parameter."""
    return {str(name): serialize(value) for name, value in item.items()}


def deserialize_item(item: Mapping[str, Any]) -> Dict[str, Any]:
    """An item from the client (``to_dict()["Item"]`` or ``result.item``) as plain values."""
    return {name: deserialize(value) for name, value in item.items()}
