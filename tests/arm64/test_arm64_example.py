"""The example built for arm64 in the emulated build container, then invoked in the arm64
sandbox: the whole arm64 path on an x86_64 machine, under qemu binfmt emulation (slow).

Run by ``nox -s arm64`` (deselected from ``nox -s tests``: it takes longer than CI's budget
allows next to the rest). The times it prints are emulation times, not arm64 figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from native_lambda_toolchain.build.elf import read_elf
from native_lambda_toolchain.dist import read_record

pytestmark = [pytest.mark.arm64, pytest.mark.docker, pytest.mark.root]

ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_ARM64_IMAGE", "native-lambda/bullseye-base-arm64")


def cli(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def arm64_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("arm64") / "dist"
    start = time.monotonic()
    proc = cli(
        "build", "--platform", "linux/arm64", "--target", "al2023", "--base-image", IMAGE,
        "--python-version", "3.9", "--out", str(out), timeout=5400,
    )  # fmt: skip
    seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    sys.stderr.write(f"\narm64 container build under emulation: {seconds:.0f} s\n")
    return out


@pytest.mark.timeout(5400)
def test_build_record_and_every_elf_are_arm64(arm64_dist):
    record = read_record(arm64_dist)
    assert record is not None and record.architecture == "arm64"
    assert record.target == "al2023" and record.python_version.startswith("3.9")
    import zipfile

    with zipfile.ZipFile(arm64_dist / "function.zip") as zf:
        head = zf.open("bootstrap").read(20)
    assert head[:4] == b"\x7fELF" and int.from_bytes(head[18:20], "little") == 183  # aarch64
    tree = arm64_dist.parent / "unpacked"
    with zipfile.ZipFile(arm64_dist / "layer.zip") as zf:
        zf.extractall(tree)
    libs = sorted((tree / "lib").iterdir())
    assert libs, "layer.zip holds no libraries"
    for lib in libs:
        info = read_elf(lib)
        assert info.arch == "aarch64", lib
        assert info.rpath == ("$ORIGIN",), lib


@pytest.mark.timeout(5400)
def test_example_answers_typed_in_the_arm64_sandbox(arm64_dist):
    start = time.monotonic()
    proc = cli(
        "run", "--dist", str(arm64_dist), "--payload", '{"name": "World", "times": 2}',
        timeout=600,
    )  # fmt: skip
    seconds = time.monotonic() - start
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "under qemu emulation" in proc.stderr, output
    body = json.loads(proc.stdout.strip().splitlines()[-1])
    assert body["message"] == "Hello, World! Hello, World!"
    assert isinstance(body["request_id"], str) and body["request_id"]
    sys.stderr.write(f"\narm64 sandbox run under emulation (start + 1 invoke): {seconds:.1f} s\n")


@pytest.mark.timeout(5400)
def test_example_reports_its_typed_error_in_the_arm64_sandbox(arm64_dist):
    proc = cli("run", "--dist", str(arm64_dist), "--payload", '{"name": ""}', timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    body = json.loads(proc.stdout.strip().splitlines()[-1])
    assert body["errorType"] == "EmptyNameError", output
    assert body["errorMessage"] == "name must not be empty", output
    # a field of the wrong type is refused by the typed decoder before the handler runs
    proc = cli("run", "--dist", str(arm64_dist), "--payload", '{"name": 5}', timeout=600)
    body = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert body["errorType"] == "Runtime.UnmarshalError", body
