"""Backpressure between two connections: a streamed answer's caller and its runtime.

A streamed ``/response`` is relayed chunk by chunk to the InvokeWithResponseStream caller.
When that caller reads slower than the runtime writes, asyncio's transport would buffer
the difference, up to the whole body (200 MiB), in the emulator's memory. Instead, once
the caller's transport asks to pause writing (its buffer is above the high-water mark),
the runtime's connection stops being read: its socket buffers fill and the runtime's
send blocks, as it would against Lambda. Reading resumes when the caller has drained.
Memory stays bounded by the transport's high-water mark and one socket read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class FlowControl:
    """Mixed into ``HttpConnection``: write pauses of this connection, read holds of it."""

    _transport: asyncio.Transport | None
    _paused: bool  # reading paused for a reason of the connection's own (a long poll)
    _held = False  # reading paused because another connection cannot keep up
    _write_paused = False
    _drained: list[Callable[[], None]]  # set by HttpConnection.__init__

    # asyncio.Protocol's flow control callbacks (the caller's side) -------------------
    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake()

    def _wake(self) -> None:
        waiters = self._drained
        if waiters:
            self._drained = []
            for callback in waiters:
                callback()

    def when_drained(self, callback: Callable[[], None]) -> bool:
        """True (and ``callback`` runs later) while writes wait for the peer to read."""
        if not self._write_paused or self._transport is None:
            return False
        if callback not in self._drained:
            self._drained.append(callback)
        return True

    # the runtime's side --------------------------------------------------------------
    def hold_reading(self) -> None:
        if not self._held and self._transport is not None:
            self._held = True
            if not self._paused:
                self._transport.pause_reading()

    def release_reading(self) -> None:
        if self._held:
            self._held = False
            if not self._paused and self._transport is not None:
                self._transport.resume_reading()
