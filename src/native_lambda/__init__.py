"""native-lambda runtime: serve typed Python handlers on the Lambda Runtime API.

The public names are loaded lazily so that ``import native_lambda.events`` (or the
``aws`` helpers) does not pull in the invocation loop.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `from typing import ...`: importing this package stays free
if TYPE_CHECKING:
    from typing import Any

    from ._context import ClientContext, CognitoIdentity, Context
    from ._errors import FaultError
    from ._loop import run_handler_string, serve
    from ._shutdown import on_shutdown
    from ._streaming import ResponseStream, streaming

__all__ = [
    "ClientContext",
    "CognitoIdentity",
    "Context",
    "FaultError",
    "ResponseStream",
    "on_shutdown",
    "run_handler_string",
    "serve",
    "streaming",
]


def __getattr__(name: str) -> Any:
    # Static relative imports (not importlib) so that Nuitka sees and compiles them in.
    module: Any
    if name in ("serve", "run_handler_string"):
        from . import _loop as module
    elif name in ("Context", "ClientContext", "CognitoIdentity"):
        from . import _context as module
    elif name == "FaultError":
        from . import _errors as module
    elif name == "on_shutdown":
        from . import _shutdown as module
    elif name in ("streaming", "ResponseStream"):
        from . import _streaming as module
    else:
        raise AttributeError(f"module 'native_lambda' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
