"""The base image's content-hash tag and build context (no engine needed)."""

from __future__ import annotations

import dataclasses
import io
import shutil
import tarfile
from pathlib import Path

import pytest

from native_lambda_toolchain.container import BaseImageSpec, find_definition_dir
from native_lambda_toolchain.container._definition import (
    HASHED_FILES,
    context_tar,
    host_files,
    host_pip_index,
)

ROOT = Path(__file__).resolve().parents[2]


def test_definition_dir_is_the_repository_base_image() -> None:
    assert find_definition_dir() == ROOT / "base-image"
    dockerfile = (ROOT / "base-image" / "Dockerfile").read_text()
    assert "ARG BASE_IMAGE=public.ecr.aws/amazonlinux/amazonlinux:2023" in dockerfile
    assert "ARG PYTHON_VERSION=3.13" in dockerfile


def test_tag_is_stable_for_the_same_definition_and_arguments() -> None:
    a = BaseImageSpec(base_image="native-lambda/bullseye-base", python_version="3.9")
    b = BaseImageSpec(base_image="native-lambda/bullseye-base", python_version="3.9")
    assert a.tag == b.tag
    assert a.tag.startswith("native-lambda/build-base:py3.9-")
    assert len(a.tag.rpartition("-")[2]) == 16


@pytest.mark.parametrize(
    "change",
    [
        {"python_version": "3.12"},
        {"base_image": "example.org/other:1"},
        {"platform": "linux/arm64"},
    ],
)
def test_each_argument_changes_the_tag(change: dict[str, str]) -> None:
    base = BaseImageSpec(base_image="native-lambda/bullseye-base", python_version="3.9")
    assert base.tag != dataclasses.replace(base, **change).tag


@pytest.mark.parametrize("name", HASHED_FILES)
def test_editing_a_definition_file_changes_the_tag(tmp_path: Path, name: str) -> None:
    copy = tmp_path / "base-image"
    shutil.copytree(ROOT / "base-image", copy)
    before = BaseImageSpec(definition_dir=copy).tag
    assert before == BaseImageSpec(definition_dir=ROOT / "base-image").tag
    with open(copy / name, "a") as f:
        f.write("\n# one more line\n")
    assert BaseImageSpec(definition_dir=copy).tag != before


def test_host_files_are_in_the_context_but_not_in_the_tag(tmp_path: Path) -> None:
    spec = BaseImageSpec(python_version="3.9")
    tag = spec.tag
    extra, _ = host_files()
    blob = context_tar(spec, extra)
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        names = set(tar.getnames())
        assert set(HASHED_FILES) | {"pip-ca.crt", "pip-index.env"} <= names
        member = tar.extractfile("Dockerfile")
        assert member is not None and member.read() == spec.files()["Dockerfile"]
    # a different CA bundle or index changes the context only
    other = context_tar(spec, {"pip-ca.crt": b"other", "pip-index.env": b"X=1\n"})
    assert other != blob and spec.tag == tag
    # and the context itself is deterministic
    assert context_tar(spec, extra) == blob


def test_pip_index_keeps_only_urls_a_container_can_reach(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "file:///opt/local/simple http://10.0.0.1/simple")
    found = host_pip_index()
    assert found["PIP_INDEX_URL"] == "https://mirror.example/simple"
    assert found["PIP_EXTRA_INDEX_URL"] == "http://10.0.0.1/simple"
