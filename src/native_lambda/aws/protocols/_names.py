"""From a boto3 method name back to the operation (``get_item`` -> ``GetItem``)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._model import ServiceModel

_CACHE: dict = {}


def operation_for(model: ServiceModel, method: str) -> str:
    if method in model._operations:
        return method
    key = (id(model), method)
    found = _CACHE.get(key)
    if found is None:
        wanted = method.replace("_", "").lower()
        matches = [name for name in model._operations if name.lower() == wanted]
        if not matches:
            raise ValueError(f"no operation named {method!r}")
        found = _CACHE[key] = matches[0]
    return found
