"""Opt-in graceful shutdown: cleanup callbacks run on SIGTERM before the sandbox goes away.

Lambda only sends SIGTERM to the runtime when at least one extension is registered, so
the runtime registers an *internal* extension for no events (``{"events": []}``) and parks
its ``event/next`` call on a dedicated socket without waiting for the answer: Lambda
requires every extension to call ``next`` before init completes, but nothing ever needs
to be read from it. Costs nothing unless :func:`on_shutdown` was called during init.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

from ._client import Connection, RuntimeApiError

EXTENSION_NAME = "native-lambda-shutdown"

_callbacks: list[Callable[[], Any]] = []
_registered = False
_init_over = False
_parked: Connection | None = None  # the socket holding the unanswered event/next


def on_shutdown(callback: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``callback()`` when Lambda shuts this sandbox down (SIGTERM). Usable as decorator.

    Register during init (module import or before ``serve()``): the extension that makes
    Lambda send SIGTERM can only be registered before the first invocation.
    """
    _callbacks.append(callback)
    if _init_over and not _registered:
        sys.stderr.write(
            "native_lambda: on_shutdown() called after init; SIGTERM is only delivered "
            "if it was requested during init\n"
        )
    return callback


def wanted() -> bool:
    return bool(_callbacks)


def register(address: str) -> None:
    """Register the internal extension, park its ``event/next``, install the SIGTERM handler."""
    global _registered, _parked
    if _registered:
        return
    conn = Connection(address)
    response = conn.request(
        b"POST",
        b"/2020-01-01/extension/register",
        b'{"events": []}',
        b"Lambda-Extension-Name: "
        + EXTENSION_NAME.encode()
        + b"\r\nContent-Type: application/json\r\n",
    )
    if response.status != 200:
        raise RuntimeApiError(
            f"extension register answered {response.status}: "
            f"{response.body[:200].decode('utf-8', 'replace')}"
        )
    identifier = response.headers.get("lambda-extension-identifier", "")
    conn.send_only(
        b"GET",
        b"/2020-01-01/extension/event/next",
        b"Lambda-Extension-Identifier: " + identifier.encode("latin-1") + b"\r\n",
    )
    _parked = conn

    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    _registered = True


def init_done() -> None:
    """After init, late on_shutdown() calls are pointless without a registration: warn."""
    global _init_over
    _init_over = True


def sigterm_handler() -> Any:
    """What a forked worker does on SIGTERM: run the hooks (if any were asked for), else die."""
    return _on_sigterm if _registered else signal_default()


def signal_default() -> Any:
    import signal

    return signal.SIG_DFL


_terminating = False


def _on_sigterm(signum: int, frame: Any) -> None:
    global _terminating
    if _terminating:  # a second SIGTERM (the group's and the supervisor's): hooks run once
        return
    _terminating = True
    for callback in list(_callbacks):
        try:
            callback()
        except Exception as exc:
            sys.stderr.write(f"native_lambda: shutdown callback {callback!r} failed: {exc!r}\n")
    for stream in (sys.stdout, sys.stderr):
        if not stream.closed:
            stream.flush()
    os._exit(0)
