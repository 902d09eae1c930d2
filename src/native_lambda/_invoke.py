"""One invocation's pieces, shared by every way of serving: the prepared handler (decoder and
encoder built once at init), the context from the invocation's headers, the event from its
body and the result's encoding. ``_loop`` runs them one invocation at a time; ``_aloop`` runs
N at once on an event loop.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional

import msgspec
import msgspec.json

from ._context import ClientContext, CognitoIdentity, Context
from ._errors import (
    CONTEXT_UNMARSHAL_ERROR,
    HANDLER_TYPE_ERROR,
    MARSHAL_ERROR,
    RESPONSE_TOO_LARGE,
    UNMARSHAL_ERROR,
    Diagnostic,
    FaultError,
)
from ._handler import annotated_types, hidden_by_wrapper, is_async, stream_kind
from ._wire import RuntimeApiError

JSON_TYPE = b"Content-Type: application/json\r\n"
BYTES_TYPE = b"Content-Type: application/unknown\r\n"
MARSHAL_EXCEPTIONS = (TypeError, ValueError, OverflowError, msgspec.EncodeError)
#: Result types that never stream (checked before looking for ``__lambda_stream__``).
PLAIN = (dict, list, str, int, float, bool, type(None), tuple)


class Prepared:
    """A handler with its decoder and encoder, built once at init."""

    __slots__ = ("decode", "encode", "handler", "is_async", "raw_event", "streams", "undeclared")

    def __init__(self, handler: Callable[..., Any], event_type: Any, name: str = "") -> None:
        if not callable(handler):
            raise FaultError(HANDLER_TYPE_ERROR, f"Handler {handler!r} is not callable")
        if event_type is None:
            event_type = annotated_types(handler)[0]
            if hidden_by_wrapper(handler):
                name = name or getattr(handler, "__qualname__", None) or repr(handler)
                warn(
                    f"handler {name} takes (*args) and has no __wrapped__, so its event type "
                    "is unknown and events arrive as plain JSON; decorate the wrapper with "
                    "functools.wraps(handler) or pass event_type= to serve()"
                )
        self.handler = handler
        self.is_async = is_async(handler)
        self.streams = stream_kind(handler)
        # bytes means "the raw payload", as awslambdaric returns bytes results verbatim.
        self.raw_event = event_type is bytes
        self.undeclared = event_type is Any
        try:
            decoder = msgspec.json.Decoder(event_type) if not self.raw_event else None
        except TypeError as exc:
            raise FaultError(
                HANDLER_TYPE_ERROR, f"Unsupported event type {event_type!r}: {exc}"
            ) from None
        self.decode = decoder.decode if decoder is not None else bytes
        # Results are encoded from their runtime value: one encoder serves every type.
        # Decimals are JSON numbers as in awslambdaric (DynamoDB values are Decimals);
        # datetime, UUID and sets take msgspec's encodings (see "Deliberate differences").
        self.encode = msgspec.json.Encoder(decimal_format="number").encode


def context_of(headers: dict[str, str], request_id: str, trace_id: Optional[str]) -> Context:
    """The handler's ``context`` from the invocation's headers."""
    client_context = headers.get("lambda-runtime-client-context")
    identity = headers.get("lambda-runtime-cognito-identity")
    return Context(
        request_id,
        headers.get("lambda-runtime-invoked-function-arn"),
        int(headers.get("lambda-runtime-deadline-ms") or 0),
        from_header(client_context, ClientContext, "Client Context"),
        from_header(identity, CognitoIdentity, "Cognito Identity"),
        headers.get("lambda-runtime-aws-tenant-id"),
        trace_id,
    )


def event_of(prepared: Prepared, headers: dict[str, str], body: bytes) -> Any:
    """The event decoded into the handler's type."""
    event_format = headers.get("content-type")
    if event_format is None or event_format == "application/json":
        return json_event(prepared, body)
    return other_payload(prepared, body, event_format)


def json_event(prepared: Prepared, body: bytes) -> Any:
    """A JSON payload decoded into the handler's event type."""
    try:
        return prepared.decode(body)
    except msgspec.DecodeError as exc:
        raise FaultError(UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}") from None


def encoded(prepared: Prepared, result: Any) -> tuple[bytes, bytes]:
    """(body, content type header) of a buffered result; bytes are sent verbatim."""
    if type(result) is bytes:
        return result, BYTES_TYPE
    try:
        body = prepared.encode(result)
        if b"NaN" in body or b"Infinity" in body:
            check_finite(body)
    except MARSHAL_EXCEPTIONS as exc:
        raise FaultError(MARSHAL_ERROR, marshal_message(exc)) from None
    return body, JSON_TYPE


def other_payload(prepared: Prepared, body: bytes, content_type: str) -> Any:
    """An event whose Content-Type is not plain ``application/json``: JSON with parameters
    is still JSON; anything else is passed raw, as awslambdaric does, to a handler that
    declares no event type (or ``bytes``). A typed handler cannot take it."""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json" or media_type == "":
        return json_event(prepared, body)
    if prepared.undeclared or prepared.raw_event:
        return body
    raise FaultError(
        UNMARSHAL_ERROR,
        f"Unable to unmarshal input: the event's Content-Type is {content_type!r}, not "
        "application/json; annotate the event parameter as bytes to receive the raw payload",
    )


_NON_FINITE = "NaN and infinite Decimals have no JSON form; return None or a string instead"


def check_finite(body: bytes) -> None:
    """Older msgspec (0.20 included) writes non-finite Decimals as bare ``NaN``/``Infinity``,
    which is not JSON; newer versions raise. Only bodies containing those words are re-read."""
    try:
        msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise ValueError(_NON_FINITE) from None


def marshal_message(exc: BaseException) -> str:
    text = str(exc)
    if "non-finite value of a decimal" in text:  # msgspec's own wording for the same case
        text = _NON_FINITE
    return f"Unable to marshal response: {text}"


def warn(message: str) -> None:
    sys.stderr.write(f"native_lambda: {message}\n")


def from_header(header: Optional[str], wrap: Callable[[Any], Any], what: str) -> Any:
    """A JSON header (client context, Cognito identity) wrapped around its object; None
    without the header, ``wrap({})`` when it holds no object."""
    if not header:
        return None
    try:
        data = msgspec.json.decode(header)
    except msgspec.DecodeError as exc:
        raise FaultError(CONTEXT_UNMARSHAL_ERROR, f"Unable to parse {what} JSON: {exc}") from None
    return wrap(data if isinstance(data, dict) else {})


def refused_response(request_id: str, status: int, body: bytes, size: int) -> Optional[Diagnostic]:
    """What the Runtime API's refusal of a response means, for every loop: a 5xx ends the
    runtime (raised); 413 becomes the invocation's error (returned, for the loop to post);
    anything else is only logged."""
    if status >= 500:
        raise RuntimeApiError(
            f"POST /invocation/{request_id}/response answered {status}: {body[:200]!r}"
        )
    if status == 413:
        message = (
            f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
            "(6291556 bytes)."
        )
        return Diagnostic(message, RESPONSE_TOO_LARGE, request_id)
    warn(f"POST /invocation/{request_id}/response answered {status}: {body[:200]!r}")
    return None


def check_error_answer(request_id: str, status: int, body: bytes, quiet: int = 0) -> None:
    """What the Runtime API's answer to an ``/error`` post means, for every loop: a 5xx ends
    the runtime (raised); anything but 202 (or the expected ``quiet`` status) is logged."""
    if status >= 500:
        raise RuntimeApiError(f"POST /invocation/{request_id}/error answered {status}")
    if status != 202 and status != quiet:
        warn(f"POST /invocation/{request_id}/error answered {status}: {body!r}")
