"""Bounded history: what the emulator keeps for tests to inspect, newest entries only.

``emulate`` and ``run --serve`` run for hours; keeping every record, report and byte of
output would grow without end. The limits (``_limits.HISTORY_*``) are far above what one
test looks at, and far below what endless traffic would pile up.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Ring(Generic[T]):
    """The newest ``max_entries`` items, and no more than ``max_bytes`` of their sizes."""

    def __init__(self, max_entries: int, max_bytes: int | None = None) -> None:
        self._items: deque[tuple[T, int]] = deque()
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0

    def append(self, item: T, size: int = 0) -> None:
        self._items.append((item, size))
        self._bytes += size
        items = self._items
        while len(items) > self._max_entries or (
            self._max_bytes is not None and self._bytes > self._max_bytes and len(items) > 1
        ):
            self._bytes -= items.popleft()[1]

    def __iter__(self) -> Iterator[T]:
        return (item for item, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def list(self) -> list[T]:
        return [item for item, _ in self._items]


class TailBuffer:
    """The newest ``limit`` bytes written (trimmed in steps, so appends stay cheap)."""

    def __init__(self, limit: int) -> None:
        self._data = bytearray()
        self._limit = limit

    def append(self, data: bytes) -> None:
        self._data += data
        if len(self._data) > 2 * self._limit:
            del self._data[: len(self._data) - self._limit]

    def __len__(self) -> int:
        return len(self._data)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        data = self._data
        if len(data) > self._limit:
            data = data[len(data) - self._limit :]
        return data.decode(encoding, errors)
