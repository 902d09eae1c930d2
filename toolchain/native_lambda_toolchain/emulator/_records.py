"""Plain records the emulator keeps for tests and benchmarks to inspect."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass  # not frozen: made three times per invoke, on the hot path
class RuntimeApiRecord:
    """One request a runtime (or its extension) made to the Runtime/Extensions API."""

    # Written out rather than dataclass(slots=True), which needs Python 3.10.
    __slots__ = ("at", "body", "headers", "method", "path")

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.monotonic() when the request was complete


@dataclass(frozen=True)
class Report:
    """What the REPORT line says about one invocation, as numbers."""

    request_id: str
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None  # only on the first invocation of a runtime process
    status: str  # "success", "error" (platform error such as an exit) or "timeout"
    error_type: str | None  # the function or platform error type, if any
    line: str  # the REPORT line exactly as printed
