"""Parameters -> :class:`Request` for each protocol (json, rest-json, query, rest-xml)."""

from __future__ import annotations

from . import _ser_query
from ._request import Request

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

    from ._model import ServiceModel


_ENCODER: Any = None


def _json(data: Any) -> bytes:
    global _ENCODER
    if _ENCODER is None:
        import msgspec

        _ENCODER = msgspec.json.Encoder(decimal_format="number")
    return _ENCODER.encode(data)


def serialize(model: ServiceModel, op: Dict[str, Any], params: Dict[str, Any]) -> Request:
    meta = model.metadata
    protocol = meta["protocol"]
    http = op.get("http", {})
    in_ref = op.get("input")
    shape = model.shape(in_ref["shape"]) if in_ref else None
    if shape is not None:
        params = _fill_tokens(model, shape, params)
    if protocol == "json":
        req = Request("POST", "/")
        req.headers["X-Amz-Target"] = f"{meta['targetPrefix']}.{op['name']}"
        req.headers["Content-Type"] = "application/x-amz-json-" + meta.get("jsonVersion", "1.0")
        if "awsQueryCompatible" in meta:
            req.headers["x-amzn-query-mode"] = "true"
        from . import _ser_json

        data = _ser_json.value(model, shape, params, in_ref or {}) if shape is not None else {}
        req.body = _json(data)
    elif protocol == "query":
        req = Request("POST", "/")
        req.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        req.body = _ser_query.body(model, op["name"], shape, params)
    else:
        req = _rest(model, op, http, shape, params, protocol)
    prefix = op.get("endpoint", {}).get("hostPrefix")
    if prefix:
        for name, value in params.items():
            prefix = prefix.replace("{" + name + "}", str(value))
        req.host_prefix = prefix
    return req


def _fill_tokens(
    model: ServiceModel, shape: Dict[str, Any], params: Dict[str, Any]
) -> Dict[str, Any]:
    for name, ref in shape.get("members", {}).items():
        if ref.get("idempotencyToken") and name not in params:
            import uuid

            params = dict(params)
            params[name] = str(uuid.uuid4())
    return params


def _rest(
    model: ServiceModel,
    op: Dict[str, Any],
    http: Dict[str, Any],
    shape: Optional[Dict[str, Any]],
    params: Dict[str, Any],
    protocol: str,
) -> Request:
    from .._encoding import uri_encode

    template, _, literal = http.get("requestUri", "/").partition("?")
    req = Request(http.get("method", "POST"), template)
    for item in literal.split("&") if literal else ():
        key, sep, value = item.partition("=")
        req.query.append((key, value) if sep else (key, None))  # type: ignore[arg-type]
    members = shape.get("members", {}) if shape is not None else {}
    body: Dict[str, Any] = {}
    payload_name = shape.get("payload") if shape is not None else None
    path = template
    for name, value in params.items():
        ref = members[name]
        where = ref.get("location")
        target = model.shape(ref["shape"])
        wire = ref.get("locationName", name)
        if where == "uri":
            text = _ser_query.scalar(target, ref, value, "iso8601")
            if "{" + wire + "+}" in path:
                path = path.replace("{" + wire + "+}", uri_encode(text, safe="/~"))
            else:
                path = path.replace("{" + wire + "}", uri_encode(text, safe="~"))
            if (
                wire == "Bucket"
                and model.metadata.get("signingName", model.metadata["endpointPrefix"]) == "s3"
            ):
                req.bucket = text
        elif where == "querystring":
            _query(model, target, ref, wire, value, req.query)
        elif where == "header":
            _header(target, ref, wire, value, req.headers)
        elif where == "headers":
            for key, item in value.items():
                req.headers[wire + key] = str(item)
        elif name == payload_name:
            req.body = _payload(model, target, ref, name, value, protocol)
        else:
            body[name] = value
    req.path = path
    absent = payload_name is not None and payload_name not in params
    if protocol == "rest-json" and absent and _is_structure(model, members[payload_name]):
        req.body = b"{}"  # an absent structure payload is an empty JSON object
    if payload_name is None and shape is not None:
        has_body = any("location" not in ref for ref in members.values())
        if protocol == "rest-json" and (body or has_body):
            from . import _ser_json

            req.body = _json(_ser_json.value(model, shape, body, {}))
        elif protocol == "rest-xml" and body:
            from . import _ser_xml

            root = op["input"].get("locationName", shape["name"])
            ref = {"shape": shape["name"], "xmlNamespace": op["input"].get("xmlNamespace")}
            req.body = _ser_xml.document(model, ref, body, root)
    if (
        protocol == "rest-json"
        and req.body
        and "Content-Type" not in req.headers
        and (
            payload_name is None
            or model.shape(members[payload_name]["shape"]).get("type") == "structure"
        )
    ):
        req.headers["Content-Type"] = "application/json"
    return req


def _is_structure(model: ServiceModel, ref: Dict[str, Any]) -> bool:
    return model.shape(ref["shape"]).get("type") == "structure"


def _payload(
    model: ServiceModel,
    target: Dict[str, Any],
    ref: Dict[str, Any],
    name: str,
    value: Any,
    protocol: str,
) -> Any:
    kind = target.get("type")
    if kind == "blob":
        return value.encode("utf-8") if isinstance(value, str) else value
    if kind == "string":
        return value.encode("utf-8")
    if protocol == "rest-json":
        from . import _ser_json

        return _json(_ser_json.value(model, target, value, ref))
    from . import _ser_xml

    return _ser_xml.document(model, ref, value, ref.get("locationName", name))


def _query(
    model: ServiceModel,
    target: Dict[str, Any],
    ref: Dict[str, Any],
    wire: str,
    value: Any,
    out: List[Tuple[str, str]],
) -> None:
    kind = target.get("type")
    if kind == "list":
        member = target["member"]
        mshape = model.shape(member["shape"])
        out.extend((wire, _ser_query.scalar(mshape, member, v, "iso8601")) for v in value)
    elif kind == "map":
        vref = target["value"]
        vshape = model.shape(vref["shape"])
        for key, item in value.items():
            if vshape.get("type") == "list":
                mref = vshape["member"]
                mshape = model.shape(mref["shape"])
                out.extend((key, _ser_query.scalar(mshape, mref, v, "iso8601")) for v in item)
            else:
                out.append((key, _ser_query.scalar(vshape, vref, item, "iso8601")))
    else:
        out.append((wire, _ser_query.scalar(target, ref, value, "iso8601")))


def _header(
    target: Dict[str, Any], ref: Dict[str, Any], wire: str, value: Any, out: Dict[str, str]
) -> None:
    kind = target.get("type")
    if kind == "list":
        if value:  # an empty list sends no header
            out[wire] = ",".join(str(v) for v in value)
    elif kind == "string" and (ref.get("jsonvalue") or target.get("jsonvalue")):
        import base64

        out[wire] = base64.b64encode(_json(value)).decode("ascii")
    else:
        out[wire] = _ser_query.scalar(target, ref, value, "rfc822")
