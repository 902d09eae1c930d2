"""The example function: a typed event in, a typed reply out, and an error path.

Serve it locally with ``python -m native_lambda examples.greeting.handler`` (under
``native-lambda emulate``) or compile it with ``native-lambda build``.
"""

from __future__ import annotations

import msgspec

from native_lambda import Context


class Greeting(msgspec.Struct):
    """The event: who to greet and how many times."""

    name: str
    times: int = 1


class Reply(msgspec.Struct):
    """The result."""

    message: str
    request_id: str


class EmptyNameError(ValueError):
    """Raised for an empty name: reported to the caller as ``errorType: EmptyNameError``."""


def handler(event: Greeting, context: Context) -> Reply:
    if not event.name:
        raise EmptyNameError("name must not be empty")
    message = " ".join([f"Hello, {event.name}!"] * max(event.times, 1))
    return Reply(message=message, request_id=context.aws_request_id)
