"""The build core's own entry in the bullseye image: Python 3.9, the resolved configuration
from the host, and the exit status a BuildError gives on the host too (1)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build.config import BuildConfig
from native_lambda_toolchain.container import (
    BaseImageSpec,
    BuildStagePlan,
    connect,
    ensure_base_image,
    run_build_stage,
)
from native_lambda_toolchain.container._orchestrate import _package_dirs

pytestmark = [pytest.mark.docker, pytest.mark.bullseye]

ROOT = Path(__file__).resolve().parents[2]
BULLSEYE_IMAGE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")


def run_stage(tmp_path: Path, build_args: list[str], config: BuildConfig | None) -> tuple[int, str]:
    client = connect()
    try:
        image = ensure_base_image(
            client,
            BaseImageSpec(base_image=BULLSEYE_IMAGE, python_version="3.9"),
            out=io.StringIO(),
        )
        plan = BuildStagePlan(
            image=image,
            project_dir=ROOT,
            out_dir=tmp_path / "out",
            work_dir=tmp_path / "work",
            ccache_dir=tmp_path / "ccache",
            home_dir=tmp_path / "home",
            user=f"{os.getuid()}:{os.getgid()}",
            packages=_package_dirs(),
            build_args=build_args,
            config=config,
        )
        assert plan.command()[1:3] == ["-m", "native_lambda_toolchain.build"]
        out = io.StringIO()
        return run_build_stage(client, plan, out=out), out.getvalue()
    finally:
        client.close()


def test_help_under_python39(tmp_path: Path) -> None:
    status, output = run_stage(tmp_path, ["--help"], None)
    assert status == 0, output
    assert "--config-json" in output and "Traceback" not in output


def test_resolved_config_reaches_the_stage_and_a_build_error_exits_1(tmp_path: Path) -> None:
    """The host's configuration (not the pyproject's handler) is what the stage builds: a
    misspelled function fails the check in the container, naming the file as mounted."""
    config = BuildConfig(project_dir=ROOT, handler=HandlerRef.parse("examples.greeting.handlr"))
    status, output = run_stage(tmp_path, ["--target", "al2023", "--out", "/out"], config)
    assert status == 1, output
    assert "Runtime.HandlerNotFound" in output and "/project/examples/greeting.py" in output
    assert "Traceback" not in output
