"""The runtime process: spawned in its own session, output through one pipe, exit via pidfd.

Everything is driven by event-loop readers (the pipe and a pidfd), so the emulator needs no
watcher threads, and at the end of an invocation it can drain the pipe synchronously: output
the runtime wrote before posting its response is then always attributed to that invocation.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_LIVE: weakref.WeakSet[RuntimeProcess] = weakref.WeakSet()

# The runtime gets its own process group, so one signal reaches everything it started, but
# stays in our session: same session, same scheduler autogroup, so it competes for the CPU
# as our own threads do (a new session would be scheduled as a separate group).
# Popen(process_group=0) needs Python 3.11; setpgrp in the child is the same on 3.9.
_OWN_GROUP: dict[str, Any] = (
    {"process_group": 0} if sys.version_info >= (3, 11) else {"preexec_fn": os.setpgrp}
)


@atexit.register
def _kill_leftovers() -> None:
    """Never leave a runtime behind when the emulator's interpreter exits without stop()."""
    for proc in list(_LIVE):
        if proc.alive:
            proc.kill()


class RuntimeProcess:
    """A spawned runtime; ``on_output`` and ``on_exit(returncode, maxrss_kb)`` run on the loop."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        cwd: str | None,
        loop: asyncio.AbstractEventLoop,
        on_output: Callable[[bytes], None],
        on_exit: Callable[[int, int], None],
    ) -> None:
        self._loop = loop
        self._on_output = on_output
        self._on_exit = on_exit
        read_fd, write_fd = os.pipe()
        try:
            self.popen = subprocess.Popen(
                list(argv),
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                close_fds=True,
                **_OWN_GROUP,
            )
        except BaseException:
            os.close(read_fd)
            os.close(write_fd)
            raise
        os.close(write_fd)
        self.pid = self.popen.pid
        self.returncode: int | None = None
        _LIVE.add(self)
        self._out_fd: int | None = read_fd
        self._status_fd: int | None = None
        self._children_fd: int | None = None
        self._has_children = True
        self._children_checked = False
        os.set_blocking(read_fd, False)
        loop.add_reader(read_fd, self.drain)
        self._pidfd: int | None = None
        try:
            self._pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            threading.Thread(target=self._wait_in_thread, daemon=True).start()
        else:
            loop.add_reader(self._pidfd, self._reap)

    @property
    def alive(self) -> bool:
        return self.returncode is None

    def drain(self) -> None:
        """Read everything the pipe holds now (non-blocking); close it at EOF."""
        fd = self._out_fd
        while fd is not None:
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._loop.remove_reader(fd)
                os.close(fd)
                self._out_fd = fd = None
                return
            self._on_output(data)

    def signal_group(self, sig: int) -> None:
        """Signal the whole process group (the runtime and anything it started)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.signal_group(signal.SIGKILL)

    def max_rss_kb(self) -> int:
        """Peak resident memory (VmHWM) of the runtime and its descendants, in KiB.

        Called after every invocation, so the runtime's own /proc files stay open and are
        re-read with pread (one syscall each).
        """
        if self._status_fd is None:
            try:
                self._status_fd = os.open(f"/proc/{self.pid}/status", os.O_RDONLY)
                self._children_fd = os.open(
                    f"/proc/{self.pid}/task/{self.pid}/children", os.O_RDONLY
                )
            except OSError:
                return 0
        total = _vm_hwm(self._status_fd)
        if not self._has_children:
            return total
        pending = _children(self._children_fd)
        if not pending and self._children_checked:
            self._has_children = False  # a plain runtime: stop looking (one syscall less)
        self._children_checked = True
        seen = 0
        while pending and seen < 64:  # wrappers (bwrap, sh -c): count what they started
            pid = pending.pop()
            seen += 1
            try:
                fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
                try:
                    total += _vm_hwm(fd)
                finally:
                    os.close(fd)
                fd = os.open(f"/proc/{pid}/task/{pid}/children", os.O_RDONLY)
                try:
                    pending.extend(_children(fd))
                finally:
                    os.close(fd)
            except OSError:
                continue
        return total

    def close(self) -> None:
        """Stop watching (after exit): drop the pipe, the pidfd and the /proc files."""
        self.drain()
        for fd in (self._status_fd, self._children_fd):
            if fd is not None:
                os.close(fd)
        self._status_fd = self._children_fd = None
        if self._out_fd is not None:
            self._loop.remove_reader(self._out_fd)
            os.close(self._out_fd)
            self._out_fd = None
        if self._pidfd is not None:
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None

    # exit ------------------------------------------------------------------------
    def _reap(self) -> None:
        try:
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status, usage = self.pid, 0, None
        if pid == 0:
            return
        if self._pidfd is not None:
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None
        self._exited(os.waitstatus_to_exitcode(status), usage.ru_maxrss if usage else 0)

    def _wait_in_thread(self) -> None:
        _, status, usage = os.wait4(self.pid, 0)
        rc = os.waitstatus_to_exitcode(status)
        self._loop.call_soon_threadsafe(self._exited, rc, usage.ru_maxrss)

    def _exited(self, returncode: int, maxrss_kb: int) -> None:
        self.returncode = returncode
        self.popen.returncode = returncode  # reaped here; keep Popen from waiting again
        self.drain()
        self._on_exit(returncode, maxrss_kb)


def _vm_hwm(fd: int | None) -> int:
    if fd is None:
        return 0
    try:
        status = os.pread(fd, 4096, 0)
    except OSError:
        return 0
    at = status.find(b"VmHWM:")
    if at < 0:
        return 0
    return int(status[at + 6 : status.index(b"kB", at)])


def _children(fd: int | None) -> list[int]:
    if fd is None:
        return []
    try:
        return [int(c) for c in os.pread(fd, 4096, 0).split()]
    except OSError:
        return []
