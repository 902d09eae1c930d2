"""Handlers the runtime tests serve (LAMBDA_TASK_ROOT points here)."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import msgspec

from native_lambda import Context


class Item(msgspec.Struct):
    name: str
    count: int
    tags: list[str] = []


class Out(msgspec.Struct):
    total: int
    names: list[str]


class Batch(msgspec.Struct):
    items: list[Item]


def typed(event: Batch, context: Context) -> Out:
    return Out(total=sum(i.count for i in event.items), names=[i.name for i in event.items])


def untyped(event, context):
    return {"echo": event, "type": type(event).__name__}


def as_dict(event: dict[str, Any], context: Context) -> list[Any]:
    return sorted(event)


def raw(event: bytes, context: Context) -> bytes:
    return b"raw:" + event


async def asynchronous(event: dict[str, Any], context: Context) -> dict[str, Any]:
    await asyncio.sleep(0.001)
    return {"async": True, "n": event.get("n")}


class Boom(Exception):
    pass


def raising(event: Any, context: Context) -> None:
    def inner() -> None:
        raise Boom(f"exploded on {event!r}")

    inner()


def unserialisable(event: Any, context: Context) -> Any:
    return {"value": object()}


def huge(event: Any, context: Context) -> Any:
    size = int(event["size"])
    return "x" * size


def context_fields(event: Any, context: Context) -> dict[str, Any]:
    cc = context.client_context
    return {
        "aws_request_id": context.aws_request_id,
        "invoked_function_arn": context.invoked_function_arn,
        "deadline_ms": context.deadline_ms,
        "remaining": context.get_remaining_time_in_millis(),
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "tenant_id": context.tenant_id,
        "xray_trace_id": context.xray_trace_id,
        "env_trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "identity": [
            context.identity.cognito_identity_id,
            context.identity.cognito_identity_pool_id,
        ],
        "client_context": None
        if cc is None
        else {
            "custom": cc.custom,
            "env": cc.env,
            "client": None
            if cc.client is None
            else {
                "installation_id": cc.client.installation_id,
                "app_title": cc.client.app_title,
                "app_version_name": cc.client.app_version_name,
                "app_version_code": cc.client.app_version_code,
                "app_package_name": cc.client.app_package_name,
            },
        },
    }


log = logging.getLogger("fns")


def logs(event: Any, context: Context) -> str:
    print("printed line")
    log.info("info one\nsecond line")
    log.warning("warned %s", "arg", extra={"custom": 7})
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        log.exception("caught")
    log.debug("debug hidden unless level says so")
    return "ok"


def partial_lines(event: Any, context: Context) -> str:
    """Output without a closing newline, on both streams."""
    import sys

    sys.stdout.write(f"stdout tail {event['n']}")
    print(f"stderr tail {event['n']}", end="", file=sys.stderr)
    return "ok"


def sleepy(event: Any, context: Context) -> str:
    import time

    time.sleep(float(event["seconds"]))
    return "woke"


def counter(event: Any, context: Context) -> Any:
    return {"i": event["i"], "id": context.aws_request_id}


class Service:
    """A callable instance and a bound method as handlers: annotations still drive decoding."""

    def __call__(self, event: Item, context: Context) -> str:
        return f"call:{event.name}"

    def method(self, event: Item, context: Context) -> str:
        return f"method:{event.count}"

    async def amethod(self, event: Item, context: Context) -> str:
        return f"amethod:{event.name}"


instance = Service()
bound = instance.method
abound = instance.amethod


def values(event: dict[str, str], context: Context) -> Any:
    """One result value of the kind named by the event: the encodings awslambdaric lacks."""
    import datetime
    import decimal
    import uuid

    kind = event["kind"]
    if kind == "decimal":
        # A DynamoDB item as boto3 returns it: every number is a Decimal.
        return {
            "price": decimal.Decimal("19.90"),
            "qty": decimal.Decimal("3"),
            "big": decimal.Decimal("12345678901234567890.5"),
        }
    if kind == "nan":
        return {"v": decimal.Decimal(event["value"])}
    if kind == "datetime":
        utc = datetime.timezone.utc
        return {
            "aware": datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=utc),
            "naive": datetime.datetime(2024, 5, 6, 7, 8, 9),
            "date": datetime.date(2024, 5, 6),
        }
    if kind == "set":
        return {"set": {3, 1, 2}, "frozen": frozenset(["a"])}
    if kind == "words":
        return ["NaN", "Infinity", -0.0]
    if kind == "uuid":
        return {"id": uuid.UUID("12345678-1234-5678-1234-567812345678")}
    raise ValueError(kind)


def deep(event: dict[str, int], context: Context) -> None:
    """Raise ``event["depth"]`` frames down, with a message of ``event["size"]`` characters."""

    def down(level: int) -> None:
        if level == 0:
            raise Boom("é😀" + "m" * (event["size"] - 2))
        down(level - 1)

    down(event["depth"])
