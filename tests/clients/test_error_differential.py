"""Error answers parsed by botocore and by us: the error dict boto3 puts on ``ClientError``
(``Error`` with code, message and the protocol's extras, plus the modeled members) and the
exception class, for every modeled error of every shipped service, in each way the
protocol spells an error: json ``__type`` and ``x-amzn-errortype``, query-compatible
``x-amzn-query-error``, rest-json's header, query and rest-xml ``<Error><Code>``, bodiless
and non-XML 5xx answers."""

from __future__ import annotations

import http.client
import json
import random
from typing import Any, Dict, Iterator, List, Tuple
from xml.sax.saxutils import escape

import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

from native_lambda.aws.protocols import _parse
from native_lambda_toolchain.clients import SHIPPED

from .differential import load

SESSION = botocore.session.get_session()
Case = Tuple[str, int, Dict[str, str], bytes]


def _members(shape: Any, rng: random.Random) -> Dict[str, str]:
    """Random values for the error shape's string members other than the message."""
    out = {}
    for name, member in shape.members.items():
        if member.type_name == "string" and name.lower() != "message":
            out[name] = f"{name}-{rng.randrange(10**6)}"
    return out


def _variants(protocol: str, meta: Dict[str, Any], shape: Any, rng: random.Random) -> List[Case]:
    code = shape.metadata.get("error", {}).get("code", shape.name)
    status = int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
    message = f"the {shape.name} message {rng.randrange(10**6)} <&>"
    extra = _members(shape, rng)
    prefix = meta.get("targetPrefix", "com.amazonaws.service")
    out: List[Case] = []
    if protocol in ("json", "rest-json"):
        ctype = {"Content-Type": "application/x-amz-json-1.1"}
        body = {"__type": f"{prefix}#{shape.name}", "message": message, **extra}
        out.append(("__type", status, ctype, json.dumps(body).encode()))
        header = {**ctype, "x-amzn-errortype": f"{shape.name}:http://internal.amazon.com/x"}
        out.append(("errortype", status, header, json.dumps({"Message": message}).encode()))
        if "awsQueryCompatible" in meta and code != shape.name:
            query = {**ctype, "x-amzn-query-error": f"{code};Sender"}
            out.append(("query-error", status, query, json.dumps(body).encode()))
    else:
        fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in extra.items())
        error = (
            f"<Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message>{fields}"
        )
        xml = {"Content-Type": "text/xml"}
        if protocol == "query":
            doc = f"<ErrorResponse><Error>{error}</Error><RequestId>r-1</RequestId></ErrorResponse>"
        else:
            doc = f"<Error>{error}<RequestId>r-1</RequestId><HostId>h-1</HostId></Error>"
        out.append(("xml", status, xml, f'<?xml version="1.0"?>{doc}'.encode()))
    return out


def _generic(protocol: str) -> List[Case]:
    html = {"Content-Type": "text/html"}
    cases = [("html-502", 502, html, b"<html><body>Bad Gateway</body></html>")]
    cases.append(("empty-503", 503, {}, b""))
    if protocol == "rest-xml":
        cases.append(("head-404", 404, {}, b""))
    return cases


def _cases(service: str) -> Iterator[Tuple[str, str, Any, int, Dict[str, str], bytes]]:
    _, ours, theirs = load(service, SHIPPED[service])
    protocol = ours.metadata["protocol"]
    rng = random.Random(service)
    ops = [theirs.operation_model(n) for n in theirs.operation_names]
    for shape in theirs.error_shapes:
        op = next((o for o in ops if shape in o.error_shapes), ops[0])
        for label, status, headers, body in _variants(protocol, theirs.metadata, shape, rng):
            yield f"{shape.name}/{label}", protocol, op, status, headers, body
    for label, status, headers, body in _generic(protocol):
        yield label, protocol, ops[0], status, headers, body


def _botocore(protocol: str, op: Any, status: int, headers: Dict[str, str], body: bytes) -> Any:
    """What botocore's endpoint hands to the client: the error, then the modeled fields."""
    parser = create_parser(protocol)
    response = {"status_code": status, "headers": HeadersDict(headers), "body": body}
    parsed = parser.parse(response, op.output_shape)
    error = parsed.get("Error", {})
    code = error.get("QueryErrorCode") or error.get("Code")
    shape = op.service_model.shape_for_error_code(code) if code else None
    if shape is not None:
        parsed.update(parser.parse(response, shape))
    parsed.pop("ResponseMetadata", None)
    # The client's class: SQS's after-call handler overrides the code with the JSON one.
    if op.service_model.service_name == "sqs" and error.get("QueryErrorCode"):
        return parsed, error["QueryErrorCode"]
    return parsed, error.get("Code")


@pytest.mark.parametrize("service", sorted(SHIPPED))
def test_error_answers_parse_as_botocore_parses_them(service: str) -> None:
    mod, ours, _ = load(service, SHIPPED[service])
    client = SESSION.create_client(
        service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    failures, n = [], 0
    for label, protocol, op, status, headers, body in _cases(service):
        n += 1
        theirs, their_code = _botocore(protocol, op, status, headers, body)
        reason = http.client.responses.get(status, "")
        code, message, mine = _parse.error(
            ours, ours.operation(op.name), status, reason, list(headers.items()), body
        )
        if mine != theirs:
            failures.append(f"{label}: botocore {theirs!r}\n  ours {mine!r}")
            continue
        cls = mod.exceptions.from_code(_parse.class_code(service, mine))
        their_cls = client.exceptions.from_code(their_code)
        expected = "ServiceError" if their_cls.__name__ == "ClientError" else their_cls.__name__
        if cls.__name__.rstrip("_") != expected:
            failures.append(f"{label}: class {cls.__name__}, botocore {their_cls.__name__}")
        if (code, message) != (theirs["Error"]["Code"], theirs["Error"].get("Message", "")):
            failures.append(f"{label}: code and message {code!r} {message!r}")
    assert n >= 3
    assert not failures, f"{len(failures)} of {n} differ:\n" + "\n".join(failures[:8])
