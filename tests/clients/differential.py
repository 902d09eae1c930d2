"""Our serializer and parser against botocore's, over randomized shapes."""

from __future__ import annotations

import importlib
import json
import zlib
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qsl, unquote
from xml.etree import ElementTree

import botocore.session
import msgspec
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from native_lambda.aws.protocols import _parse, _ser_json, _ser_xml, _serialize
from native_lambda.aws.protocols._model import ServiceModel

from .shapegen import ShapeGen, operations

#: Headers that are not the serializer's business (transport, signing, checksums).
IGNORED_HEADERS = {"user-agent", "content-md5", "x-amz-sdk-checksum-algorithm", "content-length"}

SESSION = botocore.session.get_session()


def load(service: str, module: str) -> Tuple[Any, ServiceModel, Any]:
    mod = importlib.import_module(f"native_lambda.aws.clients.{module}")
    ours = ServiceModel(mod.METADATA, mod.SHAPES, mod.OPERATIONS, mod.PAGINATORS)
    theirs = SESSION.get_service_model(service)
    return mod, ours, theirs


def _xml_canon(data: bytes) -> Any:
    def walk(node: Any) -> Any:
        return (
            node.tag,
            sorted(node.attrib.items()),
            (node.text or "").strip(),
            [walk(c) for c in node],
        )

    return walk(ElementTree.fromstring(data)) if data else None


def _body(protocol: str, body: Any, content_type: str) -> Any:
    if isinstance(body, dict):  # botocore's query serializer leaves the form as a dict
        return sorted((k, str(v)) for k, v in body.items())
    if isinstance(body, str):
        body = body.encode()
    if not body:
        return None
    if protocol == "query" or "x-www-form-urlencoded" in content_type:
        return sorted(parse_qsl(body.decode(), keep_blank_values=True))
    if protocol in ("json", "rest-json") and ("json" in content_type or protocol == "json"):
        return json.loads(body)
    if protocol == "rest-xml" and body.lstrip().startswith(b"<"):
        return _xml_canon(body)
    return body


def request_pair(
    protocol: str, ours: ServiceModel, op: Any, params: Dict[str, Any]
) -> Tuple[Any, Any]:
    """(botocore's request, ours), both normalised for comparison."""
    serializer = create_serializer(protocol, include_validation=True)
    theirs = serializer.serialize_to_request(json_copy(params), op)
    path, _, literal = theirs["url_path"].partition("?")
    tquery: List[Tuple[str, str]] = []
    for part in literal.split("&") if literal else ():
        k, _, v = part.partition("=")
        tquery.append((unquote(k), unquote(v)))
    query = theirs["query_string"]
    for k, v in query.items() if isinstance(query, dict) else parse_qsl(query):
        for item in v if isinstance(v, list) else [v]:
            tquery.append((k, str(item)))
    theaders = {
        k.lower(): v for k, v in theirs["headers"].items() if k.lower() not in IGNORED_HEADERS
    }
    req = _serialize.serialize(ours, ours.operation(op.name), json_copy(params))
    oheaders = {k.lower(): v for k, v in req.headers.items() if k.lower() not in IGNORED_HEADERS}
    ctype = theaders.get("content-type", "")
    a = {
        "method": theirs["method"],
        "path": path,
        "query": sorted(tquery),
        "headers": theaders,
        "body": _body(protocol, theirs["body"], ctype),
        "host_prefix": theirs.get("host_prefix"),
    }
    b = {
        "method": req.method,
        "path": req.path,
        "query": sorted((k, v or "") for k, v in req.query),
        "headers": oheaders,
        "body": _body(protocol, req.body, oheaders.get("content-type", "")),
        "host_prefix": req.host_prefix,
    }
    return a, b


def json_copy(value: Any) -> Any:
    """A deep copy (serializers may add tokens to the dict they get)."""
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) for v in value]
    return value


def encode_response(
    protocol: str, ours: ServiceModel, op_name: str, data: Dict[str, Any]
) -> Tuple[int, Dict[str, str], bytes]:
    """A wire response holding ``data`` (an output of ``op_name``), in ``protocol``."""
    op = ours.operation(op_name)
    out = op["output"]
    shape = ours.shape(out["shape"])
    headers: Dict[str, str] = {}
    status = 200
    if protocol == "json":
        return (
            200,
            {"content-type": "application/x-amz-json-1.0"},
            msgspec.json.encode(_ser_json.value(ours, shape, data, out)),
        )
    if protocol == "query":
        inner = _ser_xml.document(
            ours, {"shape": out["shape"]}, data, out.get("resultWrapper", "R")
        )
        name = op_name + "Response"
        body = (
            f'<{name} xmlns="https://example.com/doc/">'.encode()
            + inner
            + b"<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
            + f"</{name}>".encode()
        )
        return 200, {"content-type": "text/xml"}, body
    members = shape.get("members", {})
    body_data = {}
    payload = shape.get("payload")
    body = b""
    for name, value in data.items():
        ref = members[name]
        where = ref.get("location")
        target = ours.shape(ref["shape"])
        wire = ref.get("locationName", name)
        if where == "header":
            _serialize._header(target, ref, wire, value, headers)
        elif where == "headers":
            for k, v in value.items():
                headers[wire + k] = v
        elif where == "statusCode":
            status = value
        elif name == payload:
            kind = target.get("type")
            if kind in ("blob", "string"):
                body = value if isinstance(value, bytes) else value.encode()
            elif protocol == "rest-json":
                body = msgspec.json.encode(_ser_json.value(ours, target, value, ref))
            else:
                body = _ser_xml.document(ours, ref, value, ref.get("locationName", name))
        else:
            body_data[name] = value
    if payload is None and (body_data or protocol == "rest-json"):
        if protocol == "rest-json":
            body = msgspec.json.encode(_ser_json.value(ours, shape, body_data, out))
        else:
            body = _ser_xml.document(ours, {"shape": out["shape"]}, body_data, out["shape"])
    return status, headers, body


def parse_pair(
    protocol: str,
    ours: ServiceModel,
    mod: Any,
    op: Any,
    status: int,
    headers: Dict[str, str],
    body: bytes,
) -> Tuple[Any, Any]:
    from botocore.awsrequest import HeadersDict

    parser = create_parser(protocol)
    streaming = op.has_streaming_output
    raw_body = body
    if streaming:
        import io

        from botocore.response import StreamingBody

        raw_body = StreamingBody(io.BytesIO(body), len(body))
    theirs = parser.parse(
        {"status_code": status, "headers": HeadersDict(headers), "body": raw_body}, op.output_shape
    )
    theirs.pop("ResponseMetadata", None)
    parsed = _parse.result(ours, ours.operation(op.name), status, list(headers.items()), body)
    cls = getattr(mod, op.output_shape.name, None) if op.output_shape is not None else None
    result = msgspec.convert(parsed, cls) if cls is not None else parsed
    mine = result.to_dict() if hasattr(result, "to_dict") else result
    for value in (theirs, mine):
        for key, item in list(value.items()):
            if hasattr(item, "read"):
                value[key] = item.read()
    return theirs, mine


def cases(service: str, module: str, seeds: int, start: int = 0):
    """(protocol, our model, module, op, params, output data) for ``seeds`` per operation."""
    mod, ours, theirs = load(service, module)
    protocol = ours.metadata["protocol"]
    for op in operations(theirs):
        for seed in range(start, start + seeds):
            gen = ShapeGen(zlib.crc32(f"{service}.{op.name}.{seed}".encode()))
            params = gen.value(op.input_shape) if op.input_shape is not None else {}
            for name, member in op.input_shape.members.items() if op.input_shape else ():
                if member.serialization.get("idempotencyToken") or member.metadata.get(
                    "idempotencyToken"
                ):
                    params[name] = f"token-{seed}-".ljust(36, "0")
            out_gen = ShapeGen(seed * 7919 + 1, output=True)
            output = out_gen.value(op.output_shape) if op.output_shape is not None else None
            yield protocol, ours, mod, op, params, output
