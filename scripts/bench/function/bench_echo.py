"""The benchmark's function: a typed echo.

Under native-lambda the annotations make the runtime decode the event into ``Payload``
(msgspec, validated) and encode the returned ``Payload``; under awslambdaric the same
function receives and returns a ``dict`` (its json marshaller does the work). Python 3.9
syntax: this file is compiled into the bootstrap.
"""

from typing import Any, List

import msgspec


class Item(msgspec.Struct):
    id: int
    name: str
    score: float
    active: bool
    tags: List[str]


class Payload(msgspec.Struct):
    request_id: str
    items: List[Item]


def handler(event: Payload, context: Any) -> Payload:
    return event
