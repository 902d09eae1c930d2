"""patcher.vendor on a Nuitka-like dist folder built with gcc, and on real CPython pieces.

The patched programs are executed (they are our own test binaries): once with the layer at a
host path written as rpath, and in bubblewrap with the layer mounted at /opt/lib as on Lambda.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from native_lambda_toolchain.build.elf import read_elf
from native_lambda_toolchain.build.policy import load_policy
from native_lambda_toolchain.build.vendor import vendor, verify
from native_lambda_toolchain.errors import BuildError

MAIN_DL = r"""
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <unistd.h>
const char *zlibVersion(void);
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
    printf("%d %d %s\n", bar(), entry(), zlibVersion());
    return 0;
}
"""
MOD = "int bar(void);\nint mod_entry(void) { return bar() * 2; }\n"
ZLIB = Path("/lib/x86_64-linux-gnu/libz.so.1")


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}


@pytest.fixture
def dist(tmp_path: Path, ctools) -> Path:
    """A Nuitka-like X.dist: main (RUNPATH $ORIGIN), pkg/mod.so, libbar/libfoo beside main."""
    if not ZLIB.exists():
        pytest.fail(f"{ZLIB} missing: apt-get install zlib1g")
    d = tmp_path / "main.dist"
    cc, FOO, BAR = ctools.cc, ctools.foo, ctools.bar
    libfoo = cc(d / "libfoo.so.1", FOO, "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1")
    libbar = cc(
        d / "libbar.so.1", BAR, "-shared", "-fPIC", "-Wl,-soname,libbar.so.1", str(libfoo),
        "-Wl,-rpath,$ORIGIN",
    )  # fmt: skip
    cc(d / "main", MAIN_DL, str(libbar), str(ZLIB), "-ldl", "-Wl,-rpath,$ORIGIN")
    cc(d / "pkg/mod.so", MOD, "-shared", "-fPIC", str(libbar), "-Wl,-rpath,$ORIGIN/..")
    (d / "data.txt").write_text("data\n")
    proc = subprocess.run([str(d / "main")], capture_output=True, text=True, env=clean_env())
    assert proc.returncode == 0, proc.stderr  # the unpatched dist runs in place
    return d


def test_vendor_moves_libraries_and_rewrites_rpaths(dist, tmp_path):
    fn, layer = tmp_path / "function", tmp_path / "layer/lib"
    report = vendor(dist, load_policy("al2023"), layer, function_dir=fn)
    assert sorted(report.layer_libs) == ["libbar.so.1", "libfoo.so.1", "libz.so.1"]
    assert sorted(p.name for p in layer.iterdir()) == ["libbar.so.1", "libfoo.so.1", "libz.so.1"]
    assert [str(p) for p in report.function_files] == ["data.txt", "main", "pkg/mod.so"]
    assert report.main == fn / "main"
    assert "libc.so.6" in report.system_libs
    assert report.layer_libs["libz.so.1"].source == ZLIB.resolve()  # from the host's system dir
    for p in (fn / "main", fn / "pkg/mod.so"):
        info = read_elf(p)
        assert info.rpath == ("/opt/lib",) and info.runpath == ()  # DT_RPATH, not RUNPATH
    for p in layer.iterdir():
        info = read_elf(p)
        assert info.rpath == ("$ORIGIN",) and info.runpath == ()
        assert p.stat().st_mode & 0o777 == 0o755
    # The simulated target resolves everything from /opt/lib or the policy.
    closure = report.target_closure
    assert closure is not None and not closure.unresolved
    targets = {lib.name: lib.target_path for lib in closure.libraries.values()}
    assert targets["libfoo.so.1"] == "/opt/lib/libfoo.so.1"
    assert targets["libc.so.6"] == "/lib64/libc.so.6"
    assert (dist / "libfoo.so.1").exists()  # the dist itself is untouched


def test_vendor_in_place_removes_moved_libraries(dist, tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib/libstale.so.1").write_text("from an earlier build")
    report = vendor(dist, load_policy("host"), tmp_path / "lib")
    assert not (tmp_path / "lib/libstale.so.1").exists()
    assert report.function_dir == dist
    assert not (dist / "libfoo.so.1").exists()
    assert sorted(str(p) for p in report.removed_from_function) == ["libbar.so.1", "libfoo.so.1"]


def test_patched_binaries_run_from_their_rpath(dist, tmp_path):
    layer = tmp_path / "somewhere/lib"
    vendor(dist, load_policy("host"), layer, str(layer), function_dir=tmp_path / "fn")
    proc = subprocess.run(
        [str(tmp_path / "fn/main")], capture_output=True, text=True, env=clean_env()
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[:2] == ["43", "86"]  # main -> libbar -> libfoo, and the module


def bwrap(fn: Path, layer: Path, *cmd: str, env: dict[str, str] | None = None):
    """Run ``cmd`` with ``fn`` at /var/task and ``layer`` at /opt/lib (host libs still visible)."""
    if shutil.which("bwrap") is None:
        pytest.fail("bubblewrap (bwrap) is required: apt-get install bubblewrap")
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    args += ["--tmpfs", "/var", "--ro-bind", str(fn), "/var/task"]
    args += ["--tmpfs", "/opt", "--ro-bind", str(layer), "/opt/lib"]
    return subprocess.run(
        [*args, *cmd], capture_output=True, text=True, env=env or clean_env(), check=False
    )


@pytest.mark.root
def test_patched_dist_runs_at_var_task_with_layer_at_opt_lib(dist, tmp_path):
    fn, layer = tmp_path / "fn", tmp_path / "layer/lib"
    vendor(dist, load_policy("al2023"), layer, function_dir=fn)
    proc = bwrap(fn, layer, "/var/task/main")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[:2] == ["43", "86"]
    # Without the layer the loader fails on the first bundled library, as Lambda would.
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = bwrap(fn, empty, "/var/task/main")
    assert proc.returncode != 0 and "libbar.so.1" in proc.stderr


def test_verify_fails_naming_file_and_library(dist, tmp_path):
    fn, layer = tmp_path / "fn", tmp_path / "layer/lib"
    vendor(dist, load_policy("al2023"), layer, function_dir=fn)
    (layer / "libfoo.so.1").unlink()
    with pytest.raises(BuildError) as err:
        verify(fn, layer, load_policy("al2023"))
    assert "libfoo.so.1" in str(err.value) and "/opt/lib/libbar.so.1" in str(err.value)


def test_verify_fails_for_a_library_left_beside_the_bootstrap(dist, tmp_path):
    fn, layer = tmp_path / "fn", tmp_path / "layer/lib"
    vendor(dist, load_policy("al2023"), layer, function_dir=fn)
    shutil.move(str(layer / "libz.so.1"), str(fn / "libz.so.1"))
    subprocess.run(
        ["patchelf", "--force-rpath", "--set-rpath", "/opt/lib:$ORIGIN", str(fn / "main")],
        check=True,
    )
    with pytest.raises(
        BuildError, match=r"libz\.so\.1 from /var/task/libz\.so\.1, outside /opt/lib"
    ):
        verify(fn, layer, load_policy("al2023"))


def test_missing_library_fails_before_copying(dist, tmp_path):
    (dist / "libfoo.so.1").unlink()
    with pytest.raises(BuildError, match=r"libfoo\.so\.1 \(needed by .*libbar\.so\.1"):
        vendor(dist, load_policy("al2023"), tmp_path / "lib", function_dir=tmp_path / "fn")


def test_wrong_architecture_rejected(dist, tmp_path):
    policy = load_policy("al2023")
    arm_only = policy.__class__(**{**policy.__dict__, "architectures": ("aarch64",)})
    with pytest.raises(BuildError, match="x86_64"):
        vendor(dist, arm_only, tmp_path / "lib", function_dir=tmp_path / "fn")


# --- real CPython pieces: the interpreter, libpython, _ssl with libssl/libcrypto -------------


@pytest.fixture
def python_dist(tmp_path, host_python_lib) -> Path:
    """A dist with a copy of the host's python binary (RUNPATH to pyenv's lib) and _ssl."""
    import _ssl

    d = tmp_path / "py.dist"
    (d / "dynload").mkdir(parents=True)
    exe = Path(sysconfig.get_config_var("BINDIR")) / f"python{sysconfig.get_python_version()}"
    shutil.copy2(exe, d / "python")
    shutil.copy2(_ssl.__file__, d / "dynload" / Path(_ssl.__file__).name)
    return d


def python_in_sandbox(fn: Path, layer: Path, code: str, **env: str):
    base = {"PYTHONHOME": sysconfig.get_config_var("prefix"), "PYTHONPATH": "/var/task/dynload"}
    return bwrap(fn, layer, "/var/task/python", "-S", "-c", code, env={**base, **env})


MAPS = "import _ssl; print(_ssl.__file__); print(open('/proc/self/maps').read())"


@pytest.mark.root
def test_real_python_and_ssl_load_libraries_from_opt_lib(python_dist, tmp_path, host_python_lib):
    fn, layer = tmp_path / "fn", tmp_path / "layer/lib"
    report = vendor(python_dist, load_policy("host"), layer, function_dir=fn)
    libs = (host_python_lib.name, "libssl.so.3", "libcrypto.so.3")
    assert set(libs) <= set(report.layer_libs)
    # Lambda puts /usr/lib64 (here: the host's multiarch dir) before /opt/lib on
    # LD_LIBRARY_PATH; with DT_RPATH our copies still win, also for libssl -> libcrypto.
    proc = python_in_sandbox(fn, layer, MAPS, LD_LIBRARY_PATH="/lib/x86_64-linux-gnu:/opt/lib")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("/var/task/dynload/_ssl")
    mapped = {line.split()[-1] for line in proc.stdout.splitlines() if "/lib" in line}
    for lib in libs:
        assert f"/opt/lib/{lib}" in mapped, sorted(mapped)
    assert not any(p.endswith(("/libssl.so.3", "/libcrypto.so.3")) and "/opt/lib" not in p
                   for p in mapped)  # fmt: skip


@pytest.mark.root
def test_runpath_would_let_lambdas_ld_library_path_shadow_the_layer(python_dist, tmp_path):
    """The counter-example behind the DT_RPATH decision, run for real."""
    fn, layer = tmp_path / "fn", tmp_path / "layer/lib"
    vendor(python_dist, load_policy("host"), layer, function_dir=fn)
    for p in [fn / "dynload" / next((fn / "dynload").iterdir()).name, *layer.iterdir()]:
        subprocess.run(["patchelf", "--remove-rpath", str(p)], check=True)
        subprocess.run(["patchelf", "--set-rpath", "/opt/lib", str(p)], check=True)  # RUNPATH
    proc = python_in_sandbox(fn, layer, MAPS, LD_LIBRARY_PATH="/lib/x86_64-linux-gnu:/opt/lib")
    assert proc.returncode == 0, proc.stderr
    mapped = {line.split()[-1] for line in proc.stdout.splitlines() if "libssl.so.3" in line}
    assert mapped and all(not p.startswith("/opt/lib") for p in mapped), mapped
