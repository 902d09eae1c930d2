"""JSON response bodies to boto3's dicts: member names, ``bytes`` for blobs, ``datetime``
for timestamps, unknown keys dropped."""

from __future__ import annotations

import base64

from . import _timestamps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict

    from ._model import ServiceModel


def value(model: ServiceModel, shape: Dict[str, Any], data: Any) -> Any:
    if data is None:
        return None
    kind = shape.get("type")
    if kind == "structure":
        if shape.get("document"):
            return data
        if not isinstance(data, dict):
            return data
        out = {}
        for name, ref in shape.get("members", {}).items():
            if "location" in ref:
                continue
            item = data.get(ref.get("locationName", name))
            if item is not None:
                out[name] = value(model, model.shape(ref["shape"]), item)
        return out
    if kind == "list":
        target = model.shape(shape["member"]["shape"])
        return [value(model, target, item) for item in data]
    if kind == "map":
        target = model.shape(shape["value"]["shape"])
        return {key: value(model, target, item) for key, item in data.items()}
    if kind == "blob":
        return base64.b64decode(data)
    if kind == "timestamp":
        return _timestamps.parse(data)
    return data
