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

from . import _logging, _shutdown
from ._client import RuntimeApi, RuntimeApiError
from ._context import load_environment
from ._errors import (
    Diagnostic,
    from_exception,
    invocation_failure,
)
from ._handler import BUFFERED, add_search_path, load
from ._invoke import (
    PLAIN,
    Prepared,
    check_error_answer,
    context_of,
    encoded,
    event_of,
    refused_response,
)

EXIT_INIT_ERROR = 1
EXIT_RUNTIME_API = 2


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
        prepared = Prepared(handler, event_type)
    except Exception as exc:
        _init_failed(api, exc)
    _run(api, prepared)


def run_handler_string(spec: str) -> NoReturn:
    """Import ``module.function`` (Lambda's handler setting) and serve it. Stable entry point
    for ``python -m native_lambda`` and the compiled bootstrap's generated ``main``."""
    api = _start()
    add_search_path()
    try:
        prepared = Prepared(load(spec), None, spec)
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


def _run(api: RuntimeApi, prepared: Prepared) -> NoReturn:
    try:
        if _shutdown.wanted():
            _shutdown.register(api.address)
    except RuntimeApiError as exc:
        _die(f"cannot register the shutdown extension at {api.address}: {exc}")
    _shutdown.init_done()
    _logging.ensure_installed()
    workers = os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY", "")
    if workers.isdigit() and int(workers) > 1:
        if prepared.is_async and prepared.streams == BUFFERED:
            _serve_async_concurrently(api, prepared, int(workers))
        _serve_concurrently(api, prepared)
    try:
        _loop(api, prepared)
    except RuntimeApiError as exc:
        _die(f"Runtime API at {api.address} failed: {exc}")


def _serve_concurrently(api: RuntimeApi, prepared: Prepared) -> NoReturn:
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


def _serve_async_concurrently(api: RuntimeApi, prepared: Prepared, count: int) -> None:
    """``async def`` handlers: N invocations on one event loop (see ``_aloop``), unless
    ``NATIVE_LAMBDA_ASYNC_CONCURRENCY=fork`` asks for the pre-forked workers instead."""
    from . import _aloop

    try:
        one_loop = _aloop.wanted()
    except Exception as exc:
        _init_failed(api, exc)
    if one_loop:
        api.conn.close()
        try:
            _aloop.serve(api.address, prepared, count)
        except RuntimeApiError as exc:
            _die(f"Runtime API at {api.address} failed: {exc}")
        _die("the event loop serving the invocations stopped")


def _loop(api: RuntimeApi, prepared: Prepared, announce: Optional[int] = None) -> NoReturn:
    handler = prepared.handler
    run_async = _async_runner() if prepared.is_async else None
    environ = os.environ
    logging_state = _logging
    next_invocation = api.next
    respond = api.respond
    streams = prepared.streams != BUFFERED
    plain = PLAIN
    write = os.write
    flush_output = _logging.flush_output
    while True:
        flush_output()  # the previous invocation's unfinished line, before it is complete
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
        logging_state.request_id = request_id
        logging_state.tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        try:
            context = context_of(headers, request_id, trace_id)
            event = event_of(prepared, headers, response.body)
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
            if type(result) not in plain and hasattr(result, "__lambda_stream__"):
                answer = _streamed(api, prepared, request_id, event, context, result)
                if answer.status != 202:
                    _refused(api, request_id, answer.status, answer.body, 0)
                continue
            body, content_type = encoded(prepared, result)
        except RuntimeApiError:
            raise
        except Exception as exc:
            _report(api, request_id, *invocation_failure(exc, request_id))
            continue
        answer = respond(request_id, body, content_type)
        if answer.status != 202:
            _refused(api, request_id, answer.status, answer.body, len(body))


def _streamed(
    api: RuntimeApi, prepared: Prepared, request_id: str, event: Any, context: Any, result: Any
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
    check_error_answer(request_id, answer.status, answer.body, quiet)


def _refused(api: RuntimeApi, request_id: str, status: int, body: bytes, size: int) -> None:
    """The Runtime API did not accept a response: 413 becomes an invocation error."""
    error = refused_response(request_id, status, body, size)
    if error is not None:
        # Lambda has usually failed the invocation already when it sends 413 and then
        # answers this /error with 403; the post is for Runtime APIs that wait for it.
        _report(api, request_id, error, quiet=403)


_event_loop: Any = None


def _async_runner() -> Callable[[Any], Any]:
    """One event loop for the process: async clients created in one invocation stay usable."""
    global _event_loop
    if _event_loop is None:
        import asyncio

        _event_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_event_loop)
    return _event_loop.run_until_complete
