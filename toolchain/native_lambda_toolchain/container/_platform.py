"""What architecture an image really holds, read from its ``/bin/sh``, not from its label.

An image's ``Architecture`` label can lie: docker 20.10 ignores ``docker import --platform``
and labels an imported arm64 root ``amd64``, yet a container from it runs aarch64 programs
through the host's qemu binfmt emulation. Deciding "pull or not" from the label alone would
send such a local stand-in to a registry. The ELF header of the image's shell says what its
programs are, whatever the label.
"""

from __future__ import annotations

import contextlib
import io
import tarfile
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence

if TYPE_CHECKING:
    import docker

#: e_machine (ELF header offset 18, little-endian) -> Docker's architecture name
DOCKER_ARCH_BY_MACHINE = {62: "amd64", 183: "arm64", 3: "386", 40: "arm"}
#: Docker's architecture names -> Lambda's (the build record's ``architecture``)
LAMBDA_ARCH = {"amd64": "x86_64", "arm64": "arm64"}
SHELL = "/bin/sh"
#: Where relabelled copies of mislabelled local images go (see ``relabel``).
RELABELLED_REPOSITORY = "native-lambda/relabelled"


def arch_of(platform: str) -> str:
    """``linux/arm64`` -> ``arm64`` (a bare ``arm64`` stays as it is)."""
    return platform.split("/")[1] if "/" in platform else platform


def elf_arch(head: bytes) -> Optional[str]:
    """Docker's architecture name for an ELF header (None: not ELF or unknown machine)."""
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    machine = int.from_bytes(head[18:20], "little" if head[5] == 1 else "big")
    return DOCKER_ARCH_BY_MACHINE.get(machine)


def image_arch(client: docker.DockerClient, image: str) -> Optional[str]:
    """The architecture of ``image``'s ``/bin/sh`` (following its symlinks); None when the
    image has no shell to read. Nothing is started: the file is copied out of a created
    container, which is then removed."""
    head = read_files(client, image, [SHELL]).get(SHELL)
    return elf_arch(head[:20]) if head else None


def read_files(client: docker.DockerClient, image: str, paths: Sequence[str]) -> Dict[str, bytes]:
    """The contents of ``paths`` in ``image`` (symlinks followed); missing ones are left out.

    Nothing runs: a container is created, the files are copied out, the container removed.
    """
    from docker.errors import APIError, NotFound

    found: Dict[str, bytes] = {}
    container = client.containers.create(image, command=[SHELL])
    try:
        for wanted in paths:
            data = _read_one(container, wanted)
            if data is not None:
                found[wanted] = data
    finally:
        with contextlib.suppress(NotFound, APIError):
            container.remove(force=True)
    return found


def _read_one(container: Any, wanted: str) -> Optional[bytes]:
    from docker.errors import APIError, NotFound

    path = wanted
    for _ in range(8):  # /bin/sh -> /usr/bin/dash, or a chain of links
        try:
            stream, stat = container.get_archive(path)
        except (NotFound, APIError):
            return None
        data = b"".join(stream)
        link = stat.get("linkTarget") or ""
        if not link:
            return _first_member(data)
        path = link if link.startswith("/") else f"{path.rpartition('/')[0]}/{link}"
    return None


def _first_member(tar_bytes: bytes) -> Optional[bytes]:
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for member in tar:
            if member.isfile():
                handle = tar.extractfile(member)
                return handle.read() if handle else None
    return None


def relabel(client: docker.DockerClient, image: str, platform: str) -> str:
    """A copy of ``image`` labelled ``platform``: its files, ``FROM scratch``, built with
    ``--platform``. The tag names the source image's id, so it is made once per image."""
    import json
    import tempfile

    source = client.images.get(image)
    tag = f"{RELABELLED_REPOSITORY}:{arch_of(platform)}-{source.id.split(':')[-1][:16]}"
    if _exists(client, tag):
        return tag
    config = source.attrs.get("Config") or {}
    lines = ["FROM scratch", "ADD rootfs.tar /"]
    lines += [f"ENV {json.dumps(k)[1:-1]}={json.dumps(v)}" for k, _, v in
              (e.partition("=") for e in config.get("Env") or [])]  # fmt: skip
    if config.get("Cmd"):
        lines.append(f"CMD {json.dumps(config['Cmd'])}")
    container = client.containers.create(image, command=[SHELL])
    with tempfile.TemporaryFile() as rootfs, tempfile.TemporaryFile() as context:
        try:
            for chunk in container.export():
                rootfs.write(chunk)
        finally:
            container.remove(force=True)
        size = rootfs.tell()
        rootfs.seek(0)
        with tarfile.open(fileobj=context, mode="w") as tar:
            dockerfile = ("\n".join(lines) + "\n").encode()
            info = tarfile.TarInfo("Dockerfile")
            info.size = len(dockerfile)
            tar.addfile(info, io.BytesIO(dockerfile))
            info = tarfile.TarInfo("rootfs.tar")
            info.size = size
            tar.addfile(info, rootfs)
        context.seek(0)
        for _ in client.api.build(
            fileobj=context, custom_context=True, tag=tag, platform=platform, rm=True,
            forcerm=True, pull=False, decode=True,
        ):  # fmt: skip
            pass
    if not _exists(client, tag):
        from ..errors import BuildError

        raise BuildError(f"could not relabel {image} as {platform} ({tag} was not built)")
    return tag


def _exists(client: docker.DockerClient, name: str) -> bool:
    from docker.errors import ImageNotFound

    try:
        client.images.get(name)
    except ImageNotFound:
        return False
    return True
