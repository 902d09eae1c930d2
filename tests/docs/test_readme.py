"""The README's command sequences run as written, from a copy of the checkout.

Each fenced ``sh`` block under "Developer loop" (which holds "Deploy and invoke") runs as one
bash script (``set -e``) in a fresh copy of the tracked files, with real servers: the
emulator, the sandbox, a moto server. Two stand-ins only, both on PATH before the real tools:

* ``native-lambda build`` copies the session's shared compiled example instead of compiling
  for minutes again (tests/build covers the compile itself);
* ``pip`` records what it was asked to install (the test environment has every extra), so
  the test checks that a block installs the extra its tools come from.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures_build import Built

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

pytestmark = [pytest.mark.compile, pytest.mark.root, pytest.mark.timeout(2400)]

NATIVE_LAMBDA_SHIM = """#!/bin/sh
# test stand-in: `build` copies the shared compiled example; everything else is the real CLI
if [ "$1" = build ]; then
  out=dist
  while [ $# -gt 0 ]; do
    if [ "$1" = --out ]; then out="$2"; fi
    shift
  done
  mkdir -p "$out" && cp "$PREBUILT"/* "$out"/ && echo "(test) prebuilt artifacts in $out"
  exit 0
fi
exec "$REAL_PYTHON" -m native_lambda_toolchain "$@"
"""
PIP_SHIM = """#!/bin/sh
echo "$*" >> "$PIP_LOG"
"""


def sh_blocks(section: str) -> list[str]:
    """The ``sh`` blocks of the README section titled ``section`` (to the next ``## ``)."""
    text = README.read_text()
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start : end if end != -1 else len(text)]
    return re.findall(r"```sh\n(.*?)```", body, flags=re.S)


def free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """The tracked files of this checkout, as a fresh clone has them."""
    dest = tmp_path / "clone"
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def run_block(
    block: str, clone: Path, built: Built, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    shims = clone.parent / "shims"
    shims.mkdir(exist_ok=True)
    for name, text in (("native-lambda", NATIVE_LAMBDA_SHIM), ("pip", PIP_SHIM)):
        (shims / name).write_text(text)
        (shims / name).chmod(0o755)
    full = {
        **os.environ,
        **env,
        "PATH": os.pathsep.join([str(shims), str(Path(sys.executable).parent), os.environ["PATH"]]),
        "PREBUILT": str(built.dist_dir),
        "REAL_PYTHON": sys.executable,
        "PIP_LOG": str(clone.parent / "pip.log"),
    }
    full.pop("NATIVE_LAMBDA", None)
    return subprocess.run(
        ["bash", "-e", "-u", "-o", "pipefail", "-c", block],
        cwd=clone,
        env=full,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_sections_hold_the_blocks_this_test_runs() -> None:
    blocks = sh_blocks("Developer loop")
    assert len(blocks) == 3, blocks  # the loop, deploy and invoke, moto


def test_developer_loop(clone: Path, built_example: Built) -> None:
    assert free(8080), "port 8080 (the README's) is in use"
    loop = sh_blocks("Developer loop")[0]
    proc = run_block(loop, clone, built_example, {})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    # emulate + curl, run --payload, run --serve + curl: three greetings
    assert proc.stdout.count('"Hello, World!"') == 3, output
    assert "status: 200" in proc.stdout, output
    assert "[toolchain]" in (clone.parent / "pip.log").read_text()


@pytest.fixture
def moto(tmp_path: Path) -> str:
    """A moto server on a free port (not the README's 5000, which its own block uses)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "moto.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    subprocess.run(
        ["curl", "-s", "--retry", "30", "--retry-connrefused", "-o", "/dev/null", url], check=True
    )
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_deploy_and_invoke(clone: Path, built_example: Built, moto: str) -> None:
    """As against AWS, with the endpoint, keys and the README's role existing at moto."""
    env = {
        "AWS_ENDPOINT_URL": moto,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "eu-west-1",
    }
    role = subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain.deploy.local_role", "lambda-basic"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    block = sh_blocks("Developer loop")[1]
    assert role in block, (role, block)
    proc = run_block(block, clone, built_example, env)
    output = proc.stdout + proc.stderr
    assert "ResourceNotFound" not in output, output
    if proc.returncode != 0:
        # moto runs functions in Docker with an image from a registry: offline it cannot, and
        # invoke says so. The function was found, which is what the names must agree on.
        assert "could not run the function, which never ran" in output, output


def test_moto_block(clone: Path, built_example: Built) -> None:
    assert free(5000), "port 5000 (the README's) is in use"
    block = sh_blocks("Developer loop")[2]
    proc = run_block(block, clone, built_example, {})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    installs = (clone.parent / "pip.log").read_text()
    assert "test" in re.findall(r"\[([^\]]*)\]", installs)[0].split(","), installs
