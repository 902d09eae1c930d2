"""JSON bodies (the json and rest-json protocols): member names, base64 blobs, epoch
timestamps unless the model says otherwise."""

from __future__ import annotations

import base64

from . import _timestamps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict

    from ._model import ServiceModel


def value(model: ServiceModel, shape: Dict[str, Any], data: Any, ref: Dict[str, Any]) -> Any:
    kind = shape.get("type")
    if kind == "structure":
        if shape.get("document"):
            return data
        members = shape.get("members", {})
        out = {}
        for name, item in data.items():
            member = members[name]
            if item is None:
                continue
            out[member.get("locationName", name)] = value(
                model, model.shape(member["shape"]), item, member
            )
        return out
    if kind == "list":
        member = shape["member"]
        target = model.shape(member["shape"])
        return [value(model, target, item, member) for item in data]
    if kind == "map":
        member = shape["value"]
        target = model.shape(member["shape"])
        return {key: value(model, target, item, member) for key, item in data.items()}
    if kind == "blob":
        if isinstance(data, str):
            data = data.encode("utf-8")
        elif hasattr(data, "read"):
            data = data.read()
        return base64.b64encode(data).decode("ascii")
    if kind == "timestamp":
        fmt = ref.get("timestampFormat") or shape.get("timestampFormat") or "unixtimestamp"
        return _timestamps.serialize(data, fmt)
    return data
