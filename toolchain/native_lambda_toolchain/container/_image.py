"""Build the base image, or reuse it when its content-hash tag already exists."""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, TextIO

from ..errors import BuildError
from ._definition import LABEL_HASH, BaseImageSpec, context_tar, host_files, uses_local_index
from ._engine import base_image_unavailable
from ._platform import arch_of, image_arch, relabel
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


def ensure_from_image(
    client: docker.DockerClient, spec: BaseImageSpec, out: Optional[TextIO] = None
) -> str:
    """The ``FROM`` image for the spec's platform: the local one when it holds programs for
    that platform (relabelled first if its label says otherwise), else pulled.

    The label alone is not trusted: ``docker import`` of an arm64 root is labelled amd64 by
    docker 20.10, and the engine would then look for linux/arm64 in a registry.
    """
    from docker.errors import APIError, DockerException

    out = out or sys.stderr
    want = arch_of(spec.platform)
    local = find_image(client, spec.base_image)
    held = None
    if local is not None:
        label = local.attrs.get("Architecture")
        if label == want:
            return spec.base_image
        held = image_arch(client, spec.base_image)
        if held == want:
            _say(out, f"{spec.base_image} is labelled {label} but holds {held} programs "
                      f"(its /bin/sh): relabelling a copy as {spec.platform}")  # fmt: skip
            return relabel(client, spec.base_image, spec.platform)
    progress = StreamProgress("pull", out)
    _say(out, f"pulling {spec.base_image} ({spec.platform})")
    try:
        repo, tag = _split(spec.base_image)
        chunks = client.api.pull(repo, tag=tag, stream=True, decode=True, platform=spec.platform)
        _consume(progress, chunks)
    except (APIError, DockerException, OSError) as exc:
        # APIError.explanation is the engine's own words ("dial tcp: lookup ...")
        reason = getattr(exc, "explanation", None) or str(exc)
        raise base_image_unavailable(
            spec.base_image, _local_note(held, spec) + str(reason)
        ) from exc
    finally:
        progress.close()
    if progress.error:
        raise base_image_unavailable(spec.base_image, _local_note(held, spec) + progress.error)
    if find_image(client, spec.base_image) is None:
        raise base_image_unavailable(spec.base_image, "the engine reported no image after pull")
    return spec.base_image


def _local_note(held: Optional[str], spec: BaseImageSpec) -> str:
    """Why a local image of that name was not used, for the pull failure's message."""
    if held is None:
        return ""
    return f"the local {spec.base_image} holds {held} programs, not {arch_of(spec.platform)}; "


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
    from_image = ensure_from_image(client, spec, out)
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
            buildargs={**spec.build_args(), "BASE_IMAGE": from_image},
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
