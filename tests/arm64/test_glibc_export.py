"""The arm64 sandbox's glibc, copied out of an arm64 image without starting it.

The image is tiny and real: ``FROM scratch`` with the cross sysroot's aarch64 glibc under
``/lib/aarch64-linux-gnu`` and this machine's ``C.utf8`` locale, as a Debian arm64 image
has them.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from native_lambda_toolchain.build.elf import read_elf
from native_lambda_toolchain.build.policy import load_policy
from native_lambda_toolchain.container import connect, export_glibc
from native_lambda_toolchain.errors import BuildError

pytestmark = [pytest.mark.docker, pytest.mark.cross]

CROSS_LIB = Path("/usr/aarch64-linux-gnu/lib")
HOST_LIB = Path("/lib/x86_64-linux-gnu")
LOCALE = Path("/usr/lib/locale/C.utf8")
NAMES = ("ld-linux-aarch64.so.1", "libc.so.6", "libm.so.6")


def image_with(client, tag: str, libs: dict[str, Path]) -> str:
    root = io.BytesIO()
    with tarfile.open(fileobj=root, mode="w") as tar:
        for name, source in libs.items():
            tar.add(str(source.resolve()), arcname=f"lib/aarch64-linux-gnu/{name}")
        for path in sorted(LOCALE.rglob("*")):
            if path.is_file():
                tar.add(str(path), arcname=f"usr/lib/locale/C.UTF-8/{path.relative_to(LOCALE)}")
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, blob in (("Dockerfile", b"FROM scratch\nADD root.tar /\n"),
                           ("root.tar", root.getvalue())):  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    context.seek(0)
    chunks = list(client.api.build(fileobj=context, custom_context=True, tag=tag, decode=True))
    assert not [c for c in chunks if "error" in c], chunks
    return tag


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("NATIVE_LAMBDA_CACHE_DIR", str(tmp_path / "cache"))
    engine = connect(timeout=300)
    yield engine
    engine.close()


def test_glibc_and_locale_are_copied_out_of_the_arm64_image(client):
    image = image_with(client, "native-lambda-test/arm64-glibc", {n: CROSS_LIB / n for n in NAMES})
    folder = export_glibc("arm64", load_policy("al2023").system_libraries, image)
    assert sorted(p.name for p in folder.glob("*.so*")) == sorted(NAMES)
    for name in NAMES:
        assert read_elf(folder / name).arch == "aarch64"
        assert (folder / name).read_bytes() == (CROSS_LIB / name).resolve().read_bytes()
    assert (folder / "locale/C.utf8/LC_CTYPE").is_file()
    assert export_glibc("arm64", NAMES, image) == folder  # made once per image


def test_an_image_with_another_architectures_glibc_is_refused(client):
    libs = {"ld-linux-aarch64.so.1": CROSS_LIB / "ld-linux-aarch64.so.1"}
    libs["libc.so.6"] = HOST_LIB / "libc.so.6"  # x86_64, where aarch64 is expected
    image = image_with(client, "native-lambda-test/mixed-glibc", libs)
    with pytest.raises(BuildError, match=r"its libc\.so\.6 is built for amd64, not arm64"):
        export_glibc("arm64", NAMES, image)


def test_a_missing_image_says_how_to_make_it(client):
    with pytest.raises(BuildError) as err:
        export_glibc("arm64", NAMES, "native-lambda-test/no-such-image")
    assert "make-bullseye-image.sh --arch arm64" in (err.value.hint or "")
