"""Shared test set-up: markers that skip with a reason where a laptop lacks something.

Under CI (``CI=true``) nothing is skipped: a missing engine or tool is a failure there,
so a green CI means every test ran.
"""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache

import pytest

pytest_plugins = ["fixtures_emulator", "fixtures_build", "launch_runtime"]

IN_CI = os.environ.get("CI") == "true"


@cache
def _docker_reason() -> str | None:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if host.startswith("unix://"):
        path = host[len("unix://") :]
        if not os.path.exists(path):
            return f"no Docker engine socket at {path} (start dockerd)"
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(path)
        except OSError as exc:
            return f"Docker engine at {path} not answering: {exc}"
    return None


@cache
def _compile_reason() -> str | None:
    try:
        import nuitka  # noqa: F401
    except ImportError:
        return "Nuitka is not installed (pip install '.[toolchain]')"
    if shutil.which("patchelf") is None:
        return "patchelf is not on PATH"
    if shutil.which("gcc") is None and shutil.which("cc") is None:
        return "no C compiler (gcc) on PATH"
    if os.environ.get("NATIVE_LAMBDA_SKIP_COMPILE"):
        return "NATIVE_LAMBDA_SKIP_COMPILE is set"
    return None


def _root_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root for the sandbox's mount namespace"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed: the sandbox runs in it"
    return None


def _bullseye_reason() -> str | None:
    reason = _docker_reason()
    if reason:
        return reason
    import subprocess

    image = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")
    found = subprocess.run(
        ["docker", "image", "inspect", image], capture_output=True, check=False
    ).returncode
    return None if found == 0 else f"image {image} missing: run scripts/make-bullseye-image.sh"


def _binfmt_reason() -> str | None:
    import platform

    if platform.machine() == "aarch64":
        return None
    entry = "/proc/sys/fs/binfmt_misc/qemu-aarch64"
    try:
        with open(entry) as fh:
            enabled = fh.readline().strip() == "enabled"
    except OSError:
        enabled = False
    return None if enabled else f"no aarch64 binfmt emulation ({entry}): scripts/setup-binfmt.sh"


def _cross_reason() -> str | None:
    for tool, package in (
        ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"),
        ("qemu-aarch64-static", "qemu-user-static"),
    ):
        if shutil.which(tool) is None:
            return f"{tool} missing: apt-get install {package}"
    return _binfmt_reason()


def _arm64_reason() -> str | None:
    reason = _binfmt_reason() or _docker_reason() or _root_reason()
    if reason:
        return reason
    import subprocess

    default = "native-lambda/bullseye-base-arm64"
    image = os.environ.get("NATIVE_LAMBDA_BULLSEYE_ARM64_IMAGE", default)
    found = subprocess.run(
        ["docker", "image", "inspect", image], capture_output=True, check=False
    ).returncode
    return (
        None
        if found == 0
        else f"image {image} missing: run scripts/make-bullseye-image.sh --arch arm64"
    )


_REASONS = {
    "compile": _compile_reason,
    "root": _root_reason,
    "docker": _docker_reason,
    "bullseye": _bullseye_reason,
    "cross": _cross_reason,
    "arm64": _arm64_reason,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if IN_CI:
        return
    for item in items:
        for name, reason_of in _REASONS.items():
            if item.get_closest_marker(name) is None:
                continue
            reason = reason_of()
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
                break
