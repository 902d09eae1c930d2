"""Seeded random values for botocore shapes: valid inputs for every operation, and
outputs to encode as responses. Values respect ``min``/``max`` and ``required`` so that
botocore's validator accepts them, and they include the awkward cases (unicode, spaces and
reserved URL characters in strings, sub-second timestamps, empty containers)."""

from __future__ import annotations

import datetime
import random
from typing import Any, Optional

from botocore.model import Shape

_ALPHABET = "abcXYZ019 -_.~/:+=&?%*@é中"
_SAFE = "abcxyz0189-"


class ShapeGen:
    def __init__(self, seed: int, *, output: bool = False) -> None:
        self.rng = random.Random(seed)
        self.output = output

    def value(self, shape: Shape, depth: int = 0, *, safe: bool = False, ref: Any = None) -> Any:
        rng = self.rng
        kind = shape.type_name
        if kind == "structure":
            if shape.type_name == "structure" and getattr(shape, "is_document_type", False):
                return {"k": [1, "x", True]}
            out = {}
            required = set(shape.required_members)
            members = shape.members
            names = list(members)
            if shape.is_tagged_union:
                names = [rng.choice(names)] if names else []
                required = set(names)
            for name in names:
                member = members[name]
                if member.serialization.get("eventstream"):
                    continue
                if name in required or (depth < 3 and rng.random() < 0.6):
                    location = member.serialization.get("location")
                    if self.output and location == "statusCode":
                        continue
                    label = location in ("uri", "header", "headers") or member.serialization.get(
                        "hostLabel"
                    )
                    out[name] = self.value(member, depth + 1, safe=bool(label) or safe, ref=member)
            return out
        if kind == "list":
            low = shape.metadata.get("min", 0)
            count = max(low, rng.randint(0, 3) if depth < 4 else 0)
            return [self.value(shape.member, depth + 1, safe=safe) for _ in range(count)]
        if kind == "map":
            low = shape.metadata.get("min", 0)
            count = max(low, rng.randint(0, 2) if depth < 4 else 0)
            keys = {self.string(shape.key, True) for _ in range(count)}
            return {k: self.value(shape.value, depth + 1, safe=safe) for k in keys}
        if kind == "string":
            if shape.serialization.get("jsonvalue") or (
                ref is not None and ref.serialization.get("jsonvalue")
            ):
                return {"a": [1, "b"]}
            return self.string(shape, safe)
        if kind in ("integer", "long"):
            low = int(shape.metadata.get("min", 0))
            high = int(shape.metadata.get("max", low + 1000))
            return rng.randint(low, max(low, min(high, low + 1000)))
        if kind == "boolean":
            return rng.random() < 0.5
        if kind in ("float", "double"):
            low = float(shape.metadata.get("min", 0))
            return round(low + rng.random() * 100, 3)
        if kind == "timestamp":
            micro = 0 if safe else rng.choice((0, 0, 123000, 500000))
            return datetime.datetime(
                2020 + rng.randint(0, 6),
                rng.randint(1, 12),
                rng.randint(1, 28),
                rng.randint(0, 23),
                rng.randint(0, 59),
                rng.randint(0, 59),
                micro,
                tzinfo=datetime.timezone.utc,
            )
        if kind == "blob":
            return bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        return None

    def string(self, shape: Shape, safe: bool) -> str:
        rng = self.rng
        enum = shape.metadata.get("enum")
        if enum:
            return str(rng.choice(enum))
        low = int(shape.metadata.get("min", 1)) or 1
        high = int(shape.metadata.get("max", low + 10))
        n = rng.randint(low, max(low, min(high, low + 10)))
        alphabet = _SAFE if safe else _ALPHABET
        return "".join(rng.choice(alphabet) for _ in range(n))


def operations(model: Any) -> list:
    """Operations of a botocore ServiceModel that use no event streams."""
    out = []
    for name in model.operation_names:
        op = model.operation_model(name)
        if op.get_event_stream_input() is not None or op.get_event_stream_output() is not None:
            continue
        out.append(op)
    return out


def maybe(shape: Optional[Shape]) -> Any:
    return shape
