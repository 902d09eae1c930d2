"""Test handler: a shutdown hook, to prove SIGTERM reaches the runtime through the sandbox."""

from __future__ import annotations

import time
from typing import Any

from native_lambda import on_shutdown


@on_shutdown
def _goodbye() -> None:
    # takes a while, like flushing telemetry: a runtime SIGKILLed early never prints this
    time.sleep(0.2)
    print("graceful: shutdown hook ran", flush=True)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"ok": True}
