"""HTTP responses -> boto3's result dicts and modeled errors, for every protocol."""

from __future__ import annotations

import msgspec

from . import _parse_json, _timestamps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

    from ._model import ServiceModel

    Headers = List[Tuple[str, str]]


def header(headers: Headers, name: str) -> Optional[str]:
    lname = name.lower()
    found = [v for k, v in headers if k.lower() == lname]
    return ", ".join(found) if found else None


def result(
    model: ServiceModel, op: Dict[str, Any], status: int, headers: Headers, body: Any
) -> Dict[str, Any]:
    """The parsed result; ``body`` is bytes, or the stream for a streaming payload."""
    out_ref = op.get("output")
    if out_ref is None:
        return {}
    shape = model.shape(out_ref["shape"])
    protocol = model.metadata["protocol"]
    if protocol == "json":
        return _parse_json.value(model, shape, msgspec.json.decode(body) if body else {})
    if protocol == "query":
        from . import _parse_xml

        node = _parse_xml.root(body)
        wrapper = out_ref.get("resultWrapper")
        if wrapper:
            node = _parse_xml.find(node, wrapper)
            if node is None:
                return {}
        return _parse_xml.structure(model, shape, node)
    return _rest(model, shape, status, headers, body, protocol)


def _rest(
    model: ServiceModel,
    shape: Dict[str, Any],
    status: int,
    headers: Headers,
    body: Any,
    protocol: str,
) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    members = shape.get("members", {})
    for name, ref in members.items():
        where = ref.get("location")
        if where == "header":
            text = header(headers, ref.get("locationName", name))
            if text is not None:
                out[name] = _header_value(model, model.shape(ref["shape"]), ref, text)
        elif where == "headers":
            prefix = ref.get("locationName", "").lower()
            out[name] = {k[len(prefix) :]: v for k, v in headers if k.lower().startswith(prefix)}
        elif where == "statusCode":
            out[name] = status
    payload = shape.get("payload")
    if payload:
        ref = members[payload]
        target = model.shape(ref["shape"])
        kind = target.get("type")
        if (kind == "blob" and target.get("streaming")) or kind == "blob":
            out[payload] = body
        elif kind == "string":
            out[payload] = body.decode("utf-8")
        else:  # botocore gives an empty structure for an empty body
            out[payload] = _body(model, target, body, protocol) if body else {}
        return out
    if body:
        out.update(_body(model, shape, body, protocol))
    return out


def _body(model: ServiceModel, shape: Dict[str, Any], body: bytes, protocol: str) -> Any:
    if protocol == "rest-json":
        return _parse_json.value(model, shape, msgspec.json.decode(body))
    from . import _parse_xml

    return _parse_xml.structure(model, shape, _parse_xml.root(body))


def _header_value(
    model: ServiceModel, shape: Dict[str, Any], ref: Dict[str, Any], text: str
) -> Any:
    kind = shape.get("type")
    if kind in ("integer", "long"):
        return int(text)
    if kind == "boolean":
        return text.lower() == "true"
    if kind in ("float", "double"):
        return float(text)
    if kind == "timestamp":
        return _timestamps.parse(text)
    if kind == "list":
        return [part.strip() for part in text.split(",")]
    if kind == "string" and (ref.get("jsonvalue") or shape.get("jsonvalue")):
        import base64

        return msgspec.json.decode(base64.b64decode(text))
    return text


def error(
    model: ServiceModel, op: Dict[str, Any], status: int, reason: str, headers: Headers, body: bytes
) -> Tuple[str, str, Dict[str, Any]]:
    """(code, message, boto3's error response dict without ResponseMetadata)."""
    protocol = model.metadata["protocol"]
    if protocol in ("json", "rest-json"):
        return _json_error(model, status, headers, body)
    details: Dict[str, Any] = {}
    if body:
        from . import _parse_xml

        try:
            node = _parse_xml.root(body)
        except Exception:
            node = None
        if node is not None:
            found = node if node.tag == "Error" else _parse_xml.find(node, "Error")
            if found is None and node.tag == "ErrorResponse":
                found = _parse_xml.find(node, "Error")
            for child in found if found is not None else ():
                details[child.tag] = child.text or ""
    code = details.get("Code") or str(status)
    message = details.get("Message", reason if not body else "")
    details.setdefault("Code", code)
    details.setdefault("Message", message)
    return code, message, {"Error": details}


def _json_error(
    model: ServiceModel, status: int, headers: Headers, body: bytes
) -> Tuple[str, str, Dict[str, Any]]:
    try:
        data = msgspec.json.decode(body) if body else {}
    except msgspec.DecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    code = (
        header(headers, "x-amzn-errortype")
        or data.get("__type")
        or data.get("code")
        or data.get("Code")
        or str(status)
    )
    code = code.partition(":")[0].rpartition("#")[2]
    message = data.get("message") or data.get("Message") or data.get("errorMessage") or ""
    error_info: Dict[str, Any] = {"Message": message, "Code": code}
    query_error = header(headers, "x-amzn-query-error")
    if query_error and "awsQueryCompatible" in model.metadata:
        qcode, _, kind = query_error.partition(";")
        error_info["QueryErrorCode"] = code
        error_info["Code"] = code = qcode
        error_info["Type"] = kind
    response: Dict[str, Any] = {"Error": error_info}
    return code, message, _modeled(model, code, data, response)


def _modeled(
    model: ServiceModel, code: str, data: Dict[str, Any], response: Dict[str, Any]
) -> Dict[str, Any]:
    name = code if code in model._shapes else None
    if name is None:
        return response
    shape = model.shape(name)
    if shape.get("type") == "structure":
        extra = _parse_json.value(model, shape, data)
        extra.pop("message", None)
        extra.pop("Message", None)
        response.update(extra)
    return response
