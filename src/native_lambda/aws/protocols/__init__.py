"""What generated clients are made of: the base client, results, errors, paginators.

Generated modules import from here; nothing heavy loads until a client is created.
"""

from __future__ import annotations

from ._result import (
    UNSET,
    Exceptions,
    ParamValidationError,
    Result,
    Results,
    ServiceError,
    TransportError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._client import BaseClient
    from ._model import Table
    from ._paginate import Paginator
    from ._transport import StreamingBody

__all__ = [
    "UNSET",
    "BaseClient",
    "Exceptions",
    "Paginator",
    "ParamValidationError",
    "Result",
    "Results",
    "ServiceError",
    "StreamingBody",
    "Table",
    "TransportError",
]


def __getattr__(name: str) -> Any:
    value: Any
    if name == "BaseClient":
        from . import _client

        value = _client.BaseClient
    elif name == "Paginator":
        from . import _paginate

        value = _paginate.Paginator
    elif name == "Table":
        from . import _model

        value = _model.Table
    elif name == "StreamingBody":
        from . import _transport

        value = _transport.StreamingBody
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
