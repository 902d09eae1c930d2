"""Command-line options of the container build and their environment defaults."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ._definition import DEFAULT_BASE_IMAGE, DEFAULT_PYTHON_VERSION
from ._engine import BASE_IMAGE_ENV

PYTHON_VERSION_ENV = "NATIVE_LAMBDA_PYTHON_VERSION"
PLATFORM_ENV = "NATIVE_LAMBDA_PLATFORM"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--base-image``, ``--python-version``, ``--platform``, ``--rebuild-base``."""
    group = parser.add_argument_group("container build (targets al2023, al2)")
    group.add_argument(
        "--base-image",
        default=os.environ.get(BASE_IMAGE_ENV, DEFAULT_BASE_IMAGE),
        metavar="IMAGE",
        help=f"FROM image of the build container (env {BASE_IMAGE_ENV}; default "
        f"%(default)s); Amazon Linux or Debian family",
    )
    group.add_argument(
        "--python-version",
        default=os.environ.get(PYTHON_VERSION_ENV, DEFAULT_PYTHON_VERSION),
        metavar="X.Y",
        help=f"Python compiled into the bootstrap (env {PYTHON_VERSION_ENV}; default "
        "%(default)s; AL2023 has 3.11-3.14, bullseye 3.9)",
    )
    group.add_argument(
        "--platform",
        default=os.environ.get(PLATFORM_ENV) or None,
        metavar="OS/ARCH",
        help=f"linux/amd64 or linux/arm64 (env {PLATFORM_ENV}; default: the engine's own); "
        "another architecture needs qemu binfmt emulation on the engine's host",
    )
    group.add_argument(
        "--rebuild-base",
        action="store_true",
        help="rebuild the base image even if its content-hash tag exists (e.g. to pick up "
        "a moved :2023 tag or security updates)",
    )


def cache_root() -> Path:
    """``$NATIVE_LAMBDA_CACHE_DIR`` or ``$XDG_CACHE_HOME/native-lambda``: the dependency
    stage's own rule, so both stages share one cache (imported here, when first used)."""
    from ..deps import default_cache_root

    return default_cache_root()
