"""Build fixtures: the example compiled once per test session, for every test folder.

``built_example`` builds ``examples.greeting.handler`` for ``--target host`` into the session's
temporary directory (minutes with a cold ccache, about a minute warm) and hands out the paths.
Tests that use it must be marked ``compile`` (they are skipped where Nuitka is missing).

``NATIVE_LAMBDA_TEST_DIST=DIR`` reuses artifacts built earlier (``native-lambda build --target
host --out DIR``) instead of compiling: handy when iterating on tests, never set in CI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_HANDLER = "examples.greeting.handler"


@dataclass
class Built:
    """Artifacts of one build; ``result`` is the builder's BuildResult (None when reused)."""

    dist_dir: Path
    function_zip: Path
    layer_zip: Path
    log: Path
    info: Path
    work_dir: Optional[Path]
    result: Any = None


def build_artifacts(
    out_dir: Path,
    work_dir: Path,
    handler: str = EXAMPLE_HANDLER,
    *,
    include_modules: tuple[str, ...] = (),
    exclude_modules: tuple[str, ...] = (),
    target: str = "host",
) -> Built:
    """Run the real builder (Nuitka, patchelf, zips) for ``handler`` from this repository."""
    from native_lambda_toolchain.builder import BuildRequest, build
    from native_lambda_toolchain.config import BuildConfig

    config = BuildConfig(
        project_dir=ROOT,
        handler=handler,
        include_modules=include_modules,
        exclude_modules=exclude_modules,
    )
    result = build(BuildRequest(config=config, target=target, out_dir=out_dir, work_dir=work_dir))
    return Built(
        dist_dir=out_dir,
        function_zip=result.function_zip,
        layer_zip=result.layer_zip,
        log=result.log,
        info=result.info,
        work_dir=work_dir,
        result=result,
    )


def _reused(dist: Path) -> Built:
    return Built(
        dist_dir=dist,
        function_zip=dist / "function.zip",
        layer_zip=dist / "layer.zip",
        log=dist / "build.log",
        info=dist / "build.json",
        work_dir=None,
    )


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The example built once per session for the host target (dist dir, zips, log)."""
    reuse = os.environ.get("NATIVE_LAMBDA_TEST_DIST")
    if reuse and os.environ.get("CI") != "true":
        return _reused(Path(reuse))
    base = tmp_path_factory.mktemp("built-example")
    return build_artifacts(base / "dist", base / "work")
