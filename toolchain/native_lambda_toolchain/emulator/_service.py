"""The emulated Lambda service: Runtime API, Extensions API and the Invoke endpoint on one port.

One *sandbox* is one life of the runtime process, from spawn to exit, with Lambda's runtime
states (Started → Ready → Running → RuntimeResponseSentState → Ready ...). Invocations wait
in a FIFO and one worker hands them out one at a time, as one Lambda execution environment
does. Whatever ends an invocation — a response, an error, a process exit, a timeout — goes
through :meth:`LambdaService._finish`, which answers the caller and prints END/REPORT.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime
import json
import math
import random
import re
import signal
import sys
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from . import _errors as err
from ._history import Ring, TailBuffer
from ._http import HttpConnection, Request
from ._limits import (
    HISTORY_BODY_BYTES,
    HISTORY_ENTRIES,
    HISTORY_LOG_BYTES,
    MAX_INVOKE_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
)
from ._process import RuntimeProcess
from ._records import Report, RuntimeApiRecord

RUNTIME_PREFIX = "/2018-06-01/runtime/"
EXTENSION_PREFIX = "/2020-01-01/extension/"
INVOKE_PREFIX = "/2015-03-31/functions/"
ACCOUNT_ID = "012345678912"
MAX_EXTENSIONS = 10
INIT_LOG_LIMIT = 64 * 1024
_ERROR_TYPE_RE = re.compile(r"(Runtime|Function)\.[A-Z][a-zA-Z]+")
_ACCEPTED = b'{"status":"OK"}'


@dataclass
class ServiceConfig:
    command: list[str] | None  # None: an external runtime connects by itself
    env: dict[str, str]  # the complete environment of the runtime process
    cwd: str | None
    function_name: str
    memory_mb: int
    timeout_s: float
    region: str
    eager: bool = True
    version: str = "$LATEST"
    handler: str = ""
    external_extensions: frozenset[str] = frozenset()
    validate_json: bool = False
    init_error_grace_s: float = 2.0  # time a runtime gets to exit by itself after /init/error
    echo: Callable[[bytes], None] | None = None

    @property
    def function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"


@dataclass
class _Outcome:
    kind: str  # response | error | too_large | timeout | exit | init | entrypoint
    body: bytes = b""
    error_type: str | None = None
    content_type: str = "application/json"
    returncode: int = 0
    size: int = 0
    detail: str = ""


@dataclass(eq=False)
class _Invocation:
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


@dataclass(eq=False)
class _Extension:
    id: str
    name: str
    events: frozenset[str]
    called_next: bool = False
    busy: bool = False  # got an event and has not asked for the next one yet
    waiting: Request | None = None
    queued: deque[bytes] = field(default_factory=deque)


class _Sandbox:
    """One runtime process lifetime (or one connection epoch of an external runtime)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.proc: RuntimeProcess | None = None
        self.started_at = loop.time()
        self.state = "Started"
        self.next_request: Request | None = None
        self.runtime_called_next = False
        self.registration_open = True
        self.extensions: dict[str, _Extension] = {}
        self.init_done_at: float | None = None
        self.init_failure: _Outcome | None = None
        self.init_failed_at: float | None = None
        self.init_reported = False
        self.current: _Invocation | None = None
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


def _header_error_type(value: str | None) -> str:
    value = value or ""
    if _ERROR_TYPE_RE.match(value):
        return value
    return "Function.Unknown" if value.startswith("Function.") else "Runtime.Unknown"


def _reject_invoke(req: Request, status: int, error_type: str, message: str) -> None:
    """Answer an Invoke API request the control plane refuses before any runtime sees it."""
    status, body, etype = err.invoke_api_error(status, error_type, message)
    req.respond(status, body, [("X-Amzn-ErrorType", etype)])


def body_limit(method: str, path: str) -> int:
    """The largest body a request may carry: Lambda's invoke payload limit, or a response's."""
    if path.startswith(INVOKE_PREFIX):
        return MAX_INVOKE_REQUEST_BYTES
    return MAX_RESPONSE_BYTES


def _handles_oversize(req: Request) -> bool:
    """Requests whose handler answers an over-limit body with its own Lambda error."""
    path = req.path
    if path.startswith(INVOKE_PREFIX):
        return True
    return path.startswith(RUNTIME_PREFIX + "invocation/") and path.endswith("/response")


def _request_id() -> str:
    """A random (version 4) UUID string, without uuid4's syscall and object."""
    h = "%032x" % (random.getrandbits(128) & _UUID4_MASK | _UUID4_BITS)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID4_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)


def _utc_stamp() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class LambdaService:
    """Serves the APIs and runs the runtime; lives entirely on one event loop."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        # Bounded: a long-running emulator keeps only the newest history (see _history).
        self.records: Ring[RuntimeApiRecord] = Ring(HISTORY_ENTRIES, HISTORY_BODY_BYTES)
        self.reports: Ring[Report] = Ring(HISTORY_ENTRIES)
        self.process_exits: Ring[int] = Ring(HISTORY_ENTRIES)
        self.output = TailBuffer(HISTORY_LOG_BYTES)  # what runtime processes wrote
        self.lambda_log = TailBuffer(HISTORY_LOG_BYTES)  # plus START/END/REPORT lines
        self.on_report: Callable[[Report], None] | None = None
        self._queue: deque[_Invocation] = deque()
        self._busy = False
        self._stuck_timer: asyncio.TimerHandle | None = None
        self._slow_tasks: set[asyncio.Task[None]] = set()
        self._sandbox: _Sandbox | None = None
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[_TrackedConnection] = set()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dispatch_exact: dict[tuple[str, str], Callable[[Request], None]] = {
            ("GET", RUNTIME_PREFIX + "invocation/next"): self._runtime_next,
            ("POST", RUNTIME_PREFIX + "init/error"): self._runtime_init_error,
            ("POST", EXTENSION_PREFIX + "register"): self._extension_register,
            ("GET", EXTENSION_PREFIX + "event/next"): self._extension_next,
            ("POST", EXTENSION_PREFIX + "init/error"): self._extension_init_error,
            ("POST", EXTENSION_PREFIX + "exit/error"): self._extension_exit_error,
        }

    # lifecycle -------------------------------------------------------------------
    async def start(
        self, host: str, port: int, env_for_port: Callable[[int], dict[str, str]]
    ) -> int:
        """Bind (port 0: any free one), then spawn the runtime with ``env_for_port(port)``."""
        self._loop = loop = asyncio.get_running_loop()

        def factory() -> _TrackedConnection:
            return _TrackedConnection(self._handle, self._connections, body_limit)

        self._server = await loop.create_server(factory, host, port, backlog=256)
        bound = self._server.sockets[0].getsockname()[1]
        self.config.env = env_for_port(bound)
        if self.config.command is None or self.config.eager:
            self._sandbox = self._new_sandbox()
        return int(bound)

    async def stop(self) -> None:
        """Stop like Lambda spins an environment down: SHUTDOWN, SIGTERM + grace, SIGKILL."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        if self._stuck_timer is not None:
            self._stuck_timer.cancel()
        for task in list(self._slow_tasks):
            task.cancel()
        while self._queue:
            inv = self._queue.popleft()
            if inv.request is not None:
                body = json.dumps({"Type": "Service", "message": "Emulator stopped"}).encode()
                inv.request.respond(503, body, [("X-Amzn-ErrorType", "ServiceException")])
        sb = self._sandbox
        if sb is not None and sb.extensions:
            await self._shut_down_with_extensions(sb)
        elif sb is not None and sb.proc is not None and sb.proc.alive:
            sb.proc.kill()
        if sb is not None and sb.proc is not None:
            await sb.wait_exit(10.0)
            sb.proc.kill()  # leftovers of the process group
            sb.proc.close()
        for conn in list(self._connections):
            conn.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    async def _shut_down_with_extensions(self, sb: _Sandbox) -> None:
        """Lambda's Shutdown phase: SHUTDOWN events, SIGTERM, a grace period, then SIGKILL."""
        external = any(e.name in self.config.external_extensions for e in sb.extensions.values())
        grace = 2.0 if external else 0.5
        deadline_ms = int((time.time() + grace) * 1000)
        event = json.dumps(
            {"eventType": "SHUTDOWN", "shutdownReason": "spindown", "deadlineMs": deadline_ms}
        ).encode()
        for ext in sb.extensions.values():
            if "SHUTDOWN" in ext.events:
                self._send_extension_event(ext, event)
        if sb.proc is not None and sb.proc.alive:
            sb.proc.signal_group(signal.SIGTERM)
            if not await sb.wait_exit(grace):
                sb.proc.kill()
        else:
            await asyncio.sleep(0.05)  # let SHUTDOWN reach an external extension

    def wait_ready_future(self) -> asyncio.Future[bool]:
        """Resolves True when the current runtime finished init, False if init failed."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[bool] = loop.create_future()

        async def watch() -> None:
            while True:
                sb = self._sandbox
                if sb is None or (sb.dead and not self._busy and self.config.command):
                    sb = self._sandbox = self._new_sandbox()  # lazy start, or after a crash
                if sb.init_done_at is not None and not sb.dead:
                    fut.set_result(True)
                    return
                if sb.init_failure is not None:
                    fut.set_result(False)
                    return
                await sb.changed(loop.time() + (0.05 if sb.dead else 3600))

        task = loop.create_task(watch())
        fut.add_done_callback(lambda _: task.cancel())
        return fut

    # sandbox management ----------------------------------------------------------
    def _new_sandbox(self) -> _Sandbox:
        assert self._loop is not None
        sb = _Sandbox(self._loop)
        command = self.config.command
        if command is None:
            return sb
        try:
            sb.proc = RuntimeProcess(
                command,
                self.config.env,
                self.config.cwd,
                self._loop,
                on_output=lambda data: self._on_output(sb, data),
                on_exit=lambda rc, rss: self._on_exit(sb, rc, rss),
            )
        except OSError as exc:
            detail = f"fork/exec {command[0]}: {exc.strerror or exc}".lower()
            sb.init_failure = _Outcome(
                "entrypoint", error_type="Runtime.InvalidEntrypoint", detail=detail
            )
            sb.init_failed_at = self._loop.time()
            sb.exited = True
            self._init_report_error(sb, "Runtime.InvalidEntrypoint")
        return sb

    def _on_output(self, sb: _Sandbox, data: bytes) -> None:
        self.output.append(data)
        self.lambda_log.append(data)
        inv = sb.current
        if inv is not None and not inv.finished:
            if inv.log_tail:
                inv.log += data
        elif sb.init_done_at is None and len(sb.init_log) < INIT_LOG_LIMIT:
            sb.init_log += data
        if self.config.echo is not None:
            self.config.echo(data)

    def _platform_line(self, line: str, inv: _Invocation | None = None) -> None:
        data = (line + "\n").encode()
        self.lambda_log.append(data)
        if inv is not None and inv.log_tail:
            inv.log += data
        if self.config.echo is not None:
            self.config.echo(data)

    def _on_exit(self, sb: _Sandbox, returncode: int, maxrss_kb: int) -> None:
        sb.exited = True
        sb.returncode = returncode
        sb.maxrss_kb = max(sb.maxrss_kb, maxrss_kb)
        self.process_exits.append(returncode)
        inv = sb.current
        if inv is not None and not inv.finished:
            sb.dead = True
            if sb.timed_out:
                outcome = _Outcome("timeout", error_type="Sandbox.Timedout")
            else:
                outcome = _Outcome("exit", error_type="Runtime.ExitError", returncode=returncode)
            self._finish(sb, inv, outcome)
        elif not sb.init_settled:
            sb.init_failure = _Outcome(
                "exit", error_type="Runtime.ExitError", returncode=returncode
            )
            sb.init_failed_at = sb.loop.time()
            self._init_report_error(sb, "Runtime.ExitError")
        elif sb.init_failure is None:
            sb.dead = True
        if sb.proc is not None:
            sb.proc.close()
        sb.notify()
        self._pump()

    def _init_report_error(self, sb: _Sandbox, error_type: str) -> None:
        ms = ((sb.init_failed_at or sb.loop.time()) - sb.started_at) * 1000
        self._platform_line(
            f"INIT_REPORT Init Duration: {ms:.2f} ms\tPhase: init\tStatus: error\t"
            f"Error Type: {error_type}"
        )

    async def _terminate(self, sb: _Sandbox, grace: float) -> None:
        """Let the process exit by itself for ``grace`` seconds, then kill it."""
        if sb.proc is None or sb.exited:
            return
        if not await sb.wait_exit(grace):
            sb.proc.kill()
            await sb.wait_exit(10.0)

    # handing out invocations -----------------------------------------------------
    # Hot path: _pump() delivers synchronously from whichever callback made delivery possible
    # (an invoke arrived, the runtime called /next), so a warm round trip costs no extra loop
    # iteration. Everything slow (spawning, waiting for init, reporting an init failure)
    # runs in one coroutine at a time, _slow(). ``_busy`` is True while an invocation is out.
    def _enqueue(self, inv: _Invocation) -> None:
        self._queue.append(inv)
        self._pump()

    def _pump(self) -> None:
        if self._busy or not self._queue or self._stopping:
            return
        sb = self._sandbox
        if (
            sb is not None
            and not sb.dead
            and not sb.exited
            and sb.init_done_at is not None
            and sb.init_failure is None
        ):
            if sb.ready_for_invoke():
                if self._stuck_timer is not None:
                    self._stuck_timer.cancel()
                    self._stuck_timer = None
                self._busy = True
                self._deliver(sb, self._queue.popleft())
            elif self._stuck_timer is None:
                # Initialised but not polling /next (yet): bound the wait like an invocation.
                assert self._loop is not None
                self._stuck_timer = self._loop.call_later(self.config.timeout_s, self._on_stuck, sb)
            return
        self._busy = True
        self._start_slow(self._slow(self._queue.popleft()))

    def _start_slow(self, coro: Coroutine[Any, Any, None]) -> None:
        assert self._loop is not None
        task = self._loop.create_task(coro)
        self._slow_tasks.add(task)
        task.add_done_callback(self._slow_tasks.discard)

    def _on_stuck(self, sb: _Sandbox) -> None:
        self._stuck_timer = None
        if self._busy or not self._queue or self._sandbox is not sb or sb.ready_for_invoke():
            self._pump()
            return
        self._busy = True
        self._start_slow(self._timeout_before_delivery(sb, self._queue.popleft()))

    def _idle(self) -> None:
        """The invocation in flight is over: hand out the next one."""
        self._busy = False
        self._pump()

    async def _slow(self, inv: _Invocation) -> None:
        try:
            await self._run(inv)
        except asyncio.CancelledError:
            raise
        except Exception:
            traceback.print_exc()
            if not inv.finished:
                inv.finished = True
                if inv.request is not None:
                    inv.request.respond(500, err.error_json("ServiceException", "emulator failure"))
                self._idle()

    async def _run(self, inv: _Invocation) -> None:
        loop = self._loop
        assert loop is not None
        deadline = loop.time() + self.config.timeout_s
        while True:
            sb = self._sandbox
            if sb is None or sb.dead:
                sb = self._sandbox = self._new_sandbox()
            if sb.init_failure is not None:
                await self._fail_init(sb, inv)
                return
            if sb.init_settled and sb.ready_for_invoke():
                break
            if sb.exited and sb.init_settled:
                sb.dead = True
                continue
            if not await sb.changed(deadline):
                await self._timeout_before_delivery(sb, inv)
                return
        self._deliver(sb, inv)

    async def _fail_init(self, sb: _Sandbox, inv: _Invocation) -> None:
        """Answer with the init failure once the failed process is gone (its exit recorded)."""
        assert sb.init_failure is not None
        await self._terminate(sb, self.config.init_error_grace_s)
        inv.log += sb.init_log  # the tail shows why init failed, as Lambda's would
        inv.started_at = sb.loop.time()
        sb.current = inv
        self._platform_line(
            f"START RequestId: {inv.request_id} Version: {self.config.version}", inv
        )
        sb.dead = True
        self._finish(sb, inv, sb.init_failure)

    async def _timeout_before_delivery(self, sb: _Sandbox, inv: _Invocation) -> None:
        """The runtime never became ready within the function timeout: treat as a timeout."""
        inv.started_at = sb.loop.time() - self.config.timeout_s
        sb.current = inv
        self._platform_line(
            f"START RequestId: {inv.request_id} Version: {self.config.version}", inv
        )
        self._on_timeout(sb, inv)

    def _deliver(self, sb: _Sandbox, inv: _Invocation) -> None:
        request = sb.next_request
        assert request is not None
        sb.next_request = None
        sb.state = "Running"
        sb.current = inv
        sb.current_id = inv.request_id
        cfg = self.config
        inv.started_at = sb.loop.time()
        deadline_ms = int((time.time() + cfg.timeout_s) * 1000)
        self._platform_line(f"START RequestId: {inv.request_id} Version: {cfg.version}", inv)
        headers = [
            ("Lambda-Runtime-Aws-Request-Id", inv.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
            ("Lambda-Runtime-Invoked-Function-Arn", cfg.function_arn),
        ]
        if inv.trace_id:
            headers.append(("Lambda-Runtime-Trace-Id", inv.trace_id))
        if inv.client_context:
            headers.append(("Lambda-Runtime-Client-Context", inv.client_context))
        if inv.cognito_identity:
            headers.append(("Lambda-Runtime-Cognito-Identity", inv.cognito_identity))
        if inv.tenant_id:
            headers.append(("Lambda-Runtime-Aws-Tenant-Id", inv.tenant_id))
        inv.timer = sb.loop.call_later(cfg.timeout_s, self._on_timeout, sb, inv)
        request.respond(200, inv.payload, headers)
        if sb.extensions:
            event: dict[str, object] = {
                "eventType": "INVOKE",
                "deadlineMs": deadline_ms,
                "requestId": inv.request_id,
                "invokedFunctionArn": cfg.function_arn,
            }
            if inv.trace_id:
                event["tracing"] = {"type": "X-Amzn-Trace-Id", "value": inv.trace_id}
            data = json.dumps(event).encode()
            for ext in sb.extensions.values():
                if "INVOKE" in ext.events:
                    self._send_extension_event(ext, data)

    def _on_timeout(self, sb: _Sandbox, inv: _Invocation) -> None:
        if inv.finished:
            return
        sb.timed_out = True
        if sb.proc is not None and sb.proc.alive:
            sb.maxrss_kb = max(sb.maxrss_kb, sb.proc.max_rss_kb())
            sb.proc.kill()  # _on_exit finishes the invocation once the process is reaped
        else:
            sb.dead = True
            self._finish(sb, inv, _Outcome("timeout", error_type="Sandbox.Timedout"))

    # finishing an invocation -----------------------------------------------------
    def _finish(self, sb: _Sandbox, inv: _Invocation, outcome: _Outcome) -> None:
        """End ``inv``: answer the caller, then log END/REPORT (before answering for a log tail)."""
        if inv.finished:
            return
        if inv.log_tail and sb.proc is not None:
            sb.proc.drain()  # output written before the runtime answered belongs to inv
        inv.finished = True
        if inv.timer is not None:
            inv.timer.cancel()
        ended_at = sb.loop.time()
        rid = inv.request_id
        cfg = self.config
        kind = outcome.kind
        body = outcome.body
        if kind == "timeout":
            body = err.timed_out(rid, cfg.timeout_s)
        elif kind == "exit":
            body = err.runtime_exit(rid, outcome.returncode)
        elif kind == "entrypoint":
            body = err.invalid_entrypoint(rid, outcome.detail)
        elif kind == "too_large":
            body = err.function_response_too_large(outcome.size)
        if inv.log_tail:
            self._report(sb, inv, outcome, ended_at)
        if inv.request is not None:
            headers = [("X-Amz-Executed-Version", cfg.version), ("X-Amzn-RequestId", rid)]
            if kind != "response":
                headers.append(("X-Amz-Function-Error", "Unhandled"))
            if inv.log_tail:
                tail = base64.b64encode(bytes(inv.log[-4096:])).decode()
                headers.append(("X-Amz-Log-Result", tail))
            inv.request.respond(200, body, headers, outcome.content_type or "application/json")
        if not inv.log_tail:  # the answer is on its way; now the bookkeeping
            if sb.proc is not None:
                sb.proc.drain()  # so the output precedes END in the log
            self._report(sb, inv, outcome, ended_at)
        self._idle()

    def _report(self, sb: _Sandbox, inv: _Invocation, outcome: _Outcome, ended_at: float) -> None:
        """Print the platform lines that end an invocation and record its REPORT."""
        cfg = self.config
        rid = inv.request_id
        kind = outcome.kind
        duration_ms = (ended_at - inv.started_at) * 1000 if inv.started_at else 0.0
        init_ms: float | None = None
        if not sb.init_reported:
            settled_at = sb.init_done_at if sb.init_done_at is not None else sb.init_failed_at
            if settled_at is not None:
                init_ms = (settled_at - sb.started_at) * 1000
                sb.init_reported = True
        if sb.proc is not None and sb.proc.alive:
            sb.maxrss_kb = max(sb.maxrss_kb, sb.proc.max_rss_kb())
        used_mb = math.ceil(sb.maxrss_kb / 1024)
        status = "success" if kind == "response" else "error"
        platform_status = ""
        if kind == "timeout":
            status = "timeout"
            stamp = _utc_stamp()
            self._platform_line(
                f"{stamp} {rid} Task timed out after {cfg.timeout_s:.2f} seconds", inv
            )
            platform_status = "Status: timeout\t"
        elif kind == "exit":
            self._platform_line(
                f"RequestId: {rid} Error: {err.exit_reason(outcome.returncode)}", inv
            )
            self._platform_line("Runtime.ExitError", inv)
            platform_status = "Status: error\tError Type: Runtime.ExitError\t"
        elif kind == "entrypoint":
            self._platform_line(f"RequestId: {rid} Error: {outcome.detail}", inv)
            self._platform_line("Runtime.InvalidEntrypoint", inv)
            platform_status = "Status: error\tError Type: Runtime.InvalidEntrypoint\t"
        elif kind == "init":
            platform_status = f"Status: error\tError Type: {outcome.error_type}\t"
        billed = math.ceil(duration_ms + (init_ms or 0.0))  # provided.* bills init too
        line = (
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {cfg.memory_mb} MB\t"
            f"Max Memory Used: {used_mb} MB\t"
        )
        if init_ms is not None:
            line += f"Init Duration: {init_ms:.2f} ms\t"
        line += platform_status
        self._platform_line(f"END RequestId: {rid}", inv)
        self._platform_line(line, inv)
        report = Report(
            request_id=rid,
            duration_ms=round(duration_ms, 2),
            billed_duration_ms=billed,
            memory_size_mb=cfg.memory_mb,
            max_memory_used_mb=used_mb,
            init_duration_ms=None if init_ms is None else round(init_ms, 2),
            status=status,
            error_type=None if kind == "response" else outcome.error_type,
            line=line,
        )
        self.reports.append(report)
        if self.on_report is not None:
            self.on_report(report)

    # HTTP dispatch ---------------------------------------------------------------
    def _handle(self, req: Request) -> None:
        path = req.path
        handler = self._dispatch_exact.get((req.method, path))
        is_api = path.startswith(RUNTIME_PREFIX) or path.startswith(EXTENSION_PREFIX)
        if is_api:
            self.records.append(
                RuntimeApiRecord(req.method, path, req.headers, req.body, time.monotonic()),
                len(req.body),
            )
        if req.oversize and not _handles_oversize(req):
            req.respond(*err.request_too_large())
            return
        if handler is not None:
            handler(req)
            return
        if path.startswith(RUNTIME_PREFIX + "invocation/") and req.method == "POST":
            rest = path[len(RUNTIME_PREFIX) + len("invocation/") :]
            request_id, _, action = rest.rpartition("/")
            if action == "response":
                self._runtime_response(req, request_id)
                return
            if action == "error":
                self._runtime_error(req, request_id)
                return
        if path.startswith(INVOKE_PREFIX) and path.endswith("/invocations"):
            if req.method == "POST":
                self._invoke(req)
            else:
                req.respond(405, err.error_json("MethodNotAllowed", "Use POST"))
            return
        if is_api:
            req.respond(404, b"404 page not found\n", content_type="text/plain; charset=utf-8")
            return
        body = json.dumps({"Type": "User", "message": f"Unknown path {path}"}).encode()
        req.respond(404, body, [("X-Amzn-ErrorType", "UnknownOperationException")])

    # Runtime API -----------------------------------------------------------------
    def _external_sandbox(self) -> _Sandbox | None:
        """The sandbox API calls belong to; an external runtime gets a fresh one after a reset."""
        sb = self._sandbox
        if self.config.command is None and not self._stopping and (sb is None or sb.dead):
            sb = self._sandbox = self._new_sandbox()
        return sb

    def _runtime_next(self, req: Request) -> None:
        sb = self._external_sandbox()
        if self._stopping and sb is not None and not sb.dead:
            # Lambda never answers a poll while it shuts an environment down: SIGTERM comes
            # instead, and the runtime must still be alive to run its shutdown hooks.
            sb.next_request = req
            return
        if sb is None or sb.dead or self._stopping:
            status, body = err.invalid_state("Shutdown" if self._stopping else "Unknown", "Ready")
            req.respond(status, body)
            return
        state = sb.state
        if state == "Started":
            sb.runtime_called_next = True
            sb.registration_open = False
        elif state == "RuntimeResponseSentState":
            sb.current = None
        elif state == "Ready" and (sb.next_request is None or sb.next_request.closed):
            pass  # the runtime re-polls after its connection dropped
        else:
            status, body = err.invalid_state(state, "Ready")
            req.respond(status, body)
            return
        sb.state = "Ready"
        sb.next_request = req
        self._check_init_done(sb)
        sb.notify()
        self._pump()

    def _check_init_done(self, sb: _Sandbox) -> None:
        if sb.init_settled or not sb.runtime_called_next:
            return
        if all(e.called_next for e in sb.extensions.values()):
            sb.init_done_at = sb.loop.time()

    def _current_invocation(
        self, req: Request, request_id: str, target: str
    ) -> tuple[_Sandbox, _Invocation] | None:
        sb = self._sandbox
        if (
            sb is None
            or sb.dead
            or not request_id
            or request_id != sb.current_id
            or sb.current is None
        ):
            req.respond(*err.invalid_request_id())
            return None
        if sb.state != "Running":
            req.respond(*err.invalid_state(sb.state, target))
            return None
        return sb, sb.current

    def _runtime_response(self, req: Request, request_id: str) -> None:
        found = self._current_invocation(req, request_id, "InvocationResponse")
        if found is None:
            return
        sb, inv = found
        sb.state = "RuntimeResponseSentState"
        size = req.oversize or len(req.body)
        if size > MAX_RESPONSE_BYTES:
            req.respond(*err.response_too_large())
            self._finish(
                sb,
                inv,
                _Outcome("too_large", error_type="Function.ResponseSizeTooLarge", size=size),
            )
            return
        content_type = req.headers.get("content-type") or "application/json"
        req.respond(202, _ACCEPTED)  # first: the runtime's next /next is on the critical path
        self._finish(sb, inv, _Outcome("response", req.body, content_type=content_type))

    def _runtime_error(self, req: Request, request_id: str) -> None:
        found = self._current_invocation(req, request_id, "InvocationErrorResponse")
        if found is None:
            return
        sb, inv = found
        sb.state = "RuntimeResponseSentState"
        error_type = _header_error_type(req.headers.get("lambda-runtime-function-error-type"))
        content_type = req.headers.get("content-type") or "application/json"
        req.respond(202, _ACCEPTED)
        self._finish(sb, inv, _Outcome("error", req.body, error_type, content_type))

    def _runtime_init_error(self, req: Request) -> None:
        sb = self._external_sandbox()
        if sb is None or sb.dead or sb.state != "Started":
            req.respond(*err.invalid_state(sb.state if sb else "Unknown", "InitError"))
            return
        sb.state = "InitError"
        error_type = _header_error_type(req.headers.get("lambda-runtime-function-error-type"))
        try:
            json.loads(req.body)
            content_type = "application/json"
        except ValueError:
            content_type = "application/octet-stream"
        sb.init_failure = _Outcome("init", req.body, error_type, content_type)
        sb.init_failed_at = sb.loop.time()
        self._init_report_error(sb, error_type)
        req.respond(202, _ACCEPTED)
        sb.notify()

    # Extensions API --------------------------------------------------------------
    def _extension_register(self, req: Request) -> None:
        sb = self._external_sandbox()
        name = req.headers.get("lambda-extension-name", "")
        if not name:
            req.respond(
                *err.extension_error("Extension.InvalidExtensionName", "Empty extension name")
            )
            return
        try:
            events = json.loads(req.body or b"{}").get("events") or []
            if not isinstance(events, list):
                raise ValueError("events must be a list")
        except (ValueError, AttributeError) as exc:
            req.respond(*err.extension_error("InvalidRequestFormat", str(exc)))
            return
        external = name in self.config.external_extensions
        for event in events:
            if event == "SHUTDOWN" and not external:
                reason = "ShutdownEventNotSupportedForInternalExtension"
            elif event not in ("INVOKE", "SHUTDOWN"):
                reason = "ErrorInvalidEventType"
            else:
                continue
            req.respond(*err.extension_error("Extension.InvalidEventType", f"{event}: {reason}"))
            return
        if sb is None or sb.dead or not sb.registration_open:
            req.respond(
                *err.extension_error(
                    "Extension.RegistrationClosed", "Extension registration closed already"
                )
            )
            return
        if any(e.name == name for e in sb.extensions.values()):
            req.respond(
                *err.extension_error(
                    "Extension.InvalidExtensionState", "Extension with this name already registered"
                )
            )
            return
        if len(sb.extensions) >= MAX_EXTENSIONS:
            req.respond(
                *err.extension_error(
                    "Extension.TooManyExtensions", f"Extension limit ({MAX_EXTENSIONS}) reached"
                )
            )
            return
        ext = _Extension(str(uuid.uuid4()), name, frozenset(events))
        sb.extensions[ext.id] = ext
        cfg = self.config
        body = json.dumps(
            {
                "functionName": cfg.function_name,
                "functionVersion": cfg.version,
                "handler": cfg.handler,
            }
        ).encode()
        req.respond(200, body, [("Lambda-Extension-Identifier", ext.id)])

    def _find_extension(self, req: Request) -> tuple[_Sandbox, _Extension] | None:
        ext_id = req.headers.get("lambda-extension-identifier", "")
        if not ext_id:
            req.respond(
                *err.extension_error(
                    "Extension.MissingExtensionIdentifier",
                    "Missing Lambda-Extension-Identifier header",
                )
            )
            return None
        try:
            uuid.UUID(ext_id)
        except ValueError:
            req.respond(
                *err.extension_error(
                    "Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier"
                )
            )
            return None
        sb = self._sandbox
        ext = sb.extensions.get(ext_id) if sb is not None else None
        if sb is None or ext is None:
            req.respond(
                *err.extension_error(
                    "Extension.UnknownExtensionIdentifier", f"Unknown extension {ext_id}"
                )
            )
            return None
        return sb, ext

    def _extension_next(self, req: Request) -> None:
        found = self._find_extension(req)
        if found is None:
            return
        sb, ext = found
        ext.called_next = True
        ext.busy = False
        if ext.queued:
            self._respond_extension(ext, req, ext.queued.popleft())
        else:
            ext.waiting = req
        self._check_init_done(sb)
        sb.notify()
        self._pump()

    def _send_extension_event(self, ext: _Extension, data: bytes) -> None:
        waiting = ext.waiting
        if waiting is not None and not waiting.closed:
            ext.waiting = None
            self._respond_extension(ext, waiting, data)
        else:
            ext.queued.append(data)

    def _respond_extension(self, ext: _Extension, req: Request, data: bytes) -> None:
        ext.busy = True
        req.respond(200, data, [("Lambda-Extension-Event-Identifier", str(uuid.uuid4()))])

    def _extension_init_error(self, req: Request) -> None:
        found = self._find_extension(req)
        if found is None:
            return
        sb, _ = found
        if not sb.init_settled:
            error_type = (
                req.headers.get("lambda-extension-function-error-type") or "Extension.Unknown"
            )
            sb.init_failure = _Outcome("init", req.body, error_type)
            sb.init_failed_at = sb.loop.time()
            self._init_report_error(sb, error_type)
        req.respond(202, _ACCEPTED)
        sb.notify()

    def _extension_exit_error(self, req: Request) -> None:
        if self._find_extension(req) is not None:
            req.respond(202, _ACCEPTED)

    # Invoke endpoint -------------------------------------------------------------
    def _invoke(self, req: Request) -> None:
        headers = req.headers
        if req.oversize or len(req.body) > MAX_INVOKE_REQUEST_BYTES:
            _reject_invoke(
                req,
                413,
                "RequestEntityTooLargeException",
                f"Request must be smaller than {MAX_INVOKE_REQUEST_BYTES} bytes "
                "for the InvokeFunction operation",
            )
            return
        invocation_type = headers.get("x-amz-invocation-type", "RequestResponse")
        if invocation_type not in ("RequestResponse", "Event", "DryRun"):
            _reject_invoke(
                req,
                400,
                "InvalidParameterValueException",
                f"Unsupported invocation type {invocation_type}",
            )
            return
        client_context: str | None = None
        raw_context = headers.get("x-amz-client-context")
        if raw_context:
            try:
                client_context = base64.b64decode(raw_context, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                _reject_invoke(
                    req,
                    400,
                    "InvalidRequestContentException",
                    "Client context must be a valid Base64-encoded JSON object.",
                )
                return
        if self.config.validate_json and req.body:
            try:
                json.loads(req.body)
            except ValueError as exc:
                _reject_invoke(
                    req,
                    400,
                    "InvalidRequestContentException",
                    f"Could not parse request body into json: {exc}",
                )
                return
        if invocation_type == "DryRun":
            req.respond(204, b"", content_type=None)
            return
        assert self._loop is not None
        inv = _Invocation(
            request_id=_request_id(),
            payload=req.body,
            request=req if invocation_type == "RequestResponse" else None,
            client_context=client_context,
            cognito_identity=headers.get("x-native-lambda-cognito-identity"),
            trace_id=headers.get("x-amzn-trace-id"),
            tenant_id=headers.get("x-amz-tenant-id"),
            log_tail=headers.get("x-amz-log-type", "").lower() == "tail",
        )
        if inv.request is None:
            req.respond(202, b"", [("X-Amzn-RequestId", inv.request_id)], content_type=None)
        self._enqueue(inv)


class _TrackedConnection(HttpConnection):
    """A connection the service can close at shutdown (3.11's Server cannot)."""

    def __init__(
        self,
        handler: Callable[[Request], None],
        registry: set[_TrackedConnection],
        limit: Callable[[str, str], int],
    ) -> None:
        super().__init__(handler, limit)
        self._registry = registry
        registry.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._registry.discard(self)

    def close(self) -> None:
        """Close after what is already written (a SHUTDOWN event) has been sent."""
        transport = self._transport
        if transport is not None:
            transport.close()


_BARE_CR = re.compile(rb"\r(?!\n)")


def default_echo(data: bytes) -> None:
    """Echo to our stdout as raw bytes (text only when stdout has no buffer).

    Lambda's text-mode error lines separate traceback lines with ``\\r`` (one CloudWatch
    event per error); on a terminal a bare ``\\r`` would overwrite the error type with the
    traceback, so there it becomes a newline and an indent.
    """
    out = sys.stdout
    if b"\r" in data and _isatty(out):
        data = _BARE_CR.sub(b"\n  ", data)
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode("utf-8", "replace"))
        out.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


__all__ = ["LambdaService", "ServiceConfig", "default_echo"]
