"""Where the emulator may listen, and what a failed bind means to the user.

The emulator serves both the invoke endpoint and the Runtime API with no authentication,
so it listens on loopback unless the user asks for more, explicitly.
"""

from __future__ import annotations

import errno
import ipaddress
import socket

from native_lambda_toolchain.errors import ToolchainError

ALLOW_REMOTE_FLAG = "--allow-remote"


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback address."""
    if host in ("", "0.0.0.0", "::"):
        return False
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%", 1)[0]).is_loopback for a in addresses
    )


def check_bind_host(host: str, allow_remote: bool) -> None:
    """Refuse a non-loopback address unless ``--allow-remote`` was given."""
    if allow_remote or is_loopback(host):
        return
    raise ToolchainError(
        f"--host {host} would expose the invoke endpoint and the Runtime API, "
        "without authentication, to every machine that can reach this one",
        hint=f"add {ALLOW_REMOTE_FLAG} if that is what you want, or use --host 127.0.0.1",
    )


def listen_error(host: str, port: int, exc: OSError) -> ToolchainError:
    """The error for a failed bind; an address in use suggests another ``--port``."""
    if exc.errno == errno.EADDRINUSE:
        return ToolchainError(
            f"cannot listen on {host}:{port}: the address is already in use",
            hint="choose another port with --port N (--port 0 picks a free one), "
            "or stop what is listening there",
        )
    return ToolchainError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
