"""lddtree.resolve against what the real loader does with the same files."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from native_lambda_toolchain.build.lddtree import Layout, expand_origin, parse_ld_so_conf, resolve
from native_lambda_toolchain.build.policy import load_policy


def run(exe: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    return subprocess.run([str(exe)], capture_output=True, text=True, env=env, check=False)


def names(closure) -> set[str]:
    return {lib.name for lib in closure.libraries.values()}


def test_rpath_is_inherited_by_transitive_lookups(elves):
    closure = resolve([elves.exe_rpath])
    assert not closure.unresolved
    foo = closure.libraries_named("libfoo.so.1")[0]
    assert foo.path == elves.libfoo  # found through the executable's DT_RPATH
    assert foo.needed_by == [elves.libbar]
    assert run(elves.exe_rpath).returncode == 0  # and the loader agrees


def test_runpath_applies_to_direct_needs_only(elves):
    closure = resolve([elves.exe_runpath])
    assert closure.libraries_named("libbar.so.1")[0].path == elves.libbar
    assert closure.unresolved == {"libfoo.so.1": [elves.libbar]}
    proc = run(elves.exe_runpath)  # the loader agrees: libbar cannot find libfoo
    assert proc.returncode != 0 and "libfoo.so.1" in proc.stderr


def test_ld_library_path_given_explicitly(elves):
    closure = resolve([elves.exe_runpath], ld_library_path=[str(elves.libfoo.parent)])
    assert not closure.unresolved


def test_missing_library_reported_with_requester(elves):
    closure = resolve([elves.exe_missing])
    assert closure.unresolved == {"libgone.so.1": [elves.exe_missing]}
    assert "needed by" in closure.explain("libgone.so.1")
    assert str(elves.exe_missing) in closure.explain("libgone.so.1")


def test_system_libraries_found_in_host_dirs(elves):
    closure = resolve([elves.exe_newglibc])
    libc = closure.libraries_named("libc.so.6")[0]
    assert libc.path is not None and libc.path.is_file()
    assert "ld-linux-x86-64.so.2" in names(closure)


def test_incompatible_machine_is_skipped(elves, tmp_path):
    # A copy of libfoo claiming to be aarch64 sits first in the search path: skipped.
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    data = bytearray(elves.libfoo.read_bytes())
    data[18:20] = (183).to_bytes(2, "little")  # e_machine = EM_AARCH64
    (wrong / "libfoo.so.1").write_bytes(bytes(data))
    closure = resolve([elves.libbar], extra_dirs=[wrong, elves.libfoo.parent])
    assert closure.libraries_named("libfoo.so.1")[0].path == elves.libfoo
    only_wrong = resolve([elves.libbar], extra_dirs=[wrong])
    assert "libfoo.so.1" in only_wrong.unresolved


def test_origin_expansion(elves, tmp_path):
    assert expand_origin("$ORIGIN/../lib", "/var/task/bin") == "/var/task/lib"
    assert expand_origin("${ORIGIN}", "/opt/lib") == "/opt/lib"
    # Move the whole tree: $ORIGIN still finds the libraries.
    moved = tmp_path / "moved"
    shutil.copytree(elves.root / "bin", moved / "bin")
    shutil.copytree(elves.root / "lib", moved / "lib")
    closure = resolve([moved / "bin/exe_rpath"])
    assert closure.libraries_named("libbar.so.1")[0].path == moved / "lib/libbar.so.1"
    assert run(moved / "bin/exe_rpath").returncode == 0


def test_ld_so_conf_with_includes(tmp_path):
    etc = tmp_path / "etc"
    (etc / "ld.so.conf.d").mkdir(parents=True)
    (etc / "ld.so.conf").write_text(
        "# comment\n/usr/local/lib\ninclude /etc/ld.so.conf.d/*.conf\nhwcap 0 nosegneg\n"
    )
    (etc / "ld.so.conf.d/b.conf").write_text("/opt/b/lib # trailing comment\n")
    (etc / "ld.so.conf.d/a.conf").write_text("/opt/a/lib\n/opt/a/lib64\n")
    (etc / "ld.so.conf.d/ignored.txt").write_text("/nope\n")
    dirs = parse_ld_so_conf("/etc/ld.so.conf", root=str(tmp_path))
    assert dirs == ["/usr/local/lib", "/opt/a/lib", "/opt/a/lib64", "/opt/b/lib"]


def test_host_ld_so_conf_has_multiarch_dir():
    assert "/usr/lib/x86_64-linux-gnu" in parse_ld_so_conf()


def test_simulated_layout_sees_only_mounts_and_policy(elves):
    policy = load_policy("al2023")
    layout = Layout(
        {"/var/task": elves.root / "bin", "/opt/lib": elves.root / "lib"},
        provided=policy.system_libraries,
        system_dirs=policy.system_dirs,
    )
    assert layout.to_target(elves.exe_rpath) == "/var/task/exe_rpath"
    assert layout.to_host("/opt/lib/libfoo.so.1") == elves.libfoo
    assert layout.to_host("/usr/lib64/libc.so.6") is None
    # $ORIGIN/../lib from /var/task is /var/lib: not mounted, so libbar is not found ...
    closure = resolve([elves.exe_rpath], layout=layout)
    assert "libbar.so.1" in closure.unresolved
    # ... while libc comes from the policy, virtually, in the target's system dir.
    libc = closure.libraries_named("libc.so.6")[0]
    assert libc.provided and libc.target_path == "/lib64/libc.so.6"
    # With /opt/lib on LD_LIBRARY_PATH (as Lambda sets it) everything resolves.
    closure = resolve([elves.exe_rpath], layout=layout, ld_library_path=["/opt/lib"])
    assert not closure.unresolved
    assert closure.libraries_named("libfoo.so.1")[0].target_path == "/opt/lib/libfoo.so.1"


def test_real_extension_module_closure_against_al2023():
    import _ssl

    closure = resolve([Path(_ssl.__file__)])
    assert not closure.unresolved
    classified = load_policy("al2023").classify(closure)
    bundle = {lib.name for lib in classified.bundle}
    system = {lib.name for lib in classified.system}
    assert {"libssl.so.3", "libcrypto.so.3"} <= bundle
    assert "libc.so.6" in system and "libc.so.6" not in bundle
    crypto = closure.libraries_named("libcrypto.so.3")[0]
    assert {p.name for p in crypto.needed_by} >= {"libssl.so.3", Path(_ssl.__file__).name}


def test_dlopened_module_inherits_the_executables_rpath_not_its_runpath(elves):
    # libbar stands for an extension module without rpath, dlopen'd by the executable.
    with_rpath = resolve([elves.exe_rpath, elves.libbar], main=elves.exe_rpath)
    assert not with_rpath.unresolved
    with_runpath = resolve([elves.exe_runpath, elves.libbar], main=elves.exe_runpath)
    assert with_runpath.unresolved == {"libfoo.so.1": [elves.libbar]}
