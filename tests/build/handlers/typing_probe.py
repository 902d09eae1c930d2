"""Compiled typing probe (``_HANDLER`` selects it): what Nuitka's ``sys._getframemodulename``
and ``typing`` patches keep working on Python 3.12+, which the start-up tuning must leave in
place while it skips the inspect part."""

# ruff: noqa
import sys

#: what was loaded by the time the handler module runs (the runtime's init is done), before
#: this module's own imports (dataclasses imports inspect)
AT_INIT = sorted(sys.modules)

import collections
import dataclasses
import typing

import msgspec

T = typing.TypeVar("T")
Item = collections.namedtuple("Item", "a b")


class Movie(typing.TypedDict):
    title: str


class Box(msgspec.Struct, typing.Generic[T]):
    value: T
    label: str = ""


@dataclasses.dataclass
class Pair:
    left: int
    right: int = 2


def handler(event, context):
    boxed = msgspec.json.decode(b'{"value": 3, "label": "x"}', type=Box[int])
    try:
        msgspec.json.decode(b'{"value": "no"}', type=Box[int])
        rejected = ""
    except msgspec.ValidationError as exc:
        rejected = str(exc)
    return {
        "python": "%d.%d" % sys.version_info[:2],
        "modules": {
            "TypeVar": T.__module__,
            "namedtuple": Item.__module__,
            "TypedDict": Movie.__module__,
            "dataclass": Pair.__module__,
            "Struct": Box.__module__,
        },
        "generic": [boxed.value, boxed.label, rejected],
        "dataclass": dataclasses.asdict(Pair(1)),
        "fields": [f.name for f in dataclasses.fields(Pair)],
        "at_init": AT_INIT,
    }
