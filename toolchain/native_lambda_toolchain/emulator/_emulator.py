"""``Emulator``: the service on a background event-loop thread, plus a blocking client.

Tests and benchmarks use it as a context manager; ``invoke`` makes a real HTTP request to
the invoke endpoint, exactly as curl or an AWS SDK pointed at the emulator would.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import os
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from ._client import InvokeClient
from ._config import ServiceConfig, max_concurrency
from ._output import default_echo
from ._records import Report, RuntimeApiRecord
from ._service import LambdaService
from ._stream_client import StreamResult, invoke_stream

DEFAULT_TIMEOUT_S = 300.0


class Headers(dict[str, str]):
    """A ``dict`` of response headers whose look-ups ignore case."""

    def __init__(self, items: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class InvokeResult:
    """The invoke endpoint's answer."""

    status: int
    headers: Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def function_error(self) -> str | None:
        """``Unhandled`` when the function (or runtime) failed, else None."""
        return self.headers.get("X-Amz-Function-Error")

    @property
    def request_id(self) -> str | None:
        return self.headers.get("X-Amzn-RequestId")

    @property
    def log_result(self) -> str | None:
        """The decoded ``X-Amz-Log-Result`` tail (asked for with ``log_tail=True``)."""
        raw = self.headers.get("X-Amz-Log-Result")
        return None if raw is None else base64.b64decode(raw).decode("utf-8", "replace")


class Emulator:
    """A local Lambda execution environment for one function.

    ``command`` is the runtime to spawn (``["./bootstrap"]``, ``["python", "-m",
    "native_lambda", "mod.fn"]``, a ``bwrap ...`` prefix...). With ``command=None`` only the
    server runs and an external runtime connects to :attr:`runtime_api` by itself.

    ``eager=True`` (default) spawns the runtime at start, so init runs before the first invoke
    (a warm environment; the first REPORT still carries Init Duration). ``eager=False`` spawns
    on the first invoke, like a cold start. After an init error, a crash or a timeout the
    runtime is spawned again for the next invoke, as Lambda replaces its sandbox.
    """

    def __init__(
        self,
        command: Sequence[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        function_name: str = "function",
        memory_mb: int = 128,
        timeout_s: float | None = None,
        cwd: str | None = None,
        echo: bool = False,
        eager: bool = True,
        region: str | None = None,
        inherit_env: bool = True,
        external_extensions: Sequence[str] = (),
        validate_json: bool = False,
    ) -> None:
        if isinstance(command, str):
            raise TypeError("command is a list of arguments, e.g. ['./bootstrap'], not a string")
        env = dict(env or {})
        if timeout_s is None:
            raw = env.get("AWS_LAMBDA_FUNCTION_TIMEOUT") or os.environ.get(
                "AWS_LAMBDA_FUNCTION_TIMEOUT"
            )
            timeout_s = float(raw) if raw else DEFAULT_TIMEOUT_S
        region = region or env.get("AWS_REGION") or "us-east-1"
        self.host = host
        self.port = port
        self.function_name = function_name
        self.memory_mb = memory_mb
        self.timeout_s = float(timeout_s)
        self.command = list(command) if command else None
        self._user_env = env
        self._inherit_env = inherit_env
        self._config = ServiceConfig(
            command=self.command,
            env={},
            cwd=cwd,
            function_name=function_name,
            memory_mb=memory_mb,
            timeout_s=self.timeout_s,
            region=region,
            eager=eager,
            handler=env.get("_HANDLER", ""),
            external_extensions=frozenset(external_extensions),
            validate_json=validate_json,
            echo=default_echo if echo else None,
            max_concurrency=max_concurrency(env),
        )
        self._service = LambdaService(self._config)
        self._service.on_report = self._on_report
        self._reported = threading.Condition()
        self._reported_ids: dict[str, None] = {}  # an ordered set
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._local = threading.local()
        self._clients: list[InvokeClient] = []
        self._stopped = False

    # addresses -------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL of the invoke endpoint, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{_client_host(self.host)}:{self.port}"

    @property
    def runtime_api(self) -> str:
        """``host:port`` a runtime uses as ``AWS_LAMBDA_RUNTIME_API``."""
        return f"{_client_host(self.host)}:{self.port}"

    def invoke_url(self, function_name: str = "function") -> str:
        return f"{self.url}/2015-03-31/functions/{function_name}/invocations"

    # lifecycle -------------------------------------------------------------------
    def start(self) -> Emulator:
        """Bind the port, start the loop thread and (if eager) spawn the runtime."""
        if self._thread is not None:
            return self
        loop = self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=_run_loop,
            args=(loop,),
            name=f"lambda-emulator:{self.function_name}",
            daemon=True,
        )
        self._thread.start()
        bind = asyncio.run_coroutine_threadsafe(self._bind(), loop)
        try:
            self.port = bind.result(30)
        except BaseException:
            self._shutdown_loop()
            raise
        return self

    async def _bind(self) -> int:
        # The child's environment names the port, so it is built once the port is bound.
        return await self._service.start(self.host, self.port, self.child_env)

    def child_env(self, port: int) -> dict[str, str]:
        """The environment a runtime process gets (Lambda's variables, then ``env``)."""
        base = (
            dict(os.environ)
            if self._inherit_env
            else {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        )
        name = self.function_name
        today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y/%m/%d")
        timeout = self.timeout_s
        lambda_env = {
            "AWS_LAMBDA_RUNTIME_API": f"{_client_host(self.host)}:{port}",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"{today}/[$LATEST]{uuid.uuid4().hex}",
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(timeout))
            if timeout == int(timeout)
            else str(timeout),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": self._config.region,
            "AWS_DEFAULT_REGION": self._config.region,
        }
        base.update(lambda_env)
        base.setdefault("LAMBDA_TASK_ROOT", self._config.cwd or os.getcwd())
        base.update(self._user_env)
        return base

    def stop(self) -> None:
        """Shut the runtime down (SIGTERM + 500 ms grace if an extension registered, else kill)."""
        if self._stopped or self._loop is None:
            return
        self._stopped = True
        for client in self._clients:
            client.close()
        try:
            asyncio.run_coroutine_threadsafe(self._service.stop(), self._loop).result(60)
        finally:
            self._shutdown_loop()

    def _shutdown_loop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(30)
        if not loop.is_running():
            loop.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_ready(self, timeout: float = 30.0) -> bool:
        """Block until the runtime finished init (True) or init failed (False).

        Spawns the runtime if it is not running yet (lazy mode, or after a crash).
        """
        assert self._loop is not None, "start() the emulator first"

        async def wait() -> bool:
            return await asyncio.wait_for(self._service.wait_ready_future(), timeout)

        return asyncio.run_coroutine_threadsafe(wait(), self._loop).result(timeout + 5)

    # invoking --------------------------------------------------------------------
    def invoke(
        self,
        payload: bytes | str = b"{}",
        *,
        client_context: Mapping[str, Any] | None = None,
        trace_id: str | None = None,
        log_tail: bool = False,
        timeout: float = 60,
        cognito_identity: Mapping[str, Any] | None = None,
        tenant_id: str | None = None,
        invocation_type: str = "RequestResponse",
        function_name: str = "function",
    ) -> InvokeResult:
        """POST to the invoke endpoint; one keep-alive connection per calling thread."""
        body = payload.encode() if isinstance(payload, str) else bytes(payload)
        headers = {"Content-Type": "application/json"}
        if client_context is not None:
            headers["X-Amz-Client-Context"] = base64.b64encode(
                json.dumps(client_context).encode()
            ).decode()
        if trace_id is not None:
            headers["X-Amzn-Trace-Id"] = trace_id
        if log_tail:
            headers["X-Amz-Log-Type"] = "Tail"
        if cognito_identity is not None:
            headers["X-Native-Lambda-Cognito-Identity"] = json.dumps(cognito_identity)
        if tenant_id is not None:
            headers["X-Amz-Tenant-Id"] = tenant_id
        if invocation_type != "RequestResponse":
            headers["X-Amz-Invocation-Type"] = invocation_type
        path = f"/2015-03-31/functions/{function_name}/invocations"
        result = self._post(path, body, headers, timeout)
        if result.status == 200 and result.request_id:
            self._wait_reported(result.request_id, 5.0)
        return result

    def invoke_stream(
        self,
        payload: bytes | str = b"{}",
        *,
        log_tail: bool = False,
        timeout: float = 60,
        function_name: str = "function",
        on_chunk: Callable[[bytes], None] | None = None,
    ) -> StreamResult:
        """InvokeWithResponseStream: chunks as they arrive, with their arrival times."""
        body = payload.encode() if isinstance(payload, str) else bytes(payload)
        headers = {"Content-Type": "application/json"}
        if log_tail:
            headers["X-Amz-Log-Type"] = "Tail"
        path = f"/2021-11-15/functions/{function_name}/response-streaming-invocations"
        host = _client_host(self.host).strip("[]")
        result = invoke_stream(host, self.port, path, body, headers, timeout, on_chunk)
        rid = result.headers.get("x-amzn-requestid")
        if result.status == 200 and rid:
            self._wait_reported(rid, 5.0)
        return result

    def _post(
        self, path: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> InvokeResult:
        client: InvokeClient | None = getattr(self._local, "client", None)
        if client is None:
            host = _client_host(self.host).strip("[]")
            client = self._local.client = InvokeClient(host, self.port)
            self._clients.append(client)
        try:
            status, pairs, data = client.post(path, body, headers, timeout)
        except BaseException:
            client.close()
            raise
        return InvokeResult(status, Headers(pairs), data)

    def _on_report(self, report: Report) -> None:
        with self._reported:
            ids = self._reported_ids
            ids[report.request_id] = None
            if len(ids) > 1024:  # ids nobody waits for (Event invocations): drop the oldest
                del ids[next(iter(ids))]
            self._reported.notify_all()

    def _wait_reported(self, request_id: str, timeout: float) -> None:
        """REPORT is written just after the answer leaves; make invoke() include it."""
        with self._reported:
            self._reported.wait_for(lambda: request_id in self._reported_ids, timeout)
            self._reported_ids.pop(request_id, None)

    # what happened ---------------------------------------------------------------
    def logs(self) -> str:
        """What runtime processes wrote to stdout and stderr (the newest 4 MiB)."""
        return self._service.output.decode("utf-8", "replace")

    def lambda_log(self) -> str:
        """The runtime's output interleaved with START/END/REPORT lines, as in CloudWatch."""
        return self._service.lambda_log.decode("utf-8", "replace")

    @property
    def records(self) -> list[RuntimeApiRecord]:
        """The Runtime/Extensions API requests the runtime made, in order (the newest
        ``HISTORY_ENTRIES``, and as many bodies as fit in ``HISTORY_BODY_BYTES``)."""
        return self._service.records.list()

    @property
    def process_exits(self) -> list[int]:
        """Exit codes of runtime processes that ended (negative: killed by that signal)."""
        return self._service.process_exits.list()

    @property
    def reports(self) -> list[Report]:
        """One per finished invocation (the newest ones), with the REPORT line's numbers."""
        return self._service.reports.list()

    @property
    def pid(self) -> int | None:
        """PID of the runtime process now running, if any."""
        sb = self._service._sandbox
        proc = sb.proc if sb is not None else None
        return proc.pid if proc is not None and proc.alive else None


def _client_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
