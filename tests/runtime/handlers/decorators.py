"""Decorators as libraries write them, kept apart from the handlers so that string
annotations must be resolved in the handler's module, not here."""

from __future__ import annotations

import functools
from typing import Any, Callable

calls: list[str] = []


def logged(handler: Callable[..., Any]) -> Callable[..., Any]:
    """The common user decorator: ``functools.wraps`` around ``(*args, **kwargs)``."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append("logged")
        return handler(*args, **kwargs)

    return wrapper


def inject_lambda_context(
    lambda_handler: Callable[..., Any] | None = None, *, log_event: bool = False
) -> Any:
    """Shaped like Powertools' ``Logger.inject_lambda_context``: usable bare or with
    options, and its wrapper names its own ``(event, context, *args, **kwargs)``."""
    if lambda_handler is None:
        return functools.partial(inject_lambda_context, log_event=log_event)

    @functools.wraps(lambda_handler)
    def decorate(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(f"inject:{context.aws_request_id != ''}")
        return lambda_handler(event, context, *args, **kwargs)

    return decorate


def opaque(handler: Callable[..., Any]) -> Callable[..., Any]:
    """A wrapper that forgets ``functools.wraps``: nothing leads back to the handler."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return handler(*args, **kwargs)

    return wrapper
