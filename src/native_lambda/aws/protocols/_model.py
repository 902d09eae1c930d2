"""A generated module's model data, decoded one shape at a time on first use."""

from __future__ import annotations

import msgspec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, ItemsView, Iterator, Optional

_decode = msgspec.json.decode


class Table:
    """One of a generated module's tables (shapes, operations, paginators, result fields,
    errors): a single string of ``"<name> <text>"`` lines, indexed on first use.

    One string constant loads in microseconds; a dict literal of a service's hundreds of
    JSON texts made hundreds of objects at every import (about 0.35 ms for DynamoDB under
    CPython) although a function looks up a few of them.
    """

    __slots__ = ("_index", "_lines")

    def __init__(self, lines: str) -> None:
        self._lines = lines
        self._index: Optional[Dict[str, str]] = None

    def _map(self) -> Dict[str, str]:
        index = self._index
        if index is None:
            rows = (line.partition(" ") for line in self._lines.split("\n"))
            index = self._index = {name: text for name, _, text in rows if name}
        return index

    def __getitem__(self, name: str) -> str:
        return self._map()[name]

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self._map().get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._map()

    def __iter__(self) -> Iterator[str]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())

    def items(self) -> ItemsView[str, str]:
        return self._map().items()


class ServiceModel:
    """Shapes and operations of one service; each JSON text is decoded once."""

    __slots__ = (
        "_error_names",
        "_operations",
        "_shapes",
        "metadata",
        "ops",
        "paginators",
        "shapes",
    )

    def __init__(
        self,
        metadata: Dict[str, str],
        shapes: Any,
        operations: Any,
        paginators: Any,
    ) -> None:
        """``shapes``, ``operations`` and ``paginators``: name -> JSON text (a Table or a dict)."""
        self.metadata = {k: _decode(v) for k, v in metadata.items()}
        self._shapes = shapes
        self._operations = operations
        self.paginators = paginators
        self.shapes: Dict[str, Dict[str, Any]] = {}
        self.ops: Dict[str, Dict[str, Any]] = {}
        self._error_names: Optional[Dict[str, str]] = None

    def shape(self, name: str) -> Dict[str, Any]:
        found = self.shapes.get(name)
        if found is None:
            found = self.shapes[name] = _decode(self._shapes[name])
            found["name"] = name
        return found

    def error_shape(self, code: str) -> Optional[Dict[str, Any]]:
        """The exception shape whose error code (modeled ``code``, else its name) is ``code``
        (the first in the model, if several share it). The code -> shape index is built at
        the first error answer, instead of scanning every shape at each one."""
        if self._error_names is None:
            index: Dict[str, str] = {}
            for name, text in self._shapes.items():
                if '"exception":true' in text:
                    error = self.shape(name).get("error", {})
                    index.setdefault(error.get("code") or name, name)
            self._error_names = index
        name = self._error_names.get(code)
        return None if name is None else self.shape(name)

    def operation(self, name: str) -> Dict[str, Any]:
        found = self.ops.get(name)
        if found is None:
            found = self.ops[name] = _decode(self._operations[name])
            found["name"] = name
        return found

    def paginator(self, name: str) -> Dict[str, Any]:
        return _decode(self.paginators[name])
