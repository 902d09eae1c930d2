"""Queueing, dispatch and timeouts: one invocation at a time, as one execution environment.

Invocations wait in a FIFO and are handed out one at a time. Whatever ends an invocation —
a response, an error, a process exit, a timeout — goes through :meth:`Scheduler._finish`,
which answers the caller and prints END/REPORT.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import traceback
from collections.abc import Coroutine
from typing import Any

from . import _errors as err
from . import _streamed
from ._limits import MAX_RESPONSE_BYTES
from ._process import RuntimeProcess
from ._reports import Reporting
from ._request import Request
from ._sandbox import Invocation, Outcome, Sandbox
from ._state import State

INIT_LOG_LIMIT = 64 * 1024


class Scheduler(Reporting):
    """Spawns sandboxes, hands out invocations and ends them."""

    def _new_sandbox(self) -> Sandbox:
        assert self._loop is not None
        sb = Sandbox(self._loop, self.config.max_concurrency)
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
            sb.init_failure = Outcome(
                "entrypoint", error_type="Runtime.InvalidEntrypoint", detail=detail
            )
            sb.init_failed_at = self._loop.time()
            sb.exited = True
            self._init_report_error(sb, "Runtime.InvalidEntrypoint")
        return sb

    def _on_output(self, sb: Sandbox, data: bytes) -> None:
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

    def _on_exit(self, sb: Sandbox, returncode: int, maxrss_kb: int) -> None:
        sb.exited = True
        sb.returncode = returncode
        sb.maxrss_kb = max(sb.maxrss_kb, maxrss_kb)
        self.process_exits.append(returncode)
        for other in list(sb.running.values()):
            if other is not sb.current and not other.finished:  # Managed Instances
                self._finish(
                    sb,
                    other,
                    Outcome("exit", error_type="Runtime.ExitError", returncode=returncode),
                )
        inv = sb.current
        if inv is not None and not inv.finished:
            sb.dead = True
            if sb.timed_out:
                outcome = Outcome("timeout", error_type="Sandbox.Timedout")
            else:
                outcome = Outcome("exit", error_type="Runtime.ExitError", returncode=returncode)
            self._finish(sb, inv, outcome)
        elif not sb.init_settled:
            sb.init_failure = Outcome("exit", error_type="Runtime.ExitError", returncode=returncode)
            sb.init_failed_at = sb.loop.time()
            self._init_report_error(sb, "Runtime.ExitError")
        elif sb.init_failure is None:
            sb.dead = True
        if sb.proc is not None:
            sb.proc.close()
        sb.notify()
        self._pump()

    # handing out invocations -----------------------------------------------------
    # Hot path: _pump() delivers synchronously from whichever callback made delivery possible
    # (an invoke arrived, the runtime called /next), so a warm round trip costs no extra loop
    # iteration. Everything slow (spawning, waiting for init, reporting an init failure)
    # runs in one coroutine at a time, _slow(). ``_busy`` is True while an invocation is out.
    def _enqueue(self, inv: Invocation) -> None:
        self._queue.append(inv)
        self._pump()

    def _pump(self) -> None:
        while True:
            before = len(self._queue)
            self._pump_one()
            if len(self._queue) in (0, before) or self._busy:
                return

    def _pump_one(self) -> None:
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

    def _on_stuck(self, sb: Sandbox) -> None:
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

    async def _slow(self, inv: Invocation) -> None:
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

    async def _run(self, inv: Invocation) -> None:
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

    async def _fail_init(self, sb: Sandbox, inv: Invocation) -> None:
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

    async def _timeout_before_delivery(self, sb: Sandbox, inv: Invocation) -> None:
        """The runtime never became ready within the function timeout: treat as a timeout."""
        inv.started_at = sb.loop.time() - self.config.timeout_s
        sb.current = inv
        self._platform_line(
            f"START RequestId: {inv.request_id} Version: {self.config.version}", inv
        )
        self._on_timeout(sb, inv)

    def _deliver(self, sb: Sandbox, inv: Invocation) -> None:
        request: Request | None
        if sb.concurrency > 1:
            request = sb.polls.popleft()
            sb.running[inv.request_id] = inv
        else:
            request = sb.next_request
            sb.next_request = None
        assert request is not None
        sb.state = State.RUNNING
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
                    ext.send(data)

    def _on_timeout(self, sb: Sandbox, inv: Invocation) -> None:
        if inv.finished:
            return
        sb.timed_out = True
        if sb.proc is not None and sb.proc.alive:
            sb.maxrss_kb = max(sb.maxrss_kb, sb.proc.max_rss_kb())
            sb.proc.kill()  # _on_exit finishes the invocation once the process is reaped
        else:
            sb.dead = True
            self._finish(sb, inv, Outcome("timeout", error_type="Sandbox.Timedout"))

    def _finish(self, sb: Sandbox, inv: Invocation, outcome: Outcome) -> None:
        """End ``inv``: answer the caller, then log END/REPORT (before answering for a log tail)."""
        if inv.finished:
            return
        sb.running.pop(inv.request_id, None)
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
            limit = int(outcome.detail) if outcome.detail.isdigit() else None
            body = err.function_response_too_large(outcome.size, limit or MAX_RESPONSE_BYTES)
        if inv.log_tail:
            self._report(sb, inv, outcome, ended_at)
        if inv.request is not None and inv.stream:
            tail = base64.b64encode(bytes(inv.log[-4096:])).decode() if inv.log_tail else ""
            _streamed.complete(inv, outcome, body, cfg.version, tail)
        elif inv.request is not None:
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
