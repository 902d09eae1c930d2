"""XML request bodies (rest-xml): element names from ``locationName``, flattened lists and
maps, attributes and namespaces."""

from __future__ import annotations

from . import _ser_query

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List

    from ._model import ServiceModel

_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&apos;",
    "\r": "&#xD;",
    "\n": "&#xA;",
}


def escape(text: str) -> str:
    if any(c in text for c in _ESCAPES):
        return "".join(_ESCAPES.get(c, c) for c in text)
    return text


def _namespace(spec: Any) -> str:
    if not spec:
        return ""
    prefix = spec.get("prefix")
    return f' xmlns{":" + prefix if prefix else ""}="{escape(spec["uri"])}"'


def document(model: ServiceModel, ref: Any, data: Any, name: str) -> bytes:
    """``<name xmlns=..>...</name>`` for the payload member ``ref``."""
    out: List[str] = []
    _element(model, ref, data, name, out, root=True)
    return "".join(out).encode("utf-8")


def _element(
    model: ServiceModel, ref: Any, data: Any, name: str, out: List[str], root: bool = False
) -> None:
    shape = model.shape(ref["shape"])
    kind = shape.get("type")
    ns = _namespace(ref.get("xmlNamespace") or shape.get("xmlNamespace"))
    if kind == "structure":
        members = shape.get("members", {})
        attrs = ""
        body: List[str] = []
        for member, item in data.items():
            if item is None:
                continue
            mref = members[member]
            mname = mref.get("locationName", member)
            if mref.get("xmlAttribute"):
                mshape = model.shape(mref["shape"])
                attrs += f' {mname}="{escape(_ser_query.scalar(mshape, mref, item, "iso8601"))}"'
                if ":" in mname and not ns:
                    pass
            else:
                _element(model, mref, item, mname, body)
        out.append(f"<{name}{ns}{attrs}>" + "".join(body) + f"</{name}>")
    elif kind == "list":
        member = shape["member"]
        if shape.get("flattened") or ref.get("flattened"):
            child = member.get("locationName", name)
            for item in data:
                _element(model, member, item, child, out)
            return
        child = member.get("locationName", "member")
        body = []
        for item in data:
            _element(model, member, item, child, body)
        out.append(f"<{name}{ns}>" + "".join(body) + f"</{name}>")
    elif kind == "map":
        kname = shape["key"].get("locationName", "key")
        vname = shape["value"].get("locationName", "value")
        entries: List[str] = []
        for k, v in data.items():
            value: List[str] = []
            _element(model, shape["value"], v, vname, value)
            entries.append(f"<{kname}>{escape(k)}</{kname}>" + "".join(value))
        if shape.get("flattened") or ref.get("flattened"):
            out.extend(f"<{name}>{e}</{name}>" for e in entries)
        else:
            out.append(
                f"<{name}{ns}>" + "".join(f"<entry>{e}</entry>" for e in entries) + f"</{name}>"
            )
    else:
        text = _ser_query.scalar(shape, ref, data, "iso8601")
        out.append(f"<{name}{ns}>{escape(text)}</{name}>")
