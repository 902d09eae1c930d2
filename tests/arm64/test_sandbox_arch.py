"""The sandbox and ``native-lambda run`` with bundles of another architecture (fast).

Real aarch64 programs, cross-compiled; the arm64 sandbox runs one through the kernel's qemu
binfmt emulation with the aarch64 glibc of the cross sysroot. Bundles this machine cannot
start are refused with a message naming both architectures, never "Exec format error".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from native_lambda_toolchain.binfmt import host_architecture
from native_lambda_toolchain.build.policy import load_policy
from native_lambda_toolchain.dist import BuildRecord, write_record
from native_lambda_toolchain.sandbox import Sandbox, SandboxError

pytestmark = pytest.mark.cross

ROOT = Path(__file__).resolve().parents[2]
CROSS_LIB = Path("/usr/aarch64-linux-gnu/lib")
PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
int main(void) {
    struct utsname u;
    uname(&u);
    printf("%s %s\n", u.machine, getenv("LAMBDA_TASK_ROOT"));
    return 0;
}
"""


def compile_to(out: Path, compiler: str) -> Path:
    if shutil.which(compiler) is None:
        pytest.fail(f"{compiler} missing: apt-get install gcc gcc-aarch64-linux-gnu")
    src = out.with_suffix(".c")
    src.write_text(PROGRAM)
    subprocess.run([compiler, "-O1", "-o", str(out), str(src)], check=True)
    return out


def function_zip(folder: Path, compiler: str) -> Path:
    exe = compile_to(folder / "prog", compiler)
    archive = folder / "function.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        zf.writestr(info, exe.read_bytes())
    return archive


def dist_folder(tmp_path: Path, compiler: str, recorded: str) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    function_zip(dist, compiler)
    write_record(
        dist,
        BuildRecord(
            handler="examples.greeting.handler",
            target="al2023",
            architecture=recorded,
            python_version="3.9",
        ),
    )
    return dist


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def one_error(proc: subprocess.CompletedProcess[str]) -> str:
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output and "Exec format error" not in output, output
    assert output.count("native-lambda: error:") == 1, output
    return output


def test_record_and_bootstrap_disagreeing_is_refused(tmp_path):
    dist = dist_folder(tmp_path, "aarch64-linux-gnu-gcc", recorded="x86_64")
    output = one_error(run_cli("run", "--dist", str(dist), "--payload", "{}"))
    assert "build.json says x86_64, but the bootstrap" in output, output
    assert "is built for arm64" in output, output


def test_arm64_bundle_without_emulation_is_refused_naming_both(tmp_path):
    if host_architecture() != "x86_64":
        pytest.skip("the other architecture is arm64 only on x86_64")
    dist = dist_folder(tmp_path, "aarch64-linux-gnu-gcc", recorded="arm64")
    empty = tmp_path / "no-binfmt"
    empty.mkdir()
    proc = run_cli(
        "run", "--dist", str(dist), "--payload", "{}", env={"NATIVE_LAMBDA_BINFMT_DIR": str(empty)}
    )
    output = one_error(proc)
    assert "was built for arm64; this machine is x86_64" in output, output
    assert "no qemu binfmt emulation" in output and "setup-binfmt.sh" in output, output


def test_sandbox_refuses_a_bootstrap_of_another_architecture(tmp_path):
    archive = function_zip(tmp_path, "aarch64-linux-gnu-gcc")
    box = Sandbox(archive, policy=load_policy("al2023"), architecture="x86_64", bwrap="/bin/true")
    try:
        with pytest.raises(SandboxError, match=r"built for arm64, but this sandbox is x86_64"):
            box.prepare()
    finally:
        box.cleanup()


@pytest.mark.root
def test_arm64_sandbox_runs_an_aarch64_bootstrap_under_binfmt(tmp_path):
    archive = function_zip(tmp_path, "aarch64-linux-gnu-gcc")
    box = Sandbox(archive, policy=load_policy("al2023"), architecture="arm64", glibc_dir=CROSS_LIB)
    with box:
        lib64 = box.root / "usr/lib64"
        assert (lib64 / "ld-linux-aarch64.so.1").is_file()
        assert not (lib64 / "ld-linux-x86-64.so.2").exists()  # only the sandbox's architecture
        assert os.readlink(box.root / "usr/lib/ld-linux-aarch64.so.1") == (
            "../lib64/ld-linux-aarch64.so.1"
        )
        proc = subprocess.run(box.command(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["aarch64", "/var/task"]
