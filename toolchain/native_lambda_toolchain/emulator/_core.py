"""The service's shared state and the small helpers every layer uses.

``LambdaService`` is built in layers, each in its own module and each adding one job on
top of the ones below: core → reports → scheduler → Runtime API → Extensions API →
Invoke API → service (HTTP dispatch and lifecycle). Everything runs on one event loop.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._config import ServiceConfig
from ._history import Ring, TailBuffer
from ._limits import HISTORY_BODY_BYTES, HISTORY_ENTRIES, HISTORY_LOG_BYTES
from ._records import Report, RuntimeApiRecord
from ._sandbox import Invocation, Sandbox

if TYPE_CHECKING:
    from ._http import HttpConnection


class ServiceCore:
    """State shared by every layer: configuration, history, the queue and the sandbox."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        # Bounded: a long-running emulator keeps only the newest history (see _history).
        self.records: Ring[RuntimeApiRecord] = Ring(HISTORY_ENTRIES, HISTORY_BODY_BYTES)
        self.reports: Ring[Report] = Ring(HISTORY_ENTRIES)
        self.process_exits: Ring[int] = Ring(HISTORY_ENTRIES)
        self.output = TailBuffer(HISTORY_LOG_BYTES)  # what runtime processes wrote
        self.lambda_log = TailBuffer(HISTORY_LOG_BYTES)  # plus START/END/REPORT lines
        self.on_report: Callable[[Report], None] | None = None
        self._queue: deque[Invocation] = deque()
        self._in_flight = 0  # invocations handed out (at most config.max_concurrency)
        self._stuck_timer: asyncio.TimerHandle | None = None
        self._slow_tasks: set[asyncio.Task[None]] = set()
        self._sandbox: Sandbox | None = None
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[HttpConnection] = set()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def _busy(self) -> bool:
        """True while no further invocation may be handed out."""
        return self._in_flight >= self.config.max_concurrency

    @_busy.setter
    def _busy(self, value: bool) -> None:
        """``True``: one more invocation is out; ``False``: one came back."""
        self._in_flight = self._in_flight + 1 if value else max(0, self._in_flight - 1)

    def _platform_line(self, line: str, inv: Invocation | None = None) -> None:
        data = (line + "\n").encode()
        self.lambda_log.append(data)
        if inv is not None and inv.log_tail:
            inv.log += data
        if self.config.echo is not None:
            self.config.echo(data)

    def _init_report_error(self, sb: Sandbox, error_type: str) -> None:
        ms = ((sb.init_failed_at or sb.loop.time()) - sb.started_at) * 1000
        self._platform_line(
            f"INIT_REPORT Init Duration: {ms:.2f} ms\tPhase: init\tStatus: error\t"
            f"Error Type: {error_type}"
        )

    async def _terminate(self, sb: Sandbox, grace: float) -> None:
        """Let the process exit by itself for ``grace`` seconds, then kill it."""
        if sb.proc is None or sb.exited:
            return
        if not await sb.wait_exit(grace):
            sb.proc.kill()
            await sb.wait_exit(10.0)
