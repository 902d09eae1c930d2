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
from .handler_ref import HandlerRef, HandlerRefError

_CO_COROUTINE = 0x80
_CO_VARARGS = 0x04
_CO_GENERATOR = 0x20
_CO_ASYNC_GENERATOR = 0x200
#: How a handler answers (see ``_streaming``): buffered, or streamed by one of three forms.
BUFFERED, GENERATOR, ASYNC_GENERATOR, WRITER = 0, 1, 2, 3


def add_search_path() -> None:
    """Make modules in ``LAMBDA_TASK_ROOT`` and the working directory importable."""
    for entry in (os.getcwd(), os.environ.get("LAMBDA_TASK_ROOT")):
        if entry and entry not in sys.path:
            sys.path.insert(0, entry)


def load(spec: str) -> Callable[..., Any]:
    """Import the module named by Lambda's handler setting and return the function.

    The string is read by :meth:`HandlerRef.parse`, the one grammar the build shares.
    """
    try:
        ref = HandlerRef.parse(spec)
    except HandlerRefError as exc:
        raise FaultError(MALFORMED_HANDLER_NAME, str(exc)) from None
    module_name, function_name = ref
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


def stream_kind(handler: Callable[..., Any]) -> int:
    """How ``handler`` streams, from its code flags (no ``inspect``): a generator function,
    an async generator function, a ``@streaming`` writer, or not at all (``BUFFERED``)."""
    if getattr(handler, "_native_lambda_writer", False):
        return WRITER
    code = getattr(getattr(handler, "__func__", handler), "__code__", None)
    if code is None:
        code = getattr(getattr(type(handler), "__call__", None), "__code__", None)  # noqa: B004
    flags = code.co_flags if code is not None else 0
    if flags & _CO_ASYNC_GENERATOR:
        return ASYNC_GENERATOR
    if flags & _CO_GENERATOR:
        return GENERATOR
    return BUFFERED


def annotated_types(handler: Callable[..., Any]) -> tuple[Any, Any]:
    """(event type, result type) from the handler's annotations; ``Any`` where missing.

    Reads ``__annotations__`` directly (``typing.get_type_hints`` is slow and needs every
    annotation resolvable); string annotations (``from __future__ import annotations``)
    are evaluated in the handler's module globals. Decorated handlers are read through their
    ``__wrapped__`` chain (``functools.wraps``): the wrapper's ``(*args, **kwargs)`` and its
    module's globals say nothing about the event.
    """
    target, skip = _signature_owner(handler)
    annotations = getattr(target, "__annotations__", None)
    code = getattr(target, "__code__", None)
    if not annotations or code is None:
        return Any, Any
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    event_name = params[skip] if len(params) > skip else None
    namespace = getattr(target, "__globals__", {})
    event = _resolve(annotations.get(event_name, Any), namespace, "event")
    result = _resolve(annotations.get("return", Any), namespace, "return")
    return event, result


def hidden_by_wrapper(handler: Callable[..., Any]) -> bool:
    """True when a decorator without ``functools.wraps`` hides the handler's parameters:
    the innermost function reachable takes ``*args`` and no event parameter (whatever it
    annotates, it is not the event)."""
    target, skip = _signature_owner(handler)
    code = getattr(target, "__code__", None)
    return code is not None and bool(code.co_flags & _CO_VARARGS) and code.co_argcount <= skip


def _signature_owner(handler: Callable[..., Any]) -> tuple[Any, int]:
    """The function whose parameters are the handler's, and how many leading ones (``self``)
    are already bound; a callable instance is read through its class's ``__call__``."""
    target, skip = _follow(handler)
    if getattr(target, "__code__", None) is None:
        # A callable instance (callable() says nothing of where its parameters are).
        target, _ = _follow(getattr(type(target), "__call__", None))  # noqa: B004
        skip = 1
    return target, skip


def _follow(target: Any) -> tuple[Any, int]:
    """Through bound methods and the ``__wrapped__`` chain (as ``inspect.unwrap`` does,
    without importing ``inspect``) to the innermost function; ``self`` stays bound."""
    skip = 0
    seen = set()
    while id(target) not in seen:
        seen.add(id(target))
        if hasattr(target, "__func__"):
            target, skip = target.__func__, 1
        inner = getattr(target, "__wrapped__", None)
        if inner is None:
            break
        target = inner
    return target, skip


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
