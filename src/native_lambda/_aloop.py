"""Managed Instances for ``async def`` handlers: N invocations at once on one event loop.

With ``AWS_LAMBDA_MAX_CONCURRENCY=N`` an ``async def`` handler is served by one process and
one event loop running N slots. Each slot is a task with its own Runtime API connection and
its own ``/next`` long-poll, so N polls are in flight, as Lambda expects. Init runs once and
nothing is forked, so the environment holds one copy of everything. Per invocation:

* ``context`` is the invocation's own object;
* log records take ``requestId`` (and ``tenantId``) from a ContextVar the slot's task sets
  before calling the handler; tasks the handler starts copy it;
* ``_X_AMZN_TRACE_ID``: one process environment cannot hold N trace headers at once, so it
  is removed and never set; the invocation's header is ``context.xray_trace_id``;
* ``on_shutdown`` hooks run once, in this one process, on SIGTERM.

``NATIVE_LAMBDA_ASYNC_CONCURRENCY=fork`` picks the pre-forked workers (``_workers``) instead,
e.g. for libraries that read ``_X_AMZN_TRACE_ID``. Imported only for an ``async def`` handler
under ``AWS_LAMBDA_MAX_CONCURRENCY`` > 1.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
from typing import Any, List

from . import _logging
from ._aclient import AsyncRuntimeApi
from ._client import RuntimeApi, RuntimeApiError
from ._errors import Diagnostic, FaultError, invocation_failure
from ._invoke import (
    PLAIN,
    Prepared,
    check_error_answer,
    context_of,
    encoded,
    event_of,
    refused_response,
)
from ._loop import _refused, _streamed

MODE_ENV = "NATIVE_LAMBDA_ASYNC_CONCURRENCY"
LOOP, FORK = "loop", "fork"
#: Chosen from the measurement in README "Managed Instances concurrency".
DEFAULT = LOOP
INVALID_SETTING = "Runtime.InvalidSetting"


def wanted() -> bool:
    """True for one event loop, False for forked workers; a bad value is an init error."""
    raw = os.environ.get(MODE_ENV, "").strip().lower() or DEFAULT
    if raw not in (LOOP, FORK):
        raise FaultError(
            INVALID_SETTING,
            f"{MODE_ENV}={os.environ.get(MODE_ENV)!r} is not one of {LOOP!r} (N invocations on "
            f"one event loop) or {FORK!r} (N forked workers); set it to one of them or unset it",
        )
    return raw == LOOP


def serve(address: str, prepared: Prepared, count: int) -> None:
    """Serve ``count`` invocations at once until the Runtime API fails (RuntimeApiError)."""
    ids = _logging.use_per_task_ids()
    os.environ.pop("_X_AMZN_TRACE_ID", None)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(_main(address, prepared, count, ids))


async def _main(address: str, prepared: Prepared, count: int, ids: Any) -> None:
    blocking: List[RuntimeApi] = []  # connections for results streamed from a thread
    slots = [
        asyncio.ensure_future(_slot(AsyncRuntimeApi(address), prepared, ids, blocking))
        for _ in range(count)
    ]
    done, _ = await asyncio.wait(slots, return_when=asyncio.FIRST_EXCEPTION)
    for task in done:
        task.result()  # a slot ends only by raising


async def _slot(api: AsyncRuntimeApi, prepared: Prepared, ids: Any, blocking: List[Any]) -> None:
    handler = prepared.handler
    plain = PLAIN
    while True:
        _logging.flush_output()  # an invocation's unfinished line, before it is complete
        response = await api.next()
        headers = response.headers
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        ids.set((request_id, headers.get("lambda-runtime-aws-tenant-id")))
        try:
            context = context_of(headers, request_id, headers.get("lambda-runtime-trace-id"))
            event = event_of(prepared, headers, response.body)
            result = await handler(event, context)
            if type(result) not in plain and hasattr(result, "__lambda_stream__"):
                call = contextvars.copy_context().run
                args = (api.address, blocking, prepared, request_id, event, context, result)
                await asyncio.get_running_loop().run_in_executor(None, call, _stream, *args)
                continue
            body, content_type = encoded(prepared, result)
        except RuntimeApiError:
            raise
        except Exception as exc:
            await _report(api, request_id, *invocation_failure(exc, request_id))
            continue
        answer = await api.respond(request_id, body, content_type)
        if answer.status != 202:
            await _refused_async(api, request_id, answer.status, answer.body, len(body))


def _stream(
    address: str,
    blocking: List[Any],
    prepared: Prepared,
    request_id: str,
    event: Any,
    context: Any,
    result: Any,
) -> None:
    """A result with ``__lambda_stream__`` (a sync iterator), sent from an executor thread
    over a blocking connection of its own."""
    api = blocking.pop() if blocking else RuntimeApi(address)
    try:
        answer = _streamed(api, prepared, request_id, event, context, result)
        if answer.status != 202:
            _refused(api, request_id, answer.status, answer.body, 0)
    finally:
        blocking.append(api)


async def _report(
    api: AsyncRuntimeApi,
    request_id: str,
    error: Diagnostic,
    xray_cause: bytes = b"",
    quiet: int = 0,
) -> None:
    _logging.log_error(error)
    answer = await api.error(request_id, error.encode(), error.error_type, xray_cause)
    check_error_answer(request_id, answer.status, answer.body, quiet)


async def _refused_async(
    api: AsyncRuntimeApi, request_id: str, status: int, body: bytes, size: int
) -> None:
    """As ``_loop._refused``: 413 becomes the invocation's error, 5xx ends the runtime."""
    error = refused_response(request_id, status, body, size)
    if error is not None:
        await _report(api, request_id, error, quiet=403)
