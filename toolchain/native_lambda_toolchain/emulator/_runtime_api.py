"""The Runtime API (2018-06-01): ``/next``, ``/response``, ``/error`` and ``/init/error``."""

from __future__ import annotations

import json

from . import _errors as err
from . import _streamed
from ._config import ACCEPTED, header_error_type
from ._http import Request
from ._limits import MAX_RESPONSE_BYTES, MAX_STREAMED_RESPONSE_BYTES
from ._sandbox import Invocation, Outcome, Sandbox
from ._scheduler import Scheduler
from ._state import State, next_state


class RuntimeApi(Scheduler):
    """The runtime's side of an invocation; states move only as ``_state`` allows."""

    def _external_sandbox(self) -> Sandbox | None:
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
        if sb.concurrency > 1:
            self._concurrent_next(sb, req)
            return
        state = sb.state
        target = next_state(state, "next")
        parked = sb.next_request is not None and not sb.next_request.closed
        if target is None or (state is State.READY and parked):
            status, body = err.invalid_state(state.value, "Ready")
            req.respond(status, body)
            return
        if state is State.STARTED:
            sb.runtime_called_next = True
            sb.registration_open = False
        elif state is State.RESPONSE_SENT:
            sb.current = None
        # READY → READY: the runtime re-polls after its connection dropped.
        sb.state = target
        sb.next_request = req
        self._check_init_done(sb)
        sb.notify()
        self._pump()

    def _concurrent_next(self, sb: Sandbox, req: Request) -> None:
        """Managed Instances: every worker parks its own poll; up to N at once."""
        if sb.state is State.STARTED:
            sb.runtime_called_next = True
            sb.registration_open = False
        elif sb.state is State.INIT_ERROR or len(sb.polls) >= sb.concurrency:
            status, body = err.invalid_state(sb.state.value, "Ready")
            req.respond(status, body)
            return
        sb.state = State.READY
        sb.polls.append(req)
        self._check_init_done(sb)
        sb.notify()
        self._pump()

    def _check_init_done(self, sb: Sandbox) -> None:
        if sb.init_settled or not sb.runtime_called_next:
            return
        if all(e.called_next for e in sb.extensions.values()):
            sb.init_done_at = sb.loop.time()

    def _current_invocation(
        self, req: Request, request_id: str, target: str
    ) -> tuple[Sandbox, Invocation] | None:
        sb = self._sandbox
        if sb is not None and sb.concurrency > 1 and not sb.dead:
            found = sb.running.get(request_id)
            if found is None:
                req.respond(*err.invalid_request_id())
                return None
            return sb, found
        if (
            sb is None
            or sb.dead
            or not request_id
            or request_id != sb.current_id
            or sb.current is None
        ):
            req.respond(*err.invalid_request_id())
            return None
        if next_state(sb.state, "response") is None:
            req.respond(*err.invalid_state(sb.state.value, target))
            return None
        return sb, sb.current

    def _runtime_response(self, req: Request, request_id: str) -> None:
        found = self._current_invocation(req, request_id, "InvocationResponse")
        if found is None:
            return
        sb, inv = found
        if req.on_end is None and _streamed.is_streaming(req.headers) and not req.body:
            self._stream_response(req, sb, inv)
            return
        sb.state = State.RESPONSE_SENT
        size = req.oversize or len(req.body)
        if size > MAX_RESPONSE_BYTES:
            req.respond(*err.response_too_large())
            self._finish(
                sb,
                inv,
                Outcome("too_large", error_type="Function.ResponseSizeTooLarge", size=size),
            )
            return
        content_type = req.headers.get("content-type") or "application/json"
        req.respond(202, ACCEPTED)  # first: the runtime's next /next is on the critical path
        self._finish(sb, inv, Outcome("response", req.body, content_type=content_type))

    def _stream_response(self, req: Request, sb: Sandbox, inv: Invocation) -> None:
        """A chunked, streamed ``/response``: each chunk goes on as it arrives; the end (or
        the 200 MiB limit) finishes the invocation."""
        inv.streamed = True
        version = self.config.version
        content_type = req.headers.get("content-type") or "application/octet-stream"

        def chunk(data: bytes) -> None:
            _streamed.on_chunk(inv, data, version)
            caller = inv.request
            if inv.stream and caller is not None and caller.when_drained(req.release):
                req.hold()  # backpressure: the caller reads slower than the runtime writes

        def end(trailers: dict[str, str], oversize: int) -> None:
            self._mark_responded(sb, inv)
            if oversize > 0:
                req.respond(*err.response_too_large(MAX_STREAMED_RESPONSE_BYTES))
                outcome = Outcome(
                    "too_large",
                    error_type="Function.ResponseSizeTooLarge",
                    size=oversize,
                    detail=str(MAX_STREAMED_RESPONSE_BYTES),
                )
            elif oversize < 0:  # malformed body: the connection is already answered
                outcome = Outcome("error", b"", "Runtime.TruncatedResponse")
            else:
                req.respond(202, ACCEPTED)
                outcome = _streamed.stream_outcome(inv, trailers, content_type)
            self._finish(sb, inv, outcome)

        req.on_chunk = chunk
        req.on_end = end

    def _mark_responded(self, sb: Sandbox, inv: Invocation) -> None:
        if sb.current is inv:
            sb.state = State.RESPONSE_SENT

    def _runtime_error(self, req: Request, request_id: str) -> None:
        found = self._current_invocation(req, request_id, "InvocationErrorResponse")
        if found is None:
            return
        sb, inv = found
        sb.state = State.RESPONSE_SENT
        error_type = header_error_type(req.headers.get("lambda-runtime-function-error-type"))
        content_type = req.headers.get("content-type") or "application/json"
        req.respond(202, ACCEPTED)
        self._finish(sb, inv, Outcome("error", req.body, error_type, content_type))

    def _runtime_init_error(self, req: Request) -> None:
        sb = self._external_sandbox()
        target = next_state(sb.state, "init_error") if sb is not None else None
        if sb is None or sb.dead or target is None:
            req.respond(*err.invalid_state(sb.state.value if sb else "Unknown", "InitError"))
            return
        sb.state = target
        error_type = header_error_type(req.headers.get("lambda-runtime-function-error-type"))
        try:
            json.loads(req.body)
            content_type = "application/json"
        except ValueError:
            content_type = "application/octet-stream"
        sb.init_failure = Outcome("init", req.body, error_type, content_type)
        sb.init_failed_at = sb.loop.time()
        self._init_report_error(sb, error_type)
        req.respond(202, ACCEPTED)
        sb.notify()
