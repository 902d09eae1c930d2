"""The example built for real (Nuitka, patchelf, zips): layout, rpaths, policy, ABI, bytes."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from artifacts import GLIBC_FAMILY
from fixtures_build import EXAMPLE_HANDLER, TUNING_PROBE, Built, build_artifacts
from native_lambda_toolchain import dist
from native_lambda_toolchain.build import abi, package, vendor
from native_lambda_toolchain.build import report as nl_report
from native_lambda_toolchain.build.elf import is_elf, read_elf
from native_lambda_toolchain.build.lddtree import resolve
from native_lambda_toolchain.build.pipeline import check_abi, render
from native_lambda_toolchain.build.policy import load_policy, parse_symbol_version
from native_lambda_toolchain.errors import BuildError

pytestmark = [pytest.mark.compile, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]


def host_glibc() -> tuple[int, ...]:
    """This machine's glibc version (``glibc 2.36`` -> (2, 36)): what a host build binds."""
    name, _, version = os.confstr("CS_GNU_LIBC_VERSION").partition(" ")
    assert name == "glibc", name
    return tuple(int(x) for x in version.split("."))


def glibc_versions(text: str) -> set[tuple[int, int]]:
    return {(2, int(m)) for m in re.findall(r"GLIBC_2\.(\d+)", text)}


AL2023_GLIBC = load_policy("al2023").max_versions["GLIBC"]


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
    closure = vendor.verify(unpacked / "task", unpacked / "opt" / "lib", load_policy("al2023"))
    assert not closure.unresolved


def test_report_has_no_toolchain_or_unused_extensions(built_example: Built) -> None:
    result = built_example.result
    report = nl_report.read_report(result.compiled.report_path)
    assert nl_report.forbidden_modules(report) == []
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
    roots = result.compiled.roots
    for name in nl_report.unreachable_extensions(report, roots):  # in the report, not in zip
        assert name.replace(".", "/") + ".so" not in names
    info = json.loads(built_example.info.read_text())
    assert set(info["removed_unimported"]) == {
        n.replace(".", "/") + ".so" for n in nl_report.unreachable_extensions(report, roots)
    } | {n for n in info["removed_unimported"] if ".so." in n}


def test_build_record_says_what_was_built(built_example: Built) -> None:
    record = dist.read_record(built_example.dist_dir)
    assert record is not None
    assert record.handler == EXAMPLE_HANDLER
    assert record.handlers == tuple(sorted((EXAMPLE_HANDLER, TUNING_PROBE)))
    assert record.target == "host"
    assert record.architecture == dist.ARCHITECTURES[os.uname().machine]
    assert record.python_version == "{}.{}".format(*sys.version_info[:2])
    assert record.nuitka_version.startswith("4.")
    assert record.glibc_needed.startswith("GLIBC_2.")


def test_each_note_is_printed_once(built_example: Built) -> None:
    """What `native-lambda build` prints (progress lines, then the summary) names the
    removed extension modules once, not once per stage."""
    printed = "\n".join([*built_example.output, render(built_example.result)])
    assert built_example.result.compiled.warnings, "expected a note about removed modules"
    for note in built_example.result.compiled.warnings:
        assert printed.count(note) == 1, printed


def test_build_log_is_kept_and_named(built_example: Built) -> None:
    log = built_example.log.read_text()
    assert "Nuitka" in log and "--mode=standalone" in log
    assert "Successfully created" in log


def test_abi_check_holds_the_build_to_its_targets_glibc(built_example: Built) -> None:
    """A host build binds at most the host's glibc; al2023 (2.34) rejects it exactly when it
    binds something newer, naming the version, the file and the way out."""
    vendored = built_example.result.vendored
    report = check_abi(vendored, load_policy("host"))
    assert isinstance(report, abi.AbiReport)
    highest = parse_symbol_version(report.highest_version("GLIBC"))
    assert highest is not None and highest[0] == "GLIBC"
    assert (2, 17) <= highest[1] <= host_glibc()
    if highest[1] <= AL2023_GLIBC:  # an old-glibc host builds for Lambda directly
        check_abi(vendored, load_policy("al2023"))
        return
    with pytest.raises(BuildError) as err:
        check_abi(vendored, load_policy("al2023"))
    message = str(err.value)
    assert report.highest_version("GLIBC") in message and "bootstrap" in message
    assert "al2023" in message and "container" in message


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
    again = build_artifacts(base / "dist", base / "work", handlers=(TUNING_PROBE,))
    assert again.function_zip.read_bytes() == built_example.function_zip.read_bytes()
    assert again.layer_zip.read_bytes() == built_example.layer_zip.read_bytes()


def test_elves_in_function_zip_are_elves(unpacked: Path) -> None:
    bootstrap = read_elf(unpacked / "task" / "bootstrap")
    assert bootstrap.interpreter == "/lib64/ld-linux-x86-64.so.2"
    assert "libc.so.6" in bootstrap.needed


def test_cli_al2023_on_this_host_is_held_to_al2023s_glibc(tmp_path: Path) -> None:
    """`native-lambda build --target al2023 --no-docker` here: on a host newer than al2023,
    a clear error and no zips; on an older one, artifacts."""
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
    if host_glibc() <= AL2023_GLIBC:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (tmp_path / "dist" / dist.FUNCTION_ZIP).is_file()
        return
    assert proc.returncode == 1, proc.stdout + proc.stderr
    newer = {v for v in glibc_versions(proc.stderr) if v > AL2023_GLIBC}
    assert newer and max(newer) <= host_glibc(), proc.stderr
    assert "al2023" in proc.stderr and "container" in proc.stderr  # what to do instead
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "dist" / "function.zip").exists()
