"""XML response bodies (query and rest-xml) to boto3's dicts."""

from __future__ import annotations

import base64

from . import _timestamps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

    from ._model import ServiceModel


def root(body: bytes) -> Any:
    """The document's root element, namespaces stripped from tags."""
    from xml.etree import ElementTree

    node = ElementTree.fromstring(body)
    for element in node.iter():
        tag = element.tag
        if isinstance(tag, str) and tag[0] == "{":
            element.tag = tag.rpartition("}")[2]
    return node


def find(node: Any, tag: str) -> Optional[Any]:
    for child in node:
        if child.tag == tag:
            return child
    return None


def value(model: ServiceModel, ref: Dict[str, Any], node: Any) -> Any:
    shape = model.shape(ref["shape"])
    kind = shape.get("type")
    if kind == "structure":
        return structure(model, shape, node)
    if kind == "list":
        member = shape["member"]
        tag = member.get("locationName", "member")
        return [value(model, member, child) for child in node if child.tag == tag]
    if kind == "map":
        return _map(model, shape, [child for child in node if child.tag == "entry"])
    return scalar(shape, node.text or "")


def _map(model: ServiceModel, shape: Dict[str, Any], entries: List[Any]) -> Dict[str, Any]:
    kname = shape["key"].get("locationName", "key")
    vname = shape["value"].get("locationName", "value")
    out = {}
    for entry in entries:
        key = find(entry, kname)
        val = find(entry, vname)
        if key is not None:
            out[key.text or ""] = value(model, shape["value"], val) if val is not None else None
    return out


def structure(model: ServiceModel, shape: Dict[str, Any], node: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for name, ref in shape.get("members", {}).items():
        if "location" in ref:
            continue
        target = model.shape(ref["shape"])
        tag = ref.get("locationName", name)
        if ref.get("xmlAttribute"):
            attr = _attribute(node, tag)
            if attr is not None:
                out[name] = scalar(target, attr)
            continue
        kind = target.get("type")
        flat = target.get("flattened") or ref.get("flattened")
        if kind == "list" and flat:
            member = target["member"]
            mtag = ref.get("locationName") or member.get("locationName", name)
            found = [value(model, member, child) for child in node if child.tag == mtag]
            if found:
                out[name] = found
            continue
        if kind == "map" and flat:
            entries = [child for child in node if child.tag == tag]
            if entries:
                out[name] = _map(model, target, entries)
            continue
        child = find(node, tag)
        if child is not None:
            out[name] = value(model, ref, child)
    return out


def _attribute(node: Any, name: str) -> Optional[str]:
    if ":" in name:
        local = name.partition(":")[2]
        for key, val in node.attrib.items():
            if key.rpartition("}")[2] == local:
                return str(val)
        return None
    found = node.attrib.get(name)
    return None if found is None else str(found)


def scalar(shape: Dict[str, Any], text: str) -> Any:
    kind = shape.get("type")
    if kind in ("integer", "long", "short", "byte"):
        return int(text)
    if kind == "boolean":
        return text == "true"
    if kind in ("float", "double"):
        return float(text)
    if kind == "timestamp":
        return _timestamps.parse(text)
    if kind == "blob":
        return base64.b64decode(text)
    return text
