"""Typed benchmark events of a given JSON size, shaped like ``function/bench_echo.Payload``."""

from __future__ import annotations

import json

SIZES = {"1KB": 1_000, "100KB": 100_000, "1MB": 1_000_000, "5MB": 5_000_000}


def _item(i: int) -> dict[str, object]:
    return {
        "id": i,
        "name": f"item-{i:08d}",
        "score": round(i * 0.731, 3),
        "active": i % 2 == 0,
        "tags": ["alpha", "beta", f"t{i % 97}"],
    }


def make(size: int, request_id: str = "bench") -> bytes:
    """The smallest compact JSON ``Payload`` of at least ``size`` bytes."""
    head = json.dumps({"request_id": request_id, "items": []}, separators=(",", ":"))
    head = head[:-3]  # drop "[]}": items are spliced in below
    items: list[str] = []
    length = len(head) + 3  # "[" + "]}"
    while length < size or not items:
        item = json.dumps(_item(len(items)), separators=(",", ":"))
        length += len(item) + (1 if items else 0)
        items.append(item)
    body = head + "[" + ",".join(items) + "]}"
    return body.encode()
