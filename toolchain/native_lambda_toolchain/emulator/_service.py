"""The emulated Lambda service: Runtime API, Extensions API and the Invoke endpoint on one port.

The layers (``_core`` → ``_reports`` → ``_scheduler`` → ``_runtime_api`` →
``_extensions_api`` → ``_invoke_api``) each add one job; this module adds the HTTP
dispatch and the lifecycle: bind, spawn, and Lambda's Shutdown phase.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
from collections.abc import Callable

from . import _errors as err
from ._config import (
    EXTENSION_PREFIX,
    INVOKE_PREFIX,
    RUNTIME_PREFIX,
    STREAM_INVOKE_PREFIX,
    STREAM_INVOKE_SUFFIX,
    ServiceConfig,
)
from ._http import HttpConnection, Request
from ._invoke_api import InvokeApi, body_limit, handles_oversize, streamed_body
from ._output import default_echo
from ._records import RuntimeApiRecord
from ._sandbox import Sandbox


class LambdaService(InvokeApi):
    """Serves the APIs and runs the runtime; lives entirely on one event loop."""

    def __init__(self, config: ServiceConfig) -> None:
        super().__init__(config)
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

    async def _shut_down_with_extensions(self, sb: Sandbox) -> None:
        """Lambda's Shutdown phase: SHUTDOWN events, SIGTERM, a grace period, then SIGKILL."""
        external = any(e.name in self.config.external_extensions for e in sb.extensions.values())
        grace = 2.0 if external else 0.5
        deadline_ms = int((time.time() + grace) * 1000)
        event = json.dumps(
            {"eventType": "SHUTDOWN", "shutdownReason": "spindown", "deadlineMs": deadline_ms}
        ).encode()
        for ext in sb.extensions.values():
            if "SHUTDOWN" in ext.events:
                ext.send(event)
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
        if req.oversize and not handles_oversize(req):
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
        streamed = path.startswith(STREAM_INVOKE_PREFIX) and path.endswith(STREAM_INVOKE_SUFFIX)
        if streamed or (path.startswith(INVOKE_PREFIX) and path.endswith("/invocations")):
            if req.method == "POST":
                self._invoke(req, streamed)
            else:
                req.respond(405, err.error_json("MethodNotAllowed", "Use POST"))
            return
        if is_api:
            req.respond(404, b"404 page not found\n", content_type="text/plain; charset=utf-8")
            return
        body = json.dumps({"Type": "User", "message": f"Unknown path {path}"}).encode()
        req.respond(404, body, [("X-Amzn-ErrorType", "UnknownOperationException")])


class _TrackedConnection(HttpConnection):
    """A connection the service can close at shutdown (3.11's Server cannot)."""

    def __init__(
        self,
        handler: Callable[[Request], None],
        registry: set[HttpConnection],
        limit: Callable[[str, str], int],
    ) -> None:
        super().__init__(handler, limit, streamed_body)
        self._registry = registry
        registry.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._registry.discard(self)


__all__ = ["LambdaService", "ServiceConfig", "default_echo"]
