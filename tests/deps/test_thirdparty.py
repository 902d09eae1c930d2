"""Files that travel with compiled packages, who owns them, and bytecode-shipped packages,
on a real wheel tree (psycopg-binary carries auditwheel's ``psycopg_binary.libs``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from native_lambda_toolchain.build import thirdparty
from native_lambda_toolchain.build.config import load_config
from native_lambda_toolchain.errors import BuildError


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target"),
            str(target),
            *("psycopg-binary==3.2.13", "certifi==2026.10.19.post1"),
        ],
        check=True,
    )
    return target


def test_owners_name_the_wheel_of_libs_folders_and_files(site: Path) -> None:
    table = thirdparty.owners([site])
    assert table["psycopg_binary"] == "psycopg_binary 3.2.13"
    assert table["psycopg_binary.libs"] == "psycopg_binary 3.2.13"
    libpq = next((site / "psycopg_binary.libs").glob("libpq-*.so*"))
    assert (
        thirdparty.owner_of(f"psycopg_binary.libs/{libpq.name}", table) == table["psycopg_binary"]
    )
    assert thirdparty.owner_of(libpq.name, table) == "psycopg_binary 3.2.13"  # copied flat
    assert thirdparty.owner_of("bootstrap", table) is None


def test_package_data_and_metadata_travel_code_does_not(site: Path, tmp_path: Path) -> None:
    copied = thirdparty.copy_package_data([site], tmp_path, ["certifi"])
    assert "certifi/cacert.pem" in copied
    assert not [c for c in copied if c.endswith((".py", ".pyi", ".so"))]
    assert "certifi/py.typed" not in copied
    meta = thirdparty.copy_metadata([site], tmp_path, ["certifi"])
    assert meta == ["certifi-2026.10.19.post1.dist-info/METADATA"] or (
        "certifi-2026.10.19.post1.dist-info/METADATA" in meta
    )
    assert thirdparty.copy_metadata([site], tmp_path / "x", ["json"]) == []  # not installed


def test_bytecode_package_ships_source_and_unchecked_pyc(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "reader").mkdir(parents=True)
    (project / "reader" / "__init__.py").write_text("X = open(__file__).read()\n")
    dist = tmp_path / "dist"
    dist.mkdir()
    assert thirdparty.ship_bytecode([project], dist, ["reader"]) == ["reader"]
    assert (dist / "reader" / "__init__.py").is_file()
    pyc = next((dist / "reader" / "__pycache__").glob("__init__.*.opt-1.pyc"))
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based, unchecked: the zips' fixed mtimes never make it stale
    with pytest.raises(BuildError, match="bytecode-packages names 'nothere'"):
        thirdparty.ship_bytecode([project], dist, ["nothere"])


def test_config_keys(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.native-lambda]\nhandler = "a.b"\nextras = ["x"]\nbytecode-packages = ["r"]\n'
        "max-unzipped-mb = 10\n"
    )
    config = load_config(None, tmp_path)
    assert config.extras == ("x",) and config.bytecode_packages == ("r",)
    assert config.max_unzipped_mb == 10.0 and config.max_zipped_mb == 50.0
    again = type(config).from_json(config.to_json(), "json")
    assert again.bytecode_packages == ("r",) and again.max_unzipped_mb == 10.0
    (tmp_path / "pyproject.toml").write_text(
        '[tool.native-lambda]\nhandler = "a.b"\nmax-zipped-mb = "big"\n'
    )
    with pytest.raises(BuildError, match="max-zipped-mb must be a positive number of MiB"):
        load_config(None, tmp_path)


def test_abi_violation_names_the_wheel(site: Path, tmp_path: Path) -> None:
    """The real libpq of psycopg-binary's wheel, against a target capped below its glibc
    needs: the violation names the wheel it came with."""
    import dataclasses

    from native_lambda_toolchain.build.pipeline import check_abi
    from native_lambda_toolchain.build.policy import load_policy
    from native_lambda_toolchain.build.vendor import LayerLib, VendorReport

    libpq = next((site / "psycopg_binary.libs").glob("libpq-*.so*"))
    dest = tmp_path / "layer" / "lib" / libpq.name
    dest.parent.mkdir(parents=True)
    dest.write_bytes(libpq.read_bytes())
    lib = LayerLib(name=libpq.name, source=libpq, dest=dest, needed_by=[], size=1)
    report = VendorReport(
        function_dir=tmp_path / "fn",
        layer_lib_dir=dest.parent,
        main=tmp_path / "fn" / "bootstrap",
        function_files=[],
        function_elves=[],
        layer_libs={libpq.name: lib},
        system_libs=[],
    )
    real = load_policy("al2023")
    assert check_abi(report, real, thirdparty.owners([site]), site).violations == []
    capped = dataclasses.replace(real, max_versions={**real.max_versions, "GLIBC": (2, 2, 5)})
    with pytest.raises(BuildError) as caught:
        check_abi(report, capped, thirdparty.owners([site]), site)
    assert f"{dest} needs GLIBC_" in caught.value.message
    assert "[from wheel psycopg_binary 3.2.13]" in caught.value.message
