"""A bare install (``pip install --no-deps -e .`` plus msgspec, no ``toolchain`` extra):
``--help`` works, and each command that needs the extra names it instead of a traceback.

A real venv and real subprocesses: the point is what is importable there, which no
in-process trick can reproduce.
"""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL = "pip install 'native-lambda[toolchain]'"

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The venv's ``native-lambda`` script."""
    env_dir = tmp_path_factory.mktemp("bare") / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    for args in (["--no-deps", "-e", str(ROOT)], ["msgspec"]):
        proc = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
            capture_output=True,
            text=True,
            timeout=500,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    probe = (
        "import importlib.util as u; print([m for m in ('httpx', 'docker', 'nuitka', "
        "'elftools') if u.find_spec(m)])"
    )
    found = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    assert found.stdout.strip() == "[]", found.stdout  # truly without the extra
    return env_dir / "bin" / "native-lambda"


def cli(script: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_help_lists_every_command(bare: Path, tmp_path: Path) -> None:
    proc = cli(bare, "--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for command in ("build", "emulate", "run", "deploy", "invoke"):
        assert f"    {command}" in proc.stdout, proc.stdout
    for command in ("build", "emulate", "run", "deploy", "invoke"):
        sub = cli(bare, command, "--help", cwd=tmp_path)
        assert sub.returncode == 0 and "Traceback" not in sub.stderr, sub.stderr


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (("deploy", "my-function"), "httpx"),
        (("invoke", "my-function", "{}"), "httpx"),
        (("build", "--target", "al2023", "--handler", "examples.greeting.handler"), "docker"),
    ],
)
def test_a_command_needing_the_extra_names_it(
    bare: Path, tmp_path: Path, args: tuple[str, ...], module: str
) -> None:
    proc = cli(bare, *args, cwd=ROOT if args[0] == "build" else tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output, output
    assert output.count("native-lambda: error:") == 1, output
    assert module in output and INSTALL in output, output
