"""Struct bases carrying AWS's wire-name conventions.

Every event Struct derives from one of these so the Python attributes stay snake_case
while the JSON keeps AWS's spelling (``messageId``, ``EventSubscriptionArn``,
``detail-type``). ``omit_defaults`` makes re-encoding give back only what was there (an
absent optional field is not written as ``null``), which also keeps responses small.
Unknown fields are ignored (msgspec's default): AWS adds fields over time.

Import cost is cold-start cost, so the event modules follow two rules. Struct annotations
are real objects (no ``from __future__ import annotations``): msgspec needs them anyway,
and resolving string annotations later made building a decoder about 5x slower (2.3 ms
against 0.45 ms for the two API Gateway events). Annotations of plain functions, which
nothing reads at runtime, are written as strings so ``Optional[...]`` and friends are not
built at import.
"""

import msgspec


class CamelStruct(msgspec.Struct, rename="camel", omit_defaults=True):
    """``event_source`` ↔ ``eventSource`` (most Lambda event sources)."""


class PascalStruct(msgspec.Struct, rename="pascal", omit_defaults=True):
    """``message_id`` ↔ ``MessageId`` (SNS, DynamoDB stream records)."""


class KebabStruct(msgspec.Struct, rename="kebab", omit_defaults=True):
    """``detail_type`` ↔ ``detail-type`` (EventBridge envelopes, S3 EventBridge details)."""
