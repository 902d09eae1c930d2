"""A generated module's model data, decoded one shape at a time on first use."""

from __future__ import annotations

import msgspec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict

_decode = msgspec.json.decode


class ServiceModel:
    """Shapes and operations of one service; each JSON text is decoded once."""

    __slots__ = ("_operations", "_shapes", "metadata", "ops", "paginators", "shapes")

    def __init__(
        self,
        metadata: Dict[str, str],
        shapes: Dict[str, str],
        operations: Dict[str, str],
        paginators: Dict[str, str],
    ) -> None:
        self.metadata = {k: _decode(v) for k, v in metadata.items()}
        self._shapes = shapes
        self._operations = operations
        self.paginators = paginators
        self.shapes: Dict[str, Dict[str, Any]] = {}
        self.ops: Dict[str, Dict[str, Any]] = {}

    def shape(self, name: str) -> Dict[str, Any]:
        found = self.shapes.get(name)
        if found is None:
            found = self.shapes[name] = _decode(self._shapes[name])
            found["name"] = name
        return found

    def operation(self, name: str) -> Dict[str, Any]:
        found = self.ops.get(name)
        if found is None:
            found = self.ops[name] = _decode(self._operations[name])
            found["name"] = name
        return found

    def paginator(self, name: str) -> Dict[str, Any]:
        return _decode(self.paginators[name])
