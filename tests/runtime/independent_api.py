"""An independent Runtime API server for the runtime's tests (stdlib ``http.server`` only).

Deliberately shares no code with the emulator: the error shapes the runtime posts are
checked against a second implementation of the API written from the AWS documentation.
It queues invocations, hands them out on ``GET /next``, answers oversize responses with
413 like Lambda, parks extension ``event/next`` calls, and records every request.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MAX_RESPONSE = 6291556
PREFIX = "/2018-06-01/runtime"
# The interpreter that runs the runtime under test: NATIVE_LAMBDA_TEST_PYTHON=python3.9
# checks the compiled-in code on the oldest Python it supports (AL2023's system Python).
PYTHON = os.environ.get("NATIVE_LAMBDA_TEST_PYTHON") or sys.executable


class _QuietServer(ThreadingHTTPServer):
    """A runtime killed mid-request resets its connection: expected, not worth a traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class Record:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    peer: tuple[str, int] = ("", 0)


@dataclass
class Outcome:
    """How one invocation ended: ``kind`` is "response" or "error"."""

    kind: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Invocation:
    request_id: str
    payload: bytes
    headers: dict[str, str | None]
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Outcome | None = None


class IndependentApi:
    """Context manager: a Runtime API on 127.0.0.1:<free port> plus the runtime under test."""

    def __init__(self, *, next_status: int = 200) -> None:
        self.records: list[Record] = []
        self.init_errors: list[Record] = []
        self.next_status = next_status
        self._pending: queue.Queue[_Invocation] = queue.Queue()
        self._by_id: dict[str, _Invocation] = {}
        self._lock = threading.Lock()
        self.extension_registered = threading.Event()
        self.extension_next = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Head and body go out as separate writes: without this, Nagle plus the
                # client's delayed ACK would add ~40 ms to every exchange.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                api._handle(self, "GET")

            def do_POST(self) -> None:
                api._handle(self, "POST")

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.address = f"127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> IndependentApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_runtime()
        self._server.shutdown()
        self._server.server_close()

    def start_runtime(
        self,
        handler: str | None,
        *,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
        tmp_path: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        """``python -m native_lambda HANDLER`` with the Lambda environment, output to a file."""
        full_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "_X_AMZN", "_HANDLER", "_LAMBDA"))
        }
        full_env.update(
            {
                "AWS_LAMBDA_RUNTIME_API": self.address,
                "AWS_LAMBDA_FUNCTION_NAME": "greeter",
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
                "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/greeter",
                "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]abc",
                "PYTHONPATH": str(ROOT / "src"),
            }
        )
        full_env.update(env or {})
        log_dir = tmp_path or Path(os.environ.get("TMPDIR", "/tmp"))
        self._log_path = log_dir / f"runtime-{uuid.uuid4().hex[:8]}.log"
        command = [PYTHON, "-m", "native_lambda"] + ([handler] if handler else [])
        with open(self._log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, env=full_env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT
            )
        return self.process

    def stop_runtime(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def wait_for(self, predicate: Any, timeout: float = 10) -> None:
        """Wait until ``predicate(records)`` holds (the runtime works asynchronously to us)."""
        deadline = time.monotonic() + timeout
        while not predicate(self.records):
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met; runtime log:\n{self.logs()}")
            time.sleep(0.01)

    def logs(self) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        # Bytes, not read_text(): universal newlines would turn the records' \r into \n.
        return self._log_path.read_bytes().decode("utf-8", "replace")

    # -- invocations -------------------------------------------------------------------
    def invoke(
        self,
        payload: bytes | str | Any,
        *,
        headers: dict[str, str | None] | None = None,
        timeout: float = 30,
    ) -> Outcome:
        """Queue one invocation and wait for the runtime's response or error."""
        if not isinstance(payload, (bytes, str)):
            payload = json.dumps(payload)
        if isinstance(payload, str):
            payload = payload.encode()
        request_id = str(uuid.uuid4())
        invocation = _Invocation(request_id, payload, headers or {})
        with self._lock:
            self._by_id[request_id] = invocation
        self._pending.put(invocation)
        if not invocation.done.wait(timeout):
            raise TimeoutError(f"no answer for {request_id}; runtime log:\n{self.logs()}")
        assert invocation.outcome is not None
        invocation.outcome.headers["request-id"] = request_id
        return invocation.outcome

    # -- HTTP --------------------------------------------------------------------------
    def _handle(self, http: BaseHTTPRequestHandler, method: str) -> None:
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in http.headers.items()}
        record = Record(method, http.path, headers, body, http.client_address[:2])
        with self._lock:
            self.records.append(record)
        path = http.path
        if method == "GET" and path == f"{PREFIX}/invocation/next":
            self._next(http)
        elif method == "POST" and path == f"{PREFIX}/init/error":
            self.init_errors.append(record)
            self._send(http, 202, {"status": "OK"})
        elif method == "POST" and path.startswith(f"{PREFIX}/invocation/"):
            request_id, _, kind = path[len(f"{PREFIX}/invocation/") :].partition("/")
            self._finish(http, request_id, kind, body, headers)
        elif method == "POST" and path == "/2020-01-01/extension/register":
            self.extension_registered.set()
            self._send(http, 200, {}, {"Lambda-Extension-Identifier": str(uuid.uuid4())})
        elif method == "GET" and path == "/2020-01-01/extension/event/next":
            self.extension_next.set()
            time.sleep(3600)  # parked until shutdown, like Lambda before SHUTDOWN
        else:
            self._send(http, 404, {"errorMessage": f"unknown path {path}"})

    def _next(self, http: BaseHTTPRequestHandler) -> None:
        if self.next_status != 200:
            self._send(http, self.next_status, {"errorMessage": "injected", "errorType": "X"})
            return
        invocation = self._pending.get()
        deadline = int(time.time() * 1000) + 300_000
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline),
            "Lambda-Runtime-Invoked-Function-Arn": (
                "arn:aws:lambda:us-east-1:123456789012:function:greeter"
            ),
            "Content-Type": "application/json",
        }
        headers.update(invocation.headers)
        http.send_response(200)
        for name, value in headers.items():
            if value is not None:  # None leaves a default header out
                http.send_header(name, value)
        http.send_header("Content-Length", str(len(invocation.payload)))
        http.end_headers()
        http.wfile.write(invocation.payload)

    def _finish(
        self,
        http: BaseHTTPRequestHandler,
        request_id: str,
        kind: str,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        with self._lock:
            invocation = self._by_id.get(request_id)
        if invocation is None or invocation.done.is_set():
            self._send(http, 400, {"errorMessage": "invalid request id", "errorType": "X"})
            return
        if kind == "response" and len(body) > MAX_RESPONSE:
            self._send(
                http,
                413,
                {
                    "errorMessage": f"Exceeded maximum allowed payload size ({MAX_RESPONSE}"
                    " bytes).",
                    "errorType": "RequestEntityTooLarge",
                },
            )
            return
        if kind not in ("response", "error"):
            self._send(http, 404, {"errorMessage": f"unknown {kind}"})
            return
        invocation.outcome = Outcome(kind, body, headers)
        self._send(http, 202, {"status": "OK"})
        invocation.done.set()

    @staticmethod
    def _send(
        http: BaseHTTPRequestHandler,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            http.send_header(name, value)
        http.end_headers()
        http.wfile.write(data)
