"""Plain Python values <-> AttributeValue: one conversion for the generated client and the
stream events, round-tripped through a real moto server and compared with boto3's."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from native_lambda.aws import dynamodb as values
from native_lambda.aws.clients import dynamodb
from native_lambda.events import dynamodb as events

ITEM: dict[str, Any] = {
    "pk": "item-1",
    "count": 7,
    "ratio": Decimal("0.25"),
    "price": 12.5,
    "blob": b"\x00\x01binary",
    "yes": True,
    "nothing": None,
    "tags": {"a", "b"},
    "sizes": {1, 2, Decimal("3.5")},
    "blobs": {b"x", b"y"},
    "nested": {"list": [1, "two", [False, None], {"deep": b"z"}], "empty": {}},
    "empty_list": [],
}
EXPECTED = {
    **ITEM,
    "count": Decimal(7),
    "price": Decimal("12.5"),
    "sizes": {Decimal(1), Decimal(2), Decimal("3.5")},
    "nested": {"list": [Decimal(1), "two", [False, None], {"deep": b"z"}], "empty": {}},
}


def test_item_round_trips_through_moto(aws_env: str) -> None:
    db = dynamodb.Client()
    db.create_table(
        TableName="values",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    db.put_item(TableName="values", Item=values.serialize_item(ITEM))
    got = db.get_item(TableName="values", Key=values.serialize_item({"pk": "item-1"}))
    assert values.deserialize_item(got.to_dict()["Item"]) == EXPECTED
    assert values.deserialize_item(got.item) == EXPECTED  # the result Structs directly


def test_same_wire_form_as_boto3() -> None:
    ser, de = TypeSerializer(), TypeDeserializer()
    decimal_only = {k: v for k, v in ITEM.items() if k not in ("price", "nested")}
    decimal_only["nested"] = {"list": [Decimal(1), "two", [False, None], {"deep": b"z"}]}
    for value in decimal_only.values():
        mine, theirs = values.serialize(value), ser.serialize(value)
        if "SS" in theirs or "NS" in theirs or "BS" in theirs:  # sets: order is free
            ((kind, items),) = theirs.items()
            theirs = {kind: sorted(items, key=str)}
            mine = {kind: sorted(mine[kind], key=str)}
        assert mine == theirs
        assert values.deserialize(mine) == de.deserialize(ser.serialize(value))


def test_stream_records_and_the_client_share_the_conversion() -> None:
    wire = values.serialize_item(ITEM)

    def jsonable(node: Any) -> Any:  # what DynamoDB Streams puts in an event: base64 binaries
        if isinstance(node, bytes):
            return base64.b64encode(node).decode()
        if isinstance(node, dict):
            return {k: jsonable(v) for k, v in node.items()}
        if isinstance(node, list):
            return [jsonable(v) for v in node]
        return node

    image = msgspec.json.decode(
        msgspec.json.encode(jsonable(wire)), type=dict[str, events.AttributeValue]
    )
    assert events.to_python(image) == EXPECTED == values.deserialize_item(wire)
    assert {k: v.value for k, v in events.item_from_python(ITEM).items()} == EXPECTED


def test_bad_values_fail_naming_the_value() -> None:
    with pytest.raises(ValueError, match="no empty sets"):
        values.serialize(set())
    with pytest.raises(TypeError, match="no DynamoDB type for object"):
        values.serialize(object())
    with pytest.raises(TypeError, match="only strings, numbers or binaries"):
        values.serialize({"a", 1})
    with pytest.raises(ValueError, match="exactly one member"):
        values.deserialize({"S": "a", "N": "1"})
