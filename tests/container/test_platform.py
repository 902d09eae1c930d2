"""The base image's platform is decided by what the image holds, not by its label.

docker 20.10 labels an imported arm64 root ``amd64``; a build for linux/arm64 from such a
local image must use it (relabelled), never go to a registry, and an image that really holds
another architecture's programs must fail naming what it holds. The images here are tiny:
one static program as ``/bin/sh``, cross-compiled for aarch64 or compiled for x86_64.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from native_lambda_toolchain.container import (
    BaseImageSpec,
    BaseImageUnavailable,
    connect,
    ensure_from_image,
    image_arch,
)

pytestmark = [pytest.mark.docker, pytest.mark.cross]

SHELL = "int main(void) { return 0; }\n"


def tiny_image(client, tmp_path: Path, compiler: str, tag: str) -> str:
    """``FROM scratch`` + a static ``/bin/sh`` (-> ``/bin/dash``), built without --platform:
    the engine labels it with its own architecture (amd64) whatever the program is."""
    if shutil.which(compiler) is None:
        pytest.fail(f"{compiler} missing: apt-get install gcc gcc-aarch64-linux-gnu")
    src = tmp_path / "sh.c"
    src.write_text(SHELL)
    exe = tmp_path / "dash"
    subprocess.run([compiler, "-static", "-O1", "-o", str(exe), str(src)], check=True)
    root = io.BytesIO()  # ADD unpacks it, keeping the symlink
    with tarfile.open(fileobj=root, mode="w") as tar:
        data = exe.read_bytes()
        info = tarfile.TarInfo("bin/dash")
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("bin/sh")
        link.type, link.linkname = tarfile.SYMTYPE, "/bin/dash"
        tar.addfile(link)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        dockerfile = b"FROM scratch\nADD root.tar /\n"
        for name, blob in (("Dockerfile", dockerfile), ("root.tar", root.getvalue())):
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    buf.seek(0)
    chunks = list(client.api.build(fileobj=buf, custom_context=True, tag=tag, rm=True, decode=True))
    errors = [c["error"] for c in chunks if "error" in c]
    assert not errors, errors
    return tag


@pytest.fixture
def client():
    engine = connect(timeout=300)
    yield engine
    engine.close()


def test_mislabelled_arm64_image_is_used_relabelled_without_a_pull(client, tmp_path):
    image = tiny_image(client, tmp_path, "aarch64-linux-gnu-gcc", "native-lambda-test/arm-as-amd")
    assert client.images.get(image).attrs["Architecture"] == "amd64"  # the label lies
    assert image_arch(client, image) == "arm64"  # /bin/sh -> /bin/dash is aarch64
    out = io.StringIO()
    spec = BaseImageSpec(base_image=image, python_version="3.9", platform="linux/arm64")
    used = ensure_from_image(client, spec, out)  # a pull would fail here: no registry
    assert used != image and "holds arm64 programs" in out.getvalue()
    relabelled = client.images.get(used)
    assert relabelled.attrs["Architecture"] == "arm64"
    assert image_arch(client, used) == "arm64"
    assert ensure_from_image(client, spec, io.StringIO()) == used  # made once


def test_correctly_labelled_image_is_used_as_is(client, tmp_path):
    image = tiny_image(client, tmp_path, "gcc", "native-lambda-test/amd")
    assert image_arch(client, image) == "amd64"
    spec = BaseImageSpec(base_image=image, python_version="3.9", platform="linux/amd64")
    assert ensure_from_image(client, spec, io.StringIO()) == image


def test_image_holding_another_architecture_names_what_it_holds(client, tmp_path):
    image = tiny_image(client, tmp_path, "gcc", "native-lambda-test/amd")
    spec = BaseImageSpec(base_image=image, python_version="3.9", platform="linux/arm64")
    with pytest.raises(BaseImageUnavailable) as err:
        ensure_from_image(client, spec, io.StringIO())
    assert "holds amd64 programs, not arm64" in str(err.value)
