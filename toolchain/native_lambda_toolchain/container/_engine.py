"""Reach the container engine, or say in one message how to get one.

Every way an engine can be missing (no socket, a dead socket, a daemon that does not
answer, a DOCKER_HOST pointing nowhere) ends in the same ``EngineUnavailable`` whose text
names the address tried, how to start an engine and the ``--no-docker`` way out.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

from ..errors import BuildError

if TYPE_CHECKING:
    import docker

BASE_IMAGE_ENV = "NATIVE_LAMBDA_BASE_IMAGE"
DEFAULT_ADDRESS = "unix:///var/run/docker.sock"


class EngineUnavailable(BuildError):
    """No Docker-compatible engine answers at the configured address."""


class BaseImageUnavailable(BuildError):
    """The base image is neither local nor pullable."""


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_ADDRESS


def unavailable(reason: str) -> EngineUnavailable:
    return EngineUnavailable(
        f"no container engine reachable at {engine_address()} ({_short(reason)})",
        hint="start one (`sudo systemctl start docker`, or `sudo dockerd &`; "
        "scripts/start-dockerd.sh does this and waits) or build on this machine with "
        "`native-lambda build --no-docker`",
    )


def base_image_unavailable(image: str, reason: str) -> BaseImageUnavailable:
    return BaseImageUnavailable(
        f"cannot pull the base image {image} ({_short(reason)})",
        hint=f"pull it yourself (`docker pull {image}`) or pick another Amazon Linux 2023 or "
        f"Debian-family image with --base-image IMAGE or {BASE_IMAGE_ENV}=IMAGE "
        "(offline: scripts/make-bullseye-image.sh makes native-lambda/bullseye-base)",
    )


def connect(timeout: float = 3600) -> docker.DockerClient:
    """A client whose engine answered a ping; ``EngineUnavailable`` otherwise.

    ``timeout`` is the per-request timeout of the returned client (long: image builds
    stream for minutes); the ping itself uses a short one.
    """
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:  # the toolchain extra not installed: no engine is not the problem
        raise BuildError(
            "a container build needs the docker package, which is not installed",
            hint="install the toolchain extra: pip install 'native-lambda[toolchain]', "
            "or build on this machine with `native-lambda build --no-docker`",
        ) from None
    try:
        probe = docker.from_env(timeout=10)
        probe.ping()
        probe.close()
        return docker.from_env(timeout=int(timeout))
    except (DockerException, OSError) as exc:
        raise unavailable(str(exc)) from exc


def engine_reachable() -> bool:
    """Cheap check for callers that pick a mode; prefer ``connect`` when building."""
    try:
        connect(timeout=10).close()
    except EngineUnavailable:
        return False
    return True


def rootless(client: docker.DockerClient) -> bool:
    """Rootless engines map container root to the invoking user: run the stage as root."""
    info = client.info()
    options = " ".join(info.get("SecurityOptions") or [])
    return "rootless" in options


def native_platform(client: docker.DockerClient) -> str:
    """The engine's own platform as ``linux/amd64`` or ``linux/arm64``."""
    arch = str(client.info().get("Architecture", "x86_64"))
    return {"x86_64": "linux/amd64", "amd64": "linux/amd64", "aarch64": "linux/arm64"}.get(
        arch, f"linux/{arch}"
    )


def _short(reason: Optional[str]) -> str:
    text = " ".join((reason or "unknown error").split())
    return text if len(text) <= 240 else text[:237] + "..."
