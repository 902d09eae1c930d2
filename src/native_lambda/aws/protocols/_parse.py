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
    stripped = body.strip() if isinstance(body, bytes) else b""
    if status >= 500 and (not stripped or stripped.startswith(b"<html>")):
        # A proxy's or load balancer's page, not the service's: code and reason from HTTP.
        return str(status), reason, {"Error": {"Code": str(status), "Message": reason}}
    protocol = model.metadata["protocol"]
    if protocol in ("json", "rest-json"):
        return _json_error(model, status, headers, body)
    details: Dict[str, Any] = {}
    found = None
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
            if found is not None and node.tag == "Error":
                # S3's request ids: botocore files them under ResponseMetadata.
                details.pop("RequestId", None)
                details.pop("HostId", None)
    code = details.get("Code") or str(status)
    message = details.get("Message", reason if not body else "")
    details.setdefault("Code", code)
    details.setdefault("Message", message)
    response: Dict[str, Any] = {"Error": details}
    shape = model.error_shape(code) if found is not None else None
    if shape is not None and shape.get("type") == "structure":
        response.update(_parse_xml.structure(model, shape, found))  # botocore's modeled fields
    return code, message, response


def _json_error(
    model: ServiceModel, status: int, headers: Headers, body: bytes
) -> Tuple[str, str, Dict[str, Any]]:
    try:
        data = msgspec.json.decode(body) if body else {}
    except msgspec.DecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    # botocore's order: the body's __type (else the status); a query-compatible service's
    # x-amzn-query-error code; then, for rest-json only, x-amzn-errortype or a body code.
    code = _short(str(data.get("__type", str(status))))
    message = data.get("message", data.get("Message", ""))
    error_info: Dict[str, Any] = {"Message": message, "Code": code}
    query_error = header(headers, "x-amzn-query-error")
    if query_error:
        parts = query_error.split(";")
        if len(parts) == 2 and parts[0]:
            error_info["QueryErrorCode"] = code
            error_info["Type"] = parts[1]
            error_info["Code"] = code = parts[0]
    if model.metadata["protocol"] == "rest-json":
        found = header(headers, "x-amzn-errortype")
        if found is None and ("code" in data or "Code" in data):
            found = data.get("code", data.get("Code", ""))
        if isinstance(found, str):
            error_info["Code"] = code = _short(found)
    response: Dict[str, Any] = {"Error": error_info}
    return code, message, _modeled(model, code, data, response)


def class_code(service: str, details: Dict[str, Any]) -> str:
    """The code that picks the exception class, as botocore picks it: the error code; for
    SQS (whose shapes carry no query code) the JSON code of a query-compatible answer."""
    error = details["Error"]
    if service == "sqs" and error.get("QueryErrorCode"):
        return str(error["QueryErrorCode"])
    return str(error["Code"])


def _short(code: str) -> str:
    """``ns#Name:http://...`` -> ``Name``."""
    return code.split(":", 1)[0].rsplit("#", 1)[-1]


def _modeled(
    model: ServiceModel, code: str, data: Dict[str, Any], response: Dict[str, Any]
) -> Dict[str, Any]:
    """botocore adds the members of the modeled error (found by the query code if any)."""
    shape = model.error_shape(response["Error"].get("QueryErrorCode") or code)
    if shape is not None and shape.get("type") == "structure":
        response.update(_parse_json.value(model, shape, data))
    return response
