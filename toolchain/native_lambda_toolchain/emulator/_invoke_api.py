"""The invoke endpoint: RIE-compatible, on the Invoke API's path, with its error answers."""

from __future__ import annotations

import base64
import binascii
import json
import random

from . import _errors as err
from ._config import INVOKE_PREFIX, RUNTIME_PREFIX, STREAM_INVOKE_PREFIX
from ._extensions_api import ExtensionsApi
from ._http import Request
from ._limits import MAX_INVOKE_REQUEST_BYTES, MAX_RESPONSE_BYTES, MAX_STREAMED_RESPONSE_BYTES
from ._sandbox import Invocation


def _reject_invoke(req: Request, status: int, error_type: str, message: str) -> None:
    """Answer an Invoke API request the control plane refuses before any runtime sees it."""
    status, body, etype = err.invoke_api_error(status, error_type, message)
    req.respond(status, body, [("X-Amzn-ErrorType", etype)])


def body_limit(method: str, path: str) -> int:
    """The largest body a request may carry: Lambda's invoke payload limit, or a response's."""
    if path.startswith(INVOKE_PREFIX) or path.startswith(STREAM_INVOKE_PREFIX):
        return MAX_INVOKE_REQUEST_BYTES
    return MAX_RESPONSE_BYTES


def streamed_body(method: str, path: str, headers: dict[str, str]) -> int:
    """A runtime's streamed ``/response`` is read chunk by chunk, up to 200 MiB."""
    if (
        method == "POST"
        and path.endswith("/response")
        and headers.get("lambda-runtime-function-response-mode", "").lower() == "streaming"
    ):
        return MAX_STREAMED_RESPONSE_BYTES
    return 0


def handles_oversize(req: Request) -> bool:
    """Requests whose handler answers an over-limit body with its own Lambda error."""
    path = req.path
    if path.startswith(INVOKE_PREFIX) or path.startswith(STREAM_INVOKE_PREFIX):
        return True
    return path.startswith(RUNTIME_PREFIX + "invocation/") and path.endswith("/response")


def _request_id() -> str:
    """A random (version 4) UUID string, without uuid4's syscall and object."""
    h = "%032x" % (random.getrandbits(128) & _UUID4_MASK | _UUID4_BITS)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID4_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)


_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)


_INVOKE_TYPES = ("RequestResponse", "Event", "DryRun")
_STREAM_TYPES = ("RequestResponse", "DryRun")  # InvokeWithResponseStream has no Event type


class InvokeApi(ExtensionsApi):
    """``POST /2015-03-31/functions/{any name}/invocations`` (buffered) and
    ``POST /2021-11-15/functions/{any name}/response-streaming-invocations`` (streamed)."""

    def _invoke(self, req: Request, stream: bool = False) -> None:
        headers = req.headers
        if req.oversize or len(req.body) > MAX_INVOKE_REQUEST_BYTES:
            _reject_invoke(
                req,
                413,
                "RequestEntityTooLargeException",
                f"Request must be smaller than {MAX_INVOKE_REQUEST_BYTES} bytes "
                "for the InvokeFunction operation",
            )
            return
        invocation_type = headers.get("x-amz-invocation-type", "RequestResponse")
        allowed = (
            ("RequestResponse", "DryRun") if stream else ("RequestResponse", "Event", "DryRun")
        )
        if invocation_type not in allowed:
            _reject_invoke(
                req,
                400,
                "InvalidParameterValueException",
                f"Unsupported invocation type {invocation_type}",
            )
            return
        client_context: str | None = None
        raw_context = headers.get("x-amz-client-context")
        if raw_context:
            try:
                client_context = base64.b64decode(raw_context, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                _reject_invoke(
                    req,
                    400,
                    "InvalidRequestContentException",
                    "Client context must be a valid Base64-encoded JSON object.",
                )
                return
        if self.config.validate_json and req.body:
            try:
                json.loads(req.body)
            except ValueError as exc:
                _reject_invoke(
                    req,
                    400,
                    "InvalidRequestContentException",
                    f"Could not parse request body into json: {exc}",
                )
                return
        if invocation_type == "DryRun":
            req.respond(204, b"", content_type=None)
            return
        assert self._loop is not None
        inv = Invocation(
            request_id=_request_id(),
            payload=req.body,
            request=req if invocation_type == "RequestResponse" else None,
            client_context=client_context,
            cognito_identity=headers.get("x-native-lambda-cognito-identity"),
            trace_id=headers.get("x-amzn-trace-id"),
            tenant_id=headers.get("x-amz-tenant-id"),
            log_tail=headers.get("x-amz-log-type", "").lower() == "tail",
            stream=stream,
        )
        if inv.request is None:
            req.respond(202, b"", [("X-Amzn-RequestId", inv.request_id)], content_type=None)
        self._enqueue(inv)
