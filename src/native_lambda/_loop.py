"""The invocation loop: next -> decode -> handler -> encode -> response, forever.

Every failure ends in the Runtime API call awslambdaric would make: ``/invocation/{id}/error``
for anything that goes wrong with one invocation (the loop keeps serving), ``/init/error``
and exit 1 for anything before the first invocation, and one clear stderr line plus exit 2
when the Runtime API itself is gone or answers 5xx (Lambda then replaces the sandbox).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, NoReturn, Optional

import msgspec
import msgspec.json

from . import _logging, _shutdown
from ._client import RuntimeApi, RuntimeApiError
from ._context import ClientContext, CognitoIdentity, Context, load_environment
from ._errors import (
    CONTEXT_UNMARSHAL_ERROR,
    HANDLER_TYPE_ERROR,
    MARSHAL_ERROR,
    RESPONSE_TOO_LARGE,
    UNMARSHAL_ERROR,
    Diagnostic,
    FaultError,
    from_exception,
    invocation_failure,
)
from ._handler import (
    BUFFERED,
    add_search_path,
    annotated_types,
    hidden_by_wrapper,
    is_async,
    load,
    stream_kind,
)

EXIT_INIT_ERROR = 1
EXIT_RUNTIME_API = 2

_JSON_TYPE = b"Content-Type: application/json\r\n"
_BYTES_TYPE = b"Content-Type: application/unknown\r\n"
_MARSHAL_EXCEPTIONS = (TypeError, ValueError, OverflowError, msgspec.EncodeError)


class _Prepared:
    """A handler with its decoder and encoder, built once at init."""

    __slots__ = ("decode", "encode", "handler", "is_async", "raw_event", "streams", "undeclared")

    def __init__(self, handler: Callable[..., Any], event_type: Any, name: str = "") -> None:
        if not callable(handler):
            raise FaultError(HANDLER_TYPE_ERROR, f"Handler {handler!r} is not callable")
        if event_type is None:
            event_type = annotated_types(handler)[0]
            if hidden_by_wrapper(handler):
                name = name or getattr(handler, "__qualname__", None) or repr(handler)
                _warn(
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


def serve(
    handler: Callable[..., Any],
    *,
    event_type: Any = None,
    on_shutdown: Callable[[], Any] | None = None,
) -> NoReturn:
    """Serve ``handler(event, context)`` for the life of the sandbox.

    ``event_type`` decodes each event (a msgspec ``Struct``, ``dict``, ``list``, ``str``,
    ``typing.Any``...; ``bytes`` passes the raw payload) and defaults to the annotation of
    the handler's first parameter. Results are JSON-encoded from their value (``bytes``
    results are sent verbatim), so no result type is needed.
    """
    api = _start()
    if on_shutdown is not None:
        _shutdown.on_shutdown(on_shutdown)
    try:
        prepared = _Prepared(handler, event_type)
    except Exception as exc:
        _init_failed(api, exc)
    _run(api, prepared)


def run_handler_string(spec: str) -> NoReturn:
    """Import ``module.function`` (Lambda's handler setting) and serve it. Stable entry point
    for ``python -m native_lambda`` and the compiled bootstrap's generated ``main``."""
    api = _start()
    add_search_path()
    try:
        prepared = _Prepared(load(spec), None, spec)
    except Exception as exc:
        _init_failed(api, exc)
    _run(api, prepared)


def _start() -> RuntimeApi:
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        _die("AWS_LAMBDA_RUNTIME_API is not set (run under Lambda or `native-lambda emulate`)")
    _logging.setup()
    load_environment()
    try:
        return RuntimeApi(address)
    except RuntimeApiError as exc:
        _die(str(exc))


def _die(message: str) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.write(f"native_lambda: {message}; exiting\n")
    sys.stderr.flush()
    sys.exit(EXIT_RUNTIME_API)


def _init_failed(api: RuntimeApi, exc: BaseException) -> NoReturn:
    error = from_exception(exc)
    _logging.log_error(error)
    try:
        api.init_error(error.encode(), error.error_type)
    except RuntimeApiError as fail:
        _die(f"Runtime API at {api.address} unreachable while reporting an init error: {fail}")
    sys.stdout.flush()
    sys.exit(EXIT_INIT_ERROR)


def _run(api: RuntimeApi, prepared: _Prepared) -> NoReturn:
    try:
        if _shutdown.wanted():
            _shutdown.register(api.address)
    except RuntimeApiError as exc:
        _die(f"cannot register the shutdown extension at {api.address}: {exc}")
    _shutdown.init_done()
    _logging.ensure_installed()
    workers = os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY", "")
    if workers.isdigit() and int(workers) > 1:
        _serve_concurrently(api, prepared)
    try:
        _loop(api, prepared)
    except RuntimeApiError as exc:
        _die(f"Runtime API at {api.address} failed: {exc}")


def _serve_concurrently(api: RuntimeApi, prepared: _Prepared) -> NoReturn:
    """Managed Instances: fork the workers after init (see ``_workers``)."""
    from . import _workers

    api.conn.close()

    def work(announce: int) -> NoReturn:
        own = RuntimeApi(api.address)
        try:
            _loop(own, prepared, announce)
        except RuntimeApiError as exc:
            _die(f"Runtime API at {api.address} failed: {exc}")

    _workers.Supervisor(api.address, _workers.wanted(), work).run()


def _loop(api: RuntimeApi, prepared: _Prepared, announce: Optional[int] = None) -> NoReturn:
    handler = prepared.handler
    decode = prepared.decode
    encode = prepared.encode
    run_async = _async_runner() if prepared.is_async else None
    environ = os.environ
    logging_state = _logging
    next_invocation = api.next
    respond = api.respond
    decode_error = msgspec.DecodeError
    marshal_errors = _MARSHAL_EXCEPTIONS
    streams = prepared.streams != BUFFERED
    plain = _PLAIN
    write = os.write
    while True:
        if announce is not None:
            write(announce, b"-\n")  # idle: tell the supervisor (Managed Instances workers)
        response = next_invocation()
        headers = response.headers
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        if announce is not None:
            write(announce, request_id.encode("latin-1") + b"\n")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id is not None:
            environ["_X_AMZN_TRACE_ID"] = trace_id
        elif "_X_AMZN_TRACE_ID" in environ:
            del environ["_X_AMZN_TRACE_ID"]
        tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        logging_state.request_id = request_id
        logging_state.tenant_id = tenant_id
        try:
            client_context = headers.get("lambda-runtime-client-context")
            identity = headers.get("lambda-runtime-cognito-identity")
            context = Context(
                request_id,
                headers.get("lambda-runtime-invoked-function-arn"),
                int(headers.get("lambda-runtime-deadline-ms") or 0),
                _from_header(client_context, ClientContext, "Client Context"),
                _from_header(identity, CognitoIdentity, "Cognito Identity"),
                tenant_id,
                trace_id,
            )
            event_format = headers.get("content-type")
            if event_format is None or event_format == "application/json":
                try:
                    event = decode(response.body)
                except decode_error as exc:
                    raise FaultError(UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}") from None
            else:
                event = _other_payload(prepared, response.body, event_format)
            if streams:
                answer = _streamed(api, prepared, request_id, event, context, None)
                if answer.status != 202:
                    _refused(api, request_id, answer.status, answer.body, 0)
                continue
            result = handler(event, context)
            if run_async is not None:
                result = run_async(result)
            elif hasattr(result, "__await__"):  # a sync callable that returned a coroutine
                result = _async_runner()(result)
            if type(result) is bytes:
                body, content_type = result, _BYTES_TYPE
            elif type(result) not in plain and hasattr(result, "__lambda_stream__"):
                answer = _streamed(api, prepared, request_id, event, context, result)
                if answer.status != 202:
                    _refused(api, request_id, answer.status, answer.body, 0)
                continue
            else:
                try:
                    body, content_type = encode(result), _JSON_TYPE
                    if b"NaN" in body or b"Infinity" in body:
                        _check_finite(body)
                except marshal_errors as exc:
                    raise FaultError(MARSHAL_ERROR, _marshal_message(exc)) from None
        except RuntimeApiError:
            raise
        except Exception as exc:
            _report(api, request_id, *invocation_failure(exc, request_id))
            continue
        answer = respond(request_id, body, content_type)
        if answer.status != 202:
            _refused(api, request_id, answer.status, answer.body, len(body))


_PLAIN = (dict, list, str, int, float, bool, type(None), tuple)


def _streamed(
    api: RuntimeApi, prepared: _Prepared, request_id: str, event: Any, context: Any, result: Any
) -> Any:
    """Stream one answer: a streaming handler's, or a result with ``__lambda_stream__``."""
    from . import _streaming
    from ._handler import ASYNC_GENERATOR, WRITER

    def failure(exc: BaseException) -> Diagnostic:
        error = invocation_failure(exc, request_id)[0]
        _logging.log_error(error)
        return error

    kind = prepared.streams
    if result is not None:
        content_type, chunks = result.__lambda_stream__()
        return _streaming.stream_result(api, request_id, chunks, content_type, failure)
    if kind == WRITER:

        def call(stream: Any) -> Any:
            value = prepared.handler(event, stream, context)
            if hasattr(value, "__await__"):
                value = _async_runner()(value)
            return value

        return _streaming.stream_writer(api, request_id, call, failure)
    chunks = prepared.handler(event, context)
    if kind == ASYNC_GENERATOR:
        chunks = _streaming.from_async(chunks, _async_runner())
    return _streaming.stream_result(api, request_id, chunks, _streaming.DEFAULT_TYPE, failure)


def _report(
    api: RuntimeApi, request_id: str, error: Diagnostic, xray_cause: bytes = b"", quiet: int = 0
) -> None:
    _logging.log_error(error)
    answer = api.error(request_id, error.encode(), error.error_type, xray_cause)
    if answer.status >= 500:
        raise RuntimeApiError(f"POST /invocation/{request_id}/error answered {answer.status}")
    if answer.status != 202 and answer.status != quiet:
        _warn(f"POST /invocation/{request_id}/error answered {answer.status}: {answer.body!r}")


def _refused(api: RuntimeApi, request_id: str, status: int, body: bytes, size: int) -> None:
    """The Runtime API did not accept a response: 413 becomes an invocation error."""
    if status >= 500:
        raise RuntimeApiError(
            f"POST /invocation/{request_id}/response answered {status}: {body[:200]!r}"
        )
    if status == 413:
        message = (
            f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
            "(6291556 bytes)."
        )
        # Lambda has usually failed the invocation already when it sends 413 and then
        # answers this /error with 403; the post is for Runtime APIs that wait for it.
        _report(api, request_id, Diagnostic(message, RESPONSE_TOO_LARGE, request_id), quiet=403)
        return
    _warn(f"POST /invocation/{request_id}/response answered {status}: {body[:200]!r}")


def _other_payload(prepared: _Prepared, body: bytes, content_type: str) -> Any:
    """An event whose Content-Type is not plain ``application/json``: JSON with parameters
    is still JSON; anything else is passed raw, as awslambdaric does, to a handler that
    declares no event type (or ``bytes``). A typed handler cannot take it."""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json" or media_type == "":
        try:
            return prepared.decode(body)
        except msgspec.DecodeError as exc:
            raise FaultError(UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}") from None
    if prepared.undeclared or prepared.raw_event:
        return body
    raise FaultError(
        UNMARSHAL_ERROR,
        f"Unable to unmarshal input: the event's Content-Type is {content_type!r}, not "
        "application/json; annotate the event parameter as bytes to receive the raw payload",
    )


_NON_FINITE = "NaN and infinite Decimals have no JSON form; return None or a string instead"


def _check_finite(body: bytes) -> None:
    """Older msgspec (0.20 included) writes non-finite Decimals as bare ``NaN``/``Infinity``,
    which is not JSON; newer versions raise. Only bodies containing those words are re-read."""
    try:
        msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise ValueError(_NON_FINITE) from None


def _marshal_message(exc: BaseException) -> str:
    text = str(exc)
    if "non-finite value of a decimal" in text:  # msgspec's own wording for the same case
        text = _NON_FINITE
    return f"Unable to marshal response: {text}"


def _warn(message: str) -> None:
    sys.stderr.write(f"native_lambda: {message}\n")


def _from_header(header: Optional[str], wrap: Callable[[Any], Any], what: str) -> Any:
    """A JSON header (client context, Cognito identity) wrapped around its object; None
    without the header, ``wrap({})`` when it holds no object."""
    if not header:
        return None
    try:
        data = msgspec.json.decode(header)
    except msgspec.DecodeError as exc:
        raise FaultError(CONTEXT_UNMARSHAL_ERROR, f"Unable to parse {what} JSON: {exc}") from None
    return wrap(data if isinstance(data, dict) else {})


_event_loop: Any = None


def _async_runner() -> Callable[[Any], Any]:
    """One event loop for the process: async clients created in one invocation stay usable."""
    global _event_loop
    if _event_loop is None:
        import asyncio

        _event_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_event_loop)
    return _event_loop.run_until_complete
