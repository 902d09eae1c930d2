"""A handler that asks for a SIGTERM cleanup hook at import time."""

from __future__ import annotations

from typing import Any

import native_lambda


@native_lambda.on_shutdown
def flush_metrics() -> None:
    print("shutdown hook ran", flush=True)


def handler(event: Any, context: native_lambda.Context) -> str:
    return "ready"
