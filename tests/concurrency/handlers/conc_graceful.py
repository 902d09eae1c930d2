"""A concurrency handler with a shutdown hook: each worker prints its pid once on SIGTERM."""

from __future__ import annotations

import os
from typing import Any

import native_lambda


@native_lambda.on_shutdown
def goodbye() -> None:
    print(f"hook ran in {os.getpid()}", flush=True)


def handler(event: Any, context: Any) -> dict:
    return {"pid": os.getpid()}


async def async_handler(event: Any, context: Any) -> dict:
    return {"pid": os.getpid()}
