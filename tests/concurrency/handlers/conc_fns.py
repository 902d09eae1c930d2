"""Handlers for tests/concurrency (also compiled into the shared session build)."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

log = logging.getLogger("conc")


def sleepy(event: Any, context: Any) -> dict:
    """Sleeps ``event["sleep"]`` s (I/O-bound), logs, and says who served it."""
    log.info("start %s", context.aws_request_id)
    if event.get("crash"):
        os.kill(os.getpid(), 9)
    time.sleep(float(event.get("sleep", 0)))
    for i in range(int(event.get("lines", 0))):  # many whole lines, for interleaving checks
        print(f"line {context.aws_request_id} {i:05d} " + "x" * 80)
    print(f"print from {context.aws_request_id}")
    log.info("end", extra={"seen": context.aws_request_id})
    return {
        "request_id": context.aws_request_id,
        "n": event.get("n"),
        "pid": os.getpid(),
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "context_trace": context.xray_trace_id,
    }


async def async_sleepy(event: Any, context: Any) -> dict:
    """``sleepy`` as ``async def``: awaits ``event["sleep"]`` s between its two log records."""
    import asyncio

    log.info("start %s", context.aws_request_id)
    await asyncio.sleep(float(event.get("sleep", 0)))
    print(f"print from {context.aws_request_id}")
    log.info("end", extra={"seen": context.aws_request_id})
    if event.get("fail"):
        raise ValueError(f"failed {event.get('n')}")
    return {
        "request_id": context.aws_request_id,
        "n": event.get("n"),
        "pid": os.getpid(),
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "context_trace": context.xray_trace_id,
        **({"pad": "x" * int(event["pad"])} if event.get("pad") else {}),
    }


def rss(event: Any, context: Any) -> dict:
    """Allocates ``event["mb"]`` MiB at import-like cost once per process (for memory runs)."""
    return {"pid": os.getpid(), "ppid": os.getppid(), "t": time.time()}


# Something worth sharing copy-on-write: ~20 MB of objects built at init.
_BALLAST = [str(i) * 3 for i in range(400_000)] if os.environ.get("CONC_BALLAST") else []


def loaded(event: Any, context: Any) -> dict:
    """Which of the streaming/concurrency modules a plain handler's process has loaded."""
    import sys

    names = (
        "native_lambda._streaming",
        "native_lambda._workers",
        "native_lambda._aloop",
        "select",
        "asyncio",
    )
    return {name: name in sys.modules for name in names}


async def async_streams(event: Any, context: Any) -> Any:
    """An ``async def`` handler whose result streams (``__lambda_stream__``)."""
    import asyncio

    from native_lambda.events.http import StreamingResponse

    await asyncio.sleep(0.05)

    def body() -> Any:
        log.info("streaming %s", context.aws_request_id)
        yield f"one {context.aws_request_id};"
        yield "two"

    return StreamingResponse(body(), headers={"Content-Type": "text/plain"})
