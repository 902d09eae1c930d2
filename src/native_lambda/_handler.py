"""Find the handler named by ``module.function`` and read its event/result types.

Failures become :class:`FaultError` with awslambdaric's error types and messages, so the
init error a user sees is the one they know from the managed Python runtime.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

from ._errors import (
    BUILT_IN_MODULE_CONFLICT,
    HANDLER_NOT_FOUND,
    HANDLER_TYPE_ERROR,
    IMPORT_MODULE_ERROR,
    MALFORMED_HANDLER_NAME,
    USER_CODE_SYNTAX_ERROR,
    FaultError,
)

_CO_COROUTINE = 0x80


def add_search_path() -> None:
    """Make modules in ``LAMBDA_TASK_ROOT`` and the working directory importable."""
    for entry in (os.getcwd(), os.environ.get("LAMBDA_TASK_ROOT")):
        if entry and entry not in sys.path:
            sys.path.insert(0, entry)


def load(spec: str) -> Callable[..., Any]:
    """Import ``package.module`` from ``package.module.function`` and return the function."""
    module_name, _, function_name = spec.rpartition(".")
    if not module_name or not function_name:
        raise FaultError(
            MALFORMED_HANDLER_NAME,
            f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)",
        )
    module_name = module_name.replace("/", ".")
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultError(
            BUILT_IN_MODULE_CONFLICT,
            f"Cannot use built-in module {module_name} as a handler module",
        )
    try:
        module = __import__(module_name, fromlist=["_"])
    except ImportError as exc:
        raise FaultError(
            IMPORT_MODULE_ERROR, f"Unable to import module '{module_name}': {exc}"
        ) from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise FaultError(
            USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{module_name}': {exc}", trace
        ) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise FaultError(
            HANDLER_NOT_FOUND, f"Handler '{function_name}' missing on module '{module_name}'"
        ) from None


def is_async(handler: Callable[..., Any]) -> bool:
    """True for ``async def`` handlers, without importing ``inspect`` or ``asyncio``."""
    code = getattr(getattr(handler, "__func__", handler), "__code__", None)
    if code is None:
        # A callable instance: the code of its class's __call__ (callable() says nothing of it).
        code = getattr(getattr(type(handler), "__call__", None), "__code__", None)  # noqa: B004
    return code is not None and bool(code.co_flags & _CO_COROUTINE)


def annotated_types(handler: Callable[..., Any]) -> tuple[Any, Any]:
    """(event type, result type) from the handler's annotations; ``Any`` where missing.

    Reads ``__annotations__`` directly (``typing.get_type_hints`` is slow and needs every
    annotation resolvable); string annotations (``from __future__ import annotations``)
    are evaluated in the handler's module globals.
    """
    target = getattr(handler, "__func__", handler)
    annotations = getattr(target, "__annotations__", None)
    code = getattr(target, "__code__", None)
    if annotations is None or code is None:
        call = getattr(type(handler), "__call__", None)  # noqa: B004
        target = call
        annotations = getattr(call, "__annotations__", None)
        code = getattr(call, "__code__", None)
        skip = 1
    else:
        skip = 1 if hasattr(handler, "__func__") else 0
    if not annotations or code is None:
        return Any, Any
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    event_name = params[skip] if len(params) > skip else None
    namespace = getattr(target, "__globals__", {})
    event = _resolve(annotations.get(event_name, Any), namespace, "event")
    result = _resolve(annotations.get("return", Any), namespace, "return")
    return event, result


def _resolve(annotation: Any, namespace: dict[str, Any], what: str) -> Any:
    if not isinstance(annotation, str):
        return type(None) if annotation is None else annotation
    try:
        value = eval(annotation, namespace)  # the module's own annotation, in its own globals
    except Exception as exc:
        raise FaultError(
            HANDLER_TYPE_ERROR,
            f"Cannot resolve the handler's {what} annotation {annotation!r}: {exc}. "
            "Import the type at module level or pass it to serve() explicitly.",
        ) from None
    return type(None) if value is None else value
