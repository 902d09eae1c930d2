"""Streamed responses: from the runtime's chunked ``/response`` to the caller, chunk by chunk.

On the InvokeWithResponseStream path the caller gets ``application/vnd.amazon.eventstream``
as Lambda frames it: one ``PayloadChunk`` event per piece the runtime sent, then one
``InvokeComplete`` event (``ErrorCode`` and ``ErrorDetails`` when the function failed,
``LogResult`` when the log tail was asked for). A plain invoke of a streaming function gets
the whole body buffered, within the 6 MB buffered limit, as Lambda does.
"""

from __future__ import annotations

import base64
import binascii
import json

from ..eventstream import CONTENT_TYPE, INVOKE_COMPLETE, PAYLOAD_CHUNK, encode_event
from ._config import header_error_type
from ._limits import MAX_RESPONSE_BYTES
from ._sandbox import Invocation, Outcome

_OCTETS = "application/octet-stream"
_ERROR_TYPE = "lambda-runtime-function-error-type"
_ERROR_BODY = "lambda-runtime-function-error-body"


def is_streaming(headers: dict[str, str]) -> bool:
    return headers.get("lambda-runtime-function-response-mode", "").lower() == "streaming"


def start_caller(inv: Invocation, version: str, failed: bool = False) -> None:
    """Begin the caller's event stream (once)."""
    if inv.caller_started or inv.request is None:
        return
    inv.caller_started = True
    headers = [("X-Amz-Executed-Version", version), ("X-Amzn-RequestId", inv.request_id)]
    if failed:
        headers.append(("X-Amz-Function-Error", "Unhandled"))
    inv.request.start_chunked(200, headers, CONTENT_TYPE)


def on_chunk(inv: Invocation, data: bytes, version: str) -> None:
    """One piece of the runtime's stream: to the caller at once, or into the buffer."""
    if inv.finished:
        return
    if inv.stream:
        start_caller(inv, version)
        if inv.request is not None:
            inv.request.write(encode_event(PAYLOAD_CHUNK, data, _OCTETS))
        return
    if inv.buffered is None:
        inv.buffered = bytearray()
    if len(inv.buffered) <= MAX_RESPONSE_BYTES:
        inv.buffered += data


def stream_outcome(inv: Invocation, trailers: dict[str, str], content_type: str) -> Outcome:
    """How a finished stream ends the invocation: its trailers say whether it failed."""
    error_type = trailers.get(_ERROR_TYPE)
    if error_type is not None:
        raw = trailers.get(_ERROR_BODY, "")
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            body = raw.encode("latin-1", "replace")
        return Outcome("error", body, header_error_type(error_type), "application/json")
    body = bytes(inv.buffered or b"")
    if len(body) > MAX_RESPONSE_BYTES:
        return Outcome("too_large", error_type="Function.ResponseSizeTooLarge", size=len(body))
    return Outcome("response", body, content_type=content_type)


def complete(inv: Invocation, outcome: Outcome, body: bytes, version: str, log: str) -> None:
    """End the caller's event stream: a buffered answer becomes one PayloadChunk, a failure
    fills ErrorCode/ErrorDetails, and InvokeComplete closes it."""
    request = inv.request
    if request is None:
        return
    failed = outcome.kind != "response"
    start_caller(inv, version, failed)
    if not inv.streamed and not failed and body:
        request.write(encode_event(PAYLOAD_CHUNK, body, _OCTETS))
    summary: dict[str, str] = {}
    if failed:
        # A mid-stream failure keeps its trailer's Category.Reason; an /error is "Unhandled".
        plain_error = outcome.kind == "error" and not inv.streamed
        summary["ErrorCode"] = "Unhandled" if plain_error else outcome.error_type or "Unhandled"
        summary["ErrorDetails"] = body.decode("utf-8", "replace")
    if log:
        summary["LogResult"] = log
    request.write(encode_event(INVOKE_COMPLETE, json.dumps(summary).encode(), "application/json"))
    request.end()
