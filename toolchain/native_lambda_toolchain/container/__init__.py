"""Build inside a container: the base image (toolchain + Python) and the compile stage.

A bootstrap linked against the build machine's glibc does not start on an older one
(``GLIBC_2.35 not found``), so for the ``al2023``/``al2`` targets ``native-lambda build`` runs
the same host-mode build inside an Amazon Linux 2023 image (or, offline, a Debian bullseye
stand-in with an older glibc) driven through the Docker SDK.

For ``commands/build.py``:

* ``add_arguments(parser)`` adds ``--base-image``, ``--python-version``, ``--platform`` and
  ``--rebuild-base``;
* ``build_in_container(args) -> int`` runs the whole container build and returns the
  compile stage's exit status. Call it for al2023/al2 unless ``--no-docker`` is given; when
  no engine answers it raises ``EngineUnavailable`` (a ``BuildError``) whose message says
  how to start one or to use ``--no-docker``, so the caller need not check
  ``engine_reachable()`` first.

Imported lazily by the CLI: ``docker`` is only loaded when a container build runs.
"""

from __future__ import annotations

from ._definition import (
    DEFAULT_BASE_IMAGE,
    DEFAULT_PYTHON_VERSION,
    BaseImageSpec,
    find_definition_dir,
)
from ._engine import BaseImageUnavailable, EngineUnavailable, connect, engine_reachable
from ._glibc import export_glibc
from ._image import ensure_base_image, ensure_from_image
from ._options import add_arguments
from ._orchestrate import build_in_container
from ._platform import image_arch
from ._run import BuildStagePlan, run_build_stage

__all__ = [
    "DEFAULT_BASE_IMAGE",
    "DEFAULT_PYTHON_VERSION",
    "BaseImageSpec",
    "BaseImageUnavailable",
    "BuildStagePlan",
    "EngineUnavailable",
    "add_arguments",
    "build_in_container",
    "connect",
    "engine_reachable",
    "ensure_base_image",
    "ensure_from_image",
    "export_glibc",
    "find_definition_dir",
    "image_arch",
    "run_build_stage",
]
