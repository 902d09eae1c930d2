"""aarch64 (Graviton) ELF files through the build core on this x86_64 machine.

The fixtures are real aarch64 programs and libraries, cross-compiled with Debian's
``gcc-aarch64-linux-gnu`` against its aarch64 glibc (``/usr/aarch64-linux-gnu/lib``). They go
through the same reader, closure, policy, patcher and ABI check as an arm64 container build,
and the patched program is executed with ``qemu-aarch64-static`` (no binfmt needed) to show
that the rewritten rpaths load the layer's libraries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from native_lambda_toolchain.build import abi
from native_lambda_toolchain.build.elf import read_elf
from native_lambda_toolchain.build.lddtree import resolve
from native_lambda_toolchain.build.policy import load_policy
from native_lambda_toolchain.build.vendor import vendor
from native_lambda_toolchain.errors import BuildError

pytestmark = pytest.mark.cross

CROSS_CC = "aarch64-linux-gnu-gcc"
CROSS_LIB = Path("/usr/aarch64-linux-gnu/lib")  # Debian's aarch64 glibc and libgcc_s
QEMU = "qemu-aarch64-static"

FOO = "int foo(void) { return 42; }\n"
BAR = "int foo(void);\nint bar(void) { return foo() + 1; }\n"
MAIN = r"""
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <unistd.h>
int bar(void);
int main(void) {
    char exe[4096], path[4200];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) return 3;
    exe[n] = 0;
    snprintf(path, sizeof path, "%s/pkg/mod.so", dirname(exe));
    void *h = dlopen(path, RTLD_NOW);
    if (!h) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    int (*entry)(void) = (int (*)(void))dlsym(h, "mod_entry");
    printf("%d %d\n", bar(), entry());
    return 0;
}
"""
MOD = "int bar(void);\nint mod_entry(void) { return bar() * 2; }\n"
NEWGLIBC = "#include <stdlib.h>\nint main(void) { return arc4random() == 7; }\n"


def cross_cc(out: Path, source: str, *args: str, compiler: str = CROSS_CC) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    src = out.with_name(out.name + ".c")
    src.write_text(source)
    cmd = [compiler, "-O1", "-o", str(out), str(src), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stderr}"
    src.unlink()
    return out


@dataclass
class Arm:
    dist: Path
    main: Path
    libfoo: Path
    libbar: Path
    mod: Path
    newglibc: Path


def make_dist(root: Path) -> Arm:
    """A Nuitka-like aarch64 dist: main (RPATH $ORIGIN) + libbar/libfoo beside it, pkg/mod.so."""
    d = root / "main.dist"
    libfoo = cross_cc(d / "libfoo.so.1", FOO, "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1")
    libbar = cross_cc(
        d / "libbar.so.1", BAR, "-shared", "-fPIC", "-Wl,-soname,libbar.so.1", str(libfoo),
        "-Wl,-rpath,$ORIGIN",
    )  # fmt: skip
    main = cross_cc(d / "main", MAIN, str(libbar), "-ldl", "-Wl,-rpath,$ORIGIN")
    mod = cross_cc(d / "pkg/mod.so", MOD, "-shared", "-fPIC", str(libbar), "-Wl,-rpath,$ORIGIN/..")
    newglibc = cross_cc(root / "newglibc", NEWGLIBC)
    return Arm(d, main, libfoo, libbar, mod, newglibc)


@pytest.fixture
def arm(tmp_path: Path) -> Arm:
    if shutil.which(CROSS_CC) is None:
        pytest.fail(f"{CROSS_CC} is required: apt-get install gcc-aarch64-linux-gnu")
    return make_dist(tmp_path)


def test_reader_knows_aarch64(arm):
    info = read_elf(arm.main)
    assert (info.machine, info.arch, info.elf_class) == ("EM_AARCH64", "aarch64", 64)
    assert info.interpreter == "/lib/ld-linux-aarch64.so.1"
    assert info.interpreter == load_policy("al2023").interpreters["aarch64"]
    assert info.needed[0] == "libbar.so.1" and info.runpath == ("$ORIGIN",)  # new dtags
    lib = read_elf(arm.libbar)
    assert lib.soname == "libbar.so.1" and lib.arch == "aarch64"
    # the baseline symbol version of aarch64 glibc is 2.17, not x86_64's 2.2.5
    assert any(v == "GLIBC_2.17" for vs in info.version_needs.values() for v in vs)


def test_closure_finds_aarch64_libraries_and_skips_x86_64_ones(arm, tmp_path):
    # an x86_64 libfoo.so.1 earlier on the search path is skipped, as the loader does
    decoy = tmp_path / "decoy"
    cross_cc(decoy / "libfoo.so.1", FOO, "-shared", "-fPIC", compiler="gcc")
    closure = resolve([arm.main, arm.mod], extra_dirs=[decoy, CROSS_LIB], main=arm.main)
    assert not closure.unresolved
    foo = closure.libraries_named("libfoo.so.1")
    assert [lib.path for lib in foo] == [arm.libfoo]
    libc = closure.libraries_named("libc.so.6")[0]
    assert libc.path is not None and libc.info is not None and libc.info.arch == "aarch64"
    classified = load_policy("al2023").classify(closure)
    assert {lib.name for lib in classified.system} >= {"libc.so.6", "ld-linux-aarch64.so.1"}
    assert {lib.name for lib in classified.bundle} == {"libfoo.so.1", "libbar.so.1"}


def test_vendor_patches_aarch64_rpaths_and_verifies_the_al2023_layout(arm, tmp_path):
    fn, layer = tmp_path / "function", tmp_path / "layer/lib"
    report = vendor(arm.dist, load_policy("al2023"), layer, function_dir=fn, extra_dirs=[CROSS_LIB])
    assert sorted(report.layer_libs) == ["libbar.so.1", "libfoo.so.1"]
    assert "libc.so.6" in report.system_libs and "ld-linux-aarch64.so.1" in report.system_libs
    for p in (fn / "main", fn / "pkg/mod.so"):
        info = read_elf(p)
        assert info.arch == "aarch64"  # patchelf kept the machine
        assert info.rpath == ("/opt/lib",) and info.runpath == ()
    for p in layer.iterdir():
        assert read_elf(p).rpath == ("$ORIGIN",)
    closure = report.target_closure
    assert closure is not None and not closure.unresolved
    targets = {lib.name: lib.target_path for lib in closure.libraries.values()}
    assert targets["libfoo.so.1"] == "/opt/lib/libfoo.so.1"
    assert targets["libc.so.6"] == "/lib64/libc.so.6"  # AL2023 arm64 keeps glibc in /lib64
    assert (
        abi.check(
            [*report.function_elves, *(e.dest for e in report.layer_libs.values())],
            load_policy("al2023"),
            bundled={n: e.dest for n, e in report.layer_libs.items()},
        ).violations
        == []
    )


def test_patched_aarch64_program_runs_from_the_layer_under_qemu(arm, tmp_path):
    if shutil.which(QEMU) is None:
        pytest.fail(f"{QEMU} is required: apt-get install qemu-user-static")
    fn, layer = tmp_path / "function", tmp_path / "somewhere/lib"
    vendor(arm.dist, load_policy("al2023"), layer, str(layer), function_dir=fn,
           extra_dirs=[CROSS_LIB])  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LD_", "QEMU_"))}
    # -L: the aarch64 glibc comes from the cross sysroot; everything else from the rpaths
    run = [QEMU, "-L", str(CROSS_LIB.parent), str(fn / "main")]
    proc = subprocess.run(run, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["43", "86"]
    (layer / "libfoo.so.1").unlink()
    proc = subprocess.run(run, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode != 0 and "libfoo.so.1" in proc.stderr


def test_wrong_architecture_library_is_rejected_by_name(arm, tmp_path):
    # libbar's libfoo replaced by an x86_64 build: the closure names the skipped file
    cross_cc(arm.libfoo, FOO, "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", compiler="gcc")
    with pytest.raises(BuildError) as err:
        vendor(arm.dist, load_policy("al2023"), tmp_path / "lib", function_dir=tmp_path / "fn",
               extra_dirs=[CROSS_LIB])  # fmt: skip
    message = str(err.value)
    assert "libfoo.so.1" in message and str(arm.libfoo) in message
    assert "x86_64" in message and "wrong architecture" in message
    # the ABI check refuses a bundle mixing machines, naming both files
    with pytest.raises(BuildError, match=r"libfoo\.so\.1 is built for x86_64, but .*aarch64"):
        abi.check([arm.main, arm.libfoo], load_policy("al2023"))


def test_bundle_for_another_architecture_than_the_target_is_rejected(arm, tmp_path):
    policy = load_policy("al2023")
    x86_only = policy.__class__(**{**policy.__dict__, "architectures": ("x86_64",)})
    with pytest.raises(BuildError, match=r"built for aarch64.*runs x86_64"):
        vendor(arm.dist, x86_only, tmp_path / "lib", function_dir=tmp_path / "fn",
               extra_dirs=[CROSS_LIB])  # fmt: skip


def test_glibc_version_above_the_target_is_named(arm):
    # Debian 12's aarch64 glibc is 2.36: arc4random needs GLIBC_2.36, above AL2023's 2.34
    with pytest.raises(BuildError) as err:
        abi.check([arm.newglibc], load_policy("al2023"))
    message = str(err.value)
    assert "arc4random" in message and "GLIBC_2.36" in message and "2.34" in message
    assert str(arm.newglibc) in message
    # built against glibc 2.36, main binds __libc_start_main@GLIBC_2.34: fine for AL2023,
    # named for AL2 (glibc 2.26)
    assert abi.check([arm.main], load_policy("al2023")).violations == []
    with pytest.raises(BuildError, match=r"main needs GLIBC_2\.34 .*__libc_start_main.*2\.26"):
        abi.check([arm.main], load_policy("al2"))
    # a library from the sysroot is checked too: Debian 12's aarch64 libgcc_s needs 2.35
    with pytest.raises(BuildError, match=r"libgcc_s\.so\.1 needs GLIBC_2\.35 .*_dl_find_object"):
        abi.check([CROSS_LIB / "libgcc_s.so.1"], load_policy("al2023"))
