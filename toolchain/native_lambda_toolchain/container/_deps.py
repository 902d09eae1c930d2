"""The dependency stage of a container build: install the function's dependencies for the
target, in the build image, with network, before the offline compile stage.

The host detects the dependency source (``deps.detect``) and hands its requirements text to
``python -m native_lambda_toolchain.deps`` in the image, which decides the platform from the
image's own Python and glibc and installs into the shared cache
(``$NATIVE_LAMBDA_CACHE_DIR/deps/<key>``), or reuses the tree there. pip in the container
trusts the host's CA bundle (mounted at ``CA_INSIDE`` and named by ``PIP_CERT`` and
``SSL_CERT_FILE``, not over the image's own bundle) and uses the host's index settings.
The compile stage then mounts the tree read-only at ``DEPS_MOUNT``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, TextIO

from ..deps import RESULT_PREFIX, DependencySet
from ..errors import BuildError, ToolchainError
from ._definition import host_ca_bundle, host_pip_index, uses_local_index
from ._run import PY_ROOT, BuildStagePlan

if TYPE_CHECKING:
    import docker

CACHE_MOUNT = "/deps-cache"
DEPS_MOUNT = "/deps"
CA_INSIDE = "/opt/native-lambda/host-ca/ca.crt"
ERROR_PREFIX = "native-lambda: error: "
HINT_PREFIX = "  hint: "


def deps_cache(root: Path) -> Path:
    return root / "deps"


def run_deps_stage(
    client: docker.DockerClient,
    plan: BuildStagePlan,
    deps: DependencySet,
    target: str,
    cache: Path,
    out: Optional[TextIO] = None,
) -> Path:
    """Install (or reuse) ``deps`` for ``target`` in the build image; the host path of the tree.

    Raises BuildError naming the requirement and the platform when it cannot be installed.
    """
    from docker.errors import APIError, DockerException, NotFound
    from docker.types import Mount

    out = out or sys.stderr
    cache.mkdir(parents=True, exist_ok=True)
    inputs = cache / ".in"
    inputs.mkdir(exist_ok=True)
    digest = hashlib.sha256(deps.text.encode()).hexdigest()[:20]
    (inputs / f"{digest}.txt").write_text(deps.text, encoding="utf-8")
    plan.home_dir.mkdir(parents=True, exist_ok=True)
    command = ["nl-python", "-m", "native_lambda_toolchain.deps"]
    command += ["--requirements", f"{CACHE_MOUNT}/.in/{digest}.txt", "--source", deps.source]
    command += ["--target", target, "--cache-dir", CACHE_MOUNT]
    if deps.no_deps:
        command.append("--no-deps")
    mounts = [
        Mount(CACHE_MOUNT, str(cache), type="bind"),
        Mount("/home/builder", str(plan.home_dir), type="bind"),
    ]
    for name, folder in sorted(plan.packages.items()):
        mounts.append(Mount(f"{PY_ROOT}/{name}", str(folder), type="bind", read_only=True))
    index = host_pip_index()
    env: Dict[str, str] = {
        "PYTHONPATH": PY_ROOT,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "HOME": "/home/builder",
        "XDG_CACHE_HOME": "/home/builder/.cache",
        **index,
    }
    ca = host_ca_bundle()
    if ca is not None:
        mounts.append(Mount(CA_INSIDE, str(ca.resolve()), type="bind", read_only=True))
        env.update(PIP_CERT=CA_INSIDE, SSL_CERT_FILE=CA_INSIDE, REQUESTS_CA_BUNDLE=CA_INSIDE)
    start = time.monotonic()
    container = None
    lines: List[str] = []
    try:
        container = client.containers.create(
            plan.image,
            command=command,
            environment=env,
            mounts=mounts,
            user=plan.user,
            platform=plan.platform,
            network_mode="host" if uses_local_index(index) else None,
            labels={"io.native-lambda.stage": "dependencies"},
        )
        container.start()
        pending = ""
        for chunk in container.logs(stream=True, follow=True):
            pending += chunk.decode("utf-8", errors="replace")
            *done, pending = pending.split("\n")
            for line in done:
                lines.append(line)
                if not line.startswith((RESULT_PREFIX, ERROR_PREFIX, HINT_PREFIX)):
                    out.write(line + "\n")
                    out.flush()
        if pending:
            lines.append(pending)
        status = int(container.wait().get("StatusCode", 1))
    except (APIError, DockerException, OSError) as exc:
        raise BuildError(
            f"the dependency stage failed to run: {exc}",
            hint=f"check that the engine can bind-mount {cache}",
        ) from exc
    finally:
        if container is not None:
            with contextlib.suppress(NotFound, APIError):
                container.remove(force=True)
    seconds = time.monotonic() - start
    if status != 0:
        raise _stage_error(lines, status)
    result = next((ln for ln in reversed(lines) if ln.startswith(RESULT_PREFIX)), None)
    if result is None:
        raise BuildError("the dependency stage printed no result", hint="\n".join(lines[-10:]))
    data = json.loads(result[len(RESULT_PREFIX) :])
    site = cache / Path(data["site"]).relative_to(CACHE_MOUNT)
    out.write(
        f"dependency stage: {len(data['packages'])} packages ready in {seconds:.1f}s "
        f"({site}, mounted read-only at {DEPS_MOUNT})\n"
    )
    out.flush()
    return site


def _stage_error(lines: List[str], status: int) -> ToolchainError:
    """The stage's own rendered error, raised again on the host (printed once, by cli)."""
    message = next((ln[len(ERROR_PREFIX) :] for ln in lines if ln.startswith(ERROR_PREFIX)), None)
    if message is None:
        tail = "\n    ".join(lines[-15:])
        return BuildError(f"the dependency stage exited with {status}:\n    {tail}")
    at = lines.index(ERROR_PREFIX + message)
    rest = [ln for ln in lines[at + 1 :] if not ln.startswith(HINT_PREFIX)]
    hint = next((ln[len(HINT_PREFIX) :] for ln in lines if ln.startswith(HINT_PREFIX)), None)
    full = "\n".join([message, *[ln for ln in rest if ln.startswith("    ")]])
    return BuildError(full, hint=hint)
