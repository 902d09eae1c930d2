"""elf.read_elf on gcc-built fixtures and on the host's real libpython."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from native_lambda_toolchain.build.elf import is_elf, read_elf
from native_lambda_toolchain.errors import BuildError


def test_shared_library_soname_and_needed(elves):
    info = read_elf(elves.libbar)
    assert info.soname == "libbar.so.1"
    assert "libfoo.so.1" in info.needed
    assert info.elf_type == "ET_DYN"
    assert info.interpreter is None
    assert info.rpath == () and info.runpath == ()


def test_rpath_versus_runpath(elves):
    rp = read_elf(elves.exe_rpath)
    assert rp.rpath == ("$ORIGIN/../lib",) and rp.runpath == ()
    assert rp.effective_rpath == ("$ORIGIN/../lib",)
    run = read_elf(elves.exe_runpath)
    assert run.runpath == ("$ORIGIN/../lib",) and run.rpath == ()
    assert run.interpreter == "/lib64/ld-linux-x86-64.so.2"
    assert run.arch == "x86_64" and run.elf_class == 64


def test_version_needs_name_the_symbol(elves):
    info = read_elf(elves.exe_newglibc)
    assert "GLIBC_2.36" in info.version_needs["libc.so.6"]
    assert "arc4random" in info.symbols_for("libc.so.6", "GLIBC_2.36")
    ver = read_elf(elves.exe_ver)
    assert ver.version_needs["libver.so.1"] == frozenset({"VER_2"})
    assert ver.symbols_for("libver.so.1", "VER_2") == ("new_fn",)


def test_version_definitions(elves):
    assert {"VER_1", "VER_2"} <= read_elf(elves.libver).version_defs
    assert "VER_2" not in read_elf(elves.libver_old).version_defs


def test_real_libpython(host_python_lib):
    info = read_elf(host_python_lib)
    assert info.soname == host_python_lib.name
    assert {"libc.so.6", "libm.so.6"} <= set(info.needed)
    # Debian 12's libm gives hypot a GLIBC_2.35 version: the reason an al2023 host build fails.
    assert "hypot" in info.symbols_for("libm.so.6", "GLIBC_2.35")


def test_not_an_elf_is_a_build_error(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert not is_elf(text)
    with pytest.raises(BuildError, match=r"notes\.txt"):
        read_elf(text)


def test_is_elf_on_interpreter():
    assert is_elf(Path(sys.executable).resolve())
