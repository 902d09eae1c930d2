"""One life of a runtime, the invocations it serves, and the extensions it registered.

One *sandbox* is one life of the runtime process, from spawn to exit (or one connection
epoch of an external runtime), with Lambda's runtime states (see ``_state``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from dataclasses import dataclass, field

from ._http import Request
from ._process import RuntimeProcess
from ._state import State


@dataclass
class Outcome:
    kind: str  # response | error | too_large | timeout | exit | init | entrypoint
    body: bytes = b""
    error_type: str | None = None
    content_type: str = "application/json"
    returncode: int = 0
    size: int = 0
    detail: str = ""


@dataclass(eq=False)
class Invocation:
    request_id: str
    payload: bytes
    request: Request | None  # None for asynchronous (Event) invocations
    client_context: str | None
    cognito_identity: str | None
    trace_id: str | None
    tenant_id: str | None
    log_tail: bool
    finished: bool = False
    started_at: float = 0.0
    log: bytearray = field(default_factory=bytearray)
    timer: asyncio.TimerHandle | None = None
    stream: bool = False  # asked for on the InvokeWithResponseStream path
    streamed: bool = False  # the runtime is streaming its response
    caller_started: bool = False  # the event-stream answer to the caller has begun
    buffered: bytearray | None = None  # a streamed response for a plain (buffered) invoke


@dataclass(eq=False)
class Extension:
    id: str
    name: str
    events: frozenset[str]
    called_next: bool = False
    busy: bool = False  # got an event and has not asked for the next one yet
    waiting: Request | None = None
    queued: deque[bytes] = field(default_factory=deque)

    def send(self, data: bytes) -> None:
        """Hand an event to the parked ``event/next``, or queue it for the next one."""
        waiting = self.waiting
        if waiting is not None and not waiting.closed:
            self.waiting = None
            self.respond(waiting, data)
        else:
            self.queued.append(data)

    def respond(self, req: Request, data: bytes) -> None:
        self.busy = True
        req.respond(200, data, [("Lambda-Extension-Event-Identifier", str(uuid.uuid4()))])


class Sandbox:
    """One runtime process lifetime (or one connection epoch of an external runtime)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, concurrency: int = 1) -> None:
        self.loop = loop
        # Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY > 1): up to that many /next polls
        # parked at once and as many invocations out, keyed by request id.
        self.concurrency = concurrency
        self.polls: deque[Request] = deque()
        self.running: dict[str, Invocation] = {}
        self.proc: RuntimeProcess | None = None
        self.started_at = loop.time()
        self.state = State.STARTED
        self.next_request: Request | None = None
        self.runtime_called_next = False
        self.registration_open = True
        self.extensions: dict[str, Extension] = {}
        self.init_done_at: float | None = None
        self.init_failure: Outcome | None = None
        self.init_failed_at: float | None = None
        self.init_reported = False
        self.current: Invocation | None = None
        self.current_id: str | None = None
        self.exited = False
        self.returncode: int | None = None
        self.maxrss_kb = 0
        self.timed_out = False
        self.dead = False  # must be replaced before the next invocation
        self.init_log = bytearray()  # output before init succeeded, for an init error's log tail
        self._waiters: list[asyncio.Future[bool]] = []

    @property
    def init_settled(self) -> bool:
        return self.init_done_at is not None or self.init_failure is not None

    def ready_for_invoke(self) -> bool:
        if self.concurrency > 1:
            polls = self.polls
            while polls and polls[0].closed:
                polls.popleft()
            return bool(polls)
        req = self.next_request
        if req is None or req.closed:
            return False
        return not any(e.busy for e in self.extensions.values() if "INVOKE" in e.events)

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(True)

    async def changed(self, deadline: float) -> bool:
        """Wait for any state change; False once ``deadline`` (loop time) has passed."""
        if self.loop.time() >= deadline:
            return False
        fut: asyncio.Future[bool] = self.loop.create_future()
        self._waiters.append(fut)
        timer = self.loop.call_at(deadline, _resolve, fut, False)
        try:
            return await fut
        finally:
            timer.cancel()

    async def wait_exit(self, timeout: float) -> bool:
        deadline = self.loop.time() + timeout
        while not self.exited:
            if not await self.changed(deadline):
                return self.exited
        return True


def _resolve(fut: asyncio.Future[bool], value: bool) -> None:
    if not fut.done():
        fut.set_result(value)
