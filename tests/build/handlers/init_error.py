"""A handler whose module fails at import: the runtime reports an init error and exits."""

from __future__ import annotations

from typing import Any

from examples.greeting import no_such_function  # type: ignore[attr-defined]  # noqa: F401


def handler(event: Any, context: Any) -> Any:
    return event
