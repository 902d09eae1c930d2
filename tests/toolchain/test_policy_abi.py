"""Target policies as data, and the ABI check against them."""

from __future__ import annotations

import json
import os

import pytest

from artifacts import GLIBC_FAMILY as X86_64_GLIBC_FAMILY
from native_lambda_toolchain.build import abi
from native_lambda_toolchain.build.elf import read_elf
from native_lambda_toolchain.build.policy import (
    POLICY_DIR,
    available_targets,
    load_policy,
    parse_symbol_version,
)
from native_lambda_toolchain.errors import BuildError

# every target provides glibc's family, with the loaders of both architectures
GLIBC_FAMILY = {*X86_64_GLIBC_FAMILY, "ld-linux-aarch64.so.1"}
NEVER_SYSTEM = {
    "libcrypt.so.1",
    "libstdc++.so.6",
    "libgcc_s.so.1",
    "libssl.so.3",
    "libcrypto.so.3",
    "libz.so.1",
    "libffi.so.8",
    "libpython3.11.so.1.0",
    "libexpat.so.1",
    "liblzma.so.5",
    "libbz2.so.1.0",
    "libmpdec.so.3",
}


@pytest.mark.parametrize("target", ["al2023", "al2", "host"])
def test_policy_files(target):
    policy = load_policy(target)
    assert policy.name == target
    assert policy.system_libraries >= GLIBC_FAMILY
    assert not (NEVER_SYSTEM & policy.system_libraries)
    assert "x86_64" in policy.architectures or target == "host"
    assert "/opt/lib" in policy.ld_library_path
    assert "GLIBCXX" not in policy.max_versions  # libstdc++ is bundled, not assumed


def test_glibc_limits():
    assert load_policy("al2023").glibc == (2, 34)
    assert load_policy("al2").glibc == (2, 26)
    host = os.confstr("CS_GNU_LIBC_VERSION").split()[1]
    assert load_policy("host").glibc == tuple(int(x) for x in host.split("."))


def test_every_policy_file_is_valid_json_with_a_name_matching_the_file():
    assert {"al2023", "al2", "host"} <= set(available_targets())
    for path in POLICY_DIR.glob("*.json"):
        assert json.loads(path.read_text())["name"] == path.stem


def test_unknown_target_names_the_choices():
    with pytest.raises(BuildError, match="al2023"):
        load_policy("al2099")


def test_parse_symbol_version():
    assert parse_symbol_version("GLIBC_2.34") == ("GLIBC", (2, 34))
    assert parse_symbol_version("GLIBCXX_3.4.30") == ("GLIBCXX", (3, 4, 30))
    assert parse_symbol_version("CXXABI_1.3.13") == ("CXXABI", (1, 3, 13))
    assert parse_symbol_version("GLIBC_PRIVATE") is None
    assert parse_symbol_version("GLIBC_2.2.5") > parse_symbol_version("GLIBC_2.2")  # type: ignore[operator]


def test_host_build_rejected_for_al2023_naming_symbol_and_version(elves):
    with pytest.raises(BuildError) as err:
        abi.check([elves.exe_newglibc], load_policy("al2023"))
    message = str(err.value)
    assert str(elves.exe_newglibc) in message
    assert "arc4random" in message and "GLIBC_2.36" in message
    assert "2.34" in message
    assert "native-lambda build" in message and "--target host" in message


def test_same_file_passes_for_host(elves):
    report = abi.check([elves.exe_newglibc], load_policy("host"))
    assert report.highest_version("GLIBC") == "GLIBC_2.36"
    assert report.violations == []


def test_old_binary_passes_al2(elves):
    # libfoo uses no versioned glibc symbol newer than 2.2.5.
    report = abi.check([elves.libfoo, elves.libbar], load_policy("al2"))
    assert report.violations == []


def test_real_libpython_needs_glibc_2_35(host_python_lib):
    with pytest.raises(BuildError, match=r"GLIBC_2\.35.*hypot|hypot.*GLIBC_2\.35"):
        abi.check([host_python_lib], load_policy("al2023"))


def test_bundled_copy_must_define_the_needed_version(elves):
    policy = load_policy("host")
    ok = abi.check([elves.exe_ver], policy, bundled={"libver.so.1": elves.libver})
    assert ok.violations == []
    with pytest.raises(BuildError, match=r"new_fn.*VER_2|VER_2.*new_fn"):
        abi.check([elves.exe_ver], policy, bundled={"libver.so.1": elves.libver_old})


def test_report_without_raising_collects_every_violation(elves, host_python_lib):
    report = abi.check(
        [read_elf(elves.exe_newglibc), host_python_lib], load_policy("al2023"), raise_error=False
    )
    assert len(report.violations) >= 2
    assert report.highest_version("GLIBC") == "GLIBC_2.36"


def test_dt_relr_implies_glibc_2_36(elves):
    assert "GLIBC_ABI_DT_RELR" in read_elf(elves.exe_relr).version_needs["libc.so.6"]
    with pytest.raises(BuildError, match=r"GLIBC_ABI_DT_RELR.*no symbol"):
        abi.check([elves.exe_relr], load_policy("al2023"))
    assert abi.check([elves.exe_relr], load_policy("host")).highest_version("GLIBC") == "GLIBC_2.36"


def test_glibc_private_is_never_portable(elves):
    with pytest.raises(BuildError, match=r"_dl_argv.*private interface"):
        abi.check([elves.exe_private], load_policy("host"))
