"""Tiny ELF fixtures compiled with gcc once per session (a second or two).

Layout of ``elves`` (all real files, nothing mocked):

    lib/libfoo.so.1         SONAME libfoo.so.1, defines foo()
    lib/libbar.so.1         SONAME libbar.so.1, NEEDED libfoo.so.1, no rpath
    bin/exe_rpath           NEEDED libbar.so.1, DT_RPATH  $ORIGIN/../lib  (runs: RPATH inherited)
    bin/exe_runpath         NEEDED libbar.so.1, DT_RUNPATH $ORIGIN/../lib (fails: libfoo not found)
    bin/exe_missing         NEEDED libgone.so.1 (deleted after linking)
    bin/exe_newglibc        calls arc4random: needs GLIBC_2.36 (this host's glibc)
    ver/libver.so.1         version script: old_fn@VER_1, new_fn@VER_2
    ver_old/libver.so.1     same SONAME, only VER_1
    bin/exe_ver             needs new_fn@VER_2 from libver.so.1
    bin/exe_relr            linked with -z pack-relative-relocs: needs GLIBC_ABI_DT_RELR
    bin/exe_private         binds _dl_argv@GLIBC_PRIVATE from ld-linux-x86-64.so.2
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

FOO = "int foo(void) { return 42; }\n"
BAR = "int foo(void);\nint bar(void) { return foo() + 1; }\n"
MAIN = "int bar(void);\nint main(void) { return bar() == 43 ? 0 : 1; }\n"
GONE = "int gone(void) { return 0; }\n"
MAIN_GONE = "int gone(void);\nint main(void) { return gone(); }\n"
NEWGLIBC = "#include <stdlib.h>\nint main(void) { return arc4random() == 7; }\n"
VER = "int old_fn(void) { return 1; }\nint new_fn(void) { return 2; }\n"
VER_SCRIPT = "VER_1 { global: old_fn; local: *; };\nVER_2 { global: new_fn; } VER_1;\n"
VER_OLD = "int old_fn(void) { return 1; }\n"
VER_OLD_SCRIPT = "VER_1 { global: old_fn; local: *; };\n"
EMPTY_MAIN = "int main(void) { return 0; }\n"
PRIVATE = "extern char **_dl_argv;\nint main(void) { return _dl_argv == 0; }\n"
MAIN_VER = "int new_fn(void);\nint main(void) { return new_fn() == 2 ? 0 : 1; }\n"


def cc(out: Path, source: str, *args: str) -> Path:
    """Compile ``source`` (C text) into ``out`` with gcc; fail the test run loudly if gcc fails."""
    out.parent.mkdir(parents=True, exist_ok=True)
    src = out.with_name(out.name + ".c")
    src.write_text(source)
    cmd = ["gcc", "-O1", "-o", str(out), str(src), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stderr}"
    src.unlink()
    return out


@dataclass
class Elves:
    root: Path
    libfoo: Path
    libbar: Path
    exe_rpath: Path
    exe_runpath: Path
    exe_missing: Path
    exe_newglibc: Path
    libver: Path
    libver_old: Path
    exe_ver: Path
    exe_relr: Path
    exe_private: Path


@pytest.fixture(scope="session")
def elves(tmp_path_factory: pytest.TempPathFactory) -> Elves:
    if shutil.which("gcc") is None:
        pytest.fail("gcc is required for the ELF fixtures (apt-get install gcc)")
    root = tmp_path_factory.mktemp("elves")
    lib = root / "lib"
    libfoo = cc(lib / "libfoo.so.1", FOO, "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1")
    libbar = cc(
        lib / "libbar.so.1", BAR, "-shared", "-fPIC", "-Wl,-soname,libbar.so.1", str(libfoo)
    )
    link = [str(libbar), f"-Wl,-rpath-link,{lib}"]
    exe_rpath = cc(
        root / "bin/exe_rpath", MAIN, *link, "-Wl,--disable-new-dtags,-rpath,$ORIGIN/../lib"
    )
    exe_runpath = cc(
        root / "bin/exe_runpath", MAIN, *link, "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib"
    )
    gone = cc(root / "gone/libgone.so.1", GONE, "-shared", "-fPIC", "-Wl,-soname,libgone.so.1")
    exe_missing = cc(root / "bin/exe_missing", MAIN_GONE, str(gone))
    shutil.rmtree(gone.parent)
    exe_newglibc = cc(root / "bin/exe_newglibc", NEWGLIBC)

    (root / "ver.map").write_text(VER_SCRIPT)
    (root / "ver_old.map").write_text(VER_OLD_SCRIPT)
    shared = ["-shared", "-fPIC", "-Wl,-soname,libver.so.1"]
    libver = cc(root / "ver/libver.so.1", VER, *shared, f"-Wl,--version-script={root}/ver.map")
    libver_old = cc(
        root / "ver_old/libver.so.1", VER_OLD, *shared, f"-Wl,--version-script={root}/ver_old.map"
    )
    exe_ver = cc(root / "bin/exe_ver", MAIN_VER, str(libver))
    exe_relr = cc(root / "bin/exe_relr", EMPTY_MAIN, "-Wl,-z,pack-relative-relocs")
    exe_private = cc(root / "bin/exe_private", PRIVATE, "/lib64/ld-linux-x86-64.so.2")
    return Elves(
        root, libfoo, libbar, exe_rpath, exe_runpath, exe_missing, exe_newglibc,
        libver, libver_old, exe_ver, exe_relr, exe_private,
    )  # fmt: skip


@pytest.fixture(scope="session")
def host_python_lib() -> Path:
    """The shared libpython of the interpreter running the tests (pyenv builds one)."""
    import sysconfig

    libdir = sysconfig.get_config_var("LIBDIR")
    name = sysconfig.get_config_var("INSTSONAME")
    path = Path(libdir or "", name or "")
    if not sysconfig.get_config_var("Py_ENABLE_SHARED") or not path.is_file():
        pytest.fail(f"this test needs a Python built with --enable-shared (no {path})")
    return path


@dataclass
class CTools:
    """What tests need to build their own fixtures: ``cc`` plus the shared C sources."""

    foo: str = FOO
    bar: str = BAR

    @staticmethod
    def cc(out: Path, source: str, *args: str) -> Path:
        return cc(out, source, *args)


@pytest.fixture(scope="session")
def ctools() -> CTools:
    return CTools()
