"""DynamoDB AttributeValues: wire-faithful Structs, plain Python values both ways."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from tests.events.support import fixture

from native_lambda.events.dynamodb import (
    AttributeValue,
    DynamoDBStreamEvent,
    from_python,
    item_from_python,
    to_python,
)

EXPECTED_NEW = {
    "pk": "order#7",
    "sk": Decimal("1"),
    "total": Decimal("19.990"),
    "paid": True,
    "note": None,
    "blob": b"\x00\xffdata",
    "tags": {"gift", "express"},
    "sizes": {Decimal("1"), Decimal("2.5"), Decimal("10")},
    "chunks": {b"a", b"b"},
    "lines": [{"sku": "w-1", "qty": Decimal(2)}, {"sku": "g-9", "qty": Decimal(1)}],
    "meta": {"source": "web", "flags": [False, ""]},
}


def _event() -> DynamoDBStreamEvent:
    return msgspec.json.decode(fixture("dynamodb.json"), type=DynamoDBStreamEvent)


def test_images_become_plain_values() -> None:
    insert, modify, remove = _event().records
    assert modify.dynamodb.new_item == EXPECTED_NEW
    assert modify.dynamodb.old_item == {
        "pk": "order#7",
        "sk": Decimal(1),
        "total": Decimal("9.99"),
        "paid": False,
    }
    assert modify.dynamodb.key_item == {"pk": "order#7", "sk": Decimal(1)}
    assert insert.dynamodb.old_item is None
    assert remove.dynamodb.new_item is None
    assert remove.user_identity.principal_id == "dynamodb.amazonaws.com"
    assert modify.event_name == "MODIFY"
    assert modify.dynamodb.stream_view_type == "NEW_AND_OLD_IMAGES"


def test_number_precision_is_kept() -> None:
    value = msgspec.json.decode(
        b'{"N": "123456789012345678901234567890.000000001"}', type=AttributeValue
    )
    assert value.value == Decimal("123456789012345678901234567890.000000001")


def test_from_python_inverts_value() -> None:
    image = item_from_python(EXPECTED_NEW)
    assert to_python(image) == EXPECTED_NEW
    modify = _event().records[1]
    assert image == modify.dynamodb.new_image
    encoded = msgspec.json.decode(msgspec.json.encode(from_python({"n": 1.5, "b": b"\x01"})))
    assert encoded == {"M": {"n": {"N": "1.5"}, "b": {"B": "AQ=="}}}


@pytest.mark.parametrize(
    ("value", "error"),
    [(set(), ValueError), ({1, "a"}, TypeError), (object(), TypeError)],
)
def test_from_python_rejects_what_dynamodb_cannot_store(value: object, error: type) -> None:
    with pytest.raises(error):
        from_python(value)
