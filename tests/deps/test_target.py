"""The target platform of a dependency tree and its cache key."""

from __future__ import annotations

from pathlib import Path

from native_lambda_toolchain.deps import DependencySet, cache_key, target_platform
from native_lambda_toolchain.deps.install import pip_command


def test_bullseye_caps_al2023_at_its_own_glibc() -> None:
    plat = target_platform("al2023", arch="x86_64", python="3.9", glibc=(2, 31))
    assert plat.manylinux == "manylinux_2_31_x86_64"
    assert plat.native  # the image is older than the target: its own tags, sdists allowed
    assert plat.describe() == "al2023 (manylinux_2_31_x86_64, CPython 3.9)"


def test_al2023_image_builds_al2_with_explicit_tags_wheels_only() -> None:
    plat = target_platform("al2", arch="aarch64", python="3.12", glibc=(2, 34))
    assert plat.manylinux == "manylinux_2_26_aarch64" and not plat.native
    tags = plat.platform_tags()
    assert tags[0] == "manylinux_2_26_aarch64" and "manylinux2014_aarch64" in tags
    assert "manylinux_2_27_aarch64" not in tags
    cmd = pip_command(Path("r.txt"), Path("site"), plat, False, "python")
    assert "--only-binary=:all:" in cmd
    assert cmd[cmd.index("--python-version") + 1] == "3.12"
    assert cmd[cmd.index("--platform") + 1] == "manylinux_2_26_aarch64"


def test_al2023_on_al2023_image_and_arch_names() -> None:
    plat = target_platform("al2023", arch="arm64", python="3.13", glibc=(2, 34))
    assert plat.manylinux == "manylinux_2_34_aarch64" and plat.native
    native_cmd = pip_command(Path("r.txt"), Path("site"), plat, True, "python")
    assert "--platform" not in native_cmd and "--no-deps" in native_cmd


def test_cache_key_follows_content_and_platform() -> None:
    a = DependencySet("requirements.txt", Path("r"), "orjson==3.11.5\n")
    b = DependencySet("requirements.txt", Path("elsewhere"), "orjson==3.11.5\n")
    c = DependencySet("requirements.txt", Path("r"), "orjson==3.11.4\n")
    x86 = target_platform("al2023", arch="x86_64", python="3.9", glibc=(2, 31))
    arm = target_platform("al2023", arch="aarch64", python="3.9", glibc=(2, 31))
    py313 = target_platform("al2023", arch="x86_64", python="3.13", glibc=(2, 31))
    assert cache_key(a, x86, "pip") == cache_key(b, x86, "pip")  # content, not path
    keys = {cache_key(a, x86, "pip"), cache_key(c, x86, "pip"), cache_key(a, arm, "pip")}
    keys |= {cache_key(a, py313, "pip"), cache_key(a, x86, "uv")}
    assert len(keys) == 5
