"""The example built for real (Nuitka, patchelf, zips): layout, rpaths, policy, ABI, bytes."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from artifacts import GLIBC_FAMILY
from fixtures_build import Built, build_artifacts
from native_lambda_toolchain import abi, package, patcher
from native_lambda_toolchain import compile as nl_compile
from native_lambda_toolchain.builder import check_abi
from native_lambda_toolchain.elf import is_elf, read_elf
from native_lambda_toolchain.errors import BuildError
from native_lambda_toolchain.lddtree import resolve
from native_lambda_toolchain.policy import load_policy

pytestmark = [pytest.mark.compile, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]


def unzip(path: Path, dest: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        for info in infos.values():
            target = dest / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            target.chmod((info.external_attr >> 16) & 0o777)
    return infos


@pytest.fixture(scope="module")
def unpacked(built_example: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("unpacked")
    unzip(built_example.function_zip, root / "task")
    unzip(built_example.layer_zip, root / "opt")
    return root


def test_function_zip_holds_bootstrap_executable_and_no_library(built_example: Built) -> None:
    with zipfile.ZipFile(built_example.function_zip) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    assert "bootstrap" in infos
    mode = infos["bootstrap"].external_attr >> 16
    assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o755
    assert infos["bootstrap"].create_system == 3  # Unix attributes: Lambda keeps the x bit
    for name, info in infos.items():
        assert not name.startswith("/") and not name.endswith("/")
        assert ".so." not in name.rsplit("/", 1)[-1], f"library {name} left in function.zip"
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        if name.endswith(".so"):  # extension modules stay beside the bootstrap
            assert stat.S_IMODE(info.external_attr >> 16) == 0o755
    assert list(infos) == sorted(infos), "entries are not sorted"


def test_layer_zip_holds_only_lib(built_example: Built) -> None:
    with zipfile.ZipFile(built_example.layer_zip) as zf:
        names = zf.namelist()
    assert all(n.startswith("lib/") and n.count("/") == 1 for n in names), names
    assert not GLIBC_FAMILY & {n[4:] for n in names}, "glibc must come from the target"


def test_rpaths_read_back_point_at_the_layer(unpacked: Path) -> None:
    task = unpacked / "task"
    elves = [p for p in task.rglob("*") if p.is_file() and is_elf(p)]
    assert task / "bootstrap" in elves
    for p in elves:
        info = read_elf(p)
        if info.needed:
            assert info.rpath == ("/opt/lib",), (p, info.rpath)
            assert not info.runpath, "DT_RUNPATH would not apply to transitive lookups"
    for p in (unpacked / "opt" / "lib").iterdir():
        info = read_elf(p)
        if info.needed:
            assert info.rpath == ("$ORIGIN",), (p, info.rpath)


def test_policy_classification_of_the_real_bundle(built_example: Built, unpacked: Path) -> None:
    """Resolved on the host: everything not glibc is in the layer, glibc is not."""
    policy = load_policy("al2023")
    task = unpacked / "task"
    roots = [p for p in task.rglob("*") if p.is_file() and is_elf(p)]
    closure = resolve(roots, extra_dirs=[unpacked / "opt" / "lib"])
    classified = policy.classify(closure)
    assert not classified.unresolved
    system = {lib.name for lib in classified.system}
    bundle = {lib.name for lib in classified.bundle}
    assert "libc.so.6" in system and system <= GLIBC_FAMILY
    layer = {p.name for p in (unpacked / "opt" / "lib").iterdir()}
    assert bundle <= layer, bundle - layer
    info = json.loads(built_example.info.read_text())
    assert set(info["layer_libraries"]) == layer
    assert set(info["system_libraries"]) <= GLIBC_FAMILY


def test_target_resolution_uses_only_layer_and_glibc(unpacked: Path) -> None:
    """The patcher's own read-back: a simulated /var/task + /opt/lib + glibc target."""
    closure = patcher.verify(unpacked / "task", unpacked / "opt" / "lib", load_policy("al2023"))
    assert not closure.unresolved


def test_report_has_no_toolchain_or_unused_extensions(built_example: Built) -> None:
    result = built_example.result
    report = nl_compile.read_report(result.compiled.report_path)
    assert nl_compile.forbidden_modules(report) == []
    assert "examples.greeting" in report.modules and "msgspec._core" in report.modules
    assert "native_lambda._loop" in report.modules
    # msgspec's optional PyYAML/attrs/typing_extensions support: ~10 MB of C, never imported
    for optional in ("yaml", "attr", "typing_extensions"):
        assert optional in result.compiled.excluded_modules
        assert not [m for m in report.modules if m.split(".")[0] == optional]
    # Nuitka's stdlib net would add these; nothing in the example imports them
    with zipfile.ZipFile(built_example.function_zip) as zf:
        names = set(zf.namelist())
    for unused in ("_csv.so", "_sqlite3.so", "_curses.so", "_json.so", "_zoneinfo.so"):
        assert unused not in names
    for name in nl_compile.unreachable_extensions(report):  # in the report, pruned from zip
        assert name.replace(".", "/") + ".so" not in names
    info = json.loads(built_example.info.read_text())
    assert set(info["removed_unimported"]) == {
        n.replace(".", "/") + ".so" for n in nl_compile.unreachable_extensions(report)
    } | {n for n in info["removed_unimported"] if ".so." in n}


def test_build_log_is_kept_and_named(built_example: Built) -> None:
    log = built_example.log.read_text()
    assert "Nuitka" in log and "--mode=standalone" in log
    assert "Successfully created" in log


def test_abi_check_rejects_a_debian12_build_for_al2023(built_example: Built) -> None:
    """This host's glibc is 2.36: the bootstrap binds GLIBC_2.35 symbols, al2023 has 2.34."""
    vendored = built_example.result.vendored
    with pytest.raises(BuildError) as err:
        check_abi(vendored, load_policy("al2023"))
    message = str(err.value)
    assert "GLIBC_2.35" in message and "bootstrap" in message
    assert "al2023" in message and "container" in message
    report = check_abi(vendored, load_policy("host"))
    assert report.highest_version("GLIBC") in {"GLIBC_2.35", "GLIBC_2.36"}
    assert isinstance(report, abi.AbiReport)


def test_repackaging_gives_identical_bytes(built_example: Built, tmp_path: Path) -> None:
    """Zips are a pure function of the staged files (cheap half of reproducibility)."""
    stage = built_example.result.vendored
    a = package.write_zip(
        tmp_path / "a.zip", package.tree_entries(stage.function_dir, files=stage.function_files)
    )
    b = package.write_zip(
        tmp_path / "b.zip", package.tree_entries(stage.function_dir, files=stage.function_files)
    )
    assert a.read_bytes() == b.read_bytes() == built_example.function_zip.read_bytes()


def test_two_builds_give_identical_bytes(
    built_example: Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A second full build (fresh work dir, warm ccache) of the same inputs: same zips."""
    base = tmp_path_factory.mktemp("second-build")
    again = build_artifacts(base / "dist", base / "work")
    assert again.function_zip.read_bytes() == built_example.function_zip.read_bytes()
    assert again.layer_zip.read_bytes() == built_example.layer_zip.read_bytes()


def test_elves_in_function_zip_are_elves(unpacked: Path) -> None:
    bootstrap = read_elf(unpacked / "task" / "bootstrap")
    assert bootstrap.interpreter == "/lib64/ld-linux-x86-64.so.2"
    assert "libc.so.6" in bootstrap.needed


def test_cli_al2023_on_this_host_fails_the_abi_check(tmp_path: Path) -> None:
    """`native-lambda build --target al2023 --no-docker` here: a clear error, no zips."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "native_lambda_toolchain",
            "build",
            "--target",
            "al2023",
            "--no-docker",
            "--handler",
            "examples.greeting.handler",
            "--out",
            str(tmp_path / "dist"),
            "--work-dir",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1500,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "GLIBC_2.35" in proc.stderr and "al2023" in proc.stderr
    assert "container" in proc.stderr  # what to do instead
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "dist" / "function.zip").exists()
