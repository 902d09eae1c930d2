"""Lambda Managed Instances: ``AWS_LAMBDA_MAX_CONCURRENCY`` invocations at once, by pre-fork.

Init runs once; then the process forks N workers, each with its own Runtime API connection
and its own ``/next`` long-poll. Pages written at init (imported modules, the handler's
clients) stay shared copy-on-write, so each extra worker costs a fraction of a full init.
Per-process state (``_X_AMZN_TRACE_ID``, the log formatter's requestId, module globals) is
per worker, so it stays right per invocation. ``/tmp`` is one directory for all workers.

The parent only supervises: each worker tells it, over a pipe, which request it is serving
(one short write per invocation start and end). When a worker dies, the parent reports that
one invocation as ``Runtime.ExitError`` and forks a replacement; the others keep serving.
SIGTERM is forwarded to every worker, whose shutdown hooks run once each.

Imported only when the variable asks for more than one worker: one process otherwise.
"""

from __future__ import annotations

import os
import select
import signal
import sys
from typing import Any, Callable, Dict, NoReturn

from . import _shutdown
from ._client import RuntimeApi, RuntimeApiError
from ._errors import Diagnostic

MAX_CONCURRENCY_ENV = "AWS_LAMBDA_MAX_CONCURRENCY"
EXIT_ERROR = "Runtime.ExitError"


def wanted() -> int:
    """The number of workers the environment asks for (1: no workers)."""
    raw = os.environ.get(MAX_CONCURRENCY_ENV, "")
    return int(raw) if raw.isdigit() and int(raw) > 1 else 1


class Supervisor:
    """Forks and replaces workers; never serves an invocation itself."""

    def __init__(self, address: str, count: int, work: Callable[[int], NoReturn]) -> None:
        self.address = address
        self.count = count
        self.work = work
        self.by_fd: Dict[int, int] = {}  # pipe read end -> worker pid
        self.serving: Dict[int, str] = {}  # worker pid -> request id ("" when idle)
        self.partial: Dict[int, bytes] = {}
        self._api: Any = None

    def run(self) -> NoReturn:
        signal.signal(signal.SIGTERM, self._on_sigterm)
        for _ in range(self.count):
            self.spawn()
        while True:
            try:
                ready, _, _ = select.select(list(self.by_fd), [], [])
            except InterruptedError:  # pragma: no cover (PEP 475 retries)
                continue
            for fd in ready:
                self._read(fd)

    def spawn(self) -> None:
        read_fd, write_fd = os.pipe()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            for fd in self.by_fd:
                os.close(fd)
            signal.signal(signal.SIGTERM, _shutdown.sigterm_handler())
            try:
                self.work(write_fd)
            finally:
                os._exit(70)
        os.close(write_fd)
        self.by_fd[read_fd] = pid
        self.serving[pid] = ""

    def _read(self, fd: int) -> None:
        pid = self.by_fd[fd]
        data = os.read(fd, 4096)
        if data:
            lines = (self.partial.pop(pid, b"") + data).split(b"\n")
            if lines[-1]:
                self.partial[pid] = lines[-1]
            done = [line for line in lines[:-1] if line]
            if done:
                last = done[-1].decode("latin-1")
                self.serving[pid] = "" if last == "-" else last
            return
        # EOF: the worker is gone.
        os.close(fd)
        del self.by_fd[fd]
        request_id = self.serving.pop(pid, "")
        self.partial.pop(pid, None)
        _, status = os.waitpid(pid, 0)
        if request_id:
            self._report_exit(request_id, status)
        self.spawn()

    def _report_exit(self, request_id: str, status: int) -> None:
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            reason = f"signal: {signal.Signals(number).name.lower()[3:]}"
        else:
            reason = f"exit status {os.WEXITSTATUS(status)}"
        message = f"RequestId: {request_id} Error: Runtime exited with error: {reason}"
        sys.stderr.write(f"native_lambda: worker serving {request_id} died ({reason})\n")
        error = Diagnostic(message, EXIT_ERROR, request_id)
        try:
            if self._api is None:
                self._api = RuntimeApi(self.address)
            self._api.error(request_id, error.encode(), EXIT_ERROR)
        except RuntimeApiError as exc:
            sys.stderr.write(f"native_lambda: cannot report the worker's exit: {exc}\n")

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        for pid in list(self.serving):
            try:  # noqa: SIM105 (no contextlib import in the runtime)
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in list(self.serving):
            try:  # noqa: SIM105
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(0)
