"""The compile stage's container: runs as the given user, no network, always removed."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from native_lambda_toolchain.container import (
    BaseImageSpec,
    BuildStagePlan,
    connect,
    ensure_base_image,
    run_build_stage,
)
from native_lambda_toolchain.container._orchestrate import _package_dirs
from native_lambda_toolchain.container._run import OUT_LABEL

pytestmark = [pytest.mark.docker, pytest.mark.bullseye, pytest.mark.root]

ROOT = Path(__file__).resolve().parents[2]
BULLSEYE_IMAGE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")
NOBODY = 65534
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def test_files_written_by_the_stage_belong_to_the_given_user(tmp_path: Path) -> None:
    """An option Nuitka rejects: the stage writes its work files, then fails fast."""
    # The project as a user other than the checkout's owner can read it: the checkout
    # itself may sit in a folder only its owner may enter (a clone in `mktemp -d`).
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples", project / "examples", ignore=IGNORED)
    shutil.copyfile(ROOT / "pyproject.toml", project / "pyproject.toml")
    for path in [project, *project.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    folders = {name: tmp_path / name for name in ("out", "work", "ccache", "home")}
    for folder in folders.values():
        folder.mkdir()
        os.chown(folder, NOBODY, NOBODY)
    client = connect()
    image = ensure_base_image(
        client, BaseImageSpec(base_image=BULLSEYE_IMAGE, python_version="3.9"), out=io.StringIO()
    )
    plan = BuildStagePlan(
        image=image,
        project_dir=project,
        out_dir=folders["out"],
        work_dir=folders["work"],
        ccache_dir=folders["ccache"],
        home_dir=folders["home"],
        user=f"{NOBODY}:{NOBODY}",
        packages=_package_dirs(),
        build_args=[
            "--target",
            "al2023",
            "--handler",
            "examples.greeting.handler",
            "--nuitka-arg=--no-such-option",
            "--out",
            "/out",
            "--work-dir",
            "/work",
        ],
    )
    out = io.StringIO()
    status = run_build_stage(client, plan, out=out)
    assert status != 0, out.getvalue()
    assert "--no-such-option" in out.getvalue()
    written = [p for p in (tmp_path / "work" / "nuitka").rglob("*")]
    assert written, out.getvalue()
    for path in written:
        st = path.stat()
        assert (st.st_uid, st.st_gid) == (NOBODY, NOBODY), path
    label = f"{OUT_LABEL}={folders['out']}"
    left = client.containers.list(all=True, filters={"label": label})
    client.close()
    assert left == []
