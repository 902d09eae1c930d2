"""The base image's definition: its files, build arguments and content-hash tag.

The tag is a hash of everything that decides the image's content (the Dockerfile, the
scripts and pins it copies, the base image name, the Python version, the platform), so an
unchanged definition maps to an existing image and is never rebuilt, and any edit gets a
new tag. The host's pip settings (CA bundle, index URLs) travel in the build context but
are left out of the hash: they change how packages are fetched, not which ones.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shlex
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..ca_bundles import HOST_CA_BUNDLES
from ..errors import BuildError

DEFAULT_BASE_IMAGE = "public.ecr.aws/amazonlinux/amazonlinux:2023"
DEFAULT_PYTHON_VERSION = "3.13"
IMAGE_REPOSITORY = "native-lambda/build-base"
#: The files of ``base-image/`` that define the image (and so its tag).
HASHED_FILES = (
    "Dockerfile",
    "install-system.sh",
    "install-python-packages.sh",
    "requirements.txt",
)
#: Build-context files filled from the host, not hashed (see module docstring).
HOST_FILES = ("pip-ca.crt", "pip-index.env")
LABEL_HASH = "io.native-lambda.definition-hash"

_PIP_KEYS = {
    "index-url": "PIP_INDEX_URL",
    "extra-index-url": "PIP_EXTRA_INDEX_URL",
    "trusted-host": "PIP_TRUSTED_HOST",
}


def find_definition_dir() -> Path:
    """Where ``base-image/`` is: env override, packaged copy, or the source checkout."""
    candidates: List[Path] = []
    env = os.environ.get("NATIVE_LAMBDA_BASE_IMAGE_DIR")
    if env:
        candidates.append(Path(env))
    here = Path(__file__).resolve().parent
    candidates.append(here / "base-image")  # a wheel force-includes it here
    candidates.append(here.parents[2] / "base-image")  # repo: toolchain/<pkg>/container
    for path in candidates:
        if (path / "Dockerfile").is_file():
            return path
    raise BuildError(
        "the base image definition (base-image/Dockerfile) is missing from this install",
        hint="set NATIVE_LAMBDA_BASE_IMAGE_DIR to a checkout's base-image/ directory",
    )


@dataclass(frozen=True)
class BaseImageSpec:
    """Which base image to build: definition files plus the arguments that shape it."""

    base_image: str = DEFAULT_BASE_IMAGE
    python_version: str = DEFAULT_PYTHON_VERSION
    platform: str = "linux/amd64"
    definition_dir: Optional[Path] = None

    def directory(self) -> Path:
        return self.definition_dir or find_definition_dir()

    def files(self) -> Dict[str, bytes]:
        folder = self.directory()
        missing = [n for n in HASHED_FILES if not (folder / n).is_file()]
        if missing:
            raise BuildError(f"{folder} lacks {', '.join(missing)} of the base image definition")
        return {name: (folder / name).read_bytes() for name in HASHED_FILES}

    def build_args(self) -> Dict[str, str]:
        return {"BASE_IMAGE": self.base_image, "PYTHON_VERSION": self.python_version}

    def content_hash(self) -> str:
        """sha256 over the definition files and the arguments, in a fixed order."""
        digest = hashlib.sha256()
        for name, data in sorted(self.files().items()):
            digest.update(f"file {name} {len(data)}\n".encode())
            digest.update(data)
        args = {**self.build_args(), "platform": self.platform}
        digest.update(json.dumps(args, sort_keys=True).encode())
        return digest.hexdigest()

    @property
    def tag(self) -> str:
        """``native-lambda/build-base:py3.13-<16 hex digits>``."""
        return f"{IMAGE_REPOSITORY}:py{self.python_version}-{self.content_hash()[:16]}"


def host_ca_bundle() -> Optional[Path]:
    """The CA bundle pip on this host trusts, so pip in the build trusts the same."""
    names = [os.environ.get(k) for k in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")]
    names += list(HOST_CA_BUNDLES)
    for name in names:
        if name and Path(name).is_file():
            return Path(name)
    try:
        import certifi

        return Path(certifi.where())
    except ImportError:
        return None


def host_pip_index() -> Dict[str, str]:
    """Index settings from the host's pip (config files and env) that a container can use.

    Only http(s) URLs are kept: ``file://`` indexes and ``--find-links`` folders of the
    host are not visible inside the build.
    """
    found: Dict[str, str] = {}
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    for line in out.splitlines():
        key, _, value = line.partition("=")
        option = key.rpartition(".")[2]
        if option in _PIP_KEYS:
            found[_PIP_KEYS[option]] = value.strip().strip("'\"")
    for env_name in _PIP_KEYS.values():  # the environment wins, as it does for pip
        if os.environ.get(env_name):
            found[env_name] = os.environ[env_name]
    kept: Dict[str, str] = {}
    for name, value in found.items():
        words = value.split()
        if name != "PIP_TRUSTED_HOST":
            words = [w for w in words if w.startswith(("http://", "https://"))]
        if words:
            kept[name] = " ".join(words)
    return kept


def uses_local_index(index: Dict[str, str]) -> bool:
    """True when an index lives on this host: the build then needs the host's network."""
    urls = " ".join(v for k, v in index.items() if k != "PIP_TRUSTED_HOST")
    return any(h in urls for h in ("://localhost", "://127.", "://[::1]"))


def host_files() -> Tuple[Dict[str, bytes], Dict[str, str]]:
    """(build-context files from the host, index settings found)."""
    ca = host_ca_bundle()
    index = host_pip_index()
    env_text = "".join(f"{k}={shlex.quote(v)}\n" for k, v in sorted(index.items()))
    return {
        "pip-ca.crt": ca.read_bytes() if ca else b"",
        "pip-index.env": env_text.encode(),
    }, index


def context_tar(spec: BaseImageSpec, extra: Dict[str, bytes]) -> bytes:
    """The build context as an uncompressed tar: definition files + host files."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in sorted({**spec.files(), **extra}.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if name.endswith(".sh") else 0o644
            info.mtime = 315532800  # fixed: the context's bytes depend on content only
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
