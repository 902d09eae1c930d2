"""The base image built from the bullseye stand-in, then reused without a rebuild."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest

from native_lambda_toolchain.container import (
    BaseImageSpec,
    BaseImageUnavailable,
    connect,
    ensure_base_image,
)
from native_lambda_toolchain.container._definition import LABEL_HASH
from native_lambda_toolchain.container._engine import BASE_IMAGE_ENV

ROOT = Path(__file__).resolve().parents[2]

BULLSEYE_IMAGE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")


@pytest.mark.docker
@pytest.mark.bullseye
def test_built_once_then_reused() -> None:
    client = connect()
    spec = BaseImageSpec(base_image=BULLSEYE_IMAGE, python_version="3.9")
    first = ensure_base_image(client, spec, out=io.StringIO())  # builds when missing
    image = client.images.get(first)
    assert first == spec.tag and first in image.tags
    assert image.labels[LABEL_HASH] == spec.content_hash()

    out = io.StringIO()
    start = time.monotonic()
    again = ensure_base_image(client, spec, out=out)
    assert again == first
    assert time.monotonic() - start < 10
    assert "reused" in out.getvalue() and "step" not in out.getvalue()
    assert client.images.get(again).id == image.id  # the very same image, not a rebuild

    # what the compile stage relies on inside the image
    logs = client.containers.run(
        first,
        [
            "sh",
            "-c",
            "nl-python -c 'import sys, nuitka, msgspec, httpx; print(sys.version_info[:2])'"
            " && ccache --version && patchelf --version && ldd --version",
        ],
        remove=True,
        network_mode="none",
    ).decode()
    assert "(3, 9)" in logs
    assert "ccache version" in logs and "patchelf" in logs
    assert "2.31" in logs.splitlines()[-1] or "GLIBC 2.31" in logs
    client.close()


UNPULLABLE = "registry.invalid/native-lambda/none:1"  # .invalid never resolves


@pytest.mark.docker
def test_unpullable_base_image_names_the_override(tmp_path: Path, run_cli: Any) -> None:
    client = connect()
    with pytest.raises(BaseImageUnavailable) as info:
        ensure_base_image(client, BaseImageSpec(base_image=UNPULLABLE), out=io.StringIO())
    client.close()
    text = str(info.value)
    assert UNPULLABLE in text and "--base-image" in text and BASE_IMAGE_ENV in text

    proc = run_cli(
        "build",
        "--target",
        "al2023",
        "--handler",
        "examples.greeting.handler",
        "--out",
        str(tmp_path / "dist"),
        cwd=ROOT,
        env={BASE_IMAGE_ENV: UNPULLABLE},
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert f"cannot pull the base image {UNPULLABLE}" in output, output
    assert "--base-image" in output and "Traceback" not in output, output


@pytest.mark.docker
@pytest.mark.compile
def test_no_target_and_unpullable_base_builds_for_this_machine(
    tmp_path: Path, run_cli: Any
) -> None:
    """`native-lambda build` with no --target falls back to a host build, saying why."""
    dist = tmp_path / "dist"
    proc = run_cli(
        "build",
        "--handler",
        "examples.greeting.handler",
        "--out",
        str(dist),
        "--work-dir",
        str(ROOT / ".build" / "host"),
        cwd=ROOT,
        env={BASE_IMAGE_ENV: UNPULLABLE},
        timeout=1800,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert f"cannot pull the base image {UNPULLABLE}" in output, output
    assert "building for this machine instead (--target host)" in output, output
    assert (dist / "function.zip").is_file() and (dist / "layer.zip").is_file()
