"""One runtime process against the bench server: spawn, init, invocations, peak RSS.

Clock points (all ``perf_counter_ns`` in this process, taken by the server thread):
``spawn`` just before ``Popen`` (which returns once ``exec`` succeeded); ``next[i]`` when
the runtime's i-th ``GET /invocation/next`` has been read; ``answered[i]`` when the i-th
response body has been read. Derived:

* init = next[0] - spawn (Lambda's Init phase for a custom runtime);
* first invocation = answered[0] - next[0] (event handed out -> response in);
* round trip i = next[i+1] - next[i]: one full turn of the runtime loop for event i
  (receive, decode, handle, encode, POST, read the 202, ask again). The server's own
  per-turn work is in there too; the C floor's round trip bounds it from above.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.bench.runtimes import Runtime, base_env
from scripts.bench.server import BenchServer, Invocation, Outcome


class SessionError(RuntimeError):
    """The runtime failed (crashed, answered with an error or wrong bytes)."""


@dataclass
class SessionResult:
    init_ms: float = 0.0
    init_cpu_ms: float = 0.0  # CPU time the runtime process used until its first GET /next
    first_ms: float = 0.0
    round_trips_us: dict[str, list[float]] = field(default_factory=dict)  # group -> samples
    rss_kb: dict[str, int] = field(default_factory=dict)  # "init", after group name
    #: at the first GET /next: proportional set size (kB; shared pages divided among their
    #: users, so a library mapped by several processes is not counted whole) and page faults
    pss_init_kb: int = 0
    minflt_init: int = 0
    majflt_init: int = 0


def cpu_ns(pid: int) -> int:
    """CPU time of all threads of ``pid`` so far, in ns (``/proc/<pid>/task/*/schedstat``).

    On a shared, loaded machine wall time mostly measures the neighbours; on-CPU time is
    what the runtime itself spent (children such as curl are not included).
    """
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total += int(f.read().split()[0])
    return total


def pss_kb(pid: int) -> int:
    """Proportional set size of ``pid`` in kB (``/proc/<pid>/smaps_rollup``)."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def page_faults(pid: int) -> tuple[int, int]:
    """(minor, major) page faults of ``pid`` so far (``/proc/<pid>/stat`` fields 10 and 12)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[7]), int(fields[9])


def _vm_hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _same_json(a: bytes | bytearray, b: bytes) -> bool:
    if a == b:
        return True
    import json

    return bool(json.loads(a) == json.loads(b))


class Session:
    """Context manager around one runtime process and its own server; groups run in order.

    A fresh server (new port) per process: a killed runtime's stray connection (an orphaned
    curl of the shell bootstrap, say, still in the listen backlog) can never take the next
    runtime's event. The process runs in its own process group, killed as a whole.
    """

    def __init__(self, runtime: Runtime, log_dir: Path) -> None:
        self.server = BenchServer()
        self.runtime = runtime
        self.log_path = log_dir / f"{runtime.name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.count = 0
        self.result = SessionResult()
        self._pid = 0
        self._init_cpu_ns = 0
        self._init_mem = (0, 0, 0)
        self.server.on_first_next = self._sample_init

    def start(self, first_event: bytes) -> None:
        """Queue the first event, spawn, and time init and the first invocation."""
        env = base_env(self.server.address, self.runtime.cwd)
        env.update(self.runtime.env)
        self.server.push(Invocation(self._rid(), first_event))
        with open(self.log_path, "ab") as log:
            spawn = time.perf_counter_ns()
            self.proc = subprocess.Popen(
                self.runtime.command,
                cwd=self.runtime.cwd,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            self._pid = self.proc.pid
        try:
            first_next = self.server.wait_first_next(timeout=60)
        except TimeoutError:
            raise SessionError(
                f"{self.runtime.name}: no GET /next in 60 s; {self._tail()}"
            ) from None
        out = self._take()
        self._check(out, first_event)
        self.result.init_ms = (first_next - spawn) / 1e6
        self.result.init_cpu_ms = self._init_cpu_ns / 1e6
        self.result.pss_init_kb, self.result.minflt_init, self.result.majflt_init = self._init_mem
        self.result.first_ms = (out.answered_ns - first_next) / 1e6
        self.result.rss_kb["init"] = _vm_hwm_kb(self.proc.pid)

    def run_group(self, name: str, event: bytes, count: int, check_every: int = 100) -> None:
        """``count`` invocations of ``event``; keeps round trips of all but the last one."""
        start = self.count
        for _ in range(count):
            self.server.push(Invocation(self._rid(), event))
        for i in range(count):
            out = self._take()
            if i % check_every == 0 or i == count - 1:
                self._check(out, event)
            elif out.kind != "response":
                raise SessionError(f"{self.runtime.name}: error response {bytes(out.body[:300])!r}")
        nexts = self.server.timeline.next_requests_ns
        # event k (0-based over the session) was handed out at nexts[k]; the first event is k=0
        samples = [(nexts[k + 1] - nexts[k]) / 1e3 for k in range(start, start + count - 1)]
        self.result.round_trips_us.setdefault(name, []).extend(samples)
        assert self.proc is not None
        self.result.rss_kb[name] = _vm_hwm_kb(self.proc.pid)

    def stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.server.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers ------------------------------------------------------------------------
    def _sample_init(self) -> None:
        deadline = time.monotonic() + 2.0
        while not self._pid and time.monotonic() < deadline:  # Popen may not have returned
            time.sleep(0.0002)
        if self._pid:
            with contextlib.suppress(OSError):
                self._init_cpu_ns = cpu_ns(self._pid)
            with contextlib.suppress(OSError):
                self._init_mem = (pss_kb(self._pid), *page_faults(self._pid))

    def _rid(self) -> str:
        rid = f"{self.count:08d}-0000-4000-8000-bench"
        self.count += 1
        return rid

    def _take(self) -> Outcome:
        try:
            return self.server.take(timeout=60)
        except Exception:
            raise SessionError(
                f"{self.runtime.name}: no response in 60 s; {self._tail()}"
            ) from None

    def _check(self, out: Outcome, event: bytes) -> None:
        if out.kind != "response" or not _same_json(out.body, event):
            raise SessionError(
                f"{self.runtime.name}: bad answer ({out.kind}): {bytes(out.body[:300])!r}; "
                f"{self._tail()}"
            )

    def _tail(self) -> str:
        code = self.proc.poll() if self.proc else None
        try:
            text = self.log_path.read_text(errors="replace")[-1500:]
        except OSError:
            text = ""
        return f"exit code {code}; log tail:\n{text}"


def bare_start(python: str) -> tuple[float, float]:
    """(wall ms, CPU ms) of ``python -S -I -c pass``: the stretch target's reference."""
    t0 = time.perf_counter_ns()
    proc = subprocess.Popen([python, "-S", "-I", "-c", "pass"], env={})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter_ns() - t0) / 1e6
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, (usage.ru_utime + usage.ru_stime) * 1e3


def rss_of_bare(python: str) -> int:
    """Peak RSS (kB) of the bare interpreter start (VmHWM read at its very end)."""
    code = "print(open('/proc/self/status').read())"
    out = subprocess.run([python, "-S", "-I", "-c", code], check=True, env={}, capture_output=True)
    for line in out.stdout.decode().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
