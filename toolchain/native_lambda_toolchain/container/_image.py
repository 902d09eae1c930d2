"""Build the base image, or reuse it when its content-hash tag already exists."""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, TextIO

from ..errors import BuildError
from ._definition import LABEL_HASH, BaseImageSpec, context_tar, host_files, uses_local_index
from ._engine import base_image_unavailable
from ._progress import StreamProgress

if TYPE_CHECKING:
    import docker


def _say(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


def find_image(client: docker.DockerClient, name: str) -> Optional[Any]:
    from docker.errors import ImageNotFound

    try:
        return client.images.get(name)
    except ImageNotFound:
        return None


def _arch_of(platform: str) -> str:
    return platform.split("/")[1] if "/" in platform else platform


def ensure_from_image(
    client: docker.DockerClient, spec: BaseImageSpec, out: Optional[TextIO] = None
) -> None:
    """Make the ``FROM`` image local for the spec's platform, pulling it if needed."""
    from docker.errors import APIError, DockerException

    out = out or sys.stderr
    local = find_image(client, spec.base_image)
    if local is not None and local.attrs.get("Architecture") == _arch_of(spec.platform):
        return
    progress = StreamProgress("pull", out)
    _say(out, f"pulling {spec.base_image} ({spec.platform})")
    try:
        repo, tag = _split(spec.base_image)
        chunks = client.api.pull(repo, tag=tag, stream=True, decode=True, platform=spec.platform)
        _consume(progress, chunks)
    except (APIError, DockerException, OSError) as exc:
        # APIError.explanation is the engine's own words ("dial tcp: lookup ...")
        reason = getattr(exc, "explanation", None) or str(exc)
        raise base_image_unavailable(spec.base_image, str(reason)) from exc
    finally:
        progress.close()
    if progress.error:
        raise base_image_unavailable(spec.base_image, progress.error)
    if find_image(client, spec.base_image) is None:
        raise base_image_unavailable(spec.base_image, "the engine reported no image after pull")


def ensure_base_image(
    client: docker.DockerClient,
    spec: BaseImageSpec,
    *,
    rebuild: bool = False,
    out: Optional[TextIO] = None,
) -> str:
    """The tag of a base image built from ``spec``: reused when present, else built."""
    from docker.errors import APIError, DockerException

    out = out or sys.stderr
    tag = spec.tag
    if not rebuild and find_image(client, tag) is not None:
        _say(out, f"base image {tag}: up to date (reused)")
        return tag
    ensure_from_image(client, spec, out)
    files, index = host_files()
    _say(
        out,
        f"building base image {tag} from {spec.base_image}, Python {spec.python_version}, "
        f"{spec.platform}" + (f" (pip index from host: {', '.join(index)})" if index else ""),
    )
    progress = StreamProgress("base image", out)
    try:
        chunks = client.api.build(
            fileobj=io.BytesIO(context_tar(spec, files)),
            custom_context=True,
            tag=tag,
            buildargs=spec.build_args(),
            labels={LABEL_HASH: spec.content_hash(), "io.native-lambda.base": spec.base_image},
            platform=spec.platform,
            network_mode="host" if uses_local_index(index) else None,
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
        )
        _consume(progress, chunks)
    except (APIError, DockerException, OSError) as exc:
        raise BuildError(
            f"building the base image {tag} failed: {exc}",
            hint="see the lines above; the definition is in base-image/",
        ) from exc
    finally:
        progress.close()
    if progress.error or find_image(client, tag) is None:
        raise BuildError(
            f"building the base image {tag} failed: {progress.error or 'no image produced'}\n"
            f"    {progress.last_lines()}",
            hint="the definition is base-image/Dockerfile; --python-version must name a "
            "Python the base's package manager has (Amazon Linux 2023: 3.11-3.14, "
            "bullseye: 3.9)",
        )
    _say(out, f"base image {tag}: built in {progress.elapsed():.0f}s")
    return tag


def _consume(progress: StreamProgress, chunks: Iterable[Mapping[str, Any]]) -> None:
    for chunk in chunks:
        progress.feed(chunk)


def _split(image: str) -> tuple[str, Optional[str]]:
    """``repo[:tag]`` -> (repo, tag); a ``:`` inside a registry host:port is no tag."""
    if "@" in image:
        return image, None
    repo, sep, tag = image.rpartition(":")
    if not sep or "/" in tag:
        return image, "latest"
    return repo, tag
