"""Another architecture's glibc for the sandbox, copied out of that architecture's base image.

An x86_64 machine has no aarch64 glibc to put in an arm64 sandbox root. The arm64 base image
has one (the same glibc the bootstrap was linked against in the build container), so the
policy's libraries and the ``C.utf8`` locale are copied out of it once into a cache folder
keyed by the image's id, without starting a container.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional

from ..errors import BuildError
from ._engine import connect
from ._options import cache_root
from ._platform import elf_arch, read_files

ARM64_IMAGE_ENV = "NATIVE_LAMBDA_BULLSEYE_ARM64_IMAGE"
DEFAULT_ARM64_IMAGE = "native-lambda/bullseye-base-arm64"
#: Lambda's architecture name -> (Debian multiarch triplet, Docker's architecture name)
_ARCH = {"arm64": ("aarch64-linux-gnu", "arm64"), "x86_64": ("x86_64-linux-gnu", "amd64")}
#: Where glibc lives in a Debian (multiarch) or Amazon Linux image, in search order.
_LIB_DIRS = ("/lib/{t}", "/usr/lib/{t}", "/lib64", "/usr/lib64", "/lib", "/usr/lib")
_LOCALE_DIRS = ("/usr/lib/locale/C.utf8", "/usr/lib/locale/C.UTF-8")
_LOCALE_FILES = [
    "LC_ADDRESS",
    "LC_COLLATE",
    "LC_CTYPE",
    "LC_IDENTIFICATION",
    "LC_MEASUREMENT",
    "LC_MONETARY",
    "LC_NAME",
    "LC_NUMERIC",
    "LC_PAPER",
    "LC_TELEPHONE",
    "LC_TIME",
    "LC_MESSAGES/SYS_LC_MESSAGES",
]
COMPLETE = ".complete"


def default_image(architecture: str) -> str:
    """The base image whose glibc an ``architecture`` sandbox uses (env override)."""
    if architecture != "arm64":
        raise BuildError(f"no default glibc image for {architecture} sandboxes")
    return os.environ.get(ARM64_IMAGE_ENV) or DEFAULT_ARM64_IMAGE


def export_glibc(architecture: str, names: Iterable[str], image: Optional[str] = None) -> Path:
    """A folder holding ``names`` (those the image has) for ``architecture``, plus
    ``locale/C.utf8``; made once per image."""
    triplet, docker_arch = _ARCH[architecture]
    image = image or default_image(architecture)
    client = connect(timeout=300)
    try:
        from docker.errors import ImageNotFound

        try:
            image_id = client.images.get(image).id.split(":")[-1][:16]
        except ImageNotFound:
            raise BuildError(
                f"the {architecture} glibc for the sandbox comes from the image {image}, "
                "which is not here",
                hint="make it with `sudo scripts/make-bullseye-image.sh --arch arm64`, or "
                f"name another {architecture} Debian or Amazon Linux image with "
                f"--glibc-image or {ARM64_IMAGE_ENV}",
            ) from None
        dest = cache_root() / "glibc" / f"{architecture}-{image_id}"
        if (dest / COMPLETE).is_file():
            return dest
        wanted = sorted(set(names))
        paths = [d.format(t=triplet) + "/" + n for n in wanted for d in _LIB_DIRS]
        paths += [f"{d}/{f}" for d in _LOCALE_DIRS for f in _LOCALE_FILES]
        found = read_files(client, image, paths)
    finally:
        client.close()
    dest.mkdir(parents=True, exist_ok=True)
    for name in wanted:
        data = next((found[p] for p in paths if p.endswith("/" + name) and p in found), None)
        if data is None:
            continue
        held = elf_arch(data[:20])
        if held != docker_arch:
            raise BuildError(
                f"{image}: its {name} is built for {held}, not {docker_arch}",
                hint=f"name an image of the {architecture} architecture with --glibc-image",
            )
        (dest / name).write_bytes(data)
    for directory in _LOCALE_DIRS:
        files = {f: found[f"{directory}/{f}"] for f in _LOCALE_FILES if f"{directory}/{f}" in found}
        if files:
            for rel, data in files.items():
                target = dest / "locale" / "C.utf8" / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            break
    if not any(n.startswith("ld-linux") for n in os.listdir(dest)):
        raise BuildError(f"{image} holds no glibc loader (ld-linux*.so) in {_LIB_DIRS}")
    (dest / COMPLETE).write_text(image + "\n")
    return dest
