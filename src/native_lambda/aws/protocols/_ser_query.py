"""The query protocol's form body: ``Action``, ``Version`` and flattened member keys
(``Name.member.1``, ``Name.entry.1.key``; ``Name.1`` for flattened lists)."""

from __future__ import annotations

import base64

from . import _timestamps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Tuple

    from ._model import ServiceModel


def body(model: ServiceModel, action: str, shape: Any, params: Dict[str, Any]) -> bytes:
    from .._encoding import uri_encode

    pairs: List[Tuple[str, str]] = [("Action", action), ("Version", model.metadata["apiVersion"])]
    if shape is not None:
        _struct(model, shape, params, "", pairs)
    return "&".join(uri_encode(k) + "=" + uri_encode(v) for k, v in pairs).encode("ascii")


def _struct(
    model: ServiceModel, shape: Any, data: Any, prefix: str, out: List[Tuple[str, str]]
) -> None:
    members = shape.get("members", {})
    for name, item in data.items():
        if item is None:
            continue
        ref = members[name]
        key = ref.get("locationName", name)
        _value(model, ref, item, prefix + key if not prefix else prefix + "." + key, out)


def _value(model: ServiceModel, ref: Any, data: Any, key: str, out: List[Tuple[str, str]]) -> None:
    shape = model.shape(ref["shape"])
    kind = shape.get("type")
    if kind == "structure":
        _struct(model, shape, data, key, out)
    elif kind == "list":
        if not data:
            out.append((key, ""))
            return
        member = shape["member"]
        if shape.get("flattened") or ref.get("flattened"):
            name = member.get("locationName")
            if name:
                key = key.rpartition(".")[0] + "." + name if "." in key else name
            base = key
        else:
            base = key + "." + member.get("locationName", "member")
        for index, item in enumerate(data, 1):
            _value(model, member, item, f"{base}.{index}", out)
    elif kind == "map":
        flat = shape.get("flattened") or ref.get("flattened")
        base = key if flat else key + ".entry"
        kname = shape["key"].get("locationName", "key")
        vname = shape["value"].get("locationName", "value")
        for index, (k, v) in enumerate(data.items(), 1):
            out.append((f"{base}.{index}.{kname}", k))
            _value(model, shape["value"], v, f"{base}.{index}.{vname}", out)
    else:
        out.append((key, scalar(shape, ref, data, "iso8601")))


def scalar(shape: Any, ref: Any, data: Any, default_time: str) -> str:
    """A scalar as text (query bodies, URI labels, query strings and headers)."""
    kind = shape.get("type")
    if kind == "boolean":
        return "true" if data else "false"
    if kind == "timestamp":
        fmt = ref.get("timestampFormat") or shape.get("timestampFormat") or default_time
        return str(_timestamps.serialize(data, fmt))
    if kind == "blob":
        if isinstance(data, str):
            data = data.encode("utf-8")
        return base64.b64encode(data).decode("ascii")
    return str(data)
